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
  /** A worker's name in logs and metrics; empty: host:pid. */
  workerId: string;
  /** The admin key (ADMIN_API_KEY) that opens the queue board at /admin/queues; empty: the board is off. */
  adminApiKey: string;
  /** When set, GET /metrics asks for `Authorization: Bearer <token>`; empty: /metrics is open. */
  metricsToken: string;
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
    workerId: env.WORKER_ID || "",
    adminApiKey: env.ADMIN_API_KEY || "",
    metricsToken: env.METRICS_TOKEN || "",
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
