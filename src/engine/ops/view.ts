// Views (share storage and version counter with their base) and shape movement, with backward formulas.
import type { BackwardFormula } from "../autograd/node.js";
import { kernels } from "../backend/dispatcher.js";
import { bool, int64 } from "../dtype.js";
import { IndexError, RuntimeError, ValueError } from "../errors.js";
import { gradMode } from "../grad_mode.js";
import { contiguousStrides, formatShape, numelOf, shapesEqual, wrapDim } from "../shape.js";
import { Tensor } from "../tensor.js";
import { emptyTensor, isContig, named, record, sumToShape, zerosTensor } from "./common.js";
import { clone } from "./copy.js";
import { index_select, masked_select } from "./indexing.js";

/** A view of t with new geometry (shares storage and version counter; not recorded in the graph). */
export function makeView(t: Tensor, shape: number[], strides: number[], offset: number): Tensor {
  return new Tensor(t._data, shape, strides, offset, t.dtype, t._vc, t._base ?? t);
}

export function isContiguousTensor(t: Tensor): boolean {
  return isContig(t);
}

/** Accepts view(2, 3), view([2, 3]) and mixtures; returns the flat list. */
export function flattenArgs(args: readonly (number | readonly number[])[]): number[] {
  if (args.length === 1 && Array.isArray(args[0])) return (args[0] as number[]).slice();
  const out: number[] = [];
  for (const a of args) {
    if (Array.isArray(a)) out.push(...a);
    else out.push(a as number);
  }
  return out;
}

/** Resolves one -1 in a requested shape against numel, with PyTorch's errors. */
export function inferShape(shape: readonly number[], numel: number): number[] {
  let infer = -1;
  let known = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (d === -1) {
      if (infer >= 0) throw new RuntimeError("only one dimension can be inferred");
      infer = i;
    } else if (!Number.isInteger(d) || d < 0) throw new RuntimeError(`invalid shape dimension ${d}`);
    else known *= d;
  }
  const out = shape.slice();
  if (infer >= 0) {
    if (known === 0 || numel % known !== 0)
      throw new RuntimeError(`shape '${formatShape(shape)}' is invalid for input of size ${numel}`);
    out[infer] = numel / known;
  } else if (known !== numel) throw new RuntimeError(`shape '${formatShape(shape)}' is invalid for input of size ${numel}`);
  return out;
}

