// Activations (torch.nn.functional forms): relu, sigmoid, tanh, gelu, silu, softplus, leaky_relu, elu,
// softmax, log_softmax, dropout. Backward uses fused kernels, or differentiable ops when the backward
// itself is being recorded (create_graph), so that double backward works.
import type { BackwardFormula, OpNode } from "../autograd/node.js";
import { kernels } from "../backend/dispatcher.js";
import type { BinaryOp, UnaryOp } from "../backend/kernels.js";
import { type DType, get_default_dtype } from "../dtype.js";
import { RuntimeError, ValueError } from "../errors.js";
import { gradMode } from "../grad_mode.js";
import { default_generator, fillUniform } from "../random.js";
import { wrapDim } from "../shape.js";
import { Tensor } from "../tensor.js";
import { contiguousData, emptyTensor, record } from "./common.js";
import { cast } from "./copy.js";
import { add, binaryRaw, erf, exp, gt, le, mul, sub, unaryRaw, where } from "./elementwise.js";
import { sum } from "./reduce.js";

function floatInput(t: Tensor, name: string): Tensor {
  if (t.dtype.is_floating_point) return t;
  throw new RuntimeError(`"${name}" not implemented for '${{ int32: "Int", int64: "Long", uint8: "Byte", bool: "Bool" }[t.dtype.name as "int32"]}'`);
}

/**
 * An activation y = f(x) with a fused backward kernel `bwOp(g, saved)`, and a composed backward for
 * create_graph. `saveOutput` saves y instead of x.
 */
function activation(
  op: UnaryOp, bwOp: BinaryOp, name: string, saveOutput: boolean,
  composed: (node: OpNode<[number, number]>, g: Tensor) => Tensor,
): (t: Tensor, s0?: number, s1?: number) => Tensor {
  const formula: BackwardFormula<[number, number]> = {
    name,
    backward: (node, g) => {
      if (gradMode.enabled) return [composed(node, g)];
      return [binaryRaw(bwOp, g, node.saved(0), g.dtype, node.args[0])];
    },
  };
  return (t: Tensor, s0 = 0, s1 = 0) => {
    const out = unaryRaw(op, t, t.dtype, s0, s1);
    if (gradMode.enabled && t._requires_grad) record(out, formula, [t], [saveOutput ? out : t], [s0, s1]);
    return out;
  };
}

const reluImpl = activation("relu", "relu_backward", "ReluBackward0", true, (n, g) => where(le(n.saved(0), 0), 0, g));
export function relu(t: Tensor): Tensor {
  return reluImpl(t);
}

const sigmoidImpl = activation("sigmoid", "sigmoid_backward", "SigmoidBackward0", true, (n, g) => {
  const y = n.saved(0);
  return mul(g, mul(y, sub(1, y)));
});
export function sigmoid(t: Tensor): Tensor {
  return sigmoidImpl(cast(t, t.dtype.is_floating_point ? t.dtype : get_default_dtype()));
}

const tanhImpl = activation("tanh", "tanh_backward", "TanhBackward0", true, (n, g) => {
  const y = n.saved(0);
  return mul(g, sub(1, mul(y, y)));
});
export function tanh(t: Tensor): Tensor {
  return tanhImpl(cast(t, t.dtype.is_floating_point ? t.dtype : get_default_dtype()));
}

const geluErf = activation("gelu", "gelu_backward", "GeluBackward0", false, (n, g) => {
  const x = n.saved(0);
  const cdf = mul(add(erf(mul(x, Math.SQRT1_2)), 1), 0.5);
  const pdf = mul(exp(mul(mul(x, x), -0.5)), 0.3989422804014327);
  return mul(g, add(cdf, mul(x, pdf)));
});
const geluTanh = activation("gelu_tanh", "gelu_tanh_backward", "GeluBackward0", false, () => {
  throw new RuntimeError("double backward of gelu(approximate='tanh') is not implemented");
});

export function gelu(t: Tensor, opts?: { approximate?: "none" | "tanh" }): Tensor {
  const x = floatInput(t, "GeluKernelImpl");
  const approx = opts?.approximate ?? "none";
  if (approx !== "none" && approx !== "tanh") throw new RuntimeError(`approximate argument must be either none or tanh.`);
  return approx === "tanh" ? geluTanh(x) : geluErf(x);
}

const siluImpl = activation("silu", "silu_backward", "SiluBackward0", false, () => {
  throw new RuntimeError("double backward of silu is not implemented");
});
export function silu(t: Tensor): Tensor {
  return siluImpl(floatInput(t, "silu"));
}

const leakyImpl = activation("leaky_relu", "leaky_relu_backward", "LeakyReluBackward0", false, (n, g) =>
  where(gt(n.saved(0), 0), g, mul(g, n.args[0])),
);
export function leaky_relu(t: Tensor, negative_slope = 0.01): Tensor {
  return leakyImpl(floatInput(t, "leaky_relu"), negative_slope);
}

