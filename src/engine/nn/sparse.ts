// Row-sparse gradients, as a sparse nn.Embedding produces (PyTorch's sparse COO gradient with indices
// along dim 0). The engine has no sparse storage, so a RowSparseTensor keeps the dense sum as its
// storage (every dense op and gradient accumulation keeps working) and records which rows are present:
// `is_sparse` is true, `_indices()`/`_values()`/`coalesce()` expose the row structure, and SparseAdam
// updates only those rows, as PyTorch does.
import { Tensor } from "../tensor.js";
import { fromData, zerosTensor } from "../ops/common.js";
import { int64 } from "../dtype.js";
import { no_grad } from "../grad_mode.js";
import { cat } from "../ops/indexing.js";

export class RowSparseTensor extends Tensor {
  /** int64 [nnz]: the row of each entry of `values` (may repeat until coalesced). */
  rowIndices: Tensor;
  /** [nnz, ...rest]: the rows. */
  rowValues: Tensor;

  constructor(indices: Tensor, values: Tensor, size: readonly number[]) {
    const dense = zerosTensor([...size], values.dtype);
    no_grad(() => dense.index_add_(0, indices, values));
    super(dense._data, dense._shape, dense._strides, 0, dense.dtype);
    this.rowIndices = indices;
    this.rowValues = values;
  }

  override get is_sparse(): boolean {
    return true;
  }

  _indices(): Tensor {
    return this.rowIndices.unsqueeze(0);
  }

  _values(): Tensor {
    return this.rowValues;
  }

  /**
   * Records rows that autograd is about to add into this gradient in place (the engine accumulates a
   * second backward pass into the existing .grad's storage; this keeps the row list in step).
   */
  appendRows(indices: Tensor, values: Tensor): void {
    this.rowIndices = cat([this.rowIndices, indices], 0);
    this.rowValues = cat([this.rowValues, values], 0);
  }

  /** Zeroing a sparse gradient leaves no rows (PyTorch's zero_() on a sparse tensor gives nnz = 0). */
  override zero_(): this {
    super.zero_();
    this.rowIndices = this.rowIndices.narrow(0, 0, 0);
    this.rowValues = this.rowValues.narrow(0, 0, 0);
    return this;
  }

  /** Unique, sorted rows with their summed values. */
  coalesce(): RowSparseTensor {
    const rows = [...new Set(this.rowIndices.tolist() as number[])].sort((a, b) => a - b);
    const idx = fromData(Float64Array.from(rows), [rows.length], int64);
    const dense = new Tensor(this._data, this._shape, this._strides, this._offset, this.dtype);
    return new RowSparseTensor(idx, dense.index_select(0, idx), this._shape);
  }
}
