// Elementwise ops with broadcasting, each with its backward formula beside it.
import type { BackwardFormula } from "../autograd/node.js";
import { kernels } from "../backend/dispatcher.js";
import type { BinaryOp, UnaryOp } from "../backend/kernels.js";
import { type DType, bool, get_default_dtype, int64, promote_types, promoteWithScalar } from "../dtype.js";
import { RuntimeError } from "../errors.js";
import { gradMode } from "../grad_mode.js";
import { broadcastShapes, broadcastStrides, shapesEqual } from "../shape.js";
import { type Scalar, Tensor, type TensorOrScalar } from "../tensor.js";
import { emptyTensor, named, needs2, record, scalarTensor, sumToShape } from "./common.js";
import { cast } from "./copy.js";

// ---------------------------------------------------------------- type promotion

/** torch.result_type for two tensors (0-d tensors only move the category up, as PyTorch's rules). */
export function resultType(a: Tensor, b: Tensor): DType {
  const ad = a._shape.length > 0;
  const bd = b._shape.length > 0;
  if (ad === bd) return promote_types(a.dtype, b.dtype);
  const dim = ad ? a.dtype : b.dtype;
  const zero = ad ? b.dtype : a.dtype;
  if (dim.is_floating_point) return dim;
  if (dim === bool || zero.is_floating_point) return promote_types(dim, zero);
  return dim;
}

export function result_type(a: TensorOrScalar, b: TensorOrScalar): DType {
  if (a instanceof Tensor && b instanceof Tensor) return resultType(a, b);
  if (a instanceof Tensor) return promoteWithScalar(a.dtype, b as Scalar);
  if (b instanceof Tensor) return promoteWithScalar(b.dtype, a as Scalar);
  throw new TypeError("result_type needs at least one tensor");
}

function floatDtypeOf(t: Tensor): DType {
  return t.dtype.is_floating_point ? t.dtype : get_default_dtype();
}

function toNumber(s: Scalar): number {
  return typeof s === "boolean" ? (s ? 1 : 0) : s;
}

// ---------------------------------------------------------------- raw kernels calls (no autograd)

/** out = op(x) elementwise into a new tensor of outDtype; x must already have the compute dtype. */
export function unaryRaw(op: UnaryOp, x: Tensor, outDtype: DType, s0 = 0, s1 = 0): Tensor {
  const out = emptyTensor(x._shape.slice(), outDtype);
  kernels.unary(op, out._data, x._data, x._shape, x._strides, x._offset, s0, s1);
  return out;
}

/** out = a op b with broadcasting; a and b must already share the compute dtype. */
export function binaryRaw(op: BinaryOp, a: Tensor, b: Tensor, outDtype: DType, s0 = 0): Tensor {
  const as = a._shape;
  const bs = b._shape;
  if (shapesEqual(as, bs)) {
    const out = emptyTensor(as.slice(), outDtype);
    kernels.binary(op, out._data, as, a._data, a._strides, a._offset, b._data, b._strides, b._offset, s0);
    return out;
  }
  const shape = broadcastShapes(as, bs);
  const out = emptyTensor(shape === as ? as.slice() : shape, outDtype);
  kernels.binary(
    op, out._data, shape,
    a._data, broadcastStrides(as, a._strides, shape), a._offset,
    b._data, broadcastStrides(bs, b._strides, shape), b._offset, s0,
  );
  return out;
}

function scalarDtypeFor(x: Scalar): DType {
  return typeof x === "boolean" ? bool : Number.isInteger(x) ? int64 : get_default_dtype();
}

// ---------------------------------------------------------------- formulas

