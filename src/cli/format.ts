// Human-readable output: the jobs table, one line per metric row, numbers kept short.
import type { Job, MetricRow } from "./types.js";

export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined) return "-";
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 1e-3 && Math.abs(value) < 1e5 ? value.toFixed(4) : value.toExponential(3);
}

function datasetName(job: Job): string {
  return job.spec.dataset.name ?? job.spec.dataset.id ?? "-";
}

/** Renders rows as left-aligned columns under a header. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join("  ");
  return [line(header), ...rows.map(line)].join("\n");
}

export function jobsTable(jobs: Job[]): string {
  return table(
    ["ID", "STATUS", "PROGRESS", "LOSS", "DATASET", "CREATED"],
    jobs.map((job) => [
      job.id,
      job.status,
      `${job.progress.step}/${job.progress.total_steps}`,
      formatNumber(job.latest_metrics?.train_loss),
      datasetName(job),
      job.created_at,
    ]),
  );
}

/** One metric row as `step 12 epoch 1 train_loss 0.1234 lr 0.0100 ...`, every field the row has. */
export function metricLine(row: MetricRow): string {
  const { step, epoch, ...values } = row;
  return [`step ${step}`, `epoch ${epoch}`, ...Object.entries(values).map(([name, value]) => `${name} ${formatNumber(value)}`)].join(" ");
}

/** The line that closes a job's output: its final status, and its error when it failed. */
export function statusLine(job: Job): string {
  return `job ${job.id} ${job.status}${job.error ? `: ${job.error}` : ""}`;
}
