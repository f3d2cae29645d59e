// Bad input gives PyTorch's errors, in PyTorch's words (messages taken from PyTorch 1.13).
import { describe, expect, it } from "vitest";
import * as torch from "../../src/engine/index.js";

const i64 = (v: number[]) => torch.tensor(v, { dtype: torch.int64 });

const cases: [string, () => unknown, string, string][] = [
  ["broadcast mismatch", () => torch.ones(2, 3).add(torch.ones(2, 4)), "RuntimeError", "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1"],
  ["matmul shapes", () => torch.ones(2, 3).matmul(torch.ones(2, 3)), "RuntimeError", "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)"],
  ["dim out of range", () => torch.ones(2, 3).sum(2), "IndexError", "Dimension out of range (expected to be in range of [-2, 1], but got 2)"],
  ["view size", () => torch.ones(2, 3).view(4), "RuntimeError", "shape '[4]' is invalid for input of size 6"],
  ["view strides", () => torch.ones(2, 3).t().view(6), "RuntimeError", "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead."],
  ["two -1", () => torch.ones(2, 3).reshape(-1, -1), "RuntimeError", "only one dimension can be inferred"],
  ["cat sizes", () => torch.cat([torch.ones(2, 3), torch.ones(2, 4)]), "RuntimeError", "Sizes of tensors must match except in dimension 0. Expected size 3 but got size 4 for tensor number 1 in the list."],
  ["index_select range", () => torch.ones(3).index_select(0, i64([5])), "IndexError", "index out of range in self"],
  ["index_select dtype", () => torch.ones(3).index_select(0, torch.tensor([1.5])), "RuntimeError", "index_select(): Expected dtype int32 or int64 for index"],
  ["gather range", () => torch.ones(2, 3).gather(1, i64([5]).reshape(1, 1)), "RuntimeError", "index 5 is out of bounds for dimension 1 with size 3"],
  ["mm dtypes", () => torch.ones(2, 3).mm(torch.ones(3, 2, { dtype: torch.float64 })), "RuntimeError", "expected scalar type Float but found Double"],
  ["mean of ints", () => torch.tensor([1, 2]).mean(), "RuntimeError", "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: Long"],
  ["backward without grad", () => torch.ones(2, 2).sum().backward(), "RuntimeError", "element 0 of tensors does not require grad and does not have a grad_fn"],
  ["int requires grad", () => torch.tensor([1, 2], { dtype: torch.int64, requires_grad: true }), "RuntimeError", "Only Tensors of floating point and complex dtype can require gradients"],
  ["expand", () => torch.ones(2, 3).expand(3, 3), "RuntimeError", "The expanded size of the tensor (3) must match the existing size (2) at non-singleton dimension 0.  Target sizes: [3, 3].  Tensor sizes: [2, 3]"],
  ["in-place broadcast", () => torch.ones(3).add_(torch.ones(2, 3)), "RuntimeError", "output with shape [3] doesn't match the broadcast shape [2, 3]"],
  ["in-place cast", () => torch.ones(3, { dtype: torch.int64 }).add_(1.5), "RuntimeError", "result type Float can't be cast to the desired output type Long"],
  ["transpose dim", () => torch.ones(2, 3).transpose(0, 3), "IndexError", "Dimension out of range (expected to be in range of [-2, 1], but got 3)"],
  ["index", () => torch.ones(2, 3).getitem(5), "IndexError", "index 5 is out of bounds for dimension 0 with size 2"],
  ["max of empty", () => torch.zeros(0).max(), "RuntimeError", "max(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument."],
  ["matrix @ vector", () => torch.ones(2, 3).matmul(torch.ones(4)), "RuntimeError", "size mismatch, got 2, 2x3,4"],
  ["ragged", () => torch.tensor([[1, 2], [3]]), "ValueError", "expected sequence of length 2 at dim 1 (got 1)"],
  ["item", () => torch.ones(3).item(), "ValueError", "only one element tensors can be converted to Python scalars"],
  ["unsqueeze dim", () => torch.ones(2, 2).unsqueeze(3), "IndexError", "Dimension out of range (expected to be in range of [-3, 2], but got 3)"],
  ["bool minus bool", () => torch.ones(2, { dtype: torch.bool }).sub(torch.ones(2, { dtype: torch.bool })), "RuntimeError", "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead."],
  ["narrow", () => torch.ones(2, 3).narrow(1, 2, 2), "RuntimeError", "start (2) + length (2) exceeds dimension size (3)."],
  ["bmm rank", () => torch.ones(2, 3).bmm(torch.ones(2, 3, 3)), "RuntimeError", "batch1 must be a 3D tensor"],
  ["bmm shapes", () => torch.bmm(torch.ones(2, 2, 3), torch.ones(2, 4, 3)), "RuntimeError", "Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [2, 4]."],
  ["softmax dim", () => torch.ones(2, 3).softmax(2), "IndexError", "Dimension out of range (expected to be in range of [-2, 1], but got 2)"],
  ["int64 past 2^53", () => torch.tensor([2 ** 60]), "RuntimeError", "value 1152921504606847000 cannot be held exactly as int64 in JavaScript (|x| must be <= 2^53)"],
];

describe("errors in PyTorch's words", () => {
  for (const [name, fn, kind, message] of cases) {
    it(name, () => {
      let caught: unknown = null;
      try {
        fn();
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(Error);
      expect((caught as Error).name).toBe(kind);
      expect((caught as Error).message).toBe(message);
    });
  }
});
