// Applies pending migrations at start (`prisma migrate deploy` for the provider DATABASE_URL names),
// through the project's CLI wrapper so that the offline WebAssembly engine and its workarounds
// (prisma.config.ts, scripts/prisma-preload.cjs) are used. Idempotent: nothing pending, nothing done.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import Database from "better-sqlite3";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { redactUrl } from "../config.js";
import { providerOf, sqliteFile } from "./provider.js";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..").replace(/[\\/]dist$/, "");

/**
 * Whether an SQLite database already has every migration of prisma/sqlite/migrations, read without
 * a write lock: the migration engine's first step writes, and fails rather than waits while workers
 * write (an API restarted beside running workers). Nothing pending, nothing to run.
 */
function sqliteUpToDate(file: string): boolean {
  if (!existsSync(file)) return false;
  const folder = path.join(projectRoot, "prisma", "sqlite", "migrations");
  const wanted = readdirSync(folder, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  const db = new Database(file, { readonly: true, fileMustExist: true, timeout: 10_000 });
  try {
    const applied = db.prepare("SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL").all() as { migration_name: string }[];
    const done = new Set(applied.map((r) => r.migration_name));
    return wanted.every((name) => done.has(name));
  } catch {
    return false; // no migrations table yet
  } finally {
    db.close();
  }
}

export async function applyMigrations(databaseUrl: string, timeoutMs = 120_000): Promise<void> {
  const provider = providerOf(databaseUrl);
  if (provider === "sqlite") {
    mkdirSync(path.dirname(sqliteFile(databaseUrl)), { recursive: true });
    if (sqliteUpToDate(sqliteFile(databaseUrl))) return;
  }
  const cli = path.join(projectRoot, "node_modules", "prisma", "build", "index.js");
  const preload = path.join(projectRoot, "scripts", "prisma-preload.cjs");
  const url = provider === "sqlite" ? `file:${sqliteFile(databaseUrl)}` : databaseUrl;
  const child = spawn(process.execPath, ["-r", preload, cli, "migrate", "deploy"], {
    cwd: projectRoot,
    env: { ...process.env, DATABASE_URL: url, DB_PROVIDER: provider, CHECKPOINT_DISABLE: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  }).finally(() => clearTimeout(timer));
  if (code !== 0) {
    const reason = output.trim().split("\n").slice(-6).join("\n");
    throw new Error(`applying migrations to ${redactUrl(databaseUrl)} failed (exit ${code}):\n${reason}`);
  }
}
