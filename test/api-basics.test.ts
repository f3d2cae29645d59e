// The API without training: health, docs, datasets (built-in and uploaded), validation errors, jobs
// that are only queued, cancelling a queued job, pagination. Real HTTP (inject), real Redis and DB.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encode } from "../src/datasets/safetensors.js";
import { startTestService, TEST_DB, type TestService } from "./helpers/service.js";

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(async () => {
  await service?.cleanup();
});

import type { InjectOptions } from "fastify";
const inject = (opts: InjectOptions) => service.app.inject(opts);

describe(`API basics (${TEST_DB})`, () => {
  it("answers health and readiness", async () => {
    expect((await inject({ url: "/healthz" })).json()).toEqual({ status: "ok" });
    const ready = await inject({ url: "/readyz" });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().checks).toEqual({ database: "ok", redis: "ok" });
  });

  it("serves the OpenAPI document and the docs page", async () => {
    const doc = (await inject({ url: "/openapi.json" })).json();
    expect(doc.openapi).toBe("3.0.3");
    for (const p of ["/v1/jobs", "/v1/jobs/{id}", "/v1/jobs/{id}/metrics", "/v1/jobs/{id}/weights", "/v1/models", "/v1/datasets"]) expect(doc.paths).toHaveProperty([p]);
    expect(doc.paths["/v1/jobs"].post.responses).toHaveProperty(["202"]);
    expect((await inject({ url: "/docs" })).statusCode).toBeLessThan(400);
  });

  it("lists the built-in data sets with their shapes", async () => {
    const { datasets } = (await inject({ url: "/v1/datasets" })).json();
    const mnist = datasets.find((d: { name: string }) => d.name === "mnist");
    expect(mnist.tensors).toEqual({
      x: { dtype: "float32", shape: [60000, 1, 28, 28] },
      y: { dtype: "int64", shape: [60000], min: 0, max: 9 },
      x_test: { dtype: "float32", shape: [10000, 1, 28, 28] },
      y_test: { dtype: "int64", shape: [10000], min: 0, max: 9 },
    });
    const iris = datasets.find((d: { name: string }) => d.name === "iris");
    expect(iris.tensors).toEqual({ x: { dtype: "float32", shape: [150, 4] }, y: { dtype: "int64", shape: [150], min: 0, max: 2 } });
    expect(iris.classes).toEqual(["setosa", "versicolor", "virginica"]);
  });

  it("stores a CSV upload and converts text labels to classes", async () => {
    const csv = "a,b,label\n1,2,cat\n3,4,dog\n5,6,cat\n";
    const res = await inject({ method: "POST", url: "/v1/datasets?name=pets", headers: { "content-type": "text/csv" }, payload: csv });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ name: "pets", format: "csv", builtin: false, classes: ["cat", "dog"] });
    expect(body.tensors).toEqual({ x: { dtype: "float32", shape: [3, 2] }, y: { dtype: "int64", shape: [3], min: 0, max: 1 } });
    expect((await inject({ url: `/v1/datasets/${body.id}` })).json().sha256).toBe(body.sha256);
  });

  it("stores a safetensors upload larger than one chunk", async () => {
    const n = 300_000; // x: 300k x 4 float32 = 4.8 MB, more than one 4 MiB chunk
    const x = new Float32Array(n * 4).map((_, i) => i % 97);
    const y = BigInt64Array.from({ length: n }, (_, i) => BigInt(i % 3));
    const file = encode([["x", { dtype: "float32", shape: [n, 4], data: x }], ["y", { dtype: "int64", shape: [n], data: y }]]);
    const res = await inject({ method: "POST", url: "/v1/datasets?name=big", headers: { "content-type": "application/octet-stream" }, payload: file });
    expect(res.statusCode).toBe(201);
    expect(res.json().byte_size).toBe(file.length);
    const chunks = await service.db.datasetChunk.count({ where: { datasetId: res.json().id } });
    expect(chunks).toBe(2);
  });

  it("rejects malformed uploads with a message saying what is wrong", async () => {
    const ragged = await inject({ method: "POST", url: "/v1/datasets", headers: { "content-type": "text/csv" }, payload: "1,2,0\n3,1\n" });
    expect(ragged.statusCode).toBe(400);
    expect(ragged.json().error.message).toMatch(/line 2: 2 fields, expected 3/);
    const file = encode([["x", { dtype: "float32", shape: [2, 2], data: new Float32Array(4) }], ["y", { dtype: "int64", shape: [2], data: new BigInt64Array(2) }]]);
    const truncated = await inject({ method: "POST", url: "/v1/datasets", headers: { "content-type": "application/octet-stream" }, payload: file.subarray(0, file.length - 3) });
    expect(truncated.statusCode).toBe(400);
    expect(truncated.json().error.message).toMatch(/truncated/);
    const noY = encode([["x", { dtype: "float32", shape: [2, 2], data: new Float32Array(4) }]]);
    expect((await inject({ method: "POST", url: "/v1/datasets", headers: { "content-type": "application/octet-stream" }, payload: noY })).json().error.message).toMatch(/"x" and "y" must both be present/);
    expect((await service.db.dataset.count({ where: { ready: false } }))).toBe(0);
  });

  it("answers 413 past the upload limit", async () => {
    const small = await startTestService({ MAX_UPLOAD_BYTES: "100" });
    try {
      const res = await small.app.inject({ method: "POST", url: "/v1/datasets", headers: { "content-type": "text/csv" }, payload: "1,2,0\n".repeat(50) });
      expect(res.statusCode).toBe(413);
      expect(res.json().error.code).toBe("payload_too_large");
    } finally {
      await small.cleanup();
    }
  });

  it("names the field in 400s, and 404s unknown ids", async () => {
    const base = { model: { layers: [{ type: "Linear", in_features: 4, out_features: 3 }] }, dataset: { name: "iris" }, loss: { type: "CrossEntropyLoss" }, optimizer: { type: "SGD", lr: 0.1 }, epochs: 1, batch_size: 8 };
    const cases: [object, string][] = [
      [{ ...base, epochs: 0 }, "epochs"],
      [{ ...base, batch_size: "x" }, "batch_size"],
      [{ ...base, unknown_field: 1 }, "unknown_field"],
      [{ ...base, optimizer: { lr: 0.1 } }, "optimizer.type"],
      [{ ...base, dataset: { name: "cifar" } }, "dataset.name"],
      [{ ...base, validation_split: 0.95 }, "validation_split"],
      [{ ...base, model: undefined }, "model"],
      [{ ...base, model: { layers: [{ type: "Linear", in_features: { a: 1 }, out_features: 3 }] } }, "model.layers.0.in_features"],
    ];
    for (const [body, field] of cases) {
      const res = await inject({ method: "POST", url: "/v1/jobs", payload: body });
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.field).toBe(field);
    }
    expect((await inject({ method: "POST", url: "/v1/jobs", payload: { ...base, dataset: { id: "nope" } } })).statusCode).toBe(404);
    for (const url of ["/v1/jobs/nope", "/v1/jobs/nope/metrics", "/v1/jobs/nope/weights", "/v1/jobs/nope/checkpoints", "/v1/models/nope", "/v1/datasets/nope", "/v1/nothing"]) {
      const res = await inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code).toBe("not_found");
    }
  });
});
