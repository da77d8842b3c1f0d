"""Torch parity of the reductions: sum, mean, prod, max/min, amax/amin, argmax/argmin,
var/std, logsumexp, cumsum, logcumsumexp, cummax/cummin, nansum/nanmean and aminmax, with dim as None, an int, a tuple or
negative, and keepdim."""

from hypothesis import strategies as st
from parity import Cases

from minigrad.testing import method_or_function
from minigrad.testing import strategies as mst

cases = Cases()

TIES = st.sampled_from([-1.0, 0.0, 0.5, 1.0])
# torch accumulates float32 variances in float64 on the CPU and minigrad in float32, so squares
# of magnitudes below ~1e-19 underflow only in minigrad: var/std draw ordinary magnitudes.
ORDINARY_IN_FLOAT32 = mst.reals().filter(lambda v: v == 0 or abs(v) > 1e-12)


def _reduce_call(draw, name, ndim, allow_tuple=True):
    """A call of reduction `name`: no dim, or a drawn dim (int or tuple) with or without keepdim."""
    form = draw(method_or_function(name))
    if draw(st.integers(0, 3)) == 0:
        return lambda lib, x: form(lib, x)
    dim = draw(mst.dims(ndim, allow_tuple=allow_tuple))
    keepdim = draw(st.sampled_from([None, False, True]))
    if keepdim is None:
        return lambda lib, x: form(lib, x, dim)
    if draw(st.booleans()):
        return lambda lib, x: form(lib, x, dim=dim, keepdim=keepdim)
    return lambda lib, x: form(lib, x, dim, keepdim)


@cases.add
def sum_mean(draw):
    name = draw(st.sampled_from(["sum", "mean"]))
    x = draw(mst.arrays("float64", mst.shapes()))
    return _reduce_call(draw, name, x.ndim), [x]


@cases.add
def nan_reductions(draw):
    """nansum and nanmean skip NaN (a slice of NaN only has nanmean NaN and, as in torch, NaN
    gradients), and aminmax gives both extrema, over all elements or a dim."""
    with_nan = st.one_of(st.just(float("nan")), mst.reals())
    x = draw(mst.arrays("float64", mst.shapes(min_dims=1, min_side=1), elements=with_nan))
    name = draw(st.sampled_from(["nansum", "nanmean", "aminmax"]))
    if name == "aminmax":
        dim = draw(st.one_of(st.none(), st.integers(-x.ndim, x.ndim - 1)))
        keepdim = draw(st.booleans())
        return (lambda lib, x: tuple(lib.aminmax(x, dim=dim, keepdim=keepdim))), [x]
    return _reduce_call(draw, name, x.ndim), [x]


@cases.add
def sum_prod_of_integers(draw):
    """Sums and products of int32, int64 and bool tensors are int64, as in torch."""
    x = draw(mst.arrays(draw(st.sampled_from(["int32", "int64", "bool"])), mst.shapes()))
    name = draw(st.sampled_from(["sum", "prod"]))
    return _reduce_call(draw, name, x.ndim, allow_tuple=name == "sum"), [x]


@cases.add
def reductions_of_empty_tensors(draw):
    """sum is 0, prod 1 and mean nan over no elements, as in torch."""
    shape = draw(mst.shapes(min_dims=1, min_side=0).filter(lambda s: 0 in s))
    x = draw(mst.arrays("float64", shape))
    name = draw(st.sampled_from(["sum", "mean", "prod", "cumsum"]))
    if name == "cumsum":
        return (lambda lib, x: x.cumsum(0)), [x]
    return _reduce_call(draw, name, x.ndim, allow_tuple=name != "prod"), [x]


@cases.add
def sum_mean_with_dtype(draw):
    """sum/mean(dtype=...) cast the input first: float32 summed in float64, ints summed as floats."""
    x = draw(mst.arrays(draw(st.sampled_from(["float64", "int64"])), mst.shapes()))
    name = draw(st.sampled_from(["sum", "mean"]))
    dtype_name = draw(st.sampled_from(["float32", "float64"]))
    return (lambda lib, x: getattr(x, name)(dtype=getattr(lib, dtype_name))), [x]


@cases.add
def prod(draw):
    """prod with no zero, one zero and two zeros (whose gradients need no division by x)."""
    x = draw(mst.arrays("float64", mst.shapes(), elements=mst.reals(-2, 2)))
    zeros = draw(st.sampled_from([0, 1, 2]))
    if x.size:
        flat = x.reshape(-1)
        flat[draw(st.lists(st.integers(0, x.size - 1), min_size=zeros, max_size=zeros))] = 0.0
    return _reduce_call(draw, "prod", x.ndim, allow_tuple=False), [x]


@cases.add
def max_min_whole(draw):
    """max() and min() of all elements: ties share the gradient evenly."""
    x = draw(mst.arrays("float64", mst.shapes(), elements=TIES))
    form = draw(method_or_function(draw(st.sampled_from(["max", "min"]))))
    return (lambda lib, x: form(lib, x)), [x]


@cases.add
def max_min_along_dim(draw):
    """max(dim) and min(dim) return (values, indices); the gradient goes to the chosen index."""
    x = draw(mst.arrays("float64", mst.shapes(), elements=mst.reals(width=32), unique=True))  # distinct in float32 too
    form = draw(method_or_function(draw(st.sampled_from(["max", "min"]))))
    dim = draw(mst.dim(x.ndim))
    keepdim = draw(st.booleans())
    return (lambda lib, x: form(lib, x, dim, keepdim)), [x]


