// F.linear: y = x W^T + b, as one differentiable op (one graph node instead of t, matmul and add).
// Forward and backward are matmuls over x flattened to 2-D; each gradient is computed only when its
// input needs it. The transposed weight is a strided view, so no copy of W is made.
import type { BackwardFormula, OpNode } from "../../autograd/node.js";
import { gradSink } from "../../autograd/grad_sink.js";
import { gemm2d } from "../../backends/native/fused.js";
import type { NativeArray } from "../../backends/native/addon.js";
import { isNativeActive } from "../../backends/native/index.js";
import { anyRequiresGrad, record } from "../../ops/common.js";
import { no_grad } from "../../grad_mode.js";
import { RuntimeError } from "../../errors.js";
import type { Tensor } from "../../tensor.js";

interface LinearArgs {
  xShape: readonly number[];
  hasBias: boolean;
}

const linearBackward: BackwardFormula<LinearArgs> = {
  name: "AddmmBackward0",
  backward(node: OpNode<LinearArgs>, grad: Tensor) {
    const [ex, ew, eb] = node._next;
    const x = node.saved(0);
    const w = node.saved(1);
    const outF = w.shape[0];
    const g2 = grad.reshape(-1, outF);
    const gx = ex ? g2.matmul(w).view(...node.args.xShape) : null;
    const x2 = ew ? x.reshape(-1, x.shape[x.ndim - 1]) : null;
    const gw = ew && !addWeightGradInPlace(node, g2, x2!) ? g2.t().matmul(x2!) : null;
    const gb = node.args.hasBias && eb ? g2.sum(0) : null;
    return node.args.hasBias ? [gx, gw, gb] : [gx, gw];
  },
};

/**
 * Adds g2^T x2 straight into the weight's .grad with one GEMM (beta = 1) when the engine allows it
 * (grad_sink.ts) and the native backend takes the dtype; false leaves the gradient to the caller.
 */
function addWeightGradInPlace(node: OpNode<LinearArgs>, g2: Tensor, x2: Tensor): boolean {
  if (!isNativeActive()) return false;
  const sink = gradSink(node, 1);
  if (sink === null || g2.dtype !== sink.dtype || x2.dtype !== sink.dtype || !sink.dtype.is_floating_point) return false;
  // The GEMM must not read what it writes (an input that is the weight's .grad itself, say).
  if (g2._data === sink._data || x2._data === sink._data) return false;
  const [outF, inF] = sink.shape;
  const rows = g2.shape[0];
  const a = { data: g2._data as NativeArray, offset: g2._offset, rs: g2._strides[1], cs: g2._strides[0] };
  const b = { data: x2._data as NativeArray, offset: x2._offset, rs: x2._strides[0], cs: x2._strides[1] };
  if (!gemm2d(outF, inF, rows, 1, a, b, 1, { data: sink._data as NativeArray, offset: 0, rs: inF, cs: 1 })) return false;
  sink._vc.v++;
  return true;
}

export function linear(input: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  if (input.ndim === 0) throw new RuntimeError("both arguments to linear need to be at least 1D, but they are 0D and 2D");
  const inF = weight.shape[weight.ndim - 1];
  if (input.shape[input.ndim - 1] !== inF) {
    const rows = input.numel() / (input.shape[input.ndim - 1] || 1);
    throw new RuntimeError(
      `mat1 and mat2 shapes cannot be multiplied (${rows}x${input.shape[input.ndim - 1]} and ${weight.shape[1]}x${weight.shape[0]})`,
    );
  }
  if (weight.ndim !== 2) return bias ? input.matmul(weight.t()).add(bias) : input.matmul(weight.t());
  const inputs = bias ? [input, weight, bias] : [input, weight];
  const out = no_grad(() => {
    const y = input.matmul(weight.t());
    return bias ? y.add_(bias) : y;
  });
  if (anyRequiresGrad(inputs)) {
    record(out, linearBackward, inputs, [input, weight], { xShape: [...input.shape], hasBias: !!bias });
  }
  return out;
}
