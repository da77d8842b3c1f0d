"""resize_, resize_as_ and the deprecated resize and resize_as against torch.

resize_ reads the tensor's memory again in C order from where the tensor starts: the elements
already there keep their values, the shape (and the version) change. Elements beyond the old
memory are uninitialised in torch (zero in minigrad), so the tests compare only the elements
that were there before."""

import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import torch_or_skip
from minigrad.testing import strategies as mst
from minigrad.testing.parity import assert_raises_like_torch, assert_same_as_torch

torch = torch_or_skip()

# How the resized tensor is made from arange(12): itself, or a view of it (whose memory is the base's).
SOURCES = {
    "itself": lambda x: x,
    "a view from the third element": lambda x: x[2:],
    "every other element": lambda x: x[::2],
    "transposed": lambda x: x.reshape(3, 4).t(),
}


@given(source=st.sampled_from(sorted(SOURCES)), shape=mst.shapes(min_dims=0, max_dims=3, min_side=0, max_side=4),
       template=st.booleans())
@settings(max_examples=60)
def test_resize_in_place_matches_torch(source, shape, template):
    def program(lib):
        base = lib.arange(12.0, dtype=lib.float64)
        x = SOURCES[source](base)
        version, offset = x._version, x.storage_offset()
        same = x.resize_as_(lib.zeros(shape)) if template else x.resize_(shape)
        known = max(0, min(x.numel(), 12 - offset))  # elements that lie in the memory the base had
        return (same is x, list(x.shape), x.stride(), x.storage_offset() == offset, x._version - version,
                x.reshape(-1)[:known] if x.is_contiguous() else x, base.reshape(-1)[:12])  # (base is x, for "itself")

    assert_same_as_torch(program)


def test_a_smaller_shape_keeps_the_memory_for_a_larger_one_again():
    def program(lib):
        x = lib.arange(6.0)
        x.resize_(2)
        small = x.clone()
        x.resize_(3, 2)
        return small, x

    assert_same_as_torch(program)


def test_torch_resize_as_function():
    assert_same_as_torch(lambda lib: lib.resize_as_(lib.arange(6.0), lib.zeros(2, 3)))


def test_growing_fills_new_elements_with_zeros():
    x = minigrad.tensor([1.0, 2.0])
    x.resize_(2, 2)
    assert x.tolist() == [[1.0, 2.0], [0.0, 0.0]]


@pytest.mark.parametrize("call", [
    lambda lib: lib.zeros(3, requires_grad=True).resize_(2),
    lambda lib: (lib.zeros(3, requires_grad=True) * 2).resize_(3),
    lambda lib: lib.zeros(3).resize_(2, -1),
    lambda lib: lib.zeros(3).resize_(2.0, 3),
    lambda lib: lib.zeros(3).resize_as_(3),
    lambda lib: lib.zeros(3, requires_grad=True).resize(2),
    lambda lib: lib.zeros(6).resize_as(lib.zeros(2, 4)),
], ids=["leaf", "non-leaf", "negative size", "float size", "template no tensor", "deprecated: count",
        "deprecated as: count"])
def test_resize_errors_match_torch(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_raises_like_torch(call)


def test_resize_under_no_grad_still_refuses_a_tensor_that_requires_grad():
    def call(lib):
        with lib.no_grad():
            lib.zeros(3, requires_grad=True).resize_(2)

    assert_raises_like_torch(call, same_message=True)


@pytest.mark.parametrize("deprecated", ["resize", "resize_as"])
def test_deprecated_resize_warns_and_reshapes_with_torch_s_node(deprecated):
    def program(lib):
        with pytest.warns(UserWarning, match=f"non-inplace {deprecated} is deprecated"):
            x = lib.arange(6.0, dtype=lib.float64).reshape(2, 3).t().detach().requires_grad_()
            y = x.resize(3, 2) if deprecated == "resize" else x.resize_as(lib.zeros(3, 2))
            plain = lib.arange(6.0).resize(2, 3) if deprecated == "resize" else lib.arange(6.0).resize_as(
                lib.zeros(2, 3))
        y.backward(lib.arange(6.0, dtype=lib.float64).reshape(3, 2))
        return y, y.grad_fn.name(), x.grad, plain._base is not None

    assert_same_as_torch(program)


def test_resize_shares_memory_with_a_contiguous_input_as_torch_does():
    def program(lib):
        x = lib.arange(6.0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = x.resize(2, 3)
        y[0, 0] = 100.0
        return x

    assert_same_as_torch(program)
