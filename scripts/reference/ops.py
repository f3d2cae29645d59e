"""Reference values for the engine's ops (issue 2): forward results and gradients from PyTorch.

Writes test/fixtures/ops.json. Each case names a PyTorch callable ("torch.add", "Tensor.sum",
"torch.nn.functional.pad"), its positional args and keyword args, and its inputs with their data.
The expected output(s) and the gradient of every input that requires grad follow, computed with
torch.autograd.backward(outputs, grad_outputs) for stored random grad_outputs.
"""
import zlib

import torch
import torch.nn.functional as F

from common import DTYPE_NAMES, deterministic_setup, encode_tensor, encode_value, write_fixture
from inputs import Spec, away_from_zero, distinct, given, index, mask, positive, randn, uniform

F64, F32, I64, I32, BOOL = torch.float64, torch.float32, torch.int64, torch.int32, torch.bool


class I:
    """Positional or keyword argument that is the i-th input (after its view steps)."""
    def __init__(self, i):
        self.i = i


class IL:
    """An argument that is a list of inputs (torch.cat, torch.stack)."""
    def __init__(self, *idx):
        self.idx = idx


# ---------------------------------------------------------------------------------------------
CASES = []


def resolve(op):
    if op.startswith("Tensor."):
        name = op[len("Tensor."):]
        return lambda self, *a, **k: getattr(self, name)(*a, **k)
    obj = {"torch": torch}
    parts = op.split(".")
    target = obj[parts[0]]
    for p in parts[1:]:
        target = getattr(target, p)
    return target


def substitute(value, views):
    if isinstance(value, I):
        return views[value.i]
    if isinstance(value, IL):
        return [views[i] for i in value.idx]
    if isinstance(value, (list, tuple)):
        return type(value)(substitute(v, views) for v in value)
    if isinstance(value, dict):
        return {k: substitute(v, views) for k, v in value.items()}
    return value


def encode_arg(value):
    if isinstance(value, I):
        return {"input": value.i}
    if isinstance(value, IL):
        return {"inputs": list(value.idx)}
    if isinstance(value, (list, tuple)):
        return [encode_arg(v) for v in value]
    if isinstance(value, dict):
        return {k: encode_arg(v) for k, v in value.items()}
    return encode_value(value)


def case(name, op, inputs, args, kwargs=None, grad=True):
    """Run one op in PyTorch and record inputs, output(s) and gradients."""
    kwargs = kwargs or {}
    g = torch.Generator().manual_seed(zlib.crc32(name.encode()))
    leaves, views, encoded_inputs = [], [], []
    for spec in inputs:
        leaf = spec.make(g).detach().clone()
        wants_grad = spec.requires_grad if spec.requires_grad is not None else leaf.is_floating_point()
        wants_grad = wants_grad and grad
        leaf.requires_grad_(wants_grad)
        x = leaf
        for method, margs in spec.view:
            x = getattr(x, method)(*margs)
        leaves.append(leaf)
        views.append(x)
        entry = encode_tensor(leaf)
        entry["requires_grad"] = wants_grad
        if spec.view:
            entry["view"] = spec.view
        encoded_inputs.append(entry)

    result = resolve(op)(*substitute(args, views), **substitute(kwargs, views))

    if isinstance(result, torch.Tensor):
        kind, outs, names = "tensor", [result], None
    elif type(result).__module__ == "torch.return_types":
        # PyTorch's named tuples (max/min with dim): (values, indices).
        names = [n for n in ("values", "indices") if hasattr(result, n)]
        kind, outs = "named", [getattr(result, n) for n in names]
    elif isinstance(result, (tuple, list)):
        kind, outs, names = "tuple", list(result), None
    else:
        raise TypeError(f"{name}: unexpected result type {type(result)}")

    diff_outs, grad_outs, encoded_gouts = [], [], []
    for o in outs:
        if o.requires_grad:
            go = torch.randn(o.shape, generator=g, dtype=F64).to(o.dtype)
            diff_outs.append(o)
            grad_outs.append(go)
            encoded_gouts.append(encode_tensor(go))
        else:
            encoded_gouts.append(None)
    if diff_outs:
        torch.autograd.backward(diff_outs, grad_outs)

    entry = {
        "name": name,
        "op": op,
        "args": encode_arg(list(args)),
        "kwargs": encode_arg(kwargs),
        "inputs": encoded_inputs,
        "output_kind": kind,
        "outputs": [encode_tensor(o) for o in outs],
    }
    if names:
        entry["output_names"] = names
    if diff_outs:
        entry["grad_outputs"] = encoded_gouts
        entry["grads"] = [
            (encode_tensor(leaf.grad) if leaf.grad is not None else None) if leaf.requires_grad else None
            for leaf in leaves
        ]
    if any(c["name"] == name for c in CASES):
        raise ValueError(f"duplicate case name {name}")
    CASES.append(entry)


def dn(dtype):
    return DTYPE_NAMES[dtype]


# ---------------------------------------------------------------------------------------------
# The cases.
BROADCAST_SHAPES = [
    ("3x4_3x4", (3, 4), (3, 4)),
    ("3x4_4", (3, 4), (4,)),
    ("3x1_1x4", (3, 1), (1, 4)),
    ("2x1x4_3x1", (2, 1, 4), (3, 1)),
    ("scalar_2x3", (), (2, 3)),
    ("2x3_scalar", (2, 3), ()),
    ("1_5", (1,), (5,)),
    ("0x3_3", (0, 3), (3,)),
    ("2x0x3_1x3", (2, 0, 3), (1, 3)),
]


