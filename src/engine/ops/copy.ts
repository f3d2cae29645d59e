// Conversions and copies: dtype casts (differentiable between floating dtypes), clone, detach, to(),
// and values out to JavaScript (tolist, typed arrays).
import type { BackwardFormula } from "../autograd/node.js";
import { kernels } from "../backend/dispatcher.js";
import { Device, device as toDevice } from "../device.js";
import { DType, type TypedArray, bool, int64 } from "../dtype.js";
import { RuntimeError } from "../errors.js";
import { checkShape, contiguousStrides } from "../shape.js";
import { type NestedList, Tensor } from "../tensor.js";
import { allocate, contiguousData, emptyTensor, needs2, record } from "./common.js";

/** Writes t's values converted to `dtype` into a new contiguous tensor (no autograd). */
export function castRaw(t: Tensor, dtype: DType): Tensor {
  const out = emptyTensor(t._shape.slice(), dtype);
  if (dtype === bool && t.dtype !== bool) {
    kernels.unary("ne_scalar", out._data, t._data, t._shape, t._strides, t._offset, 0, 0);
  } else if (dtype === int64 && t.dtype.is_floating_point) {
    kernels.unary("trunc", out._data, t._data, t._shape, t._strides, t._offset, 0, 0);
  } else {
    kernels.copy(t._shape, out._data, out._strides, 0, t._data, t._strides, t._offset);
  }
  return out;
}

const ToCopyBackward: BackwardFormula<DType> = {
  name: "ToCopyBackward0",
  backward: (node, g) => [cast(g, node.args)],
};

/** t as `dtype`: t itself when it already has it; differentiable between floating dtypes. */
export function cast(t: Tensor, dtype: DType): Tensor {
  if (t.dtype === dtype) return t;
  const out = castRaw(t, dtype);
  if (dtype.is_floating_point && needs2(t, t)) record(out, ToCopyBackward, [t], null, t.dtype);
  return out;
}

const CloneBackward: BackwardFormula = { name: "CloneBackward0", backward: (_n, g) => [g] };

export function clone(t: Tensor): Tensor {
  const out = emptyTensor(t._shape.slice(), t.dtype);
  kernels.copy(t._shape, out._data, out._strides, 0, t._data, t._strides, t._offset);
  if (needs2(t, t)) record(out, CloneBackward, [t], null, null);
  return out;
}

/**
 * A tensor sharing t's storage and version counter, cut from the graph. It is not an autograd view of t:
 * writing into it in place is allowed even when t is a leaf that requires grad (as in PyTorch).
 */
export function detach(t: Tensor): Tensor {
  return new Tensor(t._data, t._shape, t._strides, t._offset, t.dtype, t._vc, null);
}

export function to(t: Tensor, target: DType | Device | string, opts?: { dtype?: DType; copy?: boolean }): Tensor {
  let dtype = opts?.dtype ?? t.dtype;
  if (target instanceof DType) dtype = target;
  else toDevice(target as string | Device); // validates: only cpu exists
  const r = cast(t, dtype);
  return opts?.copy && r === t ? clone(t) : r;
}

/** x.new_zeros / new_ones / new_full: a filled tensor with x's dtype unless given. */
export function newFilled(like: Tensor, size: readonly number[], value: number, opts?: { dtype?: DType; requires_grad?: boolean }): Tensor {
  const dtype = opts?.dtype ?? like.dtype;
  const t = emptyTensor(checkShape(size), dtype);
  t._data.fill(dtype === bool ? (value ? 1 : 0) : value);
  if (opts?.requires_grad) t.requires_grad_(true);
  return t;
}

/** x.new_tensor(data): like torch.tensor, with x's dtype unless given. */
export function newTensor(like: Tensor, data: NestedList, opts?: { dtype?: DType; requires_grad?: boolean }): Tensor {
  const shape: number[] = [];
  let probe: unknown = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  const flat = (Array.isArray(data) ? (data as unknown[]).flat(Infinity) : [data]) as (number | boolean)[];
  const dtype = opts?.dtype ?? like.dtype;
  const t = emptyTensor(shape, dtype);
  if (flat.length !== t.numel()) throw new RuntimeError("new_tensor: ragged nested lists are not supported");
  flat.forEach((v, i) => (t._data[i] = typeof v === "boolean" ? (v ? 1 : 0) : v));
  if (opts?.requires_grad) t.requires_grad_(true);
  return t;
}

export function toTypedArray(t: Tensor): TypedArray {
  return contiguousData(t);
}

export function tolist(t: Tensor): NestedList {
  const data = contiguousData(t);
  const isBool = t.dtype === bool;
  const shape = t._shape;
  if (shape.length === 0) return isBool ? data[0] !== 0 : data[0];
  let pos = 0;
  const build = (d: number): NestedList[] => {
    const n = shape[d];
    const out = new Array<NestedList>(n);
    if (d === shape.length - 1) {
      for (let i = 0; i < n; i++) out[i] = isBool ? data[pos++] !== 0 : data[pos++];
    } else {
      for (let i = 0; i < n; i++) out[i] = build(d + 1);
    }
    return out;
  };
  return build(0);
}

/** A contiguous tensor with t's values (t itself if already contiguous). Used by kernels needing dense input. */
export function denseCopy(t: Tensor): Tensor {
  const data = allocate(t.dtype, t.numel());
  kernels.copy(t._shape, data, contiguousStrides(t._shape), 0, t._data, t._strides, t._offset);
  return new Tensor(data, t._shape.slice(), contiguousStrides(t._shape), 0, t.dtype);
}
