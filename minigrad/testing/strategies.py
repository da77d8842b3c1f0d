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
           "mutually_broadcastable_shapes", "nonzero_reals", "optimizer_hyperparameters", "optimizer_problems", "reals",
           "shapes", "shapes_broadcasting_to"]


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
    """Shapes that broadcast to `shape` itself: a suffix of it with some sides turned into 1.

    The simplest draw, where hypothesis starts and shrinks to, is `shape` itself (no leading axis
    dropped, no side turned into 1), not the 0-d shape: a case in which nothing broadcasts says
    little, while each step away from `shape` is a broadcast that a gradient must undo.
    """
    dropped = draw(st.integers(0, len(shape)))  # how many leading axes the shape does not have
    return tuple(1 if draw(st.booleans()) else n for n in shape[dropped:])


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


# ------------------------------------------------------------------ optimizers
def _lr(high=1.0):
    return st.floats(1e-4, high)


def _weight_decay():
    return st.one_of(st.just(0.0), st.floats(1e-4, 0.5))


@st.composite
def _sgd_hyper(draw):
    momentum = draw(st.one_of(st.just(0.0), st.floats(0.01, 0.99)))
    nesterov = momentum > 0 and draw(st.booleans())
    dampening = 0.0 if nesterov else draw(st.one_of(st.just(0.0), st.floats(0.0, 0.9)))
    return {"lr": draw(_lr()), "momentum": momentum, "dampening": dampening, "weight_decay": draw(_weight_decay()),
            "nesterov": nesterov, "maximize": draw(st.booleans())}


@st.composite
def _adam_hyper(draw):
    return {"lr": draw(_lr(0.5)), "betas": (draw(st.floats(0.0, 0.99)), draw(st.floats(0.0, 0.9999))),
            "eps": draw(st.floats(1e-10, 1e-2)), "weight_decay": draw(_weight_decay()),
            "amsgrad": draw(st.booleans()), "maximize": draw(st.booleans())}


@st.composite
def _rmsprop_hyper(draw):
    centered = draw(st.booleans())
    # alpha may be anything in [0, 1); for the centered variant it stays away from 0, where
    # square_avg - grad_avg**2 is a difference of two equal numbers and torch's fused
    # multiply-add leaves a rounding error of either sign under the square root (NaN in torch).
    alpha = draw(st.floats(0.3 if centered else 0.0, 0.999))
    return {"lr": draw(_lr(0.1)), "alpha": alpha, "eps": draw(st.floats(1e-10, 1e-2)),
            "weight_decay": draw(_weight_decay()), "momentum": draw(st.one_of(st.just(0.0), st.floats(0.01, 0.99))),
            "centered": centered, "maximize": draw(st.booleans())}


@st.composite
def _adagrad_hyper(draw):
    return {"lr": draw(_lr()), "lr_decay": draw(st.one_of(st.just(0.0), st.floats(1e-3, 1.0))),
            "weight_decay": draw(_weight_decay()),
            "initial_accumulator_value": draw(st.one_of(st.just(0.0), st.floats(1e-3, 1.0))),
            "eps": draw(st.floats(1e-10, 1e-3)), "maximize": draw(st.booleans())}


@st.composite
def _adadelta_hyper(draw):
    return {"lr": draw(st.floats(1e-2, 2.0)), "rho": draw(st.floats(0.0, 1.0)), "eps": draw(st.floats(1e-8, 1e-3)),
            "weight_decay": draw(_weight_decay()), "maximize": draw(st.booleans())}


@st.composite
def _adamax_hyper(draw):
    return {"lr": draw(_lr(0.5)), "betas": (draw(st.floats(0.0, 0.99)), draw(st.floats(0.0, 0.9999))),
            "eps": draw(st.floats(1e-10, 1e-2)), "weight_decay": draw(_weight_decay()),
            "maximize": draw(st.booleans())}


