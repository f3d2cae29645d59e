// What the route plugins share: configuration, the database and the queue.
import type { Config } from "../config.js";
import type { TrainingQueue } from "../queue/training-queue.js";
import type { Db } from "../store/db.js";

export interface ApiContext {
  config: Config;
  db: Db;
  queue: TrainingQueue;
}

export interface RouteOptions {
  ctx: ApiContext;
}
