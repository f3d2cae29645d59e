// Indexing and joining: index_select, gather, scatter(_add), index_add, cat, stack, split, chunk, pad,
// masked_select, repeat, flip, tril/triu, nonzero, sort, topk, each with its backward formula or composed
// of differentiable ops.
import type { BackwardFormula } from "../autograd/node.js";
import { kernels } from "../backend/dispatcher.js";
import { type DType, bool, int32, int64, promote_types } from "../dtype.js";
import { IndexError, NotImplementedError, RuntimeError } from "../errors.js";
import { gradMode } from "../grad_mode.js";
import { wrapDim } from "../shape.js";
import { Tensor } from "../tensor.js";
import { anyRequiresGrad, contiguousData, emptyTensor, fromData, named, record, scalarTensor, zerosTensor } from "./common.js";
import { cast, clone } from "./copy.js";
import { mul, where } from "./elementwise.js";
import { type ValuesIndices, valuesIndices } from "./reduce.js";
import { expand, narrow, renameNode, reshapeTo, slice, unsqueeze } from "./view.js";

function checkIndex(name: string, index: Tensor): void {
  // index_select also takes int32 indices; gather/scatter want int64, as in PyTorch.
  if (name === "index_select" || name === "index_add") {
    if (index.dtype !== int64 && index.dtype !== int32) throw new RuntimeError(`${name}(): Expected dtype int32 or int64 for index`);
  } else if (index.dtype !== int64) throw new RuntimeError(`${name}(): Expected dtype int64 for index`);
}

/** The index values as a contiguous typed array, every value checked against [0, size). */
function indexData(index: Tensor, size: number, onError: (v: number) => Error): Float64Array | Int32Array {
  const data = contiguousData(index) as Float64Array | Int32Array;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < 0 || v >= size) throw onError(v);
  }
  return data;
}

// ---------------------------------------------------------------- index_select / index_add

const IndexSelectBackward0: BackwardFormula<{ inShape: readonly number[]; dim: number }> = {
  name: "IndexSelectBackward0",
  backward: (node, g) => [index_add(zerosTensor(node.args.inShape.slice(), g.dtype), node.args.dim, node.saved(0), g)],
};

export function index_select(t: Tensor, dim: number, index: Tensor): Tensor {
  checkIndex("index_select", index);
  if (index.ndim > 1) throw new IndexError("index_select(): Index is supposed to be a vector");
  const d = t.ndim === 0 ? 0 : wrapDim(dim, t.ndim);
  const size = t.ndim === 0 ? 1 : t._shape[d];
  const idx = indexData(index, size, () => new IndexError("index out of range in self"));
  const x = contiguousData(t);
  const shape = t._shape.slice();
  if (t.ndim > 0) shape[d] = idx.length;
  const out = emptyTensor(t.ndim === 0 ? [] : shape, t.dtype);
  kernels.index_select(out._data, x, t.ndim === 0 ? [1] : t._shape, d, idx);
  if (gradMode.enabled && t._requires_grad) record(out, IndexSelectBackward0, [t], [index], { inShape: t._shape, dim: d });
  return out;
}

const IndexAddBackward0: BackwardFormula<{ dim: number; alpha: number }> = {
  name: "IndexAddBackward0",
  backward: (node, g) => {
    const [es, , esrc] = node._next;
    const src = esrc ? index_select(g, node.args.dim, node.saved(0)) : null;
    return [es ? g : null, null, src && node.args.alpha !== 1 ? mul(src, node.args.alpha) : src];
  },
};

