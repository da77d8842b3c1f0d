"""StatisticsMethods: sorting, order statistics, counting and covariance.

sort, argsort, msort, topk, kthvalue, median, nanmedian, quantile, nanquantile, mode; unique,
unique_consecutive, nonzero, argwhere, bincount, histc, histogram; cov and corrcoef.

The values that sorting picks are recorded (their gradient goes to the positions picked);
the indices, counts and histograms are integer or float tensors outside the graph.
"""

from __future__ import annotations

import builtins
import math
import numbers
import warnings
from builtins import bool as _bool, float as _float, int as _int  # as tensor.py names the types

import numpy as np

from minigrad import _dtype
from minigrad._arguments import _dim
from minigrad._ops import indexing as I
from minigrad._ops.layout import laid_out_like
from minigrad._tensor.operands import _raw, _scalar_type, apply
from minigrad._types import Number, _return_type
from minigrad.random import Generator, _bernoulli, _numpy_rng

# The Tensor class and TensorLike (what the methods take as an operand), set by use_tensor_type
# once tensor.py has made the class: see the package's docstring.
Tensor = TensorLike = None


class StatisticsMethods:
    """Sorting, order statistics, counting and covariance."""

    __slots__ = ()  # no fields: Tensor's own slots hold them

    def sort(self, dim: _int = -1, descending: _bool = False, stable: _bool = False) -> tuple[Tensor, Tensor]:
        axis = _dim(dim, self.ndim)
        if self.ndim == 0:
            return _return_type("sort")(self.clone(), Tensor._wrap(np.zeros((), dtype=np.int64)))
        index = _sort_order(self._array, axis, descending)
        values = apply(I.sort, self, index=index, axis=axis)  # values and indices laid out like self, as torch's
        return _return_type("sort")(values, Tensor._wrap(laid_out_like(index.astype(np.int64), self._array)))

    def argsort(self, dim: _int = -1, descending: _bool = False, stable: _bool = False) -> Tensor:
        return self.sort(dim, descending, stable).indices

    def msort(self) -> Tensor:
        """The values sorted along the first dim."""
        return self.sort(dim=0).values

    def topk(self, k: _int, dim: _int = -1, largest: _bool = True, sorted: _bool = True) -> tuple[Tensor, Tensor]:
        if self._array.dtype == np.bool_:
            raise RuntimeError("topk does not support bool dtypes on CPU")
        axis = _dim(dim, self.ndim)
        size = self._array.shape[axis] if self.ndim else 1
        if not 0 <= k <= size:
            raise RuntimeError(f"selected index k out of range: k={k} but dimension {dim} has size {size}")
        if self.ndim:
            index = np.take(_sort_order(self._array, axis, largest), np.arange(k), axis=axis)
        else:
            index = np.zeros((), np.int64)
        values = apply(I.topk, self, index=index, axis=axis) if self.ndim else self.clone()
        return _return_type("topk")(values, Tensor._wrap(np.asarray(index, dtype=np.int64)))

    def kthvalue(self, k: _int, dim: _int = -1, keepdim: _bool = False) -> tuple[Tensor, Tensor]:
        """(values, indices): the k-th smallest element along dim (k from 1) and its position."""
        if self._array.dtype == np.bool_:
            raise NotImplementedError("\"kthvalue_cpu\" not implemented for 'Bool'")
        axis = _dim(dim, self.ndim)
        if self.ndim and self._array.shape[axis] == 0:
            raise IndexError(f"kthvalue(): Expected reduction dim {axis} to have non-zero size.")
        if not 1 <= k <= (self._array.shape[axis] if self.ndim else 1):
            raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {axis}")
        return self._picked("kthvalue", I.kthvalue, dim, keepdim,
                            lambda array, axis: I.kth_smallest_position(array, axis, k))

    def _picked(self, name, primitive, dim, keepdim, pick):
        """The (values, indices) of median or mode: pick(array, axis) gives each row's position."""
        axis = _dim(dim, self.ndim)
        if self.ndim == 0:
            index = np.zeros((), dtype=np.int64)
        elif self._array.shape[axis] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {axis} to have non-zero size.")
        else:
            index = pick(self._array, axis)
        values = apply(primitive, self, index=index, axis=axis, keepdim=keepdim)
        indices = index if keepdim or self.ndim == 0 else np.squeeze(index, axis)
        return _return_type(name)(values, Tensor._wrap(indices.astype(np.int64)))

    def median(self, dim: _int | None = None, keepdim: _bool = False) -> Tensor | tuple[Tensor, Tensor]:
        """The lower median (the middle value; of two middles the smaller), nan if a nan is there.
        With dim, (values, indices) along it; without, the median of all elements. torch has no
        bool kernel for it (nor for kthvalue and topk)."""
        if self._array.dtype == np.bool_:
            raise NotImplementedError(f"\"{'median_cpu' if dim is None else 'median_out'}\" not implemented for 'Bool'")
        if dim is None:
            if self._array.size == 0:
                return Tensor._wrap(np.asarray(np.nan, dtype=self._array.dtype))
            return apply(I.median_all, self)
        return self._picked("median", I.median, dim, keepdim, I._median_position)

    def nanmedian(self, dim: _int | None = None, keepdim: _bool = False) -> Tensor | tuple[Tensor, Tensor]:
        """median ignoring NaNs: the lower median of the other values (NaN where there are none).
        With dim, (values, indices) along it; without, the nanmedian of all elements."""
        if self._array.dtype == np.bool_:
            raise NotImplementedError(f"\"{'median_cpu' if dim is None else 'median_out'}\" not implemented for 'Bool'")
        if dim is None:
            if self._array.size == 0:
                return Tensor._wrap(np.asarray(np.nan, dtype=self._array.dtype))
            return apply(I.nanmedian_all, self)
        return self._picked("nanmedian", I.nanmedian, dim, keepdim, I.nanmedian_position)

    def quantile(self, q: _float | Tensor, dim: _int | None = None, keepdim: _bool = False, *,
                 interpolation: str = "linear") -> Tensor:
        """The q-th quantiles along dim (of all elements without dim), NaN for a row holding a NaN.

        Each row is sorted and q picks the point q * (n - 1) of it; between two elements,
        interpolation says what to take: "linear" (their lerp), "lower", "higher", "nearest"
        (rounding half to even) or "midpoint". A 1-d q gives its quantiles along a new first dim.
        The gradient flows back through the sort to the elements picked, as in torch.
        """
        return self._quantile("quantile", q, dim, keepdim, interpolation, ignore_nan=False)

    def nanquantile(self, q: _float | Tensor, dim: _int | None = None, keepdim: _bool = False, *,
                    interpolation: str = "linear") -> Tensor:
        """quantile of the values that are not NaN (NaN for a row of NaNs only)."""
        return self._quantile("nanquantile", q, dim, keepdim, interpolation, ignore_nan=True)

    def _quantile(self, name, q, dim, keepdim, interpolation, ignore_nan):
        q = self._quantile_levels(name, q, interpolation)
        if dim is None:
            rows, kept_shape = self.reshape(-1), (1,) * self.ndim
        else:
            axis = _dim(dim, self.ndim)
            rows = self.movedim(axis, -1) if self.ndim else self.reshape(1)
            kept_shape = self.shape[:axis] + (1,) + self.shape[axis + 1:] if self.ndim else ()
        ordered = rows.sort(-1).values  # NaN last
        ranks = _quantile_ranks(ordered._array, q.reshape(-1), ignore_nan, interpolation)
        values = ordered.gather(-1, np.floor(ranks).astype(np.int64))
        if interpolation in ("linear", "midpoint"):
            weights = np.full_like(ranks, 0.5) if interpolation == "midpoint" else ranks - np.floor(ranks)
            values = values.lerp(ordered.gather(-1, np.ceil(ranks).astype(np.int64)), Tensor._wrap(weights))
        values = values.movedim(-1, 0)  # one quantile per q, along the first dim
        if keepdim:
            values = values.reshape(values.shape[:1] + kept_shape)
        return values.squeeze(0) if q.ndim == 0 else values

    def _quantile_levels(self, name, q, interpolation):
        """q as an array of self's dtype, checked as torch checks it (and self and interpolation with it)."""
        if not self.is_floating_point():
            raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
        if interpolation not in ("linear", "lower", "higher", "midpoint", "nearest"):
            raise RuntimeError(f"{name}() interpolation must be one of linear, lower, higher, midpoint or nearest, "
                               f"but got {interpolation}")
        if self._array.size == 0:
            raise RuntimeError(f"{name}() input tensor must be non-empty")
        if isinstance(q, Tensor):
            if q.ndim > 1:
                raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
            if q._array.dtype != self._array.dtype:
                raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
            if q._array.size and not ((q._array >= 0) & (q._array <= 1)).all():
                raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
            return q._array
        if not 0 <= q <= 1:
            raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {q}")
        return np.asarray(q, dtype=self._array.dtype)

    def mode(self, dim: _int = -1, keepdim: _bool = False) -> tuple[Tensor, Tensor]:
        """(values, indices): the most frequent value along dim (the smallest of equally frequent
        ones) and the last position where it occurs, as torch reports it."""
        return self._picked("mode", I.mode, dim, keepdim, _mode_position)

    # -------------------------------------------------------------- counting
    def nonzero(self, as_tuple: _bool = False) -> Tensor | tuple[Tensor, ...]:
        """The indices of the non-zero elements: an (n, ndim) tensor, or one index tensor per dim.
        A 0-d tensor counts as one of shape (1,) for as_tuple (torch's choice) and has no dims otherwise."""
        array = self._array
        if array.ndim == 0:
            if as_tuple:
                return (Tensor._wrap(np.flatnonzero(array).astype(np.int64)),)
            return Tensor._wrap(np.zeros((int(array != 0), 0), dtype=np.int64))
        indices = np.nonzero(array)
        if as_tuple:
            return tuple(Tensor._wrap(i.astype(np.int64)) for i in indices)
        # (n, ndim) as torch lays it out: the transpose of one row of n indices per dim, stride (1, n)
        return Tensor._wrap(np.stack(indices).astype(np.int64).T)

    def argwhere(self) -> Tensor:
        """The indices of the nonzero elements, one row each: nonzero() under its NumPy name."""
        return self.nonzero()

    def unique(self, sorted: _bool = True, return_inverse: _bool = False, return_counts: _bool = False,
               dim: _int | None = None) -> Tensor | tuple[Tensor, ...]:
        """The distinct values, sorted (not differentiable, as in torch); each NaN counts as a value
        of its own, as in torch. With dim, the distinct slices along dim, in lexicographic order."""
        if dim is None:
            values, inverse, counts = np.unique(self._array, return_inverse=True, return_counts=True,
                                                equal_nan=False)
            inverse = inverse.reshape(self._array.shape)
        else:
            axis = _dim(dim, self.ndim)
            values, inverse, counts = np.unique(self._array, return_inverse=True, return_counts=True, axis=axis)
            inverse = inverse.reshape(-1)
        out = [Tensor._wrap(values)]
        if return_inverse:
            out.append(Tensor._wrap(inverse.astype(np.int64)))
        if return_counts:
            out.append(Tensor._wrap(counts.astype(np.int64)))
        return out[0] if len(out) == 1 else tuple(out)

    def unique_consecutive(self, return_inverse: _bool = False, return_counts: _bool = False,
                           dim: _int | None = None) -> Tensor | tuple[Tensor, ...]:
        """The first element of every run of equal consecutive elements (of the flattened tensor;
        with dim, of the slices along dim). return_inverse: which run each element (slice) belongs
        to; return_counts: how long each run is. NaN equals nothing, so each NaN is a run of its own."""
        if dim is None:
            values = self._array.reshape(-1)
            starts = np.ones(values.shape, dtype=bool)
            starts[1:] = values[1:] != values[:-1]
            inverse_shape = self._array.shape
        else:
            if self.ndim == 0:
                raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
            axis = _dim(dim, self.ndim)
            if builtins.any(n == 0 for d, n in enumerate(self._array.shape) if d != axis):
                raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so unique cannot be "
                                   "applied")
            values = np.moveaxis(self._array, axis, 0)
            starts = np.ones(values.shape[:1], dtype=bool)
            starts[1:] = (values[1:] != values[:-1]).any(axis=tuple(builtins.range(1, values.ndim)))
            inverse_shape = values.shape[:1]
        firsts = values[starts] if dim is None else np.moveaxis(values[starts], 0, axis)
        out = [Tensor._wrap(firsts)]
        if return_inverse:
            out.append(Tensor._wrap((np.cumsum(starts) - 1).reshape(inverse_shape)))
        if return_counts:
            out.append(Tensor._wrap(np.diff(np.append(np.flatnonzero(starts), len(starts)))))
        return out[0] if len(out) == 1 else tuple(out)

    def bincount(self, weights: TensorLike | None = None, minlength: _int = 0) -> Tensor:
        if self.ndim != 1 or self._array.dtype.kind not in "iu":
            raise RuntimeError(f"bincount only supports 1-d non-negative integral inputs, got shape "
                               f"{list(self.shape)} and dtype {self.dtype}")
        if self._array.size and self._array.min() < 0:
            raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
        counts = np.bincount(self._array, weights=None if weights is None else _raw(weights), minlength=minlength)
        dtype = np.int64 if weights is None else _raw(weights).dtype
        return Tensor._wrap(counts.astype(dtype))

    def histc(self, bins: _int = 100, min: Number = 0, max: Number = 0) -> Tensor:
        """How many elements fall in each of `bins` equal bins spanning [min, max] (elements
        outside are not counted; the last bin includes max). min = max means the range of the
        elements (widened by 1 each way if they are all equal)."""
        self._check_histogram_input("histogram_cpu")
        if bins <= 0:
            raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
        low, high = self._histogram_range(min, max, "torch.histc", widen=1, of_elements=min == max)
        if low > high:
            raise RuntimeError("torch.histc: max must be larger than min")
        values = self._array.reshape(-1)
        inside = (values >= low) & (values <= high)
        # torch's placement for histc: the fraction of the range times bins, rounded down, in the input's dtype
        position = ((values[inside] - low) / (high - low) * bins).astype(np.int64)
        return Tensor._wrap(_bin_counts(np.minimum(position, bins - 1), None, bins, self._array.dtype))

    def histogram(self, bins: _int | Tensor, *, range: tuple[_float, _float] | None = None,
                  weight: Tensor | None = None, density: _bool = False) -> tuple[Tensor, Tensor]:
        """(hist, bin_edges): how many elements (or how much weight) fall in each bin, the bins
        given by their edges or as a number of equal bins over `range` (by default the range of
        the elements, widened by 0.5 each way if they are all equal). Each bin holds its left
        edge, the last one its right edge too. density=True divides by the total and by each
        bin's width, so that the histogram integrates to 1."""
        self._check_histogram_input("histogramdd")
        edges = self._histogram_edges(bins, range, 0)
        values = self._array.reshape(-1)
        weights = None
        if weight is not None:
            if weight._array.shape != self._array.shape:
                raise RuntimeError(f"torch.histogramdd: if weight tensor is provided it should have the same shape as "
                                   f"the input tensor, but got input with shape {list(self.shape)} and weight with "
                                   f"shape {list(weight.shape)}")
            if weight._array.dtype != self._array.dtype:
                raise RuntimeError(f"torch.histogramdd: if weight tensor is provided, input tensor and weight tensor "
                                   f"should have the same dtype, but got input({self.dtype}), and "
                                   f"weight({weight.dtype})")
            weights = weight._array.reshape(-1)
        inside = (values >= edges[0]) & (values <= edges[-1])
        # the bin of v: the last edge <= v, and the last bin for the right edge itself
        position = np.minimum(np.searchsorted(edges, values[inside], side="right") - 1, len(edges) - 2)
        hist = _bin_counts(position, None if weights is None else weights[inside], len(edges) - 1,
                           self._array.dtype)
        if density:
            with np.errstate(invalid="ignore", divide="ignore"):  # nothing counted: nan, quietly as in torch
                hist = hist / (hist.sum() * np.diff(edges))
        return _return_type("histogram", ("hist", "bin_edges"))(Tensor._wrap(hist), Tensor._wrap(edges))

    def _histogram_edges(self, bins, range, dim):
        """The bin edges of a histogram of self's elements, dimension `dim` of histogramdd's:
        `bins` itself (a 1-D tensor of edges), or bins + 1 equal steps over `range` (by default
        the range of the elements, widened by 0.5 each way if they are all equal)."""
        if isinstance(bins, Tensor):
            if bins.ndim != 1:
                raise RuntimeError(f"torch.histogramdd: bins tensor should have one dimension, but got {bins.ndim} "
                                   f"dimensions in the bins tensor for dimension {dim}")
            if bins.numel() == 0:
                raise RuntimeError(f"torch.histogramdd: bins tensor should have at least 1 element, but got 0 "
                                   f"elements in the bins tensor for dimension {dim}")
            if bins.numel() == 1:
                raise RuntimeError(f"torch.histogram(): bins must be > 0, but got 0 for dimension {dim}")
            return bins._array.astype(self._array.dtype)
        if bins <= 0:
            raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension {dim}")
        low, high = self._histogram_range(*(range or (0, 0)), "torch.histogramdd", widen=0.5, of_elements=range is None)
        if low > high:
            raise RuntimeError(f"torch.histogramdd: min should not exceed max, but got min {low} max {high} for "
                               f"dimension {dim}")
        return np.linspace(low, high, bins + 1, dtype=self._array.dtype)

    def _check_histogram_input(self, kernel):
        if not self.is_floating_point():
            raise NotImplementedError(f"\"{kernel}\" not implemented for '{_scalar_type(self)}'")

    def _histogram_range(self, low, high, name, widen, of_elements):
        """The range of a histogram: [low, high] as given, or (of_elements) that of the elements
        ([0, 1] for none), widened by `widen` each way where it is a single point."""
        if of_elements:
            low, high = (self._array.min().item(), self._array.max().item()) if self._array.size else (0, 1)
        if low == high:
            low, high = low - widen, high + widen
        if not (math.isfinite(low) and math.isfinite(high)):
            raise RuntimeError(f"{name}: range of [{low}, {high}] is not finite")
        return self._array.dtype.type(low), self._array.dtype.type(high)

    # -------------------------------------------------------------- random draws
    def bernoulli(self, p: _float | None = None, *, generator: Generator | None = None) -> Tensor:
        """0 or 1 per element, 1 with probability self (or p, the same for every element), in
        self's dtype: a draw, which no gradient reaches."""
        self._refuse_non_floating("bernoulli_tensor_cpu_p_")
        draws = _bernoulli(self._array if p is None else p, self._array.shape, generator)
        return Tensor._wrap(draws.astype(self._array.dtype))

    def multinomial(self, num_samples: _int, replacement: _bool = False, *,
                    generator: Generator | None = None) -> Tensor:
        """num_samples indices per row of a 1-D or 2-D tensor, drawn with probabilities proportional to
        the row (int64). Without replacement, once a row's categories of nonzero weight are all drawn,
        categories of weight 0 fill its remaining draws, as in torch."""
        if isinstance(num_samples, _bool) or not isinstance(num_samples, numbers.Integral):
            raise TypeError(f"multinomial(): argument 'num_samples' (position 1) must be int, not "
                            f"{type(num_samples).__name__}")
        if self.dim() not in (1, 2):
            raise RuntimeError("prob_dist must be 1 or 2 dim")
        if self._array.dtype.kind != "f":
            raise RuntimeError("multinomial only supports floating-point dtypes for input, got: "
                               f"{_dtype.scalar_type_name(self._array.dtype)}")
        if num_samples <= 0:
            raise RuntimeError("cannot sample n_sample <= 0 samples")
        if not replacement and num_samples > self._array.shape[-1]:
            raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
        rows = np.asarray(self._array, dtype=np.float64).reshape(math.prod(self._array.shape[:-1]),
                                                                  self._array.shape[-1])
        shape = self._array.shape[:-1] + (num_samples,)
        if rows.shape[0] == 0:
            return Tensor._wrap(np.zeros(shape, dtype=np.int64))
        _check_weights(rows, strict_form=not replacement or num_samples == 1)
        rng = _numpy_rng(generator)
        one_at_a_time = replacement or num_samples == 1  # one draw is the same either way
        draws = (_draw_with_replacement if one_at_a_time else _draw_without_replacement)(rows, num_samples, rng)
        return Tensor._wrap(draws.reshape(shape))

    # -------------------------------------------------------------- covariance
    def cov(self, *, correction: _int = 1, fweights: Tensor | None = None, aweights: Tensor | None = None) -> Tensor:
        """The covariance matrix of the variables in the rows of self (observations in the columns;
        a 1-D self is one variable), as torch computes it: the weighted mean of each row is taken
        out, and the products of the rows are summed with the weights fweights * aweights and
        divided by sum(w) - correction (sum(w) - correction * sum(w * aweights) / sum(w) with
        aweights). Where that is not above 0, torch's warning, and inf or nan."""
        if self.ndim > 2:
            raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an input with "
                               f"{self.ndim} dimensions")
        if self._array.dtype == np.bool_:
            raise RuntimeError("cov(): bool dtype is not supported for input")
        x = self.reshape(1, -1) if self.ndim < 2 else self
        observations = x.shape[1]
        weights = None
        for name, w, wanted in (("fweights", fweights, "integral"), ("aweights", aweights, "floating point")):
            if w is None:
                continue
            _check_cov_weights(name, w, wanted, observations)
            weights = w if weights is None else weights * w
        total = observations if weights is None else weights.sum()
        if weights is not None and float(total) == 0:
            raise RuntimeError("cov(): weights sum to zero, can't be normalized")
        mean = (x if weights is None else x * weights).sum(1) / total
        if weights is not None and correction != 0 and aweights is not None:
            norm = total - correction * (weights * aweights).sum() / total
        else:
            norm = total - correction
        if float(norm) <= 0:
            warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less than the number "
                          "of observations.", UserWarning, stacklevel=2)
            norm = abs(norm * 0)  # +0.0, as torch's zero_(): a tiny negative norm times 0 is -0.0, and +inf would be -inf
        centred = x - mean.unsqueeze(1)
        products = centred.mm((centred if weights is None else centred * weights).t())
        return (products / norm).squeeze()

    def corrcoef(self) -> Tensor:
        """Pearson's correlation coefficients of the rows of self: cov(self) with each entry
        divided by the two standard deviations, clipped to [-1, 1] (c / c for one variable)."""
        if self.ndim > 2:
            raise RuntimeError(f"corrcoef(): expected input to have two or fewer dimensions but got an input with "
                               f"{self.ndim} dimensions")
        c = self.cov()
        if c.ndim == 0:
            return c / c  # (nan for a variance of 0, inf or nan, as in torch)
        deviation = c.diagonal().sqrt()
        c = c / deviation.reshape(-1, 1)
        c = c / deviation.reshape(1, -1)
        return c.clip(-1, 1)