const PassBackward = (name: string): BackwardFormula<[readonly number[], readonly number[]]> => ({
  name,
  backward: (node, g) => [sumToShape(g, node.args[0]), sumToShape(g, node.args[1])],
});
const AddBackward0 = PassBackward("AddBackward0");
// PyTorch names tensor-scalar ops after their tensor-tensor forms (x + 1 has AddBackward0).
const AddBackward1: BackwardFormula = { name: "AddBackward0", backward: (_n, g) => [g] };
const AddAlphaBackward: BackwardFormula<[readonly number[], readonly number[], number]> = {
  name: "AddBackward0",
  backward: (node, g) => [sumToShape(g, node.args[0]), sumToShape(mul(g, node.args[2]), node.args[1])],
};
const SubBackward0: BackwardFormula<[readonly number[], readonly number[], number]> = {
  name: "SubBackward0",
  backward: (node, g) => [sumToShape(g, node.args[0]), sumToShape(mul(g, -node.args[2]), node.args[1])],
};
const SubBackward1: BackwardFormula = { name: "SubBackward0", backward: (_n, g) => [g] };
const RsubBackward1: BackwardFormula<number> = { name: "RsubBackward1", backward: (node, g) => [mul(g, -node.args)] };

export function add(a: TensorOrScalar, b: TensorOrScalar, opts?: { alpha?: number }): Tensor {
  const alpha = opts?.alpha ?? 1;
  if (!(a instanceof Tensor)) return add(alpha === 1 ? (b as Tensor) : mul(b as Tensor, alpha), a);
  if (!(b instanceof Tensor)) {
    const s = toNumber(b) * alpha;
    const dt = promoteWithScalar(a.dtype, b);
    const x = cast(a, dt);
    const out = unaryRaw("add_scalar", x, dt, s);
    if (gradMode.enabled && x._requires_grad) record(out, AddBackward1, [x], null, null);
    return out;
  }
  const dt = resultType(a, b);
  const x = cast(a, dt);
  const y = cast(b, dt);
  const out = alpha === 1 ? binaryRaw("add", x, y, dt) : binaryRaw("add_alpha", x, y, dt, alpha);
  if (needs2(x, y)) {
    if (alpha === 1) record(out, AddBackward0, [x, y], null, [x._shape, y._shape]);
    else record(out, AddAlphaBackward, [x, y], null, [x._shape, y._shape, alpha]);
  }
  return out;
}

export function sub(a: TensorOrScalar, b: TensorOrScalar, opts?: { alpha?: number }): Tensor {
  const alpha = opts?.alpha ?? 1;
  if (a instanceof Tensor && a.dtype === bool && b instanceof Tensor && b.dtype === bool)
    throw new RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.");
  if ((a instanceof Tensor && a.dtype === bool) || (b instanceof Tensor && b.dtype === bool))
    throw new RuntimeError(
      "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.",
    );
  if (!(a instanceof Tensor)) return rsub(b as Tensor, a, opts);
  if (!(b instanceof Tensor)) {
    const s = toNumber(b) * alpha;
    const dt = promoteWithScalar(a.dtype, b);
    const x = cast(a, dt);
    const out = unaryRaw("add_scalar", x, dt, -s);
    if (gradMode.enabled && x._requires_grad) record(out, SubBackward1, [x], null, null);
    return out;
  }
  const dt = resultType(a, b);
  const x = cast(a, dt);
  const y = cast(b, dt);
  const out = binaryRaw("sub_alpha", x, y, dt, alpha);
  if (needs2(x, y)) record(out, SubBackward0, [x, y], null, [x._shape, y._shape, alpha]);
  return out;
}

/** torch.rsub(a, b) = b - alpha * a. */
export function rsub(a: Tensor, b: TensorOrScalar, opts?: { alpha?: number }): Tensor {
  const alpha = opts?.alpha ?? 1;
  if (b instanceof Tensor) return sub(b, a, { alpha });
  const dt = promoteWithScalar(a.dtype, b);
  const x = cast(a, dt);
  const out = alpha === 1 ? unaryRaw("rsub_scalar", x, dt, toNumber(b)) : unaryRaw("rsub_scalar", unaryRaw("mul_scalar", x, dt, alpha), dt, toNumber(b));
  if (gradMode.enabled && x._requires_grad) record(out, RsubBackward1, [x], null, alpha);
  return out;
}

