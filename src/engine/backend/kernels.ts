// THE KERNEL SET: what every backend of the cpu device implements.
//
// Kernels see raw memory only: typed arrays plus shape, strides and element offsets (never Tensor
// objects), so that a C++ addon can implement them over the very same ArrayBuffers with no copies.
// Conventions shared by every kernel:
//  - `out` is always a contiguous (row-major) typed array the kernel fully writes, except where a kernel
//    says "accumulates into" or takes explicit destination strides. For unary and binary, `out` may be
//    the very same array as input `x`/`a`/`b` read with contiguous strides and offset 0 (in-place ops such
//    as p.add_(g) under no_grad write this way): element i is read before element i is written, and
//    no other element of out is read.
//  - Input views are described by (array, strides, offset) in ELEMENTS, strides already broadcast to
//    the output shape (stride 0 on broadcast dims). Strides may be 0 or any non-negative value.
//  - Element types follow the dtype table in dtype.ts: float32 Float32Array, float64 Float64Array,
//    int32 Int32Array, int64 Float64Array (exact integers), uint8/bool Uint8Array (bool is 0/1).
//    Inputs of one kernel call share one dtype unless stated; `out` may differ (comparisons write bool,
//    `copy` converts by plain assignment, i.e. C-style truncation toward zero for float -> int).
//  - Index arrays (gather, index_select, scatter_add, index_add) hold int64 or int32 indices, already
//    wrapped to be non-negative and bounds-checked by the op layer.
//  - Floating math is computed in double precision and rounded once on store (a backend may compute
//    float32 in float32; tests compare against the reference with atol 1e-6, rtol 1e-3... per dtype).
//
// Required kernels (a backend may implement any subset; the TypeScript backend implements all and is
// the fallback for the rest). Optional fused kernels are declared the same way in `FusedKernels`;
// other layers (nn, optim) add their own with TypeScript declaration merging:
//   declare module "../engine/backend/kernels.js" { interface FusedKernels { conv2d: Conv2dKernel } }
// and register the TypeScript reference with registerKernel("conv2d", "ts", impl).
import type { TypedArray } from "../dtype.js";

/** Unary elementwise ops. `s0`/`s1` are scalar parameters for the ops that take them. */
export type UnaryOp =
  | "neg" | "abs" | "sign" | "exp" | "log" | "sqrt" | "rsqrt" | "square" | "reciprocal"
  | "sin" | "cos" | "tanh" | "sigmoid" | "relu" | "gelu" | "gelu_tanh" | "erf" | "log1p" | "expm1"
  | "floor" | "ceil" | "round" | "trunc" | "logical_not" | "isnan" | "isinf" | "isfinite"
  | "silu" | "softplus" // softplus: s0 = beta, s1 = threshold
  | "add_scalar" //     a + s0
  | "mul_scalar" //     a * s0
  | "rsub_scalar" //    s0 - a
  | "rdiv_scalar" //    s0 / a
  | "pow_scalar" //     a ** s0
  | "rpow_scalar" //    s0 ** a
  | "fmod_scalar" //    C fmod(a, s0)
  | "remainder_scalar" // Python a % s0 (sign of divisor)
  | "floor_divide_scalar"
  | "maximum_scalar" | "minimum_scalar" // NaN-propagating, like torch.clamp
  | "clamp" //          min(max(a, s0), s1); s0 = -Infinity or s1 = Infinity when one side is absent
  | "leaky_relu" //     a > 0 ? a : a * s0
  | "elu" //            a > 0 ? a : s0 * (exp(a) - 1)
  | "eq_scalar" | "ne_scalar" | "lt_scalar" | "le_scalar" | "gt_scalar" | "ge_scalar" // write 0/1
  | "cast"; //          plain copy with conversion by assignment (the op layer casts to bool with ne_scalar 0)

/** Binary elementwise ops with broadcasting. Comparisons and logical ops write 0/1. */
export type BinaryOp =
  | "add" | "sub" | "mul" | "div" | "pow" | "maximum" | "minimum" | "atan2"
  | "fmod" | "remainder" | "floor_divide"
  | "eq" | "ne" | "lt" | "le" | "gt" | "ge"
  | "logical_and" | "logical_or" | "logical_xor"
  | "add_alpha" //   a + s0 * b
  | "sub_alpha" //   a - s0 * b
  | "relu_backward" //      b <= 0 ? 0 : a       (a = grad, b = result; a NaN passes the gradient, as PyTorch)
  | "sigmoid_backward" //   a * b * (1 - b)      (b = sigmoid result)
  | "tanh_backward" //      a * (1 - b * b)      (b = tanh result)
  | "gelu_backward" //      a * gelu'(b)         (b = input, erf form)
  | "gelu_tanh_backward"
  | "silu_backward"
  | "leaky_relu_backward" // b > 0 ? a : a * s0
  | "elu_backward"; //      b > 0 ? a : a * s0 * exp(b)   (b = input)

/** Reductions. `sum` of bool/int counts in the output dtype; `mean` divides by the reduced count. */
export type ReduceOp = "sum" | "prod" | "mean" | "amax" | "amin" | "all" | "any";

export type UnaryKernel = (
  op: UnaryOp, out: TypedArray, x: TypedArray, shape: readonly number[], strides: readonly number[],
  offset: number, s0: number, s1: number,
) => void;

