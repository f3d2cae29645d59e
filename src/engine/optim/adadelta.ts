// torch.optim.Adadelta (PyTorch 1.13).
import { bind } from "../nn/_args.js";
import { Optimizer, type OptimizerArg, type Closure, type ParamsInput } from "./optimizer.js";

import { ValueError } from "../errors.js";
import { zeros_like } from "./_tensor_math.js";
import type { Tensor } from "../tensor.js";

export interface AdadeltaOptions {
  lr?: number;
  rho?: number;
  eps?: number;
  weight_decay?: number;
  foreach?: boolean | null;
  maximize?: boolean;
}

export class Adadelta extends Optimizer {
  constructor(params: ParamsInput, ...args: OptimizerArg<AdadeltaOptions>[]) {
    const opts: AdadeltaOptions = bind("Adadelta", ["lr", "rho", "eps", "weight_decay", "foreach", "maximize"], args);
    const { lr = 1.0, rho = 0.9, eps = 1e-6, weight_decay = 0, maximize = false } = opts;
    if (!(lr >= 0)) throw new ValueError(`Invalid learning rate: ${lr}`);
    if (!(rho >= 0 && rho <= 1)) throw new ValueError(`Invalid rho value: ${rho}`);
    if (!(eps >= 0)) throw new ValueError(`Invalid epsilon value: ${eps}`);
    if (!(weight_decay >= 0)) throw new ValueError(`Invalid weight_decay value: ${weight_decay}`);
    super(params, { lr, rho, eps, weight_decay, maximize, foreach: opts.foreach ?? null });
  }

  step(closure?: Closure): Tensor | number | undefined {
    const loss = this.evaluateClosure(closure);
    this.withoutGrad(() => {
      for (const group of this.param_groups) {
        const { lr, rho, eps, weight_decay, maximize } = group;
        for (const p of group.params) {
          if (p.grad === null) continue;
          const state = this.stateOf(p);
          if (state.step === undefined) {
            state.step = 0;
            state.square_avg = zeros_like(p);
            state.acc_delta = zeros_like(p);
          }
          state.step += 1;
          let grad: Tensor = maximize ? p.grad.neg() : p.grad;
          if (weight_decay !== 0) grad = grad.add(p, { alpha: weight_decay });
          const square_avg: Tensor = state.square_avg;
          const acc_delta: Tensor = state.acc_delta;
          square_avg.mul_(rho).addcmul_(grad, grad, { value: 1 - rho });
          const std = square_avg.add(eps).sqrt();
          const delta = acc_delta.add(eps).sqrt().div(std).mul(grad);
          acc_delta.mul_(rho).addcmul_(delta, delta, { value: 1 - rho });
          p.add_(delta, { alpha: -lr });
        }
      }
    });
    return loss;
  }
}
