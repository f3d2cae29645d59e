// Fused kernels of the native backend that the engine's core kernel set does not declare yet:
// cross-entropy (forward + gradient in one pass), conv2d via im2col + GEMM, 2-D pooling and the
// optimizer updates. Each takes contiguous typed arrays (NCHW for images) and returns false when the
// addon is not loaded or declines the dtype, so the caller can run its TypeScript path instead.
// nn/losses/optim register these under their own kernel names (see src/engine/backend/kernels.ts).
import { loadNativeAddon, type NativeArray } from "./addon.js";

export interface Conv2dParams {
  /** [N, C_in, H, W] */
  input: readonly number[];
  /** [C_out, C_in / groups, kH, kW] */
  weight: readonly number[];
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  groups: number;
}

export function conv2dOutputShape(p: Conv2dParams): [number, number, number, number] {
  const [n, , h, w] = p.input;
  const [cOut, , kh, kw] = p.weight;
  const oh = Math.floor((h + 2 * p.padding[0] - p.dilation[0] * (kh - 1) - 1) / p.stride[0]) + 1;
  const ow = Math.floor((w + 2 * p.padding[1] - p.dilation[1] * (kw - 1) - 1) / p.stride[1]) + 1;
  return [n, cOut, oh, ow];
}

function native() {
  const l = loadNativeAddon();
  return l.addon === null ? null : l;
}

function putConv(meta: Float64Array, p: Conv2dParams): void {
  const [n, cIn, h, w] = p.input;
  const [cOut, , kh, kw] = p.weight;
  meta.set([n, cIn, h, w, cOut, kh, kw, p.stride[0], p.stride[1], p.padding[0], p.padding[1], p.dilation[0], p.dilation[1], p.groups]);
}

/** out (contiguous [N, C_out, OH, OW]) = conv2d(x, weight) + bias. */
export function conv2d_forward(out: NativeArray, x: NativeArray, weight: NativeArray, bias: NativeArray | null, p: Conv2dParams): boolean {
  const l = native();
  if (!l) return false;
  putConv(l.meta, p);
  return l.addon.conv2dForward(out, x, weight, bias);
}

/** Gradients of conv2d; pass null for any gradient not wanted. Each is overwritten, not accumulated. */
export function conv2d_backward(
  gradX: NativeArray | null, gradW: NativeArray | null, gradB: NativeArray | null, gradOut: NativeArray,
  x: NativeArray, weight: NativeArray, p: Conv2dParams,
): boolean {
  const l = native();
  if (!l) return false;
  putConv(l.meta, p);
  return l.addon.conv2dBackward(gradX, gradW, gradB, gradOut, x, weight);
}

/** Geometry of a 2-D sliding window over [N, C, H, W], as nn's im2col/col2im kernels take it. */
export interface WindowGeometry {
  N: number; C: number; H: number; W: number;
  kh: number; kw: number;
  sh: number; sw: number;
  ph: number; pw: number;
  dh: number; dw: number;
  Ho: number; Wo: number;
}

function putWindow(meta: Float64Array, g: WindowGeometry): void {
  meta.set([g.N, g.C, g.H, g.W, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, g.Ho, g.Wo]);
}

/** out: contiguous [N, C*kh*kw, Ho*Wo] from x: contiguous [N, C, H, W]; positions outside x read padValue. */
export function im2col(out: NativeArray, x: NativeArray, g: WindowGeometry, padValue: number): boolean {
  const l = native();
  if (!l) return false;
  putWindow(l.meta, g);
  return l.addon.im2col(out, x, padValue);
}

/** Accumulates cols (contiguous [N, C*kh*kw, Ho*Wo]) into out (contiguous [N, C, H, W]); padding is dropped. */
export function col2im(out: NativeArray, cols: NativeArray, g: WindowGeometry): boolean {
  const l = native();
  if (!l) return false;
  putWindow(l.meta, g);
  return l.addon.col2im(out, cols);
}

export interface Pool2dParams {
  /** [N, C, H, W] */
  input: readonly number[];
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
  ceil_mode: boolean;
  count_include_pad: boolean;
}

