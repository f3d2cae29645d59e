// Shape arithmetic shared by ops: broadcasting, dim wrapping, contiguous strides.
import { IndexError, RuntimeError } from "./errors.js";

export type Shape = readonly number[];

export function numelOf(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

/** Wraps a possibly negative dim into [0, ndim), with PyTorch's IndexError. A 0-d tensor accepts -1 and 0. */
export function wrapDim(dim: number, ndim: number): number {
  const n = ndim === 0 ? 1 : ndim;
  if (!Number.isInteger(dim)) throw new TypeError(`dim must be an integer, got ${dim}`);
  if (dim < -n || dim >= n)
    throw new IndexError(`Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`);
  return dim < 0 ? dim + n : dim;
}

/** NumPy/PyTorch broadcasting of two shapes, with PyTorch's error message. */
export function broadcastShapes(a: Shape, b: Shape): number[] {
  if (shapesEqual(a, b)) return a as number[];
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const ai = i - (n - a.length);
    const bi = i - (n - b.length);
    const da = ai >= 0 ? a[ai] : 1;
    const db = bi >= 0 ? b[bi] : 1;
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else
      throw new RuntimeError(
        `The size of tensor a (${da}) must match the size of tensor b (${db}) at non-singleton dimension ${i}`,
      );
  }
  return out;
}

/** Strides that read a tensor of `shape`/`strides` as if expanded to `outShape` (0 stride on broadcast dims). */
export function broadcastStrides(shape: Shape, strides: Shape, outShape: Shape): number[] {
  const n = outShape.length;
  const out = new Array<number>(n);
  const off = n - shape.length;
  for (let i = 0; i < n; i++) {
    const si = i - off;
    out[i] = si < 0 || shape[si] === 1 ? 0 : strides[si];
  }
  return out;
}

/** Validates a shape given by the user (non-negative integers). */
export function checkShape(shape: Shape): number[] {
  const out = new Array<number>(shape.length);
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (!Number.isInteger(d)) throw new TypeError(`size must contain only integers, got ${formatShape(shape)}`);
    if (d < 0) throw new RuntimeError(`Trying to create tensor with negative dimension ${d}: ${formatShape(shape)}`);
    out[i] = d;
  }
  return out;
}

export function isContiguous(shape: Shape, strides: Shape): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] === 1) continue;
    if (strides[i] !== expected) return false;
    expected *= shape[i];
  }
  return true;
}
