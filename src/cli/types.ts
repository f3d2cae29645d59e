// The API's JSON, as far as the CLI reads it (see src/api/routes/).
export type JobStatus = "queued" | "running" | "cancelling" | "succeeded" | "failed" | "cancelled";
export const JOB_STATUSES: readonly JobStatus[] = ["queued", "running", "cancelling", "succeeded", "failed", "cancelled"];
export const TERMINAL: readonly JobStatus[] = ["succeeded", "failed", "cancelled"];

export interface Job {
  id: string;
  status: JobStatus;
  model_id: string | null;
  dataset_id: string | null;
  spec: { epochs: number; batch_size: number; dataset: { name?: string; id?: string } };
  progress: { epoch: number; step: number; total_steps: number };
  latest_metrics: Record<string, number | null> | null;
  error: string | null;
  attempts: number;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface MetricRow {
  step: number;
  epoch: number;
  train_loss: number;
  lr: number;
  [name: string]: number;
}

export interface Model {
  id: string;
  name: string | null;
  param_count: number;
  printout: string;
  created_at: string;
}
