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
  /** Largest JSON request body (model and job definitions), in bytes. */
  maxJsonBodyBytes: number;
  /** What a model may cost, checked from its definition before anything is allocated (src/training/budget.ts). */
  modelLimits: ModelLimits;
  /** How long a worker waits out a database outage (holding metrics, retrying) before handing its job back to the queue. */
  dbRetryMs: number;
  /** Most metric rows a worker holds in memory while the database is unreachable; training waits beyond. */
  metricsHoldRows: number;
  /** How often the reconciler re-enqueues jobs the database says are queued or running but the queue has lost. */
  reconcileIntervalMs: number;
  /** How long a worker stopped with SIGTERM waits for its jobs to checkpoint before it exits anyway. */
  shutdownGraceMs: number;
}

export interface ModelLimits {
  /** Trainable parameters of the whole model. */
  maxParameters: number;
  /** Modules in the model, nested ones included. */
  maxLayers: number;
  /** Nesting of Sequential inside Sequential. */
  maxDepth: number;
  /** Any one size argument (features, channels, kernel, embeddings...). */
  maxDim: number;
  /** Activations of one training step at the job's batch size (outputs kept for backward, and their gradients), and of an evaluation batch. */
  maxActivationBytes: number;
}

/** The environment variable behind each model limit, for messages that name it. */
export const MODEL_LIMIT_VARIABLES: Record<keyof ModelLimits, string> = {
  maxParameters: "MAX_MODEL_PARAMETERS",
  maxLayers: "MAX_MODEL_LAYERS",
  maxDepth: "MAX_MODEL_DEPTH",
  maxDim: "MAX_LAYER_DIM",
  maxActivationBytes: "MAX_ACTIVATION_BYTES",
};

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
    maxJsonBodyBytes: positiveInt("MAX_JSON_BODY_BYTES", env.MAX_JSON_BODY_BYTES, 1024 * 1024),
    modelLimits: loadModelLimits(env),
    dbRetryMs: positiveInt("DB_RETRY_MS", env.DB_RETRY_MS, 300_000),
    metricsHoldRows: positiveInt("METRICS_HOLD_ROWS", env.METRICS_HOLD_ROWS, 100_000),
    reconcileIntervalMs: positiveInt("RECONCILE_INTERVAL_MS", env.RECONCILE_INTERVAL_MS, 60_000),
    shutdownGraceMs: positiveInt("SHUTDOWN_GRACE_MS", env.SHUTDOWN_GRACE_MS, 30_000),
  };
}

export const DEFAULT_MODEL_LIMITS: ModelLimits = {
  maxParameters: 50_000_000,
  maxLayers: 1000,
  maxDepth: 8,
  maxDim: 1_048_576,
  maxActivationBytes: 2 * 1024 ** 3,
};

export function loadModelLimits(env: NodeJS.ProcessEnv = process.env): ModelLimits {
  const limits = { ...DEFAULT_MODEL_LIMITS };
  for (const key of Object.keys(limits) as (keyof ModelLimits)[]) {
    const name = MODEL_LIMIT_VARIABLES[key];
    limits[key] = positiveInt(name, env[name], limits[key]);
  }
  return limits;
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
