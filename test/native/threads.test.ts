// Large calls take the multi-threaded paths of the native kernels. They must agree with the
// TypeScript reference and give bit-identical results for 1, 2 and 3 threads.
import { afterAll, describe, expect, it } from "vitest";
import { getKernel } from "../../src/engine/backend/dispatcher.js";
import "../../src/engine/backends/ts/index.js";
import { createNativeKernels, type NativeKernelTable } from "../../src/engine/backends/native/kernels.js";
import { expectClose, native, randomArray, rng, skipNative } from "./support.js";

const NAMES = ["unary", "binary", "where", "reduce", "arg_reduce", "matmul", "copy", "fill", "softmax", "softmax_backward"] as const;

describe.skipIf(skipNative)("native kernels on several threads", () => {
  const { addon, meta } = skipNative ? ({} as ReturnType<typeof native>) : native();
  const before = skipNative ? 1 : addon.numThreads();
  afterAll(() => {
    if (!skipNative) addon.setNumThreads(before);
  });
  const ref = Object.fromEntries(NAMES.map((n) => [n, getKernel(n, "ts")])) as unknown as NativeKernelTable;
  const nat = skipNative ? ref : createNativeKernels(addon, meta, ref, 0);

  /** Runs fn with 1, 2 and 3 threads; checks the outputs are bit-identical; returns the first. */
  function acrossThreads(fn: () => Float32Array | Float64Array): Float32Array | Float64Array {
    const outs = [1, 2, 3].map((t) => {
      addon.setNumThreads(t);
      return fn();
    });
    for (const o of outs.slice(1)) expect(Buffer.from(o.buffer).equals(Buffer.from(outs[0].buffer))).toBe(true);
    return outs[0];
  }

  it("unary, binary (broadcast) and where over 600k elements", () => {
    const rand = rng(31);
    const shape = [300, 2000];
    const x = randomArray(Float32Array, 600_000, rand);
    const bias = randomArray(Float32Array, 2000, rand);
    const got = acrossThreads(() => {
      const o = new Float32Array(600_000);
      nat.unary("exp", o, x, shape, [2000, 1], 0, 0, 0);
      nat.binary("add", o, shape, o, [2000, 1], 0, bias, [0, 1], 0, 0);
      return o;
    });
    const e = new Float32Array(600_000);
    ref.unary("exp", e, x, shape, [2000, 1], 0, 0, 0);
    ref.binary("add", e, shape, e, [2000, 1], 0, bias, [0, 1], 0, 0);
    expectClose(got, e, 1e-6, 1e-5, "exp + bias");
  });

  it("reductions over kept and reduced outer dims", () => {
    const rand = rng(32);
    const shape = [64, 50, 300];
    const x = randomArray(Float64Array, 64 * 50 * 300, rand);
    const strides = [15000, 300, 1];
    for (const dims of [[2], [1], [0], [0, 2], [1, 2], [0, 1, 2]]) {
      for (const op of ["sum", "mean", "amax"] as const) {
        const outShape = shape.filter((_, d) => !dims.includes(d));
        const n = outShape.reduce((a, b) => a * b, 1);
        const got = acrossThreads(() => {
          const o = new Float64Array(n);
          nat.reduce(op, o, x, shape, strides, 0, dims);
          return o;
        });
        const e = new Float64Array(n);
        ref.reduce(op, e, x, shape, strides, 0, dims);
        expectClose(got, e, 1e-10, 1e-12, `${op} over ${dims}`);
      }
    }
  });

  it("softmax over many rows", () => {
    const rand = rng(33);
    const x = randomArray(Float32Array, 4096 * 40, rand, -8, 8);
    const got = acrossThreads(() => {
      const o = new Float32Array(x.length);
      nat.softmax(o, x, 4096, 40, 1, true);
      return o;
    });
    const e = new Float32Array(x.length);
    ref.softmax(e, x, 4096, 40, 1, true);
    expectClose(got, e, 1e-5, 1e-5, "log_softmax");
  });

  it("matmul with broadcast batch dims", () => {
    const rand = rng(34);
    const a = randomArray(Float32Array, 4 * 96 * 200, rand), b = randomArray(Float32Array, 200 * 150, rand);
    const got = acrossThreads(() => {
      const o = new Float32Array(4 * 96 * 150);
      nat.matmul(o, [4], 96, 150, 200, a, [96 * 200, 200, 1], 0, b, [0, 1, 200], 0);
      return o;
    });
    const e = new Float32Array(4 * 96 * 150);
    ref.matmul(e, [4], 96, 150, 200, a, [96 * 200, 200, 1], 0, b, [0, 1, 200], 0);
    expectClose(got, e, 1e-4, 1e-4, "matmul");
  });
});
