// The dashboard end to end: the real API serving the built bundle, a real worker training, and the
// pages in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core). Submit through
// the API, watch the curve grow on the job's page, cancel from the page; a finished job's curves,
// model and weights download; a failed job's error; the jobs list; the API key sent once stored.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDashboardBuilt, launchChromium } from "./helpers/browser.js";
import { TEST_DB } from "./helpers/service.js";
import { useLiveService, type Json } from "./helpers/live-service.js";

// The bundle must exist before the API starts: the static routes are made from its files.
beforeAll(() => ensureDashboardBuilt(), 120_000);
const live = useLiveService({ beforeStart: async () => void live.worker() });
const { api, untilStatus, allMetrics } = live;

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** Set DASHBOARD_SCREENSHOTS=dir to keep a screenshot of each page the tests look at. */
async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.DASHBOARD_SCREENSHOTS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

async function openPage(hash: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const problems: string[] = [];
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("console", (msg) => msg.type() === "error" && problems.push(`console error: ${msg.text()}`));
  page.on("requestfailed", (req) => !req.failure()?.errorText.includes("ERR_ABORTED") && problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`));
  (page as Page & { problems: string[] }).problems = problems;
  await page.goto(`${live.base}/${hash}`);
  return page;
}
const problemsOf = (page: Page) => (page as Page & { problems: string[] }).problems;

const points = (page: Page, chart: string) => page.getAttribute(chart, "data-points").then(Number);

const mlp = [{ type: "Flatten" }, { type: "Linear", in_features: 784, out_features: 32 }, { type: "ReLU" }, { type: "Linear", in_features: 32, out_features: 10 }];
const irisNet = [{ type: "Linear", in_features: 4, out_features: 16 }, { type: "Tanh" }, { type: "Linear", in_features: 16, out_features: 3 }];

describe(`dashboard in headless Chromium (${TEST_DB})`, () => {
  let mnistJob: Json;

  it("serves the bundle at / beside the API, with cache headers; no request leaves the origin", async () => {
    const index = await fetch(`${live.base}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get("content-type")).toMatch(/^text\/html/);
    expect(index.headers.get("cache-control")).toBe("no-cache");
    const html = await index.text();
    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
    expect(assets.length).toBeGreaterThanOrEqual(2); // the script and the stylesheet
    for (const asset of assets) {
      const res = await fetch(live.base + asset);
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    }
    expect(html).not.toMatch(/https?:\/\//); // no CDN, no external fonts
    expect(index.headers.get("content-security-policy")).toMatch(/^default-src 'self'/); // and the browser loads nothing from elsewhere
    expect((await fetch(`${live.base}/healthz`)).status).toBe(200);
    expect((await fetch(`${live.base}/openapi.json`)).status).toBe(200);
    expect((await fetch(`${live.base}/docs`, { redirect: "manual" })).status).toBeLessThan(400);
    const unknown = await fetch(`${live.base}/no/such/page`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as Json).error.code).toBe("not_found");

    const page = await openPage("");
    const external: string[] = [];
    page.on("request", (req) => !req.url().startsWith(live.base) && !req.url().startsWith("data:") && external.push(req.url()));
    await page.waitForSelector("#jobs");
    await page.reload();
    await page.waitForSelector("#jobs");
    expect(external).toEqual([]);
    expect(problemsOf(page)).toEqual([]);
    await page.close();
  });

  it("follows a training job live on its page: the loss curve grows, then cancel stops it", async () => {
    const submitted = await api("POST", "/v1/jobs", {
      model: { layers: mlp },
      dataset: { name: "mnist" },
      loss: { type: "CrossEntropyLoss" },
      optimizer: { type: "SGD", lr: 0.05, momentum: 0.9 },
      epochs: 100, // far more than the test waits for, however fast the machine: it is cancelled
      batch_size: 64,
      validation_split: 0.1,
      checkpoint_every_steps: 200,
    });
    expect(submitted.status).toBe(202);
    mnistJob = submitted.body;
    const page = await openPage(`#/jobs/${mnistJob.id}`);
    await page.waitForSelector("#job-status [data-status=running]", { timeout: 120_000 });

    // The curve grows while the page stays loaded: points arrive over the event stream.
    await expect.poll(() => points(page, "#train-chart"), { timeout: 60_000 }).toBeGreaterThan(0);
    const first = await points(page, "#train-chart");
    await expect.poll(() => points(page, "#train-chart"), { timeout: 60_000 }).toBeGreaterThan(first + 50);

    // A page opened mid-training loads the steps so far, then follows the stream from there.
    const logged = (await live.job(mnistJob.id)).progress.step;
    const joined = await openPage(`#/jobs/${mnistJob.id}`);
    await expect.poll(() => points(joined, "#train-chart"), { timeout: 30_000 }).toBeGreaterThanOrEqual(logged);
    const joinedAt = await points(joined, "#train-chart");
    await expect.poll(() => points(joined, "#train-chart"), { timeout: 60_000 }).toBeGreaterThan(joinedAt + 50);

    const model = (await api("GET", `/v1/jobs/${mnistJob.id}/model`)).body;
    expect(model.param_count).toBe(784 * 32 + 32 + 32 * 10 + 10);
    expect(await page.textContent("#printout")).toBe(model.printout);
    expect(await page.textContent("#param-count")).toBe("25,450");
    await screenshot(page, "job-running");

    // Cancel asks once more, then the status changes on the page without a reload.
    await page.click("#cancel");
    await page.click("#cancel-confirm");
    await page.waitForSelector("#job-status :is([data-status=cancelling], [data-status=cancelled])", { timeout: 10_000 });
    await page.waitForSelector("#job-status [data-status=cancelled]", { timeout: 60_000 });
    const cancelled = await untilStatus(mnistJob.id, ["cancelled"], 10_000);
    expect(await page.locator("#cancel").count()).toBe(0);

    // Every logged step is on both curves exactly once, and the checkpoints listed are the API's.
    const rows = await allMetrics(mnistJob.id);
    expect(rows.length).toBe(cancelled.progress.step);
    await expect.poll(() => points(page, "#train-chart"), { timeout: 10_000 }).toBe(rows.length);
    await joined.waitForSelector("#job-status [data-status=cancelled]", { timeout: 10_000 });
    await expect.poll(() => points(joined, "#train-chart"), { timeout: 10_000 }).toBe(rows.length);
    expect(problemsOf(joined)).toEqual([]);
    await joined.close();
    const checkpoints = (await api("GET", `/v1/jobs/${mnistJob.id}/checkpoints`)).body.checkpoints as Json[];
    expect(checkpoints.length).toBeGreaterThan(0);
    await expect.poll(() => page.locator("#checkpoints tbody tr").count(), { timeout: 10_000 }).toBe(checkpoints.length);
    expect(await page.locator("#checkpoints tbody tr").evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute("data-step"))))).toEqual(checkpoints.map((c) => c.step));
    await screenshot(page, "job-cancelled");
    expect(problemsOf(page)).toEqual([]);
    await page.close();
  }, 300_000);

  it("shows a finished job's validation curve per epoch, test metrics, and downloads its weights", async () => {
    const submitted = await api("POST", "/v1/jobs", {
      model: { layers: irisNet },
      dataset: { name: "iris" },
      loss: { type: "CrossEntropyLoss" },
      optimizer: { type: "Adam", lr: 0.01 },
      epochs: 12,
      batch_size: 16,
      validation_split: 0.2,
    });
    const done = await untilStatus(submitted.body.id, ["succeeded", "failed"]);
    expect(done.status).toBe("succeeded");
    const page = await openPage(`#/jobs/${done.id}`);
    await page.waitForSelector("#job-status [data-status=succeeded]");
    await expect.poll(() => points(page, "#train-chart"), { timeout: 10_000 }).toBe(done.progress.total_steps);
    await expect.poll(() => points(page, "#val-chart"), { timeout: 10_000 }).toBe(12);
    expect(await page.locator("#cancel").count()).toBe(0);
    expect(await page.textContent("#job-progress")).toContain("100.0%");

    const rows = await allMetrics(done.id);
    const lastVal = rows.filter((r) => r.val_accuracy !== undefined).pop();
    expect(await page.textContent("#latest-metrics")).toContain(`${(lastVal.val_accuracy * 100).toFixed(2)}%`);

    const [downloaded] = await Promise.all([page.waitForEvent("download"), page.click("#download-weights")]);
    expect(downloaded.suggestedFilename()).toBe(`${done.id}.safetensors`);
    const bytes = readFileSync((await downloaded.path())!);
    const weights = await fetch(`${live.base}/v1/jobs/${done.id}/weights`);
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(weights.headers.get("x-checksum-sha256"));
    await page.waitForSelector("#checkpoints tbody tr");
    const kinds = await page.locator("#checkpoints tbody tr td:nth-child(3)").allTextContents();
    expect(kinds[kinds.length - 1]).toBe("final");
    await screenshot(page, "job-succeeded");
    // On a phone's width the page reflows instead of scrolling sideways (wide tables scroll in place).
    await page.setViewportSize({ width: 390, height: 844 });
    await expect.poll(() => page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(390);
    await screenshot(page, "job-succeeded-narrow");
    expect(problemsOf(page)).toEqual([]);
    await page.close();
  }, 120_000);

  it("shows a failed job's error", async () => {
    const csv = "x,y\n" + Array.from({ length: 100 }, (_, i) => `${i / 100},${(2 * i) / 100 + 1}`).join("\n") + "\n";
    const dataset = (await (await fetch(`${live.base}/v1/datasets?name=line`, { method: "POST", headers: { "content-type": "text/csv" }, body: csv })).json()) as Json;
    const submitted = await api("POST", "/v1/jobs", {
      model: { layers: [{ type: "Linear", in_features: 1, out_features: 1 }] },
      dataset: { id: dataset.id },
      loss: { type: "MSELoss" },
      optimizer: { type: "SGD", lr: 1e20 },
      epochs: 20,
      batch_size: 10,
    });
    const failed = await untilStatus(submitted.body.id, ["failed", "succeeded"]);
    expect(failed.status).toBe("failed");
    const page = await openPage(`#/jobs/${failed.id}`);
    await page.waitForSelector("#job-status [data-status=failed]");
    expect(await page.textContent("#job-error-message")).toBe(failed.error);
    expect(await page.isVisible("#job-error")).toBe(true);
    expect(await page.locator("#cancel").count()).toBe(0);
    expect(await page.textContent("#final-weights")).toContain("No final weights");
    await page.waitForSelector(`#job-facts dd:text-is("line (${dataset.id})")`);
    await screenshot(page, "job-failed");
    await page.close();
  }, 120_000);

  it("lists the jobs with status, model, data set, progress and age; a row opens its job", async () => {
    const { jobs } = (await api("GET", "/v1/jobs")).body as { jobs: Json[] };
    expect(jobs.length).toBe(3);
    const page = await openPage("");
    await expect.poll(() => page.locator("#jobs tbody tr").count(), { timeout: 10_000 }).toBe(jobs.length);
    const listed = await page.locator("#jobs tbody tr").evaluateAll((trs) =>
      trs.map((tr) => ({ id: tr.getAttribute("data-job-id"), cells: [...tr.querySelectorAll("td")].map((td) => td.textContent) })),
    );
    expect(listed.map((r) => r.id)).toEqual(jobs.map((j) => j.id)); // newest first, as the API
    expect(listed.map((r) => r.cells[1])).toEqual(jobs.map((j) => j.status));
    expect(listed.map((r) => r.cells[3])).toEqual(["line", "iris", "mnist"]);
    expect(listed[2].cells[2]).toBe("Flatten → Linear 784→32 → ReLU → Linear 32→10");
    expect(listed[1].cells[4]).toContain(`${jobs[1].progress.total_steps} / ${jobs[1].progress.total_steps} steps`);
    expect(listed.every((r) => /^\d+ (s|min)$/.test(r.cells[5] ?? ""))).toBe(true);

    await page.selectOption("#status-filter", "cancelled");
    await expect.poll(() => page.locator("#jobs tbody tr").count(), { timeout: 10_000 }).toBe(1);
    expect(await page.getAttribute("#jobs tbody tr", "data-job-id")).toBe(mnistJob.id);
    await screenshot(page, "jobs-list");
    await page.click(`#jobs tbody tr[data-job-id="${mnistJob.id}"] td:nth-child(3)`);
    await page.waitForSelector("#job-status [data-status=cancelled]");
    expect(page.url()).toBe(`${live.base}/#/jobs/${mnistJob.id}`);
    expect(problemsOf(page)).toEqual([]);
    await page.close();
  }, 60_000);

  it("keeps an API key entered once and sends it with every request, the event stream and downloads included; forgetting it stops that", async () => {
    const page = await openPage("");
    // Requests still in flight when the page closes are left out (their headers can no longer be read).
    const requests: Promise<{ url: string; authorization: string | undefined } | null>[] = [];
    page.on("request", (req) => {
      if (new URL(req.url()).pathname.startsWith("/v1/")) requests.push(req.allHeaders().then((headers) => ({ url: req.url(), authorization: headers.authorization }), () => null));
    });
    await page.waitForSelector("#jobs tbody tr");
    await page.click("#key-button");
    await page.fill("#key-input", "ty-test-key");
    await screenshot(page, "key-dialog");
    await page.click("#key-save");
    await expect.poll(() => page.textContent("#key-button")).toBe("API key: set");
    requests.length = 0; // from here on every request has the key

    // Kept across a reload; the job page's requests carry it, the event stream and a download too.
    await page.goto(`${live.base}/#/jobs/${mnistJob.id}`);
    await page.reload();
    await page.waitForSelector("#checkpoints tbody tr");
    const [downloaded] = await Promise.all([page.waitForEvent("download"), page.click("#checkpoints tbody tr:first-child button")]);
    expect(downloaded.suggestedFilename()).toMatch(/-step\d+\.safetensors$/);
    const seen = async () => (await Promise.all(requests)).filter((r) => r !== null);
    let sent = await seen();
    const paths = new Set(sent.map((r) => new URL(r.url).pathname.replace(mnistJob.id, "ID").replace(/\/\d+\//, "/N/")));
    for (const p of ["/v1/jobs/ID", "/v1/jobs/ID/metrics", "/v1/jobs/ID/events", "/v1/jobs/ID/model", "/v1/jobs/ID/checkpoints", "/v1/jobs/ID/checkpoints/N/weights"]) expect(paths).toContain(p);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.filter((r) => r.authorization !== "Bearer ty-test-key")).toEqual([]);

    await page.click("#key-button");
    expect(await page.inputValue("#key-input")).toBe("ty-test-key");
    await page.click("#key-forget");
    await expect.poll(() => page.textContent("#key-button")).toBe("API key");
    requests.length = 0;
    await page.reload();
    await page.waitForSelector("#job-status [data-status=cancelled]");
    await page.waitForSelector("#printout");
    sent = await seen();
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.filter((r) => r.authorization !== undefined)).toEqual([]);
    expect(problemsOf(page)).toEqual([]);
    await page.close();
  }, 60_000);
});
