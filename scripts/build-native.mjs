#!/usr/bin/env node
// Builds the native kernels addon (native/binding.gyp) with npm's own node-gyp against this Node's
// headers. Run by `npm install`/`npm ci` (the package's "install" script) and by `npm run build:native`.
//
// A failed build never fails the install: the engine then runs on its TypeScript backend and says so
// once at startup. `--strict` (used by `npm run build:native`) makes a failure exit non-zero instead.
// TRAINYARD_SKIP_NATIVE=1 skips the build altogether.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const nativeDir = join(root, "native");
const strict = process.argv.includes("--strict");

function finish(ok, message) {
  if (ok) {
    console.log(`trainyard: ${message}`);
    process.exit(0);
  }
  console.warn(`trainyard: ${message}`);
  console.warn("trainyard: the engine will use its TypeScript backend (run `npm run build:native` to retry).");
  process.exit(strict ? 1 : 0);
}

if (process.env.TRAINYARD_SKIP_NATIVE === "1") finish(true, "native addon build skipped (TRAINYARD_SKIP_NATIVE=1)");
if (process.platform === "win32") finish(false, "the native addon is built on Linux and macOS only");

// npm exports the path of its bundled node-gyp to scripts it runs; otherwise look next to npm itself.
function findNodeGyp() {
  const candidates = [];
  if (process.env.npm_config_node_gyp) candidates.push(process.env.npm_config_node_gyp);
  const prefix = resolve(dirname(process.execPath), "..");
  candidates.push(join(prefix, "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js"));
  candidates.push(join(dirname(process.execPath), "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js"));
  try {
    candidates.push(createRequire(import.meta.url).resolve("node-gyp/bin/node-gyp.js"));
  } catch {
    // not installed locally; the candidates above cover npm's bundled copy
  }
  return candidates.find((p) => existsSync(p));
}

// Use the headers installed with this Node (e.g. /usr/include/node) so that nothing is downloaded.
function localNodeDir() {
  const prefix = resolve(dirname(process.execPath), "..");
  return existsSync(join(prefix, "include", "node", "node_api.h")) ? prefix : undefined;
}

const nodeGyp = findNodeGyp();
if (!nodeGyp) finish(false, "node-gyp not found; native addon not built");

const args = [nodeGyp, "rebuild", "--release", `--jobs=${process.env.TRAINYARD_BUILD_JOBS ?? "2"}`];
const nodedir = process.env.npm_config_nodedir || localNodeDir();
if (nodedir) args.push(`--nodedir=${nodedir}`);

console.log(`trainyard: building the native kernels (${nodedir ? `headers from ${nodedir}` : "node-gyp's headers"})...`);
const started = Date.now();
const result = spawnSync(process.execPath, args, { cwd: nativeDir, stdio: "inherit", env: process.env });
const addon = join(nativeDir, "build", "Release", "trainyard_native.node");
if (result.status === 0 && existsSync(addon)) {
  finish(true, `native kernels built in ${((Date.now() - started) / 1000).toFixed(0)} s (${addon})`);
}
finish(false, `native addon build failed (${result.error ? result.error.message : `exit ${result.status}`})`);
