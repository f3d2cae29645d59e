// A whole service for end-to-end tests: the API listening on real HTTP, worker processes, and the small
// REST helpers the tests poll it with. Call useLiveService() at the top of a test file: it registers the
// vitest hooks that start the API and stop every worker (asserting none is left behind).
import { afterAll, beforeAll, expect } from "vitest";
import { startTestService, type TestService, type TestServiceOptions } from "./service.js";
import { processesFor, startWorkerProcess, waitFor, type WorkerProcess } from "./worker-process.js";

// Response bodies are checked field by field by the tests.
export type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface LiveService {
  /** The API's base URL (set once the beforeAll hook has run). */
  readonly base: string;
  readonly service: TestService;
  /** Starts one more worker process against this service's queue and database (env: extra variables). */
  worker(env?: Record<string, string>): WorkerProcess;
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }>;
  job(id: string): Promise<Json>;
  untilStatus(id: string, statuses: string[], timeoutMs?: number): Promise<Json>;
  untilStep(id: string, step: number): Promise<Json>;
  /** Every metric row of a job, following next_after page by page. */
  allMetrics(id: string): Promise<Json[]>;
}

export function useLiveService(opts: { pollMs?: number; beforeStart?: () => Promise<void>; env?: () => Record<string, string>; service?: TestServiceOptions } = {}): LiveService {
  const pollMs = opts.pollMs ?? 200;
  const workers: WorkerProcess[] = [];
  let service: TestService | undefined;
  let base = "";

  beforeAll(async () => {
    service = await startTestService(opts.env?.(), opts.service);
    base = await service.app.listen({ port: 0, host: "127.0.0.1" });
    await opts.beforeStart?.();
  });
  afterAll(async () => {
    for (const w of workers) if (w.process.exitCode === null && w.process.signalCode === null) w.process.kill("SIGTERM");
    await Promise.all(workers.map((w) => w.exited));
    // A training child notices its worker is gone within a second or so (workers/train-processor.ts).
    const prefix = service?.config.queuePrefix;
    for (let i = 0; prefix && i < 50 && processesFor(prefix).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    const left = prefix ? processesFor(prefix) : [];
    for (const p of left) process.kill(p.pid, "SIGKILL");
    await service?.cleanup();
    expect(left).toEqual([]);
  });

  const live: LiveService = {
    get base() {
      return base;
    },
    get service() {
      if (!service) throw new Error("the live service has not started yet");
      return service;
    },
    worker(env) {
      const w = startWorkerProcess(live.service.config, env);
      workers.push(w);
      return w;
    },
    async api(method, path, body) {
      const res = await fetch(base + path, {
        method,
        headers: body ? { "content-type": "application/json" } : {},
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: res.status, body: await res.json() };
    },
    async job(id) {
      return (await live.api("GET", `/v1/jobs/${id}`)).body;
    },
    untilStatus(id, statuses, timeoutMs = 240_000) {
      return waitFor(`job ${id} to be ${statuses.join("|")}`, async () => {
        const j = await live.job(id);
        return statuses.includes(j.status) ? j : undefined;
      }, timeoutMs, pollMs);
    },
    untilStep(id, step) {
      return waitFor(`job ${id} to pass step ${step}`, async () => {
        const j = await live.job(id);
        return j.progress.step >= step ? j : undefined;
      }, 240_000, Math.min(pollMs, 50));
    },
    async allMetrics(id) {
      const rows: Json[] = [];
      let after = 0;
      for (;;) {
        const page = (await live.api("GET", `/v1/jobs/${id}/metrics?after=${after}&limit=1000`)).body;
        if (page.metrics.length === 0) return rows;
        rows.push(...page.metrics);
        after = page.next_after;
      }
    },
  };
  return live;
}
