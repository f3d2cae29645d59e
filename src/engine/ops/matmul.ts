// Matrix products with torch.matmul's rules (1-D to N-D, batched, broadcast), mm, bmm, mv, dot, outer.
import type { BackwardFormula } from "../autograd/node.js";
import { kernels } from "../backend/dispatcher.js";
import { RuntimeError } from "../errors.js";
import { no_grad } from "../grad_mode.js";
import { broadcastShapes, broadcastStrides } from "../shape.js";
import { Tensor } from "../tensor.js";
import { emptyTensor, needs2, record, sumToShape, zerosTensor } from "./common.js";
import { add, mul } from "./elementwise.js";
import { reduceLegacyName } from "./names.js";
import { reshapeTo, squeeze, transpose, unsqueeze } from "./view.js";

interface MatmulArgs {
  aShape: readonly number[];
  bShape: readonly number[];
}

const MatmulBackward = (name: string): BackwardFormula<MatmulArgs> => ({
  name,
  backward: (node, g) => {
    const [ea, eb] = node._next;
    // a is saved only when b needs its gradient, and b only when a does.
    return [
      ea ? sumToShape(batchedMatmul(g, transpose(node.saved(1), -1, -2)), node.args.aShape) : null,
      eb ? sumToShape(batchedMatmul(transpose(node.saved(0), -1, -2), g), node.args.bShape) : null,
    ];
  },
});
const MmBackward0 = MatmulBackward("MmBackward0");
const BmmBackward0 = MatmulBackward("BmmBackward0");

function checkDtypes(a: Tensor, b: Tensor): void {
  if (a.dtype !== b.dtype)
    throw new RuntimeError(`expected scalar type ${reduceLegacyName(a.dtype)} but found ${reduceLegacyName(b.dtype)}`);
}

/** a [..., M, K] @ b [..., K, N] with batch dims broadcast; both at least 2-D. */
function batchedMatmul(a: Tensor, b: Tensor): Tensor {
  const ar = a._shape.length;
  const br = b._shape.length;
  const M = a._shape[ar - 2];
  const K = a._shape[ar - 1];
  const N = b._shape[br - 1];
  const aBatch = a._shape.slice(0, ar - 2);
  const bBatch = b._shape.slice(0, br - 2);
  const batch = broadcastShapes(aBatch, bBatch);
  const out = K === 0 ? zerosTensor([...batch, M, N], a.dtype) : emptyTensor([...batch, M, N], a.dtype);
  const aStr = [...broadcastStrides(aBatch, a._strides.slice(0, ar - 2), batch), a._strides[ar - 2], a._strides[ar - 1]];
  const bStr = [...broadcastStrides(bBatch, b._strides.slice(0, br - 2), batch), b._strides[br - 2], b._strides[br - 1]];
  // An empty inner dimension gives all zeros (allocated as such above).
  if (K > 0) kernels.matmul(out._data, batch, M, N, K, a._data, aStr, a._offset, b._data, bStr, b._offset);
  if (needs2(a, b))
    record(out, ar === 2 && br === 2 ? MmBackward0 : BmmBackward0, [a, b], [b._requires_grad ? a : null, a._requires_grad ? b : null], { aShape: a._shape, bShape: b._shape });
  return out;
}

export function mm(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 2) throw new RuntimeError("self must be a matrix");
  if (b.ndim !== 2) throw new RuntimeError("mat2 must be a matrix");
  if (a._shape[1] !== b._shape[0])
    throw new RuntimeError(`mat1 and mat2 shapes cannot be multiplied (${a._shape[0]}x${a._shape[1]} and ${b._shape[0]}x${b._shape[1]})`);
  checkDtypes(a, b);
  return batchedMatmul(a, b);
}

export function bmm(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 3) throw new RuntimeError(`batch1 must be a 3D tensor`);
  if (b.ndim !== 3) throw new RuntimeError(`batch2 must be a 3D tensor`);
  if (b._shape[0] !== a._shape[0] || b._shape[1] !== a._shape[2])
    throw new RuntimeError(
      `Expected size for first two dimensions of batch2 tensor to be: [${a._shape[0]}, ${a._shape[2]}] but got: [${b._shape[0]}, ${b._shape[1]}].`,
    );
  checkDtypes(a, b);
  return batchedMatmul(a, b);
}

/** Records `out` (computed without the graph) under a formula of its own, so grad_fn names match PyTorch's. */
function withNode(out: Tensor, formula: BackwardFormula<MatmulArgs>, a: Tensor, b: Tensor): Tensor {
  if (needs2(a, b)) record(out, formula, [a, b], [b._requires_grad ? a : null, a._requires_grad ? b : null], { aShape: a._shape, bShape: b._shape });
  return out;
}

