// Reference batched matmul. Each batch packs A (M x K) and B^T (N x K) into row-contiguous buffers when
// their layout is not already so, then takes dot products four output columns at a time, accumulating
// in double precision.
import type { MatmulKernel } from "../../backend/kernels.js";
import type { TypedArray } from "../../dtype.js";

function packRows(src: TypedArray, off: number, rows: number, cols: number, rs: number, cs: number): { buf: TypedArray; off: number; ld: number } {
  if (cs === 1 || cols === 1) return { buf: src, off, ld: cols === 1 && cs !== 1 ? rs : rs };
  const Ctor = src.constructor as new (n: number) => TypedArray;
  const buf = new Ctor(rows * cols);
  for (let i = 0; i < rows; i++) {
    const base = off + i * rs;
    for (let j = 0; j < cols; j++) buf[i * cols + j] = src[base + j * cs];
  }
  return { buf, off: 0, ld: cols };
}

export const matmul: MatmulKernel = (out, batchShape, M, N, K, a, aStrides, aOffset, b, bStrides, bOffset) => {
  const nb = batchShape.length;
  let batches = 1;
  for (const s of batchShape) batches *= s;
  if (batches === 0 || M === 0 || N === 0) return;
  const cnt = new Int32Array(nb);
  let ap = aOffset;
  let bp = bOffset;
  const aRs = aStrides[nb], aCs = aStrides[nb + 1];
  const bRs = bStrides[nb], bCs = bStrides[nb + 1];
  for (let bt = 0; bt < batches; bt++) {
    const A = packRows(a, ap, M, K, aRs, aCs);
    // B^T rows are B's columns: row j of B^T starts at column j, walks down B's rows.
    const Bt = packRows(b, bp, N, K, bCs, bRs);
    const o = bt * M * N;
    const Ab = A.buf, Bb = Bt.buf, lda = A.ld, ldb = Bt.ld;
    for (let i = 0; i < M; i++) {
      const ai = A.off + i * lda;
      let j = 0;
      for (; j + 3 < N; j += 4) {
        const b0 = Bt.off + j * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let k = 0; k < K; k++) {
          const av = Ab[ai + k];
          s0 += av * Bb[b0 + k];
          s1 += av * Bb[b1 + k];
          s2 += av * Bb[b2 + k];
          s3 += av * Bb[b3 + k];
        }
        out[o + i * N + j] = s0;
        out[o + i * N + j + 1] = s1;
        out[o + i * N + j + 2] = s2;
        out[o + i * N + j + 3] = s3;
      }
      for (; j < N; j++) {
        const bj = Bt.off + j * ldb;
        let s = 0;
        for (let k = 0; k < K; k++) s += Ab[ai + k] * Bb[bj + k];
        out[o + i * N + j] = s;
      }
    }
    for (let d = nb - 1; d >= 0; d--) {
      cnt[d]++;
      ap += aStrides[d];
      bp += bStrides[d];
      if (cnt[d] < batchShape[d]) break;
      cnt[d] = 0;
      ap -= aStrides[d] * batchShape[d];
      bp -= bStrides[d] * batchShape[d];
    }
  }
};
