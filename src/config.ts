// Service configuration, read once from the environment. Every variable is documented in README.md.
export interface Config {
  databaseUrl: string;
  redisUrl: string;
  port: number;
  workerConcurrency: number;
  dataDir: string;
  logLevel: string;
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
    workerConcurrency: positiveInt("WORKER_CONCURRENCY", env.WORKER_CONCURRENCY, 1),
    logLevel: env.LOG_LEVEL || "info",
  };
}
