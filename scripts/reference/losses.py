"""Reference values for torch.nn losses (issue 3): value and input gradient for each option.

Writes test/fixtures/losses.json. Each case names the torch.nn loss class and its keyword options
(reduction, weight, ignore_index, label_smoothing, pos_weight, ...), the input (requires grad), the
target, the loss value, a stored grad_output and the resulting gradient of the input. "functional"
names the matching torch.nn.functional form, which takes the same input, target and options.
"""
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F

from common import deterministic_setup, encode_tensor, encode_value, write_fixture
from inputs import F32, F64, I64, generator_for, given, index, randn, uniform

CASES = []

FUNCTIONAL = {
    "CrossEntropyLoss": "cross_entropy", "NLLLoss": "nll_loss", "MSELoss": "mse_loss", "L1Loss": "l1_loss",
    "SmoothL1Loss": "smooth_l1_loss", "HuberLoss": "huber_loss", "BCELoss": "binary_cross_entropy",
    "BCEWithLogitsLoss": "binary_cross_entropy_with_logits", "KLDivLoss": "kl_div",
}


def loss_case(name, loss, kwargs, input_spec, target_spec):
    g = generator_for(name)
    x = input_spec.make(g).detach().clone().requires_grad_(True)
    y = target_spec.make(g).detach().clone()
    module = getattr(nn, loss)(**kwargs)
    out = module(x, y)
    go = torch.randn(out.shape, generator=g, dtype=F64).to(out.dtype)
    out.backward(go)
    # The functional form must agree exactly with the module (it is what the module calls).
    functional = getattr(F, FUNCTIONAL[loss])(x.detach(), y, **kwargs)
    assert torch.equal(functional, out.detach()), name
    if any(c["name"] == name for c in CASES):
        raise ValueError(f"duplicate case {name}")
    CASES.append({
        "name": name,
        "loss": loss,
        "functional": FUNCTIONAL[loss],
        "kwargs": encode_value(kwargs),
        "input": encode_tensor(x),
        "target": encode_tensor(y),
        "output": encode_tensor(out),
        "grad_output": encode_tensor(go),
        "grad_input": encode_tensor(x.grad),
    })


REDUCTIONS = ["none", "mean", "sum"]


def probabilities(*shape, dtype=F64):
    from inputs import Spec
    return Spec(lambda g: torch.softmax(torch.randn(shape, generator=g, dtype=F64), dim=1).to(dtype))


def log_probabilities(*shape, dtype=F64):
    from inputs import Spec
    return Spec(lambda g: torch.log_softmax(torch.randn(shape, generator=g, dtype=F64), dim=1).to(dtype))