def elementwise_binary():
    for op, rhs in [("add", randn), ("sub", randn), ("mul", randn), ("div", away_from_zero),
                    ("maximum", randn), ("minimum", randn)]:
        for tag, sa, sb in BROADCAST_SHAPES:
            case(f"{op}/{tag}/float64", f"torch.{op}", [randn(*sa), rhs(*sb)], [I(0), I(1)])
        case(f"{op}/3x4_4/float32", f"torch.{op}", [randn(3, 4, dtype=F32), rhs(4, dtype=F32)], [I(0), I(1)])
    for op, scalar in [("add", 2.5), ("sub", -1.25), ("mul", 3.0), ("div", 4.0)]:
        case(f"{op}/tensor_scalar/float64", f"torch.{op}", [randn(2, 3)], [I(0), scalar])
        case(f"{op}/tensor_scalar/float32", f"torch.{op}", [randn(2, 3, dtype=F32)], [I(0), scalar])
    case("add/alpha/float64", "torch.add", [randn(2, 3), randn(3)], [I(0), I(1)], {"alpha": 2.0})
    case("sub/alpha/float64", "torch.sub", [randn(2, 3), randn(3)], [I(0), I(1)], {"alpha": 0.5})
    # Method forms, as user code writes them.
    case("Tensor.add/3x1_1x4/float64", "Tensor.add", [randn(3, 1), randn(1, 4)], [I(0), I(1)])
    case("Tensor.mul/2x3_3/float64", "Tensor.mul", [randn(2, 3), randn(3)], [I(0), I(1)])
    case("Tensor.div/2x3_2x1/float64", "Tensor.div", [randn(2, 3), away_from_zero(2, 1)], [I(0), I(1)])
    case("Tensor.sub/2x3_scalar/float64", "Tensor.sub", [randn(2, 3)], [I(0), 1.5])
    # Same input twice: gradients from both uses accumulate.
    case("mul/same_input_twice/float64", "torch.mul", [randn(3, 2)], [I(0), I(0)])
    # Ties of maximum/minimum: PyTorch splits the gradient equally.
    case("maximum/ties/float64", "torch.maximum", [given([1.0, 2.0, 3.0, -1.0]), given([1.0, 0.0, 3.0, 5.0])], [I(0), I(1)])
    case("minimum/ties/float64", "torch.minimum", [given([1.0, 2.0, 3.0, -1.0]), given([1.0, 0.0, 3.0, 5.0])], [I(0), I(1)])


def pow_cases():
    for e in [2, 3, 0.5, -1.5, 0]:
        case(f"pow/tensor_scalar_{e}/float64", "torch.pow", [positive(2, 3)], [I(0), e])
    case("pow/tensor_scalar_2_negative_base/float64", "torch.pow", [randn(2, 3)], [I(0), 2])
    case("pow/tensor_scalar_3/float32", "torch.pow", [randn(2, 3, dtype=F32)], [I(0), 3])
    case("pow/tensor_tensor/float64", "torch.pow", [positive(3, 4), randn(3, 4)], [I(0), I(1)])
    case("pow/tensor_tensor_broadcast/float64", "torch.pow", [positive(3, 1), randn(4)], [I(0), I(1)])
    case("pow/scalar_tensor/float64", "torch.pow", [randn(2, 3)], [2.0, I(0)])
    case("Tensor.pow/tensor_scalar/float64", "Tensor.pow", [randn(4)], [I(0), 2])


def elementwise_unary():
    specs = {
        "neg": randn, "exp": randn, "log": positive, "sqrt": positive, "rsqrt": positive,
        "abs": away_from_zero, "sign": away_from_zero, "relu": away_from_zero, "sigmoid": randn,
        "tanh": randn,
    }
    for op, spec in specs.items():
        case(f"{op}/3x4/float64", f"torch.{op}", [spec(3, 4)], [I(0)])
        case(f"{op}/2x3x2/float32", f"torch.{op}", [spec(2, 3, 2, dtype=F32)], [I(0)])
        case(f"{op}/scalar/float64", f"torch.{op}", [spec()], [I(0)])
        case(f"Tensor.{op}/5/float64", f"Tensor.{op}", [spec(5)], [I(0)])
    case("exp/0x3/float64", "torch.exp", [randn(0, 3)], [I(0)])
    # Kinks at exactly zero: PyTorch's convention is a zero subgradient for abs, sign and relu.
    case("abs/zero/float64", "torch.abs", [given([-1.0, 0.0, 2.0])], [I(0)])
    case("sign/zero/float64", "torch.sign", [given([-1.0, 0.0, 2.0])], [I(0)])
    case("relu/zero/float64", "torch.relu", [given([-1.0, 0.0, 2.0])], [I(0)])
    # Saturation: sigmoid and tanh for large |x| stay finite.
    case("sigmoid/large/float64", "torch.sigmoid", [given([-800.0, -40.0, 0.0, 40.0, 800.0])], [I(0)])
    case("sigmoid/large/float32", "torch.sigmoid", [given([-100.0, -20.0, 0.0, 20.0, 100.0], F32)], [I(0)])
    case("tanh/large/float64", "torch.tanh", [given([-400.0, -20.0, 0.0, 20.0, 400.0])], [I(0)])
    for approximate in ["none", "tanh"]:
        case(f"gelu/{approximate}/float64", "torch.nn.functional.gelu", [randn(3, 4, scale=2.0)], [I(0)],
             {"approximate": approximate})
        case(f"gelu/{approximate}/float32", "torch.nn.functional.gelu", [randn(3, 4, scale=2.0, dtype=F32)], [I(0)],
             {"approximate": approximate})
    case("gelu/default/float64", "torch.nn.functional.gelu", [randn(6)], [I(0)])
    case("relu/functional/float64", "torch.nn.functional.relu", [away_from_zero(2, 3)], [I(0)])
    # Dropout with nothing dropped is deterministic: p=0 while training, or any p in eval.
    case("dropout/p0/float64", "torch.nn.functional.dropout", [randn(3, 4)], [I(0)], {"p": 0.0, "training": True})
    case("dropout/eval/float64", "torch.nn.functional.dropout", [randn(3, 4)], [I(0)], {"p": 0.5, "training": False})


