// The sliding-window op convolution and pooling are built on: a differentiable im2col.
// Forward gathers windows into columns (im2col); backward scatters the column gradient back
// (col2im), summing where windows overlap.
import "../kernels/im2col.js";
import "../kernels/native.js";
import type { BackwardFormula, OpNode } from "../../autograd/node.js";
import { nnKernel } from "../kernels/registry.js";
import { anyRequiresGrad, contiguousData, emptyTensor, record, zerosTensor } from "../../ops/common.js";
import type { Tensor } from "../../tensor.js";
import type { WindowGeometry } from "../kernels/im2col.js";

export type Pair = [number, number];

export function pair(v: number | readonly number[], name = "value"): Pair {
  if (typeof v === "number") return [v, v];
  if (v.length === 1) return [v[0], v[0]];
  if (v.length !== 2) throw new Error(`${name} must be an int or a pair of ints, got [${v.join(", ")}]`);
  return [v[0], v[1]];
}

const unfoldBackward: BackwardFormula<{ g: WindowGeometry }> = {
  name: "Im2ColBackward0",
  backward(node: OpNode<{ g: WindowGeometry }>, grad: Tensor) {
    const { g } = node.args;
    const gradInput = zerosTensor([g.N, g.C, g.H, g.W], grad.dtype); // col2im accumulates
    nnKernel("col2im")(gradInput._data, contiguousData(grad), g);
    return [gradInput];
  },
};

/**
 * Windows of a [N, C, H, W] input as columns [N, C*kh*kw, Ho*Wo]. Ho/Wo are given, so the far side may
 * be padded more than the near side (ceil_mode, padding="same").
 */
export function unfold2d(
  input: Tensor,
  kernel: Pair, stride: Pair, padding: Pair, dilation: Pair, outSize: Pair,
  padValue = 0,
): Tensor {
  if (input.ndim !== 4) throw new Error(`expected a 4-D input [N, C, H, W], got ${input.ndim}-D`);
  const [N, C, H, W] = input.shape;
  const g: WindowGeometry = {
    N, C, H, W,
    kh: kernel[0], kw: kernel[1], sh: stride[0], sw: stride[1], ph: padding[0], pw: padding[1],
    dh: dilation[0], dw: dilation[1], Ho: outSize[0], Wo: outSize[1],
  };
  const out = emptyTensor([N, C * g.kh * g.kw, g.Ho * g.Wo], input.dtype);
  nnKernel("im2col")(out._data, contiguousData(input), g, padValue);
  if (anyRequiresGrad([input])) record(out, unfoldBackward, [input], null, { g });
  return out;
}

/** Output length of a sliding window along one dim (PyTorch's formula; ceil_mode keeps a last partial window). */
export function windowOutSize(size: number, k: number, s: number, p: number, d: number, ceil_mode = false): number {
  const span = size + 2 * p - d * (k - 1) - 1;
  let out = (ceil_mode ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  // With ceil_mode, the last window must start inside the input or the left padding.
  if (ceil_mode && (out - 1) * s >= size + p) out -= 1;
  return out;
}
