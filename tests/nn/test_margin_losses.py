"""multi_margin_loss, multilabel_margin_loss and triplet_margin_with_distance_loss against torch:
values and input gradients in float64 over drawn shapes, targets and options, float32 kept, the
module forms (repr, state_dict), and torch's errors for bad targets, weights and options."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.testing import assert_function_matches_torch, assert_raises_like_torch, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()

REDUCTIONS = st.sampled_from(["none", "mean", "sum"])


@st.composite
def scores_and_classes(draw, batched=True):
    """(N, C) scores, or one (C,) sample, and class indices for them."""
    samples, classes = draw(st.integers(1, 4)), draw(st.integers(1, 5))
    shape = (samples, classes) if batched else (classes,)
    x = draw(mst.arrays("float64", shape, mst.reals(-2, 2)))
    labels = draw(mst.arrays("int64", (samples,) if batched else draw(st.sampled_from([(), (1,)])),
                             st.integers(0, classes - 1)))
    return x, labels


@given(st.data(), st.booleans(), st.sampled_from([1, 2]), mst.reals(0, 2), REDUCTIONS, st.booleans())
@settings(max_examples=15)
def test_multi_margin_loss_matches_torch(data, batched, p, margin, reduction, weighted):
    x, labels = data.draw(scores_and_classes(batched))
    weight = data.draw(mst.arrays("float64", (x.shape[-1],), mst.reals(0, 2))) if weighted else None
    ours = nn.MultiMarginLoss(p, margin, None if weight is None else minigrad.tensor(weight), reduction=reduction)
    theirs = torch.nn.MultiMarginLoss(p, margin, None if weight is None else torch.tensor(weight),
                                      reduction=reduction)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    out = assert_function_matches_torch(ours, theirs, [x, labels], requires_grad=[True, False])
    assert out.grad_fn.name() == "MultiMarginLossBackward0"


@st.composite
def multilabel_targets(draw, classes, samples):
    """Rows of class indices, each ended by a -1 (or full), with anything after the -1, repeats allowed."""
    return draw(mst.arrays("int64", (samples, classes), st.integers(-1, classes - 1)))


@given(st.data(), st.booleans(), REDUCTIONS)
@settings(max_examples=15)
def test_multilabel_margin_loss_matches_torch(data, batched, reduction):
    samples, classes = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 5))
    x = data.draw(mst.arrays("float64", (samples, classes), mst.reals(-2, 2)))
    labels = data.draw(multilabel_targets(classes, samples))
    if not batched:
        x, labels = x[0], labels[0]
    ours, theirs = nn.MultiLabelMarginLoss(reduction=reduction), torch.nn.MultiLabelMarginLoss(reduction=reduction)
    assert repr(ours) == repr(theirs)
    out = assert_function_matches_torch(ours, theirs, [x, labels], requires_grad=[True, False])
    assert out.grad_fn.name() == "MultilabelMarginLossBackward0"


def test_margin_losses_keep_float32_and_handle_a_single_score():
    x = minigrad.randn(3, 4, requires_grad=True)
    for loss in (F.multi_margin_loss(x, minigrad.tensor([0, 3, 1])),
                 F.multilabel_margin_loss(x, minigrad.tensor([[0, 1, -1, 2]] * 3))):
        assert loss.dtype is minigrad.float32
        loss.backward()
        assert x.grad.dtype is minigrad.float32
    for lib in (minigrad, torch):  # a 0-d input is one sample of one class: nothing to compare with
        assert lib.nn.functional.multi_margin_loss(lib.tensor(1.0), lib.tensor(0)).item() == 0
        assert lib.nn.functional.multilabel_margin_loss(lib.tensor(1.0), lib.tensor(0)).item() == 0


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.functional.multi_margin_loss(lib.randn(3, 4), lib.tensor([0, 1, 4])),
    lambda lib: lib.nn.functional.multi_margin_loss(lib.randn(3, 4), lib.tensor([0, -1, 2])),
    lambda lib: lib.nn.functional.multi_margin_loss(lib.randn(3, 4), lib.tensor([0, 1])),
    lambda lib: lib.nn.functional.multi_margin_loss(lib.randn(3, 4), lib.tensor([0.0, 1, 2])),
    lambda lib: lib.nn.functional.multi_margin_loss(lib.randn(3, 4), lib.tensor([0, 1, 2]), p=3),
    lambda lib: lib.nn.functional.multi_margin_loss(lib.randn(3, 4), lib.tensor([0, 1, 2]), weight=lib.ones(3)),
    lambda lib: lib.nn.functional.multi_margin_loss(lib.randn(3, 4), lib.tensor([0, 1, 2]), weight=lib.ones(2, 2)),
    lambda lib: lib.nn.functional.multi_margin_loss(lib.randn(3, 4), lib.tensor([0, 1, 2]),
                                                    weight=lib.ones(4, dtype=lib.float64)),
    lambda lib: lib.nn.functional.multi_margin_loss(lib.randn(3, 4), lib.tensor([0, 1, 2]),
                                                    weight=lib.ones(4, requires_grad=True)),
    lambda lib: lib.nn.functional.multi_margin_loss(lib.randn(2, 3, 4), lib.tensor([0, 1])),
    lambda lib: lib.nn.functional.multi_margin_loss(lib.randn(2, 0), lib.tensor([0, 1])),
    lambda lib: lib.nn.functional.multi_margin_loss(lib.arange(4), lib.tensor(0)),
    lambda lib: lib.nn.functional.multi_margin_loss(lib.randn(3, 4), lib.tensor([0, 1, 2]), reduction="all"),
    lambda lib: lib.nn.MultiMarginLoss(p=0),
    lambda lib: lib.nn.MultiMarginLoss(weight=lib.ones(2, 2)),
    lambda lib: lib.nn.functional.multilabel_margin_loss(lib.randn(3, 4), lib.tensor([[0, 1, -1, 4]] * 3)),
    lambda lib: lib.nn.functional.multilabel_margin_loss(lib.randn(3, 4), lib.tensor([[0, -1, 9, 2]] * 3)),
    lambda lib: lib.nn.functional.multilabel_margin_loss(lib.randn(3, 4), lib.tensor([[0, -2, 1, 2]] * 3)),
    lambda lib: lib.nn.functional.multilabel_margin_loss(lib.randn(3, 4), lib.tensor([[0, 1, -1]] * 3)),
    lambda lib: lib.nn.functional.multilabel_margin_loss(lib.randn(3, 4), lib.tensor([[0.0, 1, -1, 2]] * 3)),
    lambda lib: lib.nn.functional.multilabel_margin_loss(lib.randn(2, 3, 4), lib.zeros(2, 3, 4, dtype=lib.int64)),
    lambda lib: lib.nn.functional.multilabel_margin_loss(lib.arange(4), lib.tensor([0, -1, 0, 0])),
])
def test_margin_loss_errors_match_torch(call):
    mine, theirs = assert_raises_like_torch(call)
    assert str(theirs).split(":")[0] in str(mine)  # the same complaint, perhaps with more detail


# ---------------------------------------------------------------- triplet loss with a distance function
def _l1_distance(lib):
    return lambda a, b: (a - b).abs().sum(-1)


@given(st.data(), st.integers(1, 4), st.integers(1, 4), mst.reals(0.1, 2), st.booleans(), REDUCTIONS,
       st.sampled_from(["default", "module", "lambda"]))
@settings(max_examples=10)
def test_triplet_margin_with_distance_loss_matches_torch(data, batch, features, margin, swap, reduction, distance):
    a, p, n = (data.draw(mst.arrays("float64", (batch, features), mst.reals(-2, 2))) for _ in range(3))

    def build(lib):
        function = {"default": None, "module": lib.nn.PairwiseDistance(p=1.0), "lambda": _l1_distance(lib)}[distance]
        return lib.nn.TripletMarginWithDistanceLoss(distance_function=function, margin=margin, swap=swap,
                                                    reduction=reduction)

    ours, theirs = build(minigrad), build(torch)
    assert repr(ours) == repr(theirs)
    assert_function_matches_torch(ours, theirs, [a, p, n])


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.TripletMarginWithDistanceLoss(margin=0),
    lambda lib: lib.nn.functional.triplet_margin_with_distance_loss(lib.ones(2, 3), lib.ones(2, 3), lib.ones(2, 3),
                                                                    margin=-1.0),
    lambda lib: lib.nn.functional.triplet_margin_with_distance_loss(lib.ones(2, 3), lib.ones(3), lib.ones(2, 3)),
    lambda lib: lib.nn.functional.triplet_margin_with_distance_loss(lib.ones(2, 3), lib.ones(2, 3), lib.ones(2, 3),
                                                                    reduction="bad"),
])
def test_triplet_margin_with_distance_loss_errors_match_torch(call):
    assert_raises_like_torch(call, same_message=True)
