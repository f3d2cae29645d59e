"""The seed's training loop at full size (issue 3): NeuralNetwork (Flatten, Linear(784, 512), ReLU,
Linear(512, 512), ReLU, Linear(512, 10)), SGD lr 0.01 momentum 0.9, batch 64, cross-entropy, float32.

Writes test/fixtures/seed-training.json. Storing 670k initial weights would take megabytes, so the
weights and the batches come from a closed-form hash that the TypeScript side computes exactly the
same way (integer arithmetic below 2^53, then one IEEE rounding to float32):
    u(n, salt) = ((n * 2654435761 + salt) mod 2^32) / 2^32          (n: the flat element index)
    weight or bias of a Linear with fan_in f:  float32((2 u - 1) / sqrt(f))
    pixel of image batch b:                     float32(u(n, PIXEL_SALT + b))
    label k of batch b:                         floor(10 u(k, LABEL_SALT + b))
The fixture holds the salts, checksums of the initial weights (to catch a formula mismatch apart from
a training one), the loss at every step and checksums and leading values of what the training
changed in every parameter (final - initial, in float64: the update is small beside the weights, so
comparing final weights alone would hardly test it).
"""
import torch
from torch import nn

from common import deterministic_setup, write_fixture

MULTIPLIER = 2654435761
MODULUS = 2**32
PIXEL_SALT = 1000
LABEL_SALT = 2000
STEPS = 8
BATCH = 64


def hashed_uniform(numel, salt):
    n = torch.arange(numel, dtype=torch.int64)
    return ((n * MULTIPLIER + salt) % MODULUS).to(torch.float64) / MODULUS


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(28 * 28, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10),
        )

    def forward(self, x):
        return self.linear_relu_stack(self.flatten(x))


def param_salt(index):
    """Each parameter (in state_dict order) gets its own salt."""
    return 17 + 101 * index


def stats(t):
    t64 = t.detach().to(torch.float64)
    return {
        "sum": float(t64.sum()),
        "abs_sum": float(t64.abs().sum()),
        "head": [float(v) for v in t.detach().reshape(-1)[:8].tolist()],
    }


def main():
    deterministic_setup()
    model = NeuralNetwork()
    with torch.no_grad():
        for index, (name, p) in enumerate(model.named_parameters()):
            fan_in = model.get_parameter(name.rsplit(".", 1)[0] + ".weight").shape[1]
            u = hashed_uniform(p.numel(), param_salt(index))
            p.copy_(((2 * u - 1) / (fan_in ** 0.5)).reshape(p.shape).to(torch.float32))
    initial_values = {name: p.detach().clone() for name, p in model.named_parameters()}
    initial = {name: stats(p) for name, p in initial_values.items()}

    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for step in range(STEPS):
        x = hashed_uniform(BATCH * 28 * 28, PIXEL_SALT + step).reshape(BATCH, 1, 28, 28).to(torch.float32)
        y = torch.floor(10 * hashed_uniform(BATCH, LABEL_SALT + step)).to(torch.int64)
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(float(loss))

    write_fixture("seed-training.json", __file__, {
        "description": "The seed's training loop at full size. See scripts/reference/seed_training.py.",
        "hash": {"multiplier": MULTIPLIER, "modulus": MODULUS, "pixel_salt": PIXEL_SALT, "label_salt": LABEL_SALT,
                 "param_salts": [param_salt(i) for i in range(len(initial))]},
        "optimizer": {"name": "SGD", "lr": 0.01, "momentum": 0.9},
        "batch": BATCH,
        "steps": STEPS,
        "param_order": list(initial),
        "initial": initial,
        "losses": losses,
        # What training changed: final - initial (in float64, from the float32 values).
        "update": {
            name: stats(p.detach().to(torch.float64) - initial_values[name].to(torch.float64))
            for name, p in model.named_parameters()
        },
    })
    print(losses)


if __name__ == "__main__":
    main()
