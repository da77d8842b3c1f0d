"""Small value types of the torch API: Size, device, hook handles and (values, indices) results."""

import collections
import math
from collections.abc import Sequence
from typing import TypeAlias

import numpy as np

from minigrad import _dtype


class Size(tuple):
    """The shape of a tensor: a tuple that prints as ``minigrad.Size([2, 3])``."""

    def __repr__(self):
        return f"minigrad.Size({list(self)})"

    def __getitem__(self, index):
        item = tuple.__getitem__(self, index)
        return Size(item) if isinstance(index, slice) else item

    def numel(self):
        return math.prod(self)


class device:
    """Where a tensor lives. minigrad computes on the CPU only."""

    __slots__ = ("type", "index")

    def __init__(self, type="cpu", index=None):
        if not isinstance(type, str):  # another device object (minigrad's or torch's)
            if not hasattr(type, "type"):
                raise TypeError(f"device() expects a string such as 'cpu' or a device, got {type!r}")
            type, index = type.type, getattr(type, "index", None)
        if ":" in type:
            type, index = type.split(":")
            index = int(index)
        if type not in ("cpu", "cuda", "mps"):
            raise RuntimeError(f"Expected one of cpu, cuda, mps device type at start of device string: {type}")
        self.type = type
        self.index = index

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))

    def __repr__(self):
        index = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"


_CPU = device("cpu")


class layout:
    """How a tensor's elements are stored. minigrad has torch's default layout only, `strided`: a
    dense block of memory read with a stride per dim (torch also has sparse layouts)."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"minigrad.{self.name}"


strided = layout("strided")


# Aliases for type hints, after torch's own (torch.types): what the API accepts where it takes a
# number, a device, a dtype, a shape or some dims. They are hints only: nothing checks them.
Number: TypeAlias = int | float | bool
DeviceLike: TypeAlias = str | device
# a dtype as _dtype.as_dtype accepts it: minigrad.float32, np.float32, np.dtype("float32"), float, "float32"
DTypeLike: TypeAlias = _dtype.dtype | np.dtype | type | str
SizeLike: TypeAlias = Sequence[int]  # a Size, a tuple or a list of ints
Dims: TypeAlias = int | Sequence[int]  # one dim or several


def to_arguments(args, kwargs):
    """The dtype asked for by torch's .to(...) arguments (None if only a device), checking the device."""
    dtype = kwargs.pop("dtype", None)
    _check_device(kwargs.pop("device", None))
    kwargs.pop("non_blocking", None)
    if kwargs:
        raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
    for arg in args:
        if hasattr(arg, "_array"):  # a Tensor: take its dtype
            dtype = arg.dtype
        elif isinstance(arg, (str, device)):
            _check_device(arg)
        elif arg is not None:
            dtype = arg
    return dtype


def _check_device(dev):
    if dev is not None and device(dev).type != "cpu":
        raise _cpu_only(dev)


def _cpu_only(dev):
    """The error for a device other than the CPU."""
    return RuntimeError(f"minigrad runs on the CPU only, so it cannot use device '{device(dev)}'; "
                        "use the torch backend for GPUs")


_RETURN_TYPES = {}


def _return_type(name, fields=("values", "indices")):
    """The named tuple torch returns from `name` (torch.return_types.<name>), with its fields."""
    if name not in _RETURN_TYPES:
        _RETURN_TYPES[name] = collections.namedtuple(name, fields)
    return _RETURN_TYPES[name]


class RemovableHandle:
    """Returned by register_hook; `remove()` unregisters the hook."""

    _next_id = 0

    def __init__(self, hooks):
        self._hooks = hooks
        self.id = RemovableHandle._next_id
        RemovableHandle._next_id += 1

    def remove(self):
        self._hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()
