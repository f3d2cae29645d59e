// torch.optim.LBFGS (PyTorch 1.13), with the optional strong-Wolfe line search. It needs `step(closure)`,
// where the closure re-evaluates the model and calls backward; it supports a single parameter group.
// All parameters are handled as one flat vector (the concatenation of their flattened values).
import { bind } from "../nn/_args.js";
import { Optimizer, type OptimizerArg, type Closure, type ParamsInput } from "./optimizer.js";
import { RuntimeError, ValueError } from "../errors.js";
import { cat } from "../ops/indexing.js";
import { zerosTensor } from "../ops/common.js";
import { enable_grad } from "../grad_mode.js";
import type { Tensor } from "../tensor.js";

export interface LBFGSOptions {
  lr?: number;
  max_iter?: number;
  max_eval?: number | null;
  tolerance_grad?: number;
  tolerance_change?: number;
  history_size?: number;
  line_search_fn?: "strong_wolfe" | null;
}

/** Minimiser of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped to the bounds. */
function cubicInterpolate(x1: number, f1: number, g1: number, x2: number, f2: number, g2: number, bounds?: [number, number]): number {
  const [xmin, xmax] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2Square = d1 * d1 - g1 * g2;
  if (d2Square >= 0) {
    const d2 = Math.sqrt(d2Square);
    const minPos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2)) : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return Math.min(Math.max(minPos, xmin), xmax);
  }
  return (xmin + xmax) / 2;
}

type ObjFunc = (x: Tensor[], t: number, d: Tensor) => [number, Tensor];

function strongWolfe(
  objFunc: ObjFunc, x: Tensor[], t: number, d: Tensor, f: number, g: Tensor, gtd: number,
  c1 = 1e-4, c2 = 0.9, tolerance_change = 1e-9, max_ls = 25,
): [number, Tensor, number, number] {
  const dNorm = d.abs().max().item() as number;
  g = g.clone();
  let [fNew, gNew] = objFunc(x, t, d);
  let lsFuncEvals = 1;
  let gtdNew = gNew.dot(d).item() as number;
  let tPrev = 0, fPrev = f, gPrev = g, gtdPrev = gtd;
  let done = false;
  let lsIter = 0;
  let bracket: number[] = [], bracketF: number[] = [], bracketG: Tensor[] = [], bracketGtd: number[] = [];
  while (lsIter < max_ls) {
    if (fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev)) {
      bracket = [tPrev, t]; bracketF = [fPrev, fNew]; bracketG = [gPrev, gNew.clone()]; bracketGtd = [gtdPrev, gtdNew];
      break;
    }
    if (Math.abs(gtdNew) <= -c2 * gtd) {
      bracket = [t]; bracketF = [fNew]; bracketG = [gNew]; done = true;
      break;
    }
    if (gtdNew >= 0) {
      bracket = [tPrev, t]; bracketF = [fPrev, fNew]; bracketG = [gPrev, gNew.clone()]; bracketGtd = [gtdPrev, gtdNew];
      break;
    }
    const minStep = t + 0.01 * (t - tPrev);
    const maxStep = t * 10;
    const tmp = t;
    t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
    tPrev = tmp; fPrev = fNew; gPrev = gNew.clone(); gtdPrev = gtdNew;
    [fNew, gNew] = objFunc(x, t, d);
    lsFuncEvals += 1;
    gtdNew = gNew.dot(d).item() as number;
    lsIter += 1;
  }
  if (lsIter === max_ls) {
    bracket = [0, t]; bracketF = [f, fNew]; bracketG = [g, gNew];
  }
  // Zoom: shrink the bracket until the strong Wolfe conditions hold.
  let insufProgress = false;
  let [lowPos, highPos] = bracketF[0] <= bracketF[bracketF.length - 1] ? [0, 1] : [1, 0];
  while (!done && lsIter < max_ls) {
    if (Math.abs(bracket[1] - bracket[0]) * dNorm < tolerance_change) break;
    t = cubicInterpolate(bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1]);
    const hi = Math.max(...bracket), lo = Math.min(...bracket);
    const eps = 0.1 * (hi - lo);
    if (Math.min(hi - t, t - lo) < eps) {
      if (insufProgress || t >= hi || t <= lo) {
        t = Math.abs(t - hi) < Math.abs(t - lo) ? hi - eps : lo + eps;
        insufProgress = false;
      } else {
        insufProgress = true;
      }
    } else {
      insufProgress = false;
    }
    [fNew, gNew] = objFunc(x, t, d);
    lsFuncEvals += 1;
    gtdNew = gNew.dot(d).item() as number;
    lsIter += 1;
    if (fNew > f + c1 * t * gtd || fNew >= bracketF[lowPos]) {
      bracket[highPos] = t; bracketF[highPos] = fNew; bracketG[highPos] = gNew.clone(); bracketGtd[highPos] = gtdNew;
      [lowPos, highPos] = bracketF[0] <= bracketF[1] ? [0, 1] : [1, 0];
    } else {
      if (Math.abs(gtdNew) <= -c2 * gtd) done = true;
      else if (gtdNew * (bracket[highPos] - bracket[lowPos]) >= 0) {
        bracket[highPos] = bracket[lowPos]; bracketF[highPos] = bracketF[lowPos]; bracketG[highPos] = bracketG[lowPos]; bracketGtd[highPos] = bracketGtd[lowPos];
      }
      bracket[lowPos] = t; bracketF[lowPos] = fNew; bracketG[lowPos] = gNew.clone(); bracketGtd[lowPos] = gtdNew;
    }
  }
  return [bracketF[lowPos], bracketG[lowPos], bracket[lowPos], lsFuncEvals];
}

