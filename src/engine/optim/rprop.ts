// torch.optim.Rprop (PyTorch 1.13): sign-based steps with per-element adaptive step sizes.
import { bind } from "../nn/_args.js";
import { Optimizer, type OptimizerArg, type Closure, type ParamsInput } from "./optimizer.js";
import { ValueError } from "../errors.js";
import { zeros_like, full_like } from "./_tensor_math.js";
import { where } from "../ops/elementwise.js";
import type { Tensor } from "../tensor.js";

export interface RpropOptions {
  lr?: number;
  etas?: [number, number];
  step_sizes?: [number, number];
  foreach?: boolean | null;
  maximize?: boolean;
}

export class Rprop extends Optimizer {
  constructor(params: ParamsInput, ...args: OptimizerArg<RpropOptions>[]) {
    const opts: RpropOptions = bind("Rprop", ["lr", "etas", "step_sizes", "foreach", "maximize"], args);
    const { lr = 1e-2, etas = [0.5, 1.2], step_sizes = [1e-6, 50], maximize = false } = opts;
    if (!(lr >= 0)) throw new ValueError(`Invalid learning rate: ${lr}`);
    if (!(0 < etas[0] && etas[0] < 1 && 1 < etas[1])) throw new ValueError(`Invalid eta values: ${etas[0]}, ${etas[1]}`);
    super(params, { lr, etas: [...etas], step_sizes: [...step_sizes], foreach: opts.foreach ?? null, maximize });
  }

  step(closure?: Closure): Tensor | number | undefined {
    const loss = this.evaluateClosure(closure);
    this.withoutGrad(() => {
      for (const group of this.param_groups) {
        const [etaminus, etaplus] = group.etas as [number, number];
        const [step_size_min, step_size_max] = group.step_sizes as [number, number];
        for (const p of group.params) {
          if (p.grad === null) continue;
          const state = this.stateOf(p);
          if (state.step === undefined) {
            state.step = 0;
            state.prev = zeros_like(p);
            state.step_size = full_like(p.grad, group.lr);
          }
          state.step += 1;
          let grad: Tensor = group.maximize ? p.grad.neg() : p.grad;
          const prev: Tensor = state.prev;
          const step_size: Tensor = state.step_size;
          const s = grad.mul(prev).sign();
          // sign > 0 -> etaplus, sign < 0 -> etaminus, 0 -> 1
          const factor = where(s.gt(0), full_like(s, etaplus), where(s.lt(0), full_like(s, etaminus), full_like(s, 1)));
          step_size.mul_(factor).clamp_(step_size_min, step_size_max);
          // After a sign change the gradient counts as zero: no step now, and no sign next time.
          grad = where(s.lt(0), zeros_like(grad), grad);
          p.addcmul_(grad.sign(), step_size, { value: -1 });
          prev.copy_(grad);
        }
      }
    });
    return loss;
  }
}
