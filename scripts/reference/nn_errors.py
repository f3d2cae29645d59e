"""PyTorch's error messages for bad input to nn layers, losses and optimizers (issue 3).

Writes test/fixtures/nn-errors.json. Each case builds a module (`module`, `args`, `kwargs`) or a loss
and calls it on `inputs` that PyTorch rejects, or (kind "optimizer") builds an optimizer over a
dense-gradient parameter; `error` is the first line of PyTorch's message, which the engine's error
message must contain.
"""
import torch
from torch import nn

from common import deterministic_setup, encode_tensor, encode_value, write_fixture

CASES = []


def module_error(name, module, args, kwargs, inputs, training=True):
    m = getattr(nn, module)(*args, **kwargs)
    m.train(training)
    try:
        m(*inputs)
        raise AssertionError(f"{name}: PyTorch accepted it")
    except (RuntimeError, ValueError, IndexError) as e:
        message = str(e).split("\n")[0]
    CASES.append({"name": name, "kind": "module", "module": module, "args": encode_value(list(args)),
                  "kwargs": encode_value(kwargs), "training": training,
                  "inputs": [encode_tensor(x) for x in inputs], "error": message})


def main():
    deterministic_setup()
    module_error("Linear/in_features_mismatch", "Linear", [4, 3], {}, [torch.zeros(2, 5)])
    module_error("Conv2d/channels_mismatch", "Conv2d", [2, 3, 3], {}, [torch.zeros(1, 4, 5, 5)])
    module_error("Conv2d/input_smaller_than_kernel", "Conv2d", [1, 1, 5], {}, [torch.zeros(1, 1, 3, 3)])
    module_error("BatchNorm1d/one_value_per_channel", "BatchNorm1d", [3], {}, [torch.zeros(1, 3)])
    module_error("Embedding/index_out_of_range", "Embedding", [4, 2], {}, [torch.tensor([1, 4])])
    module_error("CrossEntropyLoss/target_out_of_bounds", "CrossEntropyLoss", [], {},
                 [torch.zeros(2, 3), torch.tensor([0, 3])])
    module_error("NLLLoss/batch_mismatch", "NLLLoss", [], {}, [torch.zeros(3, 4), torch.tensor([0, 1])])
    module_error("BCELoss/input_out_of_range", "BCELoss", [], {}, [torch.tensor([1.5, 0.5]), torch.tensor([1.0, 0.0])])
    # SparseAdam with a dense gradient.
    p = nn.Parameter(torch.zeros(3))
    opt = torch.optim.SparseAdam([p])
    p.sum().backward()
    try:
        opt.step()
        raise AssertionError("SparseAdam accepted a dense gradient")
    except RuntimeError as e:
        CASES.append({"name": "SparseAdam/dense_gradient", "kind": "optimizer", "optimizer": "SparseAdam",
                      "error": str(e).split("\n")[0]})
    write_fixture("nn-errors.json", __file__, {
        "description": "PyTorch's error messages for bad input to nn. See scripts/reference/nn_errors.py.",
        "cases": CASES,
    })
    for c in CASES:
        print(c["name"], "|", c["error"])


if __name__ == "__main__":
    main()
