"""Activation layers and functions against torch: values and gradients in float64 over drawn
inputs, dtype preservation in float32, stability at +-1e4, and the error function behind GELU."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad._ops.activation import erf, erfc
from minigrad.testing import (assert_close, assert_function_matches_torch, assert_module_matches_torch,
                              assert_raises_like_torch, torch_or_skip)
from minigrad.testing import strategies as mst

torch = torch_or_skip()

# (name, constructor arguments drawn by hypothesis); the same arguments build both layers
LAYERS = {
    "ReLU": st.just(()),
    "ReLU6": st.just(()),
    "LeakyReLU": st.tuples(mst.reals(0, 0.5)),
    "ELU": st.tuples(mst.reals(0.1, 2)),
    "GELU": st.tuples(st.sampled_from(["none", "tanh"])),
    "SiLU": st.just(()),
    "Mish": st.just(()),
    "Tanh": st.just(()),
    "Sigmoid": st.just(()),
    "LogSigmoid": st.just(()),
    "Softplus": st.tuples(mst.reals(0.5, 3), mst.reals(1, 20)),
    "Hardtanh": st.tuples(mst.reals(-2, -0.5), mst.reals(0.5, 2)),
    "Softmax": st.tuples(st.integers(-1, 0)),
    "Softmin": st.tuples(st.integers(-1, 0)),
    "LogSoftmax": st.tuples(st.integers(-1, 0)),
    "SELU": st.just(()),
    "CELU": st.tuples(mst.reals(0.2, 2)),
    "Hardsigmoid": st.just(()),
    "Hardswish": st.just(()),
    "Softsign": st.just(()),
    "Tanhshrink": st.just(()),
    "Hardshrink": st.one_of(st.just(()), st.tuples(mst.reals(0, 2))),
    "Softshrink": st.one_of(st.just(()), st.tuples(mst.reals(0, 2))),
    "Threshold": st.tuples(mst.reals(-1, 1), mst.reals(-3, 3)),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
@given(data=st.data())
@settings(max_examples=15)
def test_activation_layers_match_torch(name, data):
    args = data.draw(LAYERS[name])
    shape = data.draw(mst.shapes(min_dims=1, max_dims=3))
    x = data.draw(mst.arrays("float64", shape, mst.reals(-6, 6)))
    ours, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(ours) == repr(theirs)
    assert_module_matches_torch(ours, theirs, [x])


def test_gradients_at_the_kinks_match_torch():
    x = np.array([-6.0, -3.0, -1.0, 0.0, 1.0, 3.0, 6.0])
    for name, args in [("ReLU", ()), ("ReLU6", ()), ("LeakyReLU", (0.1,)), ("ELU", (0.5,)), ("Hardtanh", ()),
                       ("Hardsigmoid", ()), ("Hardswish", ()), ("Threshold", (1.0, 5.0)), ("CELU", (2.0,)),
                       ("SELU", ()), ("Softsign", ()), ("Softplus", (2.0, 2.0))]:
        assert_module_matches_torch(getattr(nn, name)(*args), getattr(torch.nn, name)(*args), [x])


@given(st.data(), st.integers(-3, 2), st.integers(1, 3))
@settings(max_examples=20)
def test_glu_matches_torch(data, dim, half):
    shape = [2, 3, 2]
    shape[dim] = 2 * half
    x = data.draw(mst.arrays("float64", tuple(shape), mst.reals(-4, 4)))
    assert_module_matches_torch(nn.GLU(dim), torch.nn.GLU(dim), [x])
    assert repr(nn.GLU(dim)) == repr(torch.nn.GLU(dim))
    with pytest.raises(RuntimeError, match="Halving dimension must be even"):
        nn.GLU(0)(minigrad.zeros(3, 2))


@given(st.data(), st.sampled_from([1, 3]), st.sampled_from([(4, 3), (2, 3, 5), (2, 3, 2, 2)]))
@settings(max_examples=20)
def test_prelu_matches_torch_including_its_weight_gradient(data, num_parameters, shape):
    x = data.draw(mst.arrays("float64", shape, mst.reals(-4, 4)))
    theirs = torch.nn.PReLU(num_parameters, init=data.draw(mst.reals(-1, 1))).double()
    ours = nn.PReLU(num_parameters).double()
    ours.load_state_dict({k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()})
    assert repr(ours) == repr(theirs)
    a, b = minigrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = ours(a), theirs(b)
    assert_close(out, expected)
    upstream = np.random.default_rng(1).standard_normal(shape)
    out.backward(minigrad.tensor(upstream))
    expected.backward(torch.tensor(upstream))
    assert_close(a.grad, b.grad, what="input gradient")
    assert_close(ours.weight.grad, theirs.weight.grad, what="weight gradient")


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_activations_keep_float32(name):
    args = {"Softmax": (1,), "Softmin": (1,), "LogSoftmax": (1,), "Threshold": (0.1, 2.0)}.get(name, ())
    x = minigrad.randn(3, 4, requires_grad=True)
    out = getattr(nn, name)(*args)(x)
    assert out.dtype is minigrad.float32
    out.sum().backward()
    assert x.grad.dtype is minigrad.float32
    rtol, atol = 1e-5, 1e-6
    expected = getattr(torch.nn, name)(*args)(torch.tensor(x.detach().numpy()))
    assert_close(out, expected, rtol=rtol, atol=atol)


@pytest.mark.parametrize("function", ["relu", "leaky_relu", "elu", "gelu", "silu", "mish", "sigmoid", "tanh",
                                      "softplus", "logsigmoid", "hardtanh", "relu6", "selu", "celu", "hardswish",
                                      "hardsigmoid", "softsign", "tanhshrink", "hardshrink", "softshrink"])
def test_stable_at_large_logits(function):
    x = np.array([-1e4, -50.0, -1.0, 0.0, 1.0, 50.0, 1e4])
    ours, theirs = getattr(F, function), getattr(torch.nn.functional, function)
    a, b = minigrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = ours(a), theirs(b)
    out.sum().backward()
    expected.sum().backward()
    assert np.isfinite(out.detach().numpy()).all() and np.isfinite(a.grad.numpy()).all()
    assert_close(out, expected)
    assert_close(a.grad, b.grad)


@pytest.mark.parametrize("function", ["softmax", "log_softmax", "softmin"])
def test_softmax_family_stable_at_large_logits(function):
    x = np.array([[1e4, -1e4, 0.0], [1e4, 1e4, -1e4], [-1e4, -1e4 + 1, -1e4 + 2]])
    assert_function_matches_torch(lambda t: getattr(F, function)(t, dim=1),
                                  lambda t: getattr(torch.nn.functional, function)(t, dim=1), [x])


@given(st.data())
@settings(max_examples=20)
def test_softmax_dtype_argument_and_dims(data):
    shape = data.draw(mst.shapes(min_dims=1, max_dims=4))
    dim = data.draw(mst.dim(len(shape)))
    x = data.draw(mst.arrays("float32", shape, mst.reals(-5, 5, width=32)))
    for name in ("softmax", "log_softmax"):
        out = getattr(F, name)(minigrad.tensor(x), dim=dim, dtype=minigrad.float64)
        expected = getattr(torch.nn.functional, name)(torch.tensor(x), dim=dim, dtype=torch.float64)
        assert_close(out, expected)


def test_softmax_without_dim_warns_and_picks_torchs_dim():
    x = np.random.default_rng(0).standard_normal((2, 3, 4))
    with pytest.warns(UserWarning, match="Implicit dimension choice"):
        out = F.softmax(minigrad.tensor(x))
    with pytest.warns(UserWarning):
        assert_close(out, torch.nn.functional.softmax(torch.tensor(x)))


def test_inplace_activations_overwrite_their_input():
    for name in ("relu", "leaky_relu", "elu", "hardtanh", "relu6", "silu"):
        x = minigrad.tensor([-2.0, 0.5, 3.0])
        out = getattr(F, name)(x, inplace=True)
        assert out is x
        assert_close(x, getattr(torch.nn.functional, name)(torch.tensor([-2.0, 0.5, 3.0])))
    leaf = minigrad.zeros(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        F.relu(leaf, inplace=True)
    # in place on a graph tensor: recorded like the out-of-place form
    x = minigrad.tensor([-1.0, 2.0], requires_grad=True)
    y = x * 1
    nn.ReLU(inplace=True)(y).sum().backward()
    assert x.grad.numpy().tolist() == [0, 1]


def test_gelu_rejects_unknown_approximation():
    with pytest.raises(RuntimeError, match="approximate argument must be either none or tanh"):
        F.gelu(minigrad.zeros(1), approximate="fast")


# ---------------------------------------------------------------- erf
def test_erf_matches_math_erf_over_a_wide_grid():
    x = np.concatenate([-np.geomspace(1e-300, 30, 20000), [0.0], np.geomspace(1e-300, 30, 20000),
                        np.linspace(-6, 6, 20001)])
    expected = np.array([math.erf(v) for v in x])
    got = erf(x)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, expected, rtol=2e-15, atol=0)


def test_erf_float32_and_special_values():
    x = np.linspace(-5, 5, 1001, dtype=np.float32)
    got = erf(x)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, [math.erf(v) for v in x.astype(np.float64)], rtol=2e-7, atol=1e-7)
    special = erf(np.array([np.inf, -np.inf, np.nan, 0.0, -0.0]))
    assert special[0] == 1 and special[1] == -1 and np.isnan(special[2])
    assert special[3] == 0 and np.signbit(special[4])


def test_erfc_matches_math_erfc_also_where_it_is_tiny():
    """erfc(x) = 1 - erf(x) down to 1e-300 and below (x up to 26.5); near x = 2, where it is
    computed as 1 - erf, erf's 1e-15 accuracy becomes at most 2e-13 relative (erfc(2) = 0.0047)."""
    x = np.concatenate([-np.geomspace(1e-300, 30, 20000), [0.0], np.geomspace(1e-300, 26.5, 20000),
                        np.linspace(-6, 6, 20001)])
    expected = np.array([math.erfc(v) for v in x])
    got = erfc(x)
    assert got.dtype == np.float64 and expected.min() > 0
    np.testing.assert_allclose(got, expected, rtol=2e-13, atol=0)
    special = erfc(np.array([np.inf, -np.inf, np.nan, 30.0], dtype=np.float32))
    assert special.dtype == np.float32 and special[0] == 0 and special[1] == 2 and np.isnan(special[2])
    assert special[3] == 0


