// Reductions with dim/keepdim, each with its backward formula.
import type { BackwardFormula } from "../autograd/node.js";
import { kernels } from "../backend/dispatcher.js";
import type { ReduceOp } from "../backend/kernels.js";
import { type DType, bool, int64 } from "../dtype.js";
import { IndexError, RuntimeError } from "../errors.js";
import { gradMode } from "../grad_mode.js";
import { wrapDim } from "../shape.js";
import { type DimArg, type ReduceOptions, Tensor } from "../tensor.js";
import { emptyTensor, named, record, zerosTensor } from "./common.js";
import { cast } from "./copy.js";
import { add, div, eq, maximum, minimum, mul, sqrt, square, sub, where, abs, exp, log, pow } from "./elementwise.js";
import { scatter } from "./indexing.js";
import { expand, permute, reshapeTo } from "./view.js";

/** Sorted, unique, wrapped dims; all dims when dim is null/undefined. */
export function parseDims(t: Tensor, dim: DimArg): number[] {
  const nd = t._shape.length;
  if (dim === null || dim === undefined) return Array.from({ length: nd }, (_, i) => i);
  const list = typeof dim === "number" ? [dim] : dim;
  if (list.length === 0) return Array.from({ length: nd }, (_, i) => i);
  const out: number[] = [];
  for (const d of list) {
    const w = wrapDim(d, nd);
    if (out.includes(w)) throw new RuntimeError(`dim ${w} appears multiple times in the list of dims`);
    out.push(w);
  }
  return nd === 0 ? [] : out.sort((a, b) => a - b);
}

function keptShape(shape: readonly number[], dims: readonly number[], keepdim: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (dims.includes(i)) {
      if (keepdim) out.push(1);
    } else out.push(shape[i]);
  }
  return out;
}

/** Splits `(dim?, opts?)` where dim may itself be the options object. */
function splitArgs<O extends { dim?: DimArg; keepdim?: boolean }>(dim: DimArg | O | undefined, opts: O | boolean | undefined): [DimArg, O] {
  if (dim !== null && dim !== undefined && typeof dim === "object" && !Array.isArray(dim)) {
    const o = dim as O;
    return [o.dim ?? null, o];
  }
  // PyTorch also takes keepdim positionally: x.sum(1, True).
  if (typeof opts === "boolean") return [dim as DimArg, { keepdim: opts } as O];
  return [dim as DimArg, opts ?? ({} as O)];
}

/** (values, indices) as PyTorch's named tuple: `const { values, indices } = r` and `const [v, i] = r` both work. */
export function valuesIndices(values: Tensor, indices: Tensor): ValuesIndices {
  return Object.assign([values, indices] as [Tensor, Tensor], { values, indices });
}

function keepdimOf(opts: { keepdim?: boolean } | boolean | undefined): boolean {
  return typeof opts === "boolean" ? opts : opts?.keepdim ?? false;
}

function reduceRaw(op: ReduceOp, x: Tensor, dims: number[], keepdim: boolean, outDtype: DType): Tensor {
  const out = emptyTensor(keptShape(x._shape, dims, keepdim), outDtype);
  kernels.reduce(op, out._data, x._data, x._shape, x._strides, x._offset, dims);
  return out;
}

/** Gradient of a reduction output, viewed with the reduced dims as size 1 and expanded to the input shape. */
function expandBack(g: Tensor, inShape: readonly number[], dims: readonly number[], keepdim: boolean): Tensor {
  const withOnes = keepdim ? g : reshapeTo(g, keptShape(inShape, dims, true));
  return expand(withOnes, inShape);
}

interface ReduceArgs {
  inShape: readonly number[];
  dims: number[];
  keepdim: boolean;
  count: number;
}

const SumBackward: (name: string) => BackwardFormula<ReduceArgs> = (name) => ({
  name,
  backward: (node, g) => [expandBack(g, node.args.inShape, node.args.dims, node.args.keepdim)],
});
const SumBackward0 = SumBackward("SumBackward0");
const SumBackward1 = SumBackward("SumBackward1");
const MeanBackward: (name: string) => BackwardFormula<ReduceArgs> = (name) => ({
  name,
  backward: (node, g) => [div(expandBack(g, node.args.inShape, node.args.dims, node.args.keepdim), node.args.count)],
});
const MeanBackward0 = MeanBackward("MeanBackward0");
const MeanBackward1 = MeanBackward("MeanBackward1");

function countOf(shape: readonly number[], dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= shape[d];
  return n;
}

