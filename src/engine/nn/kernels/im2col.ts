// Kernels nn adds (registered in nn's kernel table, kernels/registry.ts):
// im2col gathers every sliding window of a batch of images into columns, col2im scatters columns back,
// adding overlaps. Convolutions are a matmul over these columns; pooling reduces over them.
// Both see raw memory only, so a native backend can provide them under the same names.
import type { TypedArray } from "../../dtype.js";
import { registerNnKernel } from "./registry.js";

/** Geometry of a 2-D sliding window over [N, C, H, W]. Padding before the data; Ho/Wo fix the far side. */
export interface WindowGeometry {
  N: number; C: number; H: number; W: number;
  kh: number; kw: number;
  sh: number; sw: number;
  ph: number; pw: number;
  dh: number; dw: number;
  Ho: number; Wo: number;
}

/** out: contiguous [N, C*kh*kw, Ho*Wo]; x: contiguous [N, C, H, W]; positions outside x read padValue. */
export type Im2colKernel = (out: TypedArray, x: TypedArray, g: WindowGeometry, padValue: number) => void;
/** out: contiguous [N, C, H, W], accumulated into; cols: contiguous [N, C*kh*kw, Ho*Wo]. Padding is dropped. */
export type Col2imKernel = (out: TypedArray, cols: TypedArray, g: WindowGeometry) => void;


const im2col: Im2colKernel = (out, x, g, padValue) => {
  const { N, C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, Ho, Wo } = g;
  let o = 0;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const plane = (n * C + c) * H * W;
      for (let ki = 0; ki < kh; ki++) {
        for (let kj = 0; kj < kw; kj++) {
          for (let oy = 0; oy < Ho; oy++) {
            const y = oy * sh - ph + ki * dh;
            const rowOk = y >= 0 && y < H;
            const row = plane + y * W;
            for (let ox = 0; ox < Wo; ox++) {
              const xx = ox * sw - pw + kj * dw;
              out[o++] = rowOk && xx >= 0 && xx < W ? x[row + xx] : padValue;
            }
          }
        }
      }
    }
  }
};

const col2im: Col2imKernel = (out, cols, g) => {
  const { N, C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, Ho, Wo } = g;
  let o = 0;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const plane = (n * C + c) * H * W;
      for (let ki = 0; ki < kh; ki++) {
        for (let kj = 0; kj < kw; kj++) {
          for (let oy = 0; oy < Ho; oy++) {
            const y = oy * sh - ph + ki * dh;
            if (y < 0 || y >= H) {
              o += Wo;
              continue;
            }
            const row = plane + y * W;
            for (let ox = 0; ox < Wo; ox++, o++) {
              const xx = ox * sw - pw + kj * dw;
              if (xx >= 0 && xx < W) out[row + xx] += cols[o];
            }
          }
        }
      }
    }
  }
};

registerNnKernel("im2col", "ts", im2col);
registerNnKernel("col2im", "ts", col2im);
