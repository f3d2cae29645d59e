// Following a job live through its server-sent events (GET /v1/jobs/:id/events): metric rows and
// status changes as they happen. A dropped stream is reopened where it stopped (Last-Event-ID); when
// it cannot be had at all (RECONNECTS tries in a row fail), the caller falls back to polling.
import type { ApiClient } from "./client.js";
import { pollJob, sleep } from "./poll.js";
import { readSse } from "./sse.js";
import { TERMINAL, type Job, type JobStatus, type MetricRow } from "./types.js";

const RECONNECTS = 3;
const RECONNECT_DELAY_MS = 500;
/** The API sends a keep-alive every 15 s; a stream silent for this long is taken for dead. */
const IDLE_MS = 45_000;

export const jobPath = (id: string) => `/v1/jobs/${encodeURIComponent(id)}`;

export type JobUpdate = { type: "metric"; row: MetricRow } | { type: "status"; status: JobStatus; error: string | null };

/** The event stream could not be opened, or kept failing. */
export class StreamUnavailable extends Error {}

function toUpdate(event: string, data: string): JobUpdate | undefined {
  if (event === "metric") return { type: "metric", row: JSON.parse(data) as MetricRow };
  if (event === "status") {
    const body = JSON.parse(data) as { status: JobStatus; error?: string };
    return { type: "status", status: body.status, error: body.error ?? null };
  }
  return undefined; // other notices (resumed, interrupted)
}

/** The job's updates after metric step `afterStep` (and all its status events), until its final status. */
export async function* jobUpdates(client: ApiClient, id: string, afterStep: number): AsyncGenerator<JobUpdate> {
  let lastEventId = `0:${afterStep}`;
  let failures = 0;
  let reason = "";
  for (;;) {
    const controller = new AbortController();
    let idle: NodeJS.Timeout | undefined;
    const stillAlive = () => {
      clearTimeout(idle);
      idle = setTimeout(() => controller.abort(new Error(`no data for ${IDLE_MS / 1000} s`)), IDLE_MS);
    };
    try {
      stillAlive();
      const response = await client.request("GET", `${jobPath(id)}/events`, undefined, { headers: { accept: "text/event-stream", "last-event-id": lastEventId }, signal: controller.signal });
      if (!response.body || !response.headers.get("content-type")?.startsWith("text/event-stream")) {
        throw new Error(`the API answered ${response.headers.get("content-type") ?? "no content type"}, not an event stream`);
      }
      for await (const message of readSse(response.body, stillAlive)) {
        failures = 0;
        if (message.id) lastEventId = message.id;
        const update = toUpdate(message.event, message.data);
        if (!update) continue;
        yield update;
        if (update.type === "status" && TERMINAL.includes(update.status)) return;
      }
      reason = "the stream ended before the job did";
    } catch (err) {
      reason = (controller.signal.reason as Error | undefined)?.message ?? (err as Error).message;
    } finally {
      clearTimeout(idle);
      controller.abort();
    }
    if (++failures > RECONNECTS) throw new StreamUnavailable(reason);
    await sleep(RECONNECT_DELAY_MS);
  }
}

/** Statuses only move forward (queued, running, cancelling, a final one): a replayed older one is ignored. */
const RANK: Record<JobStatus, number> = { queued: 0, running: 1, cancelling: 2, succeeded: 3, failed: 3, cancelled: 3 };

function applyUpdate(job: Job, update: JobUpdate): Job {
  if (update.type === "metric") {
    const { step, epoch, ...values } = update.row;
    return { ...job, progress: { ...job.progress, step, epoch }, latest_metrics: values };
  }
  if (RANK[update.status] < RANK[job.status]) return job;
  return { ...job, status: update.status, error: update.error ?? job.error };
}

/**
 * The job as it changes, until its final status: the API's own record first and last, and in between
 * the record with each streamed update applied. Polls instead when the stream cannot be had
 * (`onFallback` hears why).
 */
export async function* followJob(client: ApiClient, id: string, onFallback: (reason: string) => void = () => {}): AsyncGenerator<Job> {
  let job = await client.json<Job>("GET", jobPath(id));
  yield job;
  if (TERMINAL.includes(job.status)) return;
  try {
    for await (const update of jobUpdates(client, id, job.progress.step)) {
      const next = applyUpdate(job, update);
      if (next !== job) yield (job = next);
    }
  } catch (err) {
    if (!(err instanceof StreamUnavailable)) throw err;
    onFallback(err.message);
    yield* pollJob(client, id);
    return;
  }
  yield await client.json<Job>("GET", jobPath(id));
}