/** PyTorch's pooling output size, including its ceil_mode rule (the last window must start inside the input or left padding). */
export function pool2dOutputShape(p: Pool2dParams): [number, number, number, number] {
  const size = (len: number, k: number, s: number, pad: number) => {
    const span = len + 2 * pad - k;
    let o = (p.ceil_mode ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
    if (p.ceil_mode && (o - 1) * s >= len + pad) o--;
    return o;
  };
  const [n, c, h, w] = p.input;
  return [n, c, size(h, p.kernel[0], p.stride[0], p.padding[0]), size(w, p.kernel[1], p.stride[1], p.padding[1])];
}

function putPool(meta: Float64Array, p: Pool2dParams): void {
  const [n, c, h, w] = p.input;
  const [, , oh, ow] = pool2dOutputShape(p);
  meta.set([n, c, h, w, p.kernel[0], p.kernel[1], p.stride[0], p.stride[1], p.padding[0], p.padding[1], oh, ow, p.count_include_pad ? 1 : 0]);
}

/** max_pool2d with indices (flat h * W + w within each plane, as PyTorch's return_indices). */
export function max_pool2d_forward(out: NativeArray, indices: Float64Array | null, x: NativeArray, p: Pool2dParams): boolean {
  const l = native();
  if (!l) return false;
  putPool(l.meta, p);
  return l.addon.maxPool2dForward(out, indices, x);
}

export function max_pool2d_backward(gradX: NativeArray, gradOut: NativeArray, indices: Float64Array, p: Pool2dParams): boolean {
  const l = native();
  if (!l) return false;
  putPool(l.meta, p);
  return l.addon.maxPool2dBackward(gradX, gradOut, indices);
}

export function avg_pool2d_forward(out: NativeArray, x: NativeArray, p: Pool2dParams): boolean {
  const l = native();
  if (!l) return false;
  putPool(l.meta, p);
  return l.addon.avgPool2dForward(out, x);
}

export function avg_pool2d_backward(gradX: NativeArray, gradOut: NativeArray, p: Pool2dParams): boolean {
  const l = native();
  if (!l) return false;
  putPool(l.meta, p);
  return l.addon.avgPool2dBackward(gradX, gradOut);
}

/**
 * Cross-entropy of logits [n, c] against class indices (int64 storage): per-sample losses into `loss`
 * (0 for ignored samples) and, when `grad` is given, gradScale * d(sum of losses)/d(logits) into it
 * (gradScale = 1 / count for the mean reduction). Returns the count of non-ignored samples, or -1
 * when the native path is unavailable.
 */
export function cross_entropy(
  logits: NativeArray, target: Float64Array, n: number, c: number, loss: NativeArray, grad: NativeArray | null,
  opts: { ignore_index?: number; label_smoothing?: number; grad_scale?: number } = {},
): number {
  const l = native();
  if (!l) return -1;
  return l.addon.crossEntropy(logits, target, n, c, opts.ignore_index ?? -100, opts.label_smoothing ?? 0, loss, grad, opts.grad_scale ?? 1);
}

export interface SgdOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weight_decay: number;
  nesterov: boolean;
  maximize: boolean;
}

/** One torch.optim.SGD step on one parameter, in place. firstStep: the momentum buffer is created by this step. */
export function sgd_step(param: NativeArray, grad: NativeArray, momentumBuffer: NativeArray | null, o: SgdOptions, firstStep: boolean): boolean {
  const l = native();
  if (!l) return false;
  return l.addon.sgdStep(param, grad, momentumBuffer, o.lr, o.momentum, o.dampening, o.weight_decay, o.nesterov, o.maximize, firstStep);
}

export interface AdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weight_decay: number;
  amsgrad: boolean;
  maximize: boolean;
}

/** One torch.optim.Adam (decoupled = false) or AdamW (decoupled = true) step, in place; step counts from 1. */
export function adam_step(
  param: NativeArray, grad: NativeArray, expAvg: NativeArray, expAvgSq: NativeArray, maxExpAvgSq: NativeArray | null,
  step: number, o: AdamOptions, decoupled: boolean,
): boolean {
  const l = native();
  if (!l) return false;
  return l.addon.adamStep(param, grad, expAvg, expAvgSq, maxExpAvgSq, o.lr, o.betas[0], o.betas[1], o.eps, o.weight_decay, step, o.amsgrad, o.maximize, decoupled);
}

/** A 2-D strided view of a typed array: element (i, j) at data[offset + i * rs + j * cs]. */
export interface MatrixView {
  data: NativeArray;
  offset: number;
  rs: number;
  cs: number;
}

/**
 * c = alpha * a b + beta * c for an m x k matrix a and a k x n matrix b (one product, float32 or float64,
 * all three of one dtype). With beta = 1 and alpha = 1 each element of c gets c + (its dot product),
 * the same rounding as computing the product and adding it afterwards when k fits one GEMM depth
 * slab (512), and still independent of the thread count beyond it.
 */
export function gemm2d(m: number, n: number, k: number, alpha: number, a: MatrixView, b: MatrixView, beta: number, c: MatrixView): boolean {
  const l = native();
  if (!l) return false;
  l.meta.set([1, m, n, k, a.offset, 0, a.rs, a.cs, b.offset, 0, b.rs, b.cs, c.offset, 0, c.rs, c.cs]);
  return l.addon.gemm(c.data, a.data, b.data, alpha, beta);
}
