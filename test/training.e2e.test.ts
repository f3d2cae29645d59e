// The whole service with real training: API (real HTTP), Redis, database (TEST_DB), worker processes
// running the engine. Submit, follow, download and check weights; cancel; NaN; a worker killed with
// SIGKILL and one stopped with SIGTERM lose nothing, and the weights equal an uninterrupted run's.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { loadBuiltin } from "../src/datasets/builtin.js";
import { buildSequential } from "../src/training/build.js";
import { callModule, loadTorch, type TorchLike } from "../src/training/torch.js";
import { gatherRows } from "../src/training/batches.js";
import { TEST_DB } from "./helpers/service.js";
import { useLiveService, type Json } from "./helpers/live-service.js";

let torch: TorchLike;
const live = useLiveService({
  beforeStart: async () => {
    torch = await loadTorch();
    live.worker();
  },
});
const { api, untilStatus, allMetrics } = live;

async function weights(id: string): Promise<{ bytes: Buffer; headers: Headers }> {
  const res = await fetch(`${live.base}/v1/jobs/${id}/weights`);
  expect(res.status).toBe(200);
  return { bytes: Buffer.from(await res.arrayBuffer()), headers: res.headers };
}

const mlp = [{ type: "Flatten" }, { type: "Linear", in_features: 784, out_features: 32 }, { type: "ReLU" }, { type: "Linear", in_features: 32, out_features: 10 }];
const irisNet = [{ type: "Linear", in_features: 4, out_features: 16 }, { type: "Tanh" }, { type: "Linear", in_features: 16, out_features: 3 }];

