// What a job asks for, as stored in the job row (snake_case, the API's own names). The model is
// inlined at submission, so a job keeps its definition even if the model record goes away.

/** One module of an nn.Sequential: PyTorch's class name and its constructor arguments by name. */
export interface LayerSpec {
  type: string;
  /** Only for type "Sequential": the nested modules. */
  layers?: LayerSpec[];
  [arg: string]: unknown;
}

/** A PyTorch class (loss, optimizer, scheduler) by name, with its constructor arguments by name. */
export interface ClassSpec {
  type: string;
  [arg: string]: unknown;
}

export type DatasetRef = { name: string } | { id: string };

export interface JobSpec {
  layers: LayerSpec[];
  dataset: DatasetRef;
  loss: ClassSpec;
  optimizer: ClassSpec;
  lr_scheduler: ClassSpec | null;
  epochs: number;
  batch_size: number;
  seed: number;
  validation_split: number;
  checkpoint_every_steps: number;
  max_runtime_seconds: number | null;
}

export const DEFAULT_CHECKPOINT_EVERY_STEPS = 500;

/** Training examples after the validation split is taken out (the split rounds down). */
export function trainRows(rows: number, validationSplit: number): number {
  return rows - Math.floor(rows * validationSplit);
}

export function stepsPerEpoch(rows: number, spec: Pick<JobSpec, "batch_size" | "validation_split">): number {
  return Math.ceil(trainRows(rows, spec.validation_split) / spec.batch_size);
}
