"""Corners of the special functions, the in-place integer ops and the stacking functions that a
review found wrong, each compared with torch in the same test (or, where torch itself loses
every digit, with the function's known limit):

- zeta and polygamma of a large order: the Hurwitz sum stops as soon as its first term
  underflows, instead of summing up to q = s + 5 (forever for s = 3e38); n! past 170 counts as
  inf, as in torch, instead of raising OverflowError;
- zeta of a q far below 0, in work that no longer grows with |q|;
- log_ndtr's gradient far in the lower tail, where exp(-x^2 / 2 - log Phi(x)) cancels to 1;
- mvlgamma's gradient at -0.0 (torch adds the shift 0.0, which makes it +0.0);
- gcd_ and lcm_ on a bool tensor, polygamma_'s and mvlgamma_'s argument errors;
- hstack, vstack and row_stack: 0-d tensors, an empty list, a tensor instead of a list;
- Adafactor on an empty parameter.
"""

import math
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_raises_like_torch, assert_same_as_torch, check_parity, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()


# ---------------------------------------------------------------- zeta and polygamma of a large order
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_zeta_of_a_large_order_is_found_at_once(dtype):
    """zeta(s, q) for s in the thousands and beyond: 0 for q > 1, inf for q < 1, as torch gives,
    in a few milliseconds (the sum used to run up to q = s + 5)."""
    start = time.perf_counter()
    assert_same_as_torch(lambda lib: lib.special.zeta(lib.tensor([1e10, 1e4, 1e10, 1e3], dtype=getattr(lib, dtype)),
                                                      lib.tensor([2.0, 3.0, 0.5, 0.5], dtype=getattr(lib, dtype))))
    assert time.perf_counter() - start < 2.0


def test_zeta_of_an_order_beyond_every_sum_ends():
    """s = 3e38, where summing term by term would never end: the first term underflows, the sum is 0."""
    result = minigrad.special.zeta(minigrad.tensor([3e38], dtype=minigrad.float64), 2.0)
    assert result.item() == 0.0


@pytest.mark.parametrize("n", [170, 171, 200])
def test_polygamma_of_an_order_past_170(n):
    """n! leaves float64 past n = 170: +-inf, or nan where zeta underflows, as torch, not OverflowError."""
    assert_same_as_torch(lambda lib: lib.polygamma(n, lib.tensor([2.0, 0.5, 1000.0, 3e5], dtype=lib.float64)))


# ---------------------------------------------------------------- log_ndtr far in the lower tail
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_log_ndtr_gradient_in_the_lower_tail_against_torch(data):
    """Where torch's own formula still holds its digits (x down to -1e3), the two agree closely."""
    x = data.draw(mst.arrays("float64", mst.shapes(max_dims=2), elements=mst.reals(-1e3, 2)))
    check_parity(data, lambda lib, a: lib.special.log_ndtr(a), [x])


@pytest.mark.parametrize("x", [-1e6, -1e8, -1e10, -1e150])
def test_log_ndtr_gradient_grows_like_minus_x(x):
    """phi(x) / Phi(x) = -x - 1/x + O(x^-3) as x -> -inf; the old formula gave 1/sqrt(2 pi) at -1e10
    (and torch gives inf there): every digit of exp(-x^2 / 2 - log Phi(x)) cancels."""
    t = minigrad.tensor([x], dtype=minigrad.float64, requires_grad=True)
    minigrad.special.log_ndtr(t).sum().backward()
    assert t.grad.item() == pytest.approx(-x - 1 / x, rel=1e-12)


def test_log_ndtr_gradient_at_the_infinities_is_torchs():
    def program(lib):
        x = lib.tensor([-math.inf, math.inf, -1.0, -1.5], dtype=lib.float64, requires_grad=True)
        lib.special.log_ndtr(x).sum().backward()
        return x.grad
    assert_same_as_torch(program, rtol=1e-12)


# ---------------------------------------------------------------- mvlgamma at -0.0
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("p", [1, 2])
def test_mvlgamma_gradient_at_minus_zero(dtype, p):
    def program(lib):
        x = lib.tensor([-0.0, 0.0, 1.5], dtype=getattr(lib, dtype), requires_grad=True)
        y = lib.mvlgamma(x, p)
        y.sum().backward()
        return y, x.grad
    assert_same_as_torch(program, rtol=1e-5 if dtype == "float32" else 1e-12)