/** Strides that view (oldShape, oldStrides) as newShape without copying, or null if impossible. */
function computeViewStrides(oldShape: readonly number[], oldStrides: readonly number[], newShape: readonly number[]): number[] | null {
  if (oldShape.length === 0) return newShape.map(() => 1);
  const numel = numelOf(oldShape);
  if (numel === 0) return shapesEqual(oldShape, newShape) ? oldStrides.slice() : contiguousStrides(newShape);
  const newStrides = new Array<number>(newShape.length);
  let viewD = newShape.length - 1;
  let chunkBase = oldStrides[oldStrides.length - 1];
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = oldShape.length - 1; d >= 0; d--) {
    tensorNumel *= oldShape[d];
    if (d === 0 || (oldShape[d - 1] !== 1 && oldStrides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        newStrides[viewD] = viewNumel * chunkBase;
        viewNumel *= newShape[viewD];
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = oldStrides[d - 1];
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return viewD === -1 ? newStrides : null;
}

const ViewBackward0: BackwardFormula<readonly number[]> = { name: "ViewBackward0", backward: (node, g) => [reshapeTo(g, node.args as number[])] };
const ReshapeAliasBackward0: BackwardFormula<readonly number[]> = { name: "ReshapeAliasBackward0", backward: (node, g) => [reshapeTo(g, node.args as number[])] };
const UnsafeViewBackward0: BackwardFormula<readonly number[]> = { name: "UnsafeViewBackward0", backward: (node, g) => [reshapeTo(g, node.args as number[])] };

export function view(t: Tensor, ...shape: (number | readonly number[])[]): Tensor {
  const target = inferShape(flattenArgs(shape), t.numel());
  const strides = computeViewStrides(t._shape, t._strides, target);
  if (!strides)
    throw new RuntimeError(
      "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.",
    );
  const out = makeView(t, target, strides, t._offset);
  if (gradMode.enabled && t._requires_grad) record(out, ViewBackward0, [t], null, t._shape);
  return out;
}

export function reshape(t: Tensor, ...shape: (number | readonly number[])[]): Tensor {
  return reshapeImpl(t, inferShape(flattenArgs(shape), t.numel()));
}

/** reshape to an exact shape (no -1), as gradients need. */
export function reshapeTo(t: Tensor, shape: number[]): Tensor {
  if (shapesEqual(t._shape, shape)) return t;
  return reshapeImpl(t, shape);
}

function reshapeImpl(t: Tensor, target: number[]): Tensor {
  const strides = computeViewStrides(t._shape, t._strides, target);
  if (strides) {
    const out = makeView(t, target, strides, t._offset);
    if (gradMode.enabled && t._requires_grad) record(out, isContig(t) ? ViewBackward0 : ReshapeAliasBackward0, [t], null, t._shape);
    return out;
  }
  const c = clone(t);
  const out = makeView(c, target, contiguousStrides(target), 0);
  out._base = null;
  if (gradMode.enabled && t._requires_grad) {
    out.grad_fn = null;
    record(out, UnsafeViewBackward0, [t], null, t._shape);
  }
  return out;
}

const CloneBackward0: BackwardFormula = { name: "CloneBackward0", backward: (_n, g) => [g] };

export function contiguous(t: Tensor): Tensor {
  if (isContig(t)) return t;
  const out = emptyTensor(t._shape.slice(), t.dtype);
  kernels.copy(t._shape, out._data, out._strides, 0, t._data, t._strides, t._offset);
  if (gradMode.enabled && t._requires_grad) record(out, CloneBackward0, [t], null, null);
  return out;
}

const TransposeBackward0: BackwardFormula<[number, number]> = {
  name: "TransposeBackward0",
  backward: (node, g) => [transpose(g, node.args[0], node.args[1])],
};

export function transpose(t: Tensor, dim0: number, dim1: number): Tensor {
  const nd = t._shape.length;
  const a = wrapDim(dim0, nd);
  const b = wrapDim(dim1, nd);
  const shape = t._shape.slice();
  const strides = t._strides.slice();
  if (nd > 0) {
    shape[a] = t._shape[b];
    shape[b] = t._shape[a];
    strides[a] = t._strides[b];
    strides[b] = t._strides[a];
  }
  const out = makeView(t, shape, strides, t._offset);
  if (gradMode.enabled && t._requires_grad) record(out, TransposeBackward0, [t], null, [a, b]);
  return out;
}

export function t(x: Tensor): Tensor {
  if (x._shape.length > 2)
    throw new RuntimeError(`t() expects a tensor with <= 2 dimensions, but self is ${x._shape.length}D`);
  if (x._shape.length < 2) return x;
  const out = transpose(x, 0, 1);
  if (out.grad_fn) (out.grad_fn as unknown as { formula: BackwardFormula }).formula = TBackward0;
  return out;
}
const TBackward0: BackwardFormula<[number, number]> = { name: "TBackward0", backward: (_n, g) => [transpose(g, 0, 1)] };

const PermuteBackward0: BackwardFormula<number[]> = {
  name: "PermuteBackward0",
  backward: (node, g) => {
    const inv = new Array<number>(node.args.length);
    node.args.forEach((d, i) => (inv[d] = i));
    return [permute(g, inv)];
  },
};

export function permute(t: Tensor, dims: readonly number[]): Tensor {
  const nd = t._shape.length;
  if (dims.length !== nd)
    throw new RuntimeError(
      `permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${nd} is not equal to len(dims) = ${dims.length}`.replace("permute(sparse_coo)", "permute"),
    );
  const seen = new Array<boolean>(nd).fill(false);
  const wrapped = dims.map((d) => {
    const w = wrapDim(d, nd);
    if (seen[w]) throw new RuntimeError("permute(): duplicate dims are not allowed.");
    seen[w] = true;
    return w;
  });
  const out = makeView(t, wrapped.map((d) => t._shape[d]), wrapped.map((d) => t._strides[d]), t._offset);
  if (gradMode.enabled && t._requires_grad) record(out, PermuteBackward0, [t], null, wrapped);
  return out;
}

export function movedim(t: Tensor, source: number, destination: number): Tensor {
  const nd = t._shape.length;
  const s = wrapDim(source, nd);
  const d = wrapDim(destination, nd);
  const order = Array.from({ length: nd }, (_, i) => i).filter((i) => i !== s);
  order.splice(d, 0, s);
  return permute(t, order);
}

const SqueezeBackward = (name: string): BackwardFormula<readonly number[]> => ({
  name,
  backward: (node, g) => [reshapeTo(g, node.args as number[])],
});
const SqueezeBackward0 = SqueezeBackward("SqueezeBackward0");
const SqueezeBackward1 = SqueezeBackward("SqueezeBackward1");
const UnsqueezeBackward0 = SqueezeBackward("UnsqueezeBackward0");

export function squeeze(t: Tensor, dim?: number): Tensor {
  const shape: number[] = [];
  const strides: number[] = [];
  const nd = t._shape.length;
  const only = dim === undefined ? -1 : wrapDim(dim, nd);
  for (let i = 0; i < nd; i++) {
    if (t._shape[i] === 1 && (only === -1 || only === i)) continue;
    shape.push(t._shape[i]);
    strides.push(t._strides[i]);
  }
  const out = makeView(t, shape, strides, t._offset);
  if (gradMode.enabled && t._requires_grad) record(out, dim === undefined ? SqueezeBackward0 : SqueezeBackward1, [t], null, t._shape);
  return out;
}

export function unsqueeze(t: Tensor, dim: number): Tensor {
  const nd = t._shape.length;
  const d = wrapDim(dim, nd + 1);
  const shape = t._shape.slice();
  const strides = t._strides.slice();
  const stride = d < nd ? t._shape[d] * t._strides[d] : 1;
  shape.splice(d, 0, 1);
  strides.splice(d, 0, stride);
  const out = makeView(t, shape, strides, t._offset);
  if (gradMode.enabled && t._requires_grad) record(out, UnsqueezeBackward0, [t], null, t._shape);
  return out;
}

export function flatten(t: Tensor, startDim = 0, endDim = -1): Tensor {
  const nd = t._shape.length;
  if (nd === 0) return reshapeTo(t, [1]);
  const s = wrapDim(startDim, nd);
  const e = wrapDim(endDim, nd);
  if (s > e) throw new RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim");
  if (s === e) return t;
  const shape = [...t._shape.slice(0, s), numelOf(t._shape.slice(s, e + 1)), ...t._shape.slice(e + 1)];
  return reshapeImpl(t, shape);
}

export function unflatten(t: Tensor, dim: number, sizes: readonly number[]): Tensor {
  const d = wrapDim(dim, t._shape.length);
  const inner = inferShape(sizes, t._shape[d]);
  return reshapeImpl(t, [...t._shape.slice(0, d), ...inner, ...t._shape.slice(d + 1)]);
}

const ExpandBackward0: BackwardFormula<readonly number[]> = {
  name: "ExpandBackward0",
  backward: (node, g) => [sumToShape(g, node.args)],
};

export function expand(t: Tensor, sizes: readonly number[]): Tensor {
  const nd = t._shape.length;
  const n = sizes.length;
  if (n < nd)
    throw new RuntimeError(
      `expand(torch.${t.dtype.legacyName}{[${t._shape.join(", ")}]}, size=[${sizes.join(", ")}]): the number of sizes provided (${n}) must be greater or equal to the number of dimensions in the tensor (${nd})`,
    );
  const shape = new Array<number>(n);
  const strides = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) {
    const ti = i - (n - nd);
    const want = sizes[i];
    if (ti < 0) {
      if (want < 0) throw new RuntimeError(`The expanded size of the tensor (${want}) isn't allowed in a leading, non-existing dimension ${i}`);
      shape[i] = want;
      strides[i] = 0;
    } else {
      const have = t._shape[ti];
      if (want === -1 || want === have) {
        shape[i] = have;
        strides[i] = t._strides[ti];
      } else if (have === 1) {
        shape[i] = want;
        strides[i] = 0;
      } else
        throw new RuntimeError(
          `The expanded size of the tensor (${want}) must match the existing size (${have}) at non-singleton dimension ${i}.  Target sizes: [${sizes.join(", ")}].  Tensor sizes: [${t._shape.join(", ")}]`,
        );
    }
  }
  if (shapesEqual(shape, t._shape)) return t;
  const out = makeView(t, shape, strides, t._offset);
  if (gradMode.enabled && t._requires_grad) record(out, ExpandBackward0, [t], null, t._shape);
  return out;
}

// ---------------------------------------------------------------- slicing

interface SliceArgs {
  inShape: readonly number[];
  dim: number;
  start: number;
  step: number;
}

/** Zeros of inShape with g written at the slice (the backward of slicing); itself differentiable. */
function sliceScatterZeros(g: Tensor, a: SliceArgs): Tensor {
  const out = zerosTensor(a.inShape.slice(), g.dtype);
  const strides = out._strides.slice();
  const offset = a.start * strides[a.dim];
  strides[a.dim] *= a.step;
  kernels.copy(g._shape, out._data, strides, offset, g._data, g._strides, g._offset);
  if (gradMode.enabled && g._requires_grad) record(out, SliceScatterBackward, [g], null, { ...a, len: g._shape[a.dim] });
  return out;
}
const SliceScatterBackward: BackwardFormula<SliceArgs & { len: number }> = {
  name: "SliceBackwardBackward0",
  backward: (node, gg) => {
    const a = node.args;
    return [slice(gg, a.dim, a.start, a.start + a.len * a.step, a.step)];
  },
};
const SliceBackward0: BackwardFormula<SliceArgs> = { name: "SliceBackward0", backward: (node, g) => [sliceScatterZeros(g, node.args)] };

/** Python's x[start:end:step] along dim, as a view. */
export function slice(t: Tensor, dim: number, start?: number | null, end?: number | null, step = 1): Tensor {
  const d = wrapDim(dim, t._shape.length);
  if (step <= 0) throw new ValueError("step must be greater than zero");
  const size = t._shape[d];
  let s = start ?? 0;
  let e = end ?? size;
  if (s < 0) s += size;
  if (e < 0) e += size;
  s = Math.min(Math.max(s, 0), size);
  e = Math.min(Math.max(e, s), size);
  const len = Math.ceil((e - s) / step);
  const shape = t._shape.slice();
  const strides = t._strides.slice();
  shape[d] = len;
  strides[d] = t._strides[d] * step;
  const out = makeView(t, shape, strides, t._offset + s * t._strides[d]);
  if (gradMode.enabled && t._requires_grad) record(out, SliceBackward0, [t], null, { inShape: t._shape, dim: d, start: s, step });
  return out;
}

export function narrow(t: Tensor, dim: number, start: number, length: number): Tensor {
  const d = wrapDim(dim, t._shape.length);
  const size = t._shape[d];
  if (start < -size || start > size) throw new IndexError(`start out of range (expected to be in range of [${-size}, ${size}], but got ${start})`);
  const s = start < 0 ? start + size : start;
  if (s + length > size || length < 0) throw new RuntimeError(`start (${s}) + length (${length}) exceeds dimension size (${size}).`);
  return slice(t, d, s, s + length, 1);
}

const SelectBackward0: BackwardFormula<SliceArgs> = {
  name: "SelectBackward0",
  backward: (node, g) => [sliceScatterZeros(unsqueeze(g, node.args.dim), node.args)],
};

export function select(t: Tensor, dim: number, index: number): Tensor {
  const nd = t._shape.length;
  if (nd === 0) throw new IndexError("select() cannot be applied to a 0-dim tensor.");
  const d = wrapDim(dim, nd);
  const size = t._shape[d];
  if (index < -size || index >= size)
    throw new IndexError(`index ${index} is out of bounds for dimension ${d} with size ${size}`);
  const i = index < 0 ? index + size : index;
  const shape = t._shape.slice();
  const strides = t._strides.slice();
  shape.splice(d, 1);
  strides.splice(d, 1);
  const out = makeView(t, shape, strides, t._offset + i * t._strides[d]);
  if (gradMode.enabled && t._requires_grad) record(out, SelectBackward0, [t], null, { inShape: t._shape, dim: d, start: i, step: 1 });
  return out;
}

/** Renames the grad_fn of a result (PyTorch names split pieces SplitBackward0, unbind's UnbindBackward0). */
export function renameNode(out: Tensor, name: string): Tensor {
  const node = out.grad_fn as unknown as { formula?: BackwardFormula } | null;
  if (node?.formula) node.formula = { name, backward: node.formula.backward };
  return out;
}

export function unbind(t: Tensor, dim = 0): Tensor[] {
  const d = wrapDim(dim, t._shape.length);
  return Array.from({ length: t._shape[d] }, (_, i) => renameNode(select(t, d, i), "UnbindBackward0"));
}

/** One item of a Python-style index: number, "a:b:c" slice, ":", "...", null (new axis), or an index tensor. */
export type IndexItem = number | string | null | Tensor | readonly number[];

function parseSlice(spec: string): [number | null, number | null, number] {
  const parts = spec.split(":");
  if (parts.length < 2 || parts.length > 3) throw new IndexError(`invalid slice "${spec}"`);
  const num = (s: string | undefined): number | null => {
    if (s === undefined || s.trim() === "") return null;
    const v = Number(s);
    if (!Number.isInteger(v)) throw new IndexError(`invalid slice "${spec}"`);
    return v;
  };
  return [num(parts[0]), num(parts[1]), num(parts[2]) ?? 1];
}

/** Python's x[...] over several items. */
export function getitem(t: Tensor, items: readonly IndexItem[]): Tensor {
  const consumed = items.filter((it) => it !== null && it !== "...").reduce<number>((n, it) => n + (it instanceof Tensor && it.dtype === bool ? it.ndim : 1), 0);
  const nd = t._shape.length;
  if (consumed > nd) throw new IndexError(`too many indices for tensor of dimension ${nd}`);
  let r = t;
  let dim = 0;
  for (const it of items) {
    if (it === "...") {
      dim += nd - consumed;
    } else if (it === null) {
      r = unsqueeze(r, dim);
      dim++;
    } else if (typeof it === "number") {
      r = select(r, dim, it);
    } else if (typeof it === "string") {
      const [s, e, st] = parseSlice(it);
      r = slice(r, dim, s, e, st);
      dim++;
    } else {
      const idx = it instanceof Tensor ? it : new Tensor(Float64Array.from(it as number[]), [(it as number[]).length], [1], 0, int64);
      if (idx.dtype === bool) {
        if (items.length !== 1) throw new IndexError("boolean mask indexing is only supported as the sole index");
        return masked_select(r, idx);
      }
      const flat = reshapeTo(idx, [idx.numel()]);
      const sel = index_select(r, dim, flat);
      const shape = [...r._shape.slice(0, dim), ...idx._shape, ...r._shape.slice(dim + 1)];
      r = named(reshapeTo(sel, shape), "IndexBackward0", t);
      dim += idx._shape.length;
    }
  }
  return r;
}