export class LBFGS extends Optimizer {
  private readonly _params: Tensor[];

  constructor(params: ParamsInput, ...args: OptimizerArg<LBFGSOptions>[]) {
    const opts: LBFGSOptions = bind("LBFGS", ["lr", "max_iter", "max_eval", "tolerance_grad", "tolerance_change", "history_size", "line_search_fn"], args);
    const max_iter = opts.max_iter ?? 20;
    super(params, {
      lr: opts.lr ?? 1,
      max_iter,
      max_eval: opts.max_eval ?? Math.floor((max_iter * 5) / 4),
      tolerance_grad: opts.tolerance_grad ?? 1e-7,
      tolerance_change: opts.tolerance_change ?? 1e-9,
      history_size: opts.history_size ?? 100,
      line_search_fn: opts.line_search_fn ?? null,
    });
    if (this.param_groups.length !== 1) throw new ValueError("LBFGS doesn't support per-parameter options (parameter groups)");
    this._params = this.param_groups[0].params;
  }

  private gatherFlatGrad(): Tensor {
    return cat(this._params.map((p) => (p.grad === null ? zerosTensor([p.numel()], p.dtype) : p.grad.reshape(-1))), 0);
  }

  private addGrad(stepSize: number, update: Tensor): void {
    let offset = 0;
    for (const p of this._params) {
      const n = p.numel();
      p.add_(update.narrow(0, offset, n).view(p.shape), { alpha: stepSize });
      offset += n;
    }
  }

  private cloneParams(): Tensor[] {
    return this._params.map((p) => p.clone());
  }

  private setParams(values: Tensor[]): void {
    this._params.forEach((p, i) => p.copy_(values[i]));
  }

  private directionalEvaluate(closure: Closure, x: Tensor[], t: number, d: Tensor): [number, Tensor] {
    this.addGrad(t, d);
    const loss = Number(toNumber(enable_grad(closure)));
    const flatGrad = this.gatherFlatGrad();
    this.setParams(x);
    return [loss, flatGrad];
  }

  step(closure?: Closure): Tensor | number | undefined {
    if (!closure) throw new RuntimeError("LBFGS requires a closure: step(closure) re-evaluates the loss");
    return this.withoutGrad(() => this.run(closure));
  }