/** out[i] = a[i] OP b[i] over `shape`; strides are broadcast strides (0 on broadcast dims). */
export type BinaryKernel = (
  op: BinaryOp, out: TypedArray, shape: readonly number[],
  a: TypedArray, aStrides: readonly number[], aOffset: number,
  b: TypedArray, bStrides: readonly number[], bOffset: number, s0: number,
) => void;

/** out[i] = cond[i] ? a[i] : b[i]; cond is a bool (Uint8Array) view, a/b share out's dtype. */
export type WhereKernel = (
  out: TypedArray, shape: readonly number[],
  cond: TypedArray, cStrides: readonly number[], cOffset: number,
  a: TypedArray, aStrides: readonly number[], aOffset: number,
  b: TypedArray, bStrides: readonly number[], bOffset: number,
) => void;

/**
 * Reduces x over the dims listed in `dims` (sorted, unique). `out` is contiguous over x's shape with
 * those dims removed (keepdim is a view concern of the op layer). Empty reductions give the identity
 * (sum 0, prod 1, all 1, any 0); amax/amin of an empty dim is rejected by the op layer.
 */
export type ReduceKernel = (
  op: ReduceOp, out: TypedArray, x: TypedArray, shape: readonly number[], strides: readonly number[],
  offset: number, dims: readonly number[],
) => void;

/**
 * Max or min along one dim with the index of the first extreme (NaN counts as the extreme, as in PyTorch).
 * `values` (x's dtype, may be null when only indices are wanted) and `indices` (int64 as Float64Array)
 * are contiguous over x's shape without `dim`.
 */
export type ArgReduceKernel = (
  op: "max" | "min", values: TypedArray | null, indices: Float64Array, x: TypedArray,
  shape: readonly number[], strides: readonly number[], offset: number, dim: number,
) => void;

/**
 * Batched matrix product: out[b] = A[b] (M x K) @ B[b] (K x N), out contiguous [...batchShape, M, N].
 * aStrides/bStrides have batchShape.length + 2 entries (batch dims broadcast with stride 0, then the
 * row and column strides), so transposed operands need no copy.
 */
export type MatmulKernel = (
  out: TypedArray, batchShape: readonly number[], M: number, N: number, K: number,
  a: TypedArray, aStrides: readonly number[], aOffset: number,
  b: TypedArray, bStrides: readonly number[], bOffset: number,
) => void;

/** Strided copy with conversion: dst[dstStrides·i + dstOffset] = src[srcStrides·i + srcOffset] over shape. */
export type CopyKernel = (
  shape: readonly number[],
  dst: TypedArray, dstStrides: readonly number[], dstOffset: number,
  src: TypedArray, srcStrides: readonly number[], srcOffset: number,
) => void;

/** Writes `value` at every element of a strided view. */
export type FillKernel = (
  dst: TypedArray, shape: readonly number[], strides: readonly number[], offset: number, value: number,
) => void;

/**
 * out = x.index_select(dim, index) for contiguous x of `shape`; out contiguous with shape[dim] = index.length.
 */
export type IndexSelectKernel = (
  out: TypedArray, x: TypedArray, shape: readonly number[], dim: number, index: TypedArray,
) => void;

/** Accumulates into `out` (contiguous, `shape`): out.index_add_(dim, index, src), src contiguous. */
export type IndexAddKernel = (
  out: TypedArray, shape: readonly number[], dim: number, index: TypedArray, src: TypedArray,
) => void;

/** out = torch.gather(x, dim, index); x contiguous of xShape, index/out contiguous of indexShape. */
export type GatherKernel = (
  out: TypedArray, x: TypedArray, xShape: readonly number[], dim: number, index: TypedArray,
  indexShape: readonly number[],
) => void;

/** Accumulates into `out` (contiguous, outShape): out.scatter_add_(dim, index, src); src/index contiguous of indexShape. */
export type ScatterAddKernel = (
  out: TypedArray, outShape: readonly number[], dim: number, index: TypedArray,
  indexShape: readonly number[], src: TypedArray,
) => void;

export interface CoreKernels {
  unary: UnaryKernel;
  binary: BinaryKernel;
  where: WhereKernel;
  reduce: ReduceKernel;
  arg_reduce: ArgReduceKernel;
  matmul: MatmulKernel;
  copy: CopyKernel;
  fill: FillKernel;
  index_select: IndexSelectKernel;
  index_add: IndexAddKernel;
  gather: GatherKernel;
  scatter_add: ScatterAddKernel;
}

/**
 * (log-)softmax over the middle axis of a contiguous [outer, size, inner] block. out contiguous too.
 */
export type SoftmaxKernel = (
  out: TypedArray, x: TypedArray, outer: number, size: number, inner: number, log: boolean,
) => void;

/**
 * Gradient of (log-)softmax: gradIn = y * (g - sum(g*y)) for softmax, g - exp(y) * sum(g) for log_softmax,
 * where y is the forward result; all contiguous [outer, size, inner].
 */
export type SoftmaxBackwardKernel = (
  gradIn: TypedArray, gradOut: TypedArray, y: TypedArray, outer: number, size: number, inner: number,
  log: boolean,
) => void;

/**
 * Optional fused kernels. The TypeScript backend provides the reference for each; a backend that omits
 * one falls back to it. Other modules extend this interface by declaration merging (see top of file).
 */
export interface FusedKernels {
  softmax: SoftmaxKernel;
  softmax_backward: SoftmaxBackwardKernel;
}

export type KernelSet = CoreKernels & FusedKernels;
export type KernelName = keyof KernelSet;
