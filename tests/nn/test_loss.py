"""Every loss against torch: value, input gradient and target gradient in float64 over drawn
shapes, options and reductions; stability at +-1e4; and torch's errors for bad targets."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.testing import assert_close, assert_function_matches_torch, assert_same_as_torch, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()

REDUCTIONS = st.sampled_from(["none", "mean", "sum"])


def _both(name, **kwargs):
    """The minigrad and torch loss modules of the same name built from the same options."""
    torch_kwargs = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    ours_kwargs = {k: minigrad.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    return getattr(nn, name)(**ours_kwargs), getattr(torch.nn, name)(**torch_kwargs)


# ---------------------------------------------------------------- regression losses
@given(st.data(), mst.shapes(max_dims=3), REDUCTIONS,
       st.sampled_from(["MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss"]))
@settings(max_examples=60)
def test_regression_losses_match_torch(data, shape, reduction, name):
    x = data.draw(mst.arrays("float64", shape, mst.reals(-4, 4)))
    y = data.draw(mst.arrays("float64", shape, mst.reals(-4, 4)))
    options = {"reduction": reduction}
    if name == "SmoothL1Loss":
        options["beta"] = data.draw(st.sampled_from([0.0, 0.5, 1.0, 2.0]))
    if name == "HuberLoss":
        options["delta"] = data.draw(st.sampled_from([0.5, 1.0, 2.0]))
    ours, theirs = _both(name, **options)
    assert repr(ours) == repr(theirs)
    assert_function_matches_torch(ours, theirs, [x, y], requires_grad=[True, True])


@given(st.data(), mst.shapes(max_dims=3), REDUCTIONS, st.sampled_from(["mse_loss", "l1_loss", "huber_loss"]))
@settings(max_examples=30)
@pytest.mark.filterwarnings("ignore:invalid value encountered")  # all-zero weights: a nan mean, as in torch
def test_elementwise_weights_match_torch(data, shape, reduction, name):
    x, y, w = (data.draw(mst.arrays("float64", shape, mst.reals(-3, 3))) for _ in range(3))
    weight = (minigrad.tensor(w), torch.tensor(w))
    assert_function_matches_torch(lambda a, b: getattr(F, name)(a, b, reduction=reduction, weight=weight[0]),
                                  lambda a, b: getattr(torch.nn.functional, name)(a, b, reduction=reduction,
                                                                                  weight=weight[1]),
                                  [x, y], requires_grad=[True, True])
    with pytest.raises(ValueError, match="Weights and input must have the same size"):
        getattr(F, name)(minigrad.zeros(2, 3), minigrad.zeros(2, 3), weight=minigrad.ones(3))


def test_regression_losses_broadcast_with_torchs_warning():
    x, y = np.arange(3.0), np.arange(6.0).reshape(2, 3)
    for name in ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"):
        with pytest.warns(UserWarning, match="different to the input size"):
            out = getattr(F, name)(minigrad.tensor(x), minigrad.tensor(y))
        with pytest.warns(UserWarning):
            assert_close(out, getattr(torch.nn.functional, name)(torch.tensor(x), torch.tensor(y)))
        with pytest.raises(RuntimeError, match=r"shapes \[3\] and \[4\]"), pytest.warns(UserWarning):
            getattr(F, name)(minigrad.zeros(3), minigrad.zeros(4))


def test_mixed_dtypes_promote_and_float32_stays_float32():
    x32, y64 = minigrad.randn(4), minigrad.randn(4, dtype=minigrad.float64)
    assert F.mse_loss(x32, y64).dtype is minigrad.float64
    assert F.mse_loss(x32, x32 * 2).dtype is minigrad.float32
    logits = minigrad.randn(4, 3, requires_grad=True)
    loss = F.cross_entropy(logits, minigrad.tensor([0, 1, 2, 0]), weight=minigrad.ones(3), label_smoothing=0.1)
    assert loss.dtype is minigrad.float32
    loss.backward()
    assert logits.grad.dtype is minigrad.float32
    for loss in (F.binary_cross_entropy_with_logits(logits, minigrad.rand(4, 3)),
                 F.binary_cross_entropy(logits.sigmoid(), minigrad.rand(4, 3)),
                 F.kl_div(F.log_softmax(logits, 1), minigrad.rand(4, 3), reduction="batchmean"),
                 F.nll_loss(logits, minigrad.tensor([0, 1, 2, 0]))):
        assert loss.dtype is minigrad.float32


# ---------------------------------------------------------------- class indices
@st.composite
def class_problems(draw, probabilities=False):
    """(logits, target, options) for cross_entropy / nll_loss over every supported rank."""
    classes = draw(st.integers(1, 4))
    batch = draw(st.sampled_from([(), (3,), (2, 3), (2, 2, 2)]))  # () is an unbatched (C,) input
    input_shape = (batch[0], classes) + batch[1:] if batch else (classes,)
    logits = draw(mst.arrays("float64", input_shape, mst.reals(-5, 5)))
    options = {"reduction": draw(REDUCTIONS)}
    if draw(st.booleans()):
        options["weight"] = draw(mst.arrays("float64", (classes,), mst.reals(0.1, 2)))
    if probabilities:
        raw = draw(mst.arrays("float64", input_shape, mst.reals(0, 1)))
        target = raw / np.maximum(raw.sum(axis=1 if batch else 0, keepdims=True), 1e-3)
    else:
        target = draw(mst.arrays("int64", batch, st.integers(0, classes - 1)))
        if draw(st.booleans()):
            ignore = draw(st.sampled_from([-100, 0]))
            options["ignore_index"] = ignore
            mask = draw(mst.arrays("bool", batch))
            target = np.where(mask, ignore, target)
    return logits, target, options


@given(class_problems(), st.sampled_from([0.0, 0.1, 0.6]))
@settings(max_examples=80)
def test_cross_entropy_with_class_indices_matches_torch(problem, label_smoothing):
    logits, target, options = problem
    ours, theirs = _both("CrossEntropyLoss", label_smoothing=label_smoothing, **options)
    assert_function_matches_torch(ours, theirs, [logits, target], requires_grad=[True, False])


@given(class_problems(probabilities=True), st.sampled_from([0.0, 0.2]))
@settings(max_examples=40)
def test_cross_entropy_with_probabilities_matches_torch(problem, label_smoothing):
    logits, target, options = problem
    ours, theirs = _both("CrossEntropyLoss", label_smoothing=label_smoothing, **options)
    assert_function_matches_torch(ours, theirs, [logits, target], requires_grad=[True, True])


@given(class_problems(probabilities=True), st.sampled_from([-100, -1, 0, 2]))
@settings(max_examples=20)
def test_cross_entropy_with_probabilities_refuses_ignore_index_like_torch(problem, ignore_index):
    """torch refuses a class index to ignore (>= 0) with probability targets; a negative one is harmless."""
    logits, target, options = problem
    ours, theirs = _both("CrossEntropyLoss", ignore_index=ignore_index, **options)
    if ignore_index >= 0:
        with pytest.raises(RuntimeError, match="ignore_index is not supported for floating point target"):
            theirs(torch.tensor(logits), torch.tensor(target))
        with pytest.raises(RuntimeError, match="ignore_index is not supported for floating point target"):
            ours(minigrad.tensor(logits), minigrad.tensor(target))
    else:
        assert_function_matches_torch(ours, theirs, [logits, target], requires_grad=[True, True])


@given(class_problems())
@settings(max_examples=60)
def test_nll_loss_matches_torch(problem):
    logits, target, options = problem
    ours, theirs = _both("NLLLoss", **options)
    assert_function_matches_torch(ours, theirs, [logits, target], requires_grad=[True, False])


def test_cross_entropy_is_stable_at_large_logits():
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4], [0.0, 0.0, -1e4]])
    target = np.array([1, 2, 2])
    for smoothing in (0.0, 0.1):
        ours, theirs = _both("CrossEntropyLoss", label_smoothing=smoothing)
        out = assert_function_matches_torch(ours, theirs, [logits, target], requires_grad=[True, False])
        assert np.isfinite(out.item())
    soft = np.array([[0.0, 1.0, 0.0], [0.5, 0.5, 0.0], [0.0, 0.0, 1.0]])
    assert_function_matches_torch(*_both("CrossEntropyLoss"), [logits, soft], requires_grad=[True, True])


def test_class_index_errors_follow_torch():
    logits = minigrad.randn(4, 3)
    with pytest.raises(IndexError, match="^Target 7 is out of bounds.$"):
        F.cross_entropy(logits, minigrad.tensor([0, 1, 7, 2]))
    with pytest.raises(IndexError, match="^Target -3 is out of bounds.$"):
        F.nll_loss(logits, minigrad.tensor([0, 1, -3, 2]))
    with pytest.raises(RuntimeError, match="expected target dtype to be Long or Byte, but got Int"):
        F.cross_entropy(logits, minigrad.tensor([0, 1, 2, 2], dtype=minigrad.int32))
    with pytest.raises(RuntimeError, match=r"floating-point targets .* shape \[4, 3\], got \[4\]"):
        F.cross_entropy(logits, minigrad.tensor([0.0, 1.0, 2.0, 2.0]))
    with pytest.raises(RuntimeError, match="expected target dtype to be Long or Byte, but got Float"):
        F.nll_loss(logits, minigrad.tensor([0.0, 1.0, 2.0, 2.0]))
    with pytest.raises(ValueError, match=r"Expected input batch_size \(4\) to match target batch_size \(3\)"):
        F.cross_entropy(logits, minigrad.tensor([0, 1, 2]))
    with pytest.raises(RuntimeError, match=r"Expected target size \[2, 4\], got \[2, 2\]"):
        F.cross_entropy(minigrad.randn(2, 3, 4), minigrad.tensor([[0, 1], [1, 1]]))
    with pytest.raises(RuntimeError, match="weight tensor should be defined either for all 3 classes"):
        F.cross_entropy(logits, minigrad.tensor([0, 1, 2, 2]), weight=minigrad.ones(2))
    with pytest.raises(ValueError, match="avg is not a valid value for reduction"):
        F.cross_entropy(logits, minigrad.tensor([0, 1, 2, 2]), reduction="avg")
    with pytest.raises(RuntimeError, match="label_smoothing must be between 0.0 and 1.0. Got: 1.5"):
        F.cross_entropy(logits, minigrad.tensor([0, 1, 2, 2]), label_smoothing=1.5)
    # an ignored target may lie outside the class range, as in torch
    assert np.isfinite(F.cross_entropy(logits, minigrad.tensor([0, -100, 2, 1])).item())


def test_all_targets_ignored_gives_nan_like_torch():
    logits = np.random.default_rng(0).standard_normal((2, 3))
    target = np.array([-100, -100])
    ours, theirs = _both("CrossEntropyLoss")
    assert np.isnan(ours(minigrad.tensor(logits), minigrad.tensor(target)).item())
    assert np.isnan(theirs(torch.tensor(logits), torch.tensor(target)).item())


def test_weight_is_a_buffer_like_torch():
    weight = np.array([1.0, 2.0, 3.0])
    for name in ("CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss"):
        ours, theirs = _both(name, weight=weight)
        assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight"]
        assert repr(ours) == repr(theirs)
    ours, theirs = _both("BCEWithLogitsLoss", pos_weight=weight)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert list(nn.CrossEntropyLoss().state_dict()) == []


# ---------------------------------------------------------------- binary targets
@given(st.data(), mst.shapes(max_dims=3), REDUCTIONS, st.booleans())
@settings(max_examples=60)
def test_bce_matches_torch(data, shape, reduction, weighted):
    p = data.draw(mst.arrays("float64", shape, st.one_of(st.sampled_from([0.0, 1.0]), mst.reals(0, 1))))
    y = data.draw(mst.arrays("float64", shape, mst.reals(0, 1)))
    options = {"reduction": reduction}
    if weighted:
        options["weight"] = data.draw(mst.arrays("float64", shape[len(shape) // 2:], mst.reals(0, 2)))
    assert_function_matches_torch(*_both("BCELoss", **options), [p, y], requires_grad=[True, True])


@given(st.data(), mst.shapes(min_dims=1, max_dims=3), REDUCTIONS, st.booleans(), st.booleans())
@settings(max_examples=60)
def test_bce_with_logits_matches_torch(data, shape, reduction, weighted, positive_weighted):
    x = data.draw(mst.arrays("float64", shape, mst.reals(-30, 30)))
    y = data.draw(mst.arrays("float64", shape, mst.reals(0, 1)))
    options = {"reduction": reduction}
    if weighted:
        options["weight"] = data.draw(mst.arrays("float64", shape[-1:], mst.reals(0, 2)))
    if positive_weighted:
        options["pos_weight"] = data.draw(mst.arrays("float64", shape[-1:], mst.reals(0.1, 4)))
    assert_function_matches_torch(*_both("BCEWithLogitsLoss", **options), [x, y], requires_grad=[True, True])


def test_binary_losses_are_stable_and_clamped():
    x = np.array([-1e4, -50.0, 0.0, 50.0, 1e4])
    y = np.array([1.0, 0.0, 0.5, 1.0, 0.0])
    for options in ({}, {"pos_weight": np.full(5, 3.0)}):
        out = assert_function_matches_torch(*_both("BCEWithLogitsLoss", reduction="none", **options), [x, y],
                                            requires_grad=[True, True])
        assert np.isfinite(out.detach().numpy()).all()
    # probabilities of exactly 0 and 1: the log is clamped at -100 and the gradient stays finite
    p = np.array([0.0, 1.0, 0.0, 1.0])
    t = np.array([1.0, 0.0, 0.0, 1.0])
    out = assert_function_matches_torch(*_both("BCELoss", reduction="none"), [p, t], requires_grad=[True, False])
    assert out.detach().numpy().tolist() == [100.0, 100.0, 0.0, 0.0]


def test_binary_loss_errors_follow_torch():
    with pytest.raises(ValueError, match=r"Using a target size \(minigrad.Size\(\[3, 1\]\)\) that is different"):
        F.binary_cross_entropy(minigrad.rand(3), minigrad.rand(3, 1))
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        F.binary_cross_entropy(minigrad.rand(3) + 1, minigrad.rand(3))
    with pytest.raises(ValueError, match=r"Target size \(minigrad.Size\(\[3, 1\]\)\) must be the same as input size"):
        F.binary_cross_entropy_with_logits(minigrad.rand(3), minigrad.rand(3, 1))


# A class weight (or pos_weight) that requires grad: torch has no derivative for it in nll_loss,
# cross_entropy with class indices and the binary losses, and refuses it in forward; for
# cross_entropy with class probabilities it differentiates. name -> fn(lib, x, w) with x (2, 3, *rest).
WEIGHT_REQUIRING_GRAD = {
    "nll_loss": lambda L, x, w: L.nn.functional.nll_loss(x, L.zeros((2,) + tuple(x.shape[2:]), dtype=L.int64), weight=w),
    "nll_loss2d": lambda L, x, w: L.nn.functional.nll_loss(x[..., None], L.tensor([[1], [2]]), weight=w),
    "cross_entropy": lambda L, x, w: L.nn.functional.cross_entropy(x, L.tensor([0, 2]), weight=w, label_smoothing=0.1),
    "cross_entropy_unbatched": lambda L, x, w: L.nn.functional.cross_entropy(x[0], L.tensor(1), weight=w),
    "binary_cross_entropy": lambda L, x, w: L.nn.functional.binary_cross_entropy(x.sigmoid(), x.detach().sigmoid(),
                                                                                 weight=w),
    "bce_with_logits_weight": lambda L, x, w: L.nn.functional.binary_cross_entropy_with_logits(x, x.detach().sigmoid(),
                                                                                               weight=w),
    "bce_with_logits_pos_weight": lambda L, x, w: L.nn.functional.binary_cross_entropy_with_logits(
        x, x.detach().sigmoid(), pos_weight=w),
}


@pytest.mark.parametrize("name", sorted(WEIGHT_REQUIRING_GRAD))
def test_a_weight_that_requires_grad_is_refused_like_torch(name):
    """Not silently a constant: the same RuntimeError as torch, naming the function and argument;
    under no_grad nothing is recorded and both compute the loss."""
    fn = WEIGHT_REQUIRING_GRAD[name]
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((2, 3)), rng.uniform(0.5, 2.0, 3)
    messages, values = [], []
    for lib in (minigrad, torch):
        inputs = lib.tensor(x, requires_grad=True), lib.tensor(w, requires_grad=True)
        with pytest.raises(RuntimeError) as info:
            fn(lib, *inputs)
        messages.append(str(info.value))
        with lib.no_grad():
            values.append(fn(lib, *inputs))
    assert messages[0] == messages[1]
    assert "is not differentiable with respect to argument" in messages[0]
    assert_close(*values)


@given(st.data(), st.integers(1, 3), st.integers(2, 4), REDUCTIONS, st.sampled_from([0.0, 0.2]))
@settings(max_examples=30)
def test_cross_entropy_with_probabilities_differentiates_its_weight_like_torch(data, n, c, reduction, smoothing):
    x = data.draw(mst.arrays("float64", (n, c)))
    p = data.draw(mst.arrays("float64", (n, c), mst.reals(0.0, 1.0)))
    w = data.draw(mst.arrays("float64", (c,), mst.reals(0.1, 2.0)))
    results = []
    for lib in (minigrad, torch):
        inputs = lib.tensor(x, requires_grad=True), lib.tensor(w, requires_grad=True)
        loss = lib.nn.functional.cross_entropy(inputs[0], lib.tensor(p), weight=inputs[1], reduction=reduction,
                                               label_smoothing=smoothing)
        results.append([loss, *lib.autograd.grad(loss.sum(), inputs)])
    for mine, reference in zip(*results):
        assert_close(mine, reference)


# ---------------------------------------------------------------- KL divergence
@given(st.data(), mst.shapes(min_dims=1, max_dims=3), st.sampled_from(["none", "mean", "sum", "batchmean"]),
       st.booleans())
@settings(max_examples=60)
def test_kl_div_matches_torch(data, shape, reduction, log_target):
    log_q = data.draw(mst.arrays("float64", shape, mst.reals(-5, 0)))
    if log_target:
        target = data.draw(mst.arrays("float64", shape, mst.reals(-5, 0)))
    else:  # probabilities, some exactly zero (p log p is taken as 0 there)
        target = data.draw(mst.arrays("float64", shape, st.one_of(st.just(0.0), mst.reals(0.01, 1))))
    ours, theirs = _both("KLDivLoss", reduction=reduction, log_target=log_target)
    # gradients with respect to a zero probability are not defined (torch gives nan), so only
    # check the target gradient where every probability is positive
    with pytest.warns(UserWarning) if reduction == "mean" else _no_warning():
        assert_function_matches_torch(ours, theirs, [log_q, target],
                                      requires_grad=[True, log_target or bool((target > 0).all())])


class _no_warning:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@given(class_problems(), st.sampled_from([0.0, 0.1]))
@settings(max_examples=20)
def test_cross_entropy_in_float32_matches_torch_at_float32_tolerance(problem, label_smoothing):
    logits, target, options = problem
    options = {k: v.astype(np.float32) if isinstance(v, np.ndarray) else v for k, v in options.items()}
    ours, theirs = _both("CrossEntropyLoss", label_smoothing=label_smoothing, **options)
    out = assert_function_matches_torch(ours, theirs, [logits.astype(np.float32), target], requires_grad=[True, False])
    assert out.dtype is minigrad.float32


# ---------------------------------------------------------------- margins, embeddings and likelihoods
signs = st.sampled_from([-1.0, 1.0])


@given(st.data(), st.integers(1, 4), REDUCTIONS, mst.reals(-1, 1))
@settings(max_examples=30)
def test_margin_and_hinge_losses_match_torch(data, n, reduction, margin):
    x1, x2 = (data.draw(mst.arrays("float64", (n,), mst.reals(-3, 3))) for _ in range(2))
    y = data.draw(mst.arrays("float64", (n,), signs))
    ours, theirs = _both("MarginRankingLoss", margin=margin, reduction=reduction)
    assert repr(ours) == repr(theirs)
    assert_function_matches_torch(ours, theirs, [x1, x2, y], requires_grad=[True, True, False])
    assert_function_matches_torch(*_both("HingeEmbeddingLoss", margin=margin + 1, reduction=reduction), [x1, y],
                                  requires_grad=[True, False])
    assert_function_matches_torch(*_both("SoftMarginLoss", reduction=reduction), [x1 * 100, y],
                                  requires_grad=[True, False])


@given(st.data(), st.integers(1, 3), st.integers(1, 4), REDUCTIONS, mst.reals(-0.5, 0.5))
@settings(max_examples=30)
def test_cosine_embedding_loss_matches_torch(data, n, d, reduction, margin):
    x1, x2 = (data.draw(mst.arrays("float64", (n, d), mst.nonzero_reals(0.1, 3))) for _ in range(2))
    y = data.draw(mst.arrays("float64", (n,), signs))
    assert_function_matches_torch(*_both("CosineEmbeddingLoss", margin=margin, reduction=reduction), [x1, x2, y],
                                  requires_grad=[True, True, False])


@given(st.data(), st.integers(1, 3), st.integers(1, 4), REDUCTIONS, st.sampled_from([1.0, 2.0, 3.0]),
       st.booleans())
@settings(max_examples=30)
def test_triplet_margin_loss_matches_torch(data, n, d, reduction, p, swap):
    a, pos, neg = (data.draw(mst.arrays("float64", (n, d), mst.reals(-2, 2))) for _ in range(3))
    ours, theirs = _both("TripletMarginLoss", margin=0.5, p=p, swap=swap, reduction=reduction)
    assert_function_matches_torch(ours, theirs, [a, pos, neg], requires_grad=[True, True, True])


@given(st.data(), st.integers(1, 3), st.integers(1, 4), REDUCTIONS, st.booleans())
@settings(max_examples=30)
def test_multilabel_soft_margin_loss_matches_torch(data, n, c, reduction, weighted):
    x = data.draw(mst.arrays("float64", (n, c), mst.reals(-30, 30)))
    y = data.draw(mst.arrays("float64", (n, c), st.sampled_from([0.0, 1.0])))
    options = {"reduction": reduction}
    if weighted:
        options["weight"] = data.draw(mst.arrays("float64", (c,), mst.reals(0, 2)))
    assert_function_matches_torch(*_both("MultiLabelSoftMarginLoss", **options), [x, y], requires_grad=[True, False])


@given(st.data(), mst.shapes(min_dims=1, max_dims=2), REDUCTIONS, st.booleans(), st.booleans())
@settings(max_examples=30)
def test_poisson_nll_loss_matches_torch(data, shape, reduction, log_input, full):
    x = data.draw(mst.arrays("float64", shape, mst.reals(-2, 2) if log_input else mst.reals(0.01, 5)))
    y = data.draw(mst.arrays("float64", shape, st.sampled_from([0.0, 1.0, 2.0, 5.0])))
    ours, theirs = _both("PoissonNLLLoss", log_input=log_input, full=full, reduction=reduction)
    assert_function_matches_torch(ours, theirs, [x, y], requires_grad=[True, False])


@given(st.data(), st.sampled_from(["same", "one fewer", "shared"]), REDUCTIONS, st.booleans())
@settings(max_examples=30)
def test_gaussian_nll_loss_matches_torch(data, var_shape, reduction, full):
    x, y = (data.draw(mst.arrays("float64", (3, 2), mst.reals(-2, 2))) for _ in range(2))
    shape = {"same": (3, 2), "one fewer": (3,), "shared": (3, 1)}[var_shape]
    var = data.draw(mst.arrays("float64", shape, st.one_of(st.just(1e-9), mst.reals(0.05, 3))))
    ours, theirs = _both("GaussianNLLLoss", full=full, reduction=reduction)
    assert_function_matches_torch(ours, theirs, [x, y, var], requires_grad=[True, True, True])
    with pytest.raises(ValueError, match="var is of incorrect size"):
        ours(minigrad.zeros(3, 2), minigrad.zeros(3, 2), minigrad.ones(2, 2))
    with pytest.raises(ValueError, match="var has negative entry"):
        ours(minigrad.zeros(3, 2), minigrad.zeros(3, 2), -minigrad.ones(3, 2))


_PROBABILITIES = np.array([0.2, 0.9, 0.6, 0.1], dtype=np.float32)


@pytest.mark.parametrize("program", [
    # 0/1 labels given as integers: torch refuses them rather than computing in another dtype
    lambda T: T.nn.functional.binary_cross_entropy(T.tensor(_PROBABILITIES), T.tensor([1, 0, 1, 0])),
    lambda T: T.nn.BCELoss()(T.tensor(_PROBABILITIES), T.tensor([1.0, 0, 1, 0], dtype=T.float64)),
    lambda T: T.nn.functional.binary_cross_entropy(T.tensor(_PROBABILITIES), T.tensor([1.0, 0, 1, 0])),
    lambda T: T.nn.functional.binary_cross_entropy_with_logits(T.tensor(_PROBABILITIES), T.tensor([1, 0, 1, 0])),
    lambda T: T.nn.BCEWithLogitsLoss()(T.tensor(_PROBABILITIES), T.tensor([True, False, True, False])),
    lambda T: T.nn.functional.binary_cross_entropy_with_logits(T.tensor(_PROBABILITIES),
                                                               T.tensor([1.0, 0, 1, 0], dtype=T.float64)),
    # a class weight of another dtype than the scores
    lambda T: T.nn.functional.cross_entropy(T.ones(3, 4), T.tensor([0, 1, 2]), weight=T.ones(4, dtype=T.float64)),
    lambda T: T.nn.functional.nll_loss(T.ones(3, 4), T.tensor([0, 1, 2]), weight=T.ones(4, dtype=T.float64)),
    lambda T: T.nn.functional.cross_entropy(T.ones(3, 4), T.tensor([0, 1, 2]), weight=T.tensor([1.0, 2, 3, 4])),
    # the batch sizes are compared first
    lambda T: T.nn.functional.cross_entropy(T.ones(4, 5), T.zeros(2, 2, dtype=T.int64)),
    lambda T: T.nn.functional.cross_entropy(T.ones(4, 5), T.zeros(4, 2, dtype=T.int64)),
    lambda T: T.nn.functional.cross_entropy(T.ones(4, 5), T.tensor(1)),
])
def test_loss_arguments_of_the_wrong_dtype_or_batch_raise_as_torch(program):
    assert_same_as_torch(program, rtol=1e-5)