def _check_weights(rows, strict_form):
    """torch's errors for rows of multinomial weights that are no distribution. torch checks the whole
    input at once when it draws without replacement or one sample (strict_form), and else row by row,
    element by element: the first bad row's first bad element names the error."""
    if strict_form:
        if rows.size == 0:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the operation has "
                               "no identity.")
        if not (rows < np.inf).all() or not (rows >= 0).all():
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
        if (rows.sum(axis=-1) == 0).any():
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        return
    negative = ~(rows >= 0)                    # NaN fails this test first, as in torch
    infinite = ~negative & ~np.isfinite(rows)
    bad = negative | infinite
    problem = bad.any(axis=-1) | ~(rows.sum(axis=-1) > 0)
    if problem.any():
        row = int(np.argmax(problem))
        if not bad[row].any():
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        element = int(np.argmax(bad[row]))
        reason = "< 0" if negative[row, element] else "= infinity or NaN"
        raise RuntimeError(f"invalid multinomial distribution (encountering probability entry {reason})")


def _draw_with_replacement(rows, n, rng):
    """n draws per row by inverting each row's cumulative distribution: the category drawn for a uniform
    u is the first whose cumulative weight exceeds u, found by a binary search run on all draws at once."""
    cumulative = np.cumsum(rows, axis=-1)
    cumulative /= cumulative[:, -1:]           # the last is exactly 1, and u < 1: every search ends inside
    u = rng.random((rows.shape[0], n))
    which = np.arange(rows.shape[0])[:, None]
    low = np.zeros(u.shape, dtype=np.int64)
    high = np.full(u.shape, rows.shape[1] - 1)
    while (low < high).any():                  # about log2(categories) steps
        middle = (low + high) // 2
        beyond = cumulative[which, middle] <= u  # the category sought lies after middle
        low, high = np.where(beyond, middle + 1, low), np.where(beyond, high, middle)
    return low


