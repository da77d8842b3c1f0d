"""Process-wide settings torch scripts call at start-up, and type information."""

import warnings

import numpy as np

from minigrad import _dtype
from minigrad._types import _check_device, device
from minigrad.tensor import Tensor


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


# The settings torch keeps for scripts that ask: minigrad's results do not depend on them (its
# algorithms are deterministic, and its float32 products are NumPy's), but a script that sets one
# reads back what it set, as in torch.
_settings = {"deterministic": False, "warn_only": False, "float32_matmul_precision": "highest", "warn_always": False}
_DEBUG_MODES = ("default", "warn", "error")
_PRECISIONS = ("highest", "high", "medium")


def use_deterministic_algorithms(mode, warn_only=False):
    """Ask for deterministic algorithms only (minigrad's all are): read back by the functions below."""
    _settings["deterministic"], _settings["warn_only"] = bool(mode), bool(warn_only)


def are_deterministic_algorithms_enabled():
    return _settings["deterministic"]


def is_deterministic_algorithms_warn_only_enabled():
    return _settings["warn_only"]


def set_deterministic_debug_mode(debug_mode):
    """The same switch as use_deterministic_algorithms, by name ("default", "warn", "error") or number (0-2)."""
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError("invalid value of debug_mode, expected one of `default`, `warn`, `error`, but got "
                               f"{debug_mode}")
        debug_mode = _DEBUG_MODES.index(debug_mode)
    elif isinstance(debug_mode, int):
        if debug_mode not in (0, 1, 2):
            raise RuntimeError(f"invalid value of debug_mode, expected 0, 1, or 2, but got {debug_mode}")
    else:
        raise TypeError(f"debug_mode must be str or int, but got {type(debug_mode)}")
    use_deterministic_algorithms(debug_mode > 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode():
    """0 (default: any algorithm), 1 (warn about nondeterministic ones) or 2 (refuse them)."""
    if not _settings["deterministic"]:
        return 0
    return 1 if _settings["warn_only"] else 2


def set_float32_matmul_precision(precision):
    """Accepted and read back; NumPy multiplies float32 matrices in float32 whatever it says."""
    if precision not in _PRECISIONS:
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current "
                      "set_float32_matmul_precision call has no effect.", stacklevel=2)
        return
    _settings["float32_matmul_precision"] = precision


def get_float32_matmul_precision():
    return _settings["float32_matmul_precision"]


def set_warn_always(enabled):
    """Accepted and read back: minigrad's warnings follow Python's own filters."""
    _settings["warn_always"] = bool(enabled)


def is_warn_always_enabled():
    return _settings["warn_always"]


def can_cast(from_, to):
    """Whether torch's in-place and out= operations may write values of dtype from_ into dtype to:
    any cast except floating point to integer and anything else to bool (a narrowing within a
    kind, float64 to float16 say, is allowed)."""
    for position, (name, value) in enumerate((("from_", from_), ("to", to)), start=1):
        if not isinstance(value, _dtype.dtype):
            raise TypeError(f"can_cast(): argument '{name}' (position {position}) must be torch.dtype, not "
                            f"{type(value).__name__}")
    if from_.is_floating_point and not to.is_floating_point:
        return False
    return not (to == _dtype.bool and from_ != _dtype.bool)


def typename(obj, /):
    """The qualified name of obj's type, as torch writes it: a tensor's type() ("minigrad.FloatTensor"),
    a class's or function's own name, an instance's class."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    if hasattr(obj, "__qualname__"):
        qualname = obj.__qualname__
    elif hasattr(obj, "__name__"):
        qualname = obj.__name__
    else:
        module, qualname = type(obj).__module__ or "", type(obj).__qualname__
    return qualname if module in ("", "builtins") else f"{module}.{qualname}"


def compile(model=None, **options):
    """minigrad has no compiler: returns the model (or function) unchanged, also as a decorator."""
    if model is None:
        return lambda fn: fn
    return model
