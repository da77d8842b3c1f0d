"""Linear, Bilinear, Embedding, Flatten, Unflatten, Dropout and F.pad/F.one_hot against torch.

Each layer test builds the torch layer, copies its state_dict into the minigrad layer
through NumPy, runs both on the same drawn input and compares the output, the input
gradient and every parameter gradient in float64.
"""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.testing import (assert_close, assert_module_matches_torch, assert_same_as_torch, load_torch_state,
                              torch_or_skip)
from minigrad.testing import strategies as mst

torch = torch_or_skip()


floats = mst.reals(-3, 3)


@given(st.data(), st.integers(1, 5), st.integers(1, 5), st.booleans(), st.sampled_from([(), (3,), (2, 3)]))
def test_linear_matches_torch(data, in_features, out_features, bias, batch):
    x = data.draw(mst.arrays("float64", batch + (in_features,), floats))
    assert_module_matches_torch(nn.Linear(in_features, out_features, bias=bias, dtype=minigrad.float64),
                                torch.nn.Linear(in_features, out_features, bias=bias, dtype=torch.float64), [x])


def test_linear_keeps_float32_and_its_repr():
    layer = nn.Linear(3, 2)
    assert layer.weight.dtype is minigrad.float32 and layer.bias.dtype is minigrad.float32
    out = layer(minigrad.randn(4, 3))
    assert out.dtype is minigrad.float32
    out.sum().backward()
    assert layer.weight.grad.dtype is minigrad.float32
    assert repr(nn.Linear(3, 2, bias=False)) == repr(torch.nn.Linear(3, 2, bias=False))


def test_linear_wrong_feature_count_names_both_shapes():
    with pytest.raises(RuntimeError) as torch_error:
        torch.nn.Linear(5, 2)(torch.zeros(4, 3))
    with pytest.raises(RuntimeError) as our_error:
        nn.Linear(5, 2)(minigrad.zeros(4, 3))
    assert str(our_error.value) == str(torch_error.value)  # "mat1 and mat2 shapes cannot be multiplied (4x3 and 5x2)"
    with pytest.raises(RuntimeError, match="8x3 and 5x2"):
        nn.Linear(5, 2)(minigrad.zeros(2, 4, 3))


@pytest.mark.parametrize("dtype", ["float64", "int64", "int32"])
def test_linear_rejects_mixed_dtypes_with_torchs_message(dtype):
    """'mat1 and mat2 must have the same dtype, but got Long and Float': torch's names for both dtypes."""
    with pytest.raises(RuntimeError) as torch_error:
        torch.nn.Linear(3, 2)(torch.zeros(4, 3, dtype=getattr(torch, dtype)))
    with pytest.raises(RuntimeError) as our_error:
        nn.Linear(3, 2)(minigrad.zeros(4, 3, dtype=getattr(minigrad, dtype)))
    assert str(our_error.value) == str(torch_error.value)


def test_linear_default_init_draws_from_torchs_distribution():
    minigrad.manual_seed(0)
    fan_in = 50
    layer = nn.Linear(fan_in, 400)
    bound = 1 / np.sqrt(fan_in)  # kaiming_uniform(a=sqrt(5)) gives the same bound as the bias
    for values in (layer.weight.detach().numpy(), layer.bias.detach().numpy()):
        assert np.abs(values).max() <= bound
        assert np.abs(values).max() > 0.95 * bound
    # U(-b, b) has variance b^2 / 3; 20000 draws estimate it to within a few percent
    assert abs(layer.weight.detach().numpy().var() / (bound ** 2 / 3) - 1) < 0.05


@given(st.data(), st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.booleans())
@settings(max_examples=20)
def test_bilinear_matches_torch(data, in1, in2, out, bias):
    x1 = data.draw(mst.arrays("float64", (3, in1), floats))
    x2 = data.draw(mst.arrays("float64", (3, in2), floats))
    assert_module_matches_torch(nn.Bilinear(in1, in2, out, bias=bias, dtype=minigrad.float64),
                                torch.nn.Bilinear(in1, in2, out, bias=bias, dtype=torch.float64), [x1, x2])
    assert repr(nn.Bilinear(in1, in2, out, bias=bias)) == repr(torch.nn.Bilinear(in1, in2, out, bias=bias))


@given(st.data(), st.integers(1, 6), st.integers(1, 4), st.none() | st.integers(-6, 5),
       st.sampled_from([(), (4,), (2, 3), (3, 5)]), st.booleans())
