// torch.optim.RMSprop (PyTorch 1.13): centered and momentum variants.
import { bind } from "../nn/_args.js";
import { Optimizer, type OptimizerArg, type Closure, type ParamsInput } from "./optimizer.js";

import { ValueError } from "../errors.js";
import { zeros_like } from "./_tensor_math.js";
import type { Tensor } from "../tensor.js";

export interface RMSpropOptions {
  lr?: number;
  alpha?: number;
  eps?: number;
  weight_decay?: number;
  momentum?: number;
  centered?: boolean;
  foreach?: boolean | null;
  maximize?: boolean;
  differentiable?: boolean;
}

export class RMSprop extends Optimizer {
  constructor(params: ParamsInput, ...args: OptimizerArg<RMSpropOptions>[]) {
    const opts: RMSpropOptions = bind("RMSprop", ["lr", "alpha", "eps", "weight_decay", "momentum", "centered", "foreach", "maximize", "differentiable"], args);
    const { lr = 1e-2, alpha = 0.99, eps = 1e-8, weight_decay = 0, momentum = 0, centered = false, maximize = false } = opts;
    if (!(lr >= 0)) throw new ValueError(`Invalid learning rate: ${lr}`);
    if (!(eps >= 0)) throw new ValueError(`Invalid epsilon value: ${eps}`);
    if (!(momentum >= 0)) throw new ValueError(`Invalid momentum value: ${momentum}`);
    if (!(weight_decay >= 0)) throw new ValueError(`Invalid weight_decay value: ${weight_decay}`);
    if (!(alpha >= 0)) throw new ValueError(`Invalid alpha value: ${alpha}`);
    super(params, {
      lr, momentum, alpha, eps, centered, weight_decay, foreach: opts.foreach ?? null, maximize, differentiable: opts.differentiable ?? false,
    });
  }

  step(closure?: Closure): Tensor | number | undefined {
    const loss = this.evaluateClosure(closure);
    this.withoutGrad(() => {
      for (const group of this.param_groups) {
        const { lr, alpha, eps, weight_decay, momentum, centered, maximize } = group;
        for (const p of group.params) {
          if (p.grad === null) continue;
          const state = this.stateOf(p);
          if (state.step === undefined) {
            state.step = 0;
            state.square_avg = zeros_like(p);
            if (momentum > 0) state.momentum_buffer = zeros_like(p);
            if (centered) state.grad_avg = zeros_like(p);
          }
          state.step += 1;
          let grad: Tensor = maximize ? p.grad.neg() : p.grad;
          if (weight_decay !== 0) grad = grad.add(p, { alpha: weight_decay });
          const square_avg: Tensor = state.square_avg;
          square_avg.mul_(alpha).addcmul_(grad, grad, { value: 1 - alpha });
          let avg: Tensor;
          if (centered) {
            const grad_avg: Tensor = state.grad_avg;
            grad_avg.mul_(alpha).add_(grad, { alpha: 1 - alpha });
            avg = square_avg.sub(grad_avg.mul(grad_avg)).sqrt().add_(eps);
          } else {
            avg = square_avg.sqrt().add_(eps);
          }
          if (momentum > 0) {
            const buf: Tensor = state.momentum_buffer;
            buf.mul_(momentum).addcdiv_(grad, avg);
            p.add_(buf, { alpha: -lr });
          } else {
            p.addcdiv_(grad, avg, { value: -lr });
          }
        }
      }
    });
    return loss;
  }
}