const MulBackward0: BackwardFormula = {
  name: "MulBackward0",
  backward: (node, g) => {
    const [ga, gb] = node._next;
    return [
      ga ? sumToShape(mul(g, node.saved(1)), (node.args as [number[], number[]])[0]) : null,
      gb ? sumToShape(mul(g, node.saved(0)), (node.args as [number[], number[]])[1]) : null,
    ];
  },
};
const MulBackward1: BackwardFormula<number> = { name: "MulBackward0", backward: (node, g) => [mul(g, node.args)] };

export function mul(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  if (!(a instanceof Tensor)) return mul(b, a);
  if (!(b instanceof Tensor)) {
    const s = toNumber(b);
    const dt = promoteWithScalar(a.dtype, b);
    const x = cast(a, dt);
    const out = unaryRaw("mul_scalar", x, dt, s);
    if (gradMode.enabled && x._requires_grad) record(out, MulBackward1, [x], null, s);
    return out;
  }
  const dt = resultType(a, b);
  const x = cast(a, dt);
  const y = cast(b, dt);
  const out = binaryRaw(dt === bool ? "logical_and" : "mul", x, y, dt);
  if (needs2(x, y)) record(out, MulBackward0, [x, y], [y._requires_grad ? x : null, x._requires_grad ? y : null], [x._shape, y._shape]);
  return out;
}

const DivBackward0: BackwardFormula<[readonly number[], readonly number[]]> = {
  name: "DivBackward0",
  backward: (node, g) => {
    const [ea, eb] = node._next;
    const b = node.saved(1);
    return [
      ea ? sumToShape(div(g, b), node.args[0]) : null,
      eb ? sumToShape(neg(div(mul(g, node.saved(0)), mul(b, b))), node.args[1]) : null,
    ];
  },
};
const DivBackward1: BackwardFormula<number> = { name: "DivBackward0", backward: (node, g) => [div(g, node.args)] };

export function div(a: TensorOrScalar, b: TensorOrScalar, opts?: { rounding_mode?: "trunc" | "floor" | null }): Tensor {
  const mode = opts?.rounding_mode ?? null;
  if (mode !== null) {
    const q = div(a, b);
    const r = mode === "trunc" ? trunc(q) : floor(q);
    const dt = a instanceof Tensor && b instanceof Tensor ? resultType(a, b) : result_type(a, b);
    return dt.is_floating_point ? r : cast(r.detach(), dt);
  }
  if (!(a instanceof Tensor)) return mul(reciprocal(b as Tensor), a);
  if (!(b instanceof Tensor)) {
    const s = toNumber(b);
    const x = cast(a, floatDtypeOf(a));
    // PyTorch multiplies by the reciprocal of a scalar divisor; so do we, for identical rounding.
    const out = unaryRaw("mul_scalar", x, x.dtype, 1 / s);
    if (gradMode.enabled && x._requires_grad) record(out, DivBackward1, [x], null, s);
    return out;
  }
  let dt = resultType(a, b);
  if (!dt.is_floating_point) dt = get_default_dtype();
  const x = cast(a, dt);
  const y = cast(b, dt);
  const out = binaryRaw("div", x, y, dt);
  if (needs2(x, y)) record(out, DivBackward0, [x, y], [y._requires_grad ? x : null, y], [x._shape, y._shape]);
  return out;
}

const PowBackward0: BackwardFormula<number> = {
  name: "PowBackward0",
  backward: (node, g) => {
    const e = node.args;
    if (e === 0) return [mul(g, 0)];
    const x = node.saved(0);
    return [mul(mul(g, e), pow(x, e - 1))];
  },
};
const PowBackward1: BackwardFormula<[readonly number[], readonly number[]]> = {
  name: "PowBackward1",
  backward: (node, g) => {
    const [ea, eb] = node._next;
    const a = node.saved(0);
    const b = node.saved(1);
    let ga: Tensor | null = null;
    let gb: Tensor | null = null;
    if (ea) {
      const grad = mul(mul(g, b), pow(a, sub(b, 1)));
      ga = sumToShape(where(eq(b, 0), 0, grad), node.args[0]);
    }
    if (eb) {
      const out = node.saved(2);
      const grad = mul(g, mul(out, log(a)));
      gb = sumToShape(where(logical_and(eq(a, 0), ge(b, 0)), 0, grad), node.args[1]);
    }
    return [ga, gb];
  },
};
const PowBackward2: BackwardFormula<number> = {
  name: "PowBackward1",
  backward: (node, g) => [mul(g, mul(node.saved(0), Math.log(node.args)))],
};

