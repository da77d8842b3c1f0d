"""A sizes argument left out altogether is torch's TypeError, naming the missing argument:
zeros() or x.reshape() is a mistake, where zeros(()) and x.reshape(()) ask for a 0-d result."""

import pytest

import minigrad
from minigrad.testing import assert_raises_like_torch, torch_or_skip

torch = torch_or_skip()

CALLS = {
    "zeros": (lambda lib: lib.zeros(), "size"),
    "ones": (lambda lib: lib.ones(), "size"),
    "empty": (lambda lib: lib.empty(), "size"),
    "rand": (lambda lib: lib.rand(), "size"),
    "randn": (lambda lib: lib.randn(), "size"),
    "new_zeros": (lambda lib: lib.ones(2).new_zeros(), "size"),
    "new_ones": (lambda lib: lib.ones(2).new_ones(), "size"),
    "new_empty": (lambda lib: lib.ones(2).new_empty(), "size"),
    "reshape": (lambda lib: lib.ones(1).reshape(), "shape"),
    "view": (lambda lib: lib.ones(1).view(), "size"),
    "expand": (lambda lib: lib.ones(1).expand(), "size"),
    "repeat": (lambda lib: lib.ones(1).repeat(), "repeats"),
    "permute": (lambda lib: lib.ones(1).permute(), "dims"),
    "flip": (lambda lib: lib.ones(1).flip(), "dims"),
    "tile": (lambda lib: lib.ones(1).tile(), "dims"),
    "resize_": (lambda lib: lib.ones(2).resize_(), "size"),
}


@pytest.mark.parametrize("name", CALLS)
def test_leaving_the_sizes_out_is_a_type_error_as_in_torch(name):
    call, argument = CALLS[name]
    ours, theirs = assert_raises_like_torch(call)
    assert type(ours) is type(theirs) is TypeError
    assert f"{name}()" in str(ours) and argument in str(ours)  # (torch words rand's and view's differently)


GIVEN_EMPTY = {
    "zeros(())": lambda lib: lib.zeros(()),
    "ones(size=())": lambda lib: lib.ones(size=()),
    "new_zeros(size=())": lambda lib: lib.ones(2).new_zeros(size=()),
    "new_ones(2, 3)": lambda lib: lib.ones(2).new_ones(2, 3),
    "new_empty(size=(0, 2))": lambda lib: lib.ones(2).new_empty(size=(0, 2)),
    "0-d reshape(())": lambda lib: lib.ones(1).reshape(()),
    "0-d permute(())": lambda lib: lib.ones(()).permute(()),
    "0-d tile(())": lambda lib: lib.ones(()).tile(()),
    "flip(())": lambda lib: lib.ones(2).flip(()),
}


@pytest.mark.parametrize("name", GIVEN_EMPTY)
def test_sizes_given_as_empty_or_by_name_still_work(name):
    ours, theirs = GIVEN_EMPTY[name](minigrad), GIVEN_EMPTY[name](torch)
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]


def test_numpy_transposes_a_0d_tensor():
    """np.transpose of a 0-d tensor permutes no dims (it used to call permute() with none)."""
    import numpy as np
    assert np.transpose(minigrad.ones(())).shape == ()
