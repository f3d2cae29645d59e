// max_running_jobs with real worker processes: two workers are free, but a tenant allowed one running
// job gets its jobs trained one after the other (the second waits in the queue, then succeeds).
import { describe, expect, it } from "vitest";
import { DEFAULT_TENANT_ID } from "../src/store/tenants.js";
import { TEST_DB } from "./helpers/service.js";
import { useLiveService } from "./helpers/live-service.js";

const live = useLiveService();
const { api, untilStatus } = live;

const irisJob = {
  model: { layers: [{ type: "Linear", in_features: 4, out_features: 16 }, { type: "Tanh" }, { type: "Linear", in_features: 16, out_features: 3 }] },
  dataset: { name: "iris" },
  loss: { type: "CrossEntropyLoss" },
  optimizer: { type: "SGD", lr: 0.1 },
  epochs: 10,
  batch_size: 10,
};

describe(`running-jobs quota with real workers (${TEST_DB})`, { timeout: 300_000 }, () => {
  it("trains a tenant's jobs one at a time when its max_running_jobs is 1, though two workers are free", async () => {
    await live.service.db.tenant.update({ where: { id: DEFAULT_TENANT_ID }, data: { maxRunningJobs: 1 } });
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await api("POST", "/v1/jobs", irisJob);
      expect(res.status).toBe(202);
      ids.push(res.body.id);
    }
    live.worker();
    live.worker();
    const done = [await untilStatus(ids[0], ["succeeded", "failed"]), await untilStatus(ids[1], ["succeeded", "failed"])];
    expect(done.map((j) => j.status)).toEqual(["succeeded", "succeeded"]);
    const [first, second] = [...done].sort((a, b) => Date.parse(a.started_at) - Date.parse(b.started_at));
    expect(Date.parse(second.started_at)).toBeGreaterThanOrEqual(Date.parse(first.finished_at));
    expect(second.attempts).toBe(1); // waiting for its turn used up no attempt
  });
});
