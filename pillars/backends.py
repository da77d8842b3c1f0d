"""Backends as values: one object that says which library runs the tensors, and on which device.

    mg = backend("minigrad")          # or "torch", "torch:cuda", "auto"
    model = mg.nn.Linear(3, 1).to(mg.device)
    x = mg.tensor(np.ones((4, 3), dtype=np.float32))
    mg.numpy(model(x))

A Backend gives the torch-shaped namespace (``torch``, ``nn``, ``F``, ``optim``, ``data``), the
device, and the few conversions pillars needs to move NumPy arrays and weights in and out.
Nothing here depends on import order and no module is ever reloaded: choosing torch imports
torch, choosing minigrad imports minigrad, and both can live in one process side by side.

``backend_of(obj)`` answers the other question, "which backend made this model or tensor?",
so a pillar function works on whatever it is given, as plain torch code would.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
import types
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from pillars.errors import BackendError

NAMES = ("minigrad", "torch", "torch:cuda", "auto")
ENVIRONMENT_VARIABLE = "PILLARS_BACKEND"
INSTALL_TORCH = "install it with: pip install 'minigrad-pillars[torch]' (torch==2.13.0), or choose --backend minigrad"

# What a backend makes, for type hints. minigrad's classes and torch's have the same methods but no
# common base, and torch may not be installed, so these name a role rather than a class.
Tensor: TypeAlias = Any      # minigrad.Tensor or torch.Tensor
Module: TypeAlias = Any      # a model: an nn.Module of either library
Optimizer: TypeAlias = Any   # an optim.Optimizer of either
Scheduler: TypeAlias = Any   # a learning-rate scheduler (optim.lr_scheduler) of either
Dataset: TypeAlias = Any     # a utils.data.Dataset of either
Loader: TypeAlias = Any      # a utils.data.DataLoader of either
LossFunction: TypeAlias = Any  # a loss module of either: loss_fn(outputs, targets) -> 0-d Tensor


@dataclasses.dataclass(frozen=True)
class Backend:
    """A library with torch's API and the device its tensors live on."""

    name: str                  # "minigrad" or "torch"
    device: str                # "cpu" or "cuda"
    torch: types.ModuleType    # the top-level module: minigrad, or torch itself

    @property
    def nn(self) -> types.ModuleType:
        return self.torch.nn

    @property
    def F(self) -> types.ModuleType:
        return self.torch.nn.functional

    @property
    def optim(self) -> types.ModuleType:
        return self.torch.optim

    @property
    def data(self) -> types.ModuleType:
        """The ``utils.data`` module: Dataset, TensorDataset, DataLoader."""
        return importlib.import_module(self.torch.__name__ + ".utils.data")

    @property
    def label(self) -> str:
        """How the backend is written on the command line: "minigrad", "torch" or "torch:cuda"."""
        return self.name if self.device == "cpu" else f"{self.name}:{self.device}"

    def __str__(self) -> str:
        return self.label

    def dtype(self, name: str) -> Any:
        """The backend's dtype object for a NumPy dtype name such as "float32"."""
        return getattr(self.torch, np.dtype(name).name)

    def tensor(self, array: ArrayLike, dtype: DTypeLike | None = None) -> Tensor:
        """A tensor on this backend's device holding a copy of a NumPy array (its dtype kept unless given)."""
        array = np.asarray(array)
        if dtype is not None:
            array = array.astype(dtype, copy=False)
        return self.torch.tensor(array, device=self.device)

    def numpy(self, tensor: Tensor) -> np.ndarray:
        """The values of a tensor as a NumPy array on the host, detached from any graph."""
        return tensor.detach().cpu().numpy()


def backend(name: str | None = None, device: str | None = None) -> Backend:
    """The backend called ``name``: "minigrad", "torch", "torch:cuda" or "auto".

    With no name, the PILLARS_BACKEND environment variable decides, else "minigrad". "auto" picks
    torch on CUDA where a GPU is present, else torch on the CPU, else minigrad. ``device`` ("cpu"
    or "cuda") may be given apart from the name. A backend that cannot run here raises
    BackendError saying what to install or choose instead.
    """
    from_environment = not name and bool(os.environ.get(ENVIRONMENT_VARIABLE))
    name = name or os.environ.get(ENVIRONMENT_VARIABLE) or "minigrad"
    if name not in NAMES:
        where = f" (from the environment variable {ENVIRONMENT_VARIABLE})" if from_environment else ""
        raise BackendError(f"unknown backend {name!r}{where}; choose one of {', '.join(NAMES)}")
    try:
        return _named(name, device)
    except BackendError as error:
        if from_environment:  # a valid name that cannot run here: the user may not know where it came from
            raise BackendError(f"{error} (the backend came from the environment variable "
                               f"{ENVIRONMENT_VARIABLE}={name})") from None
        raise


def _named(name: str, device: str | None) -> Backend:
    if name == "auto":
        return _automatic(device)
    library, _, named_device = name.partition(":")
    if device and named_device and device != named_device:
        raise BackendError(f"backend {name!r} and device {device!r} disagree; give one of them")
    device = device or named_device or "cpu"
    if device not in ("cpu", "cuda"):
        raise BackendError(f"unknown device {device!r}; choose cpu or cuda")
    if library == "minigrad":
        if device != "cpu":
            raise BackendError("minigrad runs on the CPU only; choose --backend torch:cuda for a GPU")
        return Backend("minigrad", "cpu", importlib.import_module("minigrad"))
    torch = _import_torch()
    if device == "cuda" and not torch.cuda.is_available():
        raise BackendError("torch finds no CUDA device here; choose --backend torch (CPU) or minigrad")
    return Backend("torch", device, torch)


def _automatic(device: str | None) -> Backend:
    try:
        torch = _import_torch()
    except BackendError:
        if device == "cuda":
            raise
        return backend("minigrad")
    if device:
        return backend("torch", device)
    return backend("torch", "cuda" if torch.cuda.is_available() else "cpu")


def _import_torch() -> types.ModuleType:
    try:
        return importlib.import_module("torch")
    except ImportError:
        raise BackendError(f"torch is not installed; {INSTALL_TORCH}") from None


def backend_of(obj: Tensor | Module | Optimizer) -> Backend:
    """The backend that made a tensor, a module or an optimizer (read from its class and device)."""
    tensor = _some_tensor(obj)
    library = _library_of(tensor if tensor is not None else obj)
    if library == "minigrad":
        return backend("minigrad")
    device = tensor.device.type if tensor is not None else "cpu"
    return Backend("torch", device, importlib.import_module("torch"))


def _some_tensor(obj):
    """A tensor that belongs to obj: itself, a module's first parameter, an optimizer's first parameter."""
    if hasattr(obj, "param_groups"):
        return next((p for group in obj.param_groups for p in group["params"]), None)
    if hasattr(obj, "parameters") and callable(obj.parameters):
        return next(iter(obj.parameters()), None)
    return obj if hasattr(obj, "detach") else None


def _library_of(obj):
    for cls in type(obj).__mro__:
        root = cls.__module__.partition(".")[0]
        if root in ("minigrad", "torch"):
            return root
    raise BackendError(f"{type(obj).__name__} belongs to neither minigrad nor torch")
