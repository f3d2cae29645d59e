// The CLI as users run it: a child process talking over HTTP to a real API (real database and Redis,
// its own queue prefix). Job states, metrics and checkpoints are written through the service's own
// store so that these tests need no training; test/cli/cli-training.test.ts trains for real.
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { saveCheckpoint } from "../../src/store/checkpoints.js";
import { createJob, finishJob, recordProgress, startAttempt } from "../../src/store/jobs.js";
import { writeMetrics } from "../../src/store/metrics.js";
import { startTestService, TEST_DB, type TestService } from "../helpers/service.js";
import { runCli } from "./run-cli.js";

let service: TestService;
let env: Record<string, string>;
let dir: string;
beforeAll(async () => {
  service = await startTestService();
  env = { TRAINYARD_URL: await service.app.listen({ port: 0, host: "127.0.0.1" }) };
  dir = mkdtempSync(path.join(tmpdir(), "trainyard-cli-"));
});
afterAll(async () => {
  await service?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const queuedJob = async (epochs = 2, totalSteps = 8) => {
  const job = await createJob(service.db, { spec: { epochs, dataset: { name: "iris" } }, modelId: null, datasetId: null, datasetName: "iris", totalSteps });
  await service.queue.enqueue(job.id);
  return job;
};
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

// Each test starts several CLI processes (tsx compiles at start-up): generous time on a loaded machine.
describe(`trainyard CLI (${TEST_DB})`, { timeout: 120_000 }, () => {
  it("prints help (exit 0); usage errors exit 2", async () => {
    const help = await runCli(["--help"], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: trainyard/);
    expect(help.stdout).toMatch(/TRAINYARD_API_KEY/);
    for (const args of [["frobnicate"], ["jobs", "--status", "bogus"], ["cancel"], ["download", "x", "--checkpoint", "last"], ["submit", path.join(dir, "missing.json")]]) {
      const result = await runCli(args, env);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr, args.join(" ")).not.toBe("");
    }
    writeFileSync(path.join(dir, "broken.json"), "{ not json");
    const broken = await runCli(["submit", path.join(dir, "broken.json")], env);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/broken\.json is not valid JSON/);
  });

  it("says in one line that the API is unreachable, exit 3", async () => {
    // A port that was just free: nothing listens there.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await new Promise((resolve) => server.close(resolve));
    const result = await runCli(["jobs"], { TRAINYARD_URL: url });
    expect(result.code).toBe(3);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain(`cannot reach the Trainyard API at ${url} (ECONNREFUSED)`);
  });

  it("reports the API's error with its field, exit 3", async () => {
    const file = path.join(dir, "bad-job.json");
    writeFileSync(file, JSON.stringify({ dataset: { name: "iris" }, loss: { type: "CrossEntropyLoss" }, optimizer: { type: "SGD", lr: 0.1 }, epochs: 0, batch_size: 8, model: { layers: [{ type: "Linear", in_features: 4, out_features: 3 }] } }));
    const result = await runCli(["submit", file], env);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/POST \/v1\/jobs failed with 400: .*\(field epochs\)/);
    const missing = await runCli(["watch", "no-such-job"], env);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/404: job no-such-job does not exist/);
  });

  it("lists jobs as a table and as JSON, filtered by status", async () => {
    const a = await queuedJob();
    const b = await queuedJob();
    await startAttempt(service.db, b.id);
    const text = await runCli(["jobs"], env);
    expect(text.code).toBe(0);
    expect(text.stdout.split("\n")[0]).toMatch(/^ID\s+STATUS\s+PROGRESS\s+LOSS\s+DATASET\s+CREATED$/);
    expect(text.stdout).toMatch(new RegExp(`${a.id}\\s+queued\\s+0/8\\s+-\\s+iris`));
    const running = await runCli(["--json", "jobs", "--status", "running"], env);
    expect(running.code).toBe(0);
    expect((JSON.parse(running.stdout) as { id: string }[]).map((j) => j.id)).toEqual([b.id]);
    const after = await runCli(["jobs", "--status", "queued", "--json"], env); // --json after the command works too
    expect((JSON.parse(after.stdout) as { id: string }[]).map((j) => j.id)).toContain(a.id);
  });

  it("cancels a queued job; cancelling it again is an API error (409, exit 3)", async () => {
    const job = await queuedJob();
    const first = await runCli(["cancel", job.id], env);
    expect(first.code).toBe(0);
    expect(first.stdout.trim()).toBe(`job ${job.id} cancelled`);
    const again = await runCli(["--json", "cancel", job.id], env);
    expect(again.code).toBe(3);
    expect(again.stdout).toBe("");
    expect(again.stderr).toMatch(/409: job .* is already cancelled/);
  });

  it("prints a job's metrics as lines, or JSON lines, then its status", async () => {
    const job = await queuedJob(1, 3);
    await startAttempt(service.db, job.id);
    await writeMetrics(service.db, job.id, [1, 2, 3].map((step) => ({ step, epoch: 1, train_loss: 1 / step, lr: 0.1, ...(step === 3 ? { val_loss: 0.25, val_accuracy: 0.9 } : {}) })));
    await finishJob(service.db, job.id, "succeeded");
    const text = await runCli(["logs", job.id], env);
    expect(text.code).toBe(0);
    expect(text.stdout.trim().split("\n")).toEqual([
      "step 1 epoch 1 train_loss 1 lr 0.1000",
      "step 2 epoch 1 train_loss 0.5000 lr 0.1000",
      "step 3 epoch 1 train_loss 0.3333 lr 0.1000 val_loss 0.2500 val_accuracy 0.9000",
      `job ${job.id} succeeded`,
    ]);
    const json = await runCli(["logs", job.id, "--json"], env);
    const lines = json.stdout.trim().split("\n").map((line) => JSON.parse(line));
    expect(lines.map((l) => l.step ?? l.status)).toEqual([1, 2, 3, "succeeded"]);
    expect(lines[2].val_accuracy).toBe(0.9);
  });

  it("watches a job until it ends: exit 0 when it succeeds, 1 when it fails", async () => {
    const job = await queuedJob(2, 4);
    await startAttempt(service.db, job.id);
    await recordProgress(service.db, job.id, { epoch: 1, step: 2, latestMetrics: { train_loss: 0.5 } });
    // The job ends only once the CLI has seen it running.
    let finished = false;
    const watched = await runCli(["watch", job.id], env, (stderr) => {
      if (!finished && stderr.includes(`job ${job.id} running`)) {
        finished = true;
        void finishJob(service.db, job.id, "succeeded");
      }
    });
    expect(watched.code).toBe(0);
    expect(watched.stderr).toMatch(new RegExp(`job ${job.id} running`));
    expect(watched.stdout.trim()).toBe(`job ${job.id} succeeded (train_loss 0.5000)`);

    const failing = await queuedJob();
    await startAttempt(service.db, failing.id);
    await finishJob(service.db, failing.id, "failed", "loss became NaN at step 3");
    const failed = await runCli(["watch", failing.id, "--json"], env);
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout)).toMatchObject({ id: failing.id, status: "failed", error: "loss became NaN at step 3" });
  });

  it("downloads final and checkpoint weights, checking their sha256; a mismatch keeps no file (exit 3)", async () => {
    const job = await queuedJob(1, 2);
    await startAttempt(service.db, job.id);
    const stepWeights = new Uint8Array(3000).map((_, i) => (i * 7) % 251);
    const finalWeights = new Uint8Array(5000).map((_, i) => (i * 13) % 253);
    await saveCheckpoint(service.db, { jobId: job.id, step: 1, epoch: 1, kind: "step", weights: stepWeights, state: new Uint8Array(4) });
    const final = await saveCheckpoint(service.db, { jobId: job.id, step: 2, epoch: 1, kind: "final", weights: finalWeights, state: new Uint8Array(4) });
    await finishJob(service.db, job.id, "succeeded");

    const out = path.join(dir, "model.safetensors");
    const result = await runCli(["download", job.id, "-o", out], env);
    expect(result.code).toBe(0);
    expect(sha256(readFileSync(out))).toBe(sha256(finalWeights));
    expect(result.stdout.trim()).toBe(`${out}: 5000 bytes, sha256 ${sha256(finalWeights)} (verified)`);

    const stepOut = path.join(dir, "step1.safetensors");
    const step = await runCli(["--json", "download", job.id, "--checkpoint", "1", "-o", stepOut], env);
    expect(step.code).toBe(0);
    expect(JSON.parse(step.stdout)).toEqual({ path: stepOut, bytes: 3000, sha256: sha256(stepWeights) });
    expect(readFileSync(stepOut)).toEqual(Buffer.from(stepWeights));

    const noSuchStep = await runCli(["download", job.id, "--checkpoint", "7", "-o", path.join(dir, "x.safetensors")], env);
    expect(noSuchStep.code).toBe(3);
    expect(noSuchStep.stderr).toMatch(/404/);

    // The stored checksum no longer matches the bytes: the CLI refuses the file.
    await service.db.checkpoint.update({ where: { id: final.id }, data: { weightsSha256: "0".repeat(64) } });
    const corrupt = path.join(dir, "corrupt.safetensors");
    const mismatch = await runCli(["download", job.id, "-o", corrupt], env);
    expect(mismatch.code).toBe(3);
    expect(mismatch.stderr).toMatch(/sha256 mismatch/);
    expect(existsSync(corrupt)).toBe(false);
    expect(existsSync(`${corrupt}.partial`)).toBe(false);
  });

  it("sends TRAINYARD_API_KEY as a bearer token", async () => {
    let seen: string | undefined;
    const server = createServer((req, res) => {
      seen = req.headers.authorization;
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ jobs: [], next_cursor: null }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    const result = await runCli(["jobs"], { TRAINYARD_URL: `http://127.0.0.1:${port}`, TRAINYARD_API_KEY: "secret-key" });
    server.close();
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe("no jobs");
    expect(seen).toBe("Bearer secret-key");
  });
});
