"""The smallest pieces of the testing kit, which the others build on: getting torch, moving
tensors between minigrad and torch, and comparing values at dtype-sized tolerances.

They live in their own module so that the kit's other modules import them from here, below
the package's __init__, which re-exports everything (no import circle).
"""

import importlib

import numpy as np


def torch():
    """The torch module, imported on first use (install the `torch` extra to use the oracles)."""
    return importlib.import_module("torch")


def torch_or_skip():
    """The torch module, or skip the calling test (at a test module's top: the whole module) without it."""
    import pytest

    return pytest.importorskip("torch")


def to_torch(t, requires_grad=None):
    """A torch tensor with the same values and dtype as a minigrad tensor or NumPy array."""
    array = np.array(t.detach().numpy() if hasattr(t, "detach") else t)
    out = torch().from_numpy(array)
    flag = t.requires_grad if requires_grad is None and hasattr(t, "requires_grad") else bool(requires_grad)
    return out.requires_grad_(flag) if out.is_floating_point() else out


def from_torch(t, requires_grad=None):
    """A minigrad tensor with the same values and dtype as a torch tensor."""
    import minigrad

    out = minigrad.from_numpy(t.detach().cpu().numpy().copy())
    flag = t.requires_grad if requires_grad is None else bool(requires_grad)
    return out.requires_grad_(flag) if out.is_floating_point() else out


def tolerances(dtype):
    """(rtol, atol) for comparing with torch: tight in float64, float32-sized in float32."""
    name = str(dtype).split(".")[-1]
    return {"float64": (1e-6, 1e-10), "float32": (1e-4, 1e-5), "float16": (1e-2, 1e-3)}.get(name, (0, 0))


def assert_close(actual, expected, rtol=None, atol=None, what="value"):
    """Compare a minigrad (or NumPy) result with a torch (or NumPy) one: dtype, shape and values."""
    a = np.asarray(actual.detach().numpy() if hasattr(actual, "detach") else actual)
    # force: torch hands out some all-zero gradients (sgn's) as a ZeroTensor, which has no plain .numpy()
    e = np.asarray(expected.detach().cpu().numpy(force=True) if hasattr(expected, "detach") else expected)
    assert a.dtype == e.dtype, f"{what}: dtype {a.dtype} != expected {e.dtype}"
    assert a.shape == e.shape, f"{what}: shape {a.shape} != expected {e.shape}"
    default_rtol, default_atol = tolerances(a.dtype)
    np.testing.assert_allclose(a, e, rtol=default_rtol if rtol is None else rtol,
                               atol=default_atol if atol is None else atol, err_msg=what, equal_nan=True)
