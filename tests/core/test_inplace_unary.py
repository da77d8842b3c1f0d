"""The in-place forms of unary math (x.log_(), minigrad.sin_(x), ...), against torch.

x.op_() writes x.op() into x: the same values, and on a tensor in the graph the same gradient
as the out-of-place op, with self taking over the op's grad_fn. As in torch, a leaf that
requires grad is refused, an integer or bool tensor refuses a floating result, a saved
tensor changed in place fails at backward, and each returns self with its version bumped.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_raises_like_torch, assert_same_as_torch, check_parity, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()

# Each op with the interval its inputs are drawn from (inside its domain, away from the edges
# where the derivative blows up).
UNARY = {
    "exp_": (-3, 3), "exp2_": (-3, 3), "expm1_": (-3, 3), "sqrt_": (0.2, 4), "rsqrt_": (0.2, 4),
    "log_": (0.2, 4), "log2_": (0.2, 4), "log10_": (0.2, 4), "log1p_": (-0.8, 4),
    "sin_": (-3, 3), "cos_": (-3, 3), "tan_": (-1.2, 1.2), "asin_": (-0.9, 0.9), "acos_": (-0.9, 0.9),
    "atan_": (-3, 3), "sinh_": (-3, 3), "cosh_": (-3, 3), "tanh_": (-3, 3), "asinh_": (-3, 3),
    "acosh_": (1.2, 4), "atanh_": (-0.9, 0.9), "arcsin_": (-0.9, 0.9), "arccos_": (-0.9, 0.9),
    "arctan_": (-3, 3), "arcsinh_": (-3, 3), "arccosh_": (1.2, 4), "arctanh_": (-0.9, 0.9),
    "sigmoid_": (-3, 3), "erf_": (-3, 3), "erfc_": (-3, 3), "reciprocal_": (0.3, 3), "square_": (-3, 3),
    "sinc_": (0.1, 3), "deg2rad_": (-300, 300), "rad2deg_": (-3, 3), "logit_": (0.05, 0.95),
    "neg_": (-3, 3), "negative_": (-3, 3), "abs_": (0.1, 3), "absolute_": (0.1, 3), "relu_": (0.1, 3),
}
# The in-place forms of ops whose result is floating: an integer or bool tensor refuses them.
FLOATING = [name for name in UNARY if name not in ("square_", "neg_", "negative_", "abs_", "absolute_", "relu_")]
NUMERIC = ["uint8", "int32", "int64", "bool"]
# torch computes these in place but has no derivative for them there (backward raises
# NotImplementedError); minigrad gives the out-of-place op's gradient.
OUT_OF_PLACE = {"asinh_": "asinh", "acosh_": "acosh", "atanh_": "atanh", "arcsinh_": "asinh", "arccosh_": "acosh",
                "arctanh_": "atanh"}
NO_TORCH_DERIVATIVE = set(OUT_OF_PLACE)


def _as_method_or_function(name, form):
    """x.name() or lib.name(x): torch has most of these in-place forms as functions too."""
    if form == "function" and not hasattr(torch, name):
        form = "method"
    return (lambda lib, x: getattr(x, name)()) if form == "method" else (lambda lib, x: getattr(lib, name)(x))


def test_every_unary_in_place_op_once():
    """Each op of the table on the same kind of input: values and the gradient through it."""
    for name, (low, high) in UNARY.items():
        results = []
        for lib in (torch, minigrad):
            x = lib.linspace(low, high, 7, dtype=lib.float64, requires_grad=True)
            y = x * 1
            if lib is torch and name in NO_TORCH_DERIVATIVE:
                y = getattr(y, OUT_OF_PLACE[name])()
            else:
                assert getattr(y, name)() is y
            y.backward(lib.linspace(-1, 2, 7, dtype=lib.float64))
            results.append((y.detach().numpy(), x.grad.numpy()))
        for mine, theirs in zip(results[1], results[0]):
            np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-12, err_msg=name)


@settings(max_examples=25)
@given(data=st.data(), name=st.sampled_from(sorted(UNARY)), form=st.sampled_from(["method", "function"]),
       dtype=st.sampled_from([np.float64, np.float32]), shape=mst.shapes(max_dims=3))
def test_in_place_unary_matches_torch_in_values_and_gradient(data, name, form, dtype, shape):
    """On a non-leaf (x * 1) the op is recorded: the gradient reaches x through it."""
    low, high = UNARY[name]
    x = data.draw(mst.arrays(np.float64, shape, elements=st.floats(low, high)), label="x")
    call = _as_method_or_function(name, form)

    def fn(lib, x):
        y = x * 1
        if lib is torch and name in NO_TORCH_DERIVATIVE:
            return getattr(y, OUT_OF_PLACE[name])()  # the gradient minigrad gives, which torch lacks in place
        out = call(lib, y)
        assert out is y  # returns self
        return y

    check_parity(data, fn, [x], dtype=dtype)


def test_minigrad_has_the_functions_torch_has():
    for name in list(UNARY) + ["floor_", "ceil_", "round_", "trunc_", "fix_", "frac_", "clamp_", "clip_",
                               "clamp_min_", "clamp_max_", "bitwise_not_", "logical_not_"]:
        assert hasattr(minigrad.Tensor, name), name
        assert hasattr(minigrad, name) == hasattr(torch, name), name


@given(name=st.sampled_from(FLOATING), dtype=st.sampled_from(NUMERIC))
def test_an_integer_or_bool_tensor_refuses_a_floating_result(name, dtype):
    mine, theirs = assert_raises_like_torch(lambda lib: getattr(lib.tensor([1, 0, 1]).to(getattr(lib, dtype)),
                                                                name)(), same_message=True)


@given(dtype=st.sampled_from(NUMERIC), name=st.sampled_from(["square_", "neg_", "negative_", "abs_", "absolute_"]))
def test_integer_results_stay_in_the_tensor_or_raise_like_torch(dtype, name):
    values = [3, 0, 1]

    def run(lib):
        x = lib.tensor(values).to(getattr(lib, dtype))
        return getattr(x, name)().tolist(), str(x.dtype).split(".")[-1]

    try:
        expected = run(torch)
    except Exception:  # noqa: BLE001  (then minigrad must raise the same type and message)
        assert_raises_like_torch(run, same_message=True)
        return
    assert run(minigrad) == expected


@pytest.mark.parametrize("name", ["log_", "square_", "sigmoid_", "deg2rad_", "clamp_min_"])
def test_a_leaf_that_requires_grad_is_refused(name):
    args = (0.5,) if name == "clamp_min_" else ()
    mine, _ = assert_raises_like_torch(lambda lib: getattr(lib.ones(3, requires_grad=True), name)(*args))
    assert "leaf Variable that requires grad" in str(mine)


def test_under_no_grad_a_leaf_is_written_and_keeps_no_graph():
    for lib in (torch, minigrad):
        x = lib.full((3,), 4.0, requires_grad=True)
        with lib.no_grad():
            x.sqrt_()
        assert x.tolist() == [2.0, 2.0, 2.0] and x.grad_fn is None and x.requires_grad


@pytest.mark.parametrize("name", ["sin_", "log2_", "reciprocal_", "logit_", "abs_"])
def test_the_version_counter_bumps_and_a_saved_tensor_changed_in_place_fails_at_backward(name):
    for lib in (torch, minigrad):
        x = lib.full((3,), 0.5, dtype=lib.float64, requires_grad=True)
        y = x * 1
        saved = y.exp() * y  # mul saves y
        before = y._version
        getattr(y, name)()
        assert y._version > before
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            saved.sum().backward()


def test_grad_fn_is_the_ops_node():
    """The node names, as torch names them (asinh_, acosh_, atanh_ aside: see NO_TORCH_DERIVATIVE)."""
    for name in ["exp_", "sqrt_", "log_", "log1p_", "sin_", "cos_", "tan_", "asin_", "acos_", "atan_", "sinh_",
                 "cosh_", "tanh_", "sigmoid_", "erf_", "erfc_", "rsqrt_", "reciprocal_", "sinc_", "expm1_",
                 "neg_", "abs_", "log2_", "log10_", "exp2_", "deg2rad_", "rad2deg_", "logit_", "square_"]:
        names = [type(getattr(lib.full((2,), 0.5, requires_grad=True) * 1, name)().grad_fn).__name__
                 for lib in (torch, minigrad)]
        assert names[0] == names[1], (name, names)


@given(data=st.data(), eps=st.sampled_from([None, 0.0, 0.1, 0.3]))
def test_logit_in_place_with_eps(data, eps):
    x = data.draw(mst.arrays(np.float64, (5,), elements=st.floats(0.01, 0.99)), label="x")
    check_parity(data, lambda lib, x: lib.logit_(x * 1, eps), [x])


@given(data=st.data(), which=st.sampled_from(["clamp_min_", "clamp_max_"]), tensor_bound=st.booleans())
def test_clamp_min_and_max_in_place(data, which, tensor_bound):
    x = data.draw(mst.arrays(np.float64, (2, 3), elements=st.floats(-2, 2)), label="x")
    bound = (data.draw(mst.arrays(np.float64, (3,), elements=st.floats(-2, 2)), label="bound") if tensor_bound
             else data.draw(st.sampled_from([-0.5, 0.0, 1.25]), label="bound"))
    check_parity(data, lambda lib, x, b: getattr(x * 1, which)(b), [x, bound])


def test_clamp_min_in_place_refuses_a_float_bound_on_an_integer_tensor():
    assert_raises_like_torch(lambda lib: lib.tensor([1, 2]).clamp_min_(1.5))
    assert_raises_like_torch(lambda lib: lib.tensor([1, 2]).clamp_max_(lib.tensor([1.5, 0.5])), same_message=True)


@given(dtype=st.sampled_from(["bool", "uint8", "int8", "int32", "int64"]),
       values=st.lists(st.integers(0, 100), min_size=1, max_size=5))
def test_bitwise_not_in_place(dtype, values):
    results = []
    for lib in (torch, minigrad):
        x = lib.tensor(values).to(getattr(lib, dtype))
        assert x.bitwise_not_() is x
        results.append((x.tolist(), str(x.dtype).split(".")[-1], x._version))
    assert results[0] == results[1]


def test_bitwise_not_in_place_refuses_floats():
    assert_raises_like_torch(lambda lib: lib.tensor([1.0]).bitwise_not_(), same_message=True)


@given(dtype=st.sampled_from(["bool", "uint8", "int64", "float32", "float64"]),
       values=st.lists(st.integers(-2, 2), min_size=1, max_size=5))
def test_logical_not_in_place_writes_one_and_zero_in_the_tensors_dtype(dtype, values):
    results = []
    for lib in (torch, minigrad):
        x = lib.tensor(values).to(getattr(lib, dtype))
        assert x.logical_not_() is x
        results.append((x.tolist(), str(x.dtype).split(".")[-1]))
    assert results[0] == results[1]


def test_logical_not_in_place_is_not_recorded():
    """As in torch, a graph tensor keeps its grad_fn: the gradient flows as if nothing was written."""
    grads = []
    for lib in (torch, minigrad):
        x = lib.tensor([0.0, 2.0], requires_grad=True)
        y = x * 3
        y.logical_not_()
        assert type(y.grad_fn).__name__ == "MulBackward0"
        y.sum().backward()
        grads.append(x.grad.tolist())
    assert grads[0] == grads[1]


def test_the_function_forms_of_fill_zero_detach_and_index_put_in_place():
    def program(lib):
        x = lib.arange(4.0)
        lib.index_put_(x, (lib.tensor([1]),), lib.tensor(7.0))
        after_put = x.tolist()
        lib.fill_(x, 2.5)
        after_fill = x.tolist()
        lib.zero_(x)
        y = x * 1
        return after_put, after_fill, x, lib.detach_(y) is y, y.grad_fn is None

    assert_same_as_torch(program)


@pytest.mark.parametrize("name", ["sin_", "square_", "reciprocal_", "clamp_min_", "bitwise_not_", "logical_not_"])
def test_in_place_on_a_view_writes_into_its_base(name):
    args = (2.0,) if name == "clamp_min_" else ()

    def program(lib):
        base = lib.arange(1, 7).reshape(2, 3)
        base = base if name in ("bitwise_not_", "logical_not_") else base.double()
        view = base[1]
        getattr(view, name)(*args)
        return base, base._version, view._version

    assert_same_as_torch(program)
