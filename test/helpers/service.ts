// Test harness: a real database (SQLite file or a fresh PostgreSQL database, chosen by TEST_DB),
// migrated by the service's own start-up code, a BullMQ queue under a prefix of its own on the real
// Redis, and the Fastify app. Everything is removed again in cleanup().
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import type { FastifyInstance } from "fastify";
import { buildApp } from "../../src/api/app.js";
import { loadConfig, type Config } from "../../src/config.js";
import { TrainingQueue } from "../../src/queue/training-queue.js";
import { createDb, tuneSqlite, type Db } from "../../src/store/db.js";
import { applyMigrations } from "../../src/store/migrate.js";

export const TEST_DB = process.env.TEST_DB === "postgres" ? "postgres" : "sqlite";
const PG_ADMIN_URL = process.env.TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase {
  url: string;
  dataDir: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(kind: "sqlite" | "postgres" = TEST_DB): Promise<TestDatabase> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "trainyard-test-"));
  if (kind === "sqlite") {
    return { url: `file:${dataDir}/trainyard.db`, dataDir, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const name = `trainyard_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    dataDir,
    drop: async () => {
      const client = new pg.Client({ connectionString: PG_ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface TestService {
  config: Config;
  db: Db;
  queue: TrainingQueue;
  app: FastifyInstance;
  cleanup(): Promise<void>;
}

export interface TestServiceOptions {
  /** The database kind, whatever TEST_DB says. */
  db?: "sqlite" | "postgres";
  /** The URL the service uses for its database (e.g. through a proxy); the test's own set-up uses the real one. */
  databaseUrl?: (url: string) => string;
}

export async function startTestService(env: Record<string, string> = {}, options: TestServiceOptions = {}): Promise<TestService> {
  const database = await createTestDatabase(options.db);
  const config = loadConfig({
    DATABASE_URL: options.databaseUrl ? options.databaseUrl(database.url) : database.url,
    DATA_DIR: database.dataDir,
    QUEUE_PREFIX: `ty-test-${randomBytes(4).toString("hex")}`,
    LOG_LEVEL: "warn",
    ...env,
  });
  await applyMigrations(config.databaseUrl);
  const db = createDb(config.databaseUrl);
  await tuneSqlite(db, config.databaseUrl);
  const queue = new TrainingQueue(config);
  const app = await buildApp({ config, db, queue }, { logger: false });
  await app.ready();
  return {
    config,
    db,
    queue,
    app,
    cleanup: async () => {
      await app.close();
      await queue.queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      await db.$disconnect();
      await database.drop();
    },
  };
}