# relu's gradient is selected on the bits (np.where(out <= 0, 0, g) without a branch): in every
# float dtype it must give torch's values exactly, NaN, infinities and the sign of zero included.
_RELU_SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, np.inf, -np.inf, np.nan]


# Small arrays take np.where, large ones (over elementwise.SMALL elements) the bits: both are checked,
# the large ones as the drawn values repeated.
@given(data=st.data(), dtype=st.sampled_from([np.float16, np.float32, np.float64]),
       shape=st.sampled_from([(7,), (3, 5), (2, 3, 4), (37, 41), (3, 30, 29)]))
def test_relu_gradient_has_torchs_bits_on_special_values(data, dtype, shape):
    size = min(int(np.prod(shape)), 97)
    x = np.resize(np.array(data.draw(st.lists(st.sampled_from(_RELU_SPECIAL), min_size=size, max_size=size)),
                           dtype=dtype), shape)
    grad = np.resize(np.array(data.draw(st.lists(st.sampled_from(_RELU_SPECIAL), min_size=size, max_size=size)),
                              dtype=dtype), shape)
    ours, theirs = minigrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    F.relu(ours).backward(minigrad.tensor(grad))
    torch.nn.functional.relu(theirs).backward(torch.tensor(grad))
    assert ours.grad.numpy().dtype == dtype
    np.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy())
    assert np.array_equal(np.signbit(ours.grad.numpy()), np.signbit(theirs.grad.numpy()))


