"""Process-wide settings torch scripts call at start-up, and type information."""

import numpy as np

from minigrad import _dtype
from minigrad._types import _check_device, device


class _Info:
    """Like torch.finfo / torch.iinfo: bits, eps, max, min, tiny (floats) and resolution."""

    def __init__(self, info, dtype):
        self.dtype = str(dtype).split(".")[-1]
        self.bits = info.bits
        self.max = np.asarray(info.max).item()
        self.min = np.asarray(info.min).item()
        if isinstance(info, np.finfo):
            self.eps = info.eps.item()
            self.tiny = self.smallest_normal = info.tiny.item()
            self.resolution = 10.0 ** -info.precision

    def __repr__(self):
        fields = ", ".join(f"{k}={v}" for k, v in vars(self).items() if k != "dtype")
        return f"{type(self).__name__}({fields}, dtype={self.dtype})"


class finfo(_Info):
    def __init__(self, dtype=None):
        dtype = _dtype.as_dtype(dtype) if dtype is not None else _dtype.get_default_dtype()
        if not dtype.is_floating_point:
            raise TypeError(f"finfo needs a floating point dtype, got {dtype}")
        super().__init__(np.finfo(dtype.numpy), dtype)


class iinfo(_Info):
    def __init__(self, dtype):
        dtype = _dtype.as_dtype(dtype)
        if dtype.is_floating_point:
            raise TypeError(f"iinfo needs an integer dtype, got {dtype}")
        super().__init__(np.iinfo(dtype.numpy), dtype)


_print_options = {}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None):
    """Accepted for compatibility; minigrad prints with torch's default options."""
    _print_options.update(precision=precision, threshold=threshold, edgeitems=edgeitems, linewidth=linewidth,
                          profile=profile, sci_mode=sci_mode)


def set_num_threads(n):
    """Accepted for compatibility: NumPy's BLAS decides its own threads."""


def get_num_threads():
    return 1


def set_num_interop_threads(n):
    """Accepted for compatibility: minigrad runs one operation at a time."""


def get_num_interop_threads():
    return 1


def set_default_device(device):
    """Where new tensors go: minigrad has only the CPU, so "cpu" (or None) is accepted and
    any other device raises at once rather than at the first tensor."""
    _check_device(device)


def get_default_device():
    return device("cpu")


def use_deterministic_algorithms(mode, warn_only=False):
    """minigrad is deterministic already."""


def compile(model=None, **options):
    """minigrad has no compiler: returns the model (or function) unchanged, also as a decorator."""
    if model is None:
        return lambda fn: fn
    return model
