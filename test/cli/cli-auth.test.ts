// The CLI against a service that requires API keys: TRAINYARD_API_KEY is sent as a Bearer key; without
// it the CLI says in one line what the API answered (401) and exits 3.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJob } from "../../src/store/jobs.js";
import { createApiKey, createTenant } from "../../src/store/tenants.js";
import { startTestService, TEST_DB, type TestService } from "../helpers/service.js";
import { runCli } from "./run-cli.js";

let service: TestService;
let url: string;
let key: string;
let jobId: string;
beforeAll(async () => {
  service = await startTestService({ ADMIN_API_KEY: `admin-${randomBytes(16).toString("hex")}` });
  url = await service.app.listen({ port: 0, host: "127.0.0.1" });
  const tenant = await createTenant(service.db, { name: "cli" });
  key = (await createApiKey(service.db, tenant.id, "cli")).key;
  jobId = (await createJob(service.db, { tenantId: tenant.id, spec: { epochs: 1, dataset: { name: "iris" } }, modelId: null, datasetId: null, datasetName: "iris", totalSteps: 3 })).id;
});
afterAll(async () => {
  await service?.cleanup();
});

describe(`trainyard CLI with API keys (${TEST_DB})`, { timeout: 120_000 }, () => {
  it("sends TRAINYARD_API_KEY and sees its tenant's jobs; without a key it exits 3 naming the 401", async () => {
    const listed = await runCli(["jobs", "--json"], { TRAINYARD_URL: url, TRAINYARD_API_KEY: key });
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).map((j: { id: string }) => j.id)).toEqual([jobId]);
    const refused = await runCli(["jobs"], { TRAINYARD_URL: url });
    expect(refused.code).toBe(3);
    expect(refused.stderr.trim()).toMatch(/failed with 401: this route needs an API key: send Authorization: Bearer <key> \(set TRAINYARD_API_KEY to one of your tenant's API keys\)$/);
    const revoked = await runCli(["jobs"], { TRAINYARD_URL: url, TRAINYARD_API_KEY: "ty_wrong" });
    expect(revoked.code).toBe(3);
    expect(revoked.stderr).toMatch(/401: the API key is unknown or revoked/);
  });
});