def cross_entropy():
    w = torch.tensor([0.2, 1.0, 2.5, 0.7], dtype=F64)
    for r in REDUCTIONS:
        loss_case(f"CrossEntropyLoss/indices_{r}/float64", "CrossEntropyLoss", {"reduction": r}, randn(5, 4), index(4, 5))
        loss_case(f"CrossEntropyLoss/weight_{r}/float64", "CrossEntropyLoss", {"reduction": r, "weight": w},
                  randn(5, 4), index(4, 5))
        loss_case(f"CrossEntropyLoss/ignore_index_{r}/float64", "CrossEntropyLoss", {"reduction": r, "ignore_index": 1},
                  randn(6, 4), given([1, 0, 1, 3, 2, 1], I64))
        loss_case(f"CrossEntropyLoss/label_smoothing_{r}/float64", "CrossEntropyLoss",
                  {"reduction": r, "label_smoothing": 0.1}, randn(5, 4), index(4, 5))
        loss_case(f"CrossEntropyLoss/probabilities_{r}/float64", "CrossEntropyLoss", {"reduction": r},
                  randn(5, 4), probabilities(5, 4))
    loss_case("CrossEntropyLoss/default/float32", "CrossEntropyLoss", {}, randn(5, 4, dtype=F32), index(4, 5))
    loss_case("CrossEntropyLoss/probabilities/float32", "CrossEntropyLoss", {}, randn(5, 4, dtype=F32),
              probabilities(5, 4, dtype=F32))
    loss_case("CrossEntropyLoss/weight_ignore_index_mean/float64", "CrossEntropyLoss",
              {"weight": w, "ignore_index": 2}, randn(6, 4), given([2, 0, 1, 3, 2, 1], I64))
    loss_case("CrossEntropyLoss/weight_label_smoothing_mean/float64", "CrossEntropyLoss",
              {"weight": w, "label_smoothing": 0.2}, randn(5, 4), index(4, 5))
    loss_case("CrossEntropyLoss/weight_label_smoothing_ignore_mean/float64", "CrossEntropyLoss",
              {"weight": w, "label_smoothing": 0.2, "ignore_index": 0}, randn(6, 4), given([0, 0, 1, 3, 2, 1], I64))
    loss_case("CrossEntropyLoss/probabilities_weight_smoothing/float64", "CrossEntropyLoss",
              {"weight": w, "label_smoothing": 0.15}, randn(5, 4), probabilities(5, 4))
    loss_case("CrossEntropyLoss/spatial_NCd/float64", "CrossEntropyLoss", {}, randn(2, 3, 4), index(3, 2, 4))
    loss_case("CrossEntropyLoss/spatial_NCHW_none/float64", "CrossEntropyLoss", {"reduction": "none"},
              randn(2, 3, 2, 2), index(3, 2, 2, 2))
    loss_case("CrossEntropyLoss/unbatched/float64", "CrossEntropyLoss", {}, randn(4), given(2, I64))
    loss_case("CrossEntropyLoss/large_logits/float64", "CrossEntropyLoss", {},
              given([[1000.0, -1000.0, 0.0], [-500.0, 500.0, 499.0]]), given([0, 2], I64))
    loss_case("CrossEntropyLoss/large_logits/float32", "CrossEntropyLoss", {},
              given([[100.0, -100.0, 0.0], [-50.0, 50.0, 49.0]], F32), given([1, 2], I64))


def nll():
    w = torch.tensor([1.5, 0.5, 1.0], dtype=F64)
    for r in REDUCTIONS:
        loss_case(f"NLLLoss/{r}/float64", "NLLLoss", {"reduction": r}, log_probabilities(5, 3), index(3, 5))
        loss_case(f"NLLLoss/weight_{r}/float64", "NLLLoss", {"reduction": r, "weight": w}, log_probabilities(5, 3),
                  index(3, 5))
        loss_case(f"NLLLoss/weight_ignore_index_{r}/float64", "NLLLoss", {"reduction": r, "weight": w,
                  "ignore_index": 0}, log_probabilities(5, 3), given([0, 1, 2, 0, 1], I64))
    loss_case("NLLLoss/default/float32", "NLLLoss", {}, log_probabilities(5, 3, dtype=F32), index(3, 5))
    loss_case("NLLLoss/spatial/float64", "NLLLoss", {}, log_probabilities(2, 3, 4), index(3, 2, 4))


def regression():
    for loss, extra in [("MSELoss", {}), ("L1Loss", {}), ("SmoothL1Loss", {}), ("SmoothL1Loss", {"beta": 0.5}),
                        ("HuberLoss", {}), ("HuberLoss", {"delta": 0.5}), ("HuberLoss", {"delta": 2.0})]:
        tag = loss + "".join(f"/{k}={v}" for k, v in extra.items())
        for r in REDUCTIONS:
            loss_case(f"{tag}/{r}/float64", loss, dict(extra, reduction=r), randn(3, 4, scale=1.5), randn(3, 4))
        loss_case(f"{tag}/mean/float32", loss, dict(extra), randn(3, 4, scale=1.5, dtype=F32), randn(3, 4, dtype=F32))
    loss_case("SmoothL1Loss/beta0_is_l1/float64", "SmoothL1Loss", {"beta": 0.0}, randn(2, 3), randn(2, 3))


