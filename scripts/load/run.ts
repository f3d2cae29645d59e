// A load run against the real service: the API and worker processes on a database and queue prefix
// of their own (Redis from REDIS_URL). Part one: clients submit tiny jobs as fast as the API takes
// them, then the run waits until every job has ended and checks, from the database, that each
// accepted job exists once, ended once, and has every metric row once. Part two: long jobs train
// (one per worker) while pollers read their metrics; steps/s is measured without, then with them.
import { randomBytes } from "node:crypto";
import { loadConfig, type Config } from "../../src/config.js";
import { createDb, tuneSqlite, type Db } from "../../src/store/db.js";
import { applyMigrations } from "../../src/store/migrate.js";
import { startApiProcess, freePort, type ApiProcess } from "../../test/helpers/api-process.js";
import { longIrisJob, tinyJob } from "../../test/helpers/job-specs.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/service.js";
import { startWorkerProcess, type WorkerProcess } from "../../test/helpers/worker-process.js";

export interface LoadOptions {
  jobs: number;
  clients: number;
  workers: number;
  pollers: number;
  /** Milliseconds each poller waits between two requests. */
  pollIntervalMs: number;
  /** Length of each steps/s measurement (without pollers, then with). */
  windowMs: number;
  db: "sqlite" | "postgres";
  drainTimeoutMs: number;
  log(line: string): void;
}

export const DEFAULT_LOAD: Omit<LoadOptions, "log"> = { jobs: 1000, clients: 50, workers: 3, pollers: 200, pollIntervalMs: 100, windowMs: 15_000, db: "sqlite", drainTimeoutMs: 30 * 60_000 };

export interface Latency {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export interface SubmitReport {
  submitted: number;
  accepted: number;
  /** Answers other than 202, by status (or the network error). */
  rejected: Record<string, number>;
  latencyMs: Latency;
  submitSeconds: number;
  requestsPerSecond: number;
  drainSeconds: number;
  /** Job rows in the database: should equal `accepted`. */
  jobRows: number;
  /** Accepted ids with no row (lost) and rows nobody was told about (duplicates or unacknowledged). */
  lost: number;
  extra: number;
  /** Jobs whose status history holds exactly one terminal status. */
  endedOnce: number;
  statuses: Record<string, number>;
  metricRowsExpected: number;
  metricRowsFound: number;
  /** Jobs whose metric rows are not exactly steps 1..total_steps. */
  jobsWithBadMetrics: number;
}

export interface PollReport {
  pollers: number;
  trainingJobs: number;
  requests: number;
  errors: number;
  latencyMs: Latency;
  stepsPerSecondAlone: number;
  stepsPerSecondPolled: number;
}

export function latency(samples: number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] : 0);
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] ?? 0 };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TERMINAL = ["succeeded", "failed", "cancelled"];

interface Service {
  config: Config;
  db: Db;
  database: TestDatabase;
  api: ApiProcess;
  workers: WorkerProcess[];
}

async function startService(opts: LoadOptions): Promise<Service> {
  const database = await createTestDatabase(opts.db);
  const config = loadConfig({ ...process.env, DATABASE_URL: database.url, DATA_DIR: database.dataDir, QUEUE_PREFIX: `ty-load-${randomBytes(4).toString("hex")}`, LOG_LEVEL: "warn" });
  await applyMigrations(config.databaseUrl);
  const db = createDb(config.databaseUrl);
  await tuneSqlite(db, config.databaseUrl);
  // The run measures the service, not its per-tenant limits: every job is the default tenant's.
  const api = await startApiProcess(config, await freePort(), { RATE_LIMIT_MAX: "100000000", QUOTA_QUEUED_JOBS: String(opts.jobs + 100) });
  const workers = Array.from({ length: opts.workers }, () => startWorkerProcess(config, { STALLED_INTERVAL_MS: "30000" }));
  return { config, db, database, api, workers };
}

async function stopService(s: Service): Promise<void> {
  for (const p of [...s.workers.map((w) => w.process), s.api.process]) if (p.exitCode === null && p.signalCode === null) p.kill("SIGTERM");
  await Promise.all([...s.workers.map((w) => w.exited), s.api.exited]);
  await s.db.$disconnect();
  await s.database.drop();
}

async function submitAll(s: Service, opts: LoadOptions): Promise<{ ids: string[]; samples: number[]; rejected: Record<string, number>; seconds: number }> {
  const ids: string[] = [];
  const samples: number[] = [];
  const rejected: Record<string, number> = {};
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: opts.clients }, async () => {
    for (let i = next++; i < opts.jobs; i = next++) {
      const t = performance.now();
      try {
        const res = await fetch(`${s.api.base}/v1/jobs`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(tinyJob(i)) });
        const body = (await res.json()) as { id?: string };
        samples.push(performance.now() - t);
        if (res.status === 202 && body.id) ids.push(body.id);
        else rejected[res.status] = (rejected[res.status] ?? 0) + 1;
      } catch (err) {
        const key = (err as Error).message;
        rejected[key] = (rejected[key] ?? 0) + 1;
      }
    }
  }));
  return { ids, samples, rejected, seconds: (performance.now() - started) / 1000 };
}

/** The database is this run's own: waits until none of its jobs is unfinished. */
async function waitUntilEnded(db: Db, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const unfinished = await db.job.count({ where: { status: { notIn: TERMINAL } } });
    if (unfinished === 0) return;
    if (Date.now() > deadline) throw new Error(`${unfinished} jobs had not ended after ${timeoutMs} ms`);
    await sleep(250);
  }
}

