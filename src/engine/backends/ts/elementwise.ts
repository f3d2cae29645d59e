// Reference elementwise kernels: unary, binary (broadcast) and where, each op an expression compiled
// once into a specialised strided loop.
import type { BinaryKernel, BinaryOp, UnaryKernel, UnaryOp, WhereKernel } from "../../backend/kernels.js";
import { genMap, type MapLoop } from "./strided.js";

const UNARY: Record<UnaryOp, string> = {
  neg: "-a",
  abs: "Math.abs(a)",
  sign: "(a > 0 ? 1 : a < 0 ? -1 : a)",
  exp: "Math.exp(a)",
  log: "Math.log(a)",
  sqrt: "Math.sqrt(a)",
  rsqrt: "1 / Math.sqrt(a)",
  square: "a * a",
  reciprocal: "1 / a",
  sin: "Math.sin(a)",
  cos: "Math.cos(a)",
  tanh: "Math.tanh(a)",
  sigmoid: "M.sigmoid(a)",
  relu: "(a > 0 ? a : (a !== a ? a : 0))",
  gelu: "M.gelu(a)",
  gelu_tanh: "M.geluTanh(a)",
  erf: "M.erf(a)",
  log1p: "Math.log1p(a)",
  expm1: "Math.expm1(a)",
  floor: "Math.floor(a)",
  ceil: "Math.ceil(a)",
  round: "M.roundHalfEven(a)",
  trunc: "Math.trunc(a)",
  logical_not: "(a ? 0 : 1)",
  isnan: "(a !== a ? 1 : 0)",
  isinf: "(a === Infinity || a === -Infinity ? 1 : 0)",
  isfinite: "(Number.isFinite(a) ? 1 : 0)",
  silu: "a * M.sigmoid(a)",
  softplus: "M.softplus(a, s0, s1)",
  add_scalar: "a + s0",
  mul_scalar: "a * s0",
  rsub_scalar: "s0 - a",
  rdiv_scalar: "s0 / a",
  pow_scalar: "Math.pow(a, s0)",
  rpow_scalar: "Math.pow(s0, a)",
  fmod_scalar: "a % s0",
  remainder_scalar: "M.pyMod(a, s0)",
  floor_divide_scalar: "Math.floor(a / s0)",
  maximum_scalar: "M.nanMax(a, s0)",
  minimum_scalar: "M.nanMin(a, s0)",
  clamp: "(a !== a ? a : a < s0 ? s0 : a > s1 ? s1 : a)",
  leaky_relu: "(a > 0 ? a : a * s0)",
  elu: "(a > 0 ? a : s0 * Math.expm1(a))",
  eq_scalar: "(a === s0 ? 1 : 0)",
  ne_scalar: "(a !== s0 ? 1 : 0)",
  lt_scalar: "(a < s0 ? 1 : 0)",
  le_scalar: "(a <= s0 ? 1 : 0)",
  gt_scalar: "(a > s0 ? 1 : 0)",
  ge_scalar: "(a >= s0 ? 1 : 0)",
  cast: "a",
};

const BINARY: Record<BinaryOp, string> = {
  add: "a + b",
  sub: "a - b",
  mul: "a * b",
  div: "a / b",
  pow: "Math.pow(a, b)",
  maximum: "M.nanMax(a, b)",
  minimum: "M.nanMin(a, b)",
  atan2: "Math.atan2(a, b)",
  fmod: "a % b",
  remainder: "M.pyMod(a, b)",
  floor_divide: "Math.floor(a / b)",
  eq: "(a === b ? 1 : 0)",
  ne: "(a !== b ? 1 : 0)",
  lt: "(a < b ? 1 : 0)",
  le: "(a <= b ? 1 : 0)",
  gt: "(a > b ? 1 : 0)",
  ge: "(a >= b ? 1 : 0)",
  logical_and: "(a && b ? 1 : 0)",
  logical_or: "(a || b ? 1 : 0)",
  logical_xor: "(!a !== !b ? 1 : 0)",
  add_alpha: "a + s0 * b",
  sub_alpha: "a - s0 * b",
  relu_backward: "(b <= 0 ? 0 : a)",
  sigmoid_backward: "a * b * (1 - b)",
  tanh_backward: "a * (1 - b * b)",
  gelu_backward: "a * M.geluGrad(b)",
  gelu_tanh_backward: "a * M.geluTanhGrad(b)",
  silu_backward: "a * (M.sigmoid(b) * (1 + b * (1 - M.sigmoid(b))))",
  leaky_relu_backward: "(b > 0 ? a : a * s0)",
  elu_backward: "(b > 0 ? a : a * s0 * Math.exp(b))",
};

const unaryLoops = new Map<string, MapLoop>();
const binaryLoops = new Map<string, MapLoop>();
let whereLoop: MapLoop | undefined;

function loopFor(cache: Map<string, MapLoop>, table: Record<string, string>, op: string, nIn: number): MapLoop {
  let loop = cache.get(op);
  if (!loop) {
    const expr = table[op];
    if (expr === undefined) throw new Error(`ts backend: unknown elementwise op "${op}"`);
    loop = genMap(nIn, expr);
    cache.set(op, loop);
  }
  return loop;
}

const NONE: readonly number[] = [];

export const unary: UnaryKernel = (op, out, x, shape, strides, offset, s0, s1) => {
  loopFor(unaryLoops, UNARY, op, 1)(out, shape, x, strides, offset, null, NONE, 0, null, NONE, 0, s0, s1);
};

export const binary: BinaryKernel = (op, out, shape, a, aStrides, aOffset, b, bStrides, bOffset, s0) => {
  loopFor(binaryLoops, BINARY, op, 2)(out, shape, a, aStrides, aOffset, b, bStrides, bOffset, null, NONE, 0, s0, 0);
};

export const where: WhereKernel = (out, shape, cond, cs, co, a, as, ao, b, bs, bo) => {
  // Inputs reordered so the generated fast path (first input contiguous, second a scalar) fits the
  // common `where(mask, x, 0)` shape: a -> x0, b -> x1, cond -> x2.
  whereLoop ??= genMap(3, "(c ? a : b)");
  whereLoop(out, shape, a, as, ao, b, bs, bo, cond, cs, co, 0, 0);
};