def clamp_cases():
    case("clamp/min_max/float64", "torch.clamp", [randn(3, 4)], [I(0)], {"min": -0.5, "max": 0.5})
    case("clamp/min_only/float64", "torch.clamp", [randn(3, 4)], [I(0)], {"min": 0.1})
    case("clamp/max_only/float64", "torch.clamp", [randn(3, 4)], [I(0)], {"max": -0.1})
    case("clamp/positional/float64", "torch.clamp", [randn(3, 4)], [I(0), -1.0, 1.0])
    case("clamp/min_max/float32", "torch.clamp", [randn(3, 4, dtype=F32)], [I(0)], {"min": -0.5, "max": 0.5})
    # The gradient passes at the bounds themselves (min <= x <= max).
    case("clamp/at_bounds/float64", "torch.clamp", [given([-2.0, -1.0, 0.0, 1.0, 2.0])], [I(0)],
         {"min": -1.0, "max": 1.0})
    case("Tensor.clamp/min_max/float64", "Tensor.clamp", [randn(5)], [I(0)], {"min": -0.3, "max": 0.3})


def where_cases():
    case("where/same_shape/float64", "torch.where", [mask(3, 4), randn(3, 4), randn(3, 4)], [I(0), I(1), I(2)])
    case("where/broadcast/float64", "torch.where", [mask(3, 1), randn(1, 4), randn(3, 4)], [I(0), I(1), I(2)])
    case("where/broadcast_cond/float64", "torch.where", [mask(2, 3, 4), randn(4), randn(3, 1)], [I(0), I(1), I(2)])
    case("where/float32", "torch.where", [mask(5), randn(5, dtype=F32), randn(5, dtype=F32)], [I(0), I(1), I(2)])


def comparison_cases():
    for op in ["eq", "ne", "lt", "le", "gt", "ge"]:
        # Values drawn from a small set so that equality actually happens.
        a = Spec(lambda g: torch.randint(0, 3, (3, 4), generator=g).to(F64))
        b = Spec(lambda g: torch.randint(0, 3, (4,), generator=g).to(F64))
        case(f"{op}/broadcast/float64", f"torch.{op}", [a, b], [I(0), I(1)], grad=False)
        case(f"{op}/scalar/float64", f"torch.{op}", [a], [I(0), 1.0], grad=False)
        case(f"Tensor.{op}/broadcast/int64", f"Tensor.{op}", [index(3, 2, 3), index(3, 3)], [I(0), I(1)], grad=False)


def promotion_cases():
    case("add/promote_int64_float32", "torch.add", [index(5, 2, 3), randn(3, dtype=F32)], [I(0), I(1)])
    case("add/promote_float32_float64", "torch.add", [randn(2, 3, dtype=F32), randn(3)], [I(0), I(1)])
    case("add/promote_int32_int64", "torch.add", [index(5, 2, 3, dtype=I32), index(5, 3)], [I(0), I(1)])
    case("mul/promote_bool_int64", "torch.mul", [mask(2, 3), index(5, 3)], [I(0), I(1)])
    # A 0-d tensor does not promote a dimensioned tensor of the same category.
    case("add/promote_0d_float64_with_float32", "torch.add", [randn(4, dtype=F32), randn()], [I(0), I(1)])
    case("mul/int64_float_scalar", "torch.mul", [index(5, 2, 3)], [I(0), 2.5])
    case("div/int64_int64_true_division", "torch.div", [index(9, 2, 3), Spec(lambda g: torch.randint(1, 4, (3,), generator=g))],
         [I(0), I(1)])
    case("add/int64_int64", "torch.add", [index(9, 2, 3), index(9, 3)], [I(0), I(1)])