/** torch.index_add(t, dim, index, source, alpha): out-of-place; index_add_ wraps it. */
export function index_add(t: Tensor, dim: number, index: Tensor, source: Tensor, opts?: { alpha?: number }): Tensor {
  checkIndex("index_add", index);
  const alpha = opts?.alpha ?? 1;
  const d = wrapDim(dim, Math.max(t.ndim, 1));
  const idx = indexData(index, t.ndim === 0 ? 1 : t._shape[d], () => new IndexError("index out of range in self"));
  const out = clone(t.detach());
  const src = alpha === 1 ? cast(source.detach(), t.dtype) : cast(mul(source.detach(), alpha), t.dtype);
  kernels.index_add(out._data, t.ndim === 0 ? [1] : t._shape, d, idx, contiguousData(src));
  if (anyRequiresGrad([t, source])) record(out, IndexAddBackward0, [t, index, source], [index], { dim: d, alpha });
  return out;
}

// ---------------------------------------------------------------- gather / scatter

function checkGatherShapes(name: string, t: Tensor, dim: number, index: Tensor): void {
  if (index.ndim !== t.ndim && !(t.ndim === 0 && index.ndim <= 1))
    throw new RuntimeError(`Index tensor must have the same number of dimensions as ${name === "gather" ? "input" : "self"} tensor`);
  for (let i = 0; i < index.ndim; i++)
    if (i !== dim && index._shape[i] > t._shape[i])
      throw new RuntimeError(
        `Size does not match at dimension ${i} expected index [${index._shape.join(", ")}] to be smaller than self [${t._shape.join(", ")}] apart from dimension ${dim}`,
      );
}

const GatherBackward0: BackwardFormula<{ inShape: readonly number[]; dim: number }> = {
  name: "GatherBackward0",
  backward: (node, g) => [scatter_add(zerosTensor(node.args.inShape.slice(), g.dtype), node.args.dim, node.saved(0), g)],
};

export function gather(t: Tensor, dim: number, index: Tensor): Tensor {
  checkIndex("gather", index);
  const d = wrapDim(dim, Math.max(t.ndim, 1));
  checkGatherShapes("gather", t, d, index);
  const size = t.ndim === 0 ? 1 : t._shape[d];
  const idx = indexData(index, size, (v) => new RuntimeError(`index ${v} is out of bounds for dimension ${d} with size ${size}`));
  const out = emptyTensor(index._shape.slice(), t.dtype);
  kernels.gather(out._data, contiguousData(t), t.ndim === 0 ? [1] : t._shape, d, idx, index.ndim === 0 ? [1] : index._shape);
  if (gradMode.enabled && t._requires_grad) record(out, GatherBackward0, [t], [index], { inShape: t._shape, dim: d });
  return out;
}

const ScatterAddBackward0: BackwardFormula<number> = {
  name: "ScatterAddBackward0",
  backward: (node, g) => {
    const [es, , esrc] = node._next;
    return [es ? g : null, null, esrc ? gather(g, node.args, node.saved(0)) : null];
  },
};

export function scatter_add(t: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  checkIndex("scatter_add", index);
  const d = wrapDim(dim, Math.max(t.ndim, 1));
  checkGatherShapes("scatter_add", t, d, index);
  const size = t.ndim === 0 ? 1 : t._shape[d];
  const idx = indexData(index, size, (v) => new RuntimeError(`index ${v} is out of bounds for dimension ${d} with size ${size}`));
  const out = clone(t.detach());
  const s = index._shape.every((v, i) => v === src._shape[i]) ? src.detach() : sliceTo(src.detach(), index._shape);
  kernels.scatter_add(out._data, t.ndim === 0 ? [1] : t._shape, d, idx, index.ndim === 0 ? [1] : index._shape, contiguousData(cast(s, t.dtype)));
  if (anyRequiresGrad([t, src])) record(out, ScatterAddBackward0, [t, index, src], [index], d);
  return out;
}

function sliceTo(t: Tensor, shape: readonly number[]): Tensor {
  let r = t;
  for (let i = 0; i < shape.length; i++) if (r._shape[i] !== shape[i]) r = narrow(r, i, 0, shape[i]);
  return r;
}

