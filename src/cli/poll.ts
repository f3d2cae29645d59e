// Following a job by polling GET /v1/jobs/:id until it reaches a final status: the fallback when the
// event stream (follow.ts) cannot be had, e.g. behind a proxy that cuts long-lived responses.
import type { ApiClient } from "./client.js";
import { TERMINAL, type Job } from "./types.js";

const POLL_MS = 500;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function* pollJob(client: ApiClient, id: string, everyMs = POLL_MS): AsyncGenerator<Job> {
  for (;;) {
    const job = await client.json<Job>("GET", `/v1/jobs/${encodeURIComponent(id)}`);
    yield job;
    if (TERMINAL.includes(job.status)) return;
    await sleep(everyMs);
  }
}
