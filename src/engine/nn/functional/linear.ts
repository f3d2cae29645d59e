// F.linear: y = x W^T + b, as one differentiable op (one graph node instead of t, matmul and add).
// Forward and backward are matmuls over x flattened to 2-D; each gradient is computed only when its
// input needs it. The transposed weight is a strided view, so no copy of W is made.
import type { BackwardFormula, OpNode } from "../../autograd/node.js";
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
    const gw = ew ? g2.t().matmul(x.reshape(-1, x.shape[x.ndim - 1])) : null;
    const gb = node.args.hasBias && eb ? g2.sum(0) : null;
    return node.args.hasBias ? [gx, gw, gb] : [gx, gw];
  },
};

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
