// The load script's run with small numbers (npm run load prints the full-size tables): every accepted
// job ends exactly once with every metric row once, and the pollers' requests all succeed. No timing
// is asserted: the machine is shared.
import { describe, expect, it } from "vitest";
import { runLoad } from "../../scripts/load/run.js";
import { TEST_DB } from "../helpers/service.js";

describe(`load: 60 jobs from 10 clients on 2 workers, then 20 pollers (${TEST_DB})`, () => {
  it("every accepted job ends once with all its metrics; pollers get answers", async () => {
    const { submit, poll } = await runLoad({ jobs: 60, clients: 10, workers: 2, pollers: 20, pollIntervalMs: 50, windowMs: 2_000, db: TEST_DB, drainTimeoutMs: 240_000, log: () => undefined });
    expect(submit.rejected).toEqual({});
    expect(submit.accepted).toBe(60);
    expect([submit.jobRows, submit.lost, submit.extra]).toEqual([60, 0, 0]);
    expect(submit.endedOnce).toBe(60);
    expect(submit.statuses).toEqual({ succeeded: 60 });
    expect(submit.metricRowsExpected).toBe(60 * 12);
    expect(submit.metricRowsFound).toBe(submit.metricRowsExpected);
    expect(submit.jobsWithBadMetrics).toBe(0);
    expect(submit.latencyMs.count).toBe(60);
    expect(poll).not.toBeNull();
    expect(poll!.errors).toBe(0);
    expect(poll!.requests).toBeGreaterThan(0);
    expect(poll!.stepsPerSecondAlone).toBeGreaterThan(0);
  }, 300_000);
});
