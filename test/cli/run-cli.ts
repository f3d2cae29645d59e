// Runs the `trainyard` CLI as a real child process (bin/trainyard.mjs) and collects what it printed.
import { spawn } from "node:child_process";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `onStderr` and `onStdout` see the output as it grows (to act once the CLI has reached some point). */
export function runCli(args: string[], env: Record<string, string | undefined> = {}, onStderr?: (stderr: string) => void, onStdout?: (stdout: string) => void): Promise<CliResult> {
  const child = spawn(process.execPath, [path.join(root, "bin/trainyard.mjs"), ...args], {
    cwd: root,
    env: { ...process.env, TRAINYARD_URL: undefined, TRAINYARD_API_KEY: undefined, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
    onStdout?.(stdout);
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
    onStderr?.(stderr);
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
