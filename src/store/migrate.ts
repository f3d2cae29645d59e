// Applies pending migrations at start (`prisma migrate deploy` for the provider DATABASE_URL names),
// through the project's CLI wrapper so that the offline WebAssembly engine and its workarounds
// (prisma.config.ts, scripts/prisma-preload.cjs) are used. Idempotent: nothing pending, nothing done.
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { redactUrl } from "../config.js";
import { providerOf, sqliteFile } from "./provider.js";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..").replace(/[\\/]dist$/, "");

export async function applyMigrations(databaseUrl: string, timeoutMs = 120_000): Promise<void> {
  const provider = providerOf(databaseUrl);
  if (provider === "sqlite") mkdirSync(path.dirname(sqliteFile(databaseUrl)), { recursive: true });
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
