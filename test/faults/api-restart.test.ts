// The API process killed (SIGKILL) and restarted twice while clients submit jobs. Every job a
// client was told about (202) exists once and ends once with all its metrics. Clients resend a
// request whose answer they lost with the same Idempotency-Key. The answer is stored in the
// transaction that creates the job, so a job committed before the kill is replayed to the retry
// (and enqueued by the restarted API's reconciler if the dead one had not), while a request killed
// before its commit left no job, only a reservation that answers 409 until it is abandoned: jobs
// nobody was told about are asserted zero.
import { afterAll, describe, expect, it } from "vitest";
import { startApiProcess, freePort, type ApiProcess } from "../helpers/api-process.js";
import { tinyJob } from "../helpers/job-specs.js";
import { useLiveService } from "../helpers/live-service.js";
import { TEST_DB } from "../helpers/service.js";
import { waitFor } from "../helpers/worker-process.js";
import { statusHistory } from "./jobs.js";

const live = useLiveService();
let api: ApiProcess | null = null;
afterAll(async () => {
  if (api && api.process.exitCode === null && api.process.signalCode === null) api.process.kill("SIGTERM");
  await api?.exited;
});

describe(`the API restarted under load (${TEST_DB})`, () => {
  it("no accepted job is lost or duplicated", async () => {
    const port = await freePort();
    api = await startApiProcess(live.service.config, port);
    live.worker();
    live.worker();
    const accepted: string[] = [];
    let cut = 0; // requests whose answer was lost to a kill
    let stop = false;
    const client = async (c: number) => {
      for (let n = 0; !stop; n++) {
        const body = JSON.stringify(tinyJob(c * 1000 + n));
        for (;;) {
          try {
            const res = await fetch(`http://127.0.0.1:${port}/v1/jobs`, { method: "POST", headers: { "content-type": "application/json", "idempotency-key": `client-${c}-${n}` }, body });
            const json = (await res.json()) as { id: string };
            // 409: the key's first request died with the API before its commit; no job was made.
            if (res.status === 409) break;
            expect(res.status).toBe(202);
            accepted.push(json.id);
            break;
          } catch (err) {
            if ((err as Error).name === "AssertionError") throw err;
            cut++;
            await new Promise((r) => setTimeout(r, 100)); // the API is down: send it again shortly
          }
        }
      }
    };
    const clients = Array.from({ length: 6 }, (_, c) => client(c));
    for (const target of [15, 35]) {
      await waitFor(`${target} accepted jobs`, async () => (accepted.length >= target ? true : undefined), 120_000, 20);
      api.process.kill("SIGKILL");
      await api.exited;
      api = await startApiProcess(live.service.config, port);
    }
    await waitFor("55 accepted jobs", async () => (accepted.length >= 55 ? true : undefined), 120_000, 20);
    stop = true;
    await Promise.all(clients);

    const rows = await live.service.db.job.findMany({ select: { id: true } });
    const rowIds = new Set(rows.map((r) => r.id));
    expect(new Set(accepted).size).toBe(accepted.length);
    expect(accepted.filter((id) => !rowIds.has(id))).toEqual([]);
    expect(rows.length).toBe(accepted.length);
    expect(cut).toBeGreaterThan(0); // the kills did cut requests, so the retries were exercised
    const all = rows.map((r) => r.id);
    await waitFor("every job to end", async () => ((await live.service.db.job.count({ where: { status: { in: ["succeeded", "failed", "cancelled"] } } })) === all.length ? true : undefined), 240_000, 250);
    for (const id of all) {
      const job = await live.job(id);
      expect(job.status).toBe("succeeded");
      expect((await statusHistory(live.service.db, id)).terminal).toEqual(["succeeded"]);
      expect(await live.service.db.metric.count({ where: { jobId: id } })).toBe(job.progress.total_steps);
    }
  });
});