const ScatterBackward0: BackwardFormula<number> = {
  name: "ScatterBackward0",
  backward: (node, g) => {
    const [es, , esrc] = node._next;
    const idx = node.saved(0);
    return [es ? scatter(g, node.args, idx, 0) : null, null, esrc ? gather(g, node.args, idx) : null];
  },
};

/** torch.scatter(t, dim, index, src): out-of-place; the last write to a position wins. */
export function scatter(t: Tensor, dim: number, index: Tensor, src: Tensor | number): Tensor {
  checkIndex("scatter", index);
  const d = wrapDim(dim, Math.max(t.ndim, 1));
  checkGatherShapes("scatter", t, d, index);
  const size = t.ndim === 0 ? 1 : t._shape[d];
  const idx = indexData(index, size, (v) => new RuntimeError(`index ${v} is out of bounds for dimension ${d} with size ${size}`));
  const out = clone(t.detach());
  const s = src instanceof Tensor ? cast(sliceTo(src.detach(), index._shape), t.dtype) : null;
  const sdata = s ? contiguousData(s) : new t.dtype.array(index.numel()).fill(src as number);
  // Written position by position in index order, so that the last write to a position wins as in PyTorch.
  lastWriteScatter(out._data, t.ndim === 0 ? [1] : t._shape, d, idx, index.ndim === 0 ? [1] : index._shape, sdata);
  if (anyRequiresGrad(src instanceof Tensor ? [t, src] : [t])) record(out, ScatterBackward0, src instanceof Tensor ? [t, index, src] : [t, index], [index], d);
  return out;
}

function lastWriteScatter(out: ArrayLike<number> & { [i: number]: number }, outShape: readonly number[], dim: number, index: ArrayLike<number>, indexShape: readonly number[], src: ArrayLike<number>): void {
  const nd = indexShape.length;
  const ostr = new Array<number>(nd);
  let s = 1;
  for (let d = nd - 1; d >= 0; d--) {
    ostr[d] = s;
    s *= outShape[d];
  }
  const cnt = new Array<number>(nd).fill(0);
  let n = 1;
  for (const v of indexShape) n *= v;
  for (let pos = 0; pos < n; pos++) {
    let off = 0;
    for (let d = 0; d < nd; d++) off += (d === dim ? index[pos] : cnt[d]) * ostr[d];
    out[off] = src[pos];
    for (let d = nd - 1; d >= 0; d--) {
      if (++cnt[d] < indexShape[d]) break;
      cnt[d] = 0;
    }
  }
}

// ---------------------------------------------------------------- cat / stack / split / chunk

const CatBackward0: BackwardFormula<{ dim: number; sizes: number[] }> = {
  name: "CatBackward0",
  backward: (node, g) => {
    const out: (Tensor | null)[] = [];
    let start = 0;
    node.args.sizes.forEach((len, i) => {
      out.push(node._next[i] && len >= 0 ? narrow(g, node.args.dim, start, len) : null);
      if (len >= 0) start += len;
    });
    return out;
  },
};

export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new RuntimeError("torch.cat(): expected a non-empty list of Tensors");
  // Legacy behaviour kept by PyTorch: 1-D empty tensors are skipped.
  const parts = tensors.filter((t) => !(t.ndim === 1 && t._shape[0] === 0));
  if (parts.length === 0) return clone(tensors[0]);
  const ref = parts[0];
  if (ref.ndim === 0) throw new RuntimeError(`zero-dimensional tensor (at position ${tensors.indexOf(ref)}) cannot be concatenated`);
  const d = wrapDim(dim, ref.ndim);
  let dtype: DType = parts[0].dtype;
  let total = 0;
  parts.forEach((t) => {
    const pos = tensors.indexOf(t);
    if (t.ndim === 0) throw new RuntimeError(`zero-dimensional tensor (at position ${pos}) cannot be concatenated`);
    if (t.ndim !== ref.ndim)
      throw new RuntimeError(`Tensors must have same number of dimensions: got ${ref.ndim} and ${t.ndim}`);
    for (let i = 0; i < ref.ndim; i++)
      if (i !== d && t._shape[i] !== ref._shape[i])
        throw new RuntimeError(
          `Sizes of tensors must match except in dimension ${d}. Expected size ${ref._shape[i]} but got size ${t._shape[i]} for tensor number ${pos} in the list.`,
        );
    dtype = promote_types(dtype, t.dtype);
    total += t._shape[d];
  });
  const shape = ref._shape.slice();
  shape[d] = total;
  const out = emptyTensor(shape, dtype);
  let start = 0;
  for (const t of parts) {
    const len = t._shape[d];
    kernels.copy(t._shape, out._data, out._strides, start * out._strides[d], t._data, t._strides, t._offset);
    start += len;
  }
  if (anyRequiresGrad(tensors)) {
    const sizes = tensors.map((t) => (t.ndim === 1 && t._shape[0] === 0 && parts.indexOf(t) < 0 ? -1 : t._shape[d]));
    record(out, CatBackward0, tensors as Tensor[], null, { dim: d, sizes });
  }
  return out;
}

