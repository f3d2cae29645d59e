// Reference reductions: over any set of dims (sum, prod, mean, amax, amin, all, any) and arg-reductions
// along one dim. Accumulation is in double precision.
import type { ArgReduceKernel, ReduceKernel, ReduceOp } from "../../backend/kernels.js";
import { coalesce } from "./strided.js";

function init(op: ReduceOp): number {
  switch (op) {
    case "prod":
    case "all":
      return 1;
    case "amax":
      return -Infinity;
    case "amin":
      return Infinity;
    default:
      return 0;
  }
}

function combine(op: ReduceOp, acc: number, v: number): number {
  switch (op) {
    case "sum":
    case "mean":
      return acc + v;
    case "prod":
      return acc * v;
    case "amax":
      return acc !== acc || v !== v ? NaN : v > acc ? v : acc;
    case "amin":
      return acc !== acc || v !== v ? NaN : v < acc ? v : acc;
    case "all":
      return acc && v ? 1 : 0;
    case "any":
      return acc || v ? 1 : 0;
  }
}

export const reduce: ReduceKernel = (op, out, x, shape, strides, offset, dims) => {
  const keptShape: number[] = [];
  const keptStrides: number[] = [];
  const redShape: number[] = [];
  const redStrides: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (dims.includes(d)) {
      redShape.push(shape[d]);
      redStrides.push(strides[d]);
    } else {
      keptShape.push(shape[d]);
      keptStrides.push(strides[d]);
    }
  }
  let nOut = 1;
  for (const s of keptShape) nOut *= s;
  let nRed = 1;
  for (const s of redShape) nRed *= s;
  if (nOut === 0) return;
  const start = init(op);
  const finish = (acc: number) => (op === "mean" ? acc / nRed : acc);
  const [ks, [kst]] = coalesce(keptShape, [keptStrides]);
  const [rs, [rst]] = coalesce(redShape, [redStrides]);

  // Fast path for sums over outer dims of a contiguous block (e.g. a bias gradient, sum over the batch):
  // walk x in memory order, accumulating whole rows.
  if ((op === "sum" || op === "mean") && ks.length === 1 && kst[0] === 1 && rs.length === 1 && rst[0] === ks[0]) {
    const acc = new Float64Array(nOut);
    for (let r = 0; r < nRed; r++) {
      const base = offset + r * rst[0];
      for (let i = 0; i < nOut; i++) acc[i] += x[base + i];
    }
    for (let i = 0; i < nOut; i++) out[i] = finish(acc[i]);
    return;
  }

  const kn = ks.length;
  const rn = rs.length;
  const kcnt = new Int32Array(kn);
  const rcnt = new Int32Array(rn);
  const rInner = rn > 0 ? rs[rn - 1] : 1;
  const rInnerStride = rn > 0 ? rst[rn - 1] : 0;
  const rOuter = nRed / rInner;
  let kp = offset;
  for (let o = 0; o < nOut; o++) {
    let acc = start;
    let rp = kp;
    if (nRed > 0) {
      rcnt.fill(0);
      for (let r = 0; r < rOuter; r++) {
        let q = rp;
        if (op === "sum" || op === "mean") {
          for (let j = 0; j < rInner; j++, q += rInnerStride) acc += x[q];
        } else {
          for (let j = 0; j < rInner; j++, q += rInnerStride) acc = combine(op, acc, x[q]);
        }
        for (let d = rn - 2; d >= 0; d--) {
          rcnt[d]++;
          rp += rst[d];
          if (rcnt[d] < rs[d]) break;
          rcnt[d] = 0;
          rp -= rst[d] * rs[d];
        }
      }
    }
    out[o] = finish(acc);
    for (let d = kn - 1; d >= 0; d--) {
      kcnt[d]++;
      kp += kst[d];
      if (kcnt[d] < ks[d]) break;
      kcnt[d] = 0;
      kp -= kst[d] * ks[d];
    }
  }
};

export const arg_reduce: ArgReduceKernel = (op, values, indices, x, shape, strides, offset, dim) => {
  const keptShape: number[] = [];
  const keptStrides: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (d !== dim) {
      keptShape.push(shape[d]);
      keptStrides.push(strides[d]);
    }
  }
  const size = shape.length === 0 ? 1 : shape[dim];
  const step = shape.length === 0 ? 0 : strides[dim];
  let nOut = 1;
  for (const s of keptShape) nOut *= s;
  const kn = keptShape.length;
  const kcnt = new Int32Array(kn);
  let kp = offset;
  const isMax = op === "max";
  for (let o = 0; o < nOut; o++) {
    let best = x[kp];
    let bestIdx = 0;
    if (best === best) {
      let q = kp + step;
      for (let j = 1; j < size; j++, q += step) {
        const v = x[q];
        if (v !== v) {
          best = v;
          bestIdx = j;
          break;
        }
        if (isMax ? v > best : v < best) {
          best = v;
          bestIdx = j;
        }
      }
    }
    if (values) values[o] = best;
    indices[o] = bestIdx;
    for (let d = kn - 1; d >= 0; d--) {
      kcnt[d]++;
      kp += keptStrides[d];
      if (kcnt[d] < keptShape[d]) break;
      kcnt[d] = 0;
      kp -= keptStrides[d] * keptShape[d];
    }
  }
};