export function pow(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  if (!(a instanceof Tensor)) {
    const base = toNumber(a);
    const e = b as Tensor;
    const dt = promoteWithScalar(e.dtype, a as Scalar);
    const x = cast(e, dt);
    const out = unaryRaw("rpow_scalar", x, dt, base);
    if (gradMode.enabled && x._requires_grad) record(out, PowBackward2, [x], [out], base);
    return out;
  }
  if (!(b instanceof Tensor)) {
    const e = toNumber(b);
    const dt = promoteWithScalar(a.dtype, b);
    if (!dt.is_floating_point && e < 0) throw new RuntimeError("Integers to negative integer powers are not allowed.");
    const x = cast(a, dt);
    const op = e === 2 ? "square" : "pow_scalar";
    const out = unaryRaw(op, x, dt, e);
    if (gradMode.enabled && x._requires_grad) record(out, PowBackward0, [x], [x], e);
    return out;
  }
  const dt = resultType(a, b);
  const x = cast(a, dt);
  const y = cast(b, dt);
  const out = binaryRaw("pow", x, y, dt);
  if (needs2(x, y)) record(out, PowBackward1, [x, y], [x, y, out], [x._shape, y._shape]);
  return out;
}

// ---------------------------------------------------------------- unary math

type UnaryGrad = (node: import("../autograd/node.js").OpNode<unknown>, g: Tensor) => Tensor;

/** Defines a float unary op: ints promote to the default float dtype, as PyTorch's unary float ops. */
function floatUnary(op: UnaryOp, name: string, grad: UnaryGrad, saves: "input" | "output" | "none"): (t: Tensor) => Tensor {
  const formula: BackwardFormula = { name, backward: (node, g) => [grad(node, g)] };
  return (t: Tensor) => {
    const x = cast(t, floatDtypeOf(t));
    const out = unaryRaw(op, x, x.dtype);
    if (gradMode.enabled && x._requires_grad)
      record(out, formula, [x], saves === "input" ? [x] : saves === "output" ? [out] : null, null);
    return out;
  };
}

/** Defines a unary op keeping the input dtype. */
function sameUnary(op: UnaryOp, name: string, grad: UnaryGrad, saves: "input" | "output" | "none"): (t: Tensor) => Tensor {
  const formula: BackwardFormula = { name, backward: (node, g) => [grad(node, g)] };
  return (t: Tensor) => {
    const out = unaryRaw(op, t, t.dtype);
    if (gradMode.enabled && t._requires_grad)
      record(out, formula, [t], saves === "input" ? [t] : saves === "output" ? [out] : null, null);
    return out;
  };
}

const zeroGrad: UnaryGrad = (_n, g) => mul(g, 0);