/** torch.concat / torch.concatenate are aliases of cat. */
export const concat = cat;

export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new RuntimeError("stack expects a non-empty TensorList");
  const ref = tensors[0];
  tensors.forEach((t, i) => {
    if (t._shape.length !== ref._shape.length || t._shape.some((v, j) => v !== ref._shape[j]))
      throw new RuntimeError(`stack expects each tensor to be equal size, but got [${ref._shape.join(", ")}] at entry 0 and [${t._shape.join(", ")}] at entry ${i}`);
  });
  const d = wrapDim(dim, ref.ndim + 1);
  return named(cat(tensors.map((t) => unsqueeze(t, d)), d), "StackBackward0");
}

export function split(t: Tensor, sizeOrSections: number | readonly number[], dim = 0): Tensor[] {
  const d = wrapDim(dim, t.ndim);
  const size = t._shape[d];
  const out: Tensor[] = [];
  if (typeof sizeOrSections === "number") {
    if (sizeOrSections <= 0 && size > 0) throw new RuntimeError(`split_size can only be 0 if dimension size is 0, but got dimension size of ${size}`);
    for (let s = 0; s < size || (s === 0 && size === 0); s += sizeOrSections) {
      out.push(renameNode(narrow(t, d, s, Math.min(sizeOrSections, size - s)), "SplitBackward0"));
      if (size === 0) break;
    }
    return out;
  }
  const total = sizeOrSections.reduce((a, b) => a + b, 0);
  if (total !== size)
    throw new RuntimeError(
      `split_with_sizes expects split_sizes to sum exactly to ${size} (input tensor's size at dimension ${d}), but got split_sizes=[${sizeOrSections.join(", ")}]`,
    );
  let s = 0;
  for (const len of sizeOrSections) {
    out.push(renameNode(narrow(t, d, s, len), "SplitWithSizesBackward0"));
    s += len;
  }
  return out;
}

export function chunk(t: Tensor, chunks: number, dim = 0): Tensor[] {
  if (chunks <= 0) throw new RuntimeError("chunk expects `chunks` to be greater than 0, got: " + chunks);
  const d = wrapDim(dim, t.ndim);
  const size = t._shape[d];
  const each = Math.ceil(size / chunks);
  if (each === 0) return split(t, 1, d).slice(0, chunks).length ? [t] : [t];
  return split(t, each, d);
}

// ---------------------------------------------------------------- pad

const ConstantPadBackward: BackwardFormula<{ pads: number[] }> = {
  name: "ConstantPadNdBackward0",
  backward: (node, g) => [cropPad(g, node.args.pads.map((p) => -p))],
};

