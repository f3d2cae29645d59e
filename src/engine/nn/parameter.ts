// nn.Parameter: a leaf tensor that a Module registers as a parameter when assigned to one of its fields.
// It shares the storage of the tensor it is made from, as PyTorch's does.
import { Tensor } from "../tensor.js";
import { float32 } from "../dtype.js";

export class Parameter extends Tensor {
  constructor(data?: Tensor, requires_grad = true) {
    const src = data ?? new Tensor(new Float32Array(0), [0], [1], 0, float32);
    super(src._data, [...src._shape], [...src._strides], src._offset, src.dtype, src._vc);
    this.requires_grad_(requires_grad);
  }

  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}
