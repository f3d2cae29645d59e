// The native backend's kernels: thin adapters from the engine's kernel signatures (typed arrays +
// shape/strides/offsets, see src/engine/backend/kernels.ts) to the addon. Each adapter writes the
// numeric description of the call into the shared `meta` buffer and calls the addon on the arrays
// themselves; when the addon declines a dtype/op combination it returns false and the adapter runs
// the TypeScript reference kernel instead, so every kernel here is total.
import type { NativeAddon, NativeArray } from "./addon.js";

type Shape = readonly number[];
type AnyArray = NativeArray;
// The signatures the engine's kernel set declares, restated structurally so that this module only
// depends on the addon; the provider (index.ts) checks them against the engine's KernelSet type.
export interface NativeKernelTable {
  unary(op: string, out: AnyArray, x: AnyArray, shape: Shape, strides: Shape, offset: number, s0: number, s1: number): void;
  binary(
    op: string, out: AnyArray, shape: Shape, a: AnyArray, aStrides: Shape, aOffset: number,
    b: AnyArray, bStrides: Shape, bOffset: number, s0: number,
  ): void;
  where(
    out: AnyArray, shape: Shape, cond: AnyArray, cStrides: Shape, cOffset: number,
    a: AnyArray, aStrides: Shape, aOffset: number, b: AnyArray, bStrides: Shape, bOffset: number,
  ): void;
  reduce(op: string, out: AnyArray, x: AnyArray, shape: Shape, strides: Shape, offset: number, dims: Shape): void;
  arg_reduce(
    op: "max" | "min", values: AnyArray | null, indices: Float64Array, x: AnyArray, shape: Shape, strides: Shape,
    offset: number, dim: number,
  ): void;
  matmul(
    out: AnyArray, batchShape: Shape, M: number, N: number, K: number, a: AnyArray, aStrides: Shape, aOffset: number,
    b: AnyArray, bStrides: Shape, bOffset: number,
  ): void;
  copy(shape: Shape, dst: AnyArray, dstStrides: Shape, dstOffset: number, src: AnyArray, srcStrides: Shape, srcOffset: number): void;
  fill(dst: AnyArray, shape: Shape, strides: Shape, offset: number, value: number): void;
  softmax(out: AnyArray, x: AnyArray, outer: number, size: number, inner: number, log: boolean): void;
  softmax_backward(
    gradIn: AnyArray, gradOut: AnyArray, y: AnyArray, outer: number, size: number, inner: number, log: boolean,
  ): void;
}

const REDUCE_CODES: Record<string, number> = { sum: 0, prod: 1, mean: 2, amax: 3, amin: 4 };
const MAX_DIMS = 16;

function codes(names: readonly string[]): Map<string, number> {
  return new Map(names.map((n, i) => [n, i]));
}

/**
 * Calls on at most this many elements go to the TypeScript kernels: there a JIT-compiled loop beats
 * the fixed cost of a native call, and V8 keeps such small typed arrays on its heap, where handing
 * one to native code first forces a copy of its backing store.
 */
export const SMALL_NUMEL = 32;