/** Applies (possibly negative) constant pads given as PyTorch's flat list, last dim first. */
function cropPad(t: Tensor, pads: readonly number[], value = 0): Tensor {
  const nd = t.ndim;
  const shape = t._shape.slice();
  for (let i = 0; i < pads.length / 2; i++) {
    const d = nd - 1 - i;
    shape[d] += pads[2 * i] + pads[2 * i + 1];
    if (shape[d] < 0)
      throw new RuntimeError(`The input size ${t._shape[d]}, plus negative padding ${pads[2 * i]} and ${pads[2 * i + 1]} resulted in a negative output size, which is invalid. Check dimension ${d} of your input.`);
  }
  const out = emptyTensor(shape, t.dtype);
  out._data.fill(value);
  // The region of t that survives cropping, and where it lands.
  let src = t.detach();
  let dstOffset = 0;
  const copyShape = t._shape.slice();
  for (let i = 0; i < pads.length / 2; i++) {
    const d = nd - 1 - i;
    const before = pads[2 * i];
    const after = pads[2 * i + 1];
    const start = before < 0 ? -before : 0;
    const end = t._shape[d] - (after < 0 ? -after : 0);
    copyShape[d] = Math.max(0, end - start);
    if (start > 0 || end < t._shape[d]) src = slice(src, d, start, Math.max(start, end));
    if (before > 0) dstOffset += before * out._strides[d];
  }
  if (copyShape.every((v) => v > 0)) kernels.copy(src._shape, out._data, out._strides, dstOffset, src._data, src._strides, src._offset);
  if (gradMode.enabled && t._requires_grad) record(out, ConstantPadBackward, [t], null, { pads: pads.slice() });
  return out;
}

/** torch.nn.functional.pad(input, pad, mode="constant", value=0). */
export function pad(t: Tensor, pads: readonly number[], mode: "constant" | "reflect" | "replicate" | "circular" = "constant", value = 0): Tensor {
  if (pads.length % 2 !== 0) throw new RuntimeError("Padding length must be divisible by 2");
  if (pads.length / 2 > t.ndim) throw new RuntimeError("Padding length too large");
  if (mode !== "constant") throw new NotImplementedError(`pad mode "${mode}" is not implemented; only "constant" is`);
  return cropPad(t, pads, value);
}

// ---------------------------------------------------------------- masks, repeat, flip, triangles

export function nonzero(t: Tensor): Tensor {
  const data = contiguousData(t);
  const nd = t.ndim;
  const hits: number[] = [];
  const cnt = new Array<number>(nd).fill(0);
  for (let i = 0; i < data.length; i++) {
    if (data[i]) hits.push(...cnt);
    for (let d = nd - 1; d >= 0; d--) {
      if (++cnt[d] < t._shape[d]) break;
      cnt[d] = 0;
    }
  }
  const n = nd === 0 ? (data[0] ? 1 : 0) : hits.length / nd;
  return fromData(Float64Array.from(hits), [n, nd], int64);
}

export function masked_select(t: Tensor, mask: Tensor): Tensor {
  if (mask.dtype !== bool) throw new RuntimeError(`masked_select: expected BoolTensor for mask`);
  const shape = mask.ndim >= t.ndim ? mask._shape : t._shape;
  const x = expand(t, broadcastPair(t._shape, mask._shape));
  const m = expand(mask, x._shape);
  const flatMask = contiguousData(m);
  const idx: number[] = [];
  for (let i = 0; i < flatMask.length; i++) if (flatMask[i]) idx.push(i);
  void shape;
  return named(index_select(reshapeTo(x.contiguous(), [x.numel()]), 0, fromData(Float64Array.from(idx), [idx.length], int64)), "MaskedSelectBackward0", t);
}

function broadcastPair(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[i - (n - a.length)] ?? 1;
    const y = b[i - (n - b.length)] ?? 1;
    if (x !== y && x !== 1 && y !== 1)
      throw new RuntimeError(`The size of tensor a (${x}) must match the size of tensor b (${y}) at non-singleton dimension ${i}`);
    out.push(x === 1 ? y : x);
  }
  return out;
}

