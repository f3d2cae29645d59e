// Single-user mode (no ADMIN_API_KEY), for local use: /v1 needs no key, everything belongs to the
// built-in tenant "default", the admin API is off, and the service says so in its log at start.
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/api/app.js";
import { SINGLE_USER_WARNING } from "../src/api/auth/plugin.js";
import { createJob } from "../src/store/jobs.js";
import { createTenant, DEFAULT_TENANT_ID } from "../src/store/tenants.js";
import { startTestService, TEST_DB, type TestService } from "./helpers/service.js";

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(async () => {
  await service?.cleanup();
});

/** Builds another app on the same service with a logger that writes into an array. */
async function logLinesOfStart(config: TestService["config"]): Promise<{ level: number; msg: string }[]> {
  const lines: { level: number; msg: string }[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const app = await buildApp({ config, db: service.db, queue: service.queue }, { logger: { level: "info", stream } });
  await app.ready();
  await app.close();
  return lines;
}

describe(`single-user mode (${TEST_DB})`, () => {
  it("needs no key and gives everything to the default tenant; a key sent anyway changes nothing", async () => {
    const created = await service.app.inject({ method: "POST", url: "/v1/models", payload: { layers: [{ type: "ReLU" }] } });
    expect(created.statusCode).toBe(201);
    expect((await service.db.model.findUniqueOrThrow({ where: { id: created.json().id } })).tenantId).toBe(DEFAULT_TENANT_ID);
    const withKey = await service.app.inject({ url: `/v1/models/${created.json().id}`, headers: { authorization: "Bearer ty_whatever" } });
    expect(withKey.statusCode).toBe(200);
    // Rows of other tenants (made while keys were required) stay theirs.
    const other = await createTenant(service.db, { name: "other" });
    const theirs = await createJob(service.db, { tenantId: other.id, spec: {}, modelId: null, datasetId: null, datasetName: "iris", totalSteps: 1 });
    const mine = await createJob(service.db, { spec: {}, modelId: null, datasetId: null, datasetName: "iris", totalSteps: 1 });
    expect((await service.app.inject({ url: `/v1/jobs/${theirs.id}` })).statusCode).toBe(404);
    expect((await service.app.inject({ url: `/v1/jobs/${mine.id}` })).statusCode).toBe(200);
  });

  it("keeps the admin API off (403 naming ADMIN_API_KEY)", async () => {
    const res = await service.app.inject({ method: "POST", url: "/v1/admin/tenants", payload: { name: "x" } });
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toEqual({ code: "forbidden", message: expect.stringMatching(/ADMIN_API_KEY/) });
  });

  it("says so in one warning line at start, and not when an admin key is set", async () => {
    const single = await logLinesOfStart(service.config);
    expect(single.filter((l) => l.msg === SINGLE_USER_WARNING)).toEqual([expect.objectContaining({ level: 40 })]);
    const withAdmin = await logLinesOfStart({ ...service.config, adminApiKey: "a-long-enough-admin-key" });
    expect(withAdmin.filter((l) => l.msg === SINGLE_USER_WARNING)).toEqual([]);
  });
});
