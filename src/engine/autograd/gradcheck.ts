// torch.autograd.gradcheck: compares the analytic Jacobian (from backward) with central finite
// differences, in float64, element by element: |analytic - numeric| <= atol + rtol * |numeric|.
import { RuntimeError } from "../errors.js";
import { contiguousData, fromData } from "../ops/common.js";
import { Tensor } from "../tensor.js";
import { grad } from "./engine.js";

export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Throw with details on mismatch (default true), else return false. */
  raise_exception?: boolean;
}

function asList(x: Tensor | Tensor[] | readonly Tensor[]): Tensor[] {
  return x instanceof Tensor ? [x] : [...x];
}

/** Storage offset of the logical element `i` (row-major) of t. */
function storageOffset(t: Tensor, i: number): number {
  let off = t._offset;
  for (let d = t._shape.length - 1; d >= 0; d--) {
    const size = t._shape[d];
    off += (i % size) * t._strides[d];
    i = Math.floor(i / size);
  }
  return off;
}

function outputsOf(fn: (...inputs: Tensor[]) => Tensor | Tensor[], inputs: Tensor[]): Tensor[] {
  return asList(fn(...inputs));
}

export function gradcheck(
  fn: (...inputs: Tensor[]) => Tensor | Tensor[], inputs: Tensor | Tensor[], opts: GradcheckOptions = {},
): boolean {
  const eps = opts.eps ?? 1e-6;
  const atol = opts.atol ?? 1e-5;
  const rtol = opts.rtol ?? 1e-3;
  const raise = opts.raise_exception ?? true;
  const ins = asList(inputs);
  const diffIns = ins.filter((t) => t.requires_grad);
  for (const t of diffIns) {
    if (t.dtype.name !== "float64")
      throw new RuntimeError("gradcheck expects float64 inputs requiring grad (finite differences need double precision)");
    if (t.numel() > 0 && t._strides.some((s, d) => s === 0 && t._shape[d] > 1))
      throw new RuntimeError("gradcheck: inputs must not have overlapping memory (expanded dims)");
  }

  const outs = outputsOf(fn, ins);
  const diffOuts = outs.filter((o) => o.requires_grad);
  // Analytic Jacobian, one backward pass per output element.
  const analytic: number[][][] = diffIns.map(() => []); // [input][outputElementGlobal][inputElement]
  for (const o of diffOuts) {
    const n = o.numel();
    for (let j = 0; j < n; j++) {
      const onehot = new Float64Array(n);
      onehot[j] = 1;
      const go = fromData(onehot as unknown as Float64Array, o.shape.slice(), o.dtype);
      const gs = grad([o], diffIns, [go.dtype === o.dtype ? go : go.to(o.dtype)], { retain_graph: true, allow_unused: true });
      gs.forEach((g, k) => {
        const size = diffIns[k].numel();
        if (g && (g.shape.length !== diffIns[k].shape.length || g.shape.some((v, d) => v !== diffIns[k].shape[d])))
          throw new RuntimeError(`gradcheck: gradient shape [${g.shape.join(", ")}] differs from input shape [${diffIns[k].shape.join(", ")}]`);
        analytic[k].push(g ? Array.from(contiguousData(g)) : new Array<number>(size).fill(0));
      });
    }
  }

  // Numerical Jacobian by central differences, perturbing each input element in its storage. The
  // function runs with grad mode on, so that functions which differentiate internally can be checked.
  const evaluate = () => outputsOf(fn, ins).filter((_, oi) => outs[oi].requires_grad).map((o) => Array.from(contiguousData(o)));
  const failures: string[] = [];
  diffIns.forEach((t, k) => {
    const size = t.numel();
    for (let i = 0; i < size; i++) {
      const off = storageOffset(t, i);
      const orig = t._data[off];
      t._data[off] = orig + eps;
      const plus = evaluate();
      t._data[off] = orig - eps;
      const minus = evaluate();
      t._data[off] = orig;
      let row = 0;
      plus.forEach((p, oi) => {
        for (let j = 0; j < p.length; j++, row++) {
          const numeric = (p[j] - minus[oi][j]) / (2 * eps);
          const a = analytic[k][row][i];
          if (!(Math.abs(a - numeric) <= atol + rtol * Math.abs(numeric)) && failures.length < 10)
            failures.push(`input ${ins.indexOf(t)} element ${i}, output element ${row}: analytic ${a}, numeric ${numeric}`);
        }
      });
    }
  });
  if (failures.length) {
    if (raise) throw new RuntimeError(`Jacobian mismatch for output 0 with respect to input 0,\n${failures.join("\n")}`);
    return false;
  }
  return true;
}
