// The native GEMM against a plain triple loop in double precision: odd sizes (edge tiles), size-1
// and empty dims, transposed and strided operands, batches with broadcast (stride 0) operands,
// alpha/beta, and bit-identical results whatever the thread count.
import { afterAll, describe, expect, it } from "vitest";
import { expectClose, type FloatCtor, native, randomArray, rng, skipNative, tolerances } from "./support.js";

interface View { off: number; bs: number; rs: number; cs: number }

function refGemm(
  batch: number, M: number, N: number, K: number, alpha: number, a: ArrayLike<number>, av: View,
  b: ArrayLike<number>, bv: View, beta: number, c: Float64Array, cv: View,
): void {
  for (let t = 0; t < batch; t++)
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a[av.off + t * av.bs + i * av.rs + k * av.cs] * b[bv.off + t * bv.bs + k * bv.rs + j * bv.cs];
        const ci = cv.off + t * cv.bs + i * cv.rs + j * cv.cs;
        c[ci] = beta === 0 ? alpha * s : alpha * s + beta * c[ci];
      }
}

function runGemm(
  Ctor: FloatCtor, batch: number, M: number, N: number, K: number, alpha: number, beta: number,
  opts: { transA?: boolean; transB?: boolean; broadcastB?: boolean; padA?: number; colMajorC?: boolean }, seed: number,
) {
  const { addon, meta } = native();
  const rand = rng(seed);
  const padA = opts.padA ?? 0;
  // A stored as [batch, M, K + padA] or, transposed, [batch, K, M + padA].
  const aRowLen = opts.transA ? M + padA : K + padA;
  const aRows = opts.transA ? K : M;
  const a = randomArray(Ctor, Math.max(1, batch * aRows * aRowLen + 3), rand);
  const av: View = opts.transA ? { off: 3, bs: aRows * aRowLen, rs: 1, cs: aRowLen } : { off: 3, bs: aRows * aRowLen, rs: aRowLen, cs: 1 };
  if (batch * aRows * aRowLen === 0) av.off = 0;
  const bBatches = opts.broadcastB ? 1 : batch;
  const b = randomArray(Ctor, Math.max(1, bBatches * K * N), rand);
  const bStride = opts.broadcastB ? 0 : K * N;
  const bv: View = opts.transB ? { off: 0, bs: bStride, rs: 1, cs: K } : { off: 0, bs: bStride, rs: N, cs: 1 };
  const c = randomArray(Ctor, Math.max(1, batch * M * N), rand);
  const cv: View = opts.colMajorC ? { off: 0, bs: M * N, rs: 1, cs: M } : { off: 0, bs: M * N, rs: N, cs: 1 };
  const expected = Float64Array.from(c);
  refGemm(batch, M, N, K, alpha, a, av, b, bv, beta, expected, cv);
  const vals = [batch, M, N, K, av.off, av.bs, av.rs, av.cs, bv.off, bv.bs, bv.rs, bv.cs, cv.off, cv.bs, cv.rs, cv.cs];
  meta.set(vals);
  expect(addon.gemm(c, a, b, alpha, beta)).toBe(true);
  return { c, expected };
}

