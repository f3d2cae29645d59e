// Reference batched matmul. Each batch packs A (M x K) and B^T (N x K) into row-contiguous buffers when
// their layout is not already so, then takes dot products in 2x4 output blocks, accumulating in double
// precision.
import type { MatmulKernel } from "../../backend/kernels.js";
import type { TypedArray } from "../../dtype.js";

function packRows(src: TypedArray, off: number, rows: number, cols: number, rs: number, cs: number): { buf: TypedArray; off: number; ld: number } {
  if (cs === 1 || cols === 1) return { buf: src, off, ld: rs };
  const Ctor = src.constructor as new (n: number) => TypedArray;
  const buf = new Ctor(rows * cols);
  for (let i = 0; i < rows; i++) {
    const base = off + i * rs;
    for (let j = 0; j < cols; j++) buf[i * cols + j] = src[base + j * cs];
  }
  return { buf, off: 0, ld: cols };
}

/**
 * out[o + i*N + j] = dot(A row i, Bt row j) over K, in blocks of 2 rows x 4 columns (8 accumulators per
 * pass over K: 6 loads for 8 multiply-adds), with the ragged edges done one by one.
 */
function dotBlocks(
  out: TypedArray, o: number, Ab: TypedArray, aOff: number, lda: number, Bb: TypedArray, bOff: number, ldb: number,
  M: number, N: number, K: number,
): void {
  let i = 0;
  for (; i + 1 < M; i += 2) {
    const a0 = aOff + i * lda;
    const a1 = a0 + lda;
    let j = 0;
    for (; j + 3 < N; j += 4) {
      const b0 = bOff + j * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      for (let k = 0; k < K; k++) {
        const x0 = Ab[a0 + k];
        const x1 = Ab[a1 + k];
        const y0 = Bb[b0 + k], y1 = Bb[b1 + k], y2 = Bb[b2 + k], y3 = Bb[b3 + k];
        s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
        s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
      }
      const r0 = o + i * N + j;
      const r1 = r0 + N;
      out[r0] = s00; out[r0 + 1] = s01; out[r0 + 2] = s02; out[r0 + 3] = s03;
      out[r1] = s10; out[r1 + 1] = s11; out[r1 + 2] = s12; out[r1 + 3] = s13;
    }
    for (; j < N; j++) {
      const bj = bOff + j * ldb;
      let s0 = 0, s1 = 0;
      for (let k = 0; k < K; k++) {
        const y = Bb[bj + k];
        s0 += Ab[a0 + k] * y;
        s1 += Ab[a1 + k] * y;
      }
      out[o + i * N + j] = s0;
      out[o + (i + 1) * N + j] = s1;
    }
  }
  for (; i < M; i++) {
    const ai = aOff + i * lda;
    for (let j = 0; j < N; j++) {
      const bj = bOff + j * ldb;
      let s = 0;
      for (let k = 0; k < K; k++) s += Ab[ai + k] * Bb[bj + k];
      out[o + i * N + j] = s;
    }
  }
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
    dotBlocks(out, bt * M * N, A.buf, A.off, A.ld, Bt.buf, Bt.off, Bt.ld, M, N, K);
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
