// cross_entropy through the native backend's fused kernel: log-softmax, the picked log-probabilities
// and the gradient in one pass over the logits, instead of a chain of engine ops. Taken only for the
// common case (2-D float logits, int64 class targets all in range, no class weights, no label
// smoothing, mean or sum reduction); everything else, or a declining addon, uses loss.ts's composition.
import type { BackwardFormula, OpNode } from "../../autograd/node.js";
import { cross_entropy as nativeCrossEntropy } from "../../backends/native/fused.js";
import type { NativeArray } from "../../backends/native/addon.js";
import { isNativeActive } from "../../backends/native/index.js";
import { arange } from "../../creation.js";
import { gradMode } from "../../grad_mode.js";
import { anyRequiresGrad, contiguousData, emptyTensor, record } from "../../ops/common.js";
import type { Tensor } from "../../tensor.js";
import { softmax } from "./activation.js";

interface FusedArgs {
  /** d(loss)/d(logits), already scaled for the reduction. */
  grad: NativeArray;
  target: Tensor;
  ignore_index: number;
  /** 1 / count for the mean reduction, 1 for sum. */
  scale: number;
}

const crossEntropyBackward: BackwardFormula<FusedArgs> = {
  name: "CrossEntropyLossBackward0",
  backward(node: OpNode<FusedArgs>, grad: Tensor) {
    const input = node.saved(0);
    const { target, ignore_index, scale } = node.args;
    if (gradMode.enabled) {
      // create_graph: the same gradient from differentiable ops, (softmax - one_hot) * kept * scale * grad.
      const [n, c] = input.shape;
      const kept = target.ne(ignore_index);
      const oneHot = arange(c).view([1, c]).eq(target.view([n, 1])).to(input.dtype);
      return [softmax(input, 1).sub(oneHot).mul(kept.view([n, 1]).to(input.dtype)).mul(grad).mul(scale)];
    }
    const g = grad.item();
    const out = emptyTensor([...input.shape], input.dtype);
    const src = node.args.grad, dst = out._data;
    for (let i = 0; i < dst.length; i++) dst[i] = src[i] * g;
    return [out];
  },
};

/** The fused cross-entropy, or null when this case is not one it takes (the caller composes it then). */
export function fusedCrossEntropy(input: Tensor, target: Tensor, ignore_index: number, reduction: string): Tensor | null {
  if (!isNativeActive() || (reduction !== "mean" && reduction !== "sum")) return null;
  if (input.ndim !== 2 || !input.dtype.is_floating_point || target.ndim !== 1 || target.dtype.name !== "int64") return null;
  const [n, c] = input.shape;
  if (n === 0 || c === 0 || target.shape[0] !== n) return null;
  const t = contiguousData(target) as Float64Array;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const k = t[i];
    if (k === ignore_index) continue;
    if (!(k >= 0 && k < c)) return null; // out of range: the composition raises PyTorch's error
    count++;
  }
  if (count === 0) return null; // mean of nothing is nan, sum 0: leave it to the composition
  const scale = reduction === "mean" ? 1 / count : 1;
  const needsGrad = anyRequiresGrad([input]);
  const logits = contiguousData(input);
  const losses = emptyTensor([n], input.dtype)._data;
  const grad = needsGrad ? emptyTensor([n, c], input.dtype)._data : null;
  if (nativeCrossEntropy(logits, t, n, c, losses, grad, { ignore_index, grad_scale: scale }) < 0) return null;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += losses[i];
  const out = emptyTensor([], input.dtype);
  out._data[0] = sum * scale;
  if (needsGrad) record(out, crossEntropyBackward, [input], [input], { grad: grad!, target, ignore_index, scale });
  return out;
}
