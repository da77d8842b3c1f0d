"""Tensor.register_post_accumulate_grad_hook against torch: when it runs (after .grad has
accumulated, in backward but not in autograd.grad), what it sees, and torch's errors."""

import numpy as np
import pytest
from hypothesis import given, settings

import minigrad
from minigrad.testing import assert_raises_like_torch, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()

LIBS = (minigrad, torch)


def _hook_log(lib, a_values, d_values):
    a = lib.tensor(a_values, requires_grad=True)
    d = lib.tensor(d_values, requires_grad=True)
    log = []

    def halves(t):  # a later hook may change .grad in place
        t.grad.mul_(0.5)

    handle = a.register_post_accumulate_grad_hook(lambda t: log.append(("post", t is a, t.grad.numpy().copy())))
    a.register_post_accumulate_grad_hook(halves)
    a.register_hook(lambda g: log.append(("gradient hook", g.numpy().copy())))
    (a * d).sum().backward()
    log.append("-- accumulates")
    (a * a).sum().backward()
    log.append("-- autograd.grad: no accumulation, no hook")
    lib.autograd.grad((a * d).sum(), a)
    log.append("-- backward(inputs=[d]): a's .grad untouched")
    (a * d).sum().backward(inputs=[d])
    log.append("-- backward(inputs=[a])")
    (a * d).sum().backward(inputs=[a])
    handle.remove()
    log.append("-- removed")
    (a * d).sum().backward()
    return log, a.grad.numpy()


@settings(max_examples=10)
@given(a=mst.arrays("float64", (3,)), d=mst.arrays("float64", (3,)))
def test_the_hook_runs_after_accumulation_like_torch(a, d):
    (ours, our_grad), (theirs, their_grad) = (_hook_log(lib, a, d) for lib in LIBS)
    assert len(ours) == len(theirs)
    for mine, torchs in zip(ours, theirs):
        if isinstance(mine, str):
            assert mine == torchs
        else:
            assert mine[:-1] == torchs[:-1]
            np.testing.assert_allclose(mine[-1], torchs[-1], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(our_grad, their_grad, rtol=1e-12, atol=1e-12)


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")  # torch's, on the cycle it makes
def test_the_hook_runs_under_create_graph_with_a_grad_in_the_graph():
    for lib in LIBS:
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        seen = []
        a.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.requires_grad))
        (a * a).sum().backward(create_graph=True)
        assert seen == [True]


@pytest.mark.parametrize("make", [lambda lib: lib.ones(2, requires_grad=True) * 2, lambda lib: lib.ones(2)],
                         ids=["non-leaf", "no requires_grad"])
def test_registering_on_the_wrong_tensor_raises_torchs_error(make):
    ours, theirs = assert_raises_like_torch(lambda lib: make(lib).register_post_accumulate_grad_hook(print))
    assert type(ours) is type(theirs) is RuntimeError
    assert str(ours) == str(theirs)


@pytest.mark.parametrize("returned, error", [(lambda t: t * 2, RuntimeError), (lambda t: 5, TypeError)])
def test_a_hook_must_return_none_like_torch(returned, error):
    def run(lib):
        a = lib.ones(2, requires_grad=True)
        a.register_post_accumulate_grad_hook(returned)
        (a * 3).sum().backward()
    ours, theirs = assert_raises_like_torch(run)
    assert type(ours) is type(theirs) is error
    assert str(ours) == str(theirs)