export const neg = sameUnary("neg", "NegBackward0", (_n, g) => neg(g), "none");
export const exp = floatUnary("exp", "ExpBackward0", (n, g) => mul(g, n.saved(0)), "output");
export const log = floatUnary("log", "LogBackward0", (n, g) => div(g, n.saved(0)), "input");
export const sqrt = floatUnary("sqrt", "SqrtBackward0", (n, g) => div(g, mul(n.saved(0), 2)), "output");
export const rsqrt = floatUnary("rsqrt", "RsqrtBackward0", (n, g) => mul(g, mul(pow(n.saved(0), 3), -0.5)), "output");
export const abs = sameUnary("abs", "AbsBackward0", (n, g) => mul(g, sign(n.saved(0))), "input");
export const sign = sameUnary("sign", "SignBackward0", zeroGrad, "none");
export const square = (t: Tensor): Tensor => pow(t, 2);
export const reciprocal = floatUnary("reciprocal", "ReciprocalBackward0", (n, g) => mul(neg(g), square(n.saved(0))), "output");
export const sin = floatUnary("sin", "SinBackward0", (n, g) => mul(g, cos(n.saved(0))), "input");
export const cos = floatUnary("cos", "CosBackward0", (n, g) => mul(g, neg(sin(n.saved(0)))), "input");
export const log1p = floatUnary("log1p", "Log1PBackward0", (n, g) => div(g, add(n.saved(0), 1)), "input");
export const expm1 = floatUnary("expm1", "Expm1Backward0", (n, g) => mul(g, add(n.saved(0), 1)), "output");
export const erf = floatUnary("erf", "ErfBackward0", (n, g) => {
  const x = n.saved(0);
  return mul(g, mul(exp(neg(square(x))), 2 / Math.sqrt(Math.PI)));
}, "input");
export const floor = sameUnary("floor", "FloorBackward0", zeroGrad, "none");
export const ceil = sameUnary("ceil", "CeilBackward0", zeroGrad, "none");
export const round = sameUnary("round", "RoundBackward0", zeroGrad, "none");
export const trunc = sameUnary("trunc", "TruncBackward0", zeroGrad, "none");
export function log2(t: Tensor): Tensor {
  return named(div(log(t), Math.LN2), "Log2Backward0", t);
}
export function log10(t: Tensor): Tensor {
  return named(div(log(t), Math.LN10), "Log10Backward0", t);
}

// ---------------------------------------------------------------- clamp, maximum, minimum

const ClampBackward1: BackwardFormula<[number, number]> = {
  name: "ClampBackward1",
  backward: (node, g) => {
    const x = node.saved(0);
    const [lo, hi] = node.args;
    // Gradient flows where min <= x <= max (PyTorch's clamp_backward).
    const inside = unaryRaw("clamp", x, x.dtype, lo, hi);
    const mask = binaryRaw("eq", inside, x, bool);
    return [where(mask, g, 0)];
  },
};

export function clamp(t: Tensor, min?: number | Tensor | null, max?: number | Tensor | null): Tensor {
  if (min instanceof Tensor || max instanceof Tensor) {
    let r = t;
    if (min !== null && min !== undefined) r = maximum(r, min instanceof Tensor ? min : scalarTensor(min, t.dtype));
    if (max !== null && max !== undefined) r = minimum(r, max instanceof Tensor ? max : scalarTensor(max, t.dtype));
    return r;
  }
  if ((min === null || min === undefined) && (max === null || max === undefined))
    throw new RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None");
  const lo = min ?? -Infinity;
  const hi = max ?? Infinity;
  const dt = promoteWithScalar(promoteWithScalar(t.dtype, lo === -Infinity ? 0 : lo), hi === Infinity ? 0 : hi);
  const x = cast(t, dt);
  const out = unaryRaw("clamp", x, dt, lo, hi);
  if (gradMode.enabled && x._requires_grad) record(out, ClampBackward1, [x], [x], [lo, hi]);
  return out;
}

// PyTorch's formula: where(a == b, g / 2, g), zeroed where the other input wins. At a NaN neither comparison
// holds, so both inputs receive the full gradient, as in PyTorch.
const MaximumBackward = (name: string, isMax: boolean): BackwardFormula<[readonly number[], readonly number[]]> => ({
  name,
  backward: (node, g) => {
    const a = node.saved(0);
    const b = node.saved(1);
    const shared = where(binaryRaw("eq", a, b, bool), mul(g, 0.5), g);
    const aLoses = binaryRaw(isMax ? "lt" : "gt", a, b, bool);
    const bLoses = binaryRaw(isMax ? "gt" : "lt", a, b, bool);
    const [ea, eb] = node._next;
    return [
      ea ? sumToShape(where(aLoses, 0, shared), node.args[0]) : null,
      eb ? sumToShape(where(bLoses, 0, shared), node.args[1]) : null,
    ];
  },
});
const MaximumBackward0 = MaximumBackward("MaximumBackward0", true);
const MinimumBackward0 = MaximumBackward("MinimumBackward0", false);

