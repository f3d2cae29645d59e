// F.batch_norm and F.layer_norm, composed from engine ops (autograd derives their gradients).
import type { Tensor } from "../../tensor.js";
import { no_grad } from "../../grad_mode.js";
import { ValueError } from "../../errors.js";

/** Shape that broadcasts a per-channel [C] vector against an [N, C, ...] input. */
function channelShape(input: Tensor): number[] {
  return input.shape.map((d, i) => (i === 1 ? d : 1));
}

export function batch_norm(
  input: Tensor,
  running_mean: Tensor | null,
  running_var: Tensor | null,
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  training = false,
  momentum = 0.1,
  eps = 1e-5,
): Tensor {
  if (input.ndim < 2) throw new ValueError(`expected 2D or more input (got ${input.ndim}D input)`);
  const shape = channelShape(input);
  const dims = input.shape.map((_, i) => i).filter((i) => i !== 1);
  let mean: Tensor;
  let variance: Tensor;
  if (training) {
    const n = input.numel() / input.shape[1];
    if (n <= 1) {
      throw new ValueError(`Expected more than 1 value per channel when training, got input size torch.Size([${input.shape.join(", ")}])`);
    }
    mean = input.mean(dims, { keepdim: true });
    variance = input.sub(mean).square().mean(dims, { keepdim: true });
    if (running_mean !== null && running_var !== null) {
      no_grad(() => {
        running_mean.mul_(1 - momentum).add_(mean.reshape(-1), { alpha: momentum });
        running_var.mul_(1 - momentum).add_(variance.reshape(-1).mul(n / (n - 1)), { alpha: momentum });
      });
    }
  } else {
    if (running_mean === null || running_var === null) throw new ValueError("running_mean and running_var must be defined in evaluation mode");
    mean = running_mean.view(shape);
    variance = running_var.view(shape);
  }
  let out = input.sub(mean).mul(variance.add(eps).rsqrt());
  if (weight) out = out.mul(weight.view(shape));
  if (bias) out = out.add(bias.view(shape));
  return out;
}

export function layer_norm(
  input: Tensor,
  normalized_shape: number[],
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  eps = 1e-5,
): Tensor {
  const k = normalized_shape.length;
  const tail = input.shape.slice(input.ndim - k);
  if (k > input.ndim || tail.some((d, i) => d !== normalized_shape[i])) {
    throw new Error(
      `Given normalized_shape=[${normalized_shape.join(", ")}], expected input with shape [*, ${normalized_shape.join(", ")}], but got input of size[${input.shape.join(", ")}]`,
    );
  }
  const dims = normalized_shape.map((_, i) => input.ndim - k + i);
  const mean = input.mean(dims, { keepdim: true });
  const variance = input.sub(mean).square().mean(dims, { keepdim: true });
  let out = input.sub(mean).mul(variance.add(eps).rsqrt());
  if (weight) out = out.mul(weight);
  if (bias) out = out.add(bias);
  return out;
}
