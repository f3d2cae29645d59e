// F.linear: y = x W^T + b. The transposed weight is a strided view, so matmul reads it without a copy.
import type { Tensor } from "../../tensor.js";

export function linear(input: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const out = input.matmul(weight.t());
  return bias ? out.add(bias) : out;
}
