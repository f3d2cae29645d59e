"""Reference values for torch.nn layers (issue 3): forward, input and parameter gradients, buffers.

Writes test/fixtures/nn-layers.json. Each case builds a module with PyTorch's constructor arguments,
gives it random parameters (stored as its state_dict, so the TypeScript side loads the same ones),
runs it in train or eval mode and records outputs, gradients and the buffers after the forward.
"""
import torch
import torch.nn as nn

from common import DTYPE_NAMES, deterministic_setup, encode_tensor, encode_value, write_fixture
from inputs import F32, F64, I64, distinct, generator_for, given, index, mask, randn

CASES = []


def as_tuples(value):
    if isinstance(value, list):
        return tuple(as_tuples(v) for v in value)
    if isinstance(value, dict):
        return {k: as_tuples(v) for k, v in value.items()}
    return value


def layer_case(name, module, args, kwargs, inputs, training=True, call_kwargs=None, dtype=F64,
               randomize=True, grad=True):
    """inputs: list of Specs (float ones require grad). call_kwargs: keyword args of the forward call."""
    g = generator_for(name)
    call_kwargs = call_kwargs or {}
    ctor_kwargs = dict(kwargs)
    if dtype is not None:
        ctor_kwargs["dtype"] = dtype
    # Sizes as tuples, the usual PyTorch spelling (it shows in the printout: kernel_size=(2, 3)).
    m = getattr(nn, module)(*as_tuples(args), **as_tuples(ctor_kwargs))
    if randomize:
        # Random parameters and buffers instead of PyTorch's init (which the TS side cannot replay).
        with torch.no_grad():
            for pname, p in m.named_parameters():
                p.copy_(torch.randn(p.shape, generator=g, dtype=F64).to(p.dtype) * 0.5)
            for bname, b in m.named_buffers():
                if bname.endswith("running_var"):
                    b.copy_((0.5 + torch.rand(b.shape, generator=g, dtype=F64)).to(b.dtype))
                elif bname.endswith("running_mean"):
                    b.copy_(torch.randn(b.shape, generator=g, dtype=F64).to(b.dtype))
    m.train(training)
    state = {k: encode_tensor(v) for k, v in m.state_dict().items()}

    leaves, encoded_inputs = [], []
    for spec in inputs:
        x = spec.make(g).detach().clone()
        wants = (spec.requires_grad if spec.requires_grad is not None else x.is_floating_point()) and grad
        x.requires_grad_(wants)
        leaves.append(x)
        entry = encode_tensor(x)
        entry["requires_grad"] = wants
        encoded_inputs.append(entry)
    enc_call_kwargs = {}
    call_kw = {}
    for k, v in call_kwargs.items():
        if isinstance(v, torch.Tensor):
            call_kw[k] = v
            enc_call_kwargs[k] = {"tensor_value": encode_tensor(v)}
        else:
            call_kw[k] = v
            enc_call_kwargs[k] = encode_value(v)

    result = m(*leaves, **call_kw)
    if isinstance(result, torch.Tensor):
        kind, outs = "tensor", [result]
    else:
        kind, outs = "tuple", list(result)

    diff, gouts, enc_gouts = [], [], []
    for o in outs:
        if o is not None and o.requires_grad:
            go = torch.randn(o.shape, generator=g, dtype=F64).to(o.dtype)
            diff.append(o)
            gouts.append(go)
            enc_gouts.append(encode_tensor(go))
        else:
            enc_gouts.append(None)
    if diff:
        torch.autograd.backward(diff, gouts)

    entry = {
        "name": name,
        "module": module,
        "args": encode_value(list(args)),
        "kwargs": encode_value(ctor_kwargs),
        "repr": repr(m),
        "training": training,
        "state": state,
        "inputs": encoded_inputs,
        "call_kwargs": enc_call_kwargs,
        "output_kind": kind,
        "outputs": [encode_tensor(o) if o is not None else None for o in outs],
    }
    if diff:
        entry["grad_outputs"] = enc_gouts
        entry["input_grads"] = [encode_tensor(x.grad) if x.requires_grad and x.grad is not None else None
                                for x in leaves]
        entry["param_grads"] = {
            k: (encode_tensor(p.grad.to_dense() if p.grad.is_sparse else p.grad) if p.grad is not None else None)
            for k, p in m.named_parameters()
        }
        sparse = {k: p.grad for k, p in m.named_parameters() if p.grad is not None and p.grad.is_sparse}
        if sparse:
            # Row-sparse gradients (sparse Embedding): the values above are densified; these are the
            # rows present, as grad.coalesce()._indices()[0] lists them.
            entry["sparse_grad_rows"] = {k: g.coalesce()._indices()[0].tolist() for k, g in sparse.items()}
    if list(m.buffers()):
        entry["buffers_after"] = {k: encode_tensor(v) for k, v in m.named_buffers()}
    if any(c["name"] == name for c in CASES):
        raise ValueError(f"duplicate case {name}")
    if any(x.dtype == F32 for x in leaves) and diff:
        check_float32_conditioning(name, module, args, ctor_kwargs, state, leaves, call_kw, training, entry)
    CASES.append(entry)


