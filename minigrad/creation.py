"""Making tensors: from data, filled with constants, ranges, and random draws."""

from __future__ import annotations

import numbers
import operator
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from minigrad import _dtype, _types
from minigrad.random import Generator, _normal, _numpy_rng
from minigrad._arguments import _broadcast_shape, _creation_shape, _fill_value, _shape_args
from minigrad._data import _infer
from minigrad._ops import reparameterised as P
from minigrad._ops.layout import dense_strides, laid_out_like
from minigrad._ops.special import i0 as _i0
from minigrad._types import Size, _check_device
from minigrad.autograd.grad_mode import is_grad_enabled
from minigrad.tensor import LEGACY_TYPES, Tensor, _strided_zeros, apply


def _finish(array, requires_grad=False, device=None):
    _check_device(device)
    t = Tensor._wrap(array)
    if requires_grad:
        t.requires_grad_(True)
    return t


def tensor(data: ArrayLike, dtype: _dtype.dtype | None = None, device: str | _types.device | None = None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """A new tensor holding a copy of data (numbers, nested lists, NumPy arrays, tensors)."""
    array = _infer(data, dtype)
    if dtype is not None:
        np_dtype = _dtype.as_dtype(dtype).numpy
        if not isinstance(data, (np.ndarray, Tensor)):  # Python numbers must fit (arrays wrap, as in torch)
            _check_fits(array, np_dtype)
        array = array.astype(np_dtype, copy=False)
    return _finish(array, requires_grad, device)


def _check_fits(values, np_dtype):
    """torch's error for Python numbers outside the range of an integer dtype (-0.9 too, for uint8):
    NumPy would wrap 256 around to 0 in uint8, or raise its own error."""
    if np_dtype.kind not in "iu" or values.size == 0 or values.dtype.kind not in "iuf":
        return
    low, high = np.min(values), np.max(values)
    info = np.iinfo(np_dtype)
    if low < info.min or high > info.max:
        raise RuntimeError(f"value cannot be converted to type {np_dtype.name} without overflow")


def as_tensor(data: ArrayLike, dtype: _dtype.dtype | None = None, device: str | _types.device | None = None) -> Tensor:
    """Like tensor(), but shares memory with a tensor or NumPy array when the dtype allows."""
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    if isinstance(data, np.ndarray):
        _dtype.from_numpy(data.dtype)
        array = data if dtype is None else data.astype(_dtype.as_dtype(dtype).numpy, copy=False)
        return _finish(array, device=device)
    return tensor(data, dtype=dtype, device=device)


def asarray(obj: ArrayLike, dtype: _dtype.dtype | None = None, device: str | _types.device | None = None, copy: bool | None = None,
            requires_grad: bool = False) -> Tensor:
    t = tensor(obj, dtype=dtype) if copy else as_tensor(obj, dtype=dtype, device=device)
    return t.requires_grad_(requires_grad) if requires_grad else t


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with a NumPy array (changes to one show in the other)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    _dtype.from_numpy(array.dtype)
    return Tensor._wrap(array)


def _shape_or_size(shape, size, function):
    """torch accepts zeros(2, 3), zeros((2, 3)) and zeros(size=(2, 3)); zeros() is its TypeError."""
    if size is not None:
        if shape:
            raise TypeError("pass the shape either positionally or as size=, not both")
        return (size,)
    if not shape:
        raise TypeError(f'{function}() missing 1 required positional arguments: "size"')
    return shape


def _filled(fill, size, dtype, requires_grad, device):
    np_dtype = _dtype.numpy_dtype(dtype) or _dtype.get_default_dtype().numpy
    return _finish(fill(_creation_shape(size, fill.__name__), dtype=np_dtype), requires_grad, device)


def zeros(*shape: int | Sequence[int], size: Sequence[int] | None = None, dtype: _dtype.dtype | None = None, device: str | _types.device | None = None,
          requires_grad: bool = False, out: Tensor | None = None) -> Tensor:
    size = _shape_or_size(shape, size, "zeros")
    return _filled(np.zeros, size, dtype, requires_grad, device)


def ones(*shape: int | Sequence[int], size: Sequence[int] | None = None, dtype: _dtype.dtype | None = None, device: str | _types.device | None = None,
         requires_grad: bool = False, out: Tensor | None = None) -> Tensor:
    size = _shape_or_size(shape, size, "ones")
    return _filled(np.ones, size, dtype, requires_grad, device)


def empty(*shape: int | Sequence[int], size: Sequence[int] | None = None, dtype: _dtype.dtype | None = None, device: str | _types.device | None = None,
          requires_grad: bool = False, out: Tensor | None = None) -> Tensor:
    size = _shape_or_size(shape, size, "empty")
    return _filled(np.zeros, size, dtype, requires_grad, device)  # zeroed: no garbage for learners


def empty_strided(size: Sequence[int], stride: Sequence[int], *, dtype: _dtype.dtype | None = None,
                  layout: object = None, device: str | _types.device | None = None, requires_grad: bool = False,
                  pin_memory: bool = False) -> Tensor:
    """A tensor of `size` whose elements lie `stride` elements apart along each dim, in a storage
    just large enough (overlapping if the strides say so). Zeroed, as minigrad's empty is."""
    np_dtype = _dtype.numpy_dtype(dtype) or _dtype.get_default_dtype().numpy
    return _finish(_strided_zeros(size, stride, np_dtype), requires_grad, device)


def empty_permuted(size: Sequence[int], physical_layout: Sequence[int], *, dtype: _dtype.dtype | None = None,
                   layout: object = None, device: str | _types.device | None = None, requires_grad: bool = False,
                   pin_memory: bool = False) -> Tensor:
    """A dense tensor of `size` whose dims lie in memory in the order `physical_layout`, outermost
    first: empty_permuted((N, C, H, W), (0, 2, 3, 1)) is an image batch stored channels-last. Zeroed."""
    shape, order = _creation_shape((size,), "empty_permuted"), _shape_args((physical_layout,))
    if len(shape) != len(order):
        raise RuntimeError(f"Number of dimensions in size does not match the length of the physical_layout; i.e. "
                           f"len(size) = {len(shape)} is not equal to len(physical_layout) = {len(order)}")
    for index, dim in enumerate(order):
        if not 0 <= dim < len(shape):
            raise RuntimeError(f"Dimension out of range (expected to be between 0 and {len(shape) - 1}, but got {dim} "
                               f"at index {index}).  NB: negative dims not currently supported")
    if len(set(order)) != len(order):
        raise RuntimeError(f"Duplicate dim not allowed: {list(order)}")
    steps = dense_strides(shape, reversed(order))
    return empty_strided(shape, steps, dtype=dtype, device=device, requires_grad=requires_grad)


def full(size: Sequence[int], fill_value: numbers.Number, dtype: _dtype.dtype | None = None, device: str | _types.device | None = None,
         requires_grad: bool = False) -> Tensor:
    fill_value = _fill_value(fill_value, "full")
    if dtype is None:
        dtype = (_dtype.bool if isinstance(fill_value, bool) else
                 _dtype.int64 if isinstance(fill_value, numbers.Integral) else _dtype.get_default_dtype())
    np_dtype = _dtype.as_dtype(dtype).numpy
    _check_fits(np.asarray(fill_value), np_dtype)
    return _finish(np.full(_creation_shape((size,), "full"), fill_value, dtype=np_dtype), requires_grad, device)


def _like(t, dtype):
    return _dtype.numpy_dtype(dtype) or t._array.dtype


def _laid_out_like(input, made):
    """`made`, a new tensor of input's shape, laid out like input: torch's *_like creators keep
    the input's layout (their default memory_format, preserve_format), so a transposed input
    gives a transposed result. The values stay as made."""
    if not input._array.flags.c_contiguous:
        made._array = laid_out_like(made._array, input._array)
    return made


def zeros_like(input: Tensor, dtype: _dtype.dtype | None = None, device: str | _types.device | None = None, requires_grad: bool = False) -> Tensor:
    return _laid_out_like(input, _finish(np.zeros(input._array.shape, dtype=_like(input, dtype)), requires_grad, device))


def ones_like(input: Tensor, dtype: _dtype.dtype | None = None, device: str | _types.device | None = None, requires_grad: bool = False) -> Tensor:
    return _laid_out_like(input, _finish(np.ones(input._array.shape, dtype=_like(input, dtype)), requires_grad, device))


def empty_like(input: Tensor, dtype: _dtype.dtype | None = None, device: str | _types.device | None = None, requires_grad: bool = False) -> Tensor:
    return zeros_like(input, dtype, device, requires_grad)


def full_like(input: Tensor, fill_value: numbers.Number, dtype: _dtype.dtype | None = None, device: str | _types.device | None = None,
              requires_grad: bool = False) -> Tensor:
    _check_fits(np.asarray(fill_value), _like(input, dtype))
    return _laid_out_like(input, _finish(np.full(input._array.shape, fill_value, dtype=_like(input, dtype)),
                                         requires_grad, device))


def fill(input: Tensor, value: numbers.Number | Tensor) -> Tensor:
    """A new tensor of input's shape and dtype whose every element is value (torch.fill, fill_
    out of place). A value that requires grad gets the sum of the gradient, input none; the result
    is then in the graph, so it must be of a floating dtype (torch's error otherwise)."""
    if (isinstance(value, Tensor) and value.requires_grad and is_grad_enabled()
            and not input.is_floating_point()):
        raise RuntimeError(f"Autograd not support dtype: {_dtype.scalar_type_name(input._array.dtype)}")
    return input.clone().fill_(value)


def rand_like(input: Tensor, dtype: _dtype.dtype | None = None, generator: Generator | None = None, requires_grad: bool = False) -> Tensor:
    return _laid_out_like(input, rand(input.shape, dtype=dtype or input.dtype, generator=generator,
                                      requires_grad=requires_grad))


def randn_like(input: Tensor, dtype: _dtype.dtype | None = None, generator: Generator | None = None, requires_grad: bool = False) -> Tensor:
    return _laid_out_like(input, randn(input.shape, dtype=dtype or input.dtype, generator=generator,
                                       requires_grad=requires_grad))


def arange(start: numbers.Number, end: numbers.Number | None = None, step: numbers.Number = 1, dtype: _dtype.dtype | None = None,
           device: str | _types.device | None = None, requires_grad: bool = False) -> Tensor:
    """Numbers from start up to (not including) end; integers give int64, floats the default dtype."""
    if end is None:
        start, end = 0, start
    start, end, step = (x.item() if isinstance(x, Tensor) else x for x in (start, end, step))
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(f"upper bound and larger bound inconsistent with step sign (start={start}, end={end}, step={step})")
    if dtype is None:
        integral = all(isinstance(x, numbers.Integral) for x in (start, end, step))
        dtype = _dtype.int64 if integral else _dtype.get_default_dtype()
    np_dtype = _dtype.as_dtype(dtype).numpy
    if np_dtype == np.int64:  # torch truncates start, end and step to integers first
        start, end, step = int(start), int(end), int(step)
        if step == 0:
            raise ValueError("step must be nonzero")
        return _finish(np.arange(start, end, step, dtype=np.int64), requires_grad, device)
    count = max(int(np.ceil((end - start) / step)), 0)
    if np_dtype.kind in "iu":  # the count from the numbers as given, the values from their integer parts
        return _finish((int(start) + np.arange(count, dtype=np.int64) * int(step)).astype(np_dtype),
                       requires_grad, device)
    # start + i * step in float64, then cast: torch's values, not a running sum's.
    return _finish((start + np.arange(count, dtype=np.float64) * step).astype(np_dtype), requires_grad, device)


def _count(value, name, function, position, what):
    """An int argument that counts something (steps, rows), with torch's errors for a non-int or
    negative one."""
    try:
        value = operator.index(value)  # ints, NumPy ints, integer tensors; never floats
    except TypeError:
        raise TypeError(f"{function}(): argument '{name}' (position {position}) must be int, not "
                        f"{type(value).__name__}") from None
    if value < 0:
        raise RuntimeError(what.format(value))
    return value


def linspace(start: numbers.Number, end: numbers.Number, steps: int, dtype: _dtype.dtype | None = None, device: str | _types.device | None = None,
             requires_grad: bool = False) -> Tensor:
    steps = _count(steps, "steps", "linspace", 3, "number of steps must be non-negative")
    np_dtype = _dtype.numpy_dtype(dtype) or _dtype.get_default_dtype().numpy
    return _finish(np.linspace(start, end, steps).astype(np_dtype), requires_grad, device)


def logspace(start: numbers.Number, end: numbers.Number, steps: int, base: float = 10.0, dtype: _dtype.dtype | None = None,
             device: str | _types.device | None = None, requires_grad: bool = False) -> Tensor:
    steps = _count(steps, "steps", "logspace", 3, "number of steps must be non-negative")
    np_dtype = _dtype.numpy_dtype(dtype) or _dtype.get_default_dtype().numpy
    return _finish(np.logspace(start, end, steps, base=base).astype(np_dtype), requires_grad, device)


def eye(n: int, m: int | None = None, dtype: _dtype.dtype | None = None, device: str | _types.device | None = None, requires_grad: bool = False) -> Tensor:
    n = _count(n, "n", "eye", 1, "n must be greater or equal to 0, got {}")
    m = None if m is None else _count(m, "m", "eye", 2, "m must be greater or equal to 0, got {}")
    np_dtype = _dtype.numpy_dtype(dtype) or _dtype.get_default_dtype().numpy
    return _finish(np.eye(n, m, dtype=np_dtype), requires_grad, device)


def _random_dtype(dtype):
    np_dtype = _dtype.numpy_dtype(dtype) or _dtype.get_default_dtype().numpy
    if np_dtype.kind != "f":
        raise RuntimeError(f"random floats need a floating dtype, got {_dtype.from_numpy(np_dtype)}")
    return np_dtype


def rand(*shape: int | Sequence[int], size: Sequence[int] | None = None, generator: Generator | None = None, dtype: _dtype.dtype | None = None,
         device: str | _types.device | None = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples on [0, 1)."""
    size = _shape_or_size(shape, size, "rand")
    np_dtype = _random_dtype(dtype)
    array = _numpy_rng(generator).random(_creation_shape(size, "rand"), dtype=np.float64).astype(np_dtype)
    return _finish(array, requires_grad, device)


def randn(*shape: int | Sequence[int], size: Sequence[int] | None = None, generator: Generator | None = None, dtype: _dtype.dtype | None = None,
          device: str | _types.device | None = None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples."""
    size = _shape_or_size(shape, size, "randn")
    np_dtype = _random_dtype(dtype)
    array = _numpy_rng(generator).standard_normal(_creation_shape(size, "randn"), dtype=np.float64).astype(np_dtype)
    return _finish(array, requires_grad, device)


def randint_like(input: Tensor, low: int = 0, high: int | None = None, dtype: _dtype.dtype | None = None,
                 device: str | _types.device | None = None, requires_grad: bool = False) -> Tensor:
    """Integers uniform on [low, high) in input's shape (and dtype, unless given); randint_like(x, high)
    starts at 0, as in torch."""
    if high is None:
        low, high = 0, low
    return _laid_out_like(input, randint(low, high, tuple(input.shape), dtype=dtype or input.dtype, device=device,
                                         requires_grad=requires_grad))


def scalar_tensor(s: numbers.Number, dtype: _dtype.dtype | None = None, device: str | _types.device | None = None,
                  requires_grad: bool = False) -> Tensor:
    """A 0-d tensor holding s, of the default float dtype unless given (also for an int s, as in torch)."""
    return tensor(s, dtype=dtype or _dtype.get_default_dtype(), device=device, requires_grad=requires_grad)


def randint(low: int, high: int | Sequence[int] | None = None, size: Sequence[int] | None = None, generator: Generator | None = None,
            dtype: _dtype.dtype | None = None, device: str | _types.device | None = None, requires_grad: bool = False) -> Tensor:
    """Integers uniform on [low, high); randint(high, size) starts at 0 as in torch."""
    if size is None:
        low, high, size = 0, low, high
    elif high is None:  # randint(10, size=(3,))
        low, high = 0, low
    if high is None:
        raise TypeError("randint() missing required argument 'size'")
    np_dtype = _dtype.numpy_dtype(dtype) or np.dtype(np.int64)
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    return _finish(_numpy_rng(generator).integers(low, high, _creation_shape((size,), "randint")).astype(np_dtype),
                   requires_grad, device)


def randperm(n: int, generator: Generator | None = None, dtype: _dtype.dtype | None = None, device: str | _types.device | None = None,
             requires_grad: bool = False) -> Tensor:
    """A random permutation of 0 .. n-1."""
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got {n}")
    np_dtype = _dtype.numpy_dtype(dtype) or np.dtype(np.int64)
    return _finish(_numpy_rng(generator).permutation(n).astype(np_dtype), requires_grad, device)


def normal(mean: float | Tensor, std: float | Tensor, size: Sequence[int] | None = None, generator: Generator | None = None,
           dtype: _dtype.dtype | None = None, requires_grad: bool = False) -> Tensor:
    if size is None:
        mean_a, std_a = np.asarray(getattr(mean, "_array", mean)), np.asarray(getattr(std, "_array", std))
        shape = np.broadcast_shapes(mean_a.shape, std_a.shape)
        np_dtype = mean_a.dtype if mean_a.dtype.kind == "f" else _dtype.get_default_dtype().numpy
        return _finish(_normal(mean_a, std_a, shape, generator).astype(np_dtype), requires_grad)
    np_dtype = _random_dtype(dtype)
    samples = _normal(mean, std, _creation_shape((size,), "normal"), generator)
    return _finish(samples.astype(np_dtype), requires_grad)


def bernoulli(input: Tensor, p: float | None = None, generator: Generator | None = None) -> Tensor:
    return input.bernoulli(p, generator=generator)


def poisson(input: Tensor, generator: Generator | None = None) -> Tensor:
    """One Poisson draw per element, at the rate of that element (>= 0), in input's dtype; the
    rates get a zero gradient, as in torch."""
    if not input.is_floating_point():
        raise NotImplementedError(f"\"poisson_cpu\" not implemented for '{_dtype.scalar_type_name(input._array.dtype)}'")
    rates = input._array
    if (rates < 0).any():
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    draws = _numpy_rng(generator).poisson(rates.astype(np.float64)).astype(rates.dtype)
    return apply(P.poisson, input, draws=draws)


def binomial(count: Tensor, prob: Tensor, generator: Generator | None = None) -> Tensor:
    """One Binomial(count, prob) draw per element (count and prob broadcast; a count that is not a
    whole number is rounded down, a negative one draws 0, prob is clipped to [0, 1] and a nan prob
    gives nan), in count's dtype. Not differentiable, as in torch."""
    if not count.is_floating_point():
        raise ValueError(f"binomial only supports floating-point dtypes for count, got: "
                         f"{_dtype.scalar_type_name(count._array.dtype)}")
    if prob.dtype != count.dtype:
        raise RuntimeError(f"Found dtype {_dtype.scalar_type_name(prob._array.dtype)} but expected "
                           f"{_dtype.scalar_type_name(count._array.dtype)}")
    shape = _broadcast_shape(count._array.shape, prob._array.shape)
    trials = np.broadcast_to(np.maximum(np.floor(count._array), 0), shape).astype(np.int64)
    chances = np.broadcast_to(prob._array, shape).astype(np.float64)
    unknown = np.isnan(chances)
    draws = _numpy_rng(generator).binomial(trials, np.where(unknown, 0, np.clip(chances, 0, 1)))
    draws = np.where(unknown, np.nan, draws).astype(count._array.dtype)
    return apply(P.binomial, count, prob, draws=draws)


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, generator: Generator | None = None) -> Tensor:
    """Draw indices with probabilities proportional to the rows of input."""
    return input.multinomial(num_samples, replacement, generator=generator)


class _LegacyTensorType(type):
    """torch.LongTensor and its siblings: constructors of one dtype, LongTensor([1, 2]) from
    data and LongTensor(2, 3) from a shape, and isinstance(t, LongTensor) asks for that dtype."""

    def __call__(cls, *data):
        if not data:
            return zeros(0, dtype=cls.dtype)
        if all(isinstance(n, numbers.Integral) and not isinstance(n, bool) for n in data):
            return zeros(data, dtype=cls.dtype)
        if len(data) == 1 and isinstance(data[0], Size):  # a shape, not data
            return zeros(data[0], dtype=cls.dtype)
        return tensor(data[0], dtype=cls.dtype)

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype == cls.dtype


def _legacy_type(name):
    return _LegacyTensorType(f"{name}Tensor", (), {"dtype": LEGACY_TYPES[name]})


(FloatTensor, DoubleTensor, HalfTensor, LongTensor, IntTensor, ShortTensor, CharTensor, ByteTensor,
 BoolTensor) = map(_legacy_type, ["Float", "Double", "Half", "Long", "Int", "Short", "Char", "Byte", "Bool"])


# ---------------------------------------------------------------- window functions
# The tapers that signal processing multiplies a frame by before a Fourier transform (torch.stft).
# A symmetric window of L points runs over n = 0 .. L-1 with x = n / (L - 1) from 0 to 1. A
# periodic one (the default, as in torch) is the symmetric window of L + 1 points without its last
# point, so that windows laid end to end repeat with period L. Computed in float64, then cast.

def _window(name, window_length, periodic, dtype, requires_grad, device, shape):
    """The window of `window_length` points whose values at x in [0, 1] are shape(x)."""
    if not isinstance(window_length, numbers.Integral) or isinstance(window_length, bool):
        raise TypeError(f"{name}(): argument 'window_length' (position 1) must be int, not "
                        f"{type(window_length).__name__}")
    np_dtype = _dtype.numpy_dtype(dtype) or _dtype.get_default_dtype().numpy
    if np_dtype.kind != "f":
        raise RuntimeError(f"{name} expects floating point dtypes, got: {_dtype.from_numpy(np_dtype)}")
    if window_length < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got window_length={window_length}")
    if window_length <= 1:  # no point, or one point: all of its weight
        return _finish(np.ones(window_length, np_dtype), requires_grad, device)
    points = window_length + 1 if periodic else window_length
    x = np.arange(points) / (points - 1)
    return _finish(shape(x)[:window_length].astype(np_dtype), requires_grad, device)


def hann_window(window_length: int, periodic: bool = True, *, dtype: _dtype.dtype | None = None, layout: object = None,
                device: str | _types.device | None = None, requires_grad: bool = False,
                pin_memory: bool = False) -> Tensor:
    """The Hann window: one period of a raised cosine, 1/2 - 1/2 cos(2 pi x), zero at both ends."""
    return _window("hann_window", window_length, periodic, dtype, requires_grad, device, _raised_cosine(0.5, 0.5))


def hamming_window(window_length: int, periodic: bool = True, alpha: float = 0.54, beta: float = 0.46, *,
                   dtype: _dtype.dtype | None = None, layout: object = None, device: str | _types.device | None = None,
                   requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """The Hamming window alpha - beta cos(2 pi x): with the defaults a raised cosine that stops at
    0.08 at both ends, which lowers the first side lobe of its spectrum below the Hann window's."""
    return _window("hamming_window", window_length, periodic, dtype, requires_grad, device,
                   _raised_cosine(alpha, beta))


def _raised_cosine(alpha, beta):
    return lambda x: alpha - beta * np.cos(2 * np.pi * x)


def blackman_window(window_length: int, periodic: bool = True, *, dtype: _dtype.dtype | None = None,
                    layout: object = None, device: str | _types.device | None = None, requires_grad: bool = False,
                    pin_memory: bool = False) -> Tensor:
    """The Blackman window 0.42 - 0.5 cos(2 pi x) + 0.08 cos(4 pi x): a second cosine term makes
    its side lobes lower still, at the price of a wider main lobe."""
    return _window("blackman_window", window_length, periodic, dtype, requires_grad, device,
                   lambda x: 0.42 - 0.5 * np.cos(2 * np.pi * x) + 0.08 * np.cos(4 * np.pi * x))


def bartlett_window(window_length: int, periodic: bool = True, *, dtype: _dtype.dtype | None = None,
                    layout: object = None, device: str | _types.device | None = None, requires_grad: bool = False,
                    pin_memory: bool = False) -> Tensor:
    """The Bartlett (triangular) window 1 - |2x - 1|: up from 0 to 1 at the middle and down again."""
    return _window("bartlett_window", window_length, periodic, dtype, requires_grad, device,
                   lambda x: 1 - np.abs(2 * x - 1))


def kaiser_window(window_length: int, periodic: bool = True, beta: float = 12.0, *, dtype: _dtype.dtype | None = None,
                  layout: object = None, device: str | _types.device | None = None, requires_grad: bool = False,
                  pin_memory: bool = False) -> Tensor:
    """The Kaiser window I0(beta sqrt(1 - (2x - 1)^2)) / I0(beta), I0 the modified Bessel function
    of order 0: 1 at the middle, 1 / I0(beta) at the ends. A larger beta narrows it, trading a
    wider main lobe for lower side lobes."""
    return _window("kaiser_window", window_length, periodic, dtype, requires_grad, device,
                   lambda x: _i0(beta * np.sqrt(1 - (2 * x - 1) ** 2)) / _i0(np.float64(beta)))
