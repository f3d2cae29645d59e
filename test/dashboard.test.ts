// The dashboard's server side without a browser: the static plugin (cache headers, no catch-all, a
// clear answer when the bundle was not built) and GET /v1/jobs/:id/model, which the job page reads.
import Fastify from "fastify";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DASHBOARD_CSP, dashboardRoutes } from "../src/api/dashboard.js";
import { installErrorHandling } from "../src/api/errors.js";
import { startTestService, TEST_DB, type TestService } from "./helpers/service.js";

const dirs: string[] = [];
function bundleDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "trainyard-dashboard-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

async function appWith(root: string) {
  const app = Fastify({ logger: false });
  installErrorHandling(app);
  app.get("/v1/ping", async () => ({ ok: true }));
  await app.register(dashboardRoutes, { root });
  await app.ready();
  return app;
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("dashboard static files", () => {
  it("serves index.html at / (revalidated) and hashed assets as immutable; other paths keep the API's 404", async () => {
    const app = await appWith(bundleDir({ "index.html": "<!doctype html><title>t</title>", "assets/index-AbC123.js": "console.log(1)", "assets/index-AbC123.css": "body{}" }));
    const index = await app.inject({ url: "/" });
    expect(index.statusCode).toBe(200);
    expect(index.headers["content-type"]).toMatch(/^text\/html/);
    expect(index.headers["cache-control"]).toBe("no-cache");
    expect(index.headers["content-security-policy"]).toBe(DASHBOARD_CSP);
    expect(index.body).toContain("<title>t</title>");
    const script = await app.inject({ url: "/assets/index-AbC123.js" });
    expect(script.statusCode).toBe(200);
    expect(script.headers["content-type"]).toMatch(/javascript/);
    expect(script.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(script.headers["x-content-type-options"]).toBe("nosniff");
    expect((await app.inject({ url: "/assets/index-AbC123.css" })).headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect((await app.inject({ url: "/v1/ping" })).json()).toEqual({ ok: true });
    for (const url of ["/assets/missing.js", "/nothing", "/../package.json", "/v1/nothing"]) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code, url).toBe("not_found");
    }
    await app.close();
  });

  it("answers / with 503 and how to build it when the bundle is missing, and the API keeps working", async () => {
    const app = await appWith(path.join(bundleDir({}), "not-built"));
    const res = await app.inject({ url: "/" });
    expect(res.statusCode).toBe(503);
    expect(res.headers["content-type"]).toMatch(/^text\/plain/);
    expect(res.body).toMatch(/dashboard was not built .*npm run build/);
    expect((await app.inject({ url: "/v1/ping" })).statusCode).toBe(200);
    await app.close();
  });
});

describe(`GET /v1/jobs/:id/model (${TEST_DB})`, () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService();
  });
  afterAll(async () => {
    await service?.cleanup();
  });

  const job = (body: object) => service.app.inject({ method: "POST", url: "/v1/jobs", payload: { dataset: { name: "iris" }, loss: { type: "CrossEntropyLoss" }, optimizer: { type: "SGD", lr: 0.1 }, epochs: 1, batch_size: 8, ...body } });
  const layers = [{ type: "Linear", in_features: 4, out_features: 8 }, { type: "ReLU" }, { type: "Linear", in_features: 8, out_features: 3 }];
  const printout = "Sequential(\n  (0): Linear(in_features=4, out_features=8, bias=True)\n  (1): ReLU()\n  (2): Linear(in_features=8, out_features=3, bias=True)\n)";

  it("describes a job's inline model and a stored one the same way; 404 for an unknown job", async () => {
    const inline = await job({ model: { layers } });
    expect(inline.statusCode).toBe(202);
    const a = await service.app.inject({ url: `/v1/jobs/${inline.json().id}/model` });
    expect(a.statusCode).toBe(200);
    expect(a.json()).toEqual({ model_id: null, layers, param_count: 4 * 8 + 8 + 8 * 3 + 3, printout });

    const stored = (await service.app.inject({ method: "POST", url: "/v1/models", payload: { name: "small", layers } })).json();
    const byId = await job({ model_id: stored.id });
    const b = await service.app.inject({ url: `/v1/jobs/${byId.json().id}/model` });
    expect(b.json()).toEqual({ model_id: stored.id, layers, param_count: stored.param_count, printout: stored.printout });

    const missing = await service.app.inject({ url: "/v1/jobs/nope/model" });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe("not_found");
  });
});