  private run(closure: Closure): Tensor | number {
    const group = this.param_groups[0];
    const { lr, max_iter, max_eval, tolerance_grad, tolerance_change, history_size, line_search_fn } = group;
    const state = this.stateOf(this._params[0]);
    state.func_evals ??= 0;
    state.n_iter ??= 0;

    const origLoss = enable_grad(closure);
    let loss = toNumber(origLoss);
    let currentEvals = 1;
    state.func_evals += 1;
    let flatGrad = this.gatherFlatGrad();
    let optCond = (flatGrad.abs().max().item() as number) <= tolerance_grad;
    if (optCond) return origLoss;

    let d: Tensor | undefined = state.d;
    let t: number | undefined = state.t;
    let oldDirs: Tensor[] = state.old_dirs ?? [];
    let oldStps: Tensor[] = state.old_stps ?? [];
    let ro: number[] = state.ro ?? [];
    let hDiag: number = state.H_diag ?? 1;
    let prevFlatGrad: Tensor | undefined = state.prev_flat_grad;
    let prevLoss: number | undefined = state.prev_loss;

    let nIter = 0;
    while (nIter < max_iter) {
      nIter += 1;
      state.n_iter += 1;
      if (state.n_iter === 1) {
        d = flatGrad.neg();
        oldDirs = [];
        oldStps = [];
        ro = [];
        hDiag = 1;
      } else {
        const y = flatGrad.sub(prevFlatGrad!);
        const s = d!.mul(t!);
        const ys = y.dot(s).item() as number;
        if (ys > 1e-10) {
          if (oldDirs.length === history_size) {
            oldDirs.shift();
            oldStps.shift();
            ro.shift();
          }
          oldDirs.push(y);
          oldStps.push(s);
          ro.push(1 / ys);
          hDiag = ys / (y.dot(y).item() as number);
        }
        // Two-loop recursion: d = -H * grad.
        const numOld = oldDirs.length;
        // PyTorch keeps the two-loop coefficients in the state, sized history_size.
        if (!state.al) state.al = new Array(history_size).fill(null);
        const al: number[] = state.al;
        const q = flatGrad.neg();
        for (let i = numOld - 1; i >= 0; i--) {
          al[i] = (oldStps[i].dot(q).item() as number) * ro[i];
          q.add_(oldDirs[i], { alpha: -al[i] });
        }
        const r = q.mul(hDiag);
        for (let i = 0; i < numOld; i++) {
          const be_i = (oldDirs[i].dot(r).item() as number) * ro[i];
          r.add_(oldStps[i], { alpha: al[i] - be_i });
        }
        d = r;
      }
      if (prevFlatGrad === undefined) prevFlatGrad = flatGrad.clone();
      else prevFlatGrad.copy_(flatGrad);
      prevLoss = loss;

      t = state.n_iter === 1 ? Math.min(1, 1 / (flatGrad.abs().sum().item() as number)) * lr : lr;
      const gtd = flatGrad.dot(d!).item() as number;
      if (gtd > -tolerance_change) break;

      let lsFuncEvals = 0;
      if (line_search_fn !== null) {
        if (line_search_fn !== "strong_wolfe") throw new RuntimeError("only 'strong_wolfe' is supported");
        const xInit = this.cloneParams();
        const objFunc: ObjFunc = (x, tt, dd) => this.directionalEvaluate(closure, x, tt, dd);
        [loss, flatGrad, t, lsFuncEvals] = strongWolfe(objFunc, xInit, t!, d!, loss, flatGrad, gtd);
        this.addGrad(t, d!);
        optCond = (flatGrad.abs().max().item() as number) <= tolerance_grad;
      } else {
        this.addGrad(t!, d!);
        if (nIter !== max_iter) {
          loss = toNumber(enable_grad(closure));
          flatGrad = this.gatherFlatGrad();
          optCond = (flatGrad.abs().max().item() as number) <= tolerance_grad;
          lsFuncEvals = 1;
        }
      }
      currentEvals += lsFuncEvals;
      state.func_evals += lsFuncEvals;

      if (nIter === max_iter) break;
      if (currentEvals >= max_eval) break;
      if (optCond) break;
      if ((d!.mul(t!).abs().max().item() as number) <= tolerance_change) break;
      if (Math.abs(loss - prevLoss!) < tolerance_change) break;
    }
    Object.assign(state, { d, t, old_dirs: oldDirs, old_stps: oldStps, ro, H_diag: hDiag, prev_flat_grad: prevFlatGrad, prev_loss: prevLoss });
    return origLoss;
  }
}

function toNumber(v: Tensor | number): number {
  return typeof v === "number" ? v : (v.item() as number);
}
