// Every kernel of the native backend against the TypeScript reference backend, on random shapes with
// odd sizes, size-1 and empty dims, broadcast (stride 0), transposed, sliced and offset views. The
// native table is built over a "reference" that records fallbacks, so a test also fails if the addon
// silently declined a float32/float64 case it claims to handle.
import { beforeAll, describe, expect, it } from "vitest";
import { getKernel } from "../../src/engine/backend/dispatcher.js";
import type { BinaryOp, KernelSet, UnaryOp } from "../../src/engine/backend/kernels.js";
import "../../src/engine/backends/ts/index.js";
import { createNativeKernels, type NativeKernelTable } from "../../src/engine/backends/native/kernels.js";
import { expectClose, type FloatCtor, native, randomArray, rng, skipNative } from "./support.js";

type Arr = Float32Array | Float64Array | Int32Array | Uint8Array;
const NAMES = ["unary", "binary", "where", "reduce", "arg_reduce", "matmul", "copy", "fill", "softmax", "softmax_backward"] as const;

let ref: NativeKernelTable;
let nat: NativeKernelTable;
const fallbacks: string[] = [];

beforeAll(() => {
  if (skipNative) return;
  const table: Record<string, unknown> = {};
  const spy: Record<string, unknown> = {};
  for (const name of NAMES) {
    const k = getKernel(name, "ts") as (...args: unknown[]) => void;
    table[name] = k;
    spy[name] = (...args: unknown[]) => {
      fallbacks.push(`${name}:${typeof args[0] === "string" ? args[0] : ""}`);
      k(...args);
    };
  }
  ref = table as unknown as NativeKernelTable;
  const { addon, meta } = native();
  nat = createNativeKernels(addon, meta, spy as unknown as NativeKernelTable, 0);
});

/** Runs fn and returns the fallbacks it caused. */
function track(fn: () => void): string[] {
  fallbacks.length = 0;
  fn();
  return [...fallbacks];
}

interface View { data: Arr; strides: number[]; offset: number }

const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = acc;
    acc *= shape[d];
  }
  return s;
}

type Layout = "contiguous" | "transposed" | "strided" | "broadcast";
/** A random view of `shape` in a bigger buffer, laid out as asked. */
function makeView(Ctor: FloatCtor | Int32ArrayConstructor | Uint8ArrayConstructor, shape: number[], layout: Layout, rand: () => number, gen?: () => number): View {
  const nd = shape.length;
  // Allocation shape: broadcast dims collapse to 1, strided dims double.
  const alloc = shape.map((s, d) => (layout === "broadcast" && (d % 2 === 0 || s === 1) ? 1 : layout === "strided" ? s * 2 : s));
  const order = [...Array(nd).keys()];
  if (layout === "transposed") order.reverse();
  const strides = new Array<number>(nd).fill(0);
  let acc = 1;
  for (let i = nd - 1; i >= 0; i--) {
    const d = order[i];
    strides[d] = acc;
    acc *= alloc[d];
  }
  for (let d = 0; d < nd; d++) {
    if (layout === "broadcast" && alloc[d] === 1) strides[d] = 0;
    if (layout === "strided") strides[d] *= 2;
  }
  const offset = 3;
  const size = offset + Math.max(1, acc * (layout === "strided" ? 2 : 1));
  const data = new Ctor(size);
  for (let i = 0; i < size; i++) data[i] = gen ? gen() : Ctor === Uint8Array ? (rand() < 0.5 ? 1 : 0) : Ctor === Int32Array ? Math.floor(rand() * 20 - 10) : 4 * rand() - 2;
  return { data, strides, offset };
}

const SHAPES: number[][] = [[], [1], [7], [0], [3, 1, 5], [2, 0, 3], [17, 33], [4, 1, 9, 2], [64, 130], [5, 3, 2, 3, 2]];
const LAYOUTS: Layout[] = ["contiguous", "transposed", "strided", "broadcast"];
const FLOATS: FloatCtor[] = [Float32Array, Float64Array];
const tol = (Ctor: FloatCtor): [number, number] => (Ctor === Float32Array ? [1e-6, 1e-5] : [1e-13, 1e-12]);