export function sum(t: Tensor, dim?: DimArg | (ReduceOptions & { dim?: DimArg }), opts?: ReduceOptions | boolean): Tensor {
  const [d, o] = splitArgs<ReduceOptions & { dim?: DimArg }>(dim, opts);
  const x = o.dtype ? cast(t, o.dtype) : t;
  const full = d === null || d === undefined;
  const dims = parseDims(x, d);
  const keepdim = o.keepdim ?? false;
  const outDtype = x.dtype.is_floating_point ? x.dtype : int64;
  const out = reduceRaw("sum", x, dims, keepdim, outDtype);
  if (gradMode.enabled && x._requires_grad)
    record(out, full ? SumBackward0 : SumBackward1, [x], null, { inShape: x._shape, dims, keepdim, count: 0 });
  return out;
}

/** Sum over dims without keepdim (used to undo broadcasting in gradients). */
export function sumDims(t: Tensor, dims: number[]): Tensor {
  return sum(t, dims);
}

export function mean(t: Tensor, dim?: DimArg | (ReduceOptions & { dim?: DimArg }), opts?: ReduceOptions | boolean): Tensor {
  const [d, o] = splitArgs<ReduceOptions & { dim?: DimArg }>(dim, opts);
  const x = o.dtype ? cast(t, o.dtype) : t;
  if (!x.dtype.is_floating_point)
    throw new RuntimeError(
      `mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ${legacyScalarName(x.dtype)}`,
    );
  const full = d === null || d === undefined;
  const dims = parseDims(x, d);
  const keepdim = o.keepdim ?? false;
  const out = reduceRaw("mean", x, dims, keepdim, x.dtype);
  if (gradMode.enabled && x._requires_grad)
    record(out, full ? MeanBackward0 : MeanBackward1, [x], null, { inShape: x._shape, dims, keepdim, count: countOf(x._shape, dims) });
  return out;
}

/** PyTorch's scalar type names in messages (Float, Double, Int, Long, Byte, Bool). */
export function legacyScalarName(d: DType): string {
  return { float32: "Float", float64: "Double", int32: "Int", int64: "Long", uint8: "Byte", bool: "Bool" }[d.name];
}

const ProdBackward: BackwardFormula<ReduceArgs> = {
  name: "ProdBackward1",
  backward: (node, g) => {
    const x = node.saved(0);
    const out = node.saved(1);
    const { inShape, dims, keepdim } = node.args;
    // d prod / d x_i = product of the other elements. prod / x_i is differentiable again (create_graph)
    // but breaks at zeros, so without create_graph the exclusive products are computed directly.
    if (gradMode.enabled) return [mul(expandBack(g, inShape, dims, keepdim), div(expandBack(out, inShape, dims, keepdim), x))];
    return [mul(expandBack(g, inShape, dims, keepdim), productOfOthers(x, dims))];
  },
};

/** For each element, the product of the other elements of its reduction slice (exact with zeros). */
function productOfOthers(x: Tensor, dims: readonly number[]): Tensor {
  const kept = x._shape.map((_, i) => i).filter((i) => !dims.includes(i));
  const order = [...kept, ...dims];
  const moved = permute(x.detach(), order).contiguous();
  const n = countOf(x._shape, dims);
  const data = moved._data;
  const res = emptyTensor(moved._shape.slice(), x.dtype);
  const r = res._data;
  for (let base = 0; base < data.length; base += n) {
    // Exclusive prefix products forward, then multiply by exclusive suffix products backward.
    let acc = 1;
    for (let j = 0; j < n; j++) {
      r[base + j] = acc;
      acc *= data[base + j];
    }
    acc = 1;
    for (let j = n - 1; j >= 0; j--) {
      r[base + j] *= acc;
      acc *= data[base + j];
    }
  }
  const inverse = new Array<number>(order.length);
  order.forEach((d, i) => (inverse[d] = i));
  return permute(res, inverse);
}

export function prod(t: Tensor, dim?: number | ReduceOptions, opts?: ReduceOptions | boolean): Tensor {
  const [d, o] = splitArgs<ReduceOptions & { dim?: DimArg }>(dim, opts);
  const x = o.dtype ? cast(t, o.dtype) : t;
  const dims = parseDims(x, d);
  const keepdim = o.keepdim ?? false;
  const out = reduceRaw("prod", x, dims, keepdim, x.dtype.is_floating_point ? x.dtype : int64);
  if (gradMode.enabled && x._requires_grad) {
    record(out, ProdBackward, [x], [x, out], { inShape: x._shape, dims, keepdim, count: 0 });
    if (d === null || d === undefined) named(out, "ProdBackward0");
  }
  return out;
}

// ---------------------------------------------------------------- max/min family

const AmaxBackward = (name: string): BackwardFormula<ReduceArgs> => ({
  name,
  backward: (node, g) => {
    const x = node.saved(0);
    const out = node.saved(1);
    const { inShape, dims, keepdim } = node.args;
    // The gradient is shared evenly among tied extremes, as PyTorch's amax/amin backward.
    const mask = cast(eq(x, expandBack(out, inShape, dims, keepdim)), x.dtype);
    const count = sum(mask, dims, { keepdim: true });
    return [div(mul(mask, expandBack(g, inShape, dims, keepdim)), count)];
  },
});
const AmaxBackward0 = AmaxBackward("AmaxBackward0");
const AminBackward0 = AmaxBackward("AminBackward0");
const MaxBackward1 = AmaxBackward("MaxBackward1");
const MinBackward1 = AmaxBackward("MinBackward1");

