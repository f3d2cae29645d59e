// The training loop, written against the engine's PyTorch-shaped API (torch.ts). It knows nothing
// about queues or databases: the caller supplies data, an optional resume point and hooks for
// metrics, checkpoints, stopping and yielding to the event loop.
//
// Determinism: torch.manual_seed(seed) before building the model gives the initial weights; the
// validation split and every epoch's shuffle come from (seed, epoch) (random.ts); and the engine's
// generator is re-seeded from (seed, step) before every step, so dropout draws depend on the step
// alone. A job resumed at step S therefore continues exactly as an uninterrupted run would.
import type { DatasetArrays, ArrayTensor } from "../datasets/arrays.js";
import type { MetricRow } from "../store/metrics.js";
import { asFloat32, gatherRows } from "./batches.js";
import { buildLoss, buildOptimizer, buildScheduler, buildSequential } from "./build.js";
import { mixSeed, permutation } from "./random.js";
import { PER_BATCH_SCHEDULERS } from "./signatures.js";
import { stepsPerEpoch, trainRows, type JobSpec } from "./spec.js";
import { packState, unpackState } from "./state.js";
import { callModule, type ModuleLike, type OptimizerLike, type SchedulerLike, type TensorLike, type TorchLike } from "./torch.js";

/** superseded: another worker took the job over (its queue entry was lost and re-enqueued). */
export type StopReason = "cancel" | "shutdown" | "timeout" | "superseded";

export interface CheckpointData {
  step: number;
  epoch: number;
  kind: "step" | "epoch" | "final";
  weights: Uint8Array;
  state: Uint8Array;
}

export interface ResumePoint {
  step: number;
  weights: Uint8Array;
  state: Uint8Array;
}

export interface TrainerHooks {
  /** Asked before every step. */
  shouldStop(): StopReason | null;
  onStep(row: MetricRow): void;
  onCheckpoint(checkpoint: CheckpointData): Promise<void>;
  /** Lets the event loop run between steps (IPC, timers); training is otherwise synchronous. */
  yieldToEventLoop(): Promise<void>;
}

export type TrainOutcome =
  | { status: "succeeded"; step: number; final: CheckpointData }
  | { status: "stopped"; reason: StopReason; step: number; checkpoint: CheckpointData | null }
  | { status: "failed"; step: number; error: string };

interface SavedState {
  version: 1;
  step: number;
  epoch: number;
  optimizer: ReturnType<OptimizerLike["state_dict"]>;
  scheduler: object | null;
  rng: { seed: number; scheme: "manual_seed(mix(seed, step)) before each step" };
}

export const EVAL_BATCH = 1000;

function toTensor(torch: TorchLike, t: ArrayTensor): TensorLike {
  return torch.tensor(t.data, { dtype: torch[t.dtype] }).reshape(t.shape);
}

const isClassification = (y: ArrayTensor) => y.dtype === "int64" || y.dtype === "int32";

/** Mean loss (and accuracy for class labels) over the given rows, in eval mode without gradients. */
function evaluate(torch: TorchLike, model: ModuleLike, loss: ModuleLike, x: ArrayTensor, y: ArrayTensor, rows: ArrayLike<number>): { loss: number; accuracy?: number } {
  model.eval();
  let lossSum = 0;
  let correct = 0;
  torch.no_grad(() => {
    for (let start = 0; start < rows.length; start += EVAL_BATCH) {
      const index = Array.from({ length: Math.min(EVAL_BATCH, rows.length - start) }, (_, i) => rows[start + i]);
      const output = callModule(model, toTensor(torch, gatherRows(x, index)));
      const target = toTensor(torch, gatherRows(y, index));
      lossSum += callModule(loss, output, target).item() * index.length;
      if (isClassification(y)) correct += output.argmax(1).eq(target).sum().item();
    }
  });
  model.train();
  return { loss: lossSum / rows.length, ...(isClassification(y) ? { accuracy: correct / rows.length } : {}) };
}

function capture(torch: TorchLike, model: ModuleLike, optimizer: OptimizerLike, scheduler: SchedulerLike | null, spec: JobSpec, step: number, epoch: number, kind: CheckpointData["kind"]): CheckpointData {
  const state: SavedState = {
    version: 1,
    step,
    epoch,
    optimizer: optimizer.state_dict(),
    scheduler: scheduler ? scheduler.state_dict() : null,
    rng: { seed: spec.seed, scheme: "manual_seed(mix(seed, step)) before each step" },
  };
  return { step, epoch, kind, weights: torch.save_safetensors(model.state_dict()), state: packState(torch, state) };
}

