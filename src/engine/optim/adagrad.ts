// torch.optim.Adagrad (PyTorch 1.13).
import { bind } from "../nn/_args.js";
import { Optimizer, type OptimizerArg, type Closure, type ParamsInput } from "./optimizer.js";

import { ValueError } from "../errors.js";
import { full_like } from "./_tensor_math.js";
import type { Tensor } from "../tensor.js";

export interface AdagradOptions {
  lr?: number;
  lr_decay?: number;
  weight_decay?: number;
  initial_accumulator_value?: number;
  eps?: number;
  foreach?: boolean | null;
  maximize?: boolean;
}

export class Adagrad extends Optimizer {
  constructor(params: ParamsInput, ...args: OptimizerArg<AdagradOptions>[]) {
    const opts: AdagradOptions = bind("Adagrad", ["lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps", "foreach", "maximize"], args);
    const { lr = 1e-2, lr_decay = 0, weight_decay = 0, initial_accumulator_value = 0, eps = 1e-10, maximize = false } = opts;
    if (!(lr >= 0)) throw new ValueError(`Invalid learning rate: ${lr}`);
    if (!(lr_decay >= 0)) throw new ValueError(`Invalid lr_decay value: ${lr_decay}`);
    if (!(weight_decay >= 0)) throw new ValueError(`Invalid weight_decay value: ${weight_decay}`);
    if (!(initial_accumulator_value >= 0)) throw new ValueError(`Invalid initial_accumulator_value value: ${initial_accumulator_value}`);
    if (!(eps >= 0)) throw new ValueError(`Invalid epsilon value: ${eps}`);
    super(params, { lr, lr_decay, eps, weight_decay, initial_accumulator_value, foreach: opts.foreach ?? null, maximize });
    // Adagrad creates its state eagerly, in the constructor.
    for (const group of this.param_groups) {
      for (const p of group.params) {
        const state = this.stateOf(p);
        state.step = 0;
        state.sum = full_like(p, group.initial_accumulator_value);
      }
    }
  }

  step(closure?: Closure): Tensor | number | undefined {
    const loss = this.evaluateClosure(closure);
    this.withoutGrad(() => {
      for (const group of this.param_groups) {
        const { lr, lr_decay, weight_decay, eps, maximize } = group;
        for (const p of group.params) {
          if (p.grad === null) continue;
          const state = this.stateOf(p);
          state.step += 1;
          const step: number = state.step;
          let grad: Tensor = maximize ? p.grad.neg() : p.grad;
          if (weight_decay !== 0) grad = grad.add(p, { alpha: weight_decay });
          const clr = lr / (1 + (step - 1) * lr_decay);
          state.sum.addcmul_(grad, grad, { value: 1 });
          const std = (state.sum as Tensor).sqrt().add_(eps);
          p.addcdiv_(grad, std, { value: -clr });
        }
      }
    });
    return loss;
  }
}
