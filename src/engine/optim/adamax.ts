// torch.optim.Adamax (PyTorch 1.13): Adam with the infinity norm.
import { bind } from "../nn/_args.js";
import { Optimizer, type OptimizerArg, type Closure, type ParamsInput } from "./optimizer.js";
import { ValueError } from "../errors.js";
import { zeros_like } from "./_tensor_math.js";
import { maximum } from "../ops/elementwise.js";
import type { Tensor } from "../tensor.js";

export interface AdamaxOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weight_decay?: number;
  foreach?: boolean | null;
  maximize?: boolean;
}

export class Adamax extends Optimizer {
  constructor(params: ParamsInput, ...args: OptimizerArg<AdamaxOptions>[]) {
    const opts: AdamaxOptions = bind("Adamax", ["lr", "betas", "eps", "weight_decay", "foreach", "maximize"], args);
    const { lr = 2e-3, betas = [0.9, 0.999], eps = 1e-8, weight_decay = 0, maximize = false } = opts;
    if (!(lr >= 0)) throw new ValueError(`Invalid learning rate: ${lr}`);
    if (!(eps >= 0)) throw new ValueError(`Invalid epsilon value: ${eps}`);
    if (!(betas[0] >= 0 && betas[0] < 1)) throw new ValueError(`Invalid beta parameter at index 0: ${betas[0]}`);
    if (!(betas[1] >= 0 && betas[1] < 1)) throw new ValueError(`Invalid beta parameter at index 1: ${betas[1]}`);
    if (!(weight_decay >= 0)) throw new ValueError(`Invalid weight_decay value: ${weight_decay}`);
    super(params, { lr, betas: [...betas], eps, weight_decay, foreach: opts.foreach ?? null, maximize });
  }

  step(closure?: Closure): Tensor | number | undefined {
    const loss = this.evaluateClosure(closure);
    this.withoutGrad(() => {
      for (const group of this.param_groups) {
        const { lr, eps, weight_decay, maximize } = group;
        const [beta1, beta2] = group.betas as [number, number];
        for (const p of group.params) {
          if (p.grad === null) continue;
          const state = this.stateOf(p);
          if (state.step === undefined) {
            state.step = 0;
            state.exp_avg = zeros_like(p);
            state.exp_inf = zeros_like(p);
          }
          state.step += 1;
          const step: number = state.step;
          let grad: Tensor = maximize ? p.grad.neg() : p.grad;
          if (weight_decay !== 0) grad = grad.add(p, { alpha: weight_decay });
          const exp_avg: Tensor = state.exp_avg;
          const exp_inf: Tensor = state.exp_inf;
          exp_avg.mul_(beta1).add_(grad, { alpha: 1 - beta1 });
          // exp_inf = max(beta2 * exp_inf, |grad| + eps)
          exp_inf.copy_(maximum(exp_inf.mul_(beta2), grad.abs().add_(eps)));
          const clr = lr / (1 - beta1 ** step);
          p.addcdiv_(exp_avg, exp_inf, { value: -clr });
        }
      }
    });
    return loss;
  }
}
