// The TypeScript reference backend: every kernel of the kernel set, registered under "ts".
import { REFERENCE_BACKEND, registerBackend } from "../../backend/dispatcher.js";
import type { KernelSet } from "../../backend/kernels.js";
import { binary, unary, where } from "./elementwise.js";
import { matmul } from "./matmul.js";
import { copy, fill, gather, index_add, index_select, scatter_add } from "./movement.js";
import { arg_reduce, reduce } from "./reduce.js";
import { softmax, softmax_backward } from "./softmax.js";

export const tsKernels: KernelSet = {
  unary, binary, where, reduce, arg_reduce, matmul, copy, fill,
  index_select, index_add, gather, scatter_add, softmax, softmax_backward,
};

registerBackend(REFERENCE_BACKEND, tsKernels);
