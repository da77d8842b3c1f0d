"""What a custom autograd.Function's backward may return, checked against torch in the same test.

torch checks each gradient a user's backward returns before it goes on: a tensor or None, for an
argument that was a tensor, of the input's shape or of a shape the input broadcasts to (then
summed back), in any real dtype (then cast). A wrong one raises RuntimeError at once, naming
the node, the position and both shapes, instead of failing later inside the engine.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from minigrad.testing import assert_raises_like_torch, assert_same_as_torch, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()


def _returning(T, gradients):
    """A Function of (x, y, k) = x * y * k whose backward returns `gradients(T, grad)`."""
    class Scale(T.autograd.Function):
        @staticmethod
        def forward(ctx, x, y, k):
            return x * y * k

        @staticmethod
        def backward(ctx, grad):
            return gradients(T, grad)

    return Scale


def _outcome(call):
    """call()'s plain result, or the RuntimeError it raised as ("raised", message)."""
    try:
        return call()
    except RuntimeError as error:
        return "raised", str(error)


@given(shape=mst.shapes(max_dims=3), data=st.data())
def test_a_gradient_of_another_shape_or_dtype_is_checked_as_in_torch(shape, data):
    """Any drawn shape: one the input broadcasts to is summed back to it, any other (one that
    would itself have to be broadcast, or clashes) raises torch's RuntimeError, word for word.
    Any dtype: the gradient is cast to the input's."""
    grad_shape = data.draw(st.one_of(mst.shapes(max_dims=4), mst.broadcastable_shapes(shape, max_dims=4),
                                     mst.shapes_broadcasting_to(shape)), label="gradient shape")
    dtype = data.draw(st.sampled_from(["float32", "float64", "int64", "bool"]), label="gradient dtype")
    values = data.draw(mst.arrays(dtype, grad_shape), label="gradient")
    index = data.draw(st.integers(0, 1), label="returned for input")

    def program(T):
        def gradients(T, grad):
            returned = T.tensor(values)
            return (returned, None, None) if index == 0 else (None, returned, None)

        x = T.ones(shape, dtype=T.float64, requires_grad=True)
        y = T.full(shape, 2.0, dtype=T.float64, requires_grad=True)

        def run():
            _returning(T, gradients).apply(x, y, 3.0).sum().backward()
            grad = (x, y)[index].grad
            return grad, str(grad.dtype).split(".")[-1]
        return _outcome(run)

    result = assert_same_as_torch(program)
    if result[0] == "raised":
        assert f"got {list(grad_shape)} but expected shape compatible with {list(shape)}" in result[1]


@given(shape=mst.shapes(max_dims=3), data=st.data())
def test_the_check_also_holds_when_backward_is_recorded(shape, data):
    """Under create_graph the user's backward runs on tensors in the graph: the same check."""
    grad_shape = data.draw(mst.shapes(max_dims=3), label="gradient shape")

    def program(T):
        def gradients(T, grad):
            return grad.sum() * T.ones(grad_shape, dtype=T.float64), None, None

        x = T.ones(shape, dtype=T.float64, requires_grad=True)

        def run():
            (g,) = T.autograd.grad(_returning(T, gradients).apply(x, T.ones(shape, dtype=T.float64), 2.0).sum(),
                                   x, create_graph=True)
            return g, g.requires_grad
        return _outcome(run)

    assert_same_as_torch(program)


WRONG_RETURNS = {  # what backward returns, and what the message must name
    "a float": (lambda T, grad: (1.0, None, None), "got float"),
    "a NumPy array": (lambda T, grad: (np.ones(tuple(grad.shape)), None, None), "got numpy.ndarray"),
    "a float for an input that wants no gradient": (lambda T, grad: (grad, 1.0, None), "got float"),
    "a tensor for an argument that is not a tensor": (lambda T, grad: (grad, None, grad.sum()), "position 3"),
}


@pytest.mark.parametrize("name", sorted(WRONG_RETURNS))
def test_what_is_not_a_gradient_raises_torchs_error(name):
    gradients, named = WRONG_RETURNS[name]

    def call(T):
        x = T.ones(2, 3, dtype=T.float64, requires_grad=True)
        _returning(T, gradients).apply(x, T.ones(3, dtype=T.float64), 2.0).sum().backward()

    actual, expected = assert_raises_like_torch(call)
    assert named in str(expected) and named in str(actual), (str(actual), str(expected))


def test_a_wrong_gradient_is_refused_before_any_leaf_gets_one():
    def program(T):
        x = T.ones(2, 3, dtype=T.float64, requires_grad=True)
        y = T.ones(3, dtype=T.float64, requires_grad=True)
        out = _returning(T, lambda T, grad: (grad, T.ones(2, dtype=T.float64), None)).apply(x, y, 2.0)
        return _outcome(out.sum().backward), x.grad is None, y.grad is None

    assert_same_as_torch(program)
