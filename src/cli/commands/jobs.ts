// Job commands: submit, jobs (list), cancel, logs.
import { usageError } from "../exit-codes.js";
import { readJsonFile } from "../files.js";
import { jobsTable, metricLine, statusLine } from "../format.js";
import { print, printJson } from "../output.js";
import { sleep } from "../poll.js";
import { JOB_STATUSES, TERMINAL, type Job, type JobStatus, type MetricRow } from "../types.js";
import type { CommandContext } from "./context.js";
import { watchJob } from "./watch.js";

const jobPath = (id: string) => `/v1/jobs/${encodeURIComponent(id)}`;

export async function submitJob(ctx: CommandContext, file: string, options: { follow?: boolean }): Promise<number> {
  const spec = await readJsonFile(file);
  if (typeof spec !== "object" || spec === null || Array.isArray(spec)) throw usageError(`${file} must hold a JSON object (a job definition)`);
  const job = await ctx.client.json<Job>("POST", "/v1/jobs", spec);
  if (options.follow) {
    if (!ctx.json) print(`submitted job ${job.id}`);
    return watchJob(ctx, job.id);
  }
  if (ctx.json) printJson(job);
  else print(job.id);
  return 0;
}

export async function listJobs(ctx: CommandContext, options: { status?: string; limit?: string }): Promise<number> {
  const query = new URLSearchParams();
  if (options.status !== undefined) {
    if (!JOB_STATUSES.includes(options.status as JobStatus)) throw usageError(`--status must be one of ${JOB_STATUSES.join(", ")}`);
    query.set("status", options.status);
  }
  if (options.limit !== undefined) {
    const limit = Number(options.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw usageError("--limit must be an integer from 1 to 200");
    query.set("limit", String(limit));
  }
  const page = await ctx.client.json<{ jobs: Job[]; next_cursor: string | null }>("GET", `/v1/jobs${query.size ? `?${query}` : ""}`);
  if (ctx.json) printJson(page.jobs);
  else print(page.jobs.length ? jobsTable(page.jobs) : "no jobs");
  return 0;
}

export async function cancelJob(ctx: CommandContext, id: string): Promise<number> {
  const job = await ctx.client.json<Job>("POST", `${jobPath(id)}/cancel`);
  if (ctx.json) printJson(job);
  else print(statusLine(job));
  return 0;
}

/** Prints the job's metrics, a line per logged step (JSON lines with --json), then its status; --follow keeps going until the job ends. */
export async function showLogs(ctx: CommandContext, id: string, options: { follow?: boolean }): Promise<number> {
  let after = 0;
  for (;;) {
    // Read the status first: metrics written before a final status are then all fetched below.
    const job = await ctx.client.json<Job>("GET", jobPath(id));
    for (;;) {
      const page = await ctx.client.json<{ metrics: MetricRow[]; next_after: number }>("GET", `${jobPath(id)}/metrics?after=${after}&limit=1000`);
      for (const row of page.metrics) print(ctx.json ? JSON.stringify(row) : metricLine(row));
      after = page.next_after;
      if (page.metrics.length < 1000) break;
    }
    if (!options.follow || TERMINAL.includes(job.status)) {
      print(ctx.json ? JSON.stringify({ status: job.status, error: job.error }) : statusLine(job));
      return 0;
    }
    await sleep(1000);
  }
}