def check_float32_conditioning(name, module, args, kwargs, state, leaves, call_kw, training, entry):
    """A float32 case is only a fair test if PyTorch's own float32 result is well within the
    harness's float32 tolerance of the exact (float64) answer; otherwise two correct float32
    implementations could disagree by more than the tolerance. Rerun in float64 and insist on it."""
    from common import DTYPES_BY_NAME

    def decode(t):
        return torch.tensor([float(v) for v in t["data"]], dtype=F64).reshape(t["shape"]).to(
            F64 if t["dtype"].startswith("float") else DTYPES_BY_NAME[t["dtype"]])

    ctor = dict(kwargs)
    if "dtype" in ctor:
        ctor["dtype"] = F64
    m = getattr(nn, module)(*as_tuples(args), **as_tuples(ctor))
    m.load_state_dict({k: decode(v) for k, v in state.items()})
    m.train(training)
    xs = [x.detach().to(F64 if x.is_floating_point() else x.dtype).requires_grad_(x.requires_grad) for x in leaves]
    kw = {k: (v.to(F64) if torch.is_tensor(v) and v.is_floating_point() else v) for k, v in call_kw.items()}
    result = m(*xs, **kw)
    outs = [result] if torch.is_tensor(result) else list(result)
    pairs = [(o, decode(g)) for o, g in zip(outs, entry["grad_outputs"]) if g is not None]
    torch.autograd.backward([o for o, _ in pairs], [g for _, g in pairs])
    atol, rtol = 1e-6, 1e-4
    worst = 0.0

    def compare(exact, stored):
        nonlocal worst
        exact = exact.detach()
        exact = exact.to_dense() if exact.is_sparse else exact
        diff = (exact.to(F64) - decode(stored).to(F64)).abs() / (atol + rtol * exact.to(F64).abs())
        worst = max(worst, float(diff.max()) if diff.numel() else 0.0)

    for o, e in zip(outs, entry["outputs"]):
        if e is not None and o is not None:
            compare(o, e)
    for k, p in m.named_parameters():
        if entry["param_grads"].get(k) is not None:
            compare(p.grad, entry["param_grads"][k])
    for x, e in zip(xs, entry["input_grads"]):
        if e is not None:
            compare(x.grad, e)
    if worst > 0.25:
        raise ValueError(f"{name}: PyTorch's float32 result is {worst:.2f} of the tolerance away from float64; "
                         "make the case smaller or better conditioned")


def linear():
    layer_case("Linear/4_3/float64", "Linear", [4, 3], {}, [randn(2, 4)])
    layer_case("Linear/4_3/float32", "Linear", [4, 3], {}, [randn(2, 4, dtype=F32)], dtype=F32)
    layer_case("Linear/no_bias/float64", "Linear", [4, 3], {"bias": False}, [randn(5, 4)])
    layer_case("Linear/3d_input/float64", "Linear", [4, 2], {}, [randn(2, 3, 4)])
    layer_case("Linear/1d_input/float64", "Linear", [4, 2], {}, [randn(4)])


