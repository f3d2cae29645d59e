// In-place ops. Each computes its out-of-place result, writes it into the tensor's own storage (so that
// views see it), bumps the shared version counter, and, when the graph is recorded, moves the tensor's
// grad_fn to the new node (history rebased as PyTorch does). PyTorch's errors for leaves are kept.
import type { BackwardFormula } from "../autograd/node.js";
import { kernels } from "../backend/dispatcher.js";
import type { BinaryOp, UnaryOp } from "../backend/kernels.js";
import { bool, can_cast, int64, promoteWithScalar } from "../dtype.js";
import { RuntimeError } from "../errors.js";
import { gradMode } from "../grad_mode.js";
import { default_generator, fillNormal, fillUniform, type Generator } from "../random.js";
import { broadcastShapes, broadcastStrides, contiguousStrides, shapesEqual } from "../shape.js";
import { Tensor, type TensorOrScalar } from "../tensor.js";
import { allocate, isContig, record, sumToShape, zerosTensor } from "./common.js";
import { cast, castRaw, clone } from "./copy.js";
import * as E from "./elementwise.js";
import { masked_fill } from "./elementwise.js";
import { reduceLegacyName } from "./names.js";
import { getitem, type IndexItem } from "./view.js";

/** PyTorch's checks before writing into `t`. */
export function checkInplace(t: Tensor): void {
  if (!gradMode.enabled) return;
  if (t._requires_grad && t.grad_fn === null) {
    if (t._base && t._base._requires_grad)
      throw new RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.");
    throw new RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.");
  }
  if (t._base && t._base._requires_grad && t._base.grad_fn === null)
    throw new RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.");
}

/** Writes `r` (same shape as t after broadcasting rules were checked) into t's storage and rebases history. */
function commit(t: Tensor, r: Tensor): void {
  if (!shapesEqual(r._shape, t._shape))
    throw new RuntimeError(`output with shape [${t._shape.join(", ")}] doesn't match the broadcast shape [${r._shape.join(", ")}]`);
  if (r.dtype !== t.dtype) {
    if (!can_cast(r.dtype, t.dtype))
      throw new RuntimeError(`result type ${reduceLegacyName(r.dtype)} can't be cast to the desired output type ${reduceLegacyName(t.dtype)}`);
    r = castRaw(r, t.dtype);
  }
  kernels.copy(t._shape, t._data, t._strides, t._offset, r._data, r._strides, r._offset);
  t._vc.v++;
  if (r.grad_fn) {
    if (t._base && gradMode.enabled) {
      rebaseView(t, r);
      return;
    }
    t.grad_fn = r.grad_fn;
    t._requires_grad = true;
    if (t._retains_grad) t.grad_fn._retained = t;
  }
}

interface ViewGeometry {
  baseShape: number[];
  viewShape: number[];
  viewStrides: number[];
  /** Offset of the view's first element from the base's first element, in elements. */
  rel: number;
}

/** Gradient of a base after a slice of it was overwritten: the base's old values get g outside the slice, the new values g inside. */
const CopySlices: BackwardFormula<ViewGeometry> = {
  name: "CopySlices",
  backward: (node, g) => {
    const a = node.args;
    const outside = clone(g.detach()).contiguous();
    const inside = zerosTensor(a.viewShape.slice(), g.dtype);
    kernels.copy(a.viewShape, inside._data, inside._strides, 0, outside._data, a.viewStrides, a.rel);
    kernels.fill(outside._data, a.viewShape, a.viewStrides, a.rel, 0);
    return [outside, inside];
  },
};

/** A view's gradient placed in its region of the base. */
const AsStridedBackward0: BackwardFormula<ViewGeometry> = {
  name: "AsStridedBackward0",
  backward: (node, g) => {
    const a = node.args;
    const out = zerosTensor(a.baseShape.slice(), g.dtype);
    kernels.copy(a.viewShape, out._data, a.viewStrides, a.rel, g._data, g._strides, g._offset);
    return [out];
  },
};

/**
 * PyTorch's CopySlices: after an in-place op wrote `r` into view `t` while recording, the base's history
 * becomes "old base with the slice replaced by r", and the view becomes a view of that new history.
 * Supported when the base owns its storage contiguously (tensors made by ops and factories do).
 */
function rebaseView(t: Tensor, r: Tensor): void {
  const base = t._base!;
  if (!isContig(base))
    throw new RuntimeError("in-place operation on a view of a non-contiguous tensor that requires grad is not supported; use the out-of-place op");
  const geom: ViewGeometry = { baseShape: base._shape.slice(), viewShape: t._shape.slice(), viewStrides: t._strides.slice(), rel: t._offset - base._offset };
  record(base, CopySlices, [base, r], null, geom);
  record(t, AsStridedBackward0, [base], null, geom);
  if (base._retains_grad) base.grad_fn!._retained = base;
}

