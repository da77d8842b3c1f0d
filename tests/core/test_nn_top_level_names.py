"""torch's top-level forms of nn.functional's functions (torch.conv2d, torch.batch_norm, torch.kl_div,
...) against torch, called the way torch's signatures take them: positional arguments in torch's
top-level order (which differs from nn.functional's for batch_norm, instance_norm, embedding),
integer reduction codes for the losses (unreduced when left out, as torch's bindings do), values and gradients in float64."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_raises_like_torch, check_parity, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()

X = (2, 3, 4)
SIGNS = st.sampled_from([-1.0, 1.0])
POSITIVE = mst.reals(0.5, 2)
UNIT = mst.reals(0.05, 0.95)

# name -> (the call written against torch's top level, shapes or (shape, elements) of its array
# arguments, which of them require grad)
CASES = {
    "selu": (lambda lib, x: lib.selu(x), [X], [True]),
    "celu": (lambda lib, x: lib.celu(x, 0.7), [X], [True]),
    "pixel_shuffle": (lambda lib, x: lib.pixel_shuffle(x, 2), [(1, 4, 2, 3)], [True]),
    "pixel_unshuffle": (lambda lib, x: lib.pixel_unshuffle(x, 2), [(1, 1, 4, 6)], [True]),
    "cosine_similarity": (lambda lib, a, b: lib.cosine_similarity(a, b, 0), [X, X], [True, True]),
    "pairwise_distance": (lambda lib, a, b: lib.pairwise_distance(a, b, 1.0), [(3, 4), (3, 4)], [True, True]),
    "pdist": (lambda lib, a: lib.pdist(a, 3), [(4, 3)], [True]),
    "bilinear": (lambda lib, a, b, w, c: lib.bilinear(a, b, w, c), [(2, 3), (2, 4), (5, 3, 4), (5,)], [True] * 4),
    "channel_shuffle": (lambda lib, x: lib.channel_shuffle(x, 2), [(1, 4, 2)], [True]),
    "layer_norm": (lambda lib, x, w, b: lib.layer_norm(x, [4], w, b, 1e-5, True), [X, (4,), (4,)], [True] * 3),
    "group_norm": (lambda lib, x, w, b: lib.group_norm(x, 1, w, b, 1e-5, True), [X, (3,), (3,)], [True] * 3),
    "instance_norm": (lambda lib, x, w, b: lib.instance_norm(x, w, b, None, None, True, 0.1, 1e-5, False),
                      [X, (3,), (3,)], [True] * 3),
    "batch_norm": (lambda lib, x, w, b, m, v: lib.batch_norm(x, w, b, m, v, False, 0.1, 1e-5, False),
                   [X, (3,), (3,), (3,), ((3,), POSITIVE)], [True, True, True, False, False]),
    "conv1d": (lambda lib, x, w, b: lib.conv1d(x, w, b, 1, 1), [(1, 2, 5), (3, 2, 2), (3,)], [True] * 3),
    "conv2d": (lambda lib, x, w: lib.conv2d(x, w, None, 2), [(1, 2, 5, 4), (3, 2, 2, 2)], [True] * 2),
    "conv_transpose1d": (lambda lib, x, w, b: lib.conv_transpose1d(x, w, b, 2), [(1, 2, 4), (2, 3, 2), (3,)],
                         [True] * 3),
    "conv_transpose2d": (lambda lib, x, w: lib.conv_transpose2d(x, w, None, 1, 1), [(1, 2, 3, 3), (2, 3, 3, 3)],
                         [True] * 2),
    "max_pool1d": (lambda lib, x: lib.max_pool1d(x, 2), [(1, 2, 6)], [True]),
    "max_pool1d_with_indices": (lambda lib, x: lib.max_pool1d_with_indices(x, 3, 2, 1), [(1, 2, 6)], [True]),
    "max_pool2d": (lambda lib, x: lib.max_pool2d(x, 2, 1), [(1, 2, 4, 4)], [True]),
    "avg_pool1d": (lambda lib, x: lib.avg_pool1d(x, 3, 2, 1, False, False), [(1, 2, 6)], [True]),
    "adaptive_avg_pool1d": (lambda lib, x: lib.adaptive_avg_pool1d(x, 4), [(1, 2, 6)], [True]),
    "adaptive_max_pool1d": (lambda lib, x: lib.adaptive_max_pool1d(x, 4), [(1, 2, 6)], [True]),
    "dropout": (lambda lib, x: lib.dropout(x, 0.3, False), [X], [True]),
    "alpha_dropout": (lambda lib, x: lib.alpha_dropout(x, 0.3, False), [X], [True]),
    "feature_alpha_dropout": (lambda lib, x: lib.feature_alpha_dropout(x, 0.3, False), [X], [True]),
    "threshold": (lambda lib, x: lib.threshold(x, 0.1, -2.0), [X], [True]),
    "hardshrink": (lambda lib, x: lib.hardshrink(x, 0.3), [X], [True]),
    "prelu": (lambda lib, x, w: lib.prelu(x, w), [X, (3,)], [True, True]),
    "rrelu": (lambda lib, x: lib.rrelu(x, 0.1, 0.3), [X], [True]),
    "kl_div": (lambda lib, x, y: lib.kl_div(x, y, 2, log_target=True), [X, X], [True, True]),
    "kl_div mean": (lambda lib, x, y: lib.kl_div(x, y, 1), [X, (X, UNIT)], [True, True]),
    "kl_div unreduced": (lambda lib, x, y: lib.kl_div(x, y), [X, (X, UNIT)], [True, True]),
    "margin_ranking_loss": (lambda lib, a, b, t: lib.margin_ranking_loss(a, b, t, 0.2, 0), [(5,), (5,), ((5,), SIGNS)],
                            [True, True, False]),
    "hinge_embedding_loss": (lambda lib, a, t: lib.hinge_embedding_loss(a, t, 1.0, 2), [(5,), ((5,), SIGNS)],
                             [True, False]),
    "cosine_embedding_loss": (lambda lib, a, b, t: lib.cosine_embedding_loss(a, b, t, 0.1),
                              [(3, 4), (3, 4), ((3,), SIGNS)], [True, True, False]),
    "cosine_embedding_loss mean": (lambda lib, a, b, t: lib.cosine_embedding_loss(a, b, t, 0.1, 1),
                                   [(3, 4), (3, 4), ((3,), SIGNS)], [True, True, False]),
    "binary_cross_entropy_with_logits unreduced": (lambda lib, x, y: lib.binary_cross_entropy_with_logits(x, y),
                                                   [X, (X, UNIT)], [True, False]),
    "triplet_margin_loss": (lambda lib, a, p, n: lib.triplet_margin_loss(a, p, n, 1.0, 2, 1e-6, True, 1),
                            [(3, 4), (3, 4), (3, 4)], [True] * 3),
    "triplet_margin_loss unreduced": (lambda lib, a, p, n: lib.triplet_margin_loss(a, p, n),
                                      [(3, 4), (3, 4), (3, 4)], [True] * 3),
    "poisson_nll_loss": (lambda lib, x, y: lib.poisson_nll_loss(x, y, True, True, 1e-8, 0), [X, (X, POSITIVE)],
                         [True, False]),
    "binary_cross_entropy_with_logits": (
        lambda lib, x, y, w, p: lib.binary_cross_entropy_with_logits(x, y, w, p, 2),
        [X, (X, UNIT), (X, POSITIVE), ((4,), POSITIVE)], [True, False, False, False]),
    "embedding": (lambda lib, w: lib.embedding(w, lib.tensor([[0, 2], [4, 2]]), 2), [(5, 3)], [True]),
    "embedding without padding": (lambda lib, w: lib.embedding(w, lib.tensor([1, 1, 3])), [(5, 3)], [True]),
    "rms_norm": (lambda lib, x, w: lib.rms_norm(x, [4], w, 1e-6), [X, (4,)], [True, True]),
}


@pytest.mark.parametrize("name", sorted(CASES))
@given(data=st.data())
@settings(max_examples=1)
def test_top_level_forms_match_torch(name, data):
    call, specs, requires_grad = CASES[name]
    arrays = [data.draw(mst.arrays("float64", *spec) if isinstance(spec[0], tuple)
                        else mst.arrays("float64", spec, mst.reals(-2, 2))) for spec in specs]
    check_parity(data, call, arrays, requires_grad=requires_grad)


def test_the_top_level_forms_are_torchs():
    assert set(minigrad._nn_functions.__all__) <= {name for name in dir(torch) if not name.startswith("_")}
    for name in minigrad._nn_functions.__all__:
        assert getattr(minigrad, name) is getattr(minigrad._nn_functions, name)


def test_rrelu_takes_a_generator():
    x = minigrad.full((1000,), -1.0)
    draws = [minigrad.rrelu(x, 0.1, 0.3, True, minigrad.Generator().manual_seed(9)).numpy() for _ in range(2)]
    np.testing.assert_array_equal(draws[0], draws[1])
    assert len(np.unique(draws[0])) > 900 and -0.3 <= draws[0].min() and draws[0].max() <= -0.1
    y = x.clone()
    assert minigrad.rrelu_(y, 0.2, 0.2, True) is y and (y.numpy() == -0.2).all()


@pytest.mark.parametrize("call", [
    lambda lib: lib.dropout(lib.ones(3), 0.5),  # train has no default at the top level
    lambda lib: lib.kl_div(lib.ones(3), lib.ones(3), "mean"),  # a reduction code, not a name
    lambda lib: lib.batch_norm(lib.ones(2, 3), None, None, None, None, False, 0.1, 1e-5, True),
    lambda lib: lib.max_pool1d(lib.ones(1, 2, 6), 2, return_indices=True),
    lambda lib: lib.poisson_nll_loss(lib.ones(3), lib.ones(3)),
])
def test_top_level_signatures_refuse_what_torchs_refuse(call):
    assert_raises_like_torch(call)
