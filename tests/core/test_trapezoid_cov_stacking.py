"""trapezoid, trapz, cumulative_trapezoid, cov, corrcoef, atleast_1d/2d/3d, column_stack,
row_stack and dstack against torch in the same test: values, dtypes, gradients and errors.
"""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from parity import Cases

import minigrad
from minigrad.testing import assert_close, assert_raises_like_torch, assert_same_as_torch, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()

cases = Cases()


@cases.add
def trapezoid_with_spacing(draw):
    y = draw(mst.arrays("float64", mst.shapes(min_dims=1, max_dims=3)))
    dim = draw(st.integers(-y.ndim, y.ndim - 1))
    dx = draw(st.sampled_from([None, 0.5, 2, -1.5]))
    name = draw(st.sampled_from(["trapezoid", "trapz", "cumulative_trapezoid"]))
    spacing = {} if dx is None else {"dx": dx}
    return (lambda lib, a: getattr(lib, name)(a, dim=dim, **spacing)), [y]


@cases.add
def trapezoid_at_points(draw):
    """x of y's shape, 1-D along dim, or of fewer dims (broadcast from the left)."""
    y = draw(mst.arrays("float64", mst.shapes(min_dims=1, max_dims=3)))
    dim = draw(st.integers(0, y.ndim - 1))
    form = draw(st.sampled_from(["same", "along dim", "trailing"]))
    shape = {"same": y.shape, "along dim": (y.shape[dim],), "trailing": y.shape[1:] or y.shape}[form]
    if form == "trailing" and y.ndim > 1 and dim == 0:
        dim = 1  # (x's dims are y's last ones: integrate along one of them)
    x = draw(mst.arrays("float64", shape, elements=mst.reals(-5, 5)))
    name = draw(st.sampled_from(["trapezoid", "trapz", "cumulative_trapezoid"]))
    return (lambda lib, a, b: getattr(lib, name)(a, b, dim=dim)), [y, x]


@cases.add
def cov(draw):
    x = draw(mst.arrays("float64", mst.shapes(min_dims=1, max_dims=2, min_side=2)))
    correction = draw(st.sampled_from([0, 1, 2]))
    observations = x.shape[-1]
    fweights = draw(st.none() | mst.arrays("int64", (observations,), elements=st.integers(1, 3)))
    aweights = draw(st.none() | mst.arrays("float64", (observations,), elements=mst.reals(0.1, 2)))
    if correction >= observations and fweights is None and aweights is None:
        correction = 0  # (no degrees of freedom left: see test_cov_warns_without_degrees_of_freedom)

    def fn(lib, a, w):
        f = None if fweights is None else lib.tensor(fweights)
        return lib.cov(a, correction=correction, fweights=f, aweights=w)

    return fn, [x, aweights]


@cases.add
def corrcoef(draw):
    """Values at least 1/4 apart: corrcoef divides by each row's spread, and a row spread over
    1e-8 (hypothesis finds [0, 6e-8, 3e-183, 1e-246]) makes a gradient of 1e7 whose rounding, in
    either library, exceeds the absolute tolerance at its zero entries."""
    grid = st.integers(-12, 12).map(lambda k: k / 4)
    x = draw(mst.arrays("float64", mst.shapes(min_dims=1, max_dims=2, min_side=3), elements=grid, unique=True))
    as_method = draw(st.booleans())
    return (lambda lib, a: a.corrcoef() if as_method else lib.corrcoef(a)), [x]


@cases.add
def stacking(draw):
    rows = draw(st.integers(1, 3))
    a = draw(mst.arrays("float64", (rows,)))
    b = draw(mst.arrays("float64", (rows, 2)))
    name = draw(st.sampled_from(["column_stack", "row_stack", "dstack"]))

    def fn(lib, a, b):
        if name == "column_stack":
            return lib.column_stack([a, b, a * 2])
        if name == "row_stack":
            return lib.row_stack([b.t(), b[:, 0]]) if rows == 2 else lib.row_stack([a, a])
        return lib.dstack([b, b * 3])

    return fn, [a, b]


@cases.add
def at_least(draw):
    x = draw(mst.arrays("float64", mst.shapes(max_dims=4)))
    name = draw(st.sampled_from(["atleast_1d", "atleast_2d", "atleast_3d"]))
    return (lambda lib, a: getattr(lib, name)(a) * 2), [x]


test_parity = cases.test(max_examples=8)


@pytest.mark.parametrize("name", ["atleast_1d", "atleast_2d", "atleast_3d"])
def test_at_least_takes_one_several_or_a_list(name):
    def program(lib):
        f = getattr(lib, name)
        one = f(lib.tensor(1.0))
        several = f(lib.tensor(1.0), lib.ones(2), lib.ones(2, 3), lib.ones(1, 2, 3, 4))
        listed = f([lib.ones(2)])
        return [type(one).__name__, list(one.shape), type(several).__name__, [list(t.shape) for t in several],
                type(listed).__name__, [list(t.shape) for t in listed]]

    assert_same_as_torch(program)