/** Exactly once, from the database: rows vs accepted ids, terminal statuses per job, metric rows per job. */
async function audit(db: Db, ids: string[]): Promise<Pick<SubmitReport, "jobRows" | "lost" | "extra" | "endedOnce" | "statuses" | "metricRowsExpected" | "metricRowsFound" | "jobsWithBadMetrics">> {
  const rows = await db.job.findMany({ select: { id: true, status: true, totalSteps: true } });
  const accepted = new Set(ids);
  const rowIds = new Set(rows.map((r) => r.id));
  const statuses: Record<string, number> = {};
  for (const r of rows) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  const events = await db.event.findMany({ where: { type: "status" }, select: { jobId: true, data: true } });
  const terminalCount = new Map<string, number>();
  for (const e of events) if (TERMINAL.includes((e.data as { status: string }).status)) terminalCount.set(e.jobId, (terminalCount.get(e.jobId) ?? 0) + 1);
  const metrics = await db.metric.groupBy({ by: ["jobId"], _count: { _all: true }, _min: { step: true }, _max: { step: true } });
  const byJob = new Map(metrics.map((m) => [m.jobId, m]));
  let bad = 0;
  let found = 0;
  for (const r of rows) {
    const m = byJob.get(r.id);
    found += m?._count._all ?? 0;
    // (job, step) is unique, so count = total with min 1 and max total means exactly steps 1..total.
    const complete = m ? m._count._all === r.totalSteps && m._min.step === 1 && m._max.step === r.totalSteps : r.totalSteps === 0;
    if (r.status === "succeeded" && !complete) bad++;
  }
  return {
    jobRows: rows.length,
    lost: ids.filter((id) => !rowIds.has(id)).length,
    extra: rows.filter((r) => !accepted.has(r.id)).length,
    endedOnce: rows.filter((r) => terminalCount.get(r.id) === 1).length,
    statuses,
    metricRowsExpected: rows.filter((r) => r.status === "succeeded").reduce((n, r) => n + r.totalSteps, 0),
    metricRowsFound: found,
    jobsWithBadMetrics: bad,
  };
}

async function stepsPerSecond(db: Db, ids: string[], windowMs: number): Promise<number> {
  const count = () => db.metric.count({ where: { jobId: { in: ids } } });
  const before = await count();
  const t = performance.now();
  await sleep(windowMs);
  const after = await count();
  return (after - before) / ((performance.now() - t) / 1000);
}

async function pollWhileTraining(s: Service, opts: LoadOptions): Promise<PollReport> {
  const ids: string[] = [];
  for (let i = 0; i < opts.workers; i++) {
    const res = await fetch(`${s.api.base}/v1/jobs`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(longIrisJob(5_000)) });
    ids.push(((await res.json()) as { id: string }).id);
  }
  // Every long job running and past its first flush before anything is measured.
  for (;;) {
    const running = await s.db.job.count({ where: { id: { in: ids }, status: "running", step: { gt: 0 } } });
    if (running === ids.length) break;
    await sleep(200);
  }
  opts.log(`  ${ids.length} training jobs running; measuring steps/s alone for ${opts.windowMs / 1000} s`);
  const alone = await stepsPerSecond(s.db, ids, opts.windowMs);

  let stop = false;
  let errors = 0;
  const samples: number[] = [];
  const pollers = Array.from({ length: opts.pollers }, async (_, i) => {
    const id = ids[i % ids.length];
    let after = 0;
    while (!stop) {
      const t = performance.now();
      try {
        const res = await fetch(`${s.api.base}/v1/jobs/${id}/metrics?after=${after}&limit=1000`);
        const body = (await res.json()) as { next_after?: number };
        samples.push(performance.now() - t);
        if (res.status === 200) after = body.next_after ?? after;
        else errors++;
      } catch {
        errors++;
      }
      await sleep(opts.pollIntervalMs);
    }
  });
  await sleep(Math.min(2_000, opts.windowMs)); // pollers catch up with the rows already there
  samples.length = 0;
  opts.log(`  ${opts.pollers} pollers running; measuring steps/s with them for ${opts.windowMs / 1000} s`);
  const polled = await stepsPerSecond(s.db, ids, opts.windowMs);
  const measured = [...samples];
  stop = true;
  await Promise.all(pollers);
  for (const id of ids) await fetch(`${s.api.base}/v1/jobs/${id}/cancel`, { method: "POST" });
  await waitUntilEnded(s.db, 120_000);
  return { pollers: opts.pollers, trainingJobs: ids.length, requests: measured.length, errors, latencyMs: latency(measured), stepsPerSecondAlone: alone, stepsPerSecondPolled: polled };
}

export async function runLoad(opts: LoadOptions): Promise<{ submit: SubmitReport; poll: PollReport | null }> {
  const s = await startService(opts);
  try {
    opts.log(`service up: API ${s.api.base}, ${opts.workers} workers, ${opts.db}, prefix ${s.config.queuePrefix}`);
    const started = performance.now();
    const sent = await submitAll(s, opts);
    opts.log(`  ${sent.ids.length} of ${opts.jobs} accepted in ${sent.seconds.toFixed(1)} s; waiting for the queue to drain`);
    await waitUntilEnded(s.db, opts.drainTimeoutMs);
    const drainSeconds = (performance.now() - started) / 1000;
    const submit: SubmitReport = {
      submitted: opts.jobs,
      accepted: sent.ids.length,
      rejected: sent.rejected,
      latencyMs: latency(sent.samples),
      submitSeconds: sent.seconds,
      requestsPerSecond: sent.samples.length / sent.seconds,
      drainSeconds,
      ...(await audit(s.db, sent.ids)),
    };
    const poll = opts.pollers > 0 ? await pollWhileTraining(s, opts) : null;
    return { submit, poll };
  } finally {
    await stopService(s);
  }
}
