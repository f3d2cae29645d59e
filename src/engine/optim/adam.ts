// torch.optim.Adam and AdamW (PyTorch 1.13 single-tensor rules). AdamW decays the weights directly
// (p *= 1 - lr * weight_decay) instead of adding weight_decay * p to the gradient.
import { bind } from "../nn/_args.js";
import { Optimizer, type OptimizerArg, type Closure, type ParamsInput } from "./optimizer.js";

import { ValueError } from "../errors.js";
import { zeros_like } from "./_tensor_math.js";
import { maximum } from "../ops/elementwise.js";
import type { Tensor } from "../tensor.js";
import { isNativeActive } from "../backends/native/index.js";
import { fusedAdamStep } from "./_fused.js";

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weight_decay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
  foreach?: boolean | null;
  capturable?: boolean;
  differentiable?: boolean;
  fused?: boolean;
}

export function checkAdamOptions(lr: number, eps: number, betas: [number, number], weight_decay: number): void {
  if (!(lr >= 0)) throw new ValueError(`Invalid learning rate: ${lr}`);
  if (!(eps >= 0)) throw new ValueError(`Invalid epsilon value: ${eps}`);
  if (!(betas[0] >= 0 && betas[0] < 1)) throw new ValueError(`Invalid beta parameter at index 0: ${betas[0]}`);
  if (!(betas[1] >= 0 && betas[1] < 1)) throw new ValueError(`Invalid beta parameter at index 1: ${betas[1]}`);
  if (!(weight_decay >= 0)) throw new ValueError(`Invalid weight_decay value: ${weight_decay}`);
}

abstract class AdamBase extends Optimizer {
  protected abstract readonly decoupled: boolean;

  step(closure?: Closure): Tensor | number | undefined {
    const loss = this.evaluateClosure(closure);
    this.withoutGrad(() => {
      for (const group of this.param_groups) {
        const { lr, eps, weight_decay, amsgrad, maximize } = group;
        const [beta1, beta2] = group.betas as [number, number];
        // The fused kernel updates memory directly: not for a step autograd must record (differentiable).
        const fused = isNativeActive() && !group.differentiable;
        for (const p of group.params) {
          if (p.grad === null) continue;
          if (p.grad.is_sparse) throw new Error("Adam does not support sparse gradients, please consider SparseAdam instead");
          const state = this.stateOf(p);
          if (state.step === undefined) {
            state.step = 0;
            state.exp_avg = zeros_like(p);
            state.exp_avg_sq = zeros_like(p);
            if (amsgrad) state.max_exp_avg_sq = zeros_like(p);
          }
          if (fused && fusedAdamStep(p, p.grad, state.exp_avg, state.exp_avg_sq, state.max_exp_avg_sq ?? null, state.step + 1,
            { lr, betas: [beta1, beta2], eps, weight_decay, amsgrad, maximize }, this.decoupled)) {
            state.step += 1;
            continue;
          }
          let grad: Tensor = maximize ? p.grad.neg() : p.grad;
          state.step += 1;
          const step: number = state.step;
          if (this.decoupled) p.mul_(1 - lr * weight_decay);
          else if (weight_decay !== 0) grad = grad.add(p, { alpha: weight_decay });
          const exp_avg: Tensor = state.exp_avg;
          const exp_avg_sq: Tensor = state.exp_avg_sq;
          exp_avg.mul_(beta1).add_(grad, { alpha: 1 - beta1 });
          exp_avg_sq.mul_(beta2).addcmul_(grad, grad, { value: 1 - beta2 });
          const bias_correction1 = 1 - beta1 ** step;
          const bias_correction2 = 1 - beta2 ** step;
          const step_size = lr / bias_correction1;
          const bias_correction2_sqrt = Math.sqrt(bias_correction2);
          let denom: Tensor;
          if (amsgrad) {
            const m = maximum(state.max_exp_avg_sq, exp_avg_sq);
            state.max_exp_avg_sq.copy_(m);
            denom = state.max_exp_avg_sq.sqrt().div(bias_correction2_sqrt).add_(eps);
          } else {
            denom = exp_avg_sq.sqrt().div(bias_correction2_sqrt).add_(eps);
          }
          p.addcdiv_(exp_avg, denom, { value: -step_size });
        }
      }
    });
    return loss;
  }
}

export class Adam extends AdamBase {
  protected readonly decoupled = false;
  constructor(params: ParamsInput, ...args: OptimizerArg<AdamOptions>[]) {
    const opts: AdamOptions = bind("Adam", ["lr", "betas", "eps", "weight_decay", "amsgrad", "foreach", "maximize", "capturable", "differentiable", "fused"], args);
    const { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weight_decay = 0, amsgrad = false, maximize = false } = opts;
    checkAdamOptions(lr, eps, betas, weight_decay);
    super(params, {
      lr, betas: [...betas], eps, weight_decay, amsgrad, maximize,
      foreach: opts.foreach ?? null, capturable: opts.capturable ?? false, differentiable: opts.differentiable ?? false, fused: opts.fused ?? false,
    });
  }
}

export class AdamW extends AdamBase {
  protected readonly decoupled = true;
  constructor(params: ParamsInput, ...args: OptimizerArg<AdamOptions>[]) {
    const opts: AdamOptions = bind("AdamW", ["lr", "betas", "eps", "weight_decay", "amsgrad", "maximize", "foreach", "capturable", "differentiable"], args);
    const { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weight_decay = 1e-2, amsgrad = false, maximize = false } = opts;
    checkAdamOptions(lr, eps, betas, weight_decay);
    super(params, {
      lr, betas: [...betas], eps, weight_decay, amsgrad, maximize,
      foreach: opts.foreach ?? null, capturable: opts.capturable ?? false, differentiable: opts.differentiable ?? false,
    });
  }
}
