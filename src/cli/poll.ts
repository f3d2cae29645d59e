// Following a job by polling GET /v1/jobs/:id (cheap, and it survives API restarts and proxies that
// cut long-lived streams), until it reaches a final status.
import type { ApiClient } from "./client.js";
import { TERMINAL, type Job } from "./types.js";

const POLL_MS = 500;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function* followJob(client: ApiClient, id: string, everyMs = POLL_MS): AsyncGenerator<Job> {
  for (;;) {
    const job = await client.json<Job>("GET", `/v1/jobs/${encodeURIComponent(id)}`);
    yield job;
    if (TERMINAL.includes(job.status)) return;
    await sleep(everyMs);
  }
}
