// Activation functions of torch.nn.functional. The engine's ops do the work; these add PyTorch's
// functional signatures (inplace flags, dim arguments).
import type { Tensor } from "../../tensor.js";
import type { DType } from "../../dtype.js";
import * as A from "../../ops/activation.js";

export function relu(input: Tensor, inplace = false): Tensor {
  return inplace ? input.relu_() : input.relu();
}

export function leaky_relu(input: Tensor, negative_slope = 0.01, inplace = false): Tensor {
  const out = A.leaky_relu(input, negative_slope);
  return inplace ? input.copy_(out) : out;
}

export function gelu(input: Tensor, opts: { approximate?: "none" | "tanh" } = {}): Tensor {
  return A.gelu(input, { approximate: opts.approximate ?? "none" });
}

export function silu(input: Tensor, inplace = false): Tensor {
  const out = A.silu(input);
  return inplace ? input.copy_(out) : out;
}

export function sigmoid(input: Tensor): Tensor {
  return input.sigmoid();
}

export function tanh(input: Tensor): Tensor {
  return input.tanh();
}

/** PyTorch's implicit dim choice when dim is omitted (legacy behaviour, with the same rule). */
function implicitDim(ndim: number): number {
  return ndim === 0 || ndim === 1 || ndim === 3 ? 0 : 1;
}

export function softmax(input: Tensor, dim?: number | null, opts: { dtype?: DType } = {}): Tensor {
  return input.softmax(dim ?? implicitDim(input.ndim), opts);
}

export function log_softmax(input: Tensor, dim?: number | null, opts: { dtype?: DType } = {}): Tensor {
  return input.log_softmax(dim ?? implicitDim(input.ndim), opts);
}

export function dropout(input: Tensor, p = 0.5, training = true, inplace = false): Tensor {
  if (p < 0 || p > 1) throw new Error(`dropout probability has to be between 0 and 1, but got ${p}`);
  const out = A.dropout(input, p, training);
  return inplace && training ? input.copy_(out) : out;
}