export function maximum(a: Tensor, b: Tensor): Tensor {
  const dt = resultType(a, b);
  const x = cast(a, dt);
  const y = cast(b, dt);
  const out = binaryRaw("maximum", x, y, dt);
  if (needs2(x, y)) record(out, MaximumBackward0, [x, y], [x, y], [x._shape, y._shape]);
  return out;
}

export function minimum(a: Tensor, b: Tensor): Tensor {
  const dt = resultType(a, b);
  const x = cast(a, dt);
  const y = cast(b, dt);
  const out = binaryRaw("minimum", x, y, dt);
  if (needs2(x, y)) record(out, MinimumBackward0, [x, y], [x, y], [x._shape, y._shape]);
  return out;
}

const Atan2Backward0: BackwardFormula<[readonly number[], readonly number[]]> = {
  name: "Atan2Backward0",
  backward: (node, g) => {
    const a = node.saved(0);
    const b = node.saved(1);
    const den = add(square(a), square(b));
    return [sumToShape(mul(g, div(b, den)), node.args[0]), sumToShape(mul(g, div(neg(a), den)), node.args[1])];
  },
};

export function atan2(a: Tensor, b: Tensor): Tensor {
  let dt = resultType(a, b);
  if (!dt.is_floating_point) dt = get_default_dtype();
  const x = cast(a, dt);
  const y = cast(b, dt);
  const out = binaryRaw("atan2", x, y, dt);
  if (needs2(x, y)) record(out, Atan2Backward0, [x, y], [x, y], [x._shape, y._shape]);
  return out;
}

const RemainderBackward: BackwardFormula<[readonly number[], readonly number[], boolean]> = {
  name: "RemainderBackward0",
  backward: (node, g) => {
    const [ea, eb] = node._next;
    const q = div(node.saved(0), node.saved(1));
    const k = node.args[2] ? floor(q) : trunc(q);
    return [ea ? sumToShape(g, node.args[0]) : null, eb ? sumToShape(mul(neg(g), k), node.args[1]) : null];
  },
};

function modOp(a: Tensor, b: TensorOrScalar, python: boolean): Tensor {
  if (!(b instanceof Tensor)) {
    const dt = promoteWithScalar(a.dtype, b);
    const x = cast(a, dt);
    const s = toNumber(b);
    if (!dt.is_floating_point && s === 0) throw new RuntimeError("ZeroDivisionError");
    const out = unaryRaw(python ? "remainder_scalar" : "fmod_scalar", x, dt, s);
    if (gradMode.enabled && x._requires_grad) record(out, AddBackward1, [x], null, null);
    return out;
  }
  const dt = resultType(a, b);
  const x = cast(a, dt);
  const y = cast(b, dt);
  const out = binaryRaw(python ? "remainder" : "fmod", x, y, dt);
  if (needs2(x, y)) record(out, RemainderBackward, [x, y], [x, y], [x._shape, y._shape, python]);
  return out;
}

export function remainder(a: Tensor, b: TensorOrScalar): Tensor {
  return modOp(a, b, true);
}
export function fmod(a: Tensor, b: TensorOrScalar): Tensor {
  return modOp(a, b, false);
}

/** torch.floor_divide: rounds toward negative infinity (not differentiable). */
export function floor_divide(a: Tensor, b: TensorOrScalar): Tensor {
  if (!(b instanceof Tensor)) {
    const dt = promoteWithScalar(a.dtype, b);
    return unaryRaw("floor_divide_scalar", cast(a.detach(), dt), dt, toNumber(b));
  }
  const dt = resultType(a, b);
  return binaryRaw("floor_divide", cast(a.detach(), dt), cast(b.detach(), dt), dt);
}