def conv():
    layer_case("Conv1d/basic/float64", "Conv1d", [2, 3, 3], {}, [randn(2, 2, 7)])
    layer_case("Conv1d/basic/float32", "Conv1d", [2, 3, 3], {}, [randn(2, 2, 7, dtype=F32)], dtype=F32)
    layer_case("Conv1d/stride2_pad1/float64", "Conv1d", [2, 3, 3], {"stride": 2, "padding": 1}, [randn(2, 2, 8)])
    layer_case("Conv1d/dilation2/float64", "Conv1d", [2, 2, 3], {"dilation": 2}, [randn(1, 2, 9)])
    layer_case("Conv1d/groups2_no_bias/float64", "Conv1d", [4, 2, 2], {"groups": 2, "bias": False}, [randn(2, 4, 5)])
    layer_case("Conv1d/padding_same/float64", "Conv1d", [2, 3, 3], {"padding": "same"}, [randn(2, 2, 6)])
    layer_case("Conv2d/basic/float64", "Conv2d", [2, 3, 3], {}, [randn(2, 2, 5, 6)])
    layer_case("Conv2d/basic/float32", "Conv2d", [2, 3, 3], {}, [randn(2, 2, 5, 6, dtype=F32)], dtype=F32)
    layer_case("Conv2d/stride2_pad1/float64", "Conv2d", [2, 3, 3], {"stride": 2, "padding": 1}, [randn(2, 2, 6, 5)])
    layer_case("Conv2d/rect_kernel/float64", "Conv2d", [1, 2, [2, 3]], {"stride": [1, 2], "padding": [1, 0]},
               [randn(2, 1, 5, 7)])
    layer_case("Conv2d/dilation2/float64", "Conv2d", [2, 2, 3], {"dilation": 2}, [randn(1, 2, 7, 7)])
    layer_case("Conv2d/groups2_no_bias/float64", "Conv2d", [4, 6, 3], {"groups": 2, "bias": False}, [randn(1, 4, 5, 5)])
    layer_case("Conv2d/1x1/float64", "Conv2d", [3, 2, 1], {}, [randn(2, 3, 4, 4)])
    layer_case("Conv2d/padding_same/float64", "Conv2d", [2, 2, 3], {"padding": "same"}, [randn(1, 2, 4, 5)])
    layer_case("Conv2d/unbatched/float64", "Conv2d", [2, 3, 3], {}, [randn(2, 5, 5)])


def pooling():
    layer_case("MaxPool2d/k2/float64", "MaxPool2d", [2], {}, [distinct(2, 2, 4, 6)], dtype=None)
    layer_case("MaxPool2d/k2/float32", "MaxPool2d", [2], {}, [distinct(2, 2, 4, 6, dtype=F32)], dtype=None)
    layer_case("MaxPool2d/k3_s2_p1/float64", "MaxPool2d", [3], {"stride": 2, "padding": 1}, [distinct(1, 2, 7, 6)], dtype=None)
    layer_case("MaxPool2d/rect_s1/float64", "MaxPool2d", [[2, 3]], {"stride": [1, 2]}, [distinct(1, 1, 5, 7)], dtype=None)
    layer_case("MaxPool2d/odd_floor/float64", "MaxPool2d", [2], {}, [distinct(1, 3, 5, 5)], dtype=None)
    layer_case("MaxPool2d/ceil_mode/float64", "MaxPool2d", [2], {"ceil_mode": True}, [distinct(1, 1, 5, 5)], dtype=None)
    layer_case("AvgPool2d/k2/float64", "AvgPool2d", [2], {}, [randn(2, 2, 4, 6)], dtype=None)
    layer_case("AvgPool2d/k2/float32", "AvgPool2d", [2], {}, [randn(2, 2, 4, 6, dtype=F32)], dtype=None)
    layer_case("AvgPool2d/k3_s2_p1/float64", "AvgPool2d", [3], {"stride": 2, "padding": 1}, [randn(1, 2, 7, 6)], dtype=None)
    layer_case("AvgPool2d/k3_s2_p1_exclude_pad/float64", "AvgPool2d", [3],
               {"stride": 2, "padding": 1, "count_include_pad": False}, [randn(1, 2, 7, 6)], dtype=None)
    layer_case("AvgPool2d/rect/float64", "AvgPool2d", [[2, 3]], {"stride": [2, 1]}, [randn(1, 1, 6, 5)], dtype=None)
    layer_case("AdaptiveAvgPool2d/1x1/float64", "AdaptiveAvgPool2d", [[1, 1]], {}, [randn(2, 3, 4, 5)], dtype=None)
    layer_case("AdaptiveAvgPool2d/2x3_from_5x7/float64", "AdaptiveAvgPool2d", [[2, 3]], {}, [randn(1, 2, 5, 7)], dtype=None)
    layer_case("AdaptiveAvgPool2d/int3_from_7x6/float64", "AdaptiveAvgPool2d", [3], {}, [randn(1, 1, 7, 6)], dtype=None)
    layer_case("AdaptiveAvgPool2d/float32", "AdaptiveAvgPool2d", [[2, 2]], {}, [randn(2, 2, 4, 4, dtype=F32)], dtype=None)
    layer_case("AdaptiveAvgPool2d/none_keeps_dim/float64", "AdaptiveAvgPool2d", [[None, 2]], {}, [randn(1, 1, 3, 6)], dtype=None)