@cases.add
def max_min_along_dim_with_ties(draw):
    """Ties along dim: torch picks the first extremum, and so its gradient goes there."""
    x = draw(mst.arrays("float64", mst.shapes(), elements=TIES))
    name = draw(st.sampled_from(["max", "min"]))
    dim = draw(mst.dim(x.ndim))
    keepdim = draw(st.booleans())
    return (lambda lib, x: getattr(x, name)(dim, keepdim)), [x]


@cases.add
def amax_amin(draw):
    """amax/amin over one or several dims; tied elements share the gradient evenly."""
    name = draw(st.sampled_from(["amax", "amin"]))
    x = draw(mst.arrays("float64", mst.shapes(), elements=TIES))
    return _reduce_call(draw, name, x.ndim), [x]


@cases.add
def argmax_argmin(draw):
    """argmax/argmin over everything or along a dim, ties included (the first index wins)."""
    name = draw(st.sampled_from(["argmax", "argmin"]))
    x = draw(mst.arrays(draw(st.sampled_from(["float64", "int64"])), mst.shapes(),
                        elements=st.sampled_from([-1, 0, 1])))
    form = draw(method_or_function(name))
    dim = draw(st.none() | mst.dim(x.ndim))
    keepdim = draw(st.booleans())
    return (lambda lib, x: form(lib, x, dim, keepdim)), [x]


@cases.add
def var_std(draw):
    """var/std with correction or unbiased, dim int/tuple/None and keepdim."""
    name = draw(st.sampled_from(["var", "std"]))
    x = draw(mst.arrays("float64", mst.shapes(min_dims=1), elements=st.one_of(TIES, ORDINARY_IN_FLOAT32)))
    form = draw(method_or_function(name))
    dim = draw(mst.dims(x.ndim, allow_none=True))
    keepdim = draw(st.booleans())
    if draw(st.booleans()):
        correction = draw(st.sampled_from([0, 1, 2]))
        return (lambda lib, x: form(lib, x, dim, correction=correction, keepdim=keepdim)), [x]
    unbiased = draw(st.booleans())
    if dim is None and draw(st.booleans()):
        return (lambda lib, x: form(lib, x, unbiased)), [x]
    return (lambda lib, x: form(lib, x, dim, unbiased, keepdim)), [x]


@cases.add
def var_std_few_elements(draw):
    """Reductions over 1 or 2 elements with correction 1 or 2: no degrees of freedom left, so
    the values are nan or inf, and torch's gradients are its limits of the formula."""
    name = draw(st.sampled_from(["var", "std"]))
    x = draw(mst.arrays("float64", mst.shapes(min_dims=1, max_dims=2, max_side=2), elements=TIES))
    dim = draw(mst.dims(x.ndim, allow_none=True))
    correction = draw(st.sampled_from([1, 2]))
    return (lambda lib, x: getattr(x, name)(dim, correction=correction)), [x]


@cases.add
def logsumexp(draw):
    x = draw(mst.arrays("float64", mst.shapes(), elements=mst.reals(-10, 10)))
    form = draw(method_or_function("logsumexp"))
    dim = draw(mst.dims(x.ndim))
    keepdim = draw(st.booleans())
    return (lambda lib, x: form(lib, x, dim, keepdim)), [x]


@cases.add
def cumsum(draw):
    """cumsum along a dim; integer and bool inputs accumulate in int64."""
    dtype = draw(st.sampled_from(["float64", "float64", "int32", "int64", "bool"]))
    x = draw(mst.arrays(dtype, mst.shapes()))
    form = draw(method_or_function("cumsum"))
    dim = draw(mst.dim(x.ndim))
    return (lambda lib, x: form(lib, x, dim)), [x]


@cases.add
def logcumsumexp(draw):
    """log(cumsum(exp(x))) along a dim, exact where exp(x) overflows, and with -inf inputs
    (torch's gradient is NaN up to them: minigrad uses torch's formula, so it is too)."""
    elements = st.one_of(mst.reals(-800, 800), st.just(float("-inf")))
    x = draw(mst.arrays("float64", mst.shapes(), elements=elements))
    form = draw(method_or_function("logcumsumexp"))
    dim = draw(mst.dim(x.ndim))
    return (lambda lib, x: form(lib, x, dim)), [x]


@cases.add
def cummax_cummin(draw):
    """The running maximum or minimum and where it was found: a tie moves the index on, a NaN
    takes over where it appears (then the last NaN's index), the gradient goes to the index;
    integers and bools too, and empty axes."""
    dtype = draw(st.sampled_from(["float64", "float64", "int64", "bool"]))
    with_nan = st.one_of(TIES, st.just(float("nan")), mst.reals())
    x = draw(mst.arrays(dtype, mst.shapes(min_side=0), elements=with_nan if dtype == "float64" else None))
    form = draw(method_or_function(draw(st.sampled_from(["cummax", "cummin"]))))
    dim = draw(mst.dim(x.ndim))
    return (lambda lib, x: tuple(form(lib, x, dim))), [x]


test_parity = cases.test()