@pytest.mark.parametrize("dtype", ["int64", "float32", "float64"])
def test_dtypes_are_torch_s(dtype):
    y = np.array([[1, 2, 4], [3, 5, 9]]).astype(dtype)
    x = np.array([0.0, 1.0, 3.0], dtype="float32")
    for call in [lambda lib, y: lib.trapezoid(y), lambda lib, y: lib.trapezoid(y, dx=2),
                 lambda lib, y: lib.trapezoid(y, lib.tensor(x)), lambda lib, y: lib.cumulative_trapezoid(y),
                 lambda lib, y: lib.cov(y), lambda lib, y: lib.corrcoef(y),
                 lambda lib, y: lib.cov(y, aweights=lib.tensor([1.0, 2.0, 0.5], dtype=lib.float64)),
                 lambda lib, y: lib.column_stack([y.t(), y[0]])]:
        assert_close(call(minigrad, minigrad.tensor(y)), call(torch, torch.tensor(y)))


def test_empty_integrals_are_torch_s():
    for call in [lambda lib: lib.trapezoid(lib.ones(2, 0)), lambda lib: lib.trapezoid(lib.ones(0, 3), dim=0),
                 lambda lib: lib.cumulative_trapezoid(lib.ones(2, 0))]:
        assert_close(call(minigrad), call(torch))


def test_cov_warns_without_degrees_of_freedom():
    results = []
    for lib in (minigrad, torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            results.append(lib.cov(lib.tensor([[1.0, 2.0], [0.5, 3.0]]), correction=2))
        assert any("degrees of freedom is <= 0" in str(w.message) for w in caught)
    assert_close(*results)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_cov_whose_weighted_degrees_of_freedom_round_below_zero_is_plus_inf(dtype):
    """0.2 - 2 * 0.02 / 0.2 rounds to a tiny negative number: torch zeroes it (+0.0), and minigrad
    gave -inf, having multiplied it by 0 (-0.0)."""
    def program(lib):
        x = lib.tensor([0.0, 1.0], dtype=getattr(lib, dtype), requires_grad=True)
        weights = lib.tensor([0.1, 0.1], dtype=getattr(lib, dtype))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # (the warning itself: test_cov_warns_without_degrees_of_freedom)
            out = lib.cov(x, correction=2, aweights=weights)
        out.backward()
        return out, x.grad
    assert_same_as_torch(program)


@pytest.mark.parametrize("call", [
    lambda lib: lib.trapezoid(lib.ones(2, 3), lib.tensor([0.0, 1.0])),
    lambda lib: lib.cumulative_trapezoid(lib.ones(2, 3), lib.tensor([0.0, 1.0])),
    lambda lib: lib.trapezoid(lib.tensor([True, False])),
    lambda lib: lib.cov(lib.ones(2, 2, 2)),
    lambda lib: lib.corrcoef(lib.ones(2, 2, 2)),
    lambda lib: lib.cov(lib.tensor([True])),
    lambda lib: lib.cov(lib.ones(2, 3), fweights=lib.tensor([1.0, 2, 3])),
    lambda lib: lib.cov(lib.ones(2, 3), aweights=lib.tensor([1, 2, 3])),
    lambda lib: lib.cov(lib.ones(2, 3), fweights=lib.tensor([1, -2, 3])),
    lambda lib: lib.cov(lib.ones(2, 3), fweights=lib.tensor([1, 2])),
    lambda lib: lib.cov(lib.ones(2, 3), aweights=lib.tensor([[1.0, 2, 3]])),
    lambda lib: lib.cov(lib.ones(2, 3), aweights=lib.tensor([0.0, 0, 0])),
    lambda lib: lib.column_stack([]),
    lambda lib: lib.dstack([]),
    lambda lib: lib.dstack([lib.ones(2), lib.ones(3)]),
])
def test_errors_are_torch_s(call):
    assert_raises_like_torch(call, same_message=True)


@pytest.mark.parametrize("call", [
    lambda lib: lib.trapezoid(lib.ones(2, 3), dim=2),
    lambda lib: lib.trapezoid(lib.tensor(1.0)),
    lambda lib: lib.trapezoid(lib.ones(3), 2.0),
    lambda lib: lib.trapezoid(lib.ones(3), lib.ones(3), dx=2.0),
])
def test_refused_arguments_raise_torch_s_exception(call):
    assert_raises_like_torch(call)


@settings(max_examples=10)
@given(y=mst.arrays("float64", (3, 5), elements=mst.reals(-10, 10)))
def test_out_takes_the_result(y):
    out = minigrad.empty(3, dtype=minigrad.float64)
    assert minigrad.trapezoid(minigrad.tensor(y), dx=0.5, out=out) is out
    assert_close(out, torch.trapezoid(torch.tensor(y), dx=0.5))
