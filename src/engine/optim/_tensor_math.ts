// Tensor helpers the update rules share. State tensors are fresh, contiguous and outside autograd.
import type { Tensor } from "../tensor.js";
import { emptyTensor, zerosTensor } from "../ops/common.js";

/** A zero-filled tensor with p's shape and dtype (torch.zeros_like, memory_format=preserve on a dense p). */
export function zeros_like(p: Tensor): Tensor {
  return zerosTensor([...p.shape], p.dtype);
}

export function full_like(p: Tensor, value: number): Tensor {
  return emptyTensor([...p.shape], p.dtype).fill_(value);
}