function checkNonEmpty(name: string, x: Tensor, dims: readonly number[], full: boolean): void {
  if (x.numel() !== 0) return;
  if (full)
    throw new RuntimeError(`${name}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`);
  for (const d of dims) if (x._shape[d] === 0) throw new IndexError(`${name}(): Expected reduction dim ${d} to have non-zero size.`);
}

function extremeAll(op: "amax" | "amin", name: string, t: Tensor, dim: DimArg, keepdim: boolean, full: boolean, formula: BackwardFormula<ReduceArgs>): Tensor {
  const dims = parseDims(t, dim);
  checkNonEmpty(name, t, dims, full);
  const out = reduceRaw(op, t, dims, keepdim, t.dtype);
  if (gradMode.enabled && t._requires_grad) record(out, formula, [t], [t, out], { inShape: t._shape, dims, keepdim, count: 0 });
  return out;
}

export function amax(t: Tensor, dim?: DimArg | (ReduceOptions & { dim?: DimArg }), opts?: ReduceOptions | boolean): Tensor {
  const [d, o] = splitArgs<ReduceOptions & { dim?: DimArg }>(dim, opts);
  return extremeAll("amax", "amax", t, d, o.keepdim ?? false, false, AmaxBackward0);
}

export function amin(t: Tensor, dim?: DimArg | (ReduceOptions & { dim?: DimArg }), opts?: ReduceOptions | boolean): Tensor {
  const [d, o] = splitArgs<ReduceOptions & { dim?: DimArg }>(dim, opts);
  return extremeAll("amin", "amin", t, d, o.keepdim ?? false, false, AminBackward0);
}

interface MaxDimArgs {
  inShape: readonly number[];
  dim: number;
  keepdim: boolean;
}
const MaxDimBackward = (name: string): BackwardFormula<MaxDimArgs> => ({
  name,
  backward: (node, g) => {
    const idx = node.saved(0);
    const { inShape, dim, keepdim } = node.args;
    const gk = keepdim ? g : reshapeTo(g, keptShape(inShape, [dim], true));
    const ik = keepdim ? idx : reshapeTo(idx, keptShape(inShape, [dim], true));
    const zeros = zerosTensor(inShape.slice(), g.dtype);
    return [scatter(zeros, dim, ik, gk)];
  },
});
const MaxBackward0 = MaxDimBackward("MaxBackward0");
const MinBackward0 = MaxDimBackward("MinBackward0");

export type ValuesIndices = [Tensor, Tensor] & {
  values: Tensor;
  indices: Tensor;
};

function extremeDim(op: "max" | "min", t: Tensor, dim: number, keepdim: boolean): ValuesIndices {
  const nd = t._shape.length;
  const d = wrapDim(dim, nd);
  if (nd > 0 && t._shape[d] === 0)
    throw new IndexError(`${op}(): Expected reduction dim ${d} to have non-zero size.`);
  const shape = keptShape(t._shape, nd === 0 ? [] : [d], keepdim);
  const values = emptyTensor(shape, t.dtype);
  const indices = emptyTensor(shape.slice(), int64);
  kernels.arg_reduce(op, values._data, indices._data as Float64Array, t._data, t._shape, t._strides, t._offset, d);
  if (gradMode.enabled && t._requires_grad)
    record(values, op === "max" ? MaxBackward0 : MinBackward0, [t], [indices], { inShape: t._shape, dim: d, keepdim });
  return valuesIndices(values, indices);
}

export function max(t: Tensor): Tensor;
export function max(t: Tensor, other: Tensor): Tensor;
export function max(t: Tensor, dim: number, opts?: { keepdim?: boolean } | boolean): ValuesIndices;
export function max(t: Tensor, dim?: number | Tensor, opts?: { keepdim?: boolean } | boolean): Tensor | ValuesIndices {
  if (dim instanceof Tensor) return maximum(t, dim);
  if (dim === undefined || dim === null) return extremeAll("amax", "max", t, null, false, true, MaxBackward1);
  return extremeDim("max", t, dim, keepdimOf(opts));
}

export function min(t: Tensor): Tensor;
export function min(t: Tensor, other: Tensor): Tensor;
export function min(t: Tensor, dim: number, opts?: { keepdim?: boolean } | boolean): ValuesIndices;
export function min(t: Tensor, dim?: number | Tensor, opts?: { keepdim?: boolean } | boolean): Tensor | ValuesIndices {
  if (dim instanceof Tensor) return minimum(t, dim);
  if (dim === undefined || dim === null) return extremeAll("amin", "min", t, null, false, true, MinBackward1);
  return extremeDim("min", t, dim, keepdimOf(opts));
}