def reduction_cases():
    for op in ["sum", "mean"]:
        case(f"{op}/all/float64", f"Tensor.{op}", [randn(3, 4)], [I(0)])
        case(f"{op}/dim0/float64", f"Tensor.{op}", [randn(3, 4)], [I(0), 0])
        case(f"{op}/dim1_keepdim/float64", f"Tensor.{op}", [randn(3, 4)], [I(0), 1], {"keepdim": True})
        case(f"{op}/dim_neg1/float64", f"Tensor.{op}", [randn(2, 3, 4)], [I(0), -1])
        case(f"{op}/dims_0_2/float64", f"Tensor.{op}", [randn(2, 3, 4)], [I(0), [0, 2]])
        case(f"{op}/dims_0_2_keepdim/float64", f"Tensor.{op}", [randn(2, 3, 4)], [I(0), [0, 2]], {"keepdim": True})
        case(f"{op}/dim_kwarg/float64", f"Tensor.{op}", [randn(2, 3, 4)], [I(0)], {"dim": 1})
        case(f"{op}/function/float64", f"torch.{op}", [randn(3, 4)], [I(0), 1])
        case(f"{op}/scalar_input/float64", f"Tensor.{op}", [randn()], [I(0)])
        case(f"{op}/dim1/float32", f"Tensor.{op}", [randn(5, 7, dtype=F32)], [I(0), 1])
        case(f"{op}/noncontiguous/float64", f"Tensor.{op}", [randn(4, 3).as_view(["t", []])], [I(0), 1])
    case("sum/size0_dim/float64", "Tensor.sum", [randn(0, 3)], [I(0), 0])
    case("sum/size0_all/float64", "Tensor.sum", [randn(2, 0)], [I(0)])
    case("sum/int64", "Tensor.sum", [index(9, 3, 4)], [I(0), 1])
    case("sum/bool", "Tensor.sum", [mask(3, 4)], [I(0)])

    for op in ["max", "min"]:
        case(f"{op}/all/float64", f"Tensor.{op}", [distinct(3, 4)], [I(0)])
        case(f"{op}/dim1/float64", f"Tensor.{op}", [distinct(3, 4)], [I(0), 1])
        case(f"{op}/dim0_keepdim/float64", f"Tensor.{op}", [distinct(3, 4)], [I(0), 0], {"keepdim": True})
        case(f"{op}/dim_neg1_3d/float64", f"Tensor.{op}", [distinct(2, 3, 4)], [I(0), -1])
        case(f"{op}/function_dim/float64", f"torch.{op}", [distinct(3, 4)], [I(0), 1])
        case(f"{op}/dim1/float32", f"Tensor.{op}", [distinct(4, 5, dtype=F32)], [I(0), 1])
        # Full reduction with ties: PyTorch 1.13 spreads the gradient evenly over the tied maxima.
        case(f"{op}/all_ties/float64", f"Tensor.{op}", [given([[1.0, 3.0], [3.0, -3.0], [-3.0, 0.0]])], [I(0)])
        case(f"{op}/int64_dim", f"Tensor.{op}", [index(100, 3, 4)], [I(0), 1])
    for op in ["argmax", "argmin"]:
        case(f"{op}/all/float64", f"Tensor.{op}", [distinct(3, 4)], [I(0)])
        case(f"{op}/dim1/float64", f"Tensor.{op}", [distinct(3, 4)], [I(0), 1])
        case(f"{op}/dim0_keepdim/float64", f"Tensor.{op}", [distinct(3, 4)], [I(0), 0], {"keepdim": True})
        case(f"{op}/function/float64", f"torch.{op}", [distinct(2, 3, 4)], [I(0)], {"dim": -1})
        # Ties: the first occurrence wins.
        case(f"{op}/ties/float64", f"Tensor.{op}", [given([[1.0, 3.0, 3.0], [-3.0, -3.0, 0.0]])], [I(0), 1])

    for op in ["var", "std"]:
        case(f"{op}/all/float64", f"Tensor.{op}", [randn(3, 4)], [I(0)])
        case(f"{op}/all_biased/float64", f"Tensor.{op}", [randn(3, 4)], [I(0)], {"unbiased": False})
        case(f"{op}/dim1/float64", f"Tensor.{op}", [randn(3, 4)], [I(0), 1])
        case(f"{op}/dim0_keepdim_biased/float64", f"Tensor.{op}", [randn(3, 4)], [I(0), 0],
             {"unbiased": False, "keepdim": True})
        case(f"{op}/dims_0_2/float64", f"Tensor.{op}", [randn(2, 3, 4)], [I(0), [0, 2]])
        case(f"{op}/function_dim/float64", f"torch.{op}", [randn(3, 5)], [I(0), 1])
        case(f"{op}/dim1/float32", f"Tensor.{op}", [randn(4, 6, dtype=F32)], [I(0), 1])

    case("logsumexp/dim1/float64", "torch.logsumexp", [randn(3, 4)], [I(0), 1])
    case("logsumexp/dim0_keepdim/float64", "torch.logsumexp", [randn(3, 4)], [I(0), 0], {"keepdim": True})
    case("logsumexp/dims/float64", "torch.logsumexp", [randn(2, 3, 4)], [I(0), [0, 2]])
    case("logsumexp/large/float64", "torch.logsumexp", [given([[1000.0, 1001.0, 999.0], [-1000.0, -1002.0, -999.0]])], [I(0), 1])
    case("logsumexp/large/float32", "torch.logsumexp", [given([[100.0, 101.0, 99.0], [-100.0, -102.0, -99.0]], F32)], [I(0), 1])
    case("Tensor.logsumexp/dim_neg1/float64", "Tensor.logsumexp", [randn(2, 5)], [I(0), -1])


def softmax_cases():
    for op in ["softmax", "log_softmax"]:
        case(f"{op}/dim1/float64", f"torch.{op}", [randn(3, 5)], [I(0), 1])
        case(f"{op}/dim0/float64", f"torch.{op}", [randn(3, 5)], [I(0), 0])
        case(f"{op}/dim_neg1_3d/float64", f"torch.{op}", [randn(2, 3, 4)], [I(0), -1])
        case(f"{op}/dim1/float32", f"torch.{op}", [randn(4, 10, dtype=F32)], [I(0), 1])
        case(f"{op}/large/float64", f"torch.{op}", [given([[1000.0, 1001.0, 999.0], [-1000.0, -1002.0, -999.0]])], [I(0), 1])
        case(f"{op}/large/float32", f"torch.{op}", [given([[100.0, 101.0, 99.0], [-100.0, -102.0, -99.0]], F32)], [I(0), 1])
        case(f"{op}/functional/float64", f"torch.nn.functional.{op}", [randn(3, 5)], [I(0)], {"dim": 1})
        case(f"Tensor.{op}/dim1/float64", f"Tensor.{op}", [randn(3, 5)], [I(0), 1])
        case(f"{op}/noncontiguous/float64", f"torch.{op}", [randn(5, 3).as_view(["t", []])], [I(0), 1])


