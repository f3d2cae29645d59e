// torch.optim.ASGD (PyTorch 1.13): averaged SGD. PyTorch keeps eta and mu as float32 scalar tensors, so
// they are rounded to float32 here too (Math.fround) to follow its trajectories exactly.
import { bind } from "../nn/_args.js";
import { Optimizer, type OptimizerArg, type Closure, type ParamsInput } from "./optimizer.js";
import { ValueError } from "../errors.js";
import { zeros_like } from "./_tensor_math.js";
import type { Tensor } from "../tensor.js";

export interface ASGDOptions {
  lr?: number;
  lambd?: number;
  alpha?: number;
  t0?: number;
  weight_decay?: number;
  foreach?: boolean | null;
  maximize?: boolean;
}

export class ASGD extends Optimizer {
  constructor(params: ParamsInput, ...args: OptimizerArg<ASGDOptions>[]) {
    const opts: ASGDOptions = bind("ASGD", ["lr", "lambd", "alpha", "t0", "weight_decay", "foreach", "maximize"], args);
    const { lr = 1e-2, lambd = 1e-4, alpha = 0.75, t0 = 1e6, weight_decay = 0, maximize = false } = opts;
    if (!(lr >= 0)) throw new ValueError(`Invalid learning rate: ${lr}`);
    if (!(weight_decay >= 0)) throw new ValueError(`Invalid weight_decay value: ${weight_decay}`);
    super(params, { lr, lambd, alpha, t0, weight_decay, foreach: opts.foreach ?? null, maximize });
  }

  step(closure?: Closure): Tensor | number | undefined {
    const loss = this.evaluateClosure(closure);
    this.withoutGrad(() => {
      for (const group of this.param_groups) {
        const { lr, lambd, alpha, t0, weight_decay, maximize } = group;
        for (const p of group.params) {
          if (p.grad === null) continue;
          const state = this.stateOf(p);
          if (state.step === undefined) {
            state.step = 0;
            state.eta = Math.fround(lr);
            state.mu = 1;
            state.ax = zeros_like(p);
          }
          let grad: Tensor = maximize ? p.grad.neg() : p.grad;
          state.step += 1;
          const step: number = state.step;
          if (weight_decay !== 0) grad = grad.add(p, { alpha: weight_decay });
          const eta: number = state.eta;
          p.mul_(1 - lambd * eta);
          p.add_(grad, { alpha: -eta });
          const ax: Tensor = state.ax;
          if (state.mu !== 1) ax.add_(p.sub(ax).mul(state.mu));
          else ax.copy_(p);
          state.eta = Math.fround(lr / (1 + lambd * lr * step) ** alpha);
          state.mu = Math.fround(1 / Math.max(1, step - t0));
        }
      }
    });
    return loss;
  }
}
