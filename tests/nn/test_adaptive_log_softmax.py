"""nn.AdaptiveLogSoftmaxWithLoss against torch (with torch's weights copied in): the (output, loss)
namedtuple, the gradients of the input and of every weight, log_prob, predict, the layout of its
submodules and state_dict, and torch's errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_close, assert_raises_like_torch, torch_or_skip

torch = torch_or_skip()

# a cluster whose projection has in_features // div_value ** (i + 1) = 0 features: both libraries warn
pytestmark = pytest.mark.filterwarnings("ignore:Initializing zero-element tensors is a no-op")


@st.composite
def models(draw):
    """Options (in_features, n_classes, cutoffs, div_value, head_bias) and a seed."""
    n_classes = draw(st.integers(3, 12))
    cutoffs = sorted(draw(st.sets(st.integers(1, n_classes - 1), min_size=1, max_size=3)))
    return (draw(st.integers(2, 9)), n_classes, cutoffs, draw(st.sampled_from([1.0, 2.0, 4.0])), draw(st.booleans()))


def _pair(options, dtype, seed=0):
    """Our module and torch's with the same (torch's) weights."""
    theirs = torch.nn.AdaptiveLogSoftmaxWithLoss(*options).to(getattr(torch, dtype))
    with torch.no_grad():  # weights large enough that clusters also win predict
        for p in theirs.parameters():
            p.copy_(torch.tensor(np.random.default_rng(seed).standard_normal(tuple(p.shape)) * 2))
    ours = minigrad.nn.AdaptiveLogSoftmaxWithLoss(*options).to(getattr(minigrad, dtype))
    ours.load_state_dict({k: minigrad.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    return ours, theirs


@given(models(), st.integers(0, 6), st.sampled_from(["float64", "float32"]), st.integers(0, 2**32 - 1))
@settings(max_examples=30)
def test_output_loss_and_gradients_match_torch(options, batch, dtype, seed):
    ours, theirs = _pair(options, dtype, seed)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, options[0]))
    target = rng.integers(0, options[1], batch)
    results = []
    for lib, module in ((minigrad, ours), (torch, theirs)):
        inputs = lib.tensor(x, dtype=getattr(lib, dtype), requires_grad=True)
        result = module(inputs, lib.tensor(target))
        assert type(result).__name__ == "_ASMoutput" and result._fields == ("output", "loss")
        if batch:
            (result.output.sum() * 0.5 + result.loss).backward()
        results.append([result.output, result.loss, inputs.grad] + [p.grad for p in module.parameters()])
    for mine, reference in zip(*results):
        if reference is None:
            assert mine is None
        else:
            assert_close(mine, reference)


@given(models(), st.integers(1, 6), st.integers(0, 2**32 - 1))
@settings(max_examples=20)
def test_log_prob_and_predict_match_torch(options, batch, seed):
    ours, theirs = _pair(options, "float64", seed)
    x = np.random.default_rng(seed).standard_normal((batch, options[0]))
    log_probs = ours.log_prob(minigrad.tensor(x))
    assert_close(log_probs, theirs.log_prob(torch.tensor(x)))
    np.testing.assert_allclose(log_probs.exp().sum(1).detach().numpy(), 1.0, rtol=1e-12)
    assert_close(ours.predict(minigrad.tensor(x)), theirs.predict(torch.tensor(x)))


def test_an_unbatched_pair_and_the_options_are_torch_s():
    ours, theirs = _pair((6, 10, [2, 5], 2.0, True), "float64")
    x = np.random.default_rng(1).standard_normal(6)
    for target in (1, 3, 9):
        mine, reference = ours(minigrad.tensor(x), minigrad.tensor(target)), theirs(torch.tensor(x), torch.tensor(target))
        assert mine.output.shape == () and mine.loss.shape == ()
        assert_close(mine.output, reference.output)
        assert_close(mine.loss, reference.loss)
    for name in ("in_features", "n_classes", "cutoffs", "div_value", "head_bias", "shortlist_size", "n_clusters",
                 "head_size"):
        assert getattr(ours, name) == getattr(theirs, name), name
    # the tail's projections shrink by div_value per cluster
    assert [tuple(p.shape) for p in ours.parameters()] == [tuple(p.shape) for p in theirs.parameters()]


def _module(lib, cutoffs=(3, 6)):
    return lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, list(cutoffs))


@pytest.mark.parametrize("call, same_message", [
    (lambda lib: _module(lib, ()), True),
    (lambda lib: _module(lib, (6, 3)), True),
    (lambda lib: _module(lib, (3, 10)), True),
    (lambda lib: _module(lib, (0, 3)), True),
    (lambda lib: _module(lib, (3, 3)), True),
    (lambda lib: _module(lib, (3.5,)), True),
    (lambda lib: _module(lib)(lib.ones(5, 8), lib.zeros(3, dtype=lib.int64)), True),
    (lambda lib: _module(lib)(lib.ones(5, 8), lib.zeros(1, 5, dtype=lib.int64)), True),
    (lambda lib: _module(lib)(lib.ones(8), lib.zeros(8, dtype=lib.int64)), False),
    (lambda lib: _module(lib)(lib.ones(1, 8), lib.tensor(2)), False),
    (lambda lib: _module(lib)(lib.ones(3, 8), lib.tensor([0, 10, 2])), True),
    (lambda lib: _module(lib)(lib.ones(3, 8), lib.tensor([0, -1, 7])), True),
    (lambda lib: _module(lib)(lib.ones(3, 8), lib.tensor([0.0, 1.0, 7.0])), True),
])
def test_errors_are_torch_s(call, same_message):
    assert_raises_like_torch(call, same_message=same_message)