@st.composite
def _nadam_hyper(draw):
    return {**draw(_adamax_hyper()), "momentum_decay": draw(st.one_of(st.just(4e-3), st.floats(0.0, 0.1))),
            "decoupled_weight_decay": draw(st.booleans())}


@st.composite
def _radam_hyper(draw):
    # beta2 up to 0.9999, so that both of RAdam's regimes (rho_t <= 5 and > 5) are reached
    return {**draw(_adamax_hyper()), "decoupled_weight_decay": draw(st.booleans())}


@st.composite
def _asgd_hyper(draw):
    # t0 small enough that the averaging (mu < 1) starts within the drawn steps, or torch's default
    return {"lr": draw(_lr(0.5)), "lambd": draw(st.floats(0.0, 1.0)), "alpha": draw(st.floats(0.0, 1.0)),
            "t0": draw(st.one_of(st.just(1e6), st.floats(0.0, 10.0))), "weight_decay": draw(_weight_decay()),
            "maximize": draw(st.booleans())}


@st.composite
def _rprop_hyper(draw):
    step_size_min = draw(st.floats(1e-8, 1e-2))
    return {"lr": draw(_lr(0.5)), "etas": (draw(st.floats(0.01, 0.99)), draw(st.floats(1.01, 3.0))),
            "step_sizes": (step_size_min, draw(st.floats(step_size_min, 100.0))), "maximize": draw(st.booleans())}


@st.composite
def _adafactor_hyper(draw):
    return {"lr": draw(_lr()), "beta2_decay": draw(st.floats(-1.5, 0.0)),
            "eps": (draw(st.one_of(st.none(), st.floats(1e-30, 1e-2))), draw(st.floats(0.0, 1e-1))),
            "d": draw(st.floats(1.0, 4.0)), "weight_decay": draw(_weight_decay()), "maximize": draw(st.booleans())}


_HYPERPARAMETERS = {"SGD": _sgd_hyper(), "Adam": _adam_hyper(), "AdamW": _adam_hyper(), "RMSprop": _rmsprop_hyper(),
                    "Adagrad": _adagrad_hyper(), "Adadelta": _adadelta_hyper(), "Adamax": _adamax_hyper(),
                    "NAdam": _nadam_hyper(), "RAdam": _radam_hyper(), "ASGD": _asgd_hyper(), "Rprop": _rprop_hyper(),
                    "Adafactor": _adafactor_hyper()}


def optimizer_hyperparameters(name):
    """Hyperparameters (a dict of keyword arguments) for torch.optim's optimizer `name`, over its valid range."""
    return _HYPERPARAMETERS[name]


_PARAMETER_SHAPES = st.lists(st.integers(1, 4), min_size=0, max_size=2).map(tuple)


@st.composite
def optimizer_problems(draw, name, max_steps=25):
    """For optimizer `name`: two parameter groups with their own hyperparameters, initial values
    and K steps of gradients.

    Each gradient is None with some probability (the optimizer must skip that parameter).
    The result is the problem that minigrad.testing.optim.OptimizerPair takes.
    """
    group_shapes = [draw(st.lists(_PARAMETER_SHAPES, min_size=1, max_size=2)) for _ in range(2)]
    hypers = [draw(optimizer_hyperparameters(name)) for _ in range(2)]
    steps = draw(st.integers(1, max_steps))
    scale = draw(st.sampled_from([1e-3, 1.0, 1e2]))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n_params = sum(len(s) for s in group_shapes)
    has_grad = st.sampled_from([True, True, True, False])
    present = draw(st.lists(st.lists(has_grad, min_size=n_params, max_size=n_params), min_size=steps, max_size=steps))
    flat_shapes = [s for g in group_shapes for s in g]
    initial = [rng.standard_normal(s) for s in flat_shapes]
    grads = [[np.asarray(scale * rng.standard_normal(s)) if present[k][i] else None for i, s in enumerate(flat_shapes)]
             for k in range(steps)]
    return {"group_sizes": [len(s) for s in group_shapes], "hypers": hypers, "initial": initial, "grads": grads}
