// F.conv1d / F.conv2d: im2col, then a linear map of every window by the flattened kernel; groups run separately.
import { cat } from "../../ops/indexing.js";
import { RuntimeError } from "../../errors.js";
import type { Tensor } from "../../tensor.js";
import { linear } from "./linear.js";
import { pair, unfold2d, windowOutSize, type Pair } from "./unfold.js";

export type ConvPadding = number | number[] | "valid" | "same";

function resolvePadding(padding: ConvPadding, kernel: Pair, dilation: Pair, stride: Pair): { before: Pair; total: Pair } {
  if (padding === "valid") return { before: [0, 0], total: [0, 0] };
  if (padding === "same") {
    if (stride[0] !== 1 || stride[1] !== 1) throw new Error("padding='same' is not supported for strided convolutions");
    const total: Pair = [dilation[0] * (kernel[0] - 1), dilation[1] * (kernel[1] - 1)];
    return { before: [Math.floor(total[0] / 2), Math.floor(total[1] / 2)], total };
  }
  const p = pair(padding, "padding");
  return { before: p, total: [2 * p[0], 2 * p[1]] };
}

export function conv2d(
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null = null,
  stride: number | number[] = 1,
  padding: ConvPadding = 0,
  dilation: number | number[] = 1,
  groups = 1,
): Tensor {
  const batched = input.ndim === 4;
  if (input.ndim !== 3 && input.ndim !== 4) {
    throw new Error(`Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [${input.shape.join(", ")}]`);
  }
  const x = batched ? input : input.unsqueeze(0);
  const [N, C, H, W] = x.shape;
  const [O, Cg, kh, kw] = weight.shape;
  if (Cg * groups !== C) {
    throw new Error(
      `Given groups=${groups}, weight of size [${weight.shape.join(", ")}], expected input[${x.shape.join(", ")}] to have ${Cg * groups} channels, but got ${C} channels instead`,
    );
  }
  const s = pair(stride, "stride");
  const d = pair(dilation, "dilation");
  const { before, total } = resolvePadding(padding, [kh, kw], d, s);
  const padH = H + total[0], padW = W + total[1];
  const effH = d[0] * (kh - 1) + 1, effW = d[1] * (kw - 1) + 1;
  if (padH < effH || padW < effW) {
    throw new RuntimeError(
      `Calculated padded input size per channel: (${padH} x ${padW}). Kernel size: (${effH} x ${effW}). Kernel size can't be greater than actual input size`,
    );
  }
  const Ho = Math.floor((H + total[0] - d[0] * (kh - 1) - 1) / s[0]) + 1;
  const Wo = Math.floor((W + total[1] - d[1] * (kw - 1) - 1) / s[1]) + 1;
  if (Ho <= 0 || Wo <= 0) throw new Error(`Calculated output size: (${O}x${Ho}x${Wo}). Output size is too small`);
  const Og = O / groups;
  const outs: Tensor[] = [];
  for (let g = 0; g < groups; g++) {
    const xg = groups === 1 ? x : x.narrow(1, g * Cg, Cg);
    const wg = groups === 1 ? weight : weight.narrow(0, g * Og, Og);
    const cols = unfold2d(xg, [kh, kw], s, before, d, [Ho, Wo]); // [N, Cg*kh*kw, L]
    const bg = bias ? (groups === 1 ? bias : bias.narrow(0, g * Og, Og)) : null;
    // [N, L, K] x [Og, K]^T + b -> [N, L, Og]
    outs.push(linear(cols.transpose(1, 2), wg.reshape(Og, Cg * kh * kw), bg));
  }
  const out = (groups === 1 ? outs[0] : cat(outs, 2)).transpose(1, 2).reshape(N, O, Ho, Wo);
  return batched ? out : out.squeeze(0);
}

export function conv1d(
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null = null,
  stride: number | number[] = 1,
  padding: number | number[] | "valid" | "same" = 0,
  dilation: number | number[] = 1,
  groups = 1,
): Tensor {
  if (input.ndim !== 2 && input.ndim !== 3) {
    throw new Error(`Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: [${input.shape.join(", ")}]`);
  }
  const one = (v: number | number[]) => (typeof v === "number" ? v : v[0]);
  if (typeof padding !== "string") {
    const padded = input.shape[input.ndim - 1] + 2 * one(padding);
    const eff = one(dilation) * (weight.shape[weight.ndim - 1] - 1) + 1;
    if (padded < eff) {
      throw new RuntimeError(
        `Calculated padded input size per channel: (${padded}). Kernel size: (${eff}). Kernel size can't be greater than actual input size`,
      );
    }
  }
  const pad: ConvPadding = typeof padding === "string" ? padding : [0, one(padding)];
  const out = conv2d(input.unsqueeze(-2), weight.unsqueeze(-2), bias, [1, one(stride)], pad, [1, one(dilation)], groups);
  return out.squeeze(-2);
}

export { windowOutSize };
