// F.embedding: rows of `weight` picked by integer indices. Its backward adds each output row's gradient
// into the picked row (index_add), skips padding_idx, and with sparse=true hands back a row-sparse gradient.
import type { BackwardFormula, OpNode } from "../../autograd/node.js";
import { anyRequiresGrad, record, zerosTensor } from "../../ops/common.js";
import { no_grad } from "../../grad_mode.js";
import { IndexError, RuntimeError } from "../../errors.js";
import type { Tensor } from "../../tensor.js";
import { RowSparseTensor } from "../sparse.js";
import { cat } from "../../ops/indexing.js";

interface EmbeddingArgs {
  indices: Tensor;
  padding_idx: number | null;
  sparse: boolean;
  weightShape: readonly number[];
  /** The weight, to keep a row-sparse .grad's row list in step when autograd accumulates into it. */
  weight: Tensor;
}

const embeddingBackward: BackwardFormula<EmbeddingArgs> = {
  name: "EmbeddingBackward0",
  backward(node: OpNode<EmbeddingArgs>, grad: Tensor) {
    const { indices, padding_idx, sparse, weightShape } = node.args;
    const D = weightShape[1];
    let rows = grad.reshape(-1, D);
    if (padding_idx !== null) rows = rows.mul(indices.ne(padding_idx).unsqueeze(1).to(rows.dtype));
    if (sparse) {
      // The rows outlive this backward call, and the engine may recycle the incoming gradient's
      // storage once the node has run (pooling allocators): keep a copy.
      rows = rows.clone();
      // As PyTorch, the padding row is left out of a sparse gradient's indices altogether.
      let idx = indices;
      if (padding_idx !== null) {
        const keep = indices.ne(padding_idx).nonzero().reshape(-1);
        idx = indices.index_select(0, keep);
        rows = rows.index_select(0, keep);
      }
      notePendingRows(node.args.weight, idx, rows);
      return [new RowSparseTensor(idx, rows, weightShape)];
    }
    const dense = zerosTensor([...weightShape], grad.dtype);
    return [dense.index_add_(0, indices, rows)];
  },
};

// Autograd sums the gradients of a weight used several times in one pass with a dense add, and adds a
// new pass into an existing .grad in place. So each sparse backward notes its rows here, and a hook on
// the weight (run on the summed gradient just before it is accumulated) turns the sum back into a
// RowSparseTensor with all of the pass's rows, or appends them to the existing sparse .grad.
const pendingRows = new WeakMap<Tensor, { indices: Tensor[]; rows: Tensor[] }>();
const hooked = new WeakSet<Tensor>();

function notePendingRows(weight: Tensor, indices: Tensor, rows: Tensor): void {
  let p = pendingRows.get(weight);
  if (!p) pendingRows.set(weight, (p = { indices: [], rows: [] }));
  p.indices.push(indices);
  p.rows.push(rows);
}

function ensureSparseHook(weight: Tensor): void {
  if (hooked.has(weight) || !weight.is_leaf || !weight.requires_grad) return;
  hooked.add(weight);
  weight.register_hook((grad) => {
    const p = pendingRows.get(weight);
    if (!p) return undefined;
    pendingRows.delete(weight);
    const indices = p.indices.length === 1 ? p.indices[0] : cat(p.indices, 0);
    const rows = p.rows.length === 1 ? p.rows[0] : cat(p.rows, 0);
    const existing = weight.grad;
    if (existing instanceof RowSparseTensor) {
      existing.appendRows(indices, rows); // the engine adds `grad` into existing's storage next
      return undefined;
    }
    if (existing !== null) return undefined; // a dense .grad stays dense, as sparse + dense in PyTorch
    return grad instanceof RowSparseTensor && grad.rowIndices === indices ? grad : new RowSparseTensor(indices, rows, grad.shape);
  });
}

export function embedding(
  input: Tensor,
  weight: Tensor,
  padding_idx: number | null = null,
  max_norm: number | null = null,
  norm_type = 2.0,
  scale_grad_by_freq = false,
  sparse = false,
): Tensor {
  if (input.dtype.is_floating_point || input.dtype.name === "bool") {
    throw new RuntimeError(
      `Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got torch.${input.dtype.legacyName} instead (while checking arguments for embedding)`,
    );
  }
  if (weight.ndim !== 2) throw new RuntimeError("'weight' must be 2-D");
  const [V, D] = weight.shape;
  let pad = padding_idx;
  if (pad !== null) {
    if (pad >= V || pad < -V) throw new Error("Padding_idx must be within num_embeddings");
    if (pad < 0) pad += V;
  }
  if (max_norm !== null) {
    // Renormalise the looked-up rows in place, as PyTorch does (outside autograd).
    no_grad(() => {
      const idx = input.reshape(-1);
      const picked = weight.index_select(0, idx);
      const norms = picked.norm(norm_type, 1, { keepdim: true });
      const scale = norms.gt(max_norm).to(weight.dtype).mul(norms.add(1e-7).reciprocal().mul(max_norm).sub(1)).add(1);
      const updated = picked.mul(scale);
      weight.index_add_(0, idx, updated.sub(picked));
    });
  }
  if (scale_grad_by_freq) throw new Error("embedding: scale_grad_by_freq is not supported");
  const flat = input.reshape(-1).to(input.dtype);
  if (flat.numel() > 0) {
    const lo = flat.min().item(), hi = flat.max().item();
    if (lo < 0 || hi >= V) throw new IndexError("index out of range in self");
  }
  const out = no_grad(() => weight.index_select(0, flat)).view(...input.shape, D);
  if (anyRequiresGrad([weight])) {
    if (sparse) ensureSparseHook(weight);
    record(out, embeddingBackward, [weight], null, { indices: flat, padding_idx: pad, sparse, weightShape: [V, D], weight });
  }
  return out;
}
