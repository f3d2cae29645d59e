// trainyard watch JOB: follow a job to its end (its event stream, or polling where that cannot be had)
// with a progress bar per epoch; the exit code says how it ended (0 succeeded, 1 failed or cancelled).
import { EXIT_JOB_FAILED, EXIT_OK } from "../exit-codes.js";
import { statusLine } from "../format.js";
import { note, print, printJson } from "../output.js";
import { followJob } from "../follow.js";
import { EpochBars } from "../progress.js";
import type { Job } from "../types.js";
import type { CommandContext } from "./context.js";

export async function watchJob(ctx: CommandContext, id: string): Promise<number> {
  // Bars only for a person at a terminal; scripts (--json, pipes) get the final state alone.
  const bars = !ctx.json && process.stderr.isTTY ? new EpochBars() : null;
  let last: Job | undefined;
  let lastStatus: string | undefined;
  try {
    for await (const job of followJob(ctx.client, id, (reason) => note(`event stream unavailable (${reason}); polling instead`))) {
      last = job;
      if (!bars && !ctx.json && job.status !== lastStatus) note(`job ${job.id} ${job.status}`);
      lastStatus = job.status;
      if (job.status !== "queued") bars?.update(job);
    }
  } finally {
    bars?.stop();
  }
  const job = last!;
  if (ctx.json) printJson(job);
  else print(statusLine(job) + (job.latest_metrics ? ` (${finalMetrics(job)})` : ""));
  return job.status === "succeeded" ? EXIT_OK : EXIT_JOB_FAILED;
}

function finalMetrics(job: Job): string {
  return Object.entries(job.latest_metrics ?? {})
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k} ${Number(v).toPrecision(4)}`)
    .join(", ");
}