describe.skipIf(skipNative)("native kernels vs the TypeScript reference", () => {
  const UNARY: [UnaryOp, number, number][] = [
    ["neg", 0, 0], ["abs", 0, 0], ["sign", 0, 0], ["exp", 0, 0], ["log", 0, 0], ["sqrt", 0, 0], ["rsqrt", 0, 0],
    ["square", 0, 0], ["reciprocal", 0, 0], ["sin", 0, 0], ["cos", 0, 0], ["tanh", 0, 0], ["sigmoid", 0, 0],
    ["relu", 0, 0], ["gelu", 0, 0], ["gelu_tanh", 0, 0], ["erf", 0, 0], ["log1p", 0, 0], ["expm1", 0, 0],
    ["floor", 0, 0], ["ceil", 0, 0], ["round", 0, 0], ["trunc", 0, 0], ["silu", 0, 0], ["softplus", 1.5, 20],
    ["add_scalar", 0.75, 0], ["mul_scalar", -1.25, 0], ["rsub_scalar", 2, 0], ["rdiv_scalar", 3, 0],
    ["pow_scalar", 2, 0], ["pow_scalar", 0.5, 0], ["rpow_scalar", 1.7, 0], ["fmod_scalar", 0.7, 0],
    ["remainder_scalar", -0.7, 0], ["floor_divide_scalar", 0.3, 0], ["maximum_scalar", 0.1, 0],
    ["minimum_scalar", -0.2, 0], ["clamp", -0.5, 0.6], ["clamp", -Infinity, 0.6], ["leaky_relu", 0.01, 0], ["elu", 1.2, 0],
  ];
  for (const Ctor of FLOATS) {
    it(`unary, ${Ctor.name}, every op on every layout`, () => {
      const rand = rng(1);
      for (const [op, s0, s1] of UNARY) {
        for (const shape of SHAPES)
          for (const layout of LAYOUTS) {
            const x = makeView(Ctor, shape, layout, rand);
            if (x.data.length > 8) x.data[5] = NaN;
            if (x.data.length > 8) x.data[6] = 2.5; // round half to even
            const a = new Ctor(numel(shape)), b = new Ctor(numel(shape));
            const fb = track(() => nat.unary(op, a, x.data, shape, x.strides, x.offset, s0, s1));
            expect(fb, op).toEqual([]);
            ref.unary(op, b, x.data, shape, x.strides, x.offset, s0, s1);
            expectClose(a, b, ...tol(Ctor), `${op} ${shape} ${layout}`);
          }
      }
    });
  }

  const BINARY: [BinaryOp, number][] = [
    ["add", 0], ["sub", 0], ["mul", 0], ["div", 0], ["pow", 0], ["maximum", 0], ["minimum", 0], ["atan2", 0],
    ["fmod", 0], ["remainder", 0], ["floor_divide", 0], ["add_alpha", 0.5], ["sub_alpha", 2], ["relu_backward", 0],
    ["sigmoid_backward", 0], ["tanh_backward", 0], ["gelu_backward", 0], ["gelu_tanh_backward", 0],
    ["silu_backward", 0], ["leaky_relu_backward", 0.02], ["elu_backward", 1.1],
    ["eq", 0], ["ne", 0], ["lt", 0], ["le", 0], ["gt", 0], ["ge", 0], ["logical_and", 0], ["logical_or", 0], ["logical_xor", 0],
  ];
  const COMPARE = new Set(["eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor"]);
  for (const Ctor of FLOATS) {
    it(`binary, ${Ctor.name}, every op with broadcasting and mixed layouts`, () => {
      const rand = rng(2);
      // Small integers make equality and floor/mod edge cases likely.
      const gen = () => (rand() < 0.3 ? Math.round(rand() * 4 - 2) : rand() * 4 - 2);
      for (const [op, s0] of BINARY) {
        for (const shape of SHAPES)
          for (let li = 0; li < LAYOUTS.length; li++) {
            const a = makeView(Ctor, shape, LAYOUTS[li], rand, gen);
            const b = makeView(Ctor, shape, LAYOUTS[(li + 1 + (shape.length % 3)) % LAYOUTS.length], rand, gen);
            // NaNs, except where the reference departs from PyTorch (see "NaN as PyTorch" below).
            const nanOk = op !== "pow" && !op.startsWith("logical_");
            if (nanOk && a.data.length > 12) a.data[11] = NaN;
            if (nanOk && b.data.length > 12) b.data[7] = NaN;
            const OutCtor = COMPARE.has(op) ? Uint8Array : Ctor;
            const o1 = new OutCtor(numel(shape)), o2 = new OutCtor(numel(shape));
            const fb = track(() => nat.binary(op, o1, shape, a.data, a.strides, a.offset, b.data, b.strides, b.offset, s0));
            expect(fb, op).toEqual([]);
            ref.binary(op, o2, shape, a.data, a.strides, a.offset, b.data, b.strides, b.offset, s0);
            expectClose(o1, o2, ...tol(Ctor), `${op} ${shape}`);
          }
      }
    });
  }

  for (const Ctor of FLOATS) {
    it(`in place: out may be the input itself (contiguous, offset 0), ${Ctor.name}`, () => {
      const rand = rng(10);
      for (const shape of [[5], [33, 7], [2, 3, 40]]) {
        const n = numel(shape);
        const st = contiguousStrides(shape);
        const x = randomArray(Ctor, n, rand), y = randomArray(Ctor, n, rand);
        const e = new Ctor(n);
        ref.binary("add_alpha", e, shape, x, st, 0, y, st, 0, -0.1);
        ref.unary("mul_scalar", e, e, shape, st, 0, 3, 0);
        expect(track(() => {
          nat.binary("add_alpha", x, shape, x, st, 0, y, st, 0, -0.1);
          nat.unary("mul_scalar", x, x, shape, st, 0, 3, 0);
        })).toEqual([]);
        expectClose(x, e, ...tol(Ctor), "in place");
      }
    });
  }

  it("NaN as PyTorch 1.13: pow(1, NaN) = 1 and NaN is true for the logical ops", () => {
    const shape = [40];
    const st = [1];
    const a = new Float64Array(40).fill(1), b = new Float64Array(40).fill(NaN);
    const out = new Float64Array(40);
    nat.binary("pow", out, shape, a, st, 0, b, st, 0, 0);
    expect(out[0]).toBe(1);
    const bools = new Uint8Array(40);
    nat.binary("logical_and", bools, shape, b, st, 0, a, st, 0, 0);
    expect(bools[0]).toBe(1);
    nat.binary("logical_xor", bools, shape, b, st, 0, a, st, 0, 0);
    expect(bools[0]).toBe(0);
  });

  it("binary and unary on int32 fall back to the reference (and agree with it)", () => {
    const rand = rng(3);
    const shape = [5, 7];
    const a = makeView(Int32Array, shape, "transposed", rand), b = makeView(Int32Array, shape, "broadcast", rand);
    const o1 = new Int32Array(35), o2 = new Int32Array(35);
    const fb = track(() => nat.binary("add", o1, shape, a.data, a.strides, a.offset, b.data, b.strides, b.offset, 0));
    expect(fb).toEqual(["binary:add"]);
    ref.binary("add", o2, shape, a.data, a.strides, a.offset, b.data, b.strides, b.offset, 0);
    expect(Array.from(o1)).toEqual(Array.from(o2));
  });

  for (const Ctor of FLOATS) {
    it(`where, ${Ctor.name}`, () => {
      const rand = rng(4);
      for (const shape of SHAPES)
        for (let li = 0; li < LAYOUTS.length; li++) {
          const c = makeView(Uint8Array, shape, LAYOUTS[(li + 2) % 4], rand);
          const a = makeView(Ctor, shape, LAYOUTS[li], rand), b = makeView(Ctor, shape, LAYOUTS[(li + 1) % 4], rand);
          const o1 = new Ctor(numel(shape)), o2 = new Ctor(numel(shape));
          expect(track(() => nat.where(o1, shape, c.data, c.strides, c.offset, a.data, a.strides, a.offset, b.data, b.strides, b.offset))).toEqual([]);
          ref.where(o2, shape, c.data, c.strides, c.offset, a.data, a.strides, a.offset, b.data, b.strides, b.offset);
          expectClose(o1, o2, 0, 0, `where ${shape}`);
        }
    });

    it(`reduce, ${Ctor.name}, every op over every subset of dims`, () => {
      const rand = rng(5);
      for (const op of ["sum", "prod", "mean", "amax", "amin"] as const)
        for (const shape of SHAPES)
          for (const layout of LAYOUTS) {
            const x = makeView(Ctor, shape, layout, rand);
            if (op === "prod") for (let i = 0; i < x.data.length; i++) x.data[i] = 0.5 + rand();
            const nd = shape.length;
            for (let mask = 0; mask < 1 << nd; mask++) {
              const dims = [...Array(nd).keys()].filter((d) => mask & (1 << d));
              const outShape = shape.filter((_, d) => !dims.includes(d));
              const reducedEmpty = dims.some((d) => shape[d] === 0);
              if ((op === "amax" || op === "amin") && reducedEmpty) continue; // rejected by the op layer
              const o1 = new Ctor(numel(outShape)), o2 = new Ctor(numel(outShape));
              expect(track(() => nat.reduce(op, o1, x.data, shape, x.strides, x.offset, dims))).toEqual([]);
              ref.reduce(op, o2, x.data, shape, x.strides, x.offset, dims);
              const n = dims.reduce((a, d) => a * shape[d], 1);
              expectClose(o1, o2, Ctor === Float32Array ? 1e-6 * Math.sqrt(n + 1) : 1e-12, Ctor === Float32Array ? 1e-5 : 1e-12, `${op} ${shape} dims ${dims}`);
            }
          }
    });

    it(`arg_reduce, ${Ctor.name}, max and min along each dim, NaN first`, () => {
      const rand = rng(6);
      for (const op of ["max", "min"] as const)
        for (const shape of SHAPES.filter((s) => !s.includes(0)))
          for (const layout of LAYOUTS) {
            const x = makeView(Ctor, shape, layout, rand, () => Math.round(rand() * 6));
            if (x.data.length > 10) x.data[9] = NaN;
            for (let dim = 0; dim < Math.max(1, shape.length); dim++) {
              const outShape = shape.filter((_, d) => d !== dim);
              const v1 = new Ctor(numel(outShape)), v2 = new Ctor(numel(outShape));
              const i1 = new Float64Array(numel(outShape)), i2 = new Float64Array(numel(outShape));
              expect(track(() => nat.arg_reduce(op, v1, i1, x.data, shape, x.strides, x.offset, dim))).toEqual([]);
              ref.arg_reduce(op, v2, i2, x.data, shape, x.strides, x.offset, dim);
              expectClose(v1, v2, 0, 0, `values ${op} ${shape} ${dim}`);
              expectClose(i1, i2, 0, 0, `indices ${op} ${shape} ${dim}`);
            }
          }
    });

    it(`matmul, ${Ctor.name}, batched with broadcast batch dims and transposed operands`, () => {
      const rand = rng(7);
      const cases: [number[], number, number, number][] = [
        [[], 1, 1, 1], [[], 13, 35, 70], [[3], 5, 7, 9], [[2, 3], 12, 33, 17], [[4, 1], 1, 64, 3], [[0], 3, 3, 3],
        [[2], 0, 4, 5], [[2], 4, 5, 0], [[3, 2], 31, 1, 40],
      ];
      for (const [batch, M, N, K] of cases)
        for (const [ta, tb, bcastB] of [[false, false, false], [true, false, true], [false, true, false], [true, true, true]]) {
          const nb = batch.length;
          const aShape = [...batch, M, K];
          const bShape = [...batch, K, N];
          const a = makeView(Ctor, aShape, ta ? "transposed" : "contiguous", rand);
          const b = makeView(Ctor, bShape, bcastB ? "broadcast" : tb ? "transposed" : "strided", rand);
          // A transposed view must still put M, K last: swap the last two strides of a transposed layout.
          if (ta && nb === 0) [a.strides[0], a.strides[1]] = [a.strides[0], a.strides[1]];
          const o1 = new Ctor(numel(batch) * M * N), o2 = new Ctor(numel(batch) * M * N);
          expect(track(() => nat.matmul(o1, batch, M, N, K, a.data, a.strides, a.offset, b.data, b.strides, b.offset))).toEqual([]);
          ref.matmul(o2, batch, M, N, K, a.data, a.strides, a.offset, b.data, b.strides, b.offset);
          expectClose(o1, o2, Ctor === Float32Array ? 2e-6 * Math.sqrt(K + 1) : 1e-12, Ctor === Float32Array ? 1e-5 : 1e-12, `matmul ${batch} ${M} ${N} ${K}`);
        }
    });

    it(`softmax and log_softmax forward/backward, ${Ctor.name}`, () => {
      const rand = rng(8);
      for (const [outer, size, inner] of [[1, 1, 1], [3, 10, 1], [2, 7, 5], [0, 4, 3], [4, 0, 2], [64, 130, 1], [1, 3, 64]])
        for (const log of [false, true]) {
          const n = outer * size * inner;
          const x = randomArray(Ctor, n, rand, -5, 5);
          if (n > 20) {
            x[3] = -Infinity;
            x[15] = NaN;
          }
          const y1 = new Ctor(n), y2 = new Ctor(n);
          expect(track(() => nat.softmax(y1, x, outer, size, inner, log))).toEqual([]);
          ref.softmax(y2, x, outer, size, inner, log);
          expectClose(y1, y2, ...tol(Ctor), `softmax ${outer} ${size} ${inner} ${log}`);
          const g = randomArray(Ctor, n, rand);
          const y = Ctor.from(y2.map((v) => (Number.isNaN(v) ? 0.1 : v)));
          const g1 = new Ctor(n), g2 = new Ctor(n);
          expect(track(() => nat.softmax_backward(g1, g, y, outer, size, inner, log))).toEqual([]);
          ref.softmax_backward(g2, g, y, outer, size, inner, log);
          expectClose(g1, g2, Ctor === Float32Array ? 1e-5 : 1e-12, Ctor === Float32Array ? 1e-5 : 1e-12, `softmax_backward ${log}`);
        }
    });
  }

  it("copy converts between dtypes over strided views; fill writes strided views", () => {
    const rand = rng(9);
    const ctors = [Float32Array, Float64Array, Int32Array, Uint8Array] as const;
    for (const D of ctors)
      for (const S of ctors)
        for (const shape of SHAPES)
          for (let li = 0; li < LAYOUTS.length; li++) {
            const src = makeView(S, shape, LAYOUTS[li], rand);
            const dstLayout = LAYOUTS[(li + 1) % 4] === "broadcast" ? "strided" : LAYOUTS[(li + 1) % 4];
            const d1 = makeView(D, shape, dstLayout, rand);
            const d2: View = { ...d1, data: d1.data.slice() };
            const fb = track(() => nat.copy(shape, d1.data, d1.strides, d1.offset, src.data, src.strides, src.offset));
            const nativeHandles = D === Float32Array || D === Float64Array || (D === Int32Array && (S === Int32Array || S === Uint8Array)) || (D === Uint8Array && S === Uint8Array);
            if (nativeHandles) expect(fb).toEqual([]);
            ref.copy(shape, d2.data, d2.strides, d2.offset, src.data, src.strides, src.offset);
            expectClose(d1.data, d2.data, 0, 0, `copy ${S.name} -> ${D.name} ${shape}`);
          }
    for (const D of ctors)
      for (const shape of SHAPES) {
        const d1 = makeView(D, shape, "strided", rand);
        const d2 = d1.data.slice();
        expect(track(() => nat.fill(d1.data, shape, d1.strides, d1.offset, 1))).toEqual([]);
        ref.fill(d2, shape, d1.strides, d1.offset, 1);
        expectClose(d1.data, d2, 0, 0, `fill ${D.name} ${shape}`);
      }
  });
});

// Keeps the KernelSet type import honest: the native table must be assignable to the engine's set.
export type _NativeFitsKernelSet = NativeKernelTable extends Pick<KernelSet, (typeof NAMES)[number]> ? true : never;
