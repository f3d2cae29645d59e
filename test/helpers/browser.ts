// The dashboard in a real browser for end-to-end tests: the Vite bundle built (again, when web/ changed
// since the last build) and Debian's headless Chromium driven by playwright-core.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { DASHBOARD_DIR } from "../../src/api/dashboard.js";

const root = path.resolve(import.meta.dirname, "../..");
export const CHROMIUM = "/usr/bin/chromium";

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Runs `npm run build:web` unless dist/web is newer than every file of web/. */
export function ensureDashboardBuilt(): void {
  const index = path.join(DASHBOARD_DIR, "index.html");
  if (existsSync(index) && statSync(index).mtimeMs >= newestMtime(path.join(root, "web"))) return;
  execFileSync(process.execPath, [path.join(root, "node_modules/vite/bin/vite.js"), "build", "--config", "web/vite.config.ts"], { cwd: root, stdio: "pipe" });
}

/** Headless Chromium without sandbox, GPU or any background traffic (the machine has no network). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the dashboard tests need Debian's chromium (apt-get install -y --no-install-recommends chromium; .ci/run installs it)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}
