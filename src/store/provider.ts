// Which database a DATABASE_URL names. A postgresql:// (or postgres://) URL selects PostgreSQL;
// a file: URL selects the embedded SQLite database. prisma.config.ts applies the same rule.
import path from "node:path";

export type Provider = "sqlite" | "postgres";

export function providerOf(databaseUrl: string): Provider {
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return "postgres";
  if (databaseUrl.startsWith("file:")) return "sqlite";
  throw new Error(`DATABASE_URL must start with file: (SQLite) or postgresql:// (PostgreSQL), got "${databaseUrl}"`);
}

/** The SQLite file a file: URL points at, absolute (relative paths are taken from the working directory). */
export function sqliteFile(databaseUrl: string): string {
  return path.resolve(databaseUrl.slice("file:".length).replace(/^\/\/(?=\/)/, ""));
}