// ---------------------------------------------------------------- comparisons and logic (not differentiable)

function compare(op: BinaryOp, sop: UnaryOp, a: TensorOrScalar, b: TensorOrScalar): Tensor {
  if (!(a instanceof Tensor)) {
    const flipped: Record<string, BinaryOp> = { lt: "gt", gt: "lt", le: "ge", ge: "le", eq: "eq", ne: "ne" };
    return compare(flipped[op], (flipped[op] + "_scalar") as UnaryOp, b, a);
  }
  if (!(b instanceof Tensor)) {
    const dt = promoteWithScalar(a.dtype, b);
    return unaryRaw(sop, cast(a.detach(), dt), bool, toNumber(b));
  }
  const dt = resultType(a, b);
  return binaryRaw(op, cast(a.detach(), dt), cast(b.detach(), dt), bool);
}

export const eq = (a: TensorOrScalar, b: TensorOrScalar): Tensor => compare("eq", "eq_scalar", a, b);
export const ne = (a: TensorOrScalar, b: TensorOrScalar): Tensor => compare("ne", "ne_scalar", a, b);
export const lt = (a: TensorOrScalar, b: TensorOrScalar): Tensor => compare("lt", "lt_scalar", a, b);
export const le = (a: TensorOrScalar, b: TensorOrScalar): Tensor => compare("le", "le_scalar", a, b);
export const gt = (a: TensorOrScalar, b: TensorOrScalar): Tensor => compare("gt", "gt_scalar", a, b);
export const ge = (a: TensorOrScalar, b: TensorOrScalar): Tensor => compare("ge", "ge_scalar", a, b);

export function logical_not(t: Tensor): Tensor {
  return unaryRaw("logical_not", t, bool);
}
function logical(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  const dt = resultType(a, b);
  return binaryRaw(op, cast(a.detach(), dt), cast(b.detach(), dt), bool);
}
export const logical_and = (a: Tensor, b: Tensor): Tensor => logical("logical_and", a, b);
export const logical_or = (a: Tensor, b: Tensor): Tensor => logical("logical_or", a, b);
export const logical_xor = (a: Tensor, b: Tensor): Tensor => logical("logical_xor", a, b);
export const isnan = (t: Tensor): Tensor => unaryRaw("isnan", t, bool);
export const isinf = (t: Tensor): Tensor => unaryRaw("isinf", t, bool);
export const isfinite = (t: Tensor): Tensor => unaryRaw("isfinite", t, bool);

/** torch.equal: same shape and same values. */
export function equal(a: Tensor, b: Tensor): boolean {
  if (!shapesEqual(a._shape, b._shape)) return false;
  const e = eq(a, b);
  const d = e._data;
  for (let i = 0; i < d.length; i++) if (!d[i]) return false;
  return true;
}

export function isclose(a: Tensor, b: Tensor, opts?: { rtol?: number; atol?: number; equal_nan?: boolean }): Tensor {
  const rtol = opts?.rtol ?? 1e-5;
  const atol = opts?.atol ?? 1e-8;
  const dt = resultType(a, b);
  const x = cast(a.detach(), dt.is_floating_point ? dt : get_default_dtype());
  const y = cast(b.detach(), x.dtype);
  const diff = abs(binaryRaw("sub", x, y, x.dtype));
  const tol = add(mul(abs(y), rtol), atol);
  let r = logical_or(le(diff, tol), eq(x, y));
  if (opts?.equal_nan) r = logical_or(r, logical_and(isnan(x), isnan(y)));
  return r;
}

export function allclose(a: Tensor, b: Tensor, opts?: { rtol?: number; atol?: number; equal_nan?: boolean }): boolean {
  const c = isclose(a, b, opts);
  const d = c._data;
  for (let i = 0; i < d.length; i++) if (!d[i]) return false;
  return true;
}

// ---------------------------------------------------------------- where, masked_fill, compositions