def matmul_cases():
    shapes = [
        ("1d_1d", (4,), (4,)),
        ("2d_1d", (3, 4), (4,)),
        ("1d_2d", (4,), (4, 5)),
        ("2d_2d", (3, 4), (4, 5)),
        ("3d_3d", (2, 3, 4), (2, 4, 5)),
        ("3d_2d", (2, 3, 4), (4, 5)),
        ("2d_3d", (3, 4), (2, 4, 5)),
        ("1d_3d", (4,), (2, 4, 5)),
        ("3d_1d", (2, 3, 4), (4,)),
        ("4d_3d_broadcast", (2, 1, 3, 4), (3, 4, 5)),
        ("4d_4d_broadcast", (2, 1, 3, 4), (1, 3, 4, 2)),
        ("1x1", (1, 1), (1, 1)),
        ("size0_rows", (0, 4), (4, 3)),
        ("size0_inner", (3, 0), (0, 2)),
    ]
    for tag, sa, sb in shapes:
        case(f"matmul/{tag}/float64", "torch.matmul", [randn(*sa), randn(*sb)], [I(0), I(1)])
    case("matmul/2d_2d/float32", "torch.matmul", [randn(5, 7, dtype=F32), randn(7, 3, dtype=F32)], [I(0), I(1)])
    case("matmul/3d_3d/float32", "torch.matmul", [randn(2, 3, 4, dtype=F32), randn(2, 4, 5, dtype=F32)], [I(0), I(1)])
    case("matmul/2d_transposed/float64", "torch.matmul", [randn(4, 3).as_view(["t", []]), randn(5, 4).as_view(["t", []])],
         [I(0), I(1)])
    case("matmul/3d_transposed/float64", "torch.matmul", [randn(2, 4, 3).as_view(["transpose", [1, 2]]), randn(2, 4, 5)],
         [I(0), I(1)])
    case("matmul/expanded/float64", "torch.matmul", [randn(1, 3, 4).as_view(["expand", [2, 3, 4]]), randn(2, 4, 2)],
         [I(0), I(1)])
    case("Tensor.matmul/2d_2d/float64", "Tensor.matmul", [randn(3, 4), randn(4, 2)], [I(0), I(1)])
    case("mm/float64", "torch.mm", [randn(3, 4), randn(4, 5)], [I(0), I(1)])
    case("mm/float32", "torch.mm", [randn(3, 4, dtype=F32), randn(4, 5, dtype=F32)], [I(0), I(1)])
    case("mm/transposed/float64", "torch.mm", [randn(4, 3).as_view(["t", []]), randn(4, 5)], [I(0), I(1)])
    case("Tensor.mm/float64", "Tensor.mm", [randn(2, 3), randn(3, 2)], [I(0), I(1)])
    case("bmm/float64", "torch.bmm", [randn(2, 3, 4), randn(2, 4, 5)], [I(0), I(1)])
    case("bmm/float32", "torch.bmm", [randn(3, 2, 4, dtype=F32), randn(3, 4, 2, dtype=F32)], [I(0), I(1)])
    case("Tensor.bmm/float64", "Tensor.bmm", [randn(2, 2, 3), randn(2, 3, 2)], [I(0), I(1)])


