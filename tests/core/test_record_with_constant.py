"""A tensor with a number (x * 0.5, x + 1, 2 * x, x / 4) is recorded by
recorder.record_with_constant, a shorter path than record's general one. It must make the very
node and tensor that record makes: same output, same edges, same saved arrays (a large input its
rule does not read kept only as a stand-in), same in-place checks, and the forward line kept in
anomaly mode."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad._ops import elementwise as E
from minigrad.autograd import recorder
from minigrad.testing import torch_or_skip

torch = torch_or_skip()

PRIMITIVES = {"add": E.add, "sub": E.sub, "mul": E.mul, "div": E.div,
              "mul_in_float32": E.mul_in_float32, "div_in_float32": E.div_in_float32}
SMALL, LARGE = (3,), (256, 128)  # LARGE is at least recorder.LARGE_BYTES in every dtype drawn


@pytest.mark.parametrize("name", sorted(PRIMITIVES))
@settings(max_examples=30, deadline=None)
@given(shape=st.sampled_from([SMALL, LARGE]),
       requires_grad=st.booleans(), grad_enabled=st.booleans(), anomaly=st.booleans(),
       number=st.floats(-4, 4, width=32), from_graph=st.booleans())
def test_the_short_path_makes_what_record_makes(name, shape, requires_grad, grad_enabled, anomaly, number,
                                                from_graph):
    primitive = PRIMITIVES[name]
    dtype = np.float16 if name.endswith("in_float32") else np.float32
    leaf = minigrad.tensor(np.random.default_rng(0).standard_normal(shape).astype(dtype), requires_grad=requires_grad)
    x = leaf * 1 if from_graph else leaf  # an input made by a node, or a leaf
    constant = np.array(number, np.float32)
    minigrad.autograd.set_detect_anomaly(anomaly)
    try:
        with minigrad.set_grad_enabled(grad_enabled):
            short = recorder.record_with_constant(primitive, x, constant)
            general = recorder.record(primitive, x, constant)
        stacks = recorder.forward_stacks or {}
        remembered = [short._grad_fn in stacks, general._grad_fn in stacks]
    finally:
        minigrad.autograd.set_detect_anomaly(False)

    np.testing.assert_array_equal(short._array, general._array)
    assert short._array.dtype == general._array.dtype
    assert short.requires_grad == general.requires_grad == (requires_grad and grad_enabled)
    assert short._grad is short._hooks is short._base is None
    assert short._version_counter == [0] and short._version_counter is not x._version_counter  # not a view
    mine, theirs = short._grad_fn, general._grad_fn
    if theirs is None:
        assert mine is None
        return
    assert type(mine) is type(theirs)
    assert (mine.primitive, mine.params, mine.edges) == (theirs.primitive, theirs.params, theirs.edges)
    assert mine.hooks is mine.retained is None and (mine.ans is None) == (theirs.ans is None)
    assert mine.sequence_nr == theirs.sequence_nr - 1
    watched = [[(counter is x._version_counter, value) for counter, value in node.versions] for node in (mine, theirs)]
    assert watched[0] == watched[1]
    for kept, expected in zip(mine.inputs, theirs.inputs):  # a large input no rule reads: a stand-in in both
        assert np.shape(kept) == np.shape(expected) and np.asarray(kept).dtype == np.asarray(expected).dtype
        assert np.may_share_memory(kept, x._array) == np.may_share_memory(expected, x._array)
    assert remembered == [anomaly, anomaly]


@pytest.mark.parametrize("op", [lambda h: h * 3.0, lambda h: 3.0 * h, lambda h: h + 3.0, lambda h: 3 - h])
def test_a_change_in_place_to_an_input_no_rule_reads_is_allowed_as_in_torch(op):
    """x * 3 saves only the number, so changing x afterwards leaves the gradient right: torch
    allows it, and so must the short path (it must not watch x's version)."""
    grads = []
    for lib in (minigrad, torch):
        x = lib.ones(3, requires_grad=True)
        h = x * 1.0
        y = op(h)
        with lib.no_grad():
            h.add_(1)
        y.sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_array_equal(*grads)


def test_a_large_input_times_a_number_is_not_kept_alive():
    """The node of x * 2 needs only the number: a large x is kept as a stand-in of its shape."""
    x = minigrad.randn(256, 128, requires_grad=True)
    h = x.exp()
    y = h * 2.0
    kept = y.grad_fn.inputs[0]
    assert kept.shape == h.shape and not np.may_share_memory(kept, h._array)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.exp(x.detach().numpy()), rtol=1e-6)
