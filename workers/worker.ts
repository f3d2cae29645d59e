// `npm run worker`: one worker process (WORKER_CONCURRENCY jobs at once). Scale out by starting more,
// on any machine that reaches the same Redis and database.
import { startReconciler } from "../src/queue/reconciler.js";
import { TrainingQueue } from "../src/queue/training-queue.js";
import { startWorker } from "../src/queue/worker.js";
import { onShutdown, startUp } from "../src/startup.js";

const { config, db, log } = await startUp({ migrate: false, name: "worker" });
const handle = startWorker(config, db, log);
// Workers reconcile too, so that jobs the queue lost come back even while no API process runs.
const queue = new TrainingQueue(config);
const reconciler = startReconciler(db, queue, log, config.reconcileIntervalMs);
log.info({ concurrency: config.workerConcurrency, prefix: config.queuePrefix }, "worker ready");
onShutdown(log, async () => {
  reconciler.stop();
  await handle.shutdown();
  await queue.close();
  await db.$disconnect();
});
