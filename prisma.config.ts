// Prisma CLI configuration (generate, migrate). Prisma 6.19 cannot download its native schema engine
// here, so the CLI runs its WebAssembly engine through a driver adapter (experimental.adapter,
// engine "js"). The provider follows DATABASE_URL exactly as the service does (src/store/provider.ts):
// a postgresql:// URL selects prisma/postgres, anything else prisma/sqlite. DB_PROVIDER=postgres
// and DB_PROVIDER=sqlite choose
// the provider explicitly (`prisma generate` needs no database).
import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { parse as parsePgUrl } from "pg-connection-string";

const url = process.env.DATABASE_URL ?? `file:${process.env.DATA_DIR || "./data"}/trainyard.db`;
const provider = process.env.DB_PROVIDER || (/^postgres(ql)?:\/\//.test(url) ? "postgres" : "sqlite");
if (provider !== "sqlite" && provider !== "postgres") throw new Error(`DB_PROVIDER must be sqlite or postgres, got "${provider}"`);

// Workaround 1: the better-sqlite3 adapter of 6.19 replays earlier migrations on the shadow database
// through executeRaw, which runs one statement only; a migration script has many. Raw commands without
// parameters are sent to executeScript instead.
class ShadowSafeSQLite extends PrismaBetterSQLite3 {
  override async connectToShadowDb() {
    const shadow = await super.connectToShadowDb();
    const executeOne = shadow.executeRaw.bind(shadow);
    shadow.executeRaw = async (query) => {
      if (query.args.length > 0) return executeOne(query);
      await shadow.executeScript(query.sql);
      return 0;
    };
    return shadow;
  }
}

// Workaround 2: adapter-pg 6.19 cannot decode PostgreSQL's `name`/`char` column types (oids 19, 18),
// which the schema engine reads from pg_catalog; report them as text (oid 25). Applied to
// transactions started from the adapter too.
type Queryable = {
  performIO?: (query: unknown) => Promise<{ fields?: { dataTypeID: number }[] }>;
  startTransaction?: (...args: unknown[]) => Promise<unknown>;
};
function decodeNameColumnsAsText<T>(adapter: T): T {
  const target = adapter as unknown as Queryable;
  const performIO = target.performIO!.bind(target);
  target.performIO = async (query) => {
    const result = await performIO(query);
    for (const field of result?.fields ?? []) if (field.dataTypeID === 19 || field.dataTypeID === 18) field.dataTypeID = 25;
    return result;
  };
  const startTransaction = target.startTransaction?.bind(target);
  if (startTransaction) target.startTransaction = async (...args) => decodeNameColumnsAsText(await startTransaction(...args));
  return adapter;
}

// Workaround 3: adapter-pg 6.19's connectToShadowDb drops the shadow database while its own pool is
// still connected, and with a connectionString its shadow pool points at the main database. This one
// creates the shadow database from the main connection, connects a separate pool to it, and drops it
// only after that pool is closed.
type PgPoolConfig = Exclude<ConstructorParameters<typeof PrismaPg>[0], import("pg").Pool>;
class ShadowSafePg extends PrismaPg {
  constructor(private readonly poolConfig: PgPoolConfig) {
    super(poolConfig);
  }
  override async connect() {
    return decodeNameColumnsAsText(await super.connect());
  }
  override async connectToShadowDb() {
    const main = await this.connect();
    const shadowName = `prisma_migrate_shadow_db_${globalThis.crypto.randomUUID()}`;
    await main.executeScript(`CREATE DATABASE "${shadowName}"`);
    const shadow = await new PrismaPg({ ...this.poolConfig, database: shadowName }).connect();
    const closeShadow = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      await closeShadow();
      await main.executeScript(`DROP DATABASE IF EXISTS "${shadowName}"`);
      await main.dispose();
    };
    return decodeNameColumnsAsText(shadow);
  }
}

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", provider),
  migrations: { path: path.join("prisma", provider, "migrations") },
  async adapter() {
    if (provider === "postgres") {
      // Discrete fields rather than connectionString: the shadow pool is built as { ...config, database },
      // and pg would let a connectionString override `database`.
      return new ShadowSafePg({ ...(parsePgUrl(url) as PgPoolConfig), allowExitOnIdle: true });
    }
    return new ShadowSafeSQLite({ url });
  },
});