function argExtreme(op: "max" | "min", t: Tensor, dim: number | null | undefined | { dim?: number | null; keepdim?: boolean }, opts?: { keepdim?: boolean } | boolean): Tensor {
  let d = dim;
  let keepdim = keepdimOf(opts);
  if (d !== null && typeof d === "object") {
    keepdim = d.keepdim ?? false;
    d = d.dim;
  }
  const name = op === "max" ? "argmax" : "argmin";
  if (d === null || d === undefined) {
    if (t.numel() === 0)
      throw new RuntimeError(`${name}(): Expected reduction dim to be specified for input.numel() == 0.`);
    const flat = reshapeTo(t.detach(), [t.numel()]);
    const r = extremeDim(op, flat, 0, false).indices;
    return keepdim ? reshapeTo(r, t._shape.map(() => 1)) : r;
  }
  return extremeDim(op, t.detach(), d, keepdim).indices;
}

export function argmax(t: Tensor, dim?: number | null | { dim?: number | null; keepdim?: boolean }, opts?: { keepdim?: boolean } | boolean): Tensor {
  return argExtreme("max", t, dim, opts);
}
export function argmin(t: Tensor, dim?: number | null | { dim?: number | null; keepdim?: boolean }, opts?: { keepdim?: boolean } | boolean): Tensor {
  return argExtreme("min", t, dim, opts);
}

// ---------------------------------------------------------------- statistics (composed, so autograd follows)

export interface VarOptions {
  dim?: DimArg;
  unbiased?: boolean;
  correction?: number;
  keepdim?: boolean;
}

export function var_(t: Tensor, dim?: DimArg | VarOptions, opts?: VarOptions): Tensor {
  const [d, o] = splitArgs<VarOptions>(dim, opts);
  const dims = parseDims(t, d);
  const correction = o.correction ?? (o.unbiased === false ? 0 : 1);
  const keepdim = o.keepdim ?? false;
  const n = countOf(t._shape, dims);
  const centered = sub(t, mean(t, dims, { keepdim: true }));
  return named(div(sum(square(centered), dims, { keepdim }), Math.max(0, n - correction)), "VarBackward0", t);
}

export function std(t: Tensor, dim?: DimArg | VarOptions, opts?: VarOptions): Tensor {
  return named(sqrt(var_(t, dim, opts)), "StdBackward0", t);
}

/** log(sum(exp(x))) over dims, computed stably (the max is subtracted first). */
export function logsumexp(t: Tensor, dim: DimArg, opts?: { keepdim?: boolean } | boolean): Tensor {
  const x = t.dtype.is_floating_point ? t : cast(t, t.dtype === bool ? int64 : t.dtype);
  const dims = parseDims(x, dim);
  const keepdim = keepdimOf(opts);
  if (x.numel() === 0) return log(sum(exp(x), dims, { keepdim }));
  const m = amax(x.detach(), dims, { keepdim: true });
  const finite = where(eq(abs(m), Infinity), 0, m);
  const s = log(sum(exp(sub(x, finite)), dims, { keepdim: true }));
  const r = add(s, finite);
  return named(keepdim ? r : reshapeTo(r, keptShape(x._shape, dims, false)), "LogsumexpBackward0", t);
}

export function norm(t: Tensor, p: number | "fro" = "fro", dim?: DimArg, opts?: { keepdim?: boolean }): Tensor {
  return named(normImpl(t, p, dim, opts), "NormBackward1", t);
}

function normImpl(t: Tensor, p: number | "fro", dim?: DimArg, opts?: { keepdim?: boolean }): Tensor {
  const keepdim = opts?.keepdim ?? false;
  const d = dim ?? null;
  if (p === "fro" || p === 2) return sqrt(sum(square(t), d, { keepdim }));
  if (p === Infinity) return amax(abs(t), d, { keepdim });
  if (p === -Infinity) return amin(abs(t), d, { keepdim });
  if (p === 1) return sum(abs(t), d, { keepdim });
  if (p === 0) return sum(cast(t.detach().ne(0), t.dtype), d, { keepdim });
  return pow(sum(pow(abs(t), p), d, { keepdim }), 1 / p);
}

export function all(t: Tensor, dim?: number, opts?: { keepdim?: boolean }): Tensor {
  return reduceRaw("all", t, parseDims(t, dim ?? null), opts?.keepdim ?? false, bool);
}

export function any(t: Tensor, dim?: number, opts?: { keepdim?: boolean }): Tensor {
  return reduceRaw("any", t, parseDims(t, dim ?? null), opts?.keepdim ?? false, bool);
}
