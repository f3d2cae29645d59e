// A real worker process (`workers/worker.ts`) for a test service: same database and queue prefix.
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Config } from "../../src/config.js";

const root = path.resolve(import.meta.dirname, "../..");

export interface WorkerProcess {
  process: ChildProcess;
  /** Resolves with the exit code (or signal) once the process is gone. */
  exited: Promise<number | string>;
  output(): string;
}

/**
 * A service entry point (`args` after `node --import tsx`) as a child process on the test service's
 * database, Redis and queue prefix, its stdout and stderr collected.
 */
export function startServiceProcess(args: string[], config: Config, env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ["--import", "tsx", ...args], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: config.databaseUrl,
      REDIS_URL: config.redisUrl,
      QUEUE_PREFIX: config.queuePrefix,
      DATA_DIR: config.dataDir,
      LOG_LEVEL: "warn",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal ?? "unknown")));
  return { process: child, exited, output: () => output };
}

export function startWorkerProcess(config: Config, env: Record<string, string> = {}): WorkerProcess {
  return startServiceProcess(["workers/worker.ts"], config, { STALLED_INTERVAL_MS: "2000", ...env });
}

/** Polls until `check` returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Processes (a worker and its training children) started for this queue prefix, found through /proc. */
export function processesFor(queuePrefix: string): { pid: number; ppid: number }[] {
  const found: { pid: number; ppid: number }[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/environ`, "utf8").split("\0").includes(`QUEUE_PREFIX=${queuePrefix}`)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      found.push({ pid: Number(entry), ppid: Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}