def view_cases():
    x234 = lambda: randn(2, 3, 4)
    case("reshape/2x12/float64", "Tensor.reshape", [x234()], [I(0), 2, 12])
    case("reshape/tuple_neg1/float64", "Tensor.reshape", [x234()], [I(0), [-1, 4]])
    case("reshape/to_scalar/float64", "Tensor.reshape", [randn(1, 1)], [I(0), []])
    case("reshape/noncontiguous/float64", "Tensor.reshape", [randn(4, 3).as_view(["t", []])], [I(0), -1])
    case("reshape/function/float64", "torch.reshape", [x234()], [I(0), [4, 6]])
    case("view/float64", "Tensor.view", [x234()], [I(0), 6, 4])
    case("view/neg1/float64", "Tensor.view", [x234()], [I(0), -1])
    case("view/tuple/float64", "Tensor.view", [x234()], [I(0), [3, 8]])
    case("transpose/0_1/float64", "Tensor.transpose", [randn(3, 4)], [I(0), 0, 1])
    case("transpose/neg/float64", "Tensor.transpose", [x234()], [I(0), -1, -2])
    case("transpose/function/float64", "torch.transpose", [x234()], [I(0), 0, 2])
    case("t/float64", "Tensor.t", [randn(3, 4)], [I(0)])
    case("permute/2_0_1/float64", "Tensor.permute", [x234()], [I(0), 2, 0, 1])
    case("permute/list/float64", "Tensor.permute", [x234()], [I(0), [1, 2, 0]])
    case("permute/function/float64", "torch.permute", [x234()], [I(0), [2, 1, 0]])
    case("squeeze/all/float64", "Tensor.squeeze", [randn(1, 3, 1, 2)], [I(0)])
    case("squeeze/dim/float64", "Tensor.squeeze", [randn(1, 3, 1, 2)], [I(0), 2])
    case("squeeze/dim_not_one/float64", "Tensor.squeeze", [randn(1, 3, 1, 2)], [I(0), 1])
    case("unsqueeze/0/float64", "Tensor.unsqueeze", [randn(3, 2)], [I(0), 0])
    case("unsqueeze/neg1/float64", "Tensor.unsqueeze", [randn(3, 2)], [I(0), -1])
    case("unsqueeze/function/float64", "torch.unsqueeze", [randn(3, 2)], [I(0), 1])
    case("flatten/all/float64", "Tensor.flatten", [x234()], [I(0)])
    case("flatten/start1/float64", "Tensor.flatten", [x234()], [I(0), 1])
    case("flatten/0_1/float64", "Tensor.flatten", [x234()], [I(0), 0, 1])
    case("flatten/function/float64", "torch.flatten", [x234()], [I(0)], {"start_dim": 1})
    case("expand/3x1_to_3x4/float64", "Tensor.expand", [randn(3, 1)], [I(0), 3, 4])
    case("expand/new_dims/float64", "Tensor.expand", [randn(4)], [I(0), 2, 3, 4])
    case("expand/neg1/float64", "Tensor.expand", [randn(3, 1)], [I(0), [-1, 5]])
    case("contiguous/transposed/float64", "Tensor.contiguous", [randn(3, 4).as_view(["t", []])], [I(0)])
    case("narrow/dim1/float64", "Tensor.narrow", [randn(3, 5)], [I(0), 1, 1, 3])
    case("narrow/dim0/float64", "torch.narrow", [x234()], [I(0), 0, 1, 1])
    case("narrow/neg_dim/float64", "Tensor.narrow", [x234()], [I(0), -1, 2, 2])
    case("index_select/dim0/float64", "torch.index_select", [randn(5, 3), given([4, 0, 4, 2], I64)], [I(0), 0, I(1)])
    case("index_select/dim1/float64", "Tensor.index_select", [randn(2, 5, 3), given([1, 1, 3], I64)], [I(0), 1, I(1)])
    case("index_select/float32", "torch.index_select", [randn(4, 3, dtype=F32), given([3, 1], I64)], [I(0), 0, I(1)])
    case("gather/dim1/float64", "torch.gather", [randn(3, 4), index(4, 3, 2)], [I(0), 1, I(1)])
    case("gather/dim0/float64", "torch.gather", [randn(3, 4), index(3, 2, 4)], [I(0), 0, I(1)])
    case("gather/3d/float64", "Tensor.gather", [randn(2, 3, 4), index(4, 2, 3, 3)], [I(0), 2, I(1)])
    case("gather/float32", "torch.gather", [randn(3, 4, dtype=F32), index(4, 3, 1)], [I(0), 1, I(1)])
    case("scatter_add/dim0/float64", "Tensor.scatter_add", [randn(3, 4), index(3, 2, 4), randn(2, 4)], [I(0), 0, I(1), I(2)])
    case("scatter_add/dim1/float64", "torch.scatter_add", [randn(3, 5), index(5, 3, 4), randn(3, 4)], [I(0), 1, I(1), I(2)])
    case("scatter_add/float32", "torch.scatter_add", [randn(3, 3, dtype=F32), index(3, 3, 3), randn(3, 3, dtype=F32)],
         [I(0), 1, I(1), I(2)])
    case("cat/dim0/float64", "torch.cat", [randn(2, 3), randn(1, 3), randn(3, 3)], [IL(0, 1, 2)])
    case("cat/dim1/float64", "torch.cat", [randn(2, 3), randn(2, 1)], [IL(0, 1), 1])
    case("cat/dim_neg1_kwarg/float64", "torch.cat", [randn(2, 2, 3), randn(2, 2, 2)], [IL(0, 1)], {"dim": -1})
    case("cat/with_size0/float64", "torch.cat", [randn(2, 3), randn(0, 3), randn(1, 3)], [IL(0, 1, 2)])
    case("cat/float32", "torch.cat", [randn(2, 3, dtype=F32), randn(2, 3, dtype=F32)], [IL(0, 1), 1])
    case("cat/same_input_twice/float64", "torch.cat", [randn(2, 2)], [IL(0, 0)])
    case("stack/dim0/float64", "torch.stack", [randn(2, 3), randn(2, 3), randn(2, 3)], [IL(0, 1, 2)])
    case("stack/dim1/float64", "torch.stack", [randn(2, 3), randn(2, 3)], [IL(0, 1), 1])
    case("stack/dim_neg1/float64", "torch.stack", [randn(2, 3), randn(2, 3)], [IL(0, 1)], {"dim": -1})
    case("stack/scalars/float64", "torch.stack", [randn(), randn()], [IL(0, 1)])
    case("split/int/float64", "Tensor.split", [randn(5, 3)], [I(0), 2])
    case("split/int_dim1/float64", "torch.split", [randn(3, 5)], [I(0), 2], {"dim": 1})
    case("split/sizes/float64", "torch.split", [randn(6, 2)], [I(0), [1, 2, 3]])
    case("split/sizes_dim1/float64", "Tensor.split", [randn(2, 6)], [I(0), [4, 2], 1])
    case("chunk/3/float64", "Tensor.chunk", [randn(6, 2)], [I(0), 3])
    case("chunk/uneven/float64", "torch.chunk", [randn(5, 2)], [I(0), 3])
    case("chunk/dim1/float64", "Tensor.chunk", [randn(2, 7)], [I(0), 2, 1])
    case("pad/last_dim/float64", "torch.nn.functional.pad", [randn(2, 3)], [I(0), [1, 2]])
    case("pad/last_two_dims/float64", "torch.nn.functional.pad", [randn(2, 3, 4)], [I(0), [1, 0, 2, 1]])
    case("pad/value/float64", "torch.nn.functional.pad", [randn(2, 3)], [I(0), [2, 2]], {"value": -1.5})
    case("pad/three_dims/float64", "torch.nn.functional.pad", [randn(2, 2, 2)], [I(0), [1, 1, 0, 1, 1, 0]])
    case("pad/negative_crops/float64", "torch.nn.functional.pad", [randn(3, 5)], [I(0), [-1, 2, 0, -1]])
    case("pad/float32", "torch.nn.functional.pad", [randn(1, 2, 3, dtype=F32)], [I(0), [1, 1, 1, 1]])
    # Chains of views: gradients flow through several views of one leaf.
    case("matmul/after_permute_reshape/float64", "torch.matmul",
         [randn(3, 2, 4).as_view(["permute", [1, 0, 2]], ["reshape", [2, 12]]), randn(12, 3)], [I(0), I(1)])
    case("add/expanded_and_transposed/float64", "torch.add",
         [randn(4, 1).as_view(["expand", [4, 3]]), randn(4, 3).as_view(["t", []], ["t", []])], [I(0), I(1)])