# ---------------------------------------------------------------- in-place forms
@pytest.mark.parametrize("name", ["gcd_", "lcm_"])
def test_gcd_and_lcm_in_place_refuse_a_bool_tensor(name):
    """The integer result cannot be written into a bool tensor: torch's error, not a silent cast."""
    error, _ = assert_raises_like_torch(lambda lib: getattr(lib.tensor([True, False]), name)(lib.tensor([4, 6])),
                                        same_message=True)
    assert "Bool" in str(error)


@settings(max_examples=15, deadline=None)
@given(a=mst.arrays("int64", mst.shapes(min_dims=1, max_dims=2), elements=mst.integers(-20, 20)),
       b=st.integers(-20, 20), dtype=st.sampled_from(["int64", "int32", "int8"]), name=st.sampled_from(["gcd_", "lcm_"]))
def test_gcd_and_lcm_in_place_write_into_integer_tensors(a, b, dtype, name):
    def program(lib):
        x = lib.tensor(a).to(getattr(lib, dtype))
        out = getattr(x, name)(lib.tensor([b]))
        return x, out is x, x.dtype == getattr(lib, dtype), x._version
    assert_same_as_torch(program)


def test_polygamma_in_place_names_itself_in_its_type_error():
    error, expected = assert_raises_like_torch(lambda lib: lib.tensor([1.0]).polygamma_(1.5), same_message=True)
    assert "polygamma_()" in str(error)


def test_mvlgamma_in_place_refuses_a_bool_tensor_before_reading_p():
    assert_raises_like_torch(lambda lib: lib.tensor([True]).mvlgamma_(0), same_message=True)


# ---------------------------------------------------------------- stacking
@settings(max_examples=15, deadline=None)
@given(data=st.data(), name=st.sampled_from(["hstack", "vstack", "row_stack", "column_stack", "dstack"]),
       count=st.integers(1, 3))
def test_stacking_zero_dim_tensors(data, name, count):
    """0-d tensors join as one element each (hstack used to refuse them)."""
    arrays = [data.draw(mst.arrays("float64", ())) for _ in range(count)]
    check_parity(data, lambda lib, *ts: getattr(lib, name)(list(ts)), arrays)


@pytest.mark.parametrize("name", ["hstack", "vstack", "row_stack"])
def test_stacking_refuses_an_empty_list_and_a_tensor(name):
    error, _ = assert_raises_like_torch(lambda lib: getattr(lib, name)([]))
    assert "non-empty" in str(error)
    error, _ = assert_raises_like_torch(lambda lib: getattr(lib, name)(lib.ones(2, 3)))
    assert "tuple of Tensors" in str(error)


# ---------------------------------------------------------------- Adafactor on an empty parameter
def test_adafactor_on_an_empty_parameter_raises_as_torch():
    """torch divides the parameter's norm by sqrt(numel): ZeroDivisionError for an empty one, where
    minigrad used to take the mean of nothing (NumPy's RuntimeWarning, then nan)."""
    def program(lib):
        p = lib.zeros(0, 3, requires_grad=True)
        p.grad = lib.zeros(0, 3)
        lib.optim.Adafactor([p]).step()
    assert_raises_like_torch(program)


# ---------------------------------------------------------------- zeta of a negative q
@settings(max_examples=25, deadline=None)
@given(s=st.integers(2, 6), whole=st.integers(0, 40) | st.integers(64, 400), fraction=st.floats(0.05, 0.95))
def test_zeta_of_a_negative_q_against_torch(s, whole, fraction):
    """For q = -whole - fraction: summed from q up as torch does near 0, and below -64 with the
    first terms summed through zeta at positive arguments (they used to be summed one by one,
    |q| steps). Both keep every digit but those lost to the cancellation of the terms of either
    sign around 0. The gradient in q is -s zeta(s + 1, q), the same sum."""
    q = -whole - fraction
    nearest_term = min(fraction, 1 - fraction) ** -s  # the largest term, which sets the scale of rounding

    def program(lib):
        x = lib.tensor([q], dtype=lib.float64, requires_grad=True)
        y = lib.special.zeta(float(s), x)
        y.backward(lib.ones_like(y))
        return y.item(), x.grad.item()
    assert_same_as_torch(program, rtol=1e-9, atol=1e-13 * nearest_term * (s + 1) / min(fraction, 1 - fraction))


def test_zeta_of_a_far_negative_q_is_found_at_once():
    """|q| = 1e7: the work no longer grows with |q| (the one-by-one sum took minutes)."""
    start = time.perf_counter()
    assert_same_as_torch(lambda lib: lib.special.zeta(lib.tensor([2.0, 3.0], dtype=lib.float64),
                                                      lib.tensor([-1e7 + 0.5, -1e7 + 0.25], dtype=lib.float64)),
                         rtol=1e-9)
    assert time.perf_counter() - start < 2.0