const DotBackward0: BackwardFormula<MatmulArgs> = {
  name: "DotBackward0",
  backward: (node, g) => {
    const [ea, eb] = node._next;
    return [ea ? mul(node.saved(1), g) : null, eb ? mul(node.saved(0), g) : null];
  },
};
const MvBackward0: BackwardFormula<MatmulArgs> = {
  name: "MvBackward0",
  backward: (node, g) => {
    const [ea, eb] = node._next;
    return [ea ? outer(g, node.saved(1)) : null, eb ? mv(transpose(node.saved(0), 0, 1), g) : null];
  },
};

export function mv(a: Tensor, v: Tensor): Tensor {
  if (a.ndim !== 2 || v.ndim !== 1)
    throw new RuntimeError(`vector + matrix @ vector expected, got 1, ${a.ndim}, ${v.ndim}`);
  if (a._shape[1] !== v._shape[0])
    throw new RuntimeError(`size mismatch, got ${a._shape[0]}, ${a._shape[0]}x${a._shape[1]},${v._shape[0]}`);
  checkDtypes(a, v);
  const out = no_grad(() => squeeze(batchedMatmul(a, unsqueeze(v, 1)), 1));
  return withNode(out, MvBackward0, a, v);
}

export function dot(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 1 || b.ndim !== 1)
    throw new RuntimeError(`1D tensors expected, but got ${a.ndim}D and ${b.ndim}D tensors`);
  if (a._shape[0] !== b._shape[0])
    throw new RuntimeError(
      `inconsistent tensor size, expected tensor [${a._shape[0]}] and src [${b._shape[0]}] to have the same number of elements, but got ${a._shape[0]} and ${b._shape[0]} elements respectively`,
    );
  checkDtypes(a, b);
  const out = no_grad(() => reshapeTo(batchedMatmul(unsqueeze(a, 0), unsqueeze(b, 1)), []));
  return withNode(out, DotBackward0, a, b);
}

export function outer(a: Tensor, b: Tensor): Tensor {
  return batchedMatmul(unsqueeze(a, 1), unsqueeze(b, 0));
}

/** torch.addmm(input, mat1, mat2, beta=1, alpha=1) = beta * input + alpha * (mat1 @ mat2). */
export function addmm(input: Tensor, mat1: Tensor, mat2: Tensor, opts?: { beta?: number; alpha?: number }): Tensor {
  const beta = opts?.beta ?? 1;
  const alpha = opts?.alpha ?? 1;
  const prod = mm(mat1, mat2);
  const scaled = alpha === 1 ? prod : mul(prod, alpha);
  if (beta === 0) return scaled;
  return add(beta === 1 ? input : mul(input, beta), scaled);
}

/** torch.matmul. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const ad = a.ndim;
  const bd = b.ndim;
  if (ad === 0 || bd === 0)
    throw new RuntimeError(`both arguments to matmul need to be at least 1D, but they are ${ad}D and ${bd}D`);
  checkDtypes(a, b);
  if (ad === 1 && bd === 1) return dot(a, b);
  if (ad === 2 && bd === 2) return mm(a, b);
  if (ad === 2 && bd === 1) return mv(a, b);
  const x = ad === 1 ? unsqueeze(a, 0) : a;
  const y = bd === 1 ? unsqueeze(b, 1) : b;
  const K = x._shape[x.ndim - 1];
  if (y._shape[y.ndim - 2] !== K) {
    if (ad === 2 && bd === 1)
      throw new RuntimeError(`size mismatch, got ${a._shape[0]}, ${a._shape[0]}x${a._shape[1]},${b._shape[0]}`);
    const xr = reshapeTo(x.detach(), [x.numel() / K, K]);
    throw new RuntimeError(`mat1 and mat2 shapes cannot be multiplied (${xr._shape[0]}x${K} and ${y._shape[y.ndim - 2]}x${y._shape[y.ndim - 1]})`);
  }
  let r: Tensor;
  if (y.ndim === 2 && x.ndim > 2 && x.is_contiguous()) {
    // Fold batch dims of a into rows: one GEMM instead of many (as PyTorch does).
    const rows = x.numel() / K;
    const folded = batchedMatmul(reshapeTo(x, [rows, K]), y);
    r = reshapeTo(folded, [...x._shape.slice(0, -1), y._shape[1]]);
  } else r = batchedMatmul(x, y);
  if (ad === 1) r = squeeze(r, -2);
  if (bd === 1) r = squeeze(r, -1);
  return r;
}

