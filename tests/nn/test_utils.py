"""minigrad.nn.utils against torch.nn.utils: clipping by norm and by value, parameters as a vector."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.nn as nn
from minigrad.testing import assert_close, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()


def _grads(data, shapes):
    return [data.draw(mst.arrays("float64", shape, mst.reals(-3, 3))) for shape in shapes]


def _parameters(grads):
    ours, theirs = [], []
    for g in grads:
        p, q = nn.Parameter(minigrad.zeros(g.shape, dtype=minigrad.float64)), torch.nn.Parameter(
            torch.zeros(g.shape, dtype=torch.float64))
        p.grad, q.grad = minigrad.tensor(g.copy()), torch.tensor(g.copy())
        ours.append(p)
        theirs.append(q)
    return ours, theirs


SHAPES = st.lists(mst.shapes(max_dims=3), min_size=1, max_size=4)


@given(st.data(), SHAPES, st.sampled_from([0.5, 2.0, 100.0]), st.sampled_from([1, 2.0, 3, math.inf]))
@settings(max_examples=40)
def test_clip_grad_norm_matches_torch(data, shapes, max_norm, norm_type):
    ours, theirs = _parameters(_grads(data, shapes))
    total = nn.utils.clip_grad_norm_(ours, max_norm, norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    assert_close(total, expected, what="total norm")
    for p, q in zip(ours, theirs):
        assert_close(p.grad, q.grad, what="clipped gradient")


def test_clip_grad_norm_edge_cases():
    p = nn.Parameter(minigrad.ones(3))
    assert nn.utils.clip_grad_norm_([p], 1.0).item() == 0  # no gradients at all
    p.grad = minigrad.tensor([3.0, 4.0, 0.0])
    assert nn.utils.clip_grad_norm_(p, 1.0).item() == pytest.approx(5.0)  # a single tensor is accepted
    assert p.grad.dtype is minigrad.float32
    p.grad = minigrad.tensor([math.inf, 1.0, 0.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)


@given(st.data(), SHAPES, st.sampled_from([0.1, 1.0, 2.5]))
@settings(max_examples=20)
def test_clip_grad_value_matches_torch(data, shapes, clip):
    ours, theirs = _parameters(_grads(data, shapes))
    nn.utils.clip_grad_value_(ours, clip)
    torch.nn.utils.clip_grad_value_(theirs, clip)
    for p, q in zip(ours, theirs):
        assert_close(p.grad, q.grad)


def test_parameters_to_vector_and_back():
    ours, theirs = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2)), torch.nn.Sequential(
        torch.nn.Linear(3, 4), torch.nn.Linear(4, 2))
    ours.load_state_dict({k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()})
    vector = nn.utils.parameters_to_vector(ours.parameters())
    assert_close(vector, torch.nn.utils.parameters_to_vector(theirs.parameters()))
    vector.sum().backward()  # differentiable, like torch's
    assert all(np.all(p.grad.numpy() == 1) for p in ours.parameters())
    new = minigrad.arange(vector.numel(), dtype=minigrad.float32)
    nn.utils.vector_to_parameters(new, ours.parameters())
    torch.nn.utils.vector_to_parameters(torch.arange(vector.numel(), dtype=torch.float32), theirs.parameters())
    for (name, a), b in zip(ours.state_dict().items(), theirs.state_dict().values()):
        assert_close(a, b, what=name)
    with pytest.raises(TypeError, match="expected minigrad.Tensor"):
        nn.utils.vector_to_parameters(np.zeros(3), ours.parameters())


@given(lengths=st.lists(st.integers(1, 5), min_size=1, max_size=4), batch_first=st.booleans(),
       side=st.sampled_from(["left", "right"]), seed=st.integers(0, 2 ** 16))
def test_pad_sequence_matches_torch(lengths, batch_first, side, seed):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal((n, 3)) for n in lengths]
    ours = [minigrad.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = minigrad.nn.utils.rnn.pad_sequence(ours, batch_first=batch_first, padding_value=-1.5, padding_side=side)
    expected = torch.nn.utils.rnn.pad_sequence(theirs, batch_first=batch_first, padding_value=-1.5,
                                               padding_side=side)
    np.testing.assert_array_equal(out.detach().numpy(), expected.detach().numpy())
    upstream = rng.standard_normal(tuple(expected.shape))
    out.backward(minigrad.tensor(upstream))
    expected.backward(torch.tensor(upstream))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy())
