// Who may do what, with ADMIN_API_KEY set: the admin API (tenants, keys shown once and stored as a
// hash, revocation), 401 for a missing, unknown, revoked or admin key on /v1, another tenant's
// resources answering exactly like missing ones, quotas (429) including concurrent submits, job
// priorities as BullMQ dequeues them, and Idempotency-Key. Real HTTP (inject), real database and Redis.
import { createHash, randomBytes } from "node:crypto";
import { Worker } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QUEUE_NAME, redisConnection } from "../src/queue/training-queue.js";
import { saveCheckpoint } from "../src/store/checkpoints.js";
import { finishJob, startAttempt, startAttemptWithinQuota } from "../src/store/jobs.js";
import { limitsOf } from "../src/store/quotas.js";
import { getTenant } from "../src/store/tenants.js";
import { writeMetrics } from "../src/store/metrics.js";
import { startTestService, TEST_DB, type TestService } from "./helpers/service.js";

const ADMIN_KEY = `admin-${randomBytes(16).toString("hex")}`;
let service: TestService;
beforeAll(async () => {
  service = await startTestService({ ADMIN_API_KEY: ADMIN_KEY });
});
afterAll(async () => {
  await service?.cleanup();
});

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any
interface Answer {
  status: number;
  body: Json;
  headers: Record<string, string | string[] | number | undefined>;
}

async function call(method: string, url: string, key: string | null, payload?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await service.app.inject({
    method: method as "GET",
    url,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
    ...(payload === undefined ? {} : { payload: payload as string }),
  });
  let body: Json = res.body;
  try {
    body = res.json();
  } catch {
    // not JSON (weights)
  }
  return { status: res.statusCode, body, headers: res.headers };
}
const admin = (method: string, url: string, payload?: unknown) => call(method, url, ADMIN_KEY, payload);

async function newTenant(name: string, quotas: Record<string, number> = {}): Promise<{ id: string; key: string }> {
  const tenant = await admin("POST", "/v1/admin/tenants", { name, ...quotas });
  expect(tenant.status).toBe(201);
  const key = await admin("POST", `/v1/admin/tenants/${tenant.body.id}/keys`, { name: "test" });
  expect(key.status).toBe(201);
  return { id: tenant.body.id, key: key.body.key };
}

const irisJob = (extra: Record<string, unknown> = {}) => ({
  model: { layers: [{ type: "Linear", in_features: 4, out_features: 3 }] },
  dataset: { name: "iris" },
  loss: { type: "CrossEntropyLoss" },
  optimizer: { type: "SGD", lr: 0.1 },
  epochs: 1,
  batch_size: 50,
  ...extra,
});

