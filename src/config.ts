// Service configuration, read once from the environment. Every variable is documented in README.md.
export interface Config {
  databaseUrl: string;
  redisUrl: string;
  port: number;
  host: string;
  workerConcurrency: number;
  dataDir: string;
  logLevel: string;
  /** Prefix of every BullMQ key in Redis, so that several deployments (or test runs) share one Redis. */
  queuePrefix: string;
  /** Largest data set upload accepted, in bytes. */
  maxUploadBytes: number;
  /** How often a worker looks for jobs whose lock expired (a worker that died), in milliseconds. */
  stalledIntervalMs: number;
  /** Retries of a job after its worker died or it failed for a reason other than its own spec. */
  jobAttempts: number;
  /** How long a worker waits out a database outage (holding metrics, retrying) before handing its job back to the queue. */
  dbRetryMs: number;
  /** Most metric rows a worker holds in memory while the database is unreachable; training waits beyond. */
  metricsHoldRows: number;
  /** How often the reconciler re-enqueues jobs the database says are queued or running but the queue has lost. */
  reconcileIntervalMs: number;
  /** How long a worker stopped with SIGTERM waits for its jobs to checkpoint before it exits anyway. */
  shutdownGraceMs: number;
}

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = env.DATA_DIR || "./data";
  return {
    dataDir,
    databaseUrl: env.DATABASE_URL || `file:${dataDir}/trainyard.db`,
    redisUrl: env.REDIS_URL || "redis://127.0.0.1:6379",
    port: positiveInt("PORT", env.PORT, 3000),
    host: env.HOST || "0.0.0.0",
    workerConcurrency: positiveInt("WORKER_CONCURRENCY", env.WORKER_CONCURRENCY, 1),
    logLevel: env.LOG_LEVEL || "info",
    queuePrefix: env.QUEUE_PREFIX || "trainyard",
    maxUploadBytes: positiveInt("MAX_UPLOAD_BYTES", env.MAX_UPLOAD_BYTES, 256 * 1024 * 1024),
    stalledIntervalMs: positiveInt("STALLED_INTERVAL_MS", env.STALLED_INTERVAL_MS, 30_000),
    jobAttempts: positiveInt("JOB_ATTEMPTS", env.JOB_ATTEMPTS, 5),
    dbRetryMs: positiveInt("DB_RETRY_MS", env.DB_RETRY_MS, 300_000),
    metricsHoldRows: positiveInt("METRICS_HOLD_ROWS", env.METRICS_HOLD_ROWS, 100_000),
    reconcileIntervalMs: positiveInt("RECONCILE_INTERVAL_MS", env.RECONCILE_INTERVAL_MS, 60_000),
    shutdownGraceMs: positiveInt("SHUTDOWN_GRACE_MS", env.SHUTDOWN_GRACE_MS, 30_000),
  };
}

/** The URL with any password replaced, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return url;
  }
}
