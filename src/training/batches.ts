// Rows of a data set gathered into batches (new typed arrays, row-major) in a given order.
import type { ArrayTensor, TypedData } from "../datasets/arrays.js";
import { numel } from "../datasets/arrays.js";

export function rowSize(t: ArrayTensor): number {
  return numel(t.shape.slice(1));
}

/** The rows `indices` of `t`, in that order, as one tensor of shape [indices.length, ...]. */
export function gatherRows(t: ArrayTensor, indices: ArrayLike<number>): ArrayTensor {
  const size = rowSize(t);
  const Ctor = t.data.constructor as new (n: number) => TypedData;
  const out = new Ctor(indices.length * size);
  for (let i = 0; i < indices.length; i++) {
    const start = indices[i] * size;
    (out as Float32Array).set((t.data as Float32Array).subarray(start, start + size), i * size);
  }
  return { dtype: t.dtype, shape: [indices.length, ...t.shape.slice(1)], data: out };
}

/** Training wants float32 inputs and float targets like the model's parameters. */
export function asFloat32(t: ArrayTensor): ArrayTensor {
  if (t.dtype !== "float64") return t;
  return { dtype: "float32", shape: t.shape, data: Float32Array.from(t.data as Float64Array) };
}
