"""Hypothesis strategies for property tests of tensor operations.

    from hypothesis import given
    from minigrad.testing import strategies as mst

    @given(mst.arrays("float64", mst.shapes(max_dims=3), elements=mst.reals(0.1, 10)))
    def test_log_is_finite(x):
        ...

The strategies draw NumPy data (shapes, arrays, dim arguments, indices); a test turns
the arrays into minigrad and torch tensors and compares the two libraries. Shapes include
0-d tensors and size-1 axes by default, because that is where broadcasting and
reductions go wrong. Drawing these strategies needs hypothesis (the `test` extra).
"""

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

__all__ = ["arrays", "broadcastable_pairs", "broadcastable_shapes", "dim", "dims", "indices", "integers",
           "mutually_broadcastable_shapes", "nonzero_reals", "reals", "shapes", "shapes_broadcasting_to"]


# ------------------------------------------------------------------ shapes
def shapes(min_dims=0, max_dims=4, min_side=1, max_side=4):
    """Tensor shapes with min_dims..max_dims axes of min_side..max_side elements each.

    With the defaults this includes () (a 0-d tensor) and axes of size 1.
    """
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def broadcastable_shapes(shape, min_dims=0, max_dims=None, min_side=1, max_side=4):
    """Shapes that broadcast against `shape`: trailing axes equal to its axes or of size 1,
    possibly fewer or more axes (the result of the broadcast may be larger than `shape`)."""
    max_dims = len(shape) if max_dims is None else max_dims
    return hnp.broadcastable_shapes(shape, min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                                    max_side=max_side)


@st.composite
def shapes_broadcasting_to(draw, shape):
    """Shapes that broadcast to `shape` itself: a suffix of it with some sides turned into 1."""
    suffix = shape[len(shape) - draw(st.integers(0, len(shape))):]
    return tuple(1 if draw(st.booleans()) else n for n in suffix)


def mutually_broadcastable_shapes(num_shapes, min_dims=0, max_dims=4, min_side=1, max_side=4):
    """Tuples of `num_shapes` shapes that all broadcast together."""
    return hnp.mutually_broadcastable_shapes(num_shapes=num_shapes, min_dims=min_dims, max_dims=max_dims,
                                             min_side=min_side, max_side=max_side).map(lambda r: r.input_shapes)


def broadcastable_pairs(min_dims=0, max_dims=4, min_side=1, max_side=4):
    """Pairs of shapes (a, b) that broadcast together, like (3, 1) and (4,) or () and (2, 2)."""
    return mutually_broadcastable_shapes(2, min_dims, max_dims, min_side, max_side)


# ------------------------------------------------------------------ values
def reals(low=-3.0, high=3.0, width=64):
    """Finite floats in [low, high] that are ordinary numbers (no subnormals, no -0.0 surprises)."""
    return st.floats(low, high, width=width, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def nonzero_reals(low=0.5, high=3.0, width=64):
    """Floats whose magnitude lies in [low, high], of either sign: safe denominators."""
    return st.one_of(reals(low, high, width), reals(-high, -low, width))


def integers(low=-5, high=5):
    """Small integers, the default elements of integer tensors."""
    return st.integers(low, high)


def arrays(dtype, shape, elements=None, unique=False):
    """NumPy arrays of `dtype` and `shape` (a shape or a strategy of shapes).

    `elements` is a strategy for the values, for example ``reals(0.1, 10)`` for the
    domain of log. The defaults: floats in [-3, 3], integers in [-5, 5], both booleans.
    unique=True draws distinct values (for sort and topk, where ties make the order
    of equal elements a matter of implementation).
    """
    dtype = np.dtype(dtype)
    if elements is None:
        elements = {"f": reals(width=8 * dtype.itemsize), "b": st.booleans()}.get(dtype.kind, integers())
    return hnp.arrays(dtype, shape, elements=elements, unique=unique)


# ------------------------------------------------------------------ dim arguments
def dim(ndim):
    """One valid `dim` for a tensor with `ndim` axes, negative ones included.

    A 0-d tensor accepts 0 and -1 (torch treats it as having one axis for this purpose).
    """
    n = max(ndim, 1)
    return st.integers(-n, n - 1)


def dims(ndim, allow_tuple=True, allow_none=False):
    """A valid `dim` argument: an int, a tuple of distinct axes (negative ones included), or None."""
    choices = [dim(ndim)]
    if allow_tuple and ndim > 0:
        choices.append(_distinct_axes(ndim))
    if allow_none:
        choices.append(st.none())
    return st.one_of(choices)


def _distinct_axes(ndim):
    """Tuples of distinct axes, each written either as a positive or as a negative number."""
    axes = st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True)
    return axes.flatmap(lambda picked: st.tuples(*(st.sampled_from([a, a - ndim]) for a in picked)))


# ------------------------------------------------------------------ indices
def indices(shape, allow_none=True, allow_ellipsis=True):
    """A basic index into a tensor of `shape`: ints (negative ones too), slices with
    positive steps (torch has no negative steps), None and an Ellipsis.

    The result is a tuple, or a single element when the tuple would have one.
    """

    @st.composite
    def draw_index(draw):
        ndim = len(shape)
        indexed = draw(st.integers(0, ndim))  # how many leading axes get an explicit index
        parts = [draw(_axis_index(n)) for n in shape[:indexed]]
        if allow_ellipsis and draw(st.booleans()):
            # The ellipsis stands for the axes in between; the last `k` axes may follow it.
            rest = shape[indexed:]
            k = draw(st.integers(0, len(rest)))
            parts += [Ellipsis] + [draw(_axis_index(n)) for n in rest[len(rest) - k:]]
        if allow_none:
            for _ in range(draw(st.integers(0, 2))):
                parts.insert(draw(st.integers(0, len(parts))), None)
        return parts[0] if len(parts) == 1 and draw(st.booleans()) else tuple(parts)

    return draw_index()


def _axis_index(size):
    """An int in range or a slice with a positive step for one axis of `size` elements."""
    bound = st.none() | st.integers(-size - 2, size + 2)
    slices = st.builds(slice, bound, bound, st.none() | st.integers(1, 3))
    return slices if size == 0 else st.one_of(st.integers(-size, size - 1), slices)
