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
  /** When set, GET /metrics asks for `Authorization: Bearer <token>`; empty: /metrics is open. */
  metricsToken: string;
  /** The admin key (tenants and their keys); null = single-user mode, no API key needed. */
  adminApiKey: string | null;
  /** Per-tenant quotas, unless the tenant was created with its own. */
  quotaRunningJobs: number;
  quotaQueuedJobs: number;
  quotaStoredBytes: number;
  /** Requests per tenant (or per IP before authentication) within rateLimitWindowMs, on /v1. */
  rateLimitMax: number;
  rateLimitWindowMs: number;
  /** How long a stored response is replayed for the same Idempotency-Key. */
  idempotencyTtlSeconds: number;
}

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

/** A short admin key would be guessable: at least 16 characters, or unset. */
function adminKey(raw: string | undefined): string | null {
  if (raw === undefined || raw === "") return null;
  if (raw.length < 16) throw new Error(`ADMIN_API_KEY must be at least 16 characters (use a long random string), got ${raw.length}`);
  return raw;
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
    metricsToken: env.METRICS_TOKEN || "",
    adminApiKey: adminKey(env.ADMIN_API_KEY),
    quotaRunningJobs: positiveInt("QUOTA_RUNNING_JOBS", env.QUOTA_RUNNING_JOBS, 4),
    quotaQueuedJobs: positiveInt("QUOTA_QUEUED_JOBS", env.QUOTA_QUEUED_JOBS, 100),
    quotaStoredBytes: positiveInt("QUOTA_STORED_BYTES", env.QUOTA_STORED_BYTES, 10 * 1024 ** 3),
    rateLimitMax: positiveInt("RATE_LIMIT_MAX", env.RATE_LIMIT_MAX, 3000),
    rateLimitWindowMs: positiveInt("RATE_LIMIT_WINDOW_MS", env.RATE_LIMIT_WINDOW_MS, 60_000),
    idempotencyTtlSeconds: positiveInt("IDEMPOTENCY_TTL_SECONDS", env.IDEMPOTENCY_TTL_SECONDS, 24 * 3600),
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