def binary():
    w = torch.tensor([0.5, 2.0, 1.0], dtype=F64)
    pos_weight = torch.tensor([3.0, 0.5, 1.0], dtype=F64)
    for r in REDUCTIONS:
        loss_case(f"BCELoss/{r}/float64", "BCELoss", {"reduction": r}, uniform(0.05, 0.95, 4, 3), uniform(0, 1, 4, 3))
        loss_case(f"BCELoss/weight_{r}/float64", "BCELoss", {"reduction": r, "weight": w}, uniform(0.05, 0.95, 4, 3),
                  uniform(0, 1, 4, 3))
        loss_case(f"BCEWithLogitsLoss/{r}/float64", "BCEWithLogitsLoss", {"reduction": r}, randn(4, 3, scale=2.0),
                  uniform(0, 1, 4, 3))
        loss_case(f"BCEWithLogitsLoss/pos_weight_{r}/float64", "BCEWithLogitsLoss",
                  {"reduction": r, "pos_weight": pos_weight}, randn(4, 3, scale=2.0), uniform(0, 1, 4, 3))
    loss_case("BCELoss/mean/float32", "BCELoss", {}, uniform(0.05, 0.95, 4, 3, dtype=F32), uniform(0, 1, 4, 3, dtype=F32))
    # log is clamped at -100 so exact 0 and 1 give finite values.
    loss_case("BCELoss/extremes/float64", "BCELoss", {"reduction": "sum"}, given([0.0, 1.0, 0.5, 1e-30]),
              given([1.0, 0.0, 1.0, 0.0]))
    loss_case("BCEWithLogitsLoss/mean/float32", "BCEWithLogitsLoss", {}, randn(4, 3, dtype=F32),
              uniform(0, 1, 4, 3, dtype=F32))
    loss_case("BCEWithLogitsLoss/weight_pos_weight/float64", "BCEWithLogitsLoss", {"weight": w, "pos_weight": pos_weight},
              randn(4, 3), uniform(0, 1, 4, 3))
    loss_case("BCEWithLogitsLoss/large_logits/float64", "BCEWithLogitsLoss", {"reduction": "sum"},
              given([-1000.0, 1000.0, 50.0, -50.0]), given([1.0, 0.0, 1.0, 0.5]))


def kl_div():
    for r in ["none", "mean", "sum", "batchmean"]:
        loss_case(f"KLDivLoss/{r}/float64", "KLDivLoss", {"reduction": r}, log_probabilities(4, 3), probabilities(4, 3))
        loss_case(f"KLDivLoss/log_target_{r}/float64", "KLDivLoss", {"reduction": r, "log_target": True},
                  log_probabilities(4, 3), log_probabilities(4, 3))
    loss_case("KLDivLoss/batchmean/float32", "KLDivLoss", {"reduction": "batchmean"}, log_probabilities(4, 3, dtype=F32),
              probabilities(4, 3, dtype=F32))
    # A zero target contributes zero (0 * log 0 is taken as 0).
    loss_case("KLDivLoss/zero_target/float64", "KLDivLoss", {"reduction": "sum"}, log_probabilities(2, 3),
              given([[0.0, 0.5, 0.5], [1.0, 0.0, 0.0]]))


def main():
    deterministic_setup()
    # KLDivLoss(reduction="mean") warns that it differs from "batchmean"; that difference is the point.
    warnings.filterwarnings("ignore", message="reduction: 'mean' divides")
    cross_entropy()
    nll()
    regression()
    binary()
    kl_div()
    write_fixture("losses.json", __file__, {
        "description": "torch.nn losses: value and input gradient. See scripts/reference/README.md.",
        "cases": CASES,
    })
    print(f"{len(CASES)} cases")


if __name__ == "__main__":
    main()