def test_embedding_matches_torch(data, num, dim, padding_idx, shape, scale_grad_by_freq):
    if padding_idx is not None and not -num <= padding_idx < num:
        padding_idx = None
    ids = data.draw(mst.arrays("int64", shape, st.integers(0, num - 1)))
    ours = nn.Embedding(num, dim, padding_idx=padding_idx, scale_grad_by_freq=scale_grad_by_freq,
                        dtype=minigrad.float64)
    theirs = torch.nn.Embedding(num, dim, padding_idx=padding_idx, scale_grad_by_freq=scale_grad_by_freq,
                                dtype=torch.float64)
    assert_module_matches_torch(ours, theirs, [ids])
    assert repr(ours) == repr(theirs)


@given(st.data(), st.integers(1, 5), st.sampled_from([(7,), (2, 6)]))
def test_functional_embedding_scales_gradients_by_frequency_as_torch(data, num, shape):
    ids = data.draw(mst.arrays("int64", shape, st.integers(0, num - 1)), label="ids")
    table = data.draw(mst.arrays("float32", (num, 3)), label="weight")
    upstream = data.draw(mst.arrays("float32", shape + (3,)), label="upstream")
    grads = []
    for lib in (minigrad, torch):
        weight = lib.tensor(table, requires_grad=True)
        lib.nn.functional.embedding(lib.tensor(ids), weight, scale_grad_by_freq=True).backward(lib.tensor(upstream))
        grads.append(weight.grad)
    assert_close(*grads)  # float32 stays float32


@given(st.data(), st.integers(1, 6), st.sampled_from([(5,), (2, 4)]), st.integers(1, 3))
@settings(max_examples=20)
def test_sparse_embedding_runs_with_torchs_gradient_values_and_sgd_steps(data, num, shape, steps):
    """sparse=True: torch's weight.grad is sparse; minigrad's is the dense tensor it stands for,
    so the gradient's values and SGD's steps are torch's."""
    padding_idx = data.draw(st.none() | st.integers(0, num - 1), label="padding_idx")
    batches = [data.draw(mst.arrays("int64", shape, st.integers(0, num - 1)), label="ids") for _ in range(steps)]
    results = []
    for lib in (torch, minigrad):  # minigrad starts from torch's initial weights
        layer = lib.nn.Embedding(num, 3, padding_idx=padding_idx, sparse=True, dtype=lib.float64)
        if lib is minigrad:
            layer.weight.data = minigrad.tensor(results[0][0])
        start = layer.weight.detach().numpy().copy()
        optimizer = lib.optim.SGD(layer.parameters(), lr=0.5)
        for ids in batches:
            optimizer.zero_grad()
            (layer(lib.tensor(ids)) ** 2).sum().backward()
            grad = layer.weight.grad
            optimizer.step()
        results.append((start, grad.to_dense() if lib is torch else grad, layer.weight.detach().numpy().copy()))
    (_, expected_grad, expected_weight), (_, grad, weight) = results
    assert_close(grad, expected_grad, what="last gradient")
    assert_close(weight, expected_weight, what="weights after SGD")
    assert repr(nn.Embedding(num, 3, sparse=True)) == repr(torch.nn.Embedding(num, 3, sparse=True))


def test_sparse_embedding_refuses_scale_grad_by_freq_at_backward_as_torch():
    for lib in (minigrad, torch):
        layer = lib.nn.Embedding(4, 3, scale_grad_by_freq=True, sparse=True)
        loss = layer(lib.tensor([1, 1, 2])).sum()  # the forward runs
        with pytest.raises(RuntimeError, match="scale_grad_by_freq not supported with sparse gradients"):
            loss.backward()


def test_embedding_padding_row_starts_at_zero_and_gets_no_gradient():
    layer = nn.Embedding(5, 3, padding_idx=-1)
    assert layer.padding_idx == 4
    assert not layer.weight.detach().numpy()[4].any()
    layer(minigrad.tensor([4, 1, 4])).sum().backward()
    assert not layer.weight.grad.numpy()[4].any() and layer.weight.grad.numpy()[1].all()


def test_embedding_max_norm_renormalises_like_torch():
    theirs = torch.nn.Embedding(6, 4, max_norm=1.0, dtype=torch.float64)
    ours = nn.Embedding(6, 4, max_norm=1.0, dtype=minigrad.float64)
    load_torch_state(ours, theirs)
    ids = np.array([[0, 2], [2, 5]])
    assert_close(ours(minigrad.tensor(ids)), theirs(torch.tensor(ids)))
    assert_close(ours.weight, theirs.weight)


