// torch.nn.init: in-place initialisers (run under no_grad), with PyTorch's fan and gain rules.
import type { Tensor } from "../tensor.js";
import { no_grad } from "../grad_mode.js";
import { ValueError } from "../errors.js";
import { emptyTensor, fromData } from "../ops/common.js";
import { float64 } from "../dtype.js";

export type Nonlinearity =
  | "linear" | "conv1d" | "conv2d" | "conv3d" | "conv_transpose1d" | "conv_transpose2d" | "conv_transpose3d"
  | "sigmoid" | "tanh" | "relu" | "leaky_relu" | "selu";

export function calculate_gain(nonlinearity: Nonlinearity | string, param?: number | null): number {
  const linearFns = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"];
  if (linearFns.includes(nonlinearity) || nonlinearity === "sigmoid") return 1;
  if (nonlinearity === "tanh") return 5.0 / 3;
  if (nonlinearity === "relu") return Math.sqrt(2.0);
  if (nonlinearity === "leaky_relu") {
    let slope = 0.01;
    if (param !== undefined && param !== null) {
      if (typeof param !== "number" || Number.isNaN(param)) throw new ValueError(`negative_slope ${param} not a valid number`);
      slope = param;
    }
    return Math.sqrt(2.0 / (1 + slope ** 2));
  }
  if (nonlinearity === "selu") return 3.0 / 4;
  throw new ValueError(`Unsupported nonlinearity ${nonlinearity}`);
}

export function _calculate_fan_in_and_fan_out(tensor: Tensor): [number, number] {
  if (tensor.ndim < 2) throw new ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
  const receptive = tensor.shape.slice(2).reduce((a, b) => a * b, 1);
  return [tensor.shape[1] * receptive, tensor.shape[0] * receptive];
}

function correctFan(tensor: Tensor, mode: string): number {
  const m = mode.toLowerCase();
  if (m !== "fan_in" && m !== "fan_out") throw new ValueError(`Mode ${mode} not supported, please use one of fan_in, fan_out`);
  const [fanIn, fanOut] = _calculate_fan_in_and_fan_out(tensor);
  return m === "fan_in" ? fanIn : fanOut;
}

export function uniform_(tensor: Tensor, a = 0.0, b = 1.0): Tensor {
  return no_grad(() => tensor.uniform_(a, b));
}

export function normal_(tensor: Tensor, mean = 0.0, std = 1.0): Tensor {
  return no_grad(() => tensor.normal_(mean, std));
}

export function constant_(tensor: Tensor, val: number): Tensor {
  return no_grad(() => tensor.fill_(val));
}

export function ones_(tensor: Tensor): Tensor {
  return constant_(tensor, 1);
}

export function zeros_(tensor: Tensor): Tensor {
  return no_grad(() => tensor.zero_());
}

export function eye_(tensor: Tensor): Tensor {
  if (tensor.ndim !== 2) throw new ValueError("Only tensors with 2 dimensions are supported");
  return no_grad(() => {
    tensor.zero_();
    const n = Math.min(tensor.shape[0], tensor.shape[1]);
    for (let i = 0; i < n; i++) tensor.select(0, i).select(0, i).fill_(1);
    return tensor;
  });
}

export function xavier_uniform_(tensor: Tensor, gain = 1.0): Tensor {
  const [fanIn, fanOut] = _calculate_fan_in_and_fan_out(tensor);
  const std = gain * Math.sqrt(2.0 / (fanIn + fanOut));
  const a = Math.sqrt(3.0) * std;
  return uniform_(tensor, -a, a);
}

export function xavier_normal_(tensor: Tensor, gain = 1.0): Tensor {
  const [fanIn, fanOut] = _calculate_fan_in_and_fan_out(tensor);
  return normal_(tensor, 0, gain * Math.sqrt(2.0 / (fanIn + fanOut)));
}

export interface KaimingOptions {
  a?: number;
  mode?: "fan_in" | "fan_out";
  nonlinearity?: Nonlinearity;
}

