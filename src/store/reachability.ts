// Start-up checks: is the database / Redis there? Each failure becomes one line that says which URL
// and how to start one, and the process exits instead of retrying forever.
import pg from "pg";
import { Redis } from "ioredis";
import { redactUrl } from "../config.js";
import { providerOf } from "./provider.js";

export class UnreachableError extends Error {}

export async function checkDatabase(databaseUrl: string, timeoutMs = 5_000): Promise<void> {
  if (providerOf(databaseUrl) === "sqlite") return; // embedded: created on first use
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query("SELECT 1");
  } catch (err) {
    throw new UnreachableError(
      `cannot reach PostgreSQL at ${redactUrl(databaseUrl)} (DATABASE_URL): ${(err as Error).message || String(err)}. ` +
        `Start one (e.g. \`docker compose up -d postgres\` or \`pg_ctlcluster <version> main start\`) or unset DATABASE_URL to use the embedded SQLite database.`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function checkRedis(redisUrl: string, timeoutMs = 5_000): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  let cause: Error | null = null;
  redis.on("error", (err: Error) => (cause ??= err)); // the connection's own error says more than "Connection is closed"
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new UnreachableError(
      `cannot reach Redis at ${redactUrl(redisUrl)} (REDIS_URL): ${(cause ?? (err as Error)).message || String(err)}. ` +
        `Start one (e.g. \`redis-server --daemonize yes\` or \`docker compose up -d redis\`).`,
    );
  } finally {
    redis.disconnect();
  }
}