def inplace_cases():
    # In-place ops on a non-leaf (a clone of the leaf): gradients flow through them to the leaf.
    case("add_/after_clone/float64", "Tensor.add_", [randn(3, 4).as_view(["clone", []]), randn(4)], [I(0), I(1)])
    case("add_/alpha/float64", "Tensor.add_", [randn(2, 3).as_view(["clone", []]), randn(2, 3)], [I(0), I(1)],
         {"alpha": -0.5})
    case("mul_/after_clone/float64", "Tensor.mul_", [randn(3, 4).as_view(["clone", []]), randn(3, 1)], [I(0), I(1)])
    case("mul_/scalar/float32", "Tensor.mul_", [randn(5, dtype=F32).as_view(["clone", []])], [I(0), 3.0])
    case("zero_/after_clone/float64", "Tensor.zero_", [randn(2, 2).as_view(["clone", []])], [I(0)])
    case("fill_/after_clone/float64", "Tensor.fill_", [randn(2, 3).as_view(["clone", []])], [I(0), 1.5])
    case("copy_/into_clone/float64", "Tensor.copy_", [randn(2, 3).as_view(["clone", []]), randn(3)], [I(0), I(1)])
    case("add_/after_mul/float64", "Tensor.add_", [randn(4).as_view(["mul", [2.0]]), randn(4)], [I(0), I(1)])


NAN = float("nan")
INF = float("inf")


def special_value_cases():
    """NaN and infinity handling: PyTorch propagates NaN through max/min/clamp and ranks it highest."""
    v = [1.0, NAN, -2.0, 0.5]
    case("maximum/nan/float64", "torch.maximum", [given(v), given([0.0, 0.0, NAN, 1.0])], [I(0), I(1)])
    case("minimum/nan/float64", "torch.minimum", [given(v), given([0.0, 0.0, NAN, 1.0])], [I(0), I(1)])
    case("clamp/nan/float64", "torch.clamp", [given(v)], [I(0), -1.0, 1.0])
    case("relu/nan/float64", "torch.relu", [given(v)], [I(0)])
    case("max/dim_nan/float64", "Tensor.max", [given([[1.0, NAN, 3.0], [4.0, 2.0, 0.0]])], [I(0), 1])
    case("max/all_nan/float64", "Tensor.max", [given([[1.0, NAN], [3.0, 0.0]])], [I(0)], grad=False)
    case("argmax/nan/float64", "Tensor.argmax", [given([[1.0, NAN, 3.0], [4.0, 2.0, 0.0]])], [I(0), 1])
    case("argmin/nan/float64", "Tensor.argmin", [given([[1.0, NAN, -3.0], [4.0, 2.0, 0.0]])], [I(0), 1])
    case("sum/nan/float64", "Tensor.sum", [given(v)], [I(0)])
    case("exp/inf/float64", "torch.exp", [given([-INF, 0.0, INF])], [I(0)], grad=False)
    case("log/zero_and_negative/float64", "torch.log", [given([0.0, -1.0, 1.0])], [I(0)], grad=False)
    case("sqrt/negative/float64", "torch.sqrt", [given([-1.0, 0.0, 4.0])], [I(0)], grad=False)
    case("div/by_zero/float64", "torch.div", [given([1.0, -1.0, 0.0]), given([0.0, 0.0, 0.0])], [I(0), I(1)], grad=False)
    case("sigmoid/inf/float64", "torch.sigmoid", [given([-INF, INF, NAN])], [I(0)], grad=False)
    case("softmax/inf/float64", "torch.softmax", [given([[0.0, -INF, 1.0], [-INF, -INF, 0.0]])], [I(0), 1])
    case("logsumexp/neg_inf/float64", "torch.logsumexp", [given([[0.0, -INF], [-INF, -INF]])], [I(0), 1], grad=False)
    case("var/single_element/float64", "Tensor.var", [given([2.5])], [I(0)], grad=False)
    case("mean/size0/float64", "Tensor.mean", [randn(0, 3)], [I(0)], grad=False)
    case("where/scalar_other/float64", "torch.where", [mask(3, 4), randn(3, 4)], [I(0), I(1), 0.0])


def accumulation_cases():
    """Long float32 reductions: PyTorch accumulates pairwise/in wider precision; naive float32 loops drift."""
    case("sum/long/float32", "Tensor.sum", [uniform(0.0, 2.0, 8192, dtype=F32)], [I(0)])
    case("mean/long_dim1/float32", "Tensor.mean", [uniform(-1.0, 3.0, 2, 4096, dtype=F32)], [I(0), 1])
    case("var/long/float32", "Tensor.var", [uniform(10.0, 12.0, 8192, dtype=F32)], [I(0)])
    case("logsumexp/long/float32", "torch.logsumexp", [randn(4096, scale=3.0, dtype=F32)], [I(0), 0])
    case("matmul/long_inner/float32", "torch.matmul", [uniform(0.0, 1.0, 3, 2048, dtype=F32),
                                                     uniform(0.0, 1.0, 2048, 2, dtype=F32)], [I(0), I(1)])


