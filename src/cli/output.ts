// Where the CLI writes: results to stdout, progress and notes to stderr (so that stdout stays parseable).
export function print(text: string): void {
  process.stdout.write(text.endsWith("\n") ? text : text + "\n");
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + "\n");
}

export function note(text: string): void {
  process.stderr.write(text + "\n");
}