export async function train(torch: TorchLike, spec: JobSpec, data: DatasetArrays, resume: ResumePoint | null, hooks: TrainerHooks): Promise<TrainOutcome> {
  const x = asFloat32(data.x);
  const y = data.y.dtype === "float64" ? asFloat32(data.y) : data.y;
  const rows = x.shape[0];
  const split = permutation(rows, mixSeed(spec.seed, 0x5eed));
  const valCount = rows - trainRows(rows, spec.validation_split);
  const valRows = split.subarray(0, valCount);
  const trainIndex = split.subarray(valCount);
  const perEpoch = stepsPerEpoch(rows, spec);
  const totalSteps = perEpoch * spec.epochs;

  torch.manual_seed(spec.seed);
  const model = buildSequential(torch, spec.layers);
  const loss = buildLoss(torch, spec.loss);
  const optimizer = buildOptimizer(torch, spec.optimizer, model.parameters());
  const scheduler = spec.lr_scheduler ? buildScheduler(torch, spec.lr_scheduler, optimizer) : null;
  const schedulerPerBatch = spec.lr_scheduler ? (spec.lr_scheduler.interval ?? (PER_BATCH_SCHEDULERS.has(spec.lr_scheduler.type) ? "step" : "epoch")) === "step" : false;
  const plateau = spec.lr_scheduler?.type === "ReduceLROnPlateau";

  let step = 0;
  if (resume) {
    model.load_state_dict(torch.load_safetensors(resume.weights));
    const saved = unpackState<SavedState>(torch, resume.state);
    optimizer.load_state_dict(saved.optimizer);
    if (scheduler && saved.scheduler) scheduler.load_state_dict(saved.scheduler);
    step = saved.step;
  }
  model.train();
  let checkpointedStep = step;

  for (let epoch = Math.floor(step / perEpoch); epoch < spec.epochs; epoch++) {
    const order = permutation(trainIndex.length, mixSeed(spec.seed, epoch + 1));
    let epochLossSum = 0;
    for (let batch = step - epoch * perEpoch; batch < perEpoch; batch++) {
      const reason = hooks.shouldStop();
      if (reason) {
        // A stop between checkpoints keeps the progress made since the last one.
        const checkpoint = step > checkpointedStep ? capture(torch, model, optimizer, scheduler, spec, step, epoch + 1, "step") : null;
        return { status: "stopped", reason, step, checkpoint };
      }
      step++;
      torch.manual_seed(mixSeed(spec.seed, step));
      const begin = batch * spec.batch_size;
      const index = Array.from(order.subarray(begin, Math.min(begin + spec.batch_size, order.length)), (i) => trainIndex[i]);
      const lr = optimizer.param_groups[0].lr;
      optimizer.zero_grad();
      const output = callModule(model, toTensor(torch, gatherRows(x, index)));
      const value = callModule(loss, output, toTensor(torch, gatherRows(y, index)));
      const trainLoss = value.item();
      if (!Number.isFinite(trainLoss)) return { status: "failed", step, error: `the loss became ${trainLoss} at step ${step} (epoch ${epoch + 1})` };
      value.backward();
      optimizer.step();
      if (scheduler && schedulerPerBatch) scheduler.step();
      epochLossSum += trainLoss;

      const row: MetricRow = { step, epoch: epoch + 1, train_loss: trainLoss, lr };
      const endOfEpoch = batch === perEpoch - 1;
      if (endOfEpoch) {
        if (valRows.length > 0) {
          const val = evaluate(torch, model, loss, x, y, valRows);
          row.val_loss = val.loss;
          if (val.accuracy !== undefined) row.val_accuracy = val.accuracy;
        }
        if (scheduler && !schedulerPerBatch) {
          if (plateau) scheduler.step(row.val_loss ?? epochLossSum / perEpoch);
          else scheduler.step();
        }
        if (step === totalSteps && data.x_test && data.y_test) {
          const xTest = asFloat32(data.x_test);
          const yTest = data.y_test.dtype === "float64" ? asFloat32(data.y_test) : data.y_test;
          const test = evaluate(torch, model, loss, xTest, yTest, Array.from({ length: xTest.shape[0] }, (_, i) => i));
          row.test_loss = test.loss;
          if (test.accuracy !== undefined) row.test_accuracy = test.accuracy;
        }
      }
      hooks.onStep(row);
      if (endOfEpoch || step % spec.checkpoint_every_steps === 0) {
        await hooks.onCheckpoint(capture(torch, model, optimizer, scheduler, spec, step, epoch + 1, endOfEpoch ? "epoch" : "step"));
        checkpointedStep = step;
      }
      await hooks.yieldToEventLoop();
    }
  }
  const final = capture(torch, model, optimizer, scheduler, spec, step, spec.epochs, "final");
  return { status: "succeeded", step, final };
}
