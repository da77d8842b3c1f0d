"""The Tensor's torch-shaped surface: printing, conversions, devices, and a few functions
that live outside the op families. Each expectation is torch's, computed in the test."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad
from minigrad.testing import assert_close, to_torch, torch_or_skip

torch = torch_or_skip()


def torch_name(text):
    return text.replace("minigrad.", "torch.")


@pytest.mark.parametrize("values", [
    [1.0, 2.0, 3.0], [1.5, -2.0, 3.0], [[1, 2], [3, 4]], [1e-5, 1.0], [0.0], 2.5, [True, False],
    [[0.1234567, -100.5], [3.0, 4.25]], [1e10, 1.0], [[-1.0, 0.5]] * 3,
])
def test_repr_matches_torch(values):
    assert torch_name(repr(minigrad.tensor(values))) == repr(torch.tensor(values))


@pytest.mark.parametrize("values, dtype", [([1e301, 2e-29], "float64"), ([3e38, 1e-38], "float32"),
                                           ([-1.7e308, 5e-324], "float64")])
def test_repr_of_values_whose_ratio_overflows_matches_torch_without_a_numpy_warning(values, dtype):
    """The printer compares the largest magnitude with the smallest: their ratio may overflow,
    which leaked NumPy's "overflow encountered in scalar divide" RuntimeWarning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        text = repr(minigrad.tensor(values, dtype=getattr(minigrad, dtype)))
    assert torch_name(text) == repr(torch.tensor(values, dtype=getattr(torch, dtype)))


def test_repr_shows_dtype_and_autograd_state():
    cases = [
        lambda T: T.zeros(2, dtype=T.float64),
        lambda T: T.tensor([1, 2], dtype=T.int32),
        lambda T: T.ones(3, requires_grad=True),
        lambda T: T.ones(3, requires_grad=True) * 2,
        lambda T: T.arange(6).reshape(2, 3),
    ]
    for make in cases:
        assert torch_name(repr(make(minigrad))) == repr(make(torch))


def test_size_and_device_look_like_torch():
    x = minigrad.zeros(2, 3)
    assert torch_name(repr(x.shape)) == repr(torch.zeros(2, 3).shape)
    assert x.shape == (2, 3) and x.size(1) == 3 and x.size(-1) == 3 and x.numel() == 6
    assert repr(x.device) == repr(torch.zeros(1).device) and str(x.device) == "cpu"
    assert minigrad.cuda.is_available() is False
    with pytest.raises(RuntimeError, match="CPU only"):
        x.to("cuda")


def test_format_of_a_scalar_tensor_uses_its_value():
    assert f"{minigrad.tensor(2.5):.3f}" == f"{torch.tensor(2.5):.3f}" == "2.500"


@pytest.mark.parametrize("method", ["float", "double", "long", "int", "bool", "half"])
def test_conversions_give_torch_dtypes(method):
    values = [[1.7, -2.2], [0.0, 3.5]]
    ours, theirs = getattr(minigrad.tensor(values), method)(), getattr(torch.tensor(values), method)()
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    assert ours.tolist() == theirs.tolist()


def test_item_tolist_and_numpy_errors_follow_torch():
    for program in (lambda T: T.ones(2).item(), lambda T: T.ones(2, requires_grad=True).numpy(),
                    lambda T: bool(T.ones(2)), lambda T: len(T.tensor(1.0))):
        errors = []
        for lib in (torch, minigrad):
            with pytest.raises(Exception) as info:
                program(lib)
            errors.append(type(info.value))
        assert errors[0] is errors[1]


def test_numpy_shares_memory_both_ways():
    array = np.zeros(3, dtype=np.float32)
    t = minigrad.from_numpy(array)
    array[0] = 5
    t.numpy()[1] = 7
    assert t.tolist() == [5.0, 7.0, 0.0] and array.tolist() == [5.0, 7.0, 0.0]


@given(hnp.arrays(np.float64, hnp.array_shapes(max_dims=3, max_side=4),
                  elements=st.floats(-6, 6, allow_nan=False)))
def test_erf_and_its_gradient_match_torch(array):
    ours = minigrad.tensor(array, requires_grad=True)
    theirs = to_torch(ours, requires_grad=True)
    upstream = np.cos(array)
    minigrad.erf(ours).backward(minigrad.tensor(upstream))
    torch.erf(theirs).backward(torch.tensor(upstream))
    assert_close(minigrad.erf(ours), torch.erf(theirs))
    assert_close(ours.grad, theirs.grad)


def test_erf_keeps_float32():
    assert minigrad.erf(minigrad.ones(3)).dtype is minigrad.float32


# ------------------------------------------------------------------ functions beyond issue 2's list
MORE = {
    "norm_p": lambda T, x, p: x.norm(p, dim=-1),
    "norm_all": lambda T, x, p: T.linalg.vector_norm(x, 2),
    "tril": lambda T, x, p: T.tril(x, -1) if x.ndim >= 2 else x,
    "triu": lambda T, x, p: x.triu(1) if x.ndim >= 2 else x,
    "roll": lambda T, x, p: T.roll(x, 2, -1),
    "cumprod": lambda T, x, p: x.cumprod(-1),
    "expm1": lambda T, x, p: x.expm1(),
    "masked_select": lambda T, x, p: x.masked_select(x > 0),
    "repeat_interleave": lambda T, x, p: x.repeat_interleave(2, dim=-1),
    "diagonal": lambda T, x, p: x.diagonal(0, -2, -1) if x.ndim >= 2 else x,
}


@given(name=st.sampled_from(sorted(MORE)), p=st.sampled_from([2, 3, 1.5]),
       array=hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=4),
                        elements=st.floats(-3, 3, allow_nan=False).map(lambda v: 0.0 if abs(v) < 0.3 else v)),
       seed=st.integers(0, 2 ** 16))
def test_more_functions_match_torch(name, p, array, seed):
    """Values and gradients, with exact zeros drawn often (norms and cumprod at 0 are the edge cases)."""
    ours = minigrad.tensor(array, requires_grad=True)
    theirs = to_torch(ours, requires_grad=True)
    out, expected = MORE[name](minigrad, ours, p), MORE[name](torch, theirs, p)
    assert_close(out, expected)
    upstream = np.random.default_rng(seed).standard_normal(tuple(expected.shape))
    out.backward(minigrad.tensor(upstream))
    expected.backward(torch.tensor(upstream))
    assert_close(ours.grad, theirs.grad, what=f"gradient of {name}")


def test_grad_fn_names_of_powers_and_functions_match_torch():
    def names(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)

        class Double(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                return a * 2

            @staticmethod
            def backward(ctx, g):
                return g * 2

        return [(x ** 2).grad_fn.name(), (x ** x).grad_fn.name(), Double.apply(x).grad_fn.name()]

    assert names(minigrad) == names(torch)