function expandTo(src: Tensor, shape: readonly number[]): Tensor {
  return shapesEqual(src._shape, shape) ? src : src.expand(shape as number[]);
}

/** When the op will be recorded, the input is a clone so that saved tensors do not alias t's storage. */
function inputFor(t: Tensor, other?: unknown): Tensor {
  const recording = gradMode.enabled && (t._requires_grad || (other instanceof Tensor && other._requires_grad));
  return recording ? clone(t) : t;
}

type BinaryFn = (a: Tensor, b: TensorOrScalar, opts?: never) => Tensor;

/**
 * The kernel ops behind add_/sub_/mul_/div_ when they can write straight into t's memory (no graph
 * recorded, t dense, same dtype, no broadcasting of t): optimizer updates take this path, with no
 * temporary allocation.
 */
const DIRECT = new Map<BinaryFn, (t: Tensor, other: TensorOrScalar, alpha: number) => [UnaryOp | BinaryOp, number] | null>([
  [E.add as BinaryFn, (_t, o, alpha) => (typeof o === "number" ? ["add_scalar", o * alpha] : [alpha === 1 ? "add" : "add_alpha", alpha])],
  [E.sub as BinaryFn, (_t, o, alpha) => (typeof o === "number" ? ["add_scalar", -o * alpha] : ["sub_alpha", alpha])],
  [E.mul as BinaryFn, (_t, o) => (typeof o === "number" ? ["mul_scalar", o] : ["mul", 0])],
  [E.div as BinaryFn, (t, o) => (!t.dtype.is_floating_point ? null : typeof o === "number" ? ["mul_scalar", 1 / o] : ["div", 0])],
]);

function tryDirect(t: Tensor, op: BinaryFn, other: TensorOrScalar, opts: unknown): boolean {
  const plan = DIRECT.get(op);
  if (!plan || (opts as { rounding_mode?: unknown } | undefined)?.rounding_mode) return false;
  if (gradMode.enabled && (t._requires_grad || (other instanceof Tensor && other._requires_grad))) return false;
  if (!isContig(t) || t.dtype === bool) return false;
  const n = t.numel();
  if (other instanceof Tensor) {
    if (other.dtype !== t.dtype || other._shape.length > t._shape.length) return false;
    const off = t._shape.length - other._shape.length;
    for (let i = 0; i < other._shape.length; i++) if (other._shape[i] !== 1 && other._shape[i] !== t._shape[i + off]) return false;
    if (other._data === t._data && !(other._offset === t._offset && shapesEqual(other._shape, t._shape) && isContig(other))) return false;
  } else if (typeof other !== "number" || promoteWithScalar(t.dtype, other) !== t.dtype) return false;
  const step = plan(t, other, (opts as { alpha?: number } | undefined)?.alpha ?? 1);
  if (!step) return false;
  const dst = t._offset === 0 && t._data.length === n ? t._data : t._data.subarray(t._offset, t._offset + n);
  if (other instanceof Tensor) {
    const bs = broadcastStrides(other._shape, other._strides, t._shape);
    const src = other._data === t._data ? dst : other._data;
    kernels.binary(step[0] as BinaryOp, dst, t._shape, dst, t._strides, 0, src, bs, other._data === t._data ? 0 : other._offset, step[1]);
  } else {
    kernels.unary(step[0] as UnaryOp, dst, dst, t._shape, t._strides, 0, step[1], 0);
  }
  t._vc.v++;
  return true;
}

export function inplace<T extends Tensor, O>(t: T, op: (a: Tensor, b: TensorOrScalar, opts?: O) => Tensor, other: TensorOrScalar, opts?: O): T {
  checkInplace(t);
  if (tryDirect(t, op as unknown as BinaryFn, other, opts)) return t;
  commit(t, op(inputFor(t, other), other, opts));
  return t;
}

export function inplace1<T extends Tensor>(t: T, op: (a: Tensor) => Tensor): T {
  checkInplace(t);
  commit(t, op(inputFor(t)));
  return t;
}

const FillBackward: BackwardFormula = { name: "FillBackward0", backward: (_n, g) => [zerosTensor(g._shape.slice(), g.dtype)] };

