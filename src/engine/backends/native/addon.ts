// Loads the native kernels addon (native/build/Release/trainyard_native.node, built by
// `npm install` / `npm run build:native`) and describes its raw interface. Nothing here knows about
// tensors: the calls take typed arrays (used in place) plus numbers; shapes, strides and offsets go
// through one shared Float64Array (`meta`) that the addon reads, so no arrays are built per call.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Typed arrays the kernels accept (float32, float64 — also int64 storage —, int32, uint8/bool). */
export type NativeArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export interface NativeInfo {
  /** Instruction set of the SIMD kernels chosen at run time: "avx512" | "avx2" | "generic". */
  isa: string;
  gemmIsa: string;
  threads: number;
  metaLength: number;
  /** Op names in the addon's numbering (index = op code). */
  unaryOps: string[];
  binaryOps: string[];
}

/**
 * The addon's functions. Unless noted, a call returns false when it does not handle the dtype/op
 * combination (the caller then uses the TypeScript reference), and throws a RangeError when a view
 * would reach outside its array. "meta:" lists what the caller writes into `meta` first.
 */
export interface NativeAddon {
  init(meta: Float64Array): void;
  info(): NativeInfo;
  setNumThreads(n: number): void;
  numThreads(): number;
  /** meta: nb, batchShape[nb], M, N, K, aOff, aStrides[nb+2], bOff, bStrides[nb+2]. out contiguous. */
  matmul(out: NativeArray, a: NativeArray, b: NativeArray): boolean;
  /** c = alpha a b + beta c; meta: batch, M, N, K, then (offset, batch/row/col strides) for a, b, c. */
  gemm(c: NativeArray, a: NativeArray, b: NativeArray, alpha: number, beta: number): boolean;
  /** meta: nd, shape, xOff, xStrides. out contiguous. */
  unary(op: number, out: NativeArray, x: NativeArray, s0: number, s1: number): boolean;
  /** meta: nd, shape, aOff, aStrides, bOff, bStrides. out contiguous. */
  binary(op: number, out: NativeArray, a: NativeArray, b: NativeArray, s0: number): boolean;
  /** meta: nd, shape, then offset + strides for cond, a, b. */
  where(out: NativeArray, cond: Uint8Array, a: NativeArray, b: NativeArray): boolean;
  /** meta: nd, shape, dstOff, dstStrides, srcOff, srcStrides. */
  copy(dst: NativeArray, src: NativeArray): boolean;
  /** meta: nd, shape, off, strides. */
  fill(dst: NativeArray, value: number): boolean;
  /** op: 0 sum, 1 prod, 2 mean, 3 amax, 4 amin. meta: nd, shape, xOff, xStrides, nDims, dims. */
  reduce(op: number, out: NativeArray, x: NativeArray): boolean;
  /** meta: nd, shape, off, strides, dim. */
  argReduce(isMax: boolean, values: NativeArray | null, indices: Float64Array, x: NativeArray): boolean;
  softmax(out: NativeArray, x: NativeArray, outer: number, size: number, inner: number, log: boolean): boolean;
  softmaxBackward(
    gradIn: NativeArray, gradOut: NativeArray, y: NativeArray, outer: number, size: number, inner: number, log: boolean,
  ): boolean;
  /** Per-sample losses (and the gradient of their sum, times gradScale); returns the non-ignored count or -1. */
  crossEntropy(
    logits: NativeArray, target: Float64Array, n: number, c: number, ignoreIndex: number, labelSmoothing: number,
    loss: NativeArray, grad: NativeArray | null, gradScale: number,
  ): number;
  /** meta: n, cIn, h, w, cOut, kh, kw, sh, sw, ph, pw, dh, dw, groups. */
  conv2dForward(out: NativeArray, x: NativeArray, weight: NativeArray, bias: NativeArray | null): boolean;
  conv2dBackward(
    gradX: NativeArray | null, gradW: NativeArray | null, gradB: NativeArray | null, gradOut: NativeArray,
    x: NativeArray, weight: NativeArray,
  ): boolean;
  /** cols [N, C*kh*kw, Ho*Wo] from x [N, C, H, W]; meta: N, C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, Ho, Wo. */
  im2col(out: NativeArray, x: NativeArray, padValue: number): boolean;
  /** Adds cols back into out [N, C, H, W] (overlaps summed); meta as im2col. */
  col2im(out: NativeArray, cols: NativeArray): boolean;
  /** meta: n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow, countIncludePad. */
  maxPool2dForward(out: NativeArray, indices: Float64Array | null, x: NativeArray): boolean;
  maxPool2dBackward(gradX: NativeArray, gradOut: NativeArray, indices: Float64Array): boolean;
  avgPool2dForward(out: NativeArray, x: NativeArray): boolean;
  avgPool2dBackward(gradX: NativeArray, gradOut: NativeArray): boolean;
  sgdStep(
    param: NativeArray, grad: NativeArray, momentumBuffer: NativeArray | null, lr: number, momentum: number,
    dampening: number, weightDecay: number, nesterov: boolean, maximize: boolean, firstStep: boolean,
  ): boolean;
  adamStep(
    param: NativeArray, grad: NativeArray, expAvg: NativeArray, expAvgSq: NativeArray, maxExpAvgSq: NativeArray | null,
    lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, step: number, amsgrad: boolean,
    maximize: boolean, decoupled: boolean,
  ): boolean;
}

export const ADDON_FILE = join("native", "build", "Release", "trainyard_native.node");

/** The repository (or installed package) root: the nearest ancestor holding package.json and native/. */
function packageRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "native"))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

export type LoadResult = { addon: NativeAddon; meta: Float64Array; path: string } | { addon: null; reason: string };

let loaded: LoadResult | undefined;

/** Loads the addon once per process (later calls return the same result). Never throws. */
export function loadNativeAddon(): LoadResult {
  if (loaded) return loaded;
  const root = packageRoot();
  const path = process.env.TRAINYARD_NATIVE_PATH || (root ? join(root, ADDON_FILE) : undefined);
  if (!path || !existsSync(path)) {
    loaded = { addon: null, reason: `native addon not built (${path ?? ADDON_FILE} missing; run \`npm run build:native\`)` };
    return loaded;
  }
  try {
    const addon = createRequire(import.meta.url)(path) as NativeAddon;
    const meta = new Float64Array(1024);
    addon.init(meta);
    loaded = { addon, meta, path };
  } catch (err) {
    loaded = { addon: null, reason: `native addon failed to load: ${(err as Error).message}` };
  }
  return loaded;
}
