// `npm run worker`: one worker process (WORKER_CONCURRENCY jobs at once). Scale out by starting more,
// on any machine that reaches the same Redis and database.
import { startWorker } from "../src/queue/worker.js";
import { onShutdown, startUp } from "../src/startup.js";

const { config, db, log } = await startUp({ migrate: false, name: "worker" });
const handle = startWorker(config, db, log);
log.info({ concurrency: config.workerConcurrency, prefix: config.queuePrefix }, "worker ready");
onShutdown(log, async () => {
  await handle.shutdown();
  await db.$disconnect();
});