def normalization():
    layer_case("BatchNorm1d/train_2d/float64", "BatchNorm1d", [3], {}, [randn(4, 3)])
    layer_case("BatchNorm1d/train_3d/float64", "BatchNorm1d", [3], {}, [randn(4, 3, 5)])
    layer_case("BatchNorm1d/train/float32", "BatchNorm1d", [3], {}, [randn(6, 3, dtype=F32)], dtype=F32)
    layer_case("BatchNorm1d/eval/float64", "BatchNorm1d", [3], {}, [randn(4, 3)], training=False)
    layer_case("BatchNorm1d/no_affine/float64", "BatchNorm1d", [3], {"affine": False}, [randn(5, 3)])
    layer_case("BatchNorm1d/momentum_eps/float64", "BatchNorm1d", [3], {"momentum": 0.3, "eps": 1e-3}, [randn(5, 3)])
    layer_case("BatchNorm1d/cumulative_average/float64", "BatchNorm1d", [3], {"momentum": None}, [randn(5, 3)])
    layer_case("BatchNorm1d/no_running_stats/float64", "BatchNorm1d", [3], {"track_running_stats": False},
               [randn(5, 3)], training=False)
    layer_case("BatchNorm2d/train/float64", "BatchNorm2d", [3], {}, [randn(2, 3, 4, 4)])
    layer_case("BatchNorm2d/train/float32", "BatchNorm2d", [3], {}, [randn(2, 3, 4, 4, dtype=F32)], dtype=F32)
    layer_case("BatchNorm2d/eval/float64", "BatchNorm2d", [3], {}, [randn(2, 3, 3, 3)], training=False)
    layer_case("BatchNorm2d/no_affine/float64", "BatchNorm2d", [2], {"affine": False}, [randn(3, 2, 2, 3)])
    layer_case("LayerNorm/last_dim/float64", "LayerNorm", [4], {}, [randn(3, 4)])
    layer_case("LayerNorm/last_dim/float32", "LayerNorm", [4], {}, [randn(3, 4, dtype=F32)], dtype=F32)
    layer_case("LayerNorm/two_dims/float64", "LayerNorm", [[3, 4]], {}, [randn(2, 3, 4)])
    layer_case("LayerNorm/no_affine_eps/float64", "LayerNorm", [5], {"elementwise_affine": False, "eps": 1e-3},
               [randn(2, 3, 5)])


def embedding():
    layer_case("Embedding/basic/float64", "Embedding", [10, 3], {}, [index(10, 2, 4)])
    layer_case("Embedding/basic/float32", "Embedding", [10, 3], {}, [index(10, 5)], dtype=F32)
    layer_case("Embedding/repeated_indices/float64", "Embedding", [5, 2], {}, [given([[1, 1, 4], [4, 1, 0]], I64)])
    layer_case("Embedding/padding_idx/float64", "Embedding", [6, 3], {"padding_idx": 0},
               [given([[0, 2, 0], [5, 0, 1]], I64)])
    layer_case("Embedding/sparse/float64", "Embedding", [7, 3], {"sparse": True}, [given([[4, 1, 4], [6, 1, 0]], I64)])
    layer_case("Embedding/sparse/float32", "Embedding", [7, 2], {"sparse": True}, [given([3, 3, 5], I64)], dtype=F32)
    layer_case("Embedding/sparse_padding_idx/float64", "Embedding", [5, 2], {"sparse": True, "padding_idx": 1},
               [given([[1, 2], [1, 4]], I64)])


