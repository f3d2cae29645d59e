// Loaded into the Prisma CLI with `node -r ./scripts/prisma-preload.cjs node_modules/prisma/build/index.js`.
// - No telemetry/update check: nothing outside this machine can be reached.
// - Prisma 6.19's WebAssembly schema engine arms timers (10 s on PostgreSQL, 60 s otherwise) that it
//   never clears, and the CLI does not exit on success, so a finished command would linger until
//   they fire. Timers created from wasm:// frames are unref'd so they cannot hold the process open.
process.env.CHECKPOINT_DISABLE ??= "1";
const setTimeoutFromNode = globalThis.setTimeout;
globalThis.setTimeout = function setTimeoutUnrefFromWasm(callback, ms, ...args) {
  const timer = setTimeoutFromNode(callback, ms, ...args);
  if (typeof timer?.unref === "function" && /wasm:\/\//.test(new Error().stack ?? "")) timer.unref();
  return timer;
};