export function kaiming_uniform_(tensor: Tensor, opts: KaimingOptions = {}): Tensor {
  if (tensor.shape.includes(0)) {
    console.warn("Initializing zero-element tensors is a no-op");
    return tensor;
  }
  const fan = correctFan(tensor, opts.mode ?? "fan_in");
  const gain = calculate_gain(opts.nonlinearity ?? "leaky_relu", opts.a ?? 0);
  const bound = Math.sqrt(3.0) * (gain / Math.sqrt(fan));
  return uniform_(tensor, -bound, bound);
}

export function kaiming_normal_(tensor: Tensor, opts: KaimingOptions = {}): Tensor {
  if (tensor.shape.includes(0)) {
    console.warn("Initializing zero-element tensors is a no-op");
    return tensor;
  }
  const fan = correctFan(tensor, opts.mode ?? "fan_in");
  const gain = calculate_gain(opts.nonlinearity ?? "leaky_relu", opts.a ?? 0);
  return normal_(tensor, 0, gain / Math.sqrt(fan));
}

/** Normal(mean, std) truncated to [a, b], by redrawing out-of-range values (same distribution as PyTorch's). */
export function trunc_normal_(tensor: Tensor, mean = 0.0, std = 1.0, a = -2.0, b = 2.0): Tensor {
  return no_grad(() => {
    tensor.normal_(mean, std);
    for (let round = 0; round < 100; round++) {
      const outside = tensor.lt(a).logical_or(tensor.gt(b));
      if (!outside.any().item()) break;
      const fresh = tensor.clone().normal_(mean, std);
      tensor.copy_(tensor.where(outside.logical_not(), fresh));
    }
    return tensor.clamp_(a, b);
  });
}

/**
 * A (semi-)orthogonal matrix from the QR decomposition of a standard normal one, as PyTorch's
 * orthogonal_ (its sign correction makes R's diagonal positive, which is what Gram-Schmidt gives).
 */
export function orthogonal_(tensor: Tensor, gain = 1): Tensor {
  if (tensor.ndim < 2) throw new ValueError("Only tensors with 2 or more dimensions are supported");
  if (tensor.numel() === 0) return tensor;
  const rows = tensor.shape[0];
  const cols = tensor.numel() / rows;
  return no_grad(() => {
    const normal = emptyTensor([rows, cols], float64).normal_(0, 1);
    const a = normal.tolist() as number[][];
    // Orthonormalise the columns of the taller orientation (m >= n) by modified Gram-Schmidt.
    const tall = rows >= cols;
    const m = tall ? rows : cols, n = tall ? cols : rows;
    const cols_: number[][] = [];
    for (let j = 0; j < n; j++) cols_.push(Array.from({ length: m }, (_, i) => (tall ? a[i][j] : a[j][i])));
    for (let j = 0; j < n; j++) {
      const v = cols_[j];
      for (let k = 0; k < j; k++) {
        const q = cols_[k];
        let dot = 0;
        for (let i = 0; i < m; i++) dot += q[i] * v[i];
        for (let i = 0; i < m; i++) v[i] -= dot * q[i];
      }
      const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
      for (let i = 0; i < m; i++) v[i] /= norm;
    }
    const out = new Float64Array(rows * cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = gain * (tall ? cols_[c][r] : cols_[r][c]);
    tensor.copy_(fromData(out, [...tensor.shape], float64));
    return tensor;
  });
}

/** The Dirac delta for convolution weights [out, in, ...]: preserves the identity of the inputs' channels. */
export function dirac_(tensor: Tensor, groups = 1): Tensor {
  const dims = tensor.ndim;
  if (dims < 3 || dims > 5) throw new ValueError("Only tensors with 3, 4, or 5 dimensions are supported");
  const sizes = tensor.shape;
  if (sizes[0] % groups !== 0) throw new ValueError("dim 0 must be divisible by groups");
  const outPerGroup = sizes[0] / groups;
  const minDim = Math.min(outPerGroup, sizes[1]);
  return no_grad(() => {
    tensor.zero_();
    for (let g = 0; g < groups; g++) {
      for (let d = 0; d < minDim; d++) {
        let view = tensor.select(0, g * outPerGroup + d).select(0, d);
        for (let k = 2; k < dims; k++) view = view.select(0, Math.floor(sizes[k] / 2));
        view.fill_(1);
      }
    }
    return tensor;
  });
}