const WhereBackward0: BackwardFormula<[readonly number[], readonly number[]]> = {
  name: "WhereBackward0",
  backward: (node, g) => {
    const c = node.saved(0);
    const [, ea, eb] = node._next;
    const zero = scalarTensor(0, g.dtype);
    return [
      null,
      ea ? sumToShape(whereRaw(c, g, zero), node.args[0]) : null,
      eb ? sumToShape(whereRaw(c, zero, g), node.args[1]) : null,
    ];
  },
};

function whereRaw(cond: Tensor, a: Tensor, b: Tensor): Tensor {
  const shape = broadcastShapes(broadcastShapes(cond._shape, a._shape), b._shape);
  const out = emptyTensor(shape.slice(), a.dtype);
  kernels.where(
    out._data, shape,
    cond._data, broadcastStrides(cond._shape, cond._strides, shape), cond._offset,
    a._data, broadcastStrides(a._shape, a._strides, shape), a._offset,
    b._data, broadcastStrides(b._shape, b._strides, shape), b._offset,
  );
  return out;
}

/** torch.where(condition, input, other). */
export function where(cond: Tensor, a: TensorOrScalar, b: TensorOrScalar): Tensor {
  if (cond.dtype !== bool) {
    if (cond.dtype.name === "uint8") cond = cast(cond, bool);
    else throw new RuntimeError(`where expected condition to be a boolean tensor, but got a tensor with dtype ${cond.dtype.name === "float32" ? "Float" : cond.dtype.name}`);
  }
  let x: Tensor;
  let y: Tensor;
  if (a instanceof Tensor && b instanceof Tensor) {
    const dt = resultType(a, b);
    x = cast(a, dt);
    y = cast(b, dt);
  } else if (a instanceof Tensor) {
    const dt = promoteWithScalar(a.dtype, b as Scalar);
    x = cast(a, dt);
    y = scalarTensor(b as Scalar, dt);
  } else if (b instanceof Tensor) {
    const dt = promoteWithScalar(b.dtype, a as Scalar);
    y = cast(b, dt);
    x = scalarTensor(a as Scalar, dt);
  } else {
    const dt = result_type(scalarTensor(a as Scalar, scalarDtypeFor(a as Scalar)), b);
    x = scalarTensor(a as Scalar, dt);
    y = scalarTensor(b as Scalar, dt);
  }
  const out = whereRaw(cond, x, y);
  if (needs2(x, y)) record(out, WhereBackward0, [cond, x, y], [cond], [x._shape, y._shape]);
  return out;
}

export function masked_fill(t: Tensor, mask: Tensor, value: number | Tensor): Tensor {
  if (mask.dtype !== bool) throw new RuntimeError(`masked_fill_ only supports boolean masks, but got mask with dtype ${mask.dtype.name}`);
  if (value instanceof Tensor) {
    if (value.ndim !== 0)
      throw new RuntimeError(`masked_fill_ only supports a 0-dimensional value tensor, but got tensor with ${value.ndim} dimension(s).`);
    return named(where(mask, cast(value, t.dtype), t), "MaskedFillBackward1", t);
  }
  return named(where(mask, scalarTensor(value, t.dtype), t), "MaskedFillBackward0", t);
}

export function lerp(start: Tensor, end: Tensor, weight: TensorOrScalar): Tensor {
  return named(add(start, mul(sub(end, start), weight)), weight instanceof Tensor ? "LerpBackward1" : "LerpBackward0", start, end);
}

export function addcmul(t: Tensor, t1: Tensor, t2: Tensor, opts?: { value?: number }): Tensor {
  return named(add(t, mul(mul(t1, t2), opts?.value ?? 1)), "AddcmulBackward0", t, t1, t2);
}

export function addcdiv(t: Tensor, t1: Tensor, t2: Tensor, opts?: { value?: number }): Tensor {
  return named(add(t, mul(div(t1, t2), opts?.value ?? 1)), "AddcdivBackward0", t, t1, t2);
}
