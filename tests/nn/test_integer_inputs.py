"""Integer and bool inputs to the activations and losses torch computes in floating point only,
and a bare int as layer_norm's normalized_shape, against torch in the same test.

NumPy would quietly give a float64 result; torch raises NotImplementedError naming its kernel
("silu_cpu" not implemented for 'Long'), or TypeError for layer_norm(x, 5) (its modules take the
int; the functions a tuple or list). The forms torch accepts, a float tensor with an integer
target for instance, still compute as torch does.
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minigrad.testing import assert_raises_like_torch, assert_same_as_torch, torch_or_skip
from minigrad.testing import strategies as mst

torch_or_skip()

FLOAT_ONLY = {
    "leaky_relu": lambda T, x: T.nn.functional.leaky_relu(x),
    "leaky_relu in place": lambda T, x: T.nn.functional.leaky_relu(x, inplace=True),
    "nn.LeakyReLU": lambda T, x: T.nn.LeakyReLU(0.2)(x),
    "softplus": lambda T, x: T.nn.functional.softplus(x, beta=2.0),
    "nn.Softplus": lambda T, x: T.nn.Softplus()(x),
    "silu": lambda T, x: T.nn.functional.silu(x),
    "nn.SiLU": lambda T, x: T.nn.SiLU()(x),
    "hardswish": lambda T, x: T.nn.functional.hardswish(x),
    "nn.Hardswish": lambda T, x: T.nn.Hardswish()(x),
    "hardsigmoid": lambda T, x: T.nn.functional.hardsigmoid(x),
    "elu": lambda T, x: T.nn.functional.elu(x),
    "selu": lambda T, x: T.nn.functional.selu(x),
    "celu": lambda T, x: T.nn.functional.celu(x),
    "gelu": lambda T, x: T.nn.functional.gelu(x),
    "gelu tanh": lambda T, x: T.nn.functional.gelu(x, approximate="tanh"),
    "mish": lambda T, x: T.nn.functional.mish(x),
    "logsigmoid": lambda T, x: T.nn.functional.logsigmoid(x),
    "hardshrink": lambda T, x: T.nn.functional.hardshrink(x),
    "softshrink": lambda T, x: T.nn.functional.softshrink(x),
    "mse_loss": lambda T, x: T.nn.functional.mse_loss(x, x.flip(-1) if x.ndim else x),
    "mse_loss, no reduction": lambda T, x: T.nn.functional.mse_loss(x, x, reduction="none"),
    "nn.MSELoss": lambda T, x: T.nn.MSELoss()(x, x),
    "smooth_l1_loss": lambda T, x: T.nn.functional.smooth_l1_loss(x, x),
    "huber_loss": lambda T, x: T.nn.functional.huber_loss(x, x),
}


@pytest.mark.parametrize("name", sorted(FLOAT_ONLY))
@given(shape=mst.shapes(max_dims=3), dtype=st.sampled_from(["int64", "int32", "uint8", "bool"]), data=st.data())
def test_integer_and_bool_inputs_raise_as_in_torch(name, shape, dtype, data):
    values = data.draw(mst.arrays(dtype, shape, st.booleans() if dtype == "bool" else st.integers(0, 5)), label="x")
    actual, expected = assert_raises_like_torch(lambda T: FLOAT_ONLY[name](T, T.tensor(values)))
    assert str(actual) == str(expected)  # the kernel and the dtype, in torch's words


@pytest.mark.parametrize("name", sorted(FLOAT_ONLY))
@given(shape=mst.shapes(max_dims=3), data=st.data())
def test_the_same_calls_on_floats_still_compute(name, shape, data):
    values = data.draw(mst.arrays("float64", shape), label="x")

    def program(T):
        x = T.tensor(values, requires_grad=True)
        out = FLOAT_ONLY[name](T, x * 1)  # (x * 1: the in-place form needs a non-leaf)
        out.sum().backward()
        return out, x.grad
    assert_same_as_torch(program)  # (torch's hardsigmoid gradient is 1/6 rounded to float32, even in float64)


@given(shape=mst.shapes(max_dims=3), data=st.data())
def test_losses_of_a_float_and_an_integer_tensor_promote_as_in_torch(shape, data):
    values = data.draw(mst.arrays("float32", shape), label="input")
    target = data.draw(mst.arrays("int64", shape), label="target")
    weight = data.draw(mst.arrays("int64", shape, st.integers(1, 3)), label="weight")

    def program(T):
        F, x, t, w = T.nn.functional, T.tensor(values), T.tensor(target), T.tensor(weight)
        return (F.mse_loss(x, t), F.mse_loss(t, x), F.smooth_l1_loss(x, t),
                F.mse_loss(t, t * 2, weight=w, reduction="sum"))  # (the weighted form takes integers)
    assert_same_as_torch(program)


NORMALIZED_SHAPES = {
    "an int": lambda n: n,
    "a float": lambda n: float(n),
    "a tuple": lambda n: (n,),
    "a list": lambda n: [n],
}


@pytest.mark.parametrize("function", ["layer_norm", "rms_norm"])
@pytest.mark.parametrize("form", sorted(NORMALIZED_SHAPES))
@given(shape=mst.shapes(min_dims=1, max_dims=3), data=st.data())
def test_normalized_shape_must_be_a_sequence_in_the_functions(function, form, shape, data):
    values = data.draw(mst.arrays("float64", shape), label="x")
    normalized_shape = NORMALIZED_SHAPES[form](shape[-1])

    def program(T):
        try:
            return getattr(T.nn.functional, function)(T.tensor(values), normalized_shape)
        except TypeError as error:
            return "TypeError", str(error).startswith(f"{function}(): argument 'normalized_shape'")
    assert_same_as_torch(program, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("module", ["LayerNorm", "RMSNorm"])
@given(shape=mst.shapes(min_dims=1, max_dims=3), data=st.data())
def test_the_modules_still_take_an_int(module, shape, data):
    values = data.draw(mst.arrays("float64", shape), label="x")
    assert_same_as_torch(lambda T: getattr(T.nn, module)(shape[-1], dtype=T.float64)(T.tensor(values)),
                         rtol=1e-9, atol=1e-12)


# hardtanh and relu6 clip an integer tensor in its own dtype, the bounds cut to whole numbers
# (an unsigned one refuses a bound below 0, an int8 one a bound beyond its range); sigmoid and
# tanh of integers give float32. NumPy would give float64 for all of them.
@given(shape=mst.shapes(max_dims=2), dtype=st.sampled_from(["int64", "int32", "int8", "uint8"]),
       bounds=st.tuples(st.floats(-300, 300), st.floats(-300, 300)).map(sorted), data=st.data())
def test_integer_inputs_to_clipping_and_squashing_activations_compute_as_in_torch(shape, dtype, bounds, data):
    values = data.draw(mst.arrays(dtype, shape, st.integers(0, 100)), label="x")
    functions = {"hardtanh": lambda F, x: F.hardtanh(x, *bounds), "relu6": lambda F, x: F.relu6(x),
                 "sigmoid": lambda F, x: F.sigmoid(x), "tanh": lambda F, x: F.tanh(x)}
    name = data.draw(st.sampled_from(sorted(functions)), label="function")

    def program(T):
        y = functions[name](T.nn.functional, T.tensor(values))
        return str(y.dtype).split(".")[-1], y

    assert_same_as_torch(program)


# threshold computes integer tensors in their own dtype and refuses bool ones, as torch does.
@given(shape=mst.shapes(max_dims=2), dtype=st.sampled_from(["int64", "int32", "uint8", "bool"]),
       cut=st.integers(-3, 8), value=st.integers(0, 9), data=st.data())
def test_threshold_of_integer_and_bool_tensors_as_in_torch(shape, dtype, cut, value, data):
    values = data.draw(mst.arrays(dtype, shape, st.booleans() if dtype == "bool" else st.integers(0, 9)), label="x")

    def program(T):
        y = T.nn.functional.threshold(T.tensor(values), cut, value)
        return str(y.dtype).split(".")[-1], y

    assert_same_as_torch(program)