def test_embedding_bad_ids():
    layer = nn.Embedding(5, 3)
    with pytest.raises(IndexError, match="index 5 is out of range"):
        layer(minigrad.tensor([1, 5]))
    with pytest.raises(RuntimeError, match="'indices' to have one of the following scalar types: Long, Int"):
        layer(minigrad.tensor([1.0, 2.0]))


@given(st.data(), mst.shapes(min_dims=2, max_dims=4))
@settings(max_examples=20)
def test_flatten_and_unflatten_match_torch(data, shape):
    start = data.draw(st.integers(0, len(shape) - 1))
    end = data.draw(st.integers(start, len(shape) - 1))
    x = data.draw(mst.arrays("float64", shape, floats))
    assert_module_matches_torch(nn.Flatten(start, end), torch.nn.Flatten(start, end), [x])
    dim = data.draw(st.integers(0, len(shape) - 1))
    sizes = (1, shape[dim], 1)
    assert_module_matches_torch(nn.Unflatten(dim, sizes), torch.nn.Unflatten(dim, sizes), [x])
    assert repr(nn.Unflatten(dim, sizes)) == repr(torch.nn.Unflatten(dim, sizes))
    assert repr(nn.Flatten(start, end)) == repr(torch.nn.Flatten(start, end))


# ---------------------------------------------------------------- dropout
@given(st.sampled_from([0.1, 0.5, 0.8]), st.booleans())
@settings(max_examples=6)
def test_dropout_training_zeroes_a_fraction_p_and_scales_the_rest(p, float32):
    dtype = minigrad.float32 if float32 else minigrad.float64
    minigrad.manual_seed(1)
    layer = nn.Dropout(p)
    x = minigrad.ones(200, 100, dtype=dtype, requires_grad=True)
    out = layer(x)
    assert out.dtype is dtype
    values = out.detach().numpy()
    kept = values != 0
    np.testing.assert_allclose(values[kept], 1 / (1 - p), rtol=1e-6)
    # 20000 Bernoulli draws: the dropped fraction is within 5 standard errors of p
    assert abs((~kept).mean() - p) < 5 * np.sqrt(p * (1 - p) / kept.size)
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), values, rtol=1e-6)  # d out / d x is the scaled mask


def test_dropout_eval_is_identity_and_p_is_checked():
    layer = nn.Dropout(0.5).eval()
    x = minigrad.randn(5, 4)
    assert layer(x) is x
    assert nn.Dropout(0.0)(x) is x
    assert not nn.Dropout(1.0)(x).detach().numpy().any()
    for bad in (-0.1, 1.5):
        with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got"):
            nn.Dropout(bad)
        with pytest.raises(ValueError, match="between 0 and 1"):
            F.dropout(x, bad)
    assert F.dropout(x, 0.5, training=False) is x
    assert repr(nn.Dropout(0.3)) == repr(torch.nn.Dropout(0.3))
    assert repr(nn.Dropout2d(0.3, inplace=True)) == repr(torch.nn.Dropout2d(0.3, inplace=True))


def test_dropout2d_drops_whole_channels():
    minigrad.manual_seed(2)
    out = nn.Dropout2d(0.5)(minigrad.ones(8, 16, 5, 5)).numpy()
    per_channel = out.reshape(8, 16, 25)
    assert np.all((per_channel == 0).all(-1) | (per_channel == 2).all(-1))
    assert 0.3 < (per_channel == 0).all(-1).mean() < 0.7
    assert nn.Dropout2d(0.5).eval()(minigrad.ones(2, 3, 4, 4)).numpy().min() == 1
    # like torch, a 3-D input is read as (N, C, L): whole rows of the last dim are dropped
    with pytest.warns(UserWarning, match="Received a 3D input to dropout2d"):
        rows = F.dropout2d(minigrad.ones(20, 30, 4), 0.5).numpy()
    assert np.all((rows == 0).all(-1) | (rows == 2).all(-1)) and 0.3 < (rows == 0).all(-1).mean() < 0.7


