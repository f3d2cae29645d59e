"""Shared helpers for the PyTorch reference-fixture scripts.

Every fixture is plain JSON so that the TypeScript tests need no Python and no RNG parity:
inputs are generated here, deterministically, and stored next to the expected results.
"""
import json
import math
import os

import torch

FIXTURE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test", "fixtures")
FORMAT_VERSION = 1

DTYPE_NAMES = {
    torch.float32: "float32",
    torch.float64: "float64",
    torch.int32: "int32",
    torch.int64: "int64",
    torch.bool: "bool",
}
DTYPES_BY_NAME = {name: dtype for dtype, name in DTYPE_NAMES.items()}


def encode_number(x, dtype):
    """A JSON-safe scalar. Non-finite floats become the strings "nan", "inf", "-inf"."""
    if dtype == torch.bool:
        return bool(x)
    if dtype in (torch.int32, torch.int64):
        value = int(x)
        if abs(value) > 2**53:
            raise ValueError("integer fixture value past 2^53 cannot round-trip through JSON numbers")
        return value
    value = float(x)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if dtype == torch.float32:
        # The shortest decimal that reads back as the same float32 keeps files small and exact.
        return _shortest_f32(value)
    return value


def _shortest_f32(value):
    import numpy as np

    return float(repr(np.float32(value)))


def encode_tensor(t):
    """{shape, dtype, data}: data is the row-major flat list of the tensor's values."""
    t = t.detach()
    dtype = t.dtype
    if dtype not in DTYPE_NAMES:
        raise TypeError(f"unsupported fixture dtype {dtype}")
    flat = t.contiguous().reshape(-1).tolist()
    return {
        "shape": list(t.shape),
        "dtype": DTYPE_NAMES[dtype],
        "data": [encode_number(v, dtype) for v in flat],
    }


def encode_value(v):
    """Encode a Python value that may hold tensors (used for options such as weights)."""
    if isinstance(v, torch.Tensor):
        return {"tensor_value": encode_tensor(v)}
    if isinstance(v, torch.dtype):
        return {"dtype": DTYPE_NAMES[v]}
    if isinstance(v, (list, tuple)):
        return [encode_value(x) for x in v]
    if isinstance(v, dict):
        return {k: encode_value(x) for k, x in v.items()}
    if isinstance(v, float) and not math.isfinite(v):
        return encode_number(v, torch.float64)
    return v


def write_fixture(filename, script, payload):
    """Write one fixture file with a header saying where it came from."""
    os.makedirs(FIXTURE_DIR, exist_ok=True)
    doc = {
        "format_version": FORMAT_VERSION,
        "generator": "scripts/reference/" + os.path.basename(script),
        "torch_version": torch.__version__,
    }
    doc.update(payload)
    path = os.path.join(FIXTURE_DIR, filename)
    with open(path, "w") as f:
        json.dump(doc, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    size_kb = os.path.getsize(path) / 1024
    print(f"wrote {os.path.relpath(path)} ({size_kb:.1f} KiB)")


def deterministic_setup():
    """Single-threaded, deterministic PyTorch so that regenerating gives the same bytes."""
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    torch.manual_seed(0)
