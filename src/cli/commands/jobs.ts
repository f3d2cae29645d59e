// Job commands: submit, jobs (list), cancel, logs.
import { usageError } from "../exit-codes.js";
import { readJsonFile } from "../files.js";
import { jobsTable, metricLine, statusLine } from "../format.js";
import { jobPath, jobUpdates, StreamUnavailable } from "../follow.js";
import { note, print, printJson } from "../output.js";
import { sleep } from "../poll.js";
import { JOB_STATUSES, TERMINAL, type Job, type JobStatus, type MetricRow } from "../types.js";
import type { CommandContext } from "./context.js";
import { watchJob } from "./watch.js";


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
  const printRow = (row: MetricRow) => print(ctx.json ? JSON.stringify(row) : metricLine(row));
  const printStatus = (job: Job) => print(ctx.json ? JSON.stringify({ status: job.status, error: job.error }) : statusLine(job));
  // The status first: metrics written before a final status are then all fetched below.
  const job = await ctx.client.json<Job>("GET", jobPath(id));
  if (!options.follow || TERMINAL.includes(job.status)) {
    await printMetricsAfter(ctx, id, 0, printRow);
    printStatus(job);
    return 0;
  }
  // Live: every metric row from the start, then the final status, from the event stream.
  let after = 0;
  try {
    for await (const update of jobUpdates(ctx.client, id, 0)) {
      if (update.type !== "metric") continue;
      printRow(update.row);
      after = update.row.step;
    }
  } catch (err) {
    if (!(err instanceof StreamUnavailable)) throw err;
    note(`event stream unavailable (${err.message}); polling instead`);
    return pollLogs(ctx, id, after, printRow, printStatus);
  }
  printStatus(await ctx.client.json<Job>("GET", jobPath(id)));
  return 0;
}

/** Prints the metric rows after step `after`, page by page; answers the last step printed. */
async function printMetricsAfter(ctx: CommandContext, id: string, after: number, printRow: (row: MetricRow) => void): Promise<number> {
  for (;;) {
    const page = await ctx.client.json<{ metrics: MetricRow[]; next_after: number }>("GET", `${jobPath(id)}/metrics?after=${after}&limit=1000`);
    for (const row of page.metrics) printRow(row);
    after = page.next_after;
    if (page.metrics.length < 1000) return after;
  }
}

/** logs --follow without the event stream: the status, then new metrics, every second. */
async function pollLogs(ctx: CommandContext, id: string, after: number, printRow: (row: MetricRow) => void, printStatus: (job: Job) => void): Promise<number> {
  for (;;) {
    const job = await ctx.client.json<Job>("GET", jobPath(id));
    after = await printMetricsAfter(ctx, id, after, printRow);
    if (TERMINAL.includes(job.status)) {
      printStatus(job);
      return 0;
    }
    await sleep(1000);
  }
}