@pytest.mark.parametrize("name, shape", [("dropout2d", (6, 40)), ("dropout2d", (6, 8, 2, 3, 2)),
                                         ("dropout2d", (8,)), ("dropout2d", ()), ("dropout3d", (40,)),
                                         ("dropout3d", (6, 40)), ("dropout3d", (6, 8, 5)), ("dropout3d", (8, 2, 3, 4)),
                                         ("dropout3d", (6, 8, 2, 1, 2, 3)), ("dropout3d", ())])
def test_feature_dropout_of_other_ranks_warns_as_torch(name, shape):
    """torch accepts these ranks with a deprecation warning (or raises), and drops the same kind of
    slice: along (N, C) for dropout2d, along the first axis of an unbatched dropout3d input."""
    outcomes = []
    for lib in (torch, minigrad):
        lib.manual_seed(0)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                out = getattr(lib.nn.functional, name)(lib.ones(shape), 0.5).numpy()
            except RuntimeError as error:
                outcomes.append(("raises", str(error).split(",")[0], [str(w.message) for w in caught]))
                continue
        kept_along = tuple(axis for axis in range(out.ndim) if not (out == out.take([0], axis)).all())
        assert set(np.unique(out)) <= {0.0, 2.0}
        outcomes.append((out.shape, kept_along, [str(w.message) for w in caught]))
    assert outcomes[1] == outcomes[0]


def test_dropout_draws_are_reproducible_from_manual_seed():
    minigrad.manual_seed(7)
    first = F.dropout(minigrad.ones(50)).numpy()
    minigrad.manual_seed(7)
    assert np.array_equal(first, F.dropout(minigrad.ones(50)).numpy())


# ---------------------------------------------------------------- one_hot and pad
@given(st.data(), mst.shapes(max_dims=3))
@settings(max_examples=20)
def test_one_hot_matches_torch(data, shape):
    ids = data.draw(mst.arrays("int64", shape, st.integers(0, 4)))
    classes = data.draw(st.sampled_from([-1, 5, 7]))
    assert_close(F.one_hot(minigrad.tensor(ids), classes), torch.nn.functional.one_hot(torch.tensor(ids), classes))


def test_one_hot_errors():
    with pytest.raises(RuntimeError, match="Class values must be smaller than num_classes"):
        F.one_hot(minigrad.tensor([0, 3]), 3)
    with pytest.raises(RuntimeError, match="Class values must be non-negative"):
        F.one_hot(minigrad.tensor([-1, 0]), 3)


@given(st.data(), mst.shapes(min_dims=1, max_dims=4, min_side=3, max_side=5),
       st.sampled_from(["constant", "reflect", "replicate", "circular"]))
@settings(max_examples=40)
def test_pad_matches_torch(data, shape, mode):
    if mode == "constant":
        padded_dims = data.draw(st.integers(1, min(len(shape), 3)))
    else:  # torch pads the last k <= 3 dims of a (k + 1)D or (k + 2)D input in these modes
        if len(shape) == 1:
            shape = (1,) + shape
        padded_dims = data.draw(st.integers(max(1, len(shape) - 2), min(3, len(shape) - 1)))
    low = -1 if mode == "constant" else 0
    pad = tuple(data.draw(st.integers(low, 2)) for _ in range(2 * padded_dims))
    value = data.draw(mst.reals(-2, 2)) if mode == "constant" else None
    x = data.draw(mst.arrays("float64", shape, floats))
    ours, theirs = minigrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out = F.pad(ours, pad, mode=mode, value=value)
    expected = torch.nn.functional.pad(theirs, pad, mode=mode, value=value)
    assert_close(out, expected)
    upstream = np.random.default_rng(0).standard_normal(tuple(expected.shape))
    out.backward(minigrad.tensor(upstream))
    expected.backward(torch.tensor(upstream))
    assert_close(ours.grad, theirs.grad, what="gradient")


def test_pad_errors():
    with pytest.raises(NotImplementedError, match="Padding size 2 is not supported for 4D input"):
        F.pad(minigrad.zeros(1, 1, 3, 3), (1, 1), mode="reflect")
    with pytest.raises(RuntimeError, match="Padding size should be less than the corresponding input dimension"):
        F.pad(minigrad.zeros(1, 3), (3, 0), mode="reflect")
    with pytest.raises(RuntimeError, match="Padding length must be divisible by 2"):
        F.pad(minigrad.zeros(1, 3), (1,))


