// `npm start` (mode "all": migrations, API and one worker in this process; training itself runs in
// the worker's sandboxed child processes) and `npm run api` (mode "api").
import { buildApp } from "./api/app.js";
import { startReconciler } from "./queue/reconciler.js";
import { TrainingQueue } from "./queue/training-queue.js";
import { startWorker } from "./queue/worker.js";
import { onShutdown, startUp } from "./startup.js";

const mode = process.argv[2] ?? "all";
if (mode !== "all" && mode !== "api") {
  console.error(`usage: main.ts all|api (got "${mode}"); the worker alone is workers/worker.ts`);
  process.exit(2);
}

const { config, db, log } = await startUp({ migrate: true, name: mode });
const queue = new TrainingQueue(config);
const app = await buildApp({ config, db, queue });
await app.listen({ port: config.port, host: config.host });
const worker = mode === "all" ? startWorker(config, db, log) : null;
// Jobs the queue lost (Redis restarted, or this process died between writing a job and enqueueing it).
const reconciler = startReconciler(db, queue, log, config.reconcileIntervalMs);
log.info({ port: config.port, worker: Boolean(worker) }, "trainyard ready");

onShutdown(log, async () => {
  reconciler.stop();
  await app.close();
  await worker?.shutdown();
  await queue.close();
  await db.$disconnect();
});