const eluImpl = activation("elu", "elu_backward", "EluBackward0", false, (n, g) => {
  const x = n.saved(0);
  return where(gt(x, 0), g, mul(g, mul(exp(x), n.args[0])));
});
export function elu(t: Tensor, alpha = 1.0): Tensor {
  return eluImpl(floatInput(t, "elu"), alpha);
}

const SoftplusBackward0: BackwardFormula<[number, number]> = {
  name: "SoftplusBackward0",
  backward: (node, g) => {
    const x = node.saved(0);
    const [beta, threshold] = node.args;
    // d/dx = sigmoid(beta x), and 1 above the threshold.
    const s = unaryRaw("sigmoid", mul(x.detach(), beta), x.dtype);
    return [mul(g, where(gt(mul(x.detach(), beta), threshold), 1, s))];
  },
};
export function softplus(t: Tensor, beta = 1, threshold = 20): Tensor {
  const x = floatInput(t, "softplus");
  const out = unaryRaw("softplus", x, x.dtype, beta, threshold);
  if (gradMode.enabled && x._requires_grad) record(out, SoftplusBackward0, [x], [x], [beta, threshold]);
  return out;
}

// ---------------------------------------------------------------- softmax family

interface SoftmaxArgs {
  dim: number;
  log: boolean;
}

function split3(shape: readonly number[], dim: number): [number, number, number] {
  let outer = 1;
  for (let d = 0; d < dim; d++) outer *= shape[d];
  let inner = 1;
  for (let d = dim + 1; d < shape.length; d++) inner *= shape[d];
  return [outer, shape.length === 0 ? 1 : shape[dim], inner];
}

const SoftmaxBackward = (name: string): BackwardFormula<SoftmaxArgs> => ({
  name,
  backward: (node, g) => {
    const y = node.saved(0);
    const { dim, log } = node.args;
    if (gradMode.enabled) {
      // Composed, so that the backward is itself differentiable.
      if (log) return [sub(g, mul(exp(y), sum(g, dim, { keepdim: true })))];
      return [mul(y, sub(g, sum(mul(g, y), dim, { keepdim: true })))];
    }
    const [outer, size, inner] = split3(y._shape, dim);
    const out = emptyTensor(y._shape.slice(), y.dtype);
    kernels.softmax_backward(out._data, contiguousData(cast(g, y.dtype)), contiguousData(y), outer, size, inner, log);
    return [out];
  },
});
const SoftmaxBackward0 = SoftmaxBackward("SoftmaxBackward0");
const LogSoftmaxBackward0 = SoftmaxBackward("LogSoftmaxBackward0");

function softmaxImpl(t: Tensor, dim: number | undefined, log: boolean, dtype?: DType): Tensor {
  if (dim === undefined || dim === null) throw new TypeError(`${log ? "log_softmax" : "softmax"}(): the dim argument is required`);
  let x = dtype ? cast(t, dtype) : t;
  if (!x.dtype.is_floating_point) x = floatInput(x, log ? "log_softmax_lastdim_kernel_impl" : "softmax_lastdim_kernel_impl");
  const d = wrapDim(dim, x.ndim);
  const [outer, size, inner] = split3(x._shape, d);
  const out = emptyTensor(x._shape.slice(), x.dtype);
  if (x.numel() > 0) kernels.softmax(out._data, contiguousData(x), outer, size, inner, log);
  if (gradMode.enabled && x._requires_grad) record(out, log ? LogSoftmaxBackward0 : SoftmaxBackward0, [x], [out], { dim: d, log });
  return out;
}

export function softmax(t: Tensor, dim?: number, opts?: { dtype?: DType }): Tensor {
  return softmaxImpl(t, dim, false, opts?.dtype);
}

export function log_softmax(t: Tensor, dim?: number, opts?: { dtype?: DType }): Tensor {
  return softmaxImpl(t, dim, true, opts?.dtype);
}

// ---------------------------------------------------------------- dropout

/**
 * F.dropout(input, p=0.5, training=True): zeroes each element with probability p (drawn from the
 * seeded generator) and scales the rest by 1/(1-p).
 */
export function dropout(t: Tensor, p = 0.5, training = true, inplace = false): Tensor {
  if (p < 0 || p > 1) throw new ValueError(`dropout probability has to be between 0 and 1, but got ${p}`);
  if (!training || p === 0) return t;
  const x = floatInput(t, "dropout");
  const scale = p === 1 ? 0 : 1 / (1 - p);
  const u = new (x.dtype.array as Float32ArrayConstructor)(x.numel());
  fillUniform(u, 0, 1, default_generator);
  const mask = emptyTensor(x._shape.slice(), x.dtype);
  const m = mask._data;
  for (let i = 0; i < u.length; i++) m[i] = u[i] < 1 - p ? scale : 0;
  if (inplace) return (x as unknown as { mul_(o: Tensor): Tensor }).mul_(mask);
  return mul(x, mask);
}
