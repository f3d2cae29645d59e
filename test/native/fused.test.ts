// The fused native kernels (cross-entropy, conv2d, pooling, optimizer steps) against plain TypeScript
// loops written from their definitions (PyTorch 1.13's formulas), in float64 and float32.
import { describe, expect, it } from "vitest";
import {
  adam_step, avg_pool2d_backward, col2im, im2col, type WindowGeometry, avg_pool2d_forward, conv2d_backward, conv2d_forward, conv2dOutputShape,
  cross_entropy, max_pool2d_backward, max_pool2d_forward, pool2dOutputShape, sgd_step, type Conv2dParams,
  type Pool2dParams,
} from "../../src/engine/backends/native/fused.js";
import { expectClose, type FloatCtor, randomArray, rng, skipNative } from "./support.js";

const FLOATS: FloatCtor[] = [Float64Array, Float32Array];
const tol = (C: FloatCtor, n = 1): [number, number] => (C === Float32Array ? [2e-6 * Math.sqrt(n), 1e-5] : [1e-12, 1e-11]);

function refConv(x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number> | null, p: Conv2dParams): Float64Array {
  const [N, C, H, W] = p.input;
  const [O, Cg, KH, KW] = p.weight;
  const [, , OH, OW] = conv2dOutputShape(p);
  const Og = O / p.groups;
  const out = new Float64Array(N * O * OH * OW);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++) {
      const g = Math.floor(o / Og);
      for (let oy = 0; oy < OH; oy++)
        for (let ox = 0; ox < OW; ox++) {
          let s = b ? b[o] : 0;
          for (let c = 0; c < Cg; c++)
            for (let i = 0; i < KH; i++)
              for (let j = 0; j < KW; j++) {
                const iy = oy * p.stride[0] - p.padding[0] + i * p.dilation[0];
                const ix = ox * p.stride[1] - p.padding[1] + j * p.dilation[1];
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                s += x[((n * C + g * Cg + c) * H + iy) * W + ix] * w[((o * Cg + c) * KH + i) * KW + j];
              }
          out[((n * O + o) * OH + oy) * OW + ox] = s;
        }
    }
  return out;
}

/** Gradients of sum(conv(x, w, b) * go) by the adjoint loops. */
function refConvGrads(x: ArrayLike<number>, w: ArrayLike<number>, go: ArrayLike<number>, p: Conv2dParams) {
  const [N, C, H, W] = p.input;
  const [O, Cg, KH, KW] = p.weight;
  const [, , OH, OW] = conv2dOutputShape(p);
  const Og = O / p.groups;
  const gx = new Float64Array(N * C * H * W), gw = new Float64Array(O * Cg * KH * KW), gb = new Float64Array(O);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++) {
      const g = Math.floor(o / Og);
      for (let oy = 0; oy < OH; oy++)
        for (let ox = 0; ox < OW; ox++) {
          const gv = go[((n * O + o) * OH + oy) * OW + ox];
          gb[o] += gv;
          for (let c = 0; c < Cg; c++)
            for (let i = 0; i < KH; i++)
              for (let j = 0; j < KW; j++) {
                const iy = oy * p.stride[0] - p.padding[0] + i * p.dilation[0];
                const ix = ox * p.stride[1] - p.padding[1] + j * p.dilation[1];
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                const xi = ((n * C + g * Cg + c) * H + iy) * W + ix, wi = ((o * Cg + c) * KH + i) * KW + j;
                gx[xi] += gv * w[wi];
                gw[wi] += gv * x[xi];
              }
        }
    }
  return { gx, gw, gb };
}

