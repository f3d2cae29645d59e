// The API as a real process (`src/main.ts api`, as `npm run api` runs it), for tests and the load
// script that kill and restart it. Same database and queue prefix as the service it stands for.
import net from "node:net";
import type { Config } from "../../src/config.js";
import { startServiceProcess, waitFor, type WorkerProcess } from "./worker-process.js";

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface ApiProcess extends WorkerProcess {
  base: string;
}

/** Starts the API on `port` and waits until /healthz answers. */
export async function startApiProcess(config: Config, port: number, env: Record<string, string> = {}): Promise<ApiProcess> {
  const { process: child, exited, output: collected } = startServiceProcess(["src/main.ts", "api"], config, { PORT: String(port), HOST: "127.0.0.1", ...env });
  const base = `http://127.0.0.1:${port}`;
  await waitFor("the API process to answer /healthz", async () => {
    if (child.exitCode !== null) throw new Error(`the API process exited with ${child.exitCode}: ${collected()}`);
    const res = await fetch(`${base}/healthz`).catch(() => null);
    return res?.ok ? true : undefined;
  }, 60_000, 100);
  return { process: child, base, exited, output: collected };
}