def functional_layer_cases():
    """torch.nn.functional forms of the layers, with every tensor argument requiring grad."""
    F_ = "torch.nn.functional."
    case("F.linear/bias/float64", F_ + "linear", [randn(5, 4), randn(3, 4), randn(3)], [I(0), I(1), I(2)])
    case("F.linear/no_bias/float32", F_ + "linear", [randn(2, 3, 4, dtype=F32), randn(2, 4, dtype=F32)], [I(0), I(1)])
    case("F.conv1d/stride_padding/float64", F_ + "conv1d", [randn(2, 2, 7), randn(3, 2, 3), randn(3)],
         [I(0), I(1), I(2)], {"stride": 2, "padding": 1})
    case("F.conv2d/padding/float64", F_ + "conv2d", [randn(1, 2, 5, 5), randn(3, 2, 3, 3), randn(3)],
         [I(0), I(1), I(2)], {"padding": 1})
    case("F.conv2d/groups_dilation/float64", F_ + "conv2d", [randn(1, 4, 7, 6), randn(2, 2, 2, 3)],
         [I(0), I(1)], {"groups": 2, "dilation": 2})
    case("F.conv2d/stride/float32", F_ + "conv2d", [randn(2, 1, 6, 6, dtype=F32), randn(2, 1, 3, 3, dtype=F32)],
         [I(0), I(1)], {"stride": 2})
    case("F.max_pool2d/k2/float64", F_ + "max_pool2d", [distinct(1, 2, 4, 6)], [I(0), 2])
    case("F.max_pool2d/k3_s2_p1/float64", F_ + "max_pool2d", [distinct(1, 1, 5, 5)], [I(0), 3],
         {"stride": 2, "padding": 1})
    case("F.avg_pool2d/k2/float64", F_ + "avg_pool2d", [randn(1, 2, 4, 6)], [I(0), 2])
    case("F.adaptive_avg_pool2d/2x3/float64", F_ + "adaptive_avg_pool2d", [randn(1, 2, 5, 7)], [I(0), [2, 3]])
    case("F.batch_norm/eval/float64", F_ + "batch_norm",
         [randn(4, 3), randn(3).no_grad(), positive(3).no_grad(), randn(3), randn(3)],
         [I(0), I(1), I(2)], {"weight": I(3), "bias": I(4), "training": False})
    case("F.batch_norm/batch_stats/float64", F_ + "batch_norm", [randn(4, 3, 2), randn(3), randn(3)],
         [I(0), None, None], {"weight": I(1), "bias": I(2), "training": True})
    case("F.layer_norm/float64", F_ + "layer_norm", [randn(2, 3, 4), randn(3, 4), randn(3, 4)],
         [I(0), [3, 4]], {"weight": I(1), "bias": I(2)})
    case("F.layer_norm/no_affine/float32", F_ + "layer_norm", [randn(3, 5, dtype=F32)], [I(0), [5]])
    case("F.embedding/float64", F_ + "embedding", [index(6, 2, 3), randn(6, 2)], [I(0), I(1)])
    case("F.leaky_relu/slope/float64", F_ + "leaky_relu", [away_from_zero(3, 4)], [I(0), 0.2])
    case("F.silu/float64", F_ + "silu", [randn(3, 4)], [I(0)])
    case("F.sigmoid/float64", F_ + "sigmoid", [randn(5)], [I(0)])
    case("F.tanh/float64", F_ + "tanh", [randn(5)], [I(0)])


def dim_wrapping_cases():
    """Negative dims and 0-d tensors, where dim wrapping goes wrong most easily."""
    case("gather/neg_dim/float64", "torch.gather", [randn(3, 4), index(4, 3, 2)], [I(0), -1, I(1)])
    case("scatter_add/neg_dim/float64", "Tensor.scatter_add", [randn(2, 5), index(5, 2, 3), randn(2, 3)],
         [I(0), -1, I(1), I(2)])
    case("index_select/neg_dim/float64", "torch.index_select", [randn(2, 5), given([4, 0], I64)], [I(0), -1, I(1)])
    case("narrow/neg_start/float64", "Tensor.narrow", [randn(2, 6)], [I(0), -1, -3, 2])
    case("permute/neg_dims/float64", "Tensor.permute", [randn(2, 3, 4)], [I(0), -1, 0, -2])
    case("unsqueeze/scalar/float64", "Tensor.unsqueeze", [randn()], [I(0), 0])
    case("squeeze/scalar/float64", "Tensor.squeeze", [randn()], [I(0)])
    case("sum/scalar_dim0/float64", "Tensor.sum", [randn()], [I(0), 0])
    case("mean/scalar_neg_dim_keepdim/float64", "Tensor.mean", [randn()], [I(0), -1], {"keepdim": True})
    case("softmax/scalar/float64", "torch.softmax", [randn()], [I(0), 0])
    case("flatten/scalar/float64", "Tensor.flatten", [randn()], [I(0)])
    case("max/scalar_dim/float64", "Tensor.max", [randn()], [I(0), 0])
    case("cat/neg_dim_3d/float64", "torch.cat", [randn(2, 1, 3), randn(2, 2, 3)], [IL(0, 1), -2])
    case("stack/neg_dim_3d/float64", "torch.stack", [randn(2, 3), randn(2, 3)], [IL(0, 1), -2])
    case("expand/scalar/float64", "Tensor.expand", [randn()], [I(0), 2, 3])
    case("transpose/same_dim/float64", "Tensor.transpose", [randn(2, 3)], [I(0), 1, -1])


def main():
    deterministic_setup()
    elementwise_binary()
    pow_cases()
    elementwise_unary()
    clamp_cases()
    where_cases()
    comparison_cases()
    promotion_cases()
    reduction_cases()
    softmax_cases()
    matmul_cases()
    view_cases()
    inplace_cases()
    special_value_cases()
    accumulation_cases()
    functional_layer_cases()
    dim_wrapping_cases()
    write_fixture("ops.json", __file__, {
        "description": "Forward values and gradients of engine ops, from PyTorch. See scripts/reference/README.md.",
        "cases": CASES,
    })
    print(f"{len(CASES)} cases")


if __name__ == "__main__":
    main()