def _draw_without_replacement(rows, n, rng):
    """n distinct categories per row, by an exponential race: category i arrives at time E_i / w_i (E_i
    exponential), and the first n to arrive are the draws in order; so each is drawn with probability
    proportional to its weight among those not drawn yet. Categories of weight 0 never arrive (inf):
    when a row has fewer others than n, some of them fill its last draws, picked and ordered by no
    chance (torch's are not random either)."""
    categories = rows.shape[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        arrival = rng.standard_exponential(rows.shape) / rows
    if n < categories:  # the n earliest, found without sorting the whole row
        earliest = np.argpartition(arrival, n - 1, axis=-1)[:, :n]
    else:
        earliest = np.broadcast_to(np.arange(categories), rows.shape)
    order = np.argsort(np.take_along_axis(arrival, earliest, axis=-1), axis=-1, kind="stable")
    return np.take_along_axis(earliest, order, axis=-1)


def _bin_counts(position, weights, bins, dtype):
    """How many positions (or how much weight) fall in each of the bins 0 .. bins - 1, in `dtype`."""
    return np.bincount(position, weights=weights, minlength=bins).astype(dtype)


def _quantile_ranks(ordered, q, ignore_nan, interpolation):
    """Where each quantile lies in each sorted row of `ordered` (shape (..., n)): q * (n - 1), with one
    q per entry of the last axis of the result, computed in the rows' dtype as torch computes it.
    A row holding a NaN points at its last element, a NaN (quantile); nanquantile counts only the
    values that are not NaN (and a row of NaNs points at its first). lower, higher and nearest
    round the point down, up or to the nearest (half to even)."""
    dtype = ordered.dtype
    if ignore_nan:
        counted = np.count_nonzero(~np.isnan(ordered), axis=-1, keepdims=True)
        ranks = np.maximum(q * (counted - 1).astype(dtype), 0)
    else:
        last = ordered.shape[-1] - 1
        ranks = np.where(np.isnan(ordered).any(axis=-1, keepdims=True), dtype.type(last), q * dtype.type(last))
    rounding = {"lower": np.floor, "higher": np.ceil, "nearest": np.round}.get(interpolation)
    return ranks if rounding is None else rounding(ranks)


def _mode_position(array, axis):
    """Per row along axis: the last position of the most frequent value (the smallest of ties).

    Sorted (stably), equal values form runs; the run length at each sorted position is that
    position minus the start of its run, plus one. The first longest run is the smallest mode,
    and its last element, with a stable sort, is the value's last position in the row.
    """
    order = np.argsort(array, axis=axis, kind="stable")
    ordered = np.moveaxis(np.take_along_axis(array, order, axis=axis), axis, -1)
    steps = np.arange(ordered.shape[-1])
    starts = np.concatenate([np.ones(ordered.shape[:-1] + (1,), dtype=bool),
                             ordered[..., 1:] != ordered[..., :-1]], axis=-1)
    run_start = np.maximum.accumulate(np.where(starts, steps, 0), axis=-1)
    end = np.argmax(steps - run_start, axis=-1)[..., None]
    return np.take_along_axis(order, np.moveaxis(end, -1, axis), axis=axis)


def _sort_order(array, axis, descending):
    """The stable order that sorts `array` along `axis`; NaN counts as the largest value, as in torch.

    Descending, it is the ascending order of the reversed array, reversed and read back as
    positions of `array`: largest first, and equal values (NaNs too) in their order in `array`.
    Negating the values instead would wrap around for unsigned integers and the smallest
    signed one, and reverse the order of ties among bools.
    """
    if not descending:
        return np.argsort(array, axis=axis, kind="stable")  # NumPy already puts NaN last
    reversed_order = np.argsort(np.flip(array, axis), axis=axis, kind="stable")
    return (array.shape[axis] - 1) - np.flip(reversed_order, axis)


def _check_cov_weights(name, weights, wanted, observations):
    """cov's fweights (integers) or aweights (floats): torch's checks, one weight per observation, none negative."""
    if weights.ndim > 1:
        raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions but got {name} with "
                           f"{weights.ndim} dimensions")
    kind = weights._array.dtype.kind
    if (kind not in "iu") if wanted == "integral" else (kind != "f"):
        raise RuntimeError(f"cov(): expected {name} to have {wanted} dtype but got {name} with "
                           f"{_scalar_type(weights)} dtype")
    if weights.numel() != observations:
        raise RuntimeError(f"cov(): expected {name} to have the same numel as there are observations in the input "
                           f"but got {weights.numel()} != {observations}")
    if observations and weights._array.min() < 0:
        raise RuntimeError(f"cov(): {name} cannot be negative")