# Functions whose value at these points involves no transcendental function: torch's result is
# exact there, so minigrad's must be the same bits, the sign of a zero included.
_EXACT_ON_SPECIALS = {
    "relu": lambda lib, x: lib.relu(x),
    "F.relu": lambda lib, x: _functional(lib).relu(x),
    "relu6": lambda lib, x: _functional(lib).relu6(x),
    "hardtanh": lambda lib, x: _functional(lib).hardtanh(x, -0.5, 0.5),
    "leaky_relu": lambda lib, x: _functional(lib).leaky_relu(x, 0.25),
    "elu": lambda lib, x: _functional(lib).elu(x),
    "selu": lambda lib, x: _functional(lib).selu(x),
    "celu": lambda lib, x: _functional(lib).celu(x, 0.5),
    "hardsigmoid": lambda lib, x: _functional(lib).hardsigmoid(x),
    "hardswish": lambda lib, x: _functional(lib).hardswish(x),
    "hardshrink": lambda lib, x: _functional(lib).hardshrink(x, 1.0),
    "clamp(min=0)": lambda lib, x: x.clamp(min=0.0),
    "clamp(min=-0.0)": lambda lib, x: x.clamp(min=-0.0),
    "clamp(max=0)": lambda lib, x: x.clamp(max=0.0),
    "clamp(-0.0, 0.0)": lambda lib, x: x.clamp(-0.0, 0.0),
    "clamp(tensor bounds)": lambda lib, x: lib.clamp(x, lib.full_like(x, -0.5), lib.ones_like(x)),
}
_SIGNED_ZEROS = [-0.0, 0.0, 0.5, -0.5, -1.0, 1.0, -2.0, 2.0, -3.0, 3.0, -4.0, 4.0, np.nan, np.inf, -np.inf]