function numelOf(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

/**
 * Builds the kernel table over a loaded addon; `reference` supplies the TypeScript kernels to fall
 * back on. `smallNumel` overrides SMALL_NUMEL (tests pass 0 to run even tiny cases natively).
 */
export function createNativeKernels(
  addon: NativeAddon, meta: Float64Array, reference: NativeKernelTable, smallNumel = SMALL_NUMEL,
): NativeKernelTable {
  const info = addon.info();
  const small = (shape: Shape) => smallNumel > 0 && numelOf(shape) <= smallNumel;
  const unaryCodes = codes(info.unaryOps);
  const binaryCodes = codes(info.binaryOps);

  // meta writers: each returns the next free position.
  function putShape(shape: Shape): number {
    meta[0] = shape.length;
    for (let d = 0; d < shape.length; d++) meta[1 + d] = shape[d];
    return 1 + shape.length;
  }
  function putView(pos: number, offset: number, strides: Shape): number {
    meta[pos++] = offset;
    for (let d = 0; d < strides.length; d++) meta[pos++] = strides[d];
    return pos;
  }
  const fits = (shape: Shape, operands: number) => shape.length <= MAX_DIMS && 1 + shape.length * (operands + 1) + operands < meta.length;

  return {
    unary(op, out, x, shape, strides, offset, s0, s1) {
      const code = unaryCodes.get(op);
      if (code !== undefined && fits(shape, 1) && !small(shape)) {
        putView(putShape(shape), offset, strides);
        if (addon.unary(code, out, x, s0, s1)) return;
      }
      reference.unary(op, out, x, shape, strides, offset, s0, s1);
    },

    binary(op, out, shape, a, aStrides, aOffset, b, bStrides, bOffset, s0) {
      const code = binaryCodes.get(op);
      if (code !== undefined && fits(shape, 2) && !small(shape)) {
        putView(putView(putShape(shape), aOffset, aStrides), bOffset, bStrides);
        if (addon.binary(code, out, a, b, s0)) return;
      }
      reference.binary(op, out, shape, a, aStrides, aOffset, b, bStrides, bOffset, s0);
    },

    where(out, shape, cond, cStrides, cOffset, a, aStrides, aOffset, b, bStrides, bOffset) {
      if (cond instanceof Uint8Array && fits(shape, 3) && !small(shape)) {
        putView(putView(putView(putShape(shape), cOffset, cStrides), aOffset, aStrides), bOffset, bStrides);
        if (addon.where(out, cond, a, b)) return;
      }
      reference.where(out, shape, cond, cStrides, cOffset, a, aStrides, aOffset, b, bStrides, bOffset);
    },

    reduce(op, out, x, shape, strides, offset, dims) {
      const code = REDUCE_CODES[op];
      if (code !== undefined && fits(shape, 2) && !small(shape)) {
        let pos = putView(putShape(shape), offset, strides);
        meta[pos++] = dims.length;
        for (let i = 0; i < dims.length; i++) meta[pos++] = dims[i];
        if (addon.reduce(code, out, x)) return;
      }
      reference.reduce(op, out, x, shape, strides, offset, dims);
    },

    arg_reduce(op, values, indices, x, shape, strides, offset, dim) {
      if (fits(shape, 1) && !small(shape)) {
        const pos = putView(putShape(shape), offset, strides);
        meta[pos] = dim;
        if (addon.argReduce(op === "max", values, indices, x)) return;
      }
      reference.arg_reduce(op, values, indices, x, shape, strides, offset, dim);
    },

    matmul(out, batchShape, M, N, K, a, aStrides, aOffset, b, bStrides, bOffset) {
      const nb = batchShape.length;
      if (nb + 2 <= MAX_DIMS && !(smallNumel > 0 && numelOf(batchShape) * M * N * K <= smallNumel * smallNumel)) {
        let pos = 0;
        meta[pos++] = nb;
        for (let d = 0; d < nb; d++) meta[pos++] = batchShape[d];
        meta[pos++] = M;
        meta[pos++] = N;
        meta[pos++] = K;
        pos = putView(pos, aOffset, aStrides);
        putView(pos, bOffset, bStrides);
        if (addon.matmul(out, a, b)) return;
      }
      reference.matmul(out, batchShape, M, N, K, a, aStrides, aOffset, b, bStrides, bOffset);
    },

    copy(shape, dst, dstStrides, dstOffset, src, srcStrides, srcOffset) {
      if (fits(shape, 2) && !small(shape)) {
        putView(putView(putShape(shape), dstOffset, dstStrides), srcOffset, srcStrides);
        if (addon.copy(dst, src)) return;
      }
      reference.copy(shape, dst, dstStrides, dstOffset, src, srcStrides, srcOffset);
    },

    fill(dst, shape, strides, offset, value) {
      if (fits(shape, 1) && !small(shape)) {
        putView(putShape(shape), offset, strides);
        if (addon.fill(dst, value)) return;
      }
      reference.fill(dst, shape, strides, offset, value);
    },

    softmax(out, x, outer, size, inner, log) {
      if ((smallNumel > 0 && outer * size * inner <= smallNumel) || !addon.softmax(out, x, outer, size, inner, log)) reference.softmax(out, x, outer, size, inner, log);
    },

    softmax_backward(gradIn, gradOut, y, outer, size, inner, log) {
      if ((smallNumel > 0 && outer * size * inner <= smallNumel) || !addon.softmaxBackward(gradIn, gradOut, y, outer, size, inner, log))
        reference.softmax_backward(gradIn, gradOut, y, outer, size, inner, log);
    },
  };
}
