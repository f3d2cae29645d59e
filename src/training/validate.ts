// Validation: first the budget (budget.ts: limits and shapes, from the JSON alone, so nothing large
// is ever allocated), then by building: a model (or a whole job) is accepted when the engine can
// construct it and, for a job, run a forward pass and the loss on a two-row batch shaped like the data set.
import type { ModelLimits } from "../config.js";
import type { DType, TensorShapes } from "../datasets/arrays.js";
import { checkJobBudget, checkModelBudget } from "./budget.js";
import { buildLoss, buildOptimizer, buildScheduler, buildSequential, countParameters, SpecError } from "./build.js";
import type { JobSpec, LayerSpec } from "./spec.js";
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