def _functional(lib):
    return lib.nn.functional


@pytest.mark.parametrize("name", sorted(_EXACT_ON_SPECIALS))
@given(data=st.data(), dtype=st.sampled_from([np.float32, np.float64]))
@settings(max_examples=20)
def test_exact_functions_keep_torchs_bits_and_zero_signs(name, data, dtype):
    """relu(-0.0) is -0.0 in torch, as clamp keeps x on a tie with a number bound; hardsigmoid
    is (x + 3) / 6 clamped, computed in torch's order so that it rounds as torch's does."""
    values = data.draw(st.lists(st.sampled_from(_SIGNED_ZEROS), min_size=1, max_size=12))
    if name in ("elu", "selu", "celu"):  # exact only where expm1 is not evaluated at a nonzero
        values = [v for v in values if not v < 0] or [-0.0]
    x = np.array(values, dtype=dtype)
    if data.draw(st.booleans(), label="large"):  # past the small-array paths (elementwise.SMALL)
        x = np.resize(x, (45, 47))
    ours = _EXACT_ON_SPECIALS[name](minigrad, minigrad.tensor(x)).numpy()
    theirs = _EXACT_ON_SPECIALS[name](torch, torch.tensor(x)).numpy()
    np.testing.assert_array_equal(ours, theirs)
    assert np.signbit(ours[~np.isnan(ours)]).tolist() == np.signbit(theirs[~np.isnan(theirs)]).tolist()


@pytest.mark.parametrize("name", ["hardshrink", "softshrink"])
@given(data=st.data(), lambd=st.sampled_from([0.0, 0.5, 1.0]))
@settings(max_examples=30)
def test_shrinks_keep_torchs_values_nan_and_gradients(name, data, lambd):
    """The zeros are +0.0 (for softshrink as torch's vectorised loop gives them; its scalar loop,
    on the last elements of an array, gives x * 0 with the sign of x, so signs are compared for
    hardshrink only); -lambd and lambd are inside. A NaN passes both, and so does its gradient
    in minigrad (torch's differs between its two loops: 1 or 0 by the NaN's position)."""
    values = data.draw(st.lists(st.sampled_from([0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 2.5, -2.5, np.nan, np.inf,
                                                 -np.inf]), min_size=1, max_size=12))
    upstream = data.draw(st.lists(st.sampled_from([1.0, -2.0, 0.5]), min_size=len(values), max_size=len(values)))
    x = np.array(values)
    ours, theirs = minigrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = getattr(F, name)(ours, lambd), getattr(torch.nn.functional, name)(theirs, lambd)
    np.testing.assert_array_equal(out.detach().numpy(), expected.detach().numpy())
    if name == "hardshrink":
        assert np.signbit(out.detach().numpy()).tolist() == np.signbit(expected.detach().numpy()).tolist()
    assert not np.signbit(out.detach().numpy()[out.detach().numpy() == 0]).any()
    out.backward(minigrad.tensor(upstream))
    expected.backward(torch.tensor(upstream))
    nan = np.isnan(x)
    np.testing.assert_array_equal(ours.grad.numpy()[~nan], theirs.grad.numpy()[~nan])
    np.testing.assert_array_equal(ours.grad.numpy()[nan], np.array(upstream)[nan])


@pytest.mark.parametrize("lambd", [-1, -0.5])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_softshrink_refuses_a_negative_lambda_as_torch(lambd, dtype):
    x = np.zeros(3, dtype=dtype)
    assert_raises_like_torch(lambda lib: lib.nn.functional.softshrink(lib.tensor(x), lambd), same_message=True)
