// Process start-up shared by `npm start`, `npm run api` and `npm run worker`: check that the database
// and Redis answer (one clear line and exit 1 if not), apply migrations where asked, open connections.
import pino, { type Logger } from "pino";
import { loadConfig, type Config } from "./config.js";
import { createDb, tuneSqlite, type Db } from "./store/db.js";
import { applyMigrations } from "./store/migrate.js";
import { checkDatabase, checkRedis, UnreachableError } from "./store/reachability.js";

export interface Started {
  config: Config;
  db: Db;
  log: Logger;
}

export async function startUp(options: { migrate: boolean; name: string }): Promise<Started> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    console.error(`trainyard: ${(err as Error).message}`);
    process.exit(1);
  }
  const log = pino({ level: config.logLevel, name: options.name });
  try {
    await checkDatabase(config.databaseUrl);
    await checkRedis(config.redisUrl);
    if (options.migrate) await applyMigrations(config.databaseUrl);
  } catch (err) {
    console.error(`trainyard: ${(err as Error).message}`);
    if (!(err instanceof UnreachableError)) console.error("(no database change was made past the last complete migration)");
    process.exit(1);
  }
  const db = createDb(config.databaseUrl);
  await tuneSqlite(db, config.databaseUrl);
  return { config, db, log };
}

/** Runs `stop` once on SIGTERM/SIGINT, then exits. */
export function onShutdown(log: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, "shutting down");
      stop().then(
        () => process.exit(0),
        (err) => {
          log.error({ err }, "shutdown failed");
          process.exit(1);
        },
      );
    });
  }
}