def attention():
    layer_case("MultiheadAttention/self/float64", "MultiheadAttention", [4, 2], {},
               [randn(3, 2, 4), randn(3, 2, 4), randn(3, 2, 4)])
    layer_case("MultiheadAttention/self/float32", "MultiheadAttention", [4, 2], {},
               [randn(3, 2, 4, dtype=F32), randn(3, 2, 4, dtype=F32), randn(3, 2, 4, dtype=F32)], dtype=F32)
    layer_case("MultiheadAttention/batch_first/float64", "MultiheadAttention", [6, 3], {"batch_first": True},
               [randn(2, 3, 6), randn(2, 5, 6), randn(2, 5, 6)])
    layer_case("MultiheadAttention/one_head_no_bias/float64", "MultiheadAttention", [4, 1], {"bias": False},
               [randn(2, 3, 4), randn(4, 3, 4), randn(4, 3, 4)])
    layer_case("MultiheadAttention/kdim_vdim/float64", "MultiheadAttention", [4, 2], {"kdim": 3, "vdim": 5},
               [randn(2, 2, 4), randn(3, 2, 3), randn(3, 2, 5)])
    layer_case("MultiheadAttention/no_average_weights/float64", "MultiheadAttention", [4, 2], {},
               [randn(3, 2, 4), randn(3, 2, 4), randn(3, 2, 4)], call_kwargs={"average_attn_weights": False})
    layer_case("MultiheadAttention/need_weights_false/float64", "MultiheadAttention", [4, 2], {},
               [randn(3, 2, 4), randn(3, 2, 4), randn(3, 2, 4)], call_kwargs={"need_weights": False})
    layer_case("MultiheadAttention/key_padding_mask/float64", "MultiheadAttention", [4, 2], {"batch_first": True},
               [randn(2, 3, 4), randn(2, 4, 4), randn(2, 4, 4)],
               call_kwargs={"key_padding_mask": torch.tensor([[False, False, True, True], [False, False, False, True]])})
    causal = torch.triu(torch.ones(3, 3, dtype=torch.bool), diagonal=1)
    layer_case("MultiheadAttention/causal_bool_mask/float64", "MultiheadAttention", [4, 2], {},
               [randn(3, 2, 4), randn(3, 2, 4), randn(3, 2, 4)], call_kwargs={"attn_mask": causal})
    additive = torch.tensor([[0.0, -1.0, -2.0], [0.5, 0.0, -1.0], [0.0, 0.0, 0.0]], dtype=F64)
    layer_case("MultiheadAttention/float_mask/float64", "MultiheadAttention", [4, 2], {},
               [randn(3, 2, 4), randn(3, 2, 4), randn(3, 2, 4)], call_kwargs={"attn_mask": additive})


def activations_and_shape():
    for module, args, kwargs in [
        ("ReLU", [], {}), ("LeakyReLU", [], {}), ("LeakyReLU", [0.2], {}), ("GELU", [], {}),
        ("GELU", [], {"approximate": "tanh"}), ("SiLU", [], {}), ("Sigmoid", [], {}), ("Tanh", [], {}),
        ("Softmax", [], {"dim": 1}), ("LogSoftmax", [], {"dim": 1}), ("Softmax", [-1], {}),
        ("Identity", [], {}), ("Flatten", [], {}), ("Flatten", [0, 1], {}), ("Unflatten", [1, [2, 3]], {}),
        ("Dropout", [0.0], {}),
    ]:
        tag = "_".join([module] + [str(a).replace(" ", "") for a in args] +
                       [f"{k}={v}" for k, v in kwargs.items()])
        shape = (2, 6, 2) if module in ("Unflatten", "Flatten") else (3, 4)
        # These modules take no dtype factory argument: construct without one.
        layer_case(f"{tag}/float64", module, args, kwargs, [randn(*shape, scale=2.0)], dtype=None)
        layer_case(f"{tag}/float32", module, args, kwargs, [randn(*shape, scale=2.0, dtype=F32)], dtype=None)
    layer_case("Dropout/eval/float64", "Dropout", [0.5], {}, [randn(3, 4)], training=False, dtype=None)


def larger_float32():
    """Realistic sizes in float32, where accumulation order starts to matter."""
    layer_case("Linear/64_16/float32", "Linear", [64, 16], {}, [randn(8, 64, dtype=F32)], dtype=F32)
    layer_case("Conv2d/4_4_k3_p1/float32", "Conv2d", [4, 4, 3], {"padding": 1}, [randn(1, 4, 6, 6, dtype=F32)],
               dtype=F32)
    layer_case("BatchNorm2d/8ch_train/float32", "BatchNorm2d", [8], {}, [randn(4, 8, 6, 6, dtype=F32)], dtype=F32)
    layer_case("LayerNorm/128/float32", "LayerNorm", [128], {}, [randn(4, 128, dtype=F32)], dtype=F32)
    # No bias: the key bias has a zero gradient (softmax ignores a shift), which float32 turns into noise.
    layer_case("MultiheadAttention/8_2heads_no_bias/float32", "MultiheadAttention", [8, 2],
               {"batch_first": True, "bias": False},
               [randn(2, 4, 8, dtype=F32), randn(2, 4, 8, dtype=F32), randn(2, 4, 8, dtype=F32)], dtype=F32)


def main():
    deterministic_setup()
    linear()
    conv()
    pooling()
    normalization()
    embedding()
    attention()
    activations_and_shape()
    larger_float32()
    write_fixture("nn-layers.json", __file__, {
        "description": "Forward, backward and buffers of torch.nn layers. See scripts/reference/README.md.",
        "cases": CASES,
    })
    print(f"{len(CASES)} cases")


if __name__ == "__main__":
    main()
