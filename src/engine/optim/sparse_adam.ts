// torch.optim.SparseAdam (PyTorch 1.13): Adam for row-sparse gradients (a sparse nn.Embedding). Only the
// rows present in the gradient have their moments and values updated; a dense gradient is an error.
import { bind } from "../nn/_args.js";
import { Optimizer, type OptimizerArg, type Closure, type ParamsInput } from "./optimizer.js";
import { RuntimeError, ValueError } from "../errors.js";
import { zeros_like } from "./_tensor_math.js";
import type { Tensor } from "../tensor.js";
import { RowSparseTensor } from "../nn/sparse.js";

export interface SparseAdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  maximize?: boolean;
}

export class SparseAdam extends Optimizer {
  constructor(params: ParamsInput, ...args: OptimizerArg<SparseAdamOptions>[]) {
    const opts: SparseAdamOptions = bind("SparseAdam", ["lr", "betas", "eps", "maximize"], args);
    const { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, maximize = false } = opts;
    if (!(lr > 0)) throw new ValueError(`Invalid learning rate: ${lr}`);
    if (!(eps > 0)) throw new ValueError(`Invalid epsilon value: ${eps}`);
    if (!(betas[0] >= 0 && betas[0] < 1)) throw new ValueError(`Invalid beta parameter at index 0: ${betas[0]}`);
    if (!(betas[1] >= 0 && betas[1] < 1)) throw new ValueError(`Invalid beta parameter at index 1: ${betas[1]}`);
    super(params, { lr, betas: [...betas], eps, maximize });
  }

  step(closure?: Closure): Tensor | number | undefined {
    const loss = this.evaluateClosure(closure);
    this.withoutGrad(() => {
      for (const group of this.param_groups) {
        const { lr, eps, maximize } = group;
        const [beta1, beta2] = group.betas as [number, number];
        for (const p of group.params) {
          if (p.grad === null) continue;
          if (!(p.grad instanceof RowSparseTensor)) {
            throw new RuntimeError("SparseAdam does not support dense gradients, please consider Adam instead");
          }
          const state = this.stateOf(p);
          if (state.step === undefined) {
            state.step = 0;
            state.exp_avg = zeros_like(p);
            state.exp_avg_sq = zeros_like(p);
          }
          state.step += 1;
          const grad = p.grad.coalesce();
          const idx = grad.rowIndices;
          const values = maximize ? grad.rowValues.neg() : grad.rowValues;
          const exp_avg: Tensor = state.exp_avg;
          const exp_avg_sq: Tensor = state.exp_avg_sq;
          // Moments of the present rows: m += (g - m)(1 - beta1), v += (g^2 - v)(1 - beta2).
          const oldAvg = exp_avg.index_select(0, idx);
          const avgUpdate = values.sub(oldAvg).mul(1 - beta1);
          exp_avg.index_add_(0, idx, avgUpdate);
          const oldSq = exp_avg_sq.index_select(0, idx);
          const sqUpdate = values.square().sub(oldSq).mul(1 - beta2);
          exp_avg_sq.index_add_(0, idx, sqUpdate);
          const numer = avgUpdate.add(oldAvg);
          const denom = sqUpdate.add(oldSq).sqrt().add(eps);
          const step: number = state.step;
          const bias_correction1 = 1 - beta1 ** step;
          const bias_correction2 = 1 - beta2 ** step;
          const step_size = (lr * Math.sqrt(bias_correction2)) / bias_correction1;
          p.index_add_(0, idx, numer.div(denom).mul(-step_size));
        }
      }
    });
    return loss;
  }
}
