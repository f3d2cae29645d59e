// The Prisma client for the configured provider. Both clients are generated from the same models
// (prisma/models.prisma), so they have the same shape; the SQLite client's type stands for both.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as SqliteClient, type Prisma } from "../generated/sqlite/client.js";
import { PrismaClient as PostgresClient } from "../generated/postgres/client.js";
import { providerOf, sqliteFile } from "./provider.js";

export type Db = InstanceType<typeof SqliteClient>;
/** The client inside an interactive transaction (db.$transaction(async (tx) => ...)). */
export type Tx = Prisma.TransactionClient;

export function createDb(databaseUrl: string): Db {
  if (providerOf(databaseUrl) === "postgres") {
    const adapter = new PrismaPg({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
    return new PostgresClient({ adapter }) as unknown as Db;
  }
  const file = sqliteFile(databaseUrl);
  mkdirSync(path.dirname(file), { recursive: true });
  // WAL lets the API read while a worker process writes; busy_timeout makes writers wait for each
  // other instead of failing with SQLITE_BUSY.
  const adapter = new PrismaBetterSQLite3({ url: `file:${file}`, timeout: 10_000 });
  const db = new SqliteClient({ adapter });
  return db;
}

/** SQLite settings that are per database file, applied once at start. */
export async function tuneSqlite(db: Db, databaseUrl: string): Promise<void> {
  if (providerOf(databaseUrl) !== "sqlite") return;
  await db.$queryRawUnsafe("PRAGMA journal_mode = WAL");
}