describe(`training end to end (${TEST_DB})`, () => {
  it("validates a model by building it: parameter count and PyTorch's printout; 422 for what cannot be built", async () => {
    const res = await api("POST", "/v1/models", { name: "mlp", layers: mlp });
    expect(res.status).toBe(201);
    expect(res.body.param_count).toBe(784 * 32 + 32 + 32 * 10 + 10);
    expect(res.body.printout).toBe(
      "Sequential(\n  (0): Flatten(start_dim=1, end_dim=-1)\n  (1): Linear(in_features=784, out_features=32, bias=True)\n  (2): ReLU()\n  (3): Linear(in_features=32, out_features=10, bias=True)\n)",
    );
    expect((await api("GET", `/v1/models/${res.body.id}`)).body.printout).toBe(res.body.printout);
    const second = await api("POST", "/v1/models", { layers: [{ type: "Sequential", layers: [{ type: "Linear", in_features: 4, out_features: 2 }] }, { type: "Softmax", dim: 1 }] });
    expect(second.body.printout).toBe("Sequential(\n  (0): Sequential(\n    (0): Linear(in_features=4, out_features=2, bias=True)\n  )\n  (1): Softmax(dim=1)\n)");
    const page = await api("GET", "/v1/models?limit=1");
    expect(page.body.models.map((m: Json) => m.id)).toEqual([second.body.id]);
    expect((await api("GET", `/v1/models?limit=1&cursor=${page.body.next_cursor}`)).body.models.map((m: Json) => m.id)).toEqual([res.body.id]);
    const unknown = await api("POST", "/v1/models", { layers: [{ type: "Linear", in_features: 4, out_features: 2 }, { type: "Frobnicate" }] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.field).toBe("layers.1.type");
    const mismatch = await api("POST", "/v1/jobs", { model: { layers: mlp }, dataset: { name: "iris" }, loss: { type: "CrossEntropyLoss" }, optimizer: { type: "SGD", lr: 0.1 }, epochs: 1, batch_size: 8 });
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.error.field).toBe("model.layers.1.in_features"); // Linear(784, 32) on iris's 4 features
    const badArg = await api("POST", "/v1/jobs", { model_id: res.body.id, dataset: { name: "mnist" }, loss: { type: "CrossEntropyLoss" }, optimizer: { type: "SGD", lr: 0.1, momentum: 0.9, bogus: 1 }, epochs: 1, batch_size: 8 });
    expect(badArg.status).toBe(400);
    expect(badArg.body.error.field).toBe("optimizer.bogus");
  });

  it("trains an MNIST MLP to succeeded; metrics in order without gaps; the weights reproduce the job's test accuracy", async () => {
    const submitted = await api("POST", "/v1/jobs", {
      model: { layers: mlp },
      dataset: { name: "mnist" },
      loss: { type: "CrossEntropyLoss" },
      optimizer: { type: "SGD", lr: 0.1, momentum: 0.9 },
      epochs: 1,
      batch_size: 500,
      seed: 0,
      validation_split: 0.1,
    });
    expect(submitted.status).toBe(202);
    expect(submitted.body.status).toBe("queued");
    const totalSteps = Math.ceil(54_000 / 500);
    expect(submitted.body.progress).toEqual({ epoch: 0, step: 0, total_steps: totalSteps });
    const done = await untilStatus(submitted.body.id, ["succeeded", "failed"]);
    expect(done.error).toBeNull();
    expect(done.status).toBe("succeeded");
    expect(done.progress).toEqual({ epoch: 1, step: totalSteps, total_steps: totalSteps });

    const rows = await allMetrics(done.id);
    expect(rows.map((r) => r.step)).toEqual(Array.from({ length: totalSteps }, (_, i) => i + 1));
    const last = rows[rows.length - 1];
    expect(last.val_accuracy).toBeGreaterThan(0.8);
    expect(last.test_accuracy).toBeGreaterThan(0.8);
    expect(rows[0].train_loss).toBeGreaterThan(last.train_loss);
    expect(done.latest_metrics.test_accuracy).toBe(last.test_accuracy);

    const { bytes, headers } = await weights(done.id);
    const sha = createHash("sha256").update(bytes).digest("hex");
    expect(headers.get("x-checksum-sha256")).toBe(sha);
    expect(headers.get("etag")).toBe(`"${sha}"`);
    expect(Number(headers.get("content-length"))).toBe(bytes.length);
    expect((await fetch(`${live.base}/v1/jobs/${done.id}/weights`, { headers: { "if-none-match": `"${sha}"` } })).status).toBe(304);

    // The file loads into the same nn.Sequential, keys as PyTorch names them, and gives the job's test accuracy.
    const stateDict = torch.load_safetensors(bytes);
    const keys = stateDict instanceof Map ? [...stateDict.keys()] : Object.keys(stateDict);
    expect(keys.sort()).toEqual(["1.bias", "1.weight", "3.bias", "3.weight"]);
    const model = buildSequential(torch, mlp);
    model.load_state_dict(stateDict);
    model.eval();
    const mnist = await loadBuiltin("mnist");
    let correct = 0;
    torch.no_grad(() => {
      for (let start = 0; start < 10_000; start += 1000) {
        const index = Array.from({ length: 1000 }, (_, i) => start + i);
        const x = gatherRows(mnist.x_test!, index);
        const y = gatherRows(mnist.y_test!, index);
        const out = callModule(model, torch.tensor(x.data, { dtype: torch.float32 }).reshape(x.shape));
        correct += out.argmax(1).eq(torch.tensor(y.data, { dtype: torch.int64 })).sum().item();
      }
    });
    expect(correct / 10_000).toBe(last.test_accuracy);

    const checkpoints = (await api("GET", `/v1/jobs/${done.id}/checkpoints`)).body.checkpoints;
    expect(checkpoints.map((c: Json) => c.kind)).toEqual(["epoch", "final"]);
    const epochWeights = await fetch(`${live.base}/v1/jobs/${done.id}/checkpoints/${totalSteps}/weights`);
    expect(epochWeights.status).toBe(200);
  }, 300_000);

  it("fails a job whose loss becomes NaN or infinite, saying at which step", async () => {
    // A regression set (float labels) and a learning rate that makes the weights blow up.
    const csv = "x,y\n" + Array.from({ length: 100 }, (_, i) => `${i / 100},${(2 * i) / 100 + 1}`).join("\n") + "\n";
    const upload = await fetch(`${live.base}/v1/datasets?name=line`, { method: "POST", headers: { "content-type": "text/csv" }, body: csv });
    const dataset = (await upload.json()) as Json;
    expect(dataset.tensors.y).toEqual({ dtype: "float32", shape: [100, 1] });
    const mismatch = await api("POST", "/v1/jobs", {
      model: { layers: irisNet },
      dataset: { name: "iris" },
      loss: { type: "MSELoss" },
      optimizer: { type: "SGD", lr: 0.1 },
      epochs: 1,
      batch_size: 10,
    });
    expect(mismatch.status).toBe(422); // MSELoss cannot compare [N, 3] outputs with [N] class labels
    expect(mismatch.body.error.field).toBe("loss");
    const submitted = await api("POST", "/v1/jobs", {
      model: { layers: [{ type: "Linear", in_features: 1, out_features: 1 }] },
      dataset: { id: dataset.id },
      loss: { type: "MSELoss" },
      optimizer: { type: "SGD", lr: 1e20 },
      epochs: 20,
      batch_size: 10,
    });
    expect(submitted.status).toBe(202);
    const failed = await untilStatus(submitted.body.id, ["failed", "succeeded"]);
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/^the loss became (NaN|Infinity) at step \d+ \(epoch \d+\)$/);
    const step = Number(/at step (\d+)/.exec(failed.error)![1]);
    // The steps before it were logged; the step with the bad loss was not.
    const rows = await allMetrics(failed.id);
    expect(rows.map((r) => r.step)).toEqual(Array.from({ length: step - 1 }, (_, i) => i + 1));
  }, 120_000);

  it("fails for good, without retries, when the engine throws during training", async () => {
    // 31 rows in batches of 30: the second batch holds one row, which BatchNorm1d refuses in training
    // mode. The job is valid up front (shapes fit, a forward pass of two rows works).
    const csv = "a,b,label\n" + Array.from({ length: 31 }, (_, i) => `${i},${31 - i},${i % 3}`).join("\n") + "\n";
    const upload = await fetch(`${live.base}/v1/datasets?name=three`, { method: "POST", headers: { "content-type": "text/csv" }, body: csv });
    const dataset = (await upload.json()) as Json;
    const submitted = await api("POST", "/v1/jobs", {
      model: { layers: [{ type: "Linear", in_features: 2, out_features: 3 }, { type: "BatchNorm1d", num_features: 3 }] },
      dataset: { id: dataset.id },
      loss: { type: "CrossEntropyLoss" },
      optimizer: { type: "SGD", lr: 0.1 },
      epochs: 1,
      batch_size: 30,
    });
    expect(submitted.status).toBe(202);
    const failed = await untilStatus(submitted.body.id, ["failed", "succeeded"]);
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/^training stopped at step 2: .*more than 1 value per channel/);
    expect(failed.attempts).toBe(1);
  }, 120_000);
});
