// The CLI's exit codes, documented in README.md; scripts rely on them.
export const EXIT_OK = 0;
/** The job ended failed or cancelled (watch, submit --follow). */
export const EXIT_JOB_FAILED = 1;
/** Bad command line or an unreadable/invalid input file. */
export const EXIT_USAGE = 2;
/** The API answered with an error or could not be reached, or a download did not check out. */
export const EXIT_API = 3;

/** An error that ends the CLI with a one-line message and a given exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export const usageError = (message: string) => new CliError(message, EXIT_USAGE);