# ---------------------------------------------------------------- end to end
class _TorchMLP(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.body = torch.nn.Sequential(torch.nn.Linear(6, 16), torch.nn.ReLU(), torch.nn.Linear(16, 16),
                                        torch.nn.GELU(), torch.nn.Dropout(0.0))
        self.head = torch.nn.Linear(16, 3)

    def forward(self, x):
        return self.head(self.body(x))


class _MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 16), nn.GELU(), nn.Dropout(0.0))
        self.head = nn.Linear(16, 3)

    def forward(self, x):
        return self.head(self.body(x))


def test_mlp_classifier_trains_like_torch_with_manual_sgd():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 6))
    y = np.argmax(x @ rng.standard_normal((6, 3)), axis=1)  # a learnable labelling
    theirs = _TorchMLP().double()
    ours = _MLP().double()
    load_torch_state(ours, theirs)
    assert repr(ours) == repr(theirs).replace("_TorchMLP", "_MLP")
    our_losses, their_losses = [], []
    for _ in range(30):
        for model, framework, losses in ((ours, minigrad, our_losses), (theirs, torch, their_losses)):
            model.zero_grad()
            loss = framework.nn.functional.cross_entropy(model(framework.tensor(x)), framework.tensor(y))
            loss.backward()
            with framework.no_grad():
                for p in model.parameters():
                    p -= 0.5 * p.grad
            losses.append(loss.item())
    np.testing.assert_allclose(our_losses, their_losses, rtol=1e-9)
    assert our_losses[-1] < 0.7 * our_losses[0]
    for (name, a), b in zip(ours.state_dict().items(), theirs.state_dict().values()):
        assert_close(a, b, what=name)


@given(st.data(), mst.shapes(min_dims=2, max_dims=3, min_side=2), st.sampled_from([1, 2.0, 3]))
@settings(max_examples=20)
def test_normalize_and_distances_match_torch(data, shape, p):
    dim = data.draw(mst.dim(len(shape)))
    x1 = data.draw(mst.arrays("float64", shape, mst.nonzero_reals(0.2, 3)))
    x2 = data.draw(mst.arrays("float64", shape, mst.nonzero_reals(0.2, 3)))
    cases = [(lambda f, a, b: f.normalize(a, p, dim)),
             (lambda f, a, b: f.cosine_similarity(a, b, dim)),
             (lambda f, a, b: f.pairwise_distance(a, b, p))]
    for case in cases:
        a1, a2 = minigrad.tensor(x1, requires_grad=True), minigrad.tensor(x2, requires_grad=True)
        b1, b2 = torch.tensor(x1, requires_grad=True), torch.tensor(x2, requires_grad=True)
        out, expected = case(F, a1, a2), case(torch.nn.functional, b1, b2)
        assert_close(out, expected)
        upstream = np.random.default_rng(0).standard_normal(tuple(expected.shape))
        out.backward(minigrad.tensor(upstream))
        expected.backward(torch.tensor(upstream))
        assert_close(a1.grad, b1.grad, what="gradient of x1")
        if b2.grad is not None:
            assert_close(a2.grad, b2.grad, what="gradient of x2")


@given(st.data(), st.integers(1, 8), st.integers(1, 8))
@settings(max_examples=15)
def test_linear_in_float32_matches_torch_at_float32_tolerance(data, in_features, out_features):
    x = data.draw(mst.arrays("float32", (4, in_features), mst.reals(-3, 3, width=32)))
    assert_module_matches_torch(nn.Linear(in_features, out_features), torch.nn.Linear(in_features, out_features), [x])


def _within_float32_rounding(actual, exact, magnitude, terms, what):
    """|actual - exact| within the rounding bound of a float32 sum of `terms` products:
    terms * eps * (the same sum over absolute values), the classic error bound of a dot product,
    plus a smallest subnormal per term for products that underflow."""
    float32 = np.finfo(np.float32)
    error = np.abs(np.asarray(actual, np.float64) - exact)
    bound = terms * (float32.eps * magnitude + float32.smallest_subnormal)
    assert np.all(error <= bound), f"{what}: error {error.max():.3g} beyond the float32 rounding bound"


@given(st.data(), st.sampled_from([(1, 784, 256), (8, 300, 1024), (32, 784, 256), (64, 784, 256), (256, 784, 256),
                                     (3, 20, 40)]),
       st.booleans())