describe(`admin API and API keys (${TEST_DB})`, () => {
  it("needs the admin key: 401 without it or with another key, with WWW-Authenticate", async () => {
    const none = await call("GET", "/v1/admin/tenants", null);
    expect(none.status).toBe(401);
    expect(none.headers["www-authenticate"]).toMatch(/^Bearer/);
    expect(none.body.error.code).toBe("unauthorized");
    const wrong = await call("GET", "/v1/admin/tenants", `${ADMIN_KEY}x`);
    expect(wrong.status).toBe(401);
    expect(wrong.headers["www-authenticate"]).toMatch(/invalid_token/);
    const { key } = await newTenant("not-an-admin");
    expect((await call("POST", "/v1/admin/tenants", key, { name: "sneaky" })).status).toBe(401);
    const list = await admin("GET", "/v1/admin/tenants");
    expect(list.status).toBe(200);
    expect(list.body.tenants[0].id).toBe("default");
    expect(list.body.tenants.map((t: Json) => t.name)).not.toContain("sneaky");
  });

  it("shows a new key once and stores only its sha256 and a prefix", async () => {
    const tenant = await admin("POST", "/v1/admin/tenants", { name: "acme", max_queued_jobs: 7 });
    expect(tenant.body).toMatchObject({ name: "acme", quotas: { max_queued_jobs: 7, max_running_jobs: service.config.quotaRunningJobs, max_stored_bytes: service.config.quotaStoredBytes } });
    const created = await admin("POST", `/v1/admin/tenants/${tenant.body.id}/keys`, { name: "ci" });
    expect(created.status).toBe(201);
    expect(created.headers["cache-control"]).toBe("no-store");
    const key: string = created.body.key;
    expect(key).toMatch(/^ty_[A-Za-z0-9_-]{43}$/); // 32 random bytes, base64url
    expect(key.startsWith(created.body.prefix)).toBe(true);
    expect(created.body.prefix.length).toBeLessThan(key.length / 2);

    const rows = await service.db.apiKey.findMany({ where: { tenantId: tenant.body.id } });
    expect(rows).toHaveLength(1);
    expect(rows[0].hash).toBe(createHash("sha256").update(key).digest("hex"));
    expect(JSON.stringify(rows)).not.toContain(key);

    const listed = await admin("GET", `/v1/admin/tenants/${tenant.body.id}/keys`);
    expect(listed.body.keys).toEqual([{ id: created.body.id, tenant_id: tenant.body.id, name: "ci", prefix: created.body.prefix, created_at: created.body.created_at, revoked_at: null }]);
    expect(JSON.stringify(listed.body)).not.toContain(key);
    expect((await call("GET", "/v1/jobs", key)).status).toBe(200);
  });

  it("revokes a key: it answers 401 from then on, other keys of the tenant still work", async () => {
    const { id, key } = await newTenant("revocable");
    const second = (await admin("POST", `/v1/admin/tenants/${id}/keys`, {})).body;
    const keyId = (await admin("GET", `/v1/admin/tenants/${id}/keys`)).body.keys.find((k: Json) => key.startsWith(k.prefix) && k.id !== second.id).id;
    expect((await call("GET", "/v1/models", key)).status).toBe(200);
    const revoked = await admin("DELETE", `/v1/admin/tenants/${id}/keys/${keyId}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked_at).not.toBeNull();
    const after = await call("GET", "/v1/models", key);
    expect(after.status).toBe(401);
    expect(after.body.error.message).toMatch(/unknown or revoked/);
    expect((await call("GET", "/v1/models", second.key)).status).toBe(200);
    expect((await admin("DELETE", `/v1/admin/tenants/${id}/keys/${keyId}`)).body.revoked_at).toBe(revoked.body.revoked_at);
    expect((await admin("DELETE", `/v1/admin/tenants/${id}/keys/nope`)).status).toBe(404);
    expect((await admin("POST", "/v1/admin/tenants/nope/keys", {})).status).toBe(404);
  });

  it("answers 401 on /v1 without a key, with an unknown key or with the admin key; health, docs and other paths stay open", async () => {
    for (const [key, pattern] of [[null, /needs an API key/], ["ty_notakey", /unknown or revoked/], [ADMIN_KEY, /admin key/]] as const) {
      for (const [method, url] of [["GET", "/v1/jobs"], ["POST", "/v1/models"], ["GET", "/v1/datasets"], ["GET", "/v1/jobs/x/events"], ["GET", "/v1/jobs/x/weights"], ["GET", "/v1/nowhere"]]) {
        const res = await call(method, url, key, method === "POST" ? { layers: [{ type: "ReLU" }] } : undefined);
        expect(res.status, `${method} ${url}`).toBe(401);
        expect(res.headers["www-authenticate"]).toMatch(/^Bearer realm="trainyard"/);
        expect(res.body.error).toMatchObject({ code: "unauthorized", message: expect.stringMatching(pattern) });
      }
    }
    const basic = await call("GET", "/v1/jobs", null, undefined, { authorization: "Basic dXNlcjpwYXNz" });
    expect(basic.status).toBe(401);
    expect(basic.body.error.message).toBe("the Authorization header must be Bearer <key>");
    expect((await call("GET", "/healthz", null)).status).toBe(200);
    expect((await call("GET", "/readyz", null)).status).toBe(200);
    expect((await call("GET", "/openapi.json", null)).status).toBe(200);
    expect((await call("GET", "/docs", null)).status).toBeLessThan(400);
    expect((await call("GET", "/some/page", null)).status).toBe(404); // not /v1: no key asked (the dashboard lives outside /v1)
  });

  it("documents the keys in the OpenAPI document", async () => {
    const doc = (await call("GET", "/openapi.json", null)).body;
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(["adminKey", "apiKey"]);
    expect(doc.security).toEqual([{ apiKey: [] }]);
    expect(doc.paths["/v1/admin/tenants/{id}/keys"].post.security).toEqual([{ adminKey: [] }]);
    expect(doc.paths["/v1/admin/tenants/{id}/keys/{key_id}"]).toHaveProperty("delete");
    expect(doc.paths["/healthz"].get.security).toEqual([]);
    expect(doc.paths["/v1/jobs"].post.responses).toHaveProperty(["429"]);
  });
});

describe(`tenants keep apart (${TEST_DB})`, () => {
  it("answers 404 for another tenant's model, data set, job, metrics, events, checkpoints, weights and cancel, exactly as for ids that do not exist", async () => {
    const a = await newTenant("alice");
    const b = await newTenant("bob");
    const model = await call("POST", "/v1/models", a.key, { name: "m", layers: [{ type: "Linear", in_features: 4, out_features: 3 }] });
    expect(model.status).toBe(201);
    const dataset = await call("POST", "/v1/datasets?name=tiny", a.key, "x,y\n1,0\n2,1\n", { "content-type": "text/csv" });
    expect(dataset.status).toBe(201);
    const job = await call("POST", "/v1/jobs", a.key, irisJob({ model: undefined, model_id: model.body.id }));
    expect(job.status).toBe(202);
    const jobId: string = job.body.id;
    await startAttempt(service.db, jobId);
    await writeMetrics(service.db, jobId, [{ step: 1, epoch: 1, train_loss: 1, lr: 0.1 }]);
    const bytes = new Uint8Array([1, 2, 3, 4]);
    await saveCheckpoint(service.db, { jobId, step: 1, epoch: 1, kind: "step", weights: bytes, state: bytes });
    await saveCheckpoint(service.db, { jobId, step: 3, epoch: 1, kind: "final", weights: bytes, state: bytes });
    await finishJob(service.db, jobId, "succeeded");

    const urls = (id: string, what: "model" | "dataset" | "job") =>
      what === "model" ? [["GET", `/v1/models/${id}`]]
      : what === "dataset" ? [["GET", `/v1/datasets/${id}`]]
      : [["GET", `/v1/jobs/${id}`], ["GET", `/v1/jobs/${id}/metrics`], ["GET", `/v1/jobs/${id}/model`], ["GET", `/v1/jobs/${id}/events`], ["GET", `/v1/jobs/${id}/checkpoints`], ["GET", `/v1/jobs/${id}/checkpoints/1/weights`], ["GET", `/v1/jobs/${id}/weights`], ["POST", `/v1/jobs/${id}/cancel`]];
    const missing = "c" + "0".repeat(24);
    for (const [what, id] of [["model", model.body.id], ["dataset", dataset.body.id], ["job", jobId]] as const) {
      const own = urls(id, what);
      for (let i = 0; i < own.length; i++) {
        const [method, url] = own[i];
        if (method === "GET") expect((await call(method, url, a.key)).status, `owner: ${url}`).toBe(200);
        const foreign = await call(method, url, b.key);
        const absent = await call(method, urls(missing, what)[i][1], b.key);
        expect(foreign.status, url).toBe(404);
        expect(absent.status, url).toBe(404);
        expect(foreign.body, url).toEqual(JSON.parse(JSON.stringify(absent.body).replaceAll(missing, id)));
      }
    }
    // Lists, cursors and references by id see only the caller's own.
    expect((await call("GET", "/v1/models", b.key)).body.models).toEqual([]);
    expect((await call("GET", "/v1/jobs", b.key)).body.jobs).toEqual([]);
    expect((await call("GET", "/v1/jobs", a.key)).body.jobs.map((j: Json) => j.id)).toEqual([jobId]);
    expect((await call("GET", `/v1/jobs?cursor=${jobId}`, b.key)).status).toBe(400);
    expect((await call("GET", `/v1/models?cursor=${model.body.id}`, b.key)).status).toBe(400);
    const bDatasets = (await call("GET", "/v1/datasets", b.key)).body.datasets;
    expect(bDatasets.map((d: Json) => d.name)).toEqual(["mnist", "iris"]); // built-ins are everyone's
    const withModel = await call("POST", "/v1/jobs", b.key, irisJob({ model: undefined, model_id: model.body.id }));
    expect(withModel.status).toBe(404);
    expect(withModel.body.error.field).toBe("model_id");
    const withDataset = await call("POST", "/v1/jobs", b.key, irisJob({ model: { layers: [{ type: "Linear", in_features: 1, out_features: 2 }] }, dataset: { id: dataset.body.id } }));
    expect(withDataset.status).toBe(404);
    expect(withDataset.body.error.field).toBe("dataset.id");
    expect((await call("GET", `/v1/jobs/${jobId}/weights`, a.key)).body).toEqual(Buffer.from(bytes).toString());
  });
});

describe(`quotas (${TEST_DB})`, () => {
  it("refuses a job past max_queued_jobs with 429 naming the quota and its limit", async () => {
    const t = await newTenant("busy", { max_queued_jobs: 2, max_running_jobs: 1 });
    for (let i = 0; i < 2; i++) expect((await call("POST", "/v1/jobs", t.key, irisJob())).status).toBe(202);
    const third = await call("POST", "/v1/jobs", t.key, irisJob());
    expect(third.status).toBe(429);
    expect(third.body.error).toEqual({ code: "quota_exceeded", message: expect.stringMatching(/max_queued_jobs.*limit 2/) });
    // Other tenants are not affected.
    const other = await newTenant("idle");
    expect((await call("POST", "/v1/jobs", other.key, irisJob())).status).toBe(202);

    // A job that starts leaves the queue: there is room for another.
    const jobs = (await call("GET", "/v1/jobs", t.key)).body.jobs;
    await startAttempt(service.db, jobs[0].id);
    expect((await call("POST", "/v1/jobs", t.key, irisJob())).status).toBe(202);
    const usage = await admin("GET", `/v1/admin/tenants/${t.id}`);
    expect(usage.body.usage).toEqual({ running_jobs: 1, queued_jobs: 2, stored_bytes: 0 });
  });

  it("starts no more of a tenant's jobs than max_running_jobs, even when workers race for them; the others stay queued", async () => {
    const t = await newTenant("limited", { max_running_jobs: 2, max_queued_jobs: 10 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await call("POST", "/v1/jobs", t.key, irisJob())).body.id);
    const maxRunning = async (tenantId: string) => limitsOf(await getTenant(service.db, tenantId), service.config).runningJobs;
    const outcomes = await Promise.all(ids.map((id) => startAttemptWithinQuota(service.db, id, maxRunning)));
    const started = ids.filter((_, i) => outcomes[i] !== "busy");
    expect(outcomes.filter((o) => o === "busy")).toHaveLength(3);
    expect(started).toHaveLength(2);
    for (const id of ids) expect((await call("GET", `/v1/jobs/${id}`, t.key)).body.status).toBe(started.includes(id) ? "running" : "queued");
    // A retried attempt of a running job keeps its place; a finished job frees one.
    expect(await startAttemptWithinQuota(service.db, started[0], maxRunning)).toMatchObject({ status: "running", attempts: 2 });
    await finishJob(service.db, started[0], "succeeded");
    const waiting = ids.filter((id) => !started.includes(id));
    expect(await startAttemptWithinQuota(service.db, waiting[0], maxRunning)).toMatchObject({ status: "running" });
    expect(await startAttemptWithinQuota(service.db, waiting[1], maxRunning)).toBe("busy");
    // Other tenants' running jobs do not count.
    const other = await newTenant("unlimited-neighbour");
    const theirs = (await call("POST", "/v1/jobs", other.key, irisJob())).body.id;
    expect(await startAttemptWithinQuota(service.db, theirs, maxRunning)).toMatchObject({ status: "running" });
  });

  it("lets concurrent submits of one tenant pass max_queued_jobs not even by one", async () => {
    const t = await newTenant("burst", { max_queued_jobs: 3, max_running_jobs: 10 });
    const answers = await Promise.all(Array.from({ length: 8 }, () => call("POST", "/v1/jobs", t.key, irisJob())));
    expect(answers.map((a) => a.status).sort()).toEqual([202, 202, 202, 429, 429, 429, 429, 429]);
    expect(await service.db.job.count({ where: { tenantId: t.id } })).toBe(3);
  });

  it("refuses an upload past max_stored_bytes (data sets and checkpoints count) and keeps nothing of it", async () => {
    const t = await newTenant("hoarder", { max_stored_bytes: 600 });
    // 8 rows x 1 feature: x float32 [8,1] + y int64 [8] = 96 bytes of data plus the safetensors header.
    const csv = "x,y\n" + Array.from({ length: 8 }, (_, i) => `${i},${i % 2}`).join("\n") + "\n";
    const first = await call("POST", "/v1/datasets", t.key, csv, { "content-type": "text/csv" });
    expect(first.status).toBe(201);
    const size: number = first.body.byte_size;
    expect(size).toBeLessThan(300);
    expect((await call("POST", "/v1/datasets", t.key, csv, { "content-type": "text/csv" })).status).toBe(201);
    const third = await call("POST", "/v1/datasets", t.key, csv, { "content-type": "text/csv" });
    expect(third.status).toBe(429);
    expect(third.body.error).toEqual({ code: "quota_exceeded", message: `quota max_stored_bytes reached: this tenant stores ${2 * size} bytes and this upload adds ${size} (limit 600)` });
    expect(await service.db.dataset.count({ where: { tenantId: t.id } })).toBe(2);

    // A job's checkpoints count too: at the limit, neither uploads nor new jobs are accepted.
    const job = (await call("POST", "/v1/jobs", t.key, irisJob())).body;
    await startAttempt(service.db, job.id);
    await saveCheckpoint(service.db, { jobId: job.id, step: 1, epoch: 1, kind: "step", weights: new Uint8Array(600 - 2 * size - 10), state: new Uint8Array(10) });
    await finishJob(service.db, job.id, "succeeded");
    expect((await admin("GET", `/v1/admin/tenants/${t.id}`)).body.usage.stored_bytes).toBe(600);
    const tiny = await call("POST", "/v1/datasets", t.key, "x,y\n1,0\n", { "content-type": "text/csv" });
    expect(tiny.status).toBe(429);
    expect(tiny.body.error.message).toMatch(/max_stored_bytes.*stores 600 bytes \(limit 600\)/);
    const refusedJob = await call("POST", "/v1/jobs", t.key, irisJob());
    expect(refusedJob.status).toBe(429);
    expect(refusedJob.body.error.message).toMatch(/max_stored_bytes/);
  });
});

describe(`job priorities (${TEST_DB})`, () => {
  it("stores and shows a job's priority, and BullMQ hands out lower numbers first, equal ones in order", async () => {
    const t = await newTenant("ranked", { max_queued_jobs: 10 });
    const submitted: { id: string; priority: number }[] = [];
    for (const priority of [50, 10, 90, 10, undefined]) {
      const res = await call("POST", "/v1/jobs", t.key, irisJob(priority === undefined ? {} : { priority }));
      expect(res.status).toBe(202);
      expect(res.body.priority).toBe(priority ?? 50);
      submitted.push({ id: res.body.id, priority: res.body.priority });
    }
    expect((await call("GET", `/v1/jobs/${submitted[1].id}`, t.key)).body.priority).toBe(10);
    for (const bad of [0, 101, 1.5, "high"]) {
      const res = await call("POST", "/v1/jobs", t.key, irisJob({ priority: bad }));
      expect(res.status).toBe(400);
      expect(res.body.error.field).toBe("priority");
    }
    // Dequeue as a worker does, without running anything.
    const connection = redisConnection(service.config);
    const worker = new Worker(QUEUE_NAME, null, { connection, prefix: service.config.queuePrefix, autorun: false });
    const order: string[] = [];
    try {
      // The queue holds this file's other jobs too (priority 50): take everything.
      for (let i = 0; i < 200; i++) {
        const next = await worker.getNextJob("test-token", { block: false });
        if (!next) break;
        order.push(next.data.jobId);
      }
    } finally {
      await worker.close();
      connection.disconnect();
    }
    const mine = order.filter((id) => submitted.some((s) => s.id === id));
    expect(mine).toEqual([submitted[1].id, submitted[3].id, submitted[0].id, submitted[4].id, submitted[2].id]);
  });
});

describe(`Idempotency-Key (${TEST_DB})`, () => {
  it("replays the first response to a retry and creates nothing new; another body is 422", async () => {
    const t = await newTenant("retrier");
    const body = { name: "same", layers: [{ type: "Linear", in_features: 2, out_features: 2 }] };
    const first = await call("POST", "/v1/models", t.key, body, { "idempotency-key": "model-1" });
    expect(first.status).toBe(201);
    expect(first.headers["idempotent-replayed"]).toBeUndefined();
    // The same body with its keys in another order is the same request.
    const again = await call("POST", "/v1/models", t.key, { layers: body.layers, name: "same" }, { "idempotency-key": "model-1" });
    expect(again.status).toBe(201);
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect(again.body).toEqual(first.body);
    expect(await service.db.model.count({ where: { tenantId: t.id } })).toBe(1);

    const changed = await call("POST", "/v1/models", t.key, { ...body, name: "other" }, { "idempotency-key": "model-1" });
    expect(changed.status).toBe(422);
    expect(changed.body.error).toMatchObject({ code: "idempotency_key_reused", field: "Idempotency-Key" });
    const otherRoute = await call("POST", "/v1/jobs", t.key, irisJob(), { "idempotency-key": "model-1" });
    expect(otherRoute.status).toBe(422);
    expect(otherRoute.body.error.message).toMatch(/another route \(POST \/v1\/models\)/);
    // Keys belong to a tenant: another tenant's same key is its own.
    const other = await newTenant("other-retrier");
    const theirs = await call("POST", "/v1/models", other.key, body, { "idempotency-key": "model-1" });
    expect(theirs.status).toBe(201);
    expect(theirs.body.id).not.toBe(first.body.id);
    expect((await call("POST", "/v1/models", t.key, body, { "idempotency-key": "x".repeat(256) })).body.error.field).toBe("Idempotency-Key");

    // After IDEMPOTENCY_TTL_SECONDS the key is forgotten: the same request creates anew.
    const expired = new Date(Date.now() - (service.config.idempotencyTtlSeconds + 60) * 1000);
    await service.db.idempotencyRecord.updateMany({ where: { tenantId: t.id, key: "model-1" }, data: { createdAt: expired } });
    const late = await call("POST", "/v1/models", t.key, body, { "idempotency-key": "model-1" });
    expect(late.status).toBe(201);
    expect(late.headers["idempotent-replayed"]).toBeUndefined();
    expect(late.body.id).not.toBe(first.body.id);
  });

  it("does not store a failed request: the retry runs again", async () => {
    const t = await newTenant("unlucky");
    const job = irisJob({ dataset: { id: "does-not-exist" } });
    const first = await call("POST", "/v1/jobs", t.key, job, { "idempotency-key": "job-404" });
    expect(first.status).toBe(404);
    const retry = await call("POST", "/v1/jobs", t.key, job, { "idempotency-key": "job-404" });
    expect(retry.status).toBe(404);
    expect(retry.headers["idempotent-replayed"]).toBeUndefined();
    expect(await service.db.idempotencyRecord.count({ where: { tenantId: t.id } })).toBe(0);
  });

  it("creates one job for concurrent duplicates, and every duplicate gets its answer", async () => {
    const t = await newTenant("hasty");
    const answers = await Promise.all(Array.from({ length: 6 }, () => call("POST", "/v1/jobs", t.key, irisJob({ seed: 7 }), { "idempotency-key": "burst-1" })));
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202, 202]);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(answers.filter((a) => a.headers["idempotent-replayed"] === "true")).toHaveLength(5);
    expect(await service.db.job.count({ where: { tenantId: t.id } })).toBe(1);
    expect(await service.queue.queue.getJob(answers[0].body.id)).toBeTruthy();
  });

  it("fingerprints a streamed upload by its bytes", async () => {
    const t = await newTenant("uploader");
    const csv = "a,b,label\n1,2,0\n3,4,1\n";
    const headers = { "content-type": "text/csv", "idempotency-key": "upload-1" };
    const first = await call("POST", "/v1/datasets?name=u", t.key, csv, headers);
    expect(first.status).toBe(201);
    const again = await call("POST", "/v1/datasets?name=u", t.key, csv, headers);
    expect(again.status).toBe(201);
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect(again.body).toEqual(first.body);
    const otherBytes = await call("POST", "/v1/datasets?name=u", t.key, csv.replace("3,4", "5,6"), headers);
    expect(otherBytes.status).toBe(422);
    expect(otherBytes.body.error.field).toBe("Idempotency-Key");
    const otherName = await call("POST", "/v1/datasets?name=v", t.key, csv, headers);
    expect(otherName.status).toBe(422);
    expect(await service.db.dataset.count({ where: { tenantId: t.id } })).toBe(1);
  });
});
