// The API's response shapes the dashboard reads (see src/api/routes/*.ts).
export const JOB_STATUSES = ["queued", "running", "cancelling", "succeeded", "failed", "cancelled"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const TERMINAL_STATUSES: readonly JobStatus[] = ["succeeded", "failed", "cancelled"];
export const isTerminal = (status: JobStatus) => TERMINAL_STATUSES.includes(status);

export interface Layer {
  type: string;
  layers?: Layer[];
  [arg: string]: unknown;
}

export interface ClassSpec {
  type: string;
  [arg: string]: unknown;
}

export interface Job {
  id: string;
  status: JobStatus;
  model_id: string | null;
  dataset_id: string | null;
  spec: {
    layers: Layer[];
    dataset: { name?: string; id?: string };
    loss: ClassSpec;
    optimizer: ClassSpec;
    lr_scheduler: ClassSpec | null;
    epochs: number;
    batch_size: number;
    seed: number;
    validation_split: number;
    checkpoint_every_steps: number;
    max_runtime_seconds: number | null;
  };
  progress: { epoch: number; step: number; total_steps: number };
  latest_metrics: Record<string, number | null> | null;
  error: string | null;
  attempts: number;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface JobPage {
  jobs: Job[];
  next_cursor: string | null;
}

export interface MetricRow {
  step: number;
  epoch: number;
  train_loss: number;
  lr: number;
  val_loss?: number;
  val_accuracy?: number;
  test_loss?: number;
  test_accuracy?: number;
}

export interface Checkpoint {
  step: number;
  epoch: number;
  kind: "step" | "epoch" | "final";
  weights_size: number;
  weights_sha256: string;
  created_at: string;
}

export interface JobModel {
  model_id: string | null;
  layers: Layer[];
  param_count: number;
  printout: string;
}

export interface Dataset {
  id: string | null;
  name: string;
  builtin: boolean;
}
