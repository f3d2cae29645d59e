// torch.optim.SGD (PyTorch 1.13): momentum, dampening, nesterov, weight_decay, maximize.
import { bind } from "../nn/_args.js";
import { Optimizer, type OptimizerArg, required, type Closure, type ParamsInput } from "./optimizer.js";
import { ValueError } from "../errors.js";
import { isNativeActive } from "../backends/native/index.js";
import { fusedSgdStep } from "./_fused.js";
import type { Tensor } from "../tensor.js";

export interface SGDOptions {
  lr?: number;
  momentum?: number;
  dampening?: number;
  weight_decay?: number;
  nesterov?: boolean;
  maximize?: boolean;
  foreach?: boolean | null;
  differentiable?: boolean;
}

export class SGD extends Optimizer {
  constructor(params: ParamsInput, ...args: OptimizerArg<SGDOptions>[]) {
    const opts: SGDOptions = bind("SGD", ["lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize", "foreach", "differentiable"], args);
    const { lr = required, momentum = 0, dampening = 0, weight_decay = 0, nesterov = false, maximize = false } = opts as any;
    if (lr !== required && lr < 0) throw new ValueError(`Invalid learning rate: ${lr}`);
    if (momentum < 0) throw new ValueError(`Invalid momentum value: ${momentum}`);
    if (weight_decay < 0) throw new ValueError(`Invalid weight_decay value: ${weight_decay}`);
    if (nesterov && (momentum <= 0 || dampening !== 0)) throw new ValueError("Nesterov momentum requires a momentum and zero dampening");
    super(params, { lr, momentum, dampening, weight_decay, nesterov, maximize, foreach: opts.foreach ?? null, differentiable: opts.differentiable ?? false });
  }

  step(closure?: Closure): Tensor | number | undefined {
    const loss = this.evaluateClosure(closure);
    this.withoutGrad(() => {
      for (const group of this.param_groups) {
        const { lr, momentum, dampening, weight_decay, nesterov, maximize, differentiable } = group;
        // The fused kernel updates memory directly: not for a step autograd must record (differentiable).
        const fused = isNativeActive() && !differentiable;
        for (const p of group.params) {
          if (p.grad === null) continue;
          if (fused) {
            const state = this.stateOf(p);
            const buf = fusedSgdStep(p, p.grad, (state.momentum_buffer as Tensor | null | undefined) ?? null, { lr, momentum, dampening, weight_decay, nesterov, maximize });
            if (buf !== undefined) {
              state.momentum_buffer = buf;
              continue;
            }
          }
          let d_p: Tensor = maximize ? p.grad.neg() : p.grad;
          if (weight_decay !== 0) d_p = d_p.add(p, { alpha: weight_decay });
          // PyTorch records the buffer (None without momentum) for every parameter that had a gradient.
          const state = this.stateOf(p);
          if (momentum === 0) state.momentum_buffer = null;
          else {
            let buf: Tensor | null = state.momentum_buffer ?? null;
            if (buf === null) {
              buf = d_p.clone().detach();
              state.momentum_buffer = buf;
            } else {
              buf.mul_(momentum).add_(d_p, { alpha: 1 - dampening });
            }
            d_p = nesterov ? d_p.add(buf, { alpha: momentum }) : buf;
          }
          p.add_(d_p, { alpha: -lr });
        }
      }
    });
    return loss;
  }
}
