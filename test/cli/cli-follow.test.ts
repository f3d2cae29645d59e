// `trainyard logs JOB --follow` and `trainyard watch JOB` as child processes against a real API,
// through a recording proxy: they follow the job's event stream (no polling), reopen a cut stream
// where it stopped, and poll when the stream cannot be had at all. Job states and metrics are
// written through the service's own store while the CLI runs; cli-training.test.ts follows a job a
// real worker trains.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJob, finishJob, recordProgress, startAttempt } from "../../src/store/jobs.js";
import { writeMetrics } from "../../src/store/metrics.js";
import { startProxy, type ProxyOptions, type TestProxy } from "../helpers/http-proxy.js";
import { startTestService, TEST_DB, type TestService } from "../helpers/service.js";
import { runCli } from "./run-cli.js";

let service: TestService;
let api: string;
const proxies: TestProxy[] = [];
beforeAll(async () => {
  service = await startTestService();
  api = await service.app.listen({ port: 0, host: "127.0.0.1" });
});
afterAll(async () => {
  for (const proxy of proxies) await proxy.close();
  await service?.cleanup();
});

async function proxy(options: ProxyOptions = {}): Promise<TestProxy> {
  const p = await startProxy(api, options);
  proxies.push(p);
  return p;
}

const row = (step: number) => ({ step, epoch: 1, train_loss: 1 / step, lr: 0.1 });

/** A running job with metric rows 1..steps already written. */
async function runningJob(steps: number) {
  const job = await createJob(service.db, { spec: { epochs: 1, dataset: { name: "iris" } }, modelId: null, datasetId: null, datasetName: "iris", totalSteps: 10 });
  await startAttempt(service.db, job.id);
  await writeMetrics(service.db, job.id, Array.from({ length: steps }, (_, i) => row(i + 1)));
  await recordProgress(service.db, job.id, { epoch: 1, step: steps, latestMetrics: { train_loss: 1 / steps } });
  return job;
}

const jsonLines = (stdout: string) => stdout.trim().split("\n").filter(Boolean).map((line) => JSON.parse(line) as { step?: number; status?: string; error?: string | null });
const paths = (p: TestProxy) => p.requests.map((r) => r.url.split("?")[0]);

describe(`trainyard logs --follow and watch (${TEST_DB})`, { timeout: 120_000 }, () => {
  it("logs --follow prints each row once as it is written, then the final status, from one event stream", async () => {
    const job = await runningJob(3);
    const p = await proxy();
    let stage = 0;
    const result = await runCli(["logs", job.id, "--follow", "--json"], { TRAINYARD_URL: p.url }, undefined, (stdout) => {
      const lines = stdout.split("\n").filter(Boolean).length;
      if (stage === 0 && lines >= 3) {
        stage = 1;
        void writeMetrics(service.db, job.id, [4, 5, 6].map(row));
      } else if (stage === 1 && lines >= 6) {
        stage = 2;
        void finishJob(service.db, job.id, "succeeded");
      }
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe("");
    const lines = jsonLines(result.stdout);
    expect(lines.map((l) => l.step ?? l.status)).toEqual([1, 2, 3, 4, 5, 6, "succeeded"]);
    expect(lines.at(-1)).toEqual({ status: "succeeded", error: null });
    expect(lines[3]).toEqual(row(4));
    // Streamed, not polled: one stream, no metrics pages.
    expect(paths(p).filter((u) => u.endsWith("/events"))).toHaveLength(1);
    expect(paths(p).filter((u) => u.endsWith("/metrics"))).toEqual([]);
  });

  it("watch follows the event stream to the final status: the job read twice, no polling; exit 1 when it fails", async () => {
    const job = await runningJob(2);
    const p = await proxy();
    let finished = false;
    const result = await runCli(["watch", job.id], { TRAINYARD_URL: p.url }, (stderr) => {
      if (!finished && stderr.includes(`job ${job.id} running`)) {
        finished = true;
        void (async () => {
          await writeMetrics(service.db, job.id, [row(3)]);
          await finishJob(service.db, job.id, "failed", "loss became NaN at step 4");
        })();
      }
    });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout.trim()).toBe(`job ${job.id} failed: loss became NaN at step 4 (train_loss 0.5000)`);
    expect(result.stderr.trim().split("\n")).toEqual([`job ${job.id} running`, `job ${job.id} failed`]);
    expect(paths(p).filter((u) => u === `/v1/jobs/${job.id}`)).toHaveLength(2); // before the stream and after it
    expect(paths(p).filter((u) => u.endsWith("/events"))).toHaveLength(1);
  });

  it("reopens a stream cut mid-way where it stopped (Last-Event-ID): nothing missed, nothing twice", async () => {
    const job = await runningJob(3);
    const firstMessage = `id: 0:1\nevent: metric\ndata: ${JSON.stringify(row(1))}\n\n`;
    let streams = 0;
    const p = await proxy({ cutAfterBytes: (req) => (req.url.endsWith("/events") && streams++ === 0 ? Buffer.byteLength(firstMessage) + 10 : undefined) });
    let finished = false;
    const result = await runCli(["logs", job.id, "--follow", "--json"], { TRAINYARD_URL: p.url }, undefined, (stdout) => {
      if (!finished && stdout.split("\n").filter(Boolean).length >= 3) {
        finished = true;
        void finishJob(service.db, job.id, "cancelled");
      }
    });
    expect(result.code, result.stderr).toBe(0);
    expect(jsonLines(result.stdout).map((l) => l.step ?? l.status)).toEqual([1, 2, 3, "cancelled"]);
    const streamRequests = p.requests.filter((r) => r.url.endsWith("/events"));
    expect(streamRequests.map((r) => r.headers["last-event-id"])).toEqual(["0:0", "0:1"]);
    expect(result.stderr).toBe("");
  });

  it("polls instead when the event stream cannot be had (a proxy refuses it)", async () => {
    const refuse = (req: { url: string }) => req.url.endsWith("/events");
    const logsJob = await runningJob(2);
    const p = await proxy({ refuse });
    let wrote = false;
    const logs = await runCli(["logs", logsJob.id, "--follow"], { TRAINYARD_URL: p.url }, (stderr) => {
      if (!wrote && stderr.includes("polling instead")) {
        wrote = true;
        void (async () => {
          await writeMetrics(service.db, logsJob.id, [row(3)]);
          await finishJob(service.db, logsJob.id, "succeeded");
        })();
      }
    });
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stderr.trim()).toMatch(/^event stream unavailable \(GET \/v1\/jobs\/\S+\/events failed with 502: bad gateway\); polling instead$/);
    expect(logs.stdout.trim().split("\n")).toEqual([
      "step 1 epoch 1 train_loss 1 lr 0.1000",
      "step 2 epoch 1 train_loss 0.5000 lr 0.1000",
      "step 3 epoch 1 train_loss 0.3333 lr 0.1000",
      `job ${logsJob.id} succeeded`,
    ]);
    expect(paths(p).filter((u) => u.endsWith("/events"))).toHaveLength(4); // the first try and three more

    const watchJob = await runningJob(1);
    let ended = false;
    const watched = await runCli(["--json", "watch", watchJob.id], { TRAINYARD_URL: p.url }, (stderr) => {
      if (!ended && stderr.includes("polling instead")) {
        ended = true;
        void finishJob(service.db, watchJob.id, "succeeded");
      }
    });
    expect(watched.code, watched.stderr).toBe(0);
    expect(JSON.parse(watched.stdout)).toMatchObject({ id: watchJob.id, status: "succeeded" });
  });
});
