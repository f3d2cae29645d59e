// Printouts compared with PyTorch 1.13's repr() of the same tensors (expected strings taken from it).
import { describe, expect, it } from "vitest";
import * as torch from "../../src/engine/index.js";

const f = { dtype: torch.float32 };
const cases: [string, () => torch.Tensor, string][] = [
  ["small floats", () => torch.tensor([[1, 2], [3, 4]], f), "tensor([[1., 2.],\n        [3., 4.]])"],
  ["fractions", () => torch.tensor([0.1, -2.5, 3.14159]), "tensor([ 0.1000, -2.5000,  3.1416])"],
  ["sci", () => torch.tensor([1e-5, 1.0, 1000.0], f), "tensor([1.0000e-05, 1.0000e+00, 1.0000e+03])"],
  ["int mode sci", () => torch.tensor([1, 1e9], f), "tensor([1.0000e+00, 1.0000e+09])"],
  ["negzero", () => torch.tensor([-0, 1], f), "tensor([-0., 1.])"],
  ["nan inf", () => torch.tensor([NaN, Infinity, -Infinity, 1.5]), "tensor([   nan,    inf,   -inf, 1.5000])"],
  ["zeros", () => torch.zeros(3), "tensor([0., 0., 0.])"],
  ["scalar", () => torch.tensor(3.5), "tensor(3.5000)"],
  ["int", () => torch.tensor([[1, -20], [300, 4]]), "tensor([[  1, -20],\n        [300,   4]])"],
  ["int32", () => torch.tensor([1, 2], { dtype: torch.int32 }), "tensor([1, 2], dtype=torch.int32)"],
  ["bool", () => torch.tensor([[true, false]]), "tensor([[ True, False]])"],
  ["f64", () => torch.tensor([1.5], { dtype: torch.float64 }), "tensor([1.5000], dtype=torch.float64)"],
  ["empty2d", () => torch.zeros(0, 3), "tensor([], size=(0, 3))"],
  ["empty1d", () => torch.zeros(0), "tensor([])"],
  ["empty int", () => torch.zeros(0, { dtype: torch.int64 }), "tensor([], dtype=torch.int64)"],
  ["3d", () => torch.arange(12, f).reshape(2, 2, 3), "tensor([[[ 0.,  1.,  2.],\n         [ 3.,  4.,  5.]],\n\n        [[ 6.,  7.,  8.],\n         [ 9., 10., 11.]]])"],
  [
    "long row",
    () => torch.arange(30, f).div(7),
    "tensor([0.0000, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, 0.8571, 1.0000, 1.1429,\n        1.2857, 1.4286, 1.5714, 1.7143, 1.8571, 2.0000, 2.1429, 2.2857, 2.4286,\n        2.5714, 2.7143, 2.8571, 3.0000, 3.1429, 3.2857, 3.4286, 3.5714, 3.7143,\n        3.8571, 4.0000, 4.1429])",
  ],
  [
    "big (summarised)",
    () => torch.arange(1200, f).reshape(40, 30),
    "tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 2.7000e+01, 2.8000e+01,\n         2.9000e+01],\n        [3.0000e+01, 3.1000e+01, 3.2000e+01,  ..., 5.7000e+01, 5.8000e+01,\n         5.9000e+01],\n        [6.0000e+01, 6.1000e+01, 6.2000e+01,  ..., 8.7000e+01, 8.8000e+01,\n         8.9000e+01],\n        ...,\n        [1.1100e+03, 1.1110e+03, 1.1120e+03,  ..., 1.1370e+03, 1.1380e+03,\n         1.1390e+03],\n        [1.1400e+03, 1.1410e+03, 1.1420e+03,  ..., 1.1670e+03, 1.1680e+03,\n         1.1690e+03],\n        [1.1700e+03, 1.1710e+03, 1.1720e+03,  ..., 1.1970e+03, 1.1980e+03,\n         1.1990e+03]])",
  ],
  ["big 1d int", () => torch.arange(1001), "tensor([   0,    1,    2,  ...,  998,  999, 1000])"],
  ["requires_grad", () => torch.ones(2, { requires_grad: true }), "tensor([1., 1.], requires_grad=True)"],
  ["grad_fn", () => torch.ones(2, { requires_grad: true }).mul(2), "tensor([2., 2.], grad_fn=<MulBackward0>)"],
  ["f64 requires_grad", () => torch.ones(2, { dtype: torch.float64, requires_grad: true }), "tensor([1., 1.], dtype=torch.float64, requires_grad=True)"],
  ["uint8", () => torch.tensor([1, 255], { dtype: torch.uint8 }), "tensor([  1, 255], dtype=torch.uint8)"],
  [
    "suffix wraps to a new line",
    () => torch.arange(20, { dtype: torch.float64 }).div(3).requires_grad_(),
    "tensor([0.0000, 0.3333, 0.6667, 1.0000, 1.3333, 1.6667, 2.0000, 2.3333, 2.6667,\n        3.0000, 3.3333, 3.6667, 4.0000, 4.3333, 4.6667, 5.0000, 5.3333, 5.6667,\n        6.0000, 6.3333], dtype=torch.float64, requires_grad=True)",
  ],
  ["non-contiguous view", () => torch.arange(6).reshape(2, 3).t(), "tensor([[0, 3],\n        [1, 4],\n        [2, 5]])"],
];

describe("printout in PyTorch's format", () => {
  for (const [name, make, expected] of cases) {
    it(name, () => {
      expect(String(make())).toBe(expected);
    });
  }
});
