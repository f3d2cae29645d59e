// The API as a real process (`src/main.ts api`, as `npm run api` runs it), for tests and the load
// script that kill and restart it. Same database and queue prefix as the service it stands for.
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import type { Config } from "../../src/config.js";
import { waitFor } from "./worker-process.js";

const root = path.resolve(import.meta.dirname, "../..");

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface ApiProcess {
  process: ChildProcess;
  base: string;
  exited: Promise<number | string>;
  output(): string;
}

/** Starts the API on `port` and waits until /healthz answers. */
export async function startApiProcess(config: Config, port: number, env: Record<string, string> = {}): Promise<ApiProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", "api"], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: config.databaseUrl,
      REDIS_URL: config.redisUrl,
      QUEUE_PREFIX: config.queuePrefix,
      DATA_DIR: config.dataDir,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal ?? "unknown")));
  const base = `http://127.0.0.1:${port}`;
  await waitFor("the API process to answer /healthz", async () => {
    if (child.exitCode !== null) throw new Error(`the API process exited with ${child.exitCode}: ${output}`);
    const res = await fetch(`${base}/healthz`).catch(() => null);
    return res?.ok ? true : undefined;
  }, 60_000, 100);
  return { process: child, base, exited, output: () => output };
}
