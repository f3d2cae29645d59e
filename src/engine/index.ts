// The public `torch` namespace: import * as torch from "trainyard/engine".
// Sub-namespaces: autograd and functional here; nn and optim are added by their own modules
// (src/engine/nn, src/engine/optim) and re-exported from this file.
import "./autograd/engine.js";
import { initBackend } from "./backends/index.js";


export { Tensor } from "./tensor.js";
export type { Scalar, TensorOrScalar, NestedList, ReduceOptions, DimArg } from "./tensor.js";
export {
  DType, float32, float64, int32, int64, uint8, bool, float, double, int, long,
  get_default_dtype, set_default_dtype, promote_types, can_cast,
} from "./dtype.js";
export type { TypedArray } from "./dtype.js";
export { Device, device } from "./device.js";
export { RuntimeError, IndexError, ValueError, NotImplementedError } from "./errors.js";
export { no_grad, enable_grad, inference_mode, set_grad_enabled, is_grad_enabled } from "./grad_mode.js";
export {
  Generator, default_generator, manual_seed, seed, initial_seed, get_rng_state, set_rng_state,
} from "./random.js";
export {
  tensor, from, as_tensor, zeros, ones, empty, full, eye, arange, linspace,
  zeros_like, ones_like, empty_like, full_like,
  rand, randn, randint, randperm, rand_like, randn_like, normal, bernoulli, multinomial,
} from "./creation.js";
export type { TensorOptions, RandomOptions } from "./creation.js";

// Ops as torch.* functions (those with parameters PyTorch lets you name take them in the options object).
export {
  add, sub, sub as subtract, mul, mul as multiply, div, div as divide, div as true_divide, rsub,
  neg, neg as negative, exp, log, log2, log10, sqrt, rsqrt, abs, sign, square, reciprocal, sin, cos,
  log1p, expm1, erf, floor, ceil, round, trunc, remainder, fmod, floor_divide,
  eq, ne, lt, le, gt, ge, lt as less, gt as greater,
  logical_not, logical_and, logical_or, logical_xor, isnan, isinf, isfinite, equal, isclose, allclose, result_type,
} from "./ops/elementwise.js";
export { relu, sigmoid, tanh, silu } from "./ops/activation.js";
export {
  clamp, clamp as clip, maximum, minimum, where, masked_fill, lerp, pow, atan2, addcmul, addcdiv,
  softmax, log_softmax, dropout, gelu, softplus,
  sum, mean, prod, max, min, amax, amin, argmax, argmin, var_ as var, std, logsumexp, norm, all, any,
  matmul, mm, bmm, mv, dot, outer,
  reshape, transpose, transpose as swapaxes, permute, movedim, squeeze, unsqueeze, flatten, unflatten,
  narrow, select, unbind,
  index_select, gather, scatter, scatter_add, index_add, cat, cat as concat, cat as concatenate, stack,
  split, chunk, masked_select, flip, tril, triu, sort, topk,
} from "./ops/kwargs_functions.js";
export type { ValuesIndices, VarOptions } from "./ops/reduce.js";
export { view, t, expand, contiguous, slice, getitem } from "./ops/view.js";
export type { IndexItem } from "./ops/view.js";
export { repeat, nonzero } from "./ops/indexing.js";
export { clone, detach } from "./ops/copy.js";
export { addmm } from "./ops/matmul.js";
export { set_printoptions } from "./print.js";
export { sumToShape as _sum_to_shape } from "./ops/common.js";

// Backends (dispatcher): which kernels run.
export {
  registerKernel, registerBackend, getKernel, listKernels, registeredBackends, setBackend, getBackend,
  withBackend, setAllocator, cpuAllocator, kernels as _kernels,
} from "./backend/dispatcher.js";
export { BACKEND_PROVIDERS, initBackend } from "./backends/index.js";
// Threads of the native kernels, as torch.get_num_threads / torch.set_num_threads (1 on the TypeScript backend).
export { get_num_threads, set_num_threads, nativePool } from "./backends/native/index.js";
export { createPoolAllocator } from "./backend/pool_allocator.js";
export type { PoolAllocator, PoolOptions, PoolStats } from "./backend/pool_allocator.js";
export type * as kernel_types from "./backend/kernels.js";

export * as autograd from "./autograd/index.js";
export * as functional from "./functional.js";

/** The backend in use ("ts" or "native"), chosen from TRAINYARD_BACKEND at import. */
export const backend = initBackend();

// nn, optim and weights on disk (src/engine/nn, src/engine/optim, src/engine/serialization).
export * as nn from "./nn/index.js";
export * as optim from "./optim/index.js";
export { save_safetensors, save_safetensors_chunks, load_safetensors, load_safetensors_with_metadata, SafetensorsError } from "./serialization/safetensors.js";
