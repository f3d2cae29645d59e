"""Deterministic input specifications shared by the fixture scripts.

Each Spec makes a tensor from a generator that the caller seeds (by case name), so that adding a case
never changes the data of another.
"""
import torch

F64, F32, I64, I32, BOOL = torch.float64, torch.float32, torch.int64, torch.int32, torch.bool


class Spec:
    def __init__(self, make, requires_grad=None, view=None):
        self.make = make
        self.requires_grad = requires_grad
        self.view = view or []  # [[method, [args...]], ...] applied to the leaf before the op

    def as_view(self, *steps):
        return Spec(self.make, self.requires_grad, [list(s) for s in steps])

    def no_grad(self):
        return Spec(self.make, False, self.view)


def randn(*shape, dtype=F64, scale=1.0):
    return Spec(lambda g: (torch.randn(shape, generator=g, dtype=F64) * scale).to(dtype))


def uniform(lo, hi, *shape, dtype=F64):
    return Spec(lambda g: (lo + (hi - lo) * torch.rand(shape, generator=g, dtype=F64)).to(dtype))


def positive(*shape, dtype=F64):
    return uniform(0.5, 2.0, *shape, dtype=dtype)


def away_from_zero(*shape, dtype=F64):
    """Values with |x| in [0.3, 2]: safe for division and kinks of abs/sign/relu."""
    def make(g):
        mag = 0.3 + 1.7 * torch.rand(shape, generator=g, dtype=F64)
        sgn = torch.where(torch.rand(shape, generator=g, dtype=F64) < 0.5, -1.0, 1.0).to(F64)
        return (mag * sgn).to(dtype)
    return Spec(make)


def distinct(*shape, dtype=F64):
    """A random permutation of well-separated values: no ties for max/min/argmax/sort-like ops."""
    def make(g):
        n = 1
        for s in shape:
            n *= s
        perm = torch.randperm(n, generator=g).to(F64)
        return ((perm - n / 2) * 0.37).reshape(shape).to(dtype)
    return Spec(make)


def index(high, *shape, dtype=I64):
    return Spec(lambda g: torch.randint(0, high, shape, generator=g, dtype=dtype), requires_grad=False)


def mask(*shape):
    return Spec(lambda g: torch.rand(shape, generator=g) < 0.5, requires_grad=False)


def given(values, dtype=F64, requires_grad=None):
    return Spec(lambda g: torch.tensor(values, dtype=dtype), requires_grad=requires_grad)


def generator_for(name):
    """The generator a case draws its data from: seeded by the case's name."""
    import zlib

    return torch.Generator().manual_seed(zlib.crc32(name.encode()))
