"""Reference printouts of tensors (issue 2: "a printout in PyTorch's format").

Writes test/fixtures/tensor-printouts.json. Each case gives a tensor (its data, dtype, and whether it
requires grad), an optional method call applied to it (`then`: [name, [args]], e.g. ["mul", [2]] to
get a result with grad_fn=<MulBackward0>) and PyTorch's repr of the result, with default print
options.
"""
import math

import torch

from common import deterministic_setup, encode_tensor, write_fixture
from inputs import generator_for

CASES = []


def printout(name, t, requires_grad=False, then=None):
    t = t.clone()
    if requires_grad:
        t.requires_grad_(True)
    result = getattr(t, then[0])(*then[1]) if then else t
    entry = encode_tensor(t)
    entry["requires_grad"] = requires_grad
    CASES.append({"name": name, "input": entry, "then": then, "repr": repr(result)})


def main():
    deterministic_setup()
    f32, f64 = torch.float32, torch.float64
    printout("float32_2d", torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
    printout("float64_2d", torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=f64))
    printout("float32_fractions", torch.tensor([1.23456789, -0.5, 100.25]))
    printout("float32_small_and_large", torch.tensor([1e-5, 1.0, 1000.0]))
    printout("float32_integral_large", torch.tensor([100000.0, 2.0]))
    printout("float32_huge", torch.tensor([1e10, 1.0]))
    printout("float32_tiny", torch.tensor([1e-10, 2e-10]))
    printout("float32_nan_inf", torch.tensor([math.nan, math.inf, -math.inf, 1.0]))
    printout("float32_negative_zero", torch.tensor([-0.0, 1.0]))
    printout("float32_all_zero", torch.zeros(3))
    printout("float32_scalar", torch.tensor(3.5))
    printout("float64_scalar", torch.tensor(-0.125, dtype=f64))
    printout("int64_1d", torch.tensor([1, 2, 3]))
    printout("int64_negative_2d", torch.tensor([[1, -20], [300, 4]]))
    printout("int32_1d", torch.tensor([1, 2, 3], dtype=torch.int32))
    printout("int64_scalar", torch.tensor(7))
    printout("bool_1d", torch.tensor([True, False, True]))
    printout("empty", torch.tensor([]))
    printout("empty_0x3", torch.zeros(0, 3))
    printout("empty_float64", torch.zeros(0, dtype=f64))
    printout("float32_3d", torch.arange(12, dtype=f32).reshape(2, 3, 2) / 4)
    g = generator_for("printouts")
    printout("float32_randn_wraps", torch.randn(30, generator=g))
    printout("float64_randn_2d", torch.randn(3, 5, generator=g, dtype=f64))
    printout("float32_summarized_1d", torch.arange(2000, dtype=f32))
    printout("float32_summarized_2d", torch.arange(40 * 40, dtype=f32).reshape(40, 40) / 7)
    printout("int64_summarized", torch.arange(1500))
    printout("requires_grad", torch.tensor([1.0, 2.0]), requires_grad=True)
    printout("requires_grad_float64", torch.tensor([1.0, 2.0], dtype=f64), requires_grad=True)
    printout("grad_fn_mul", torch.tensor([1.0, 2.0]), requires_grad=True, then=["mul", [2]])
    printout("grad_fn_sum", torch.tensor([1.0, 2.0]), requires_grad=True, then=["sum", []])
    printout("grad_fn_add_float64", torch.tensor([1.0, 2.0], dtype=f64), requires_grad=True, then=["add", [1]])
    printout("grad_fn_view", torch.tensor([1.0, 2.0, 3.0, 4.0]), requires_grad=True, then=["view", [2, 2]])
    printout("grad_fn_exp", torch.tensor([0.0, 1.0]), requires_grad=True, then=["exp", []])
    write_fixture("tensor-printouts.json", __file__, {
        "description": "PyTorch's tensor printouts. See scripts/reference/printouts.py.",
        "cases": CASES,
    })
    for c in CASES:
        print(c["name"], c["repr"])


if __name__ == "__main__":
    main()
