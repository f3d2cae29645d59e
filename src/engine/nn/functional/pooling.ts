// Pooling over sliding windows: the windows come from unfold2d as [N, C, k, L]; max or mean reduces k.
import type { Tensor } from "../../tensor.js";
import { stack } from "../../ops/indexing.js";
import { fromData } from "../../ops/common.js";
import { float64 } from "../../dtype.js";
import { pair, unfold2d, windowOutSize } from "./unfold.js";

function asBatch(input: Tensor, fn: string): [Tensor, boolean] {
  if (input.ndim === 4) return [input, true];
  if (input.ndim === 3) return [input.unsqueeze(0), false];
  throw new Error(`${fn}: Expected 3D or 4D (batch mode) tensor for input, got ${input.ndim}-D`);
}

function windows(
  input: Tensor, kernel_size: number | number[], stride: number | number[] | null | undefined,
  padding: number | number[], dilation: number | number[], ceil_mode: boolean, padValue: number, fn: string,
): { cols: Tensor; N: number; C: number; Ho: number; Wo: number; batched: boolean; k: [number, number]; p: [number, number]; s: [number, number] } {
  const [x, batched] = asBatch(input, fn);
  const [N, C, H, W] = x.shape;
  const k = pair(kernel_size, "kernel_size");
  const s = stride === null || stride === undefined || (Array.isArray(stride) && stride.length === 0) ? k : pair(stride, "stride");
  const p = pair(padding, "padding");
  const d = pair(dilation, "dilation");
  if (p[0] > k[0] / 2 || p[1] > k[1] / 2) throw new Error("pad should be at most half of effective kernel size");
  const Ho = windowOutSize(H, k[0], s[0], p[0], d[0], ceil_mode);
  const Wo = windowOutSize(W, k[1], s[1], p[1], d[1], ceil_mode);
  if (Ho <= 0 || Wo <= 0) throw new Error(`Given input size: (${C}x${H}x${W}). Calculated output size: (${C}x${Ho}x${Wo}). Output size is too small`);
  const cols = unfold2d(x, k, s, p, d, [Ho, Wo], padValue).view(N, C, k[0] * k[1], Ho * Wo);
  return { cols, N, C, Ho, Wo, batched, k, p, s };
}

export function max_pool2d(
  input: Tensor, kernel_size: number | number[], stride?: number | number[] | null, padding: number | number[] = 0,
  dilation: number | number[] = 1, ceil_mode = false, return_indices = false,
): Tensor {
  if (return_indices) throw new Error("max_pool2d: return_indices is not supported");
  const w = windows(input, kernel_size, stride, padding, dilation, ceil_mode, -Infinity, "max_pool2d");
  const out = w.cols.amax(2).view(w.N, w.C, w.Ho, w.Wo);
  return w.batched ? out : out.squeeze(0);
}

export function avg_pool2d(
  input: Tensor, kernel_size: number | number[], stride?: number | number[] | null, padding: number | number[] = 0,
  ceil_mode = false, count_include_pad = true, divisor_override: number | null = null,
): Tensor {
  const w = windows(input, kernel_size, stride, padding, 1, ceil_mode, 0, "avg_pool2d");
  const sum = w.cols.sum(2);
  let out: Tensor;
  if (divisor_override !== null) {
    out = sum.div(divisor_override);
  } else if (count_include_pad && !ceil_mode) {
    out = sum.div(w.k[0] * w.k[1]);
  } else {
    // Count, per window, the cells that lie inside the (padded, when count_include_pad) input.
    const [x] = asBatch(input, "avg_pool2d");
    const [H, W] = [x.shape[2], x.shape[3]];
    const counts: number[] = [];
    for (let oy = 0; oy < w.Ho; oy++) {
      for (let ox = 0; ox < w.Wo; ox++) {
        let hs = oy * w.s[0] - w.p[0], ws = ox * w.s[1] - w.p[1];
        let he = Math.min(hs + w.k[0], H + w.p[0]), we = Math.min(ws + w.k[1], W + w.p[1]);
        if (!count_include_pad) {
          hs = Math.max(hs, 0); ws = Math.max(ws, 0); he = Math.min(he, H); we = Math.min(we, W);
        }
        counts.push((he - hs) * (we - ws));
      }
    }
    const divisor = fromData(Float64Array.from(counts), [counts.length], float64).to(sum.dtype);
    out = sum.div(divisor);
  }
  out = out.view(w.N, w.C, w.Ho, w.Wo);
  return w.batched ? out : out.squeeze(0);
}

export function adaptive_avg_pool2d(input: Tensor, output_size: number | (number | null)[]): Tensor {
  const [x, batched] = asBatch(input, "adaptive_avg_pool2d");
  const [N, C, H, W] = x.shape;
  const req = typeof output_size === "number" ? [output_size, output_size] : output_size;
  const oh = req[0] ?? H;
  const ow = req[1] ?? W;
  let out: Tensor;
  if (H % oh === 0 && W % ow === 0) {
    // Equal, non-overlapping bins: a reshape and a mean.
    out = x.reshape(N, C, oh, H / oh, ow, W / ow).mean([3, 5]);
  } else {
    const rows: Tensor[] = [];
    for (let i = 0; i < oh; i++) {
      const h0 = Math.floor((i * H) / oh), h1 = Math.ceil(((i + 1) * H) / oh);
      const cols: Tensor[] = [];
      for (let j = 0; j < ow; j++) {
        const w0 = Math.floor((j * W) / ow), w1 = Math.ceil(((j + 1) * W) / ow);
        cols.push(x.narrow(2, h0, h1 - h0).narrow(3, w0, w1 - w0).mean([2, 3]));
      }
      rows.push(stack(cols, 2));
    }
    out = stack(rows, 2);
  }
  return batched ? out : out.squeeze(0);
}