export function fill_<T extends Tensor>(t: T, value: number | boolean | Tensor): T {
  checkInplace(t);
  let v: number;
  if (value instanceof Tensor) {
    if (value.ndim !== 0)
      throw new RuntimeError(`fill_ only supports 0-dimension value tensor but got tensor with ${value.ndim} dimensions.`);
    v = value.item();
  } else v = typeof value === "boolean" ? (value ? 1 : 0) : value;
  if (t.dtype === bool) v = v ? 1 : 0;
  else if (!t.dtype.is_floating_point) v = Math.trunc(v);
  kernels.fill(t._data, t._shape, t._strides, t._offset, v);
  t._vc.v++;
  if (gradMode.enabled && t._requires_grad && t.grad_fn) {
    if (t._base) rebaseView(t, new Tensor(t._data, t._shape, t._strides, t._offset, t.dtype));
    else record(t, FillBackward, [t], null, null);
  }
  return t;
}

const CopyBackwards: BackwardFormula<readonly number[]> = {
  name: "CopyBackwards",
  backward: (node, g) => [zerosTensor(g._shape.slice(), g.dtype), sumToShape(g, node.args)],
};

export function copy_<T extends Tensor>(t: T, src: Tensor): T {
  checkInplace(t);
  const shape = broadcastShapes(t._shape, src._shape);
  if (!shapesEqual(shape, t._shape))
    throw new RuntimeError(`output with shape [${t._shape.join(", ")}] doesn't match the broadcast shape [${shape.join(", ")}]`);
  let s = src;
  if (s.dtype !== t.dtype && (t.dtype === bool || (t.dtype === int64 && s.dtype.is_floating_point))) s = castRaw(s, t.dtype);
  // Copy through a temporary when source and destination share storage (overlap).
  if (s._data === t._data) {
    const tmp = allocate(s.dtype, s.numel());
    kernels.copy(s._shape, tmp, contiguousStrides(s._shape), 0, s._data, s._strides, s._offset);
    s = new Tensor(tmp, s._shape.slice(), contiguousStrides(s._shape), 0, s.dtype);
  }
  kernels.copy(t._shape, t._data, t._strides, t._offset, s._data, broadcastStrides(s._shape, s._strides, t._shape), s._offset);
  t._vc.v++;
  if (gradMode.enabled && (src._requires_grad || t._requires_grad)) {
    if (t._base) rebaseView(t, expandTo(cast(src, t.dtype), t._shape));
    else record(t, CopyBackwards, [t, cast(src, src.dtype)], null, src._shape);
  }
  return t;
}

/** x[...] = value. */
export function setitem(t: Tensor, items: IndexItem[], value: TensorOrScalar): void {
  if (items.length === 1 && items[0] instanceof Tensor && items[0].dtype === bool) {
    const mask = items[0];
    checkInplace(t);
    commit(t, masked_fill(inputFor(t, value), mask, value instanceof Tensor ? value : (value as number)));
    return;
  }
  if (items.some((it) => it instanceof Tensor || Array.isArray(it)))
    throw new RuntimeError("setitem with index tensors is not supported; use scatter_ / index_add_ instead");
  if (gradMode.enabled && (t._requires_grad || (value instanceof Tensor && value._requires_grad))) checkInplace(t);
  const view = getitem(t, items);
  if (value instanceof Tensor) copy_(view, value);
  else fill_(view, value);
}

function checkFloat(t: Tensor, name: string): void {
  if (!t.dtype.is_floating_point) throw new RuntimeError(`${name} expects a floating point tensor, got ${t.dtype.toString()}`);
}

function writeGenerated<T extends Tensor>(t: T, gen: (buf: Float32Array | Float64Array) => void): T {
  checkInplace(t);
  const n = t.numel();
  const buf = new (t.dtype.array as Float64ArrayConstructor)(n) as Float32Array | Float64Array;
  gen(buf);
  kernels.copy(t._shape, t._data, t._strides, t._offset, buf, contiguousStrides(t._shape), 0);
  t._vc.v++;
  return t;
}

export function uniform_<T extends Tensor>(t: T, from = 0, to = 1, opts?: { generator?: Generator }): T {
  checkFloat(t, "uniform_");
  return writeGenerated(t, (b) => fillUniform(b, from, to, opts?.generator ?? default_generator));
}

export function normal_<T extends Tensor>(t: T, mean = 0, std = 1, opts?: { generator?: Generator }): T {
  checkFloat(t, "normal_");
  if (std < 0) throw new RuntimeError(`normal expects std >= 0.0, but found std ${std}`);
  return writeGenerated(t, (b) => fillNormal(b, mean, std, opts?.generator ?? default_generator));
}

export function bernoulli_<T extends Tensor>(t: T, p = 0.5, opts?: { generator?: Generator }): T {
  checkFloat(t, "bernoulli_");
  return writeGenerated(t, (b) => {
    fillUniform(b, 0, 1, opts?.generator ?? default_generator);
    for (let i = 0; i < b.length; i++) b[i] = b[i] < p ? 1 : 0;
  });
}
