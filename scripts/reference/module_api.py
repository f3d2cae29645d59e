"""Reference state_dict names and printouts of modules, and optimizers' defaults (issue 3).

Writes test/fixtures/module-api.json: for the seed's network (Flatten, then Sequential of
Linear(784, 512), ReLU, Linear(512, 512), ReLU, Linear(512, 10)) and a few other containers, the
state_dict keys in order with shapes and dtypes, named_parameters / named_buffers / named_modules
names, the parameter count and the printout (repr); load_state_dict's error messages for
state_dicts that do not fit (and strict=False's missing/unexpected keys); for every optimizer, its param_group defaults
(PyTorch's flags that only pick an implementation, foreach/capturable/differentiable/fused, left
out) and the names of the per-parameter state after one step, as state_dict() gives them.
"""
import torch
from torch import nn

from common import DTYPE_NAMES, deterministic_setup, write_fixture


class NeuralNetwork(nn.Module):
    """The seed's network, as in PyTorch's quickstart."""

    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(28 * 28, 512),
            nn.ReLU(),
            nn.Linear(512, 512),
            nn.ReLU(),
            nn.Linear(512, 10),
        )

    def forward(self, x):
        return self.linear_relu_stack(self.flatten(x))


class ConvNet(nn.Module):
    """A small CNN with normalization buffers and nested containers."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(4, 8, 3), nn.AdaptiveAvgPool2d((1, 1)),
        )
        self.head = nn.ModuleDict({"norm": nn.LayerNorm(8), "out": nn.Linear(8, 3, bias=False)})
        self.blocks = nn.ModuleList([nn.Linear(3, 3), nn.Dropout(0.1), nn.GELU(approximate="tanh")])
        self.embed = nn.Embedding(5, 2, padding_idx=0)

    def forward(self, x):
        return x


def describe(name, model, constructor):
    return {
        "name": name,
        "constructor": constructor,
        "repr": repr(model),
        "state_dict": [
            {"key": k, "shape": list(v.shape), "dtype": DTYPE_NAMES[v.dtype]} for k, v in model.state_dict().items()
        ],
        "named_parameters": [k for k, _ in model.named_parameters()],
        "named_buffers": [k for k, _ in model.named_buffers()],
        "named_modules": [k for k, _ in model.named_modules()],
        "named_children": [k for k, _ in model.named_children()],
        "parameter_count": sum(p.numel() for p in model.parameters()),
    }


def load_state_dict_errors():
    """PyTorch's messages for a state_dict that does not fit nn.Sequential(Linear(4,3), Tanh, Linear(3,2))."""
    model = nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2))
    full = {"0.weight": [3, 4], "0.bias": [3], "2.weight": [2, 3], "2.bias": [2]}
    variants = [
        ("missing_key", {k: v for k, v in full.items() if k != "2.bias"}),
        ("unexpected_key", dict(full, **{"3.weight": [1]})),
        ("size_mismatch", dict(full, **{"0.weight": [3, 5]})),
        ("missing_and_unexpected", dict({k: v for k, v in full.items() if k != "0.bias"}, extra=[1])),
    ]
    cases = []
    for name, shapes in variants:
        state = {k: torch.zeros(v) for k, v in shapes.items()}
        try:
            model.load_state_dict(state)
            raise AssertionError(f"{name}: PyTorch accepted it")
        except RuntimeError as e:
            message = str(e)
        relaxed = None
        if name != "size_mismatch":
            keys = model.load_state_dict(state, strict=False)
            relaxed = {"missing_keys": list(keys.missing_keys), "unexpected_keys": list(keys.unexpected_keys)}
        cases.append({"name": name, "state_shapes": shapes, "error": message, "non_strict": relaxed})
    return cases


IMPLEMENTATION_FLAGS = {"foreach", "capturable", "differentiable", "fused"}


def optimizer_defaults(name, options):
    """Defaults of a fresh optimizer over one parameter, and its state keys after one step on sum(p**2)."""
    if name == "SparseAdam":
        emb = nn.Embedding(3, 2, sparse=True, dtype=torch.float64)
        with torch.no_grad():
            emb.weight.copy_(torch.tensor([[0.5, -1.0], [1.5, 0.25], [-0.75, 2.0]], dtype=torch.float64))
        param = emb.weight
        loss_fn = lambda: emb(torch.tensor([0, 2])).pow(2).sum()
    else:
        param = nn.Parameter(torch.tensor([0.5, -1.0, 1.5], dtype=torch.float64))
        loss_fn = lambda: param.pow(2).sum()
    opt = getattr(torch.optim, name)([param], **options)

    def closure():
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss

    if name == "LBFGS":
        opt.step(closure)
    else:
        closure()
        opt.step()
    state = opt.state_dict()
    group = {k: v for k, v in state["param_groups"][0].items() if k not in IMPLEMENTATION_FLAGS}
    return {
        "optimizer": name,
        "options": options,
        "param_group": {k: (list(v) if isinstance(v, tuple) else v) for k, v in group.items()},
        "state_keys": sorted(state["state"][0].keys()),
    }


def main():
    deterministic_setup()
    models = [
        describe("seed_network", NeuralNetwork(),
                 "class NeuralNetwork(nn.Module): flatten = nn.Flatten(); linear_relu_stack = nn.Sequential("
                 "nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))"),
        describe("conv_net", ConvNet(),
                 "class ConvNet(nn.Module): features = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), "
                 "nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 8, 3), nn.AdaptiveAvgPool2d((1, 1))); "
                 "head = nn.ModuleDict({norm: nn.LayerNorm(8), out: nn.Linear(8, 3, bias=False)}); "
                 "blocks = nn.ModuleList([nn.Linear(3, 3), nn.Dropout(0.1), nn.GELU(approximate='tanh')]); "
                 "embed = nn.Embedding(5, 2, padding_idx=0)"),
        describe("sequential_plain", nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2)),
                 "nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2))"),
    ]
    optimizers = [
        optimizer_defaults(name, options) for name, options in [
            ("SGD", {"lr": 0.1}), ("SGD", {"lr": 0.1, "momentum": 0.9}), ("Adagrad", {}), ("RMSprop", {}),
            ("RMSprop", {"momentum": 0.9, "centered": True}), ("Adadelta", {}), ("Adam", {}),
            ("Adam", {"amsgrad": True}), ("AdamW", {}), ("Adamax", {}), ("SparseAdam", {}), ("ASGD", {}),
            ("Rprop", {}), ("LBFGS", {}),
        ]
    ]
    write_fixture("module-api.json", __file__, {
        "description": "nn.Module names and printouts, optimizer defaults. See scripts/reference/README.md.",
        "models": models,
        "optimizers": optimizers,
        "load_state_dict_errors": load_state_dict_errors(),
    })


if __name__ == "__main__":
    main()
