"""F.embedding_bag and nn.EmbeddingBag against torch: sum, mean and max over bags given by offsets
or by the rows of a 2-D input, empty bags, per_sample_weights, padding_idx, include_last_offset and
max_norm, with the weight's and the per-sample weights' gradients in float64; the layer's repr,
state_dict and from_pretrained; and torch's errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.nn as nn
from minigrad.testing import assert_close, assert_raises_like_torch, check_parity, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()


@st.composite
def bags(draw):
    """(indices, offsets or None, rows, per-sample weight shape): a 1-D input cut at sorted offsets
    starting at 0 (repeats make empty bags), or a 2-D input of equal bags."""
    rows = draw(st.integers(1, 6))
    if draw(st.booleans()):
        shape = (draw(st.integers(1, 3)), draw(st.integers(1, 4)))
        return draw(mst.arrays("int64", shape, st.integers(0, rows - 1))), None, rows
    length = draw(st.integers(0, 8))
    indices = draw(mst.arrays("int64", (length,), st.integers(0, rows - 1)))
    cuts = sorted(draw(st.lists(st.integers(0, length), min_size=0, max_size=4)))
    return indices, np.array([0] + cuts, dtype=np.int64), rows


@given(st.data(), bags(), st.integers(1, 3), st.sampled_from(["sum", "mean", "max"]), st.booleans(), st.booleans(),
       st.booleans())
@settings(max_examples=40)
def test_embedding_bag_matches_torch(data, bag, dim, mode, weighted, padded, last_offset):
    indices, offsets, rows = bag
    weight = data.draw(mst.arrays("float64", (rows, dim), mst.reals(-3, 3), unique=True), label="weight")
    padding_idx = data.draw(st.integers(-rows, rows - 1)) if padded else None
    weighted = weighted and mode == "sum"
    include_last_offset = last_offset and offsets is not None
    if include_last_offset:
        offsets = np.append(offsets, indices.size)
    args = [indices, weight, offsets]
    if weighted:
        args.append(data.draw(mst.arrays("float64", indices.shape, mst.reals(-2, 2)), label="per_sample_weights"))

    def call(lib, input, weight, offsets, per_sample_weights=None):
        return lib.nn.functional.embedding_bag(input, weight, offsets, mode=mode, per_sample_weights=per_sample_weights,
                                               include_last_offset=include_last_offset, padding_idx=padding_idx)

    check_parity(data, call, args, requires_grad=[False, True, False, True])
    out = call(minigrad, minigrad.tensor(indices), minigrad.tensor(weight, requires_grad=True),
               None if offsets is None else minigrad.tensor(offsets))
    assert out.grad_fn.name() == "EmbeddingBagBackward0"


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_the_layer_with_max_norm_renormalises_the_rows_it_reads_as_torch(mode):
    weight = np.random.default_rng(0).normal(size=(6, 4)) * 3
    indices, offsets = np.array([0, 2, 2, 5, 1]), np.array([0, 3])
    results = []
    for lib in (minigrad, torch):
        layer = lib.nn.EmbeddingBag.from_pretrained(lib.tensor(weight), freeze=False, max_norm=1.5, mode=mode)
        out = layer(lib.tensor(indices), lib.tensor(offsets))
        out.backward(lib.ones_like(out))
        results.append((out, layer.weight.detach(), layer.weight.grad))
    for mine, reference in zip(*results):
        assert_close(mine, reference)


def test_scale_grad_by_freq_divides_each_rows_gradient_by_how_often_it_is_read():
    # (torch's own embedding_bag gives other numbers here; its embedding, summed per bag, is the reference)
    weight = np.random.default_rng(1).normal(size=(5, 3))
    indices, offsets, bag_of = np.array([1, 1, 2, 1, 4]), np.array([0, 2]), np.array([0, 0, 1, 1, 1])
    upstream = np.arange(6.0).reshape(2, 3)
    ours = minigrad.tensor(weight, requires_grad=True)
    out = minigrad.nn.functional.embedding_bag(minigrad.tensor(indices), ours, minigrad.tensor(offsets), mode="sum",
                                               scale_grad_by_freq=True)
    out.backward(minigrad.tensor(upstream))
    theirs = torch.tensor(weight, requires_grad=True)
    looked_up = torch.nn.functional.embedding(torch.tensor(indices), theirs, scale_grad_by_freq=True)
    reference = torch.zeros(2, 3, dtype=torch.float64).index_add(0, torch.tensor(bag_of), looked_up)
    reference.backward(torch.tensor(upstream))
    assert_close(out, reference)
    assert_close(ours.grad, theirs.grad)


def test_the_layer_matches_torchs_repr_state_dict_and_initialisation():
    for kwargs in ({}, {"mode": "sum", "padding_idx": 2, "max_norm": 1.0, "scale_grad_by_freq": True},
                   {"norm_type": 1.0, "mode": "max", "padding_idx": -1, "include_last_offset": True}):
        ours, theirs = nn.EmbeddingBag(10, 3, **kwargs), torch.nn.EmbeddingBag(10, 3, **kwargs)
        assert repr(ours) == repr(theirs)
        assert ours.padding_idx == theirs.padding_idx
        assert list(ours.state_dict()) == list(theirs.state_dict())
        if ours.padding_idx is not None:
            assert (ours.weight.detach()[ours.padding_idx].numpy() == 0).all()
    big = nn.EmbeddingBag(2000, 50).weight.detach().numpy()
    assert abs(big.mean()) < 0.01 and abs(big.std() - 1) < 0.01  # N(0, 1), as torch
    frozen = nn.EmbeddingBag.from_pretrained(minigrad.ones(4, 2), mode="sum")
    assert not frozen.weight.requires_grad and repr(frozen) == "EmbeddingBag(4, 2, mode='sum')"
    assert nn.EmbeddingBag.from_pretrained(minigrad.ones(4, 2), freeze=False).weight.requires_grad
    out = nn.EmbeddingBag(5, 3, mode="sum")(minigrad.tensor([[0, 1], [2, 2]]))
    assert out.dtype is minigrad.float32 and tuple(out.shape) == (2, 3)


def _call(**kwargs):
    def call(lib):
        arguments = {"input": lib.tensor([0, 2, 4, 5, 1, 1]), "weight": lib.ones(6, 3),
                     "offsets": lib.tensor([0, 2, 2, 5])}
        arguments.update({k: v(lib) if callable(v) else v for k, v in kwargs.items()})
        return lib.nn.functional.embedding_bag(**arguments)
    return call


@pytest.mark.parametrize("call", [
    _call(input=lambda lib: lib.tensor([[0, 1], [2, 3]])),
    _call(offsets=None),
    _call(offsets=lambda lib: lib.tensor([[0, 2]])),
    _call(input=lambda lib: lib.zeros(1, 2, 3, dtype=lib.int64), offsets=None),
    _call(mode="min"),
    _call(offsets=lambda lib: lib.tensor([1, 2])),
    _call(offsets=lambda lib: lib.tensor([0, 7])),
    _call(input=lambda lib: lib.tensor([0, 2, -4, 5, 1, 1])),
    _call(input=lambda lib: lib.tensor([0.0, 2, 4, 5, 1, 1])),
    _call(per_sample_weights=lambda lib: lib.ones(6)),
    _call(mode="sum", per_sample_weights=lambda lib: lib.ones(5)),
    _call(mode="sum", per_sample_weights=lambda lib: lib.ones(6, dtype=lib.float64)),
    _call(mode="sum", padding_idx=7),
    _call(mode="max", scale_grad_by_freq=True),
    _call(offsets=lambda lib: lib.tensor([], dtype=lib.int64), include_last_offset=True),
    _call(weight=lambda lib: lib.ones(6, 3, 1)),
    lambda lib: lib.nn.EmbeddingBag.from_pretrained(lib.ones(4)),
    lambda lib: lib.nn.EmbeddingBag(10, 3, padding_idx=10),
    lambda lib: lib.nn.EmbeddingBag(10, 3, _weight=lib.ones(9, 3)),
])
def test_errors_match_torch(call):
    mine, theirs = assert_raises_like_torch(call)
    if not str(theirs).startswith("Expected i < index_size"):
        assert str(theirs)[:30] in str(mine)