describe.skipIf(skipNative)("native gemm", () => {
  const threads = skipNative ? 1 : native().addon.numThreads();
  afterAll(() => {
    if (!skipNative) native().addon.setNumThreads(threads);
  });

  const shapes: [number, number, number][] = [
    [1, 1, 1], [2, 3, 4], [13, 33, 7], [12, 32, 512], [37, 65, 129], [100, 1, 50], [1, 100, 50], [75, 77, 600],
    [0, 5, 3], [5, 0, 3], [5, 4, 0],
  ];
  for (const Ctor of [Float32Array, Float64Array] as const) {
    for (const [M, N, K] of shapes) {
      it(`${Ctor.name} ${M}x${K} @ ${K}x${N}`, () => {
        const { c, expected } = runGemm(Ctor, 1, M, N, K, 1, 0, {}, M * 1000 + N * 10 + K);
        expectClose(c, expected, ...tolerances(Ctor, K), "C");
      });
    }
    it(`${Ctor.name} transposed and padded operands, alpha and beta`, () => {
      for (const [transA, transB] of [[true, false], [false, true], [true, true]] as const) {
        const { c, expected } = runGemm(Ctor, 1, 29, 45, 70, 0.5, 2, { transA, transB, padA: 3 }, 7);
        expectClose(c, expected, ...tolerances(Ctor, 70), `C trans ${transA} ${transB}`);
      }
    });
    it(`${Ctor.name} column-major C`, () => {
      const { c, expected } = runGemm(Ctor, 2, 19, 23, 31, 1, 1, { colMajorC: true }, 8);
      expectClose(c, expected, ...tolerances(Ctor, 31), "C");
    });
    it(`${Ctor.name} batched with a broadcast B`, () => {
      const { c, expected } = runGemm(Ctor, 5, 17, 40, 33, 1, 0, { broadcastB: true }, 9);
      expectClose(c, expected, ...tolerances(Ctor, 33), "C");
    });
  }

  it("beta = 0 ignores NaN in C", () => {
    const { addon, meta } = native();
    const a = Float32Array.from([1, 2]), b = Float32Array.from([3, 4]);
    const c = Float32Array.from([NaN]);
    meta.set([1, 1, 1, 2, 0, 0, 2, 1, 0, 0, 1, 1, 0, 0, 1, 1]);
    expect(addon.gemm(c, a, b, 1, 0)).toBe(true);
    expect(c[0]).toBe(11);
  });

  it("gives bit-identical results with 1 and 2 threads", () => {
    const { addon } = native();
    const results: (Float32Array | Float64Array)[] = [];
    for (const n of [1, 2, 3]) {
      addon.setNumThreads(n);
      results.push(runGemm(Float32Array, 2, 301, 277, 1100, 1, 0, {}, 11).c);
    }
    expect(Buffer.from(results[1].buffer).equals(Buffer.from(results[0].buffer))).toBe(true);
    expect(Buffer.from(results[2].buffer).equals(Buffer.from(results[0].buffer))).toBe(true);
  });

  it("splits a short, wide product over column groups (shared packed A) with identical results", () => {
    const { addon } = native();
    const runs = [1, 2, 4].map((n) => {
      addon.setNumThreads(n);
      return runGemm(Float32Array, 1, 64, 700, 600, 1, 0, { transB: true }, 12);
    });
    expectClose(runs[0].c, runs[0].expected, ...tolerances(Float32Array, 600), "C");
    for (const r of runs.slice(1)) expect(Buffer.from(r.c.buffer).equals(Buffer.from(runs[0].c.buffer))).toBe(true);
  });

  it("a narrow C (an output layer's 10 columns: computed as the transposed product) on 1-3 threads, batched", () => {
    const { addon } = native();
    for (const transB of [false, true]) {
      const runs = [1, 2, 3].map((n) => {
        addon.setNumThreads(n);
        return runGemm(Float32Array, 3, 64, 10, 512, 0.5, 0, { transB, transA: !transB }, 14);
      });
      expectClose(runs[0].c, runs[0].expected, ...tolerances(Float32Array, 512), `C transB ${transB}`);
      for (const r of runs.slice(1)) expect(Buffer.from(r.c.buffer).equals(Buffer.from(runs[0].c.buffer))).toBe(true);
    }
    // With beta != 0 C is read, so the product is computed directly.
    const { c, expected } = runGemm(Float64Array, 2, 40, 7, 33, 1, 2, { transB: true }, 15);
    expectClose(c, expected, ...tolerances(Float64Array, 33), "C beta");
  });

  it("a small product reads a row-major A in place with the same bytes as from a packed A", () => {
    // Row-major A takes the in-place path where the ISA has one (AVX-512); the same A stored transposed
    // (column stride != 1) is always packed. Same arithmetic, so the results must be byte-identical.
    const { addon, meta } = native();
    for (const [M, N, K] of [[64, 64, 64], [37, 45, 33], [13, 100, 128]]) {
      const rand = rng(M + N + K);
      const a = randomArray(Float32Array, M * K, rand), b = randomArray(Float32Array, K * N, rand);
      const at = new Float32Array(M * K);
      for (let i = 0; i < M; i++) for (let k = 0; k < K; k++) at[k * M + i] = a[i * K + k];
      const c1 = new Float32Array(M * N), c2 = new Float32Array(M * N);
      meta.set([1, M, N, K, 0, 0, K, 1, 0, 0, N, 1, 0, 0, N, 1]);
      expect(addon.gemm(c1, a, b, 1, 0)).toBe(true);
      meta.set([1, M, N, K, 0, 0, 1, M, 0, 0, N, 1, 0, 0, N, 1]);
      expect(addon.gemm(c2, at, b, 1, 0)).toBe(true);
      expect(Buffer.from(c1.buffer).equals(Buffer.from(c2.buffer)), `${M}x${N}x${K}`).toBe(true);
    }
  });

  it("MLP layer shapes (one row block: B read in place, or packed when transposed) give identical results on 1-3 threads", () => {
    const { addon } = native();
    for (const transB of [false, true]) {
      const runs = [1, 2, 3].map((n) => {
        addon.setNumThreads(n);
        return runGemm(Float32Array, 1, 64, 784, 512, 1, 0, { transB }, 13);
      });
      expectClose(runs[0].c, runs[0].expected, ...tolerances(Float32Array, 512), `C transB ${transB}`);
      for (const r of runs.slice(1)) expect(Buffer.from(r.c.buffer).equals(Buffer.from(runs[0].c.buffer))).toBe(true);
    }
  });

  it("x W^T with a short x (computed as W x^T, W read in place) has the same bytes as with W stored K x N, on 1-3 threads", () => {
    // A transposed B (stored N x K, a Linear weight) with few rows of A takes the swapped product where
    // the ISA reads A in place (AVX-512); the same B stored K x N never does. Same fused multiply-adds
    // over k, so the bytes must agree; a batch, a K over two depth slabs, odd sizes and edge tiles too.
    const { addon, meta } = native();
    for (const [batch, M, N, K] of [[1, 64, 512, 784], [1, 5, 300, 33], [2, 72, 300, 1100], [1, 1, 40, 64]]) {
      const rand = rng(M * 7 + N + K);
      const a = randomArray(Float32Array, batch * M * K, rand), bt = randomArray(Float32Array, batch * N * K, rand);
      const b = new Float32Array(batch * K * N);
      for (let t = 0; t < batch; t++)
        for (let j = 0; j < N; j++) for (let k = 0; k < K; k++) b[t * K * N + k * N + j] = bt[t * N * K + j * K + k];
      const outs = [1, 2, 3].map((n) => {
        addon.setNumThreads(n);
        const c = new Float32Array(batch * M * N);
        meta.set([batch, M, N, K, 0, M * K, K, 1, 0, N * K, 1, K, 0, M * N, N, 1]);
        expect(addon.gemm(c, a, bt, 1, 0)).toBe(true);
        return c;
      });
      const plain = new Float32Array(batch * M * N);
      meta.set([batch, M, N, K, 0, M * K, K, 1, 0, K * N, N, 1, 0, M * N, N, 1]);
      expect(addon.gemm(plain, a, b, 1, 0)).toBe(true);
      const expected = new Float64Array(batch * M * N);
      refGemm(batch, M, N, K, 1, a, { off: 0, bs: M * K, rs: K, cs: 1 }, b, { off: 0, bs: K * N, rs: N, cs: 1 }, 0, expected, { off: 0, bs: M * N, rs: N, cs: 1 });
      expectClose(plain, expected, ...tolerances(Float32Array, K), "C");
      for (const c of outs) expect(Buffer.from(c.buffer).equals(Buffer.from(plain.buffer)), `${batch}x${M}x${N}x${K}`).toBe(true);
    }
  });

  it("rejects a view that reaches outside its array", () => {
    const { addon, meta } = native();
    const a = new Float32Array(4), b = new Float32Array(4), c = new Float32Array(4);
    meta.set([1, 2, 2, 3, 0, 0, 3, 1, 0, 0, 2, 1, 0, 0, 2, 1]); // A would need 6 elements
    expect(() => addon.gemm(c, a, b, 1, 0)).toThrow(/out of bounds/);
  });
});
