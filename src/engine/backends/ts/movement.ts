// Reference data-movement kernels: strided copy (with dtype conversion), fill, and the index kernels
// (index_select, index_add, gather, scatter_add) over contiguous operands.
import type {
  CopyKernel, FillKernel, GatherKernel, IndexAddKernel, IndexSelectKernel, ScatterAddKernel,
} from "../../backend/kernels.js";
import { coalesce, isContiguousStrides } from "./strided.js";

export const copy: CopyKernel = (shape, dst, dstStrides, dstOffset, src, srcStrides, srcOffset) => {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  if (n === 0) return;
  if (isContiguousStrides(shape, dstStrides) && isContiguousStrides(shape, srcStrides)) {
    if (dst.constructor === src.constructor) dst.set(src.subarray(srcOffset, srcOffset + n), dstOffset);
    else for (let i = 0; i < n; i++) dst[dstOffset + i] = src[srcOffset + i];
    return;
  }
  const [sh, [ds, ss]] = coalesce(shape, [dstStrides, srcStrides]);
  const nd = sh.length;
  const inner = nd > 0 ? sh[nd - 1] : 1;
  const di = nd > 0 ? ds[nd - 1] : 0;
  const si = nd > 0 ? ss[nd - 1] : 0;
  const cnt = new Int32Array(nd);
  let dp = dstOffset;
  let sp = srcOffset;
  const outer = n / inner;
  for (let r = 0; r < outer; r++) {
    let dq = dp;
    let sq = sp;
    for (let j = 0; j < inner; j++, dq += di, sq += si) dst[dq] = src[sq];
    for (let d = nd - 2; d >= 0; d--) {
      cnt[d]++;
      dp += ds[d];
      sp += ss[d];
      if (cnt[d] < sh[d]) break;
      cnt[d] = 0;
      dp -= ds[d] * sh[d];
      sp -= ss[d] * sh[d];
    }
  }
};

export const fill: FillKernel = (dst, shape, strides, offset, value) => {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  if (n === 0) return;
  if (isContiguousStrides(shape, strides)) {
    dst.fill(value, offset, offset + n);
    return;
  }
  const [sh, [st]] = coalesce(shape, [strides]);
  const nd = sh.length;
  const cnt = new Int32Array(nd);
  const inner = nd > 0 ? sh[nd - 1] : 1;
  const is = nd > 0 ? st[nd - 1] : 0;
  let p = offset;
  for (let r = 0; r < n / inner; r++) {
    let q = p;
    for (let j = 0; j < inner; j++, q += is) dst[q] = value;
    for (let d = nd - 2; d >= 0; d--) {
      cnt[d]++;
      p += st[d];
      if (cnt[d] < sh[d]) break;
      cnt[d] = 0;
      p -= st[d] * sh[d];
    }
  }
};

function split3(shape: readonly number[], dim: number): [number, number, number] {
  let outer = 1;
  for (let d = 0; d < dim; d++) outer *= shape[d];
  let inner = 1;
  for (let d = dim + 1; d < shape.length; d++) inner *= shape[d];
  return [outer, shape.length === 0 ? 1 : shape[dim], inner];
}

export const index_select: IndexSelectKernel = (out, x, shape, dim, index) => {
  const [outer, size, inner] = split3(shape, dim);
  const m = index.length;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const src = (o * size + index[j]) * inner;
      const dst = (o * m + j) * inner;
      if (inner === 1) out[dst] = x[src];
      else for (let k = 0; k < inner; k++) out[dst + k] = x[src + k];
    }
  }
};

export const index_add: IndexAddKernel = (out, shape, dim, index, src) => {
  const [outer, size, inner] = split3(shape, dim);
  const m = index.length;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const dst = (o * size + index[j]) * inner;
      const s = (o * m + j) * inner;
      for (let k = 0; k < inner; k++) out[dst + k] += src[s + k];
    }
  }
};

/** Walks every position of `indexShape`, calling visit(linear position, offset into the other tensor without dim). */
function walkIndex(indexShape: readonly number[], otherShape: readonly number[], dim: number, visit: (pos: number, base: number, dimStride: number) => void): void {
  const nd = indexShape.length;
  const strides = new Array<number>(nd);
  let s = 1;
  for (let d = nd - 1; d >= 0; d--) {
    strides[d] = s;
    s *= otherShape[d];
  }
  let n = 1;
  for (const v of indexShape) n *= v;
  if (n === 0) return;
  const cnt = new Int32Array(nd);
  let base = 0;
  const dimStride = nd > 0 ? strides[dim] : 1;
  for (let pos = 0; pos < n; pos++) {
    visit(pos, base, dimStride);
    for (let d = nd - 1; d >= 0; d--) {
      cnt[d]++;
      if (d !== dim) base += strides[d];
      if (cnt[d] < indexShape[d]) break;
      cnt[d] = 0;
      if (d !== dim) base -= strides[d] * indexShape[d];
    }
  }
}

export const gather: GatherKernel = (out, x, xShape, dim, index, indexShape) => {
  walkIndex(indexShape, xShape, dim, (pos, base, ds) => {
    out[pos] = x[base + index[pos] * ds];
  });
};

export const scatter_add: ScatterAddKernel = (out, outShape, dim, index, indexShape, src) => {
  walkIndex(indexShape, outShape, dim, (pos, base, ds) => {
    out[base + index[pos] * ds] += src[pos];
  });
};
