// Validation: first the budget (budget.ts: limits and shapes, from the JSON alone, so nothing large
// is ever allocated), then by building: a model (or a whole job) is accepted when the engine can
// construct it and, for a job, run a forward pass and the loss on a two-row batch shaped like the data set.
import type { ModelLimits } from "../config.js";
import type { DType, TensorShapes } from "../datasets/arrays.js";
import { checkJobBudget, checkModelBudget } from "./budget.js";
import { buildLoss, buildOptimizer, buildScheduler, buildSequential, countParameters, SpecError } from "./build.js";
import { PER_BATCH_SCHEDULERS } from "./signatures.js";
import { stepsPerEpoch, type JobSpec, type LayerSpec } from "./spec.js";
import { callModule, loadTorch, type TorchLike } from "./torch.js";

export interface ModelDescription {
  param_count: number;
  printout: string;
}

export async function describeModel(layers: LayerSpec[], limits: ModelLimits): Promise<ModelDescription> {
  checkModelBudget(layers, limits);
  const torch = await loadTorch();
  const model = buildSequential(torch, layers);
  return { param_count: countParameters(model), printout: String(model) };
}

function dtypeOf(torch: TorchLike, dtype: DType) {
  return torch[dtype];
}

/** Builds everything the job names and runs one forward pass and the loss on zeros; returns the model's description. */
export async function checkJob(spec: JobSpec, shapes: TensorShapes, limits: ModelLimits): Promise<ModelDescription> {
  checkJobBudget(spec, shapes, limits);
  checkTrainerSupport(spec, shapes.x!.shape[0]);
  const torch = await loadTorch();
  const model = buildSequential(torch, spec.layers);
  const loss = buildLoss(torch, spec.loss);
  const optimizer = buildOptimizer(torch, spec.optimizer, model.parameters());
  if (spec.lr_scheduler) buildScheduler(torch, spec.lr_scheduler, optimizer);
  const x = shapes.x!;
  const y = shapes.y!;
  torch.no_grad(() => {
    let output;
    try {
      output = callModule(model, torch.zeros([2, ...x.shape.slice(1)], { dtype: dtypeOf(torch, x.dtype) }));
    } catch (err) {
      throw new SpecError(`the model cannot take the data set's input of shape [N, ${x.shape.slice(1).join(", ")}]: ${(err as Error).message}`, "layers", "unbuildable");
    }
    try {
      callModule(loss, output, torch.zeros([2, ...y.shape.slice(1)], { dtype: dtypeOf(torch, y.dtype) }));
    } catch (err) {
      throw new SpecError(`${spec.loss.type} cannot compare the model's output of shape [${output.shape.join(", ")}] with the labels of shape [N${y.shape.slice(1).map((d) => `, ${d}`).join("")}]: ${(err as Error).message}`, "loss", "unbuildable");
    }
  });
  return { param_count: countParameters(model), printout: String(model) };
}

/** Steps are counted in 32-bit integer columns. */
const MAX_TOTAL_STEPS = 2 ** 31 - 1;

/** What the engine would build but the trainer cannot run: refused at submission rather than failing at step 1. */
function checkTrainerSupport(spec: JobSpec, rows: number): void {
  const steps = spec.epochs * stepsPerEpoch(rows, spec);
  if (steps > MAX_TOTAL_STEPS) throw new SpecError(`the job would take ${steps} steps (epochs × ceil(rows / batch_size)); at most ${MAX_TOTAL_STEPS}`, "epochs", "unbuildable");
  if (spec.optimizer.type === "LBFGS") throw new SpecError("LBFGS needs a closure that re-evaluates the loss, which the trainer does not pass; choose another optimizer", "optimizer.type", "unbuildable");
  if (spec.optimizer.type === "SparseAdam") throw new SpecError("SparseAdam takes sparse gradients only, and every layer offered gives dense ones; use Adam", "optimizer.type", "unbuildable");
  const scheduler = spec.lr_scheduler;
  if (scheduler?.type === "OneCycleLR") {
    const perBatch = (scheduler.interval ?? (PER_BATCH_SCHEDULERS.has(scheduler.type) ? "step" : "epoch")) === "step";
    const calls = perBatch ? spec.epochs * stepsPerEpoch(rows, spec) : spec.epochs;
    const total = typeof scheduler.total_steps === "number" ? scheduler.total_steps : typeof scheduler.epochs === "number" && typeof scheduler.steps_per_epoch === "number" ? scheduler.epochs * scheduler.steps_per_epoch : undefined;
    if (total !== undefined && calls > total)
      throw new SpecError(`OneCycleLR is set for ${total} steps, but this job steps it ${calls} times (every ${perBatch ? "batch" : "epoch"}); PyTorch refuses to step it past the end`, "lr_scheduler.total_steps", "unbuildable");
  }
}