@settings(max_examples=15, deadline=None)
def test_linear_small_batch_large_weight_matches_torch(data, shape, bias):
    """A few rows against a large float32 weight are multiplied weight first (a faster GEMM).
    Output and gradients are float32 results of long sums, so they are compared with torch's
    float64 answer (as torch's own float32 answer is) within float32's rounding bound; the
    output is laid out row by row, as torch's is."""
    rows, in_features, out_features = shape
    x = data.draw(mst.arrays("float32", (rows, in_features), mst.reals(-3, 3, width=32)))
    g = np.random.default_rng(rows).standard_normal((rows, out_features)).astype(np.float32)
    reference = torch.nn.Linear(in_features, out_features, bias=bias)
    layer = nn.Linear(in_features, out_features, bias=bias)
    load_torch_state(layer, reference)
    w, b = reference.weight.detach().double(), reference.bias.detach().double() if bias else None
    x64 = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    exact = torch.nn.functional.linear(x64, w, b)
    exact.backward(torch.tensor(g, dtype=torch.float64))
    x_in = minigrad.tensor(x, requires_grad=True)
    out = layer(x_in)
    out.backward(minigrad.tensor(g))
    theirs = reference(torch.tensor(x))
    magnitude = np.abs(x) @ np.abs(w.numpy()).T + (np.abs(b.numpy()) if bias else 0)
    for result, name in [(out, "minigrad"), (theirs.detach().numpy(), "torch float32")]:
        _within_float32_rounding(result, exact.detach().numpy(), magnitude, in_features + 1, f"{name} output")
    _within_float32_rounding(x_in.grad, x64.grad.numpy(), np.abs(g) @ np.abs(w.numpy()), out_features, "input gradient")
    _within_float32_rounding(layer.weight.grad, (g.T.astype(np.float64) @ x), np.abs(g).T @ np.abs(x), rows,
                             "weight gradient")
    if bias:
        _within_float32_rounding(layer.bias.grad, g.astype(np.float64).sum(0), np.abs(g).sum(0), rows, "bias gradient")
    assert out.dtype is minigrad.float32 and out.is_contiguous() and out.stride() == tuple(theirs.stride())


def test_linear_multiplies_weight_first_only_where_that_is_faster():
    from minigrad._ops.linear_layers import _weight_first
    x32, w32 = np.zeros((32, 784), np.float32), np.zeros((256, 784), np.float32)
    assert _weight_first(x32, w32)
    assert not _weight_first(np.zeros((256, 784), np.float32), w32)  # as many rows as the weight
    assert not _weight_first(np.zeros((512, 784), np.float32), np.zeros((2048, 784), np.float32))  # many rows
    assert not _weight_first(x32.astype(np.float64), w32.astype(np.float64))  # float64: no gain
    assert not _weight_first(np.zeros((2, 16), np.float32), np.zeros((64, 16), np.float32))  # small weight


def test_embedding_from_pretrained_matches_torch():
    table = np.random.default_rng(0).standard_normal((4, 3))
    ours = nn.Embedding.from_pretrained(minigrad.tensor(table), padding_idx=1)
    theirs = torch.nn.Embedding.from_pretrained(torch.tensor(table), padding_idx=1)
    assert repr(ours) == repr(theirs)
    assert not ours.weight.requires_grad and ours.padding_idx == 1
    ids = np.array([1, 3, 0])
    assert_close(ours(minigrad.tensor(ids)), theirs(torch.tensor(ids)))
    trainable = nn.Embedding.from_pretrained(minigrad.tensor(table), freeze=False)
    assert trainable.weight.requires_grad


_ROWS, _VECTOR = np.random.default_rng(0).standard_normal((3, 4)), np.random.default_rng(1).standard_normal(4)


def _linear_with_a_weight_vector(T):
    x, w = T.tensor(_ROWS, requires_grad=True), T.tensor(_VECTOR, requires_grad=True)
    y = T.nn.functional.linear(x, w)
    y.backward(T.ones(3, dtype=T.float64))
    return y, x.grad, w.grad


@pytest.mark.parametrize("program", [
    _linear_with_a_weight_vector,
    lambda T: T.nn.functional.linear(T.tensor(_ROWS[0]), T.tensor(_VECTOR)),
    lambda T: T.nn.functional.linear(T.tensor(_ROWS), T.tensor(_VECTOR), T.tensor(1.0, dtype=T.float64)),
    lambda T: T.nn.functional.linear(T.tensor(_ROWS), T.ones(5, dtype=T.float64)),
])
def test_linear_with_a_vector_of_weights_is_a_product_as_torch(program):
    """torch's F.linear takes a 1-D weight as x @ w (one output per row), without a bias."""
    assert_same_as_torch(program)
