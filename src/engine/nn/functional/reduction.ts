// The `reduction` argument every loss takes.
import type { Tensor } from "../../tensor.js";
import { ValueError } from "../../errors.js";

export type Reduction = "none" | "mean" | "sum";

export function reduce(loss: Tensor, reduction: string): Tensor {
  switch (reduction) {
    case "none":
      return loss;
    case "mean":
      return loss.mean();
    case "sum":
      return loss.sum();
    default:
      throw new ValueError(`${reduction} is not a valid value for reduction`);
  }
}