export function repeat(t: Tensor, sizes: readonly number[]): Tensor {
  if (sizes.length < t.ndim)
    throw new RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor");
  const lead = sizes.length - t.ndim;
  const padded = [...new Array<number>(lead).fill(1), ...t._shape];
  const inter: number[] = [];
  const big: number[] = [];
  const final: number[] = [];
  padded.forEach((s, i) => {
    inter.push(1, s);
    big.push(sizes[i], s);
    final.push(sizes[i] * s);
  });
  return named(reshapeTo(expand(reshapeTo(t, inter), big).contiguous(), final), "RepeatBackward0", t);
}

export function flip(t: Tensor, dims: readonly number[]): Tensor {
  let r = t;
  for (const dim of dims) {
    const d = wrapDim(dim, t.ndim);
    const n = t._shape[d];
    r = index_select(r, d, fromData(Float64Array.from({ length: n }, (_, i) => n - 1 - i), [n], int64));
  }
  return named(r, "FlipBackward0", t);
}

function triangle(t: Tensor, diagonal: number, lower: boolean): Tensor {
  if (t.ndim < 2) throw new RuntimeError(`${lower ? "tril" : "triu"}: input tensor must have at least 2 dimensions`);
  const rows = t._shape[t.ndim - 2];
  const cols = t._shape[t.ndim - 1];
  const m = emptyTensor([rows, cols], bool);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) m._data[i * cols + j] = (lower ? j - i <= diagonal : j - i >= diagonal) ? 1 : 0;
  return named(where(m, t, scalarTensor(0, t.dtype)), lower ? "TrilBackward0" : "TriuBackward0", t);
}
export const tril = (t: Tensor, diagonal = 0): Tensor => triangle(t, diagonal, true);
export const triu = (t: Tensor, diagonal = 0): Tensor => triangle(t, diagonal, false);

// ---------------------------------------------------------------- sort / topk

export function sort(t: Tensor, dim = -1, opts?: { descending?: boolean; stable?: boolean }): ValuesIndices {
  const nd = Math.max(t.ndim, 1);
  const d = wrapDim(dim, nd);
  const desc = opts?.descending ?? false;
  const x = t.ndim === 0 ? reshapeTo(t, [1]) : t;
  const data = contiguousData(x);
  const size = x._shape[d];
  let inner = 1;
  for (let i = d + 1; i < x.ndim; i++) inner *= x._shape[i];
  const outer = data.length / Math.max(1, size * inner);
  const idx = new Float64Array(data.length);
  const order = new Array<number>(size);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < inner; k++) {
      const base = o * size * inner + k;
      for (let j = 0; j < size; j++) order[j] = j;
      // NaN sorts as the largest value, as in PyTorch.
      const key = (j: number) => data[base + j * inner];
      order.sort((a, b) => {
        const va = key(a);
        const vb = key(b);
        const c = va !== va ? (vb !== vb ? 0 : 1) : vb !== vb ? -1 : va < vb ? -1 : va > vb ? 1 : 0;
        return (desc ? -c : c) || a - b;
      });
      for (let j = 0; j < size; j++) idx[base + j * inner] = order[j];
    }
  }
  const indices = fromData(idx, x._shape.slice(), int64);
  const values = named(gather(x, d, indices), "SortBackward0", t);
  if (t.ndim === 0) return valuesIndices(reshapeTo(values, []), reshapeTo(indices, []));
  return valuesIndices(values, indices);
}

export function topk(t: Tensor, k: number, dim = -1, opts?: { largest?: boolean; sorted?: boolean }): ValuesIndices {
  const d = wrapDim(dim, Math.max(t.ndim, 1));
  const size = t.ndim === 0 ? 1 : t._shape[d];
  if (k < 0 || k > size) throw new RuntimeError("selected index k out of range");
  const { indices } = sort(t.detach(), d, { descending: opts?.largest ?? true });
  const top = narrow(indices, d, 0, k).contiguous();
  return valuesIndices(named(gather(t, d, top), "TopkBackward0", t), top);
}