describe.skipIf(skipNative)("native fused kernels", () => {
  for (const C of FLOATS) {
    it(`cross_entropy forward and gradient, ${C.name}`, () => {
      const rand = rng(21);
      for (const [n, c, smoothing] of [[1, 1, 0], [5, 3, 0], [64, 10, 0], [7, 130, 0.1], [0, 4, 0]] as const) {
        const x = randomArray(C, n * c, rand, -4, 4);
        const t = Float64Array.from({ length: n }, (_, i) => (i === 2 ? -100 : Math.floor(rand() * c)));
        const loss = new C(n), grad = new C(n * c);
        const count = cross_entropy(x, t, n, c, loss, grad, { label_smoothing: smoothing, grad_scale: 0.5 });
        expect(count).toBe(n > 2 ? n - 1 : n);
        const eLoss = new Float64Array(n), eGrad = new Float64Array(n * c);
        for (let r = 0; r < n; r++) {
          if (t[r] === -100) continue;
          const row = Array.from(x.subarray(r * c, (r + 1) * c));
          const mx = Math.max(...row);
          const lse = mx + Math.log(row.reduce((s, v) => s + Math.exp(v - mx), 0));
          const logp = row.map((v) => v - lse);
          eLoss[r] = -(1 - smoothing) * logp[t[r]] - (smoothing / c) * logp.reduce((s, v) => s + v, 0);
          for (let j = 0; j < c; j++) eGrad[r * c + j] = 0.5 * (Math.exp(logp[j]) - smoothing / c - (j === t[r] ? 1 - smoothing : 0));
        }
        expectClose(loss, eLoss, ...tol(C, c), "loss");
        expectClose(grad, eGrad, ...tol(C), "grad");
      }
    });

    it(`cross_entropy rejects an out-of-range target, ${C.name}`, () => {
      expect(() => cross_entropy(new C(6), Float64Array.from([0, 3]), 2, 3, new C(2), null)).toThrow(/target out of range/);
    });

    it(`conv2d forward and backward, ${C.name}`, () => {
      const rand = rng(22);
      const cases: Conv2dParams[] = [
        { input: [2, 3, 7, 6], weight: [4, 3, 3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1 },
        { input: [1, 4, 9, 8], weight: [6, 2, 3, 2], stride: [2, 1], padding: [0, 1], dilation: [1, 2], groups: 2 },
        { input: [3, 5, 4, 4], weight: [7, 5, 1, 1], stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 },
        { input: [2, 1, 28, 28], weight: [8, 1, 5, 5], stride: [1, 1], padding: [2, 2], dilation: [1, 1], groups: 1 },
        { input: [1, 2, 5, 5], weight: [3, 2, 5, 5], stride: [3, 3], padding: [2, 2], dilation: [1, 1], groups: 1 },
      ];
      for (const p of cases) {
        const x = randomArray(C, p.input.reduce((a, b) => a * b), rand);
        const w = randomArray(C, p.weight.reduce((a, b) => a * b), rand);
        const b = randomArray(C, p.weight[0], rand);
        const oshape = conv2dOutputShape(p);
        const out = new C(oshape.reduce((a, v) => a * v));
        expect(conv2d_forward(out, x, w, b, p)).toBe(true);
        const k = p.weight[1] * p.weight[2] * p.weight[3];
        expectClose(out, refConv(x, w, b, p), ...tol(C, k), `conv ${p.input} ${p.weight}`);
        const go = randomArray(C, out.length, rand);
        const gx = new C(x.length).fill(7), gw = new C(w.length).fill(7), gb = new C(b.length).fill(7);
        expect(conv2d_backward(gx, gw, gb, go, x, w, p)).toBe(true);
        const e = refConvGrads(x, w, go, p);
        expectClose(gx, e.gx, ...tol(C, k), "grad x");
        expectClose(gw, e.gw, ...tol(C, oshape[0] * oshape[2] * oshape[3]), "grad w");
        expectClose(gb, e.gb, ...tol(C, oshape[0] * oshape[2] * oshape[3]), "grad b");
      }
    });

    it(`im2col with a pad value and col2im (its adjoint), batched, ${C.name}`, () => {
      const rand = rng(26);
      const geoms: WindowGeometry[] = [
        { N: 2, C: 3, H: 5, W: 6, kh: 3, kw: 2, sh: 1, sw: 2, ph: 1, pw: 1, dh: 1, dw: 1, Ho: 5, Wo: 4 },
        { N: 3, C: 1, H: 7, W: 7, kh: 3, kw: 3, sh: 2, sw: 2, ph: 0, pw: 0, dh: 2, dw: 1, Ho: 2, Wo: 3 },
        { N: 0, C: 2, H: 4, W: 4, kh: 2, kw: 2, sh: 2, sw: 2, ph: 0, pw: 0, dh: 1, dw: 1, Ho: 2, Wo: 2 },
      ];
      for (const g of geoms) {
        const x = randomArray(C, g.N * g.C * g.H * g.W, rand);
        const rows = g.C * g.kh * g.kw, cols = g.Ho * g.Wo;
        const out = new C(g.N * rows * cols);
        expect(im2col(out, x, g, -Infinity)).toBe(true);
        const e = new Float64Array(out.length);
        const back = new C(x.length).fill(0.5), eBack = new Float64Array(x.length).fill(0.5);
        const colsIn = randomArray(C, out.length, rand);
        for (let n = 0; n < g.N; n++)
          for (let c = 0; c < g.C; c++)
            for (let i = 0; i < g.kh; i++)
              for (let j = 0; j < g.kw; j++)
                for (let oy = 0; oy < g.Ho; oy++)
                  for (let ox = 0; ox < g.Wo; ox++) {
                    const o = ((n * rows + (c * g.kh + i) * g.kw + j) * g.Ho + oy) * g.Wo + ox;
                    const y = oy * g.sh - g.ph + i * g.dh, xx = ox * g.sw - g.pw + j * g.dw;
                    const inside = y >= 0 && y < g.H && xx >= 0 && xx < g.W;
                    const xi = ((n * g.C + c) * g.H + y) * g.W + xx;
                    e[o] = inside ? x[xi] : -Infinity;
                    if (inside) eBack[xi] += colsIn[o];
                  }
        expectClose(out, e, 0, 0, "im2col");
        expect(col2im(back, colsIn, g)).toBe(true);
        expectClose(back, eBack, ...tol(C, 9), "col2im");
      }
    });

    it(`max_pool2d and avg_pool2d forward and backward, ${C.name}`, () => {
      const rand = rng(23);
      const cases: Pool2dParams[] = [
        { input: [2, 3, 8, 8], kernel: [2, 2], stride: [2, 2], padding: [0, 0], ceil_mode: false, count_include_pad: true },
        { input: [1, 2, 7, 9], kernel: [3, 3], stride: [2, 2], padding: [1, 1], ceil_mode: false, count_include_pad: true },
        { input: [1, 2, 7, 9], kernel: [3, 2], stride: [2, 3], padding: [1, 1], ceil_mode: true, count_include_pad: false },
        { input: [2, 1, 5, 5], kernel: [2, 2], stride: [2, 2], padding: [0, 0], ceil_mode: true, count_include_pad: true },
      ];
      for (const p of cases) {
        const [N, Ch, H, W] = p.input;
        const [, , OH, OW] = pool2dOutputShape(p);
        const x = randomArray(C, N * Ch * H * W, rand);
        const out = new C(N * Ch * OH * OW), idx = new Float64Array(out.length);
        const avg = new C(out.length);
        expect(max_pool2d_forward(out, idx, x, p)).toBe(true);
        expect(avg_pool2d_forward(avg, x, p)).toBe(true);
        const eMax = new Float64Array(out.length), eIdx = new Float64Array(out.length), eAvg = new Float64Array(out.length);
        const go = randomArray(C, out.length, rand);
        const eGmax = new Float64Array(x.length), eGavg = new Float64Array(x.length);
        for (let pl = 0; pl < N * Ch; pl++)
          for (let oy = 0; oy < OH; oy++)
            for (let ox = 0; ox < OW; ox++) {
              const o = (pl * OH + oy) * OW + ox;
              const y0 = oy * p.stride[0] - p.padding[0], x0 = ox * p.stride[1] - p.padding[1];
              const y1 = Math.min(y0 + p.kernel[0], H + p.padding[0]), x1 = Math.min(x0 + p.kernel[1], W + p.padding[1]);
              const padded = (y1 - y0) * (x1 - x0);
              let best = -Infinity, bi = -1, sum = 0, cnt = 0;
              for (let iy = Math.max(0, y0); iy < Math.min(y1, H); iy++)
                for (let ix = Math.max(0, x0); ix < Math.min(x1, W); ix++) {
                  const v = x[pl * H * W + iy * W + ix];
                  if (bi < 0 || v > best) [best, bi] = [v, iy * W + ix];
                  sum += v;
                  cnt++;
                }
              const div = p.count_include_pad ? padded : cnt;
              eMax[o] = best;
              eIdx[o] = bi;
              eAvg[o] = sum / div;
              eGmax[pl * H * W + bi] += go[o];
              for (let iy = Math.max(0, y0); iy < Math.min(y1, H); iy++)
                for (let ix = Math.max(0, x0); ix < Math.min(x1, W); ix++) eGavg[pl * H * W + iy * W + ix] += go[o] / div;
            }
        expectClose(out, eMax, 0, 0, "max");
        expectClose(idx, eIdx, 0, 0, "indices");
        expectClose(avg, eAvg, ...tol(C, 9), "avg");
        const gmax = new C(x.length).fill(3), gavg = new C(x.length).fill(3);
        expect(max_pool2d_backward(gmax, go, idx, p)).toBe(true);
        expect(avg_pool2d_backward(gavg, go, p)).toBe(true);
        expectClose(gmax, eGmax, ...tol(C, 4), "max grad");
        expectClose(gavg, eGavg, ...tol(C, 4), "avg grad");
      }
    });

    it(`SGD (momentum, dampening, nesterov, weight decay, maximize), ${C.name}`, () => {
      const rand = rng(24);
      const n = 40000; // large enough to run on several threads
      for (const o of [
        { lr: 0.1, momentum: 0, dampening: 0, weight_decay: 0, nesterov: false, maximize: false },
        { lr: 0.05, momentum: 0.9, dampening: 0, weight_decay: 1e-2, nesterov: false, maximize: false },
        { lr: 0.05, momentum: 0.9, dampening: 0, weight_decay: 0, nesterov: true, maximize: true },
        { lr: 0.01, momentum: 0.5, dampening: 0.3, weight_decay: 0, nesterov: false, maximize: false },
      ]) {
        const p = randomArray(C, n, rand), buf = new C(n);
        const ep = Float64Array.from(p), ebuf = new Float64Array(n);
        for (let step = 0; step < 3; step++) {
          const g = randomArray(C, n, rand);
          expect(sgd_step(p, g, o.momentum ? buf : null, o, step === 0)).toBe(true);
          for (let i = 0; i < n; i++) {
            let d = o.maximize ? -g[i] : g[i];
            if (o.weight_decay) d += o.weight_decay * ep[i];
            if (o.momentum) {
              ebuf[i] = step === 0 ? d : o.momentum * ebuf[i] + (1 - o.dampening) * d;
              d = o.nesterov ? d + o.momentum * ebuf[i] : ebuf[i];
            }
            ep[i] -= o.lr * d;
          }
        }
        expectClose(p, ep, ...tol(C, 10), `sgd ${JSON.stringify(o)}`);
      }
    });

    it(`Adam and AdamW (amsgrad, weight decay, maximize), ${C.name}`, () => {
      const rand = rng(25);
      const n = 40000;
      for (const [o, decoupled] of [
        [{ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false, maximize: false }, false],
        [{ lr: 1e-2, betas: [0.8, 0.99], eps: 1e-6, weight_decay: 0.1, amsgrad: true, maximize: false }, false],
        [{ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 1e-2, amsgrad: false, maximize: true }, true],
        [{ lr: 5e-3, betas: [0.9, 0.95], eps: 1e-8, weight_decay: 0.05, amsgrad: true, maximize: false }, true],
      ] as const) {
        const opts = { ...o, betas: [o.betas[0], o.betas[1]] as [number, number] };
        const p = randomArray(C, n, rand), m = new C(n), v = new C(n), vmax = new C(n);
        const ep = Float64Array.from(p), em = new Float64Array(n), ev = new Float64Array(n), evmax = new Float64Array(n);
        for (let step = 1; step <= 3; step++) {
          const g = randomArray(C, n, rand);
          expect(adam_step(p, g, m, v, o.amsgrad ? vmax : null, step, opts, decoupled)).toBe(true);
          const [b1, b2] = o.betas;
          const bc1 = 1 - b1 ** step, bc2 = 1 - b2 ** step;
          for (let i = 0; i < n; i++) {
            let gi = o.maximize ? -g[i] : g[i];
            if (o.weight_decay) {
              if (decoupled) ep[i] *= 1 - o.lr * o.weight_decay;
              else gi += o.weight_decay * ep[i];
            }
            em[i] = em[i] * b1 + (1 - b1) * gi;
            ev[i] = ev[i] * b2 + (1 - b2) * gi * gi;
            let src = ev[i];
            if (o.amsgrad) src = evmax[i] = Math.max(evmax[i], ev[i]);
            ep[i] -= (o.lr / bc1) * (em[i] / (Math.sqrt(src) / Math.sqrt(bc2) + o.eps));
          }
        }
        expectClose(p, ep, ...(C === Float32Array ? [1e-6, 1e-5] as [number, number] : [1e-12, 1e-11] as [number, number]), `adam ${decoupled}`);
      }
    });
  }
});
