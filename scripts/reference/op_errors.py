"""PyTorch's error messages for bad input to engine ops (issue 2: "errors in PyTorch's words").

Writes test/fixtures/op-errors.json. Each case is an op call in the ops.json format (op, args,
kwargs, inputs) that PyTorch rejects, with the first line of PyTorch's message; the harness expects
the engine to throw an error whose message contains it. "then" optionally names a follow-up:
"backward" calls backward() on the result (errors that only show at backward time) and
"sum_backward_twice" calls sum() on the result, then backward() on that twice (no retain_graph);
"add_1_then_sum_backward" modifies the result in place (add_(1)) before sum().backward().
"""
import torch

from common import deterministic_setup, encode_tensor, write_fixture
from inputs import F64, I64, generator_for, given, index, randn
from ops import I, IL, encode_arg, resolve, substitute

CASES = []


def error_case(name, op, inputs, args, kwargs=None, then=None, leaf_requires_grad=None):
    kwargs = kwargs or {}
    g = generator_for(name)
    views, encoded = [], []
    for spec in inputs:
        x = spec.make(g).detach().clone()
        wants = x.is_floating_point() if leaf_requires_grad is None else leaf_requires_grad
        x.requires_grad_(wants)
        entry = encode_tensor(x)
        entry["requires_grad"] = wants
        if spec.view:
            entry["view"] = spec.view
        for method, margs in spec.view:
            x = getattr(x, method)(*margs)
        views.append(x)
        encoded.append(entry)
    try:
        out = resolve(op)(*substitute(args, views), **substitute(kwargs, views))
        if then == "backward":
            out.backward()
        elif then == "add_1_then_sum_backward":
            out.add_(1)
            out.sum().backward()
        elif then == "sum_backward_twice":
            total = out.sum()
            total.backward()
            total.backward()
        raise AssertionError(f"{name}: PyTorch accepted it")
    except RuntimeError as e:
        message = str(e).split("\n")[0]
    except IndexError as e:
        message = str(e).split("\n")[0]
    CASES.append({
        "name": name, "op": op, "args": encode_arg(list(args)), "kwargs": encode_arg(kwargs), "inputs": encoded,
        "then": then, "error": message,
    })


def main():
    deterministic_setup()
    error_case("add/broadcast_mismatch", "torch.add", [randn(2, 3), randn(2, 4)], [I(0), I(1)])
    error_case("mul/broadcast_mismatch_dim0", "torch.mul", [randn(3), randn(4)], [I(0), I(1)])
    error_case("matmul/inner_mismatch", "torch.matmul", [randn(2, 3), randn(4, 5)], [I(0), I(1)])
    error_case("mm/inner_mismatch", "torch.mm", [randn(2, 3), randn(2, 3)], [I(0), I(1)])
    error_case("mm/not_2d", "torch.mm", [randn(2, 3, 4), randn(4, 3)], [I(0), I(1)])
    error_case("bmm/batch_mismatch", "torch.bmm", [randn(2, 3, 4), randn(3, 4, 5)], [I(0), I(1)])
    error_case("matmul/1d_1d_mismatch", "torch.matmul", [randn(3), randn(4)], [I(0), I(1)])
    error_case("sum/dim_out_of_range", "Tensor.sum", [randn(2, 3)], [I(0), 2])
    error_case("sum/negative_dim_out_of_range", "Tensor.sum", [randn(2, 3)], [I(0), -3])
    error_case("transpose/dim_out_of_range", "Tensor.transpose", [randn(2, 3)], [I(0), 0, 5])
    error_case("softmax/dim_out_of_range", "torch.softmax", [randn(2, 3)], [I(0), 3])
    error_case("view/bad_numel", "Tensor.view", [randn(2, 3)], [I(0), 5])
    error_case("reshape/bad_numel", "Tensor.reshape", [randn(2, 3)], [I(0), 4, 2])
    error_case("view/two_inferred", "Tensor.view", [randn(2, 3)], [I(0), -1, -1])
    error_case("view/non_contiguous", "Tensor.view", [randn(3, 4).as_view(["t", []])], [I(0), 12])
    error_case("cat/size_mismatch", "torch.cat", [randn(2, 3), randn(2, 2)], [IL(0, 1)])
    error_case("stack/size_mismatch", "torch.stack", [randn(2, 3), randn(3, 2)], [IL(0, 1)])
    error_case("expand/non_singleton", "Tensor.expand", [randn(3)], [I(0), 2, 4])
    error_case("gather/index_out_of_bounds", "torch.gather", [randn(2, 4), given([[0, 5], [1, 2]], I64)], [I(0), 1, I(1)])
    error_case("index_select/index_out_of_range", "torch.index_select", [randn(3, 2), given([0, 3], I64)],
               [I(0), 0, I(1)])
    error_case("backward/non_scalar_implicit", "torch.mul", [randn(2, 3)], [I(0), 2.0], then="backward")
    error_case("backward/twice_through_freed_buffers", "torch.exp", [randn(3)], [I(0)], then="sum_backward_twice")
    error_case("backward/no_grad_fn", "torch.add", [randn(2)], [I(0), 1.0], then="backward",
               leaf_requires_grad=False)
    error_case("add_/leaf_requires_grad", "Tensor.add_", [randn(3)], [I(0), 1.0])
    error_case("backward/saved_tensor_modified_in_place", "torch.exp", [randn(3)], [I(0)],
               then="add_1_then_sum_backward")
    write_fixture("op-errors.json", __file__, {
        "description": "PyTorch's error messages for bad input. See scripts/reference/README.md.",
        "cases": CASES,
    })
    print(f"{len(CASES)} cases")


if __name__ == "__main__":
    main()
