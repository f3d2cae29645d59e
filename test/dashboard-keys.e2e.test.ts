// The dashboard against a service that needs API keys (ADMIN_API_KEY set): the page asks for a key on
// the first 401, keeps it, and works with it; forgetting it brings the question back.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDashboardBuilt, launchChromium } from "./helpers/browser.js";
import { startTestService, TEST_DB, type TestService } from "./helpers/service.js";

const ADMIN = "admin-key-for-the-dashboard-test";
let service: TestService;
let base = "";
let browser: Browser;

beforeAll(async () => {
  ensureDashboardBuilt();
  service = await startTestService({ ADMIN_API_KEY: ADMIN });
  base = await service.app.listen({ port: 0, host: "127.0.0.1" });
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await service?.cleanup();
});

async function call(method: string, path: string, key: string, body?: unknown) {
  const res = await fetch(base + path, { method, headers: { authorization: `Bearer ${key}`, ...(body ? { "content-type": "application/json" } : {}) }, body: body ? JSON.stringify(body) : undefined });
  return { status: res.status, body: (await res.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe(`dashboard with API keys (${TEST_DB})`, () => {
  it("asks for a key on the first 401, then lists and opens the tenant's jobs with it; forget asks again", async () => {
    const tenant = (await call("POST", "/v1/admin/tenants", ADMIN, { name: "acme" })).body;
    const key = (await call("POST", `/v1/admin/tenants/${tenant.id}/keys`, ADMIN, {})).body.key as string;
    const job = await call("POST", "/v1/jobs", key, {
      model: { layers: [{ type: "Linear", in_features: 4, out_features: 3 }] },
      dataset: { name: "iris" },
      loss: { type: "CrossEntropyLoss" },
      optimizer: { type: "SGD", lr: 0.1 },
      epochs: 1,
      batch_size: 8,
    });
    expect(job.status).toBe(202);

    const page = await browser.newPage();
    await page.goto(`${base}/`);
    await page.waitForSelector("#key-dialog[open]");
    expect(await page.textContent("#key-dialog .dialog-reason")).toMatch(/needs an API key/);
    await page.fill("#key-input", key);
    await page.click("#key-save");
    await page.waitForSelector(`#jobs tbody tr[data-job-id="${job.body.id}"]`);

    await page.click(`#jobs tbody tr[data-job-id="${job.body.id}"] a`);
    await page.waitForSelector("#printout");
    await page.click("#cancel");
    await page.click("#cancel-confirm");
    await page.waitForSelector("#job-status [data-status=cancelled]");
    expect((await call("GET", `/v1/jobs/${job.body.id}`, key)).body.status).toBe("cancelled");

    // A wrong key is refused with the API's message; dismissing the dialog leaves the page saying why.
    await page.click("#key-button");
    await page.fill("#key-input", "not-a-key");
    await page.click("#key-save");
    await page.waitForSelector("#key-dialog[open]");
    expect(await page.textContent("#key-dialog .dialog-reason")).toMatch(/unknown or revoked/);
    await page.click("#key-forget");
    await page.waitForSelector("#key-dialog[open]");
    await page.click("#key-cancel");
    await page.waitForSelector("#job-notice:not([hidden])");
    expect(await page.textContent("#job-notice")).toMatch(/needs an API key.*API key button/);

    // Dismissed once, the question is not put again by the jobs list's refreshes (each one refused).
    const refused: string[] = [];
    page.on("response", (res) => res.status() === 401 && refused.push(res.url()));
    await page.click(".crumbs a");
    await expect.poll(() => refused.filter((u) => u.includes("/v1/jobs?")).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    expect(await page.isVisible("#key-dialog")).toBe(false);
    expect(await page.textContent(".notice.error")).toMatch(/needs an API key/);
    // The key button still opens it; a good key brings the list back.
    await page.click("#key-button");
    await page.fill("#key-input", key);
    await page.click("#key-save");
    await page.waitForSelector(`#jobs tbody tr[data-job-id="${job.body.id}"]`);
    await page.close();
  }, 60_000);
});
