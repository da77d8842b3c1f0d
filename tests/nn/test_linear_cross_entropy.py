"""linear_cross_entropy and LinearCrossEntropyLoss against torch: the reference path (linear, then
cross_entropy) and the chunked path (LinearCrossEntropyOptions), values, gradients, node names,
errors and the module's layout; and that the chunked path keeps a chunk's logits at a time."""

import tracemalloc
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_raises_like_torch, assert_same_as_torch, check_parity, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()
DTYPES = st.sampled_from(["float64", "float32"])


def _problem(draw, rows, classes, features, out_features=()):
    x = draw(mst.arrays("float64", rows + (features,), elements=mst.reals(-2, 2)), label="input")
    weight = draw(mst.arrays("float64", (classes, *out_features, features), elements=mst.reals(-1, 1)),
                  label="linear_weight")
    bias = draw(st.none() | mst.arrays("float64", (classes, *out_features), elements=mst.reals(-1, 1)),
                label="linear_bias")
    return x, weight, bias


def _targets(draw, shape, classes, ignore_index):
    """Class indices, some of them (where drawn) the ignored one."""
    picks = draw(mst.arrays("int64", shape, elements=st.integers(0, classes - 1)), label="target")
    ignored = draw(mst.arrays(np.bool_, shape), label="ignored")
    return np.where(ignored, ignore_index, picks)


def _call(lib, x, weight, bias, target, class_weight, **options):
    return lib.nn.functional.linear_cross_entropy(
        x, weight, lib.from_numpy(target) if isinstance(target, np.ndarray) and target.dtype == np.int64 else target,
        linear_bias=bias, weight=class_weight, **options)


@settings(max_examples=30)
@given(data=st.data(), dtype=DTYPES, rows=st.sampled_from([(), (1,), (5,), (0,)]), classes=st.integers(1, 5),
       features=st.integers(1, 4), reduction=st.sampled_from(["mean", "sum", "none"]))
def test_reference_path_is_linear_then_cross_entropy(data, dtype, rows, classes, features, reduction):
    draw = data.draw
    x, weight, bias = _problem(draw, rows, classes, features)
    ignore_index = draw(st.sampled_from([None, -100, 1]), label="ignore_index")
    target = _targets(draw, rows, classes, -100 if ignore_index is None else ignore_index)
    class_weight = draw(st.none() | mst.arrays("float64", (classes,), elements=mst.reals(0.1, 2)), label="weight")
    smoothing = draw(st.sampled_from([0.0, 0.25]), label="label_smoothing")

    def loss(lib, x, weight, *rest):
        bias, class_weight = (rest[0] if bias_given else None), (rest[-1] if weight_given else None)
        if class_weight is not None:
            class_weight = class_weight.detach()  # a constant, as in cross_entropy
        out = _call(lib, x, weight, bias, target, class_weight, reduction=reduction, ignore_index=ignore_index,
                    label_smoothing=smoothing)
        return out, out.grad_fn.name() if out.grad_fn is not None else None

    bias_given, weight_given = bias is not None, class_weight is not None
    arrays = [x, weight] + ([bias] if bias_given else []) + ([class_weight] if weight_given else [])
    check_parity(data, loss, arrays, dtype=dtype)


@settings(max_examples=15)
@given(data=st.data(), dtype=DTYPES, out_features=st.sampled_from([(2,), (1, 3)]), classes=st.integers(1, 4))
def test_k_dimensional_loss_and_class_probabilities(data, dtype, out_features, classes):
    """linear_weight (C, d1, ..., dK, in_features): logits (N, C, d1, ...); a target of the logits' shape
    holds class probabilities."""
    draw = data.draw
    x, weight, bias = _problem(draw, (3,), classes, 2, out_features)
    target_shape = (3, *out_features)
    indices = _targets(draw, target_shape, classes, -100)
    probabilities = draw(mst.arrays("float64", (3, classes, *out_features), elements=mst.reals(0, 1)),
                         label="probabilities")

    def losses(lib, x, weight, probabilities, *rest):
        bias = rest[0] if rest else None
        return (_call(lib, x, weight, bias, indices, None),
                _call(lib, x, weight, bias, probabilities.detach(), None, reduction="sum"))

    check_parity(data, losses, [x, weight, probabilities] + ([bias] if bias is not None else []), dtype=dtype)


@settings(max_examples=30)
@given(data=st.data(), dtype=DTYPES, rows=st.sampled_from([(), (1,), (7,), (16,)]), classes=st.integers(1, 40),
       features=st.integers(1, 6), reduction=st.sampled_from(["mean", "sum", "none"]))
def test_chunked_path_gives_torchs_values_and_gradients(data, dtype, rows, classes, features, reduction):
    """The same loss and gradients, for chunk sizes given or chosen by torch's rule (aspect ratio)."""
    draw = data.draw
    x, weight, bias = _problem(draw, rows, classes, features)
    ignore_index = draw(st.sampled_from([None, 2]), label="ignore_index")
    target = _targets(draw, rows, classes, -100 if ignore_index is None else ignore_index)
    class_weight = draw(st.none() | mst.arrays("float64", (classes,), elements=mst.reals(0.1, 2)), label="weight")
    chunking = draw(st.sampled_from([{}, {"batch_chunk_size": 1}, {"batch_chunk_size": 3},
                                     {"chunking_method": "aspect_ratio"}, {"chunking_method": "aspect_ratio:4"},
                                     {"chunking_method": None, "batch_chunk_size": 5}]), label="options")

    def loss(lib, x, weight, *given_bias):
        weights = None if class_weight is None else lib.from_numpy(class_weight.astype(dtype))
        out = _call(lib, x, weight, *(given_bias or [None]), target, weights, reduction=reduction,
                    ignore_index=ignore_index, options=lib.nn.LinearCrossEntropyOptions(**chunking))
        if out.grad_fn is None:
            return out, None
        return out, type(out.grad_fn).__name__ if lib is torch else out.grad_fn.name()

    check_parity(data, loss, [x, weight] + ([bias] if bias is not None else []), dtype=dtype)


def test_chunked_path_keeps_a_chunk_of_logits_at_a_time():
    """4096 rows of 1000 classes have 16 MB of float32 logits; chunked, forward and backward together
    allocate under a quarter of that (the reference path, measured the same way, goes over it)."""
    rng = np.random.default_rng(0)
    rows, classes, features = 4096, 1000, 16
    x = minigrad.tensor(rng.standard_normal((rows, features), dtype=np.float32), requires_grad=True)
    weight = minigrad.tensor(rng.standard_normal((classes, features), dtype=np.float32) / 4, requires_grad=True)
    target = minigrad.tensor(rng.integers(0, classes, rows))
    logits_bytes = rows * classes * 4

    def peak(options):
        tracemalloc.start()
        try:
            minigrad.nn.functional.linear_cross_entropy(x, weight, target, options=options).backward()
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    assert peak(minigrad.nn.LinearCrossEntropyOptions()) < logits_bytes / 4
    assert peak(None) > logits_bytes


def test_chunked_backward_may_run_twice():
    """torch's chunked mean keeps gradients made in forward and refuses a second backward unless
    allow_retain_graph; minigrad's computes them again in backward, so a second one adds the same again."""
    x = minigrad.randn(6, 3, requires_grad=True)
    weight = minigrad.randn(4, 3)
    target = minigrad.tensor([0, 1, 2, 3, 0, 1])
    loss = minigrad.nn.functional.linear_cross_entropy(x, weight, target,
                                                       options=minigrad.nn.LinearCrossEntropyOptions(batch_chunk_size=2))
    loss.backward(retain_graph=True)
    once = x.grad.clone()
    loss.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * once.numpy(), rtol=1e-6)


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.functional.linear_cross_entropy(lib.ones(2, 3, 4), lib.ones(5, 4), lib.zeros(2, 3).long()),
    lambda lib: lib.nn.functional.linear_cross_entropy(lib.ones(2, 4), lib.ones(5), lib.zeros(2).long()),
    lambda lib: lib.nn.functional.linear_cross_entropy(lib.ones(2, 4), lib.ones(5, 3), lib.zeros(2).long()),
    lambda lib: lib.nn.functional.linear_cross_entropy(lib.ones(2, 4), lib.ones(5, 4), lib.zeros(2).long(),
                                                       linear_bias=lib.ones(4)),
    lambda lib: lib.nn.functional.linear_cross_entropy(lib.ones(4), lib.ones(5, 2, 4), lib.zeros(()).long()),
    lambda lib: lib.nn.functional.linear_cross_entropy(lib.ones(2, 4), lib.ones(5, 4), lib.ones(2, 5) / 5,
                                                       ignore_index=1),
    lambda lib: lib.nn.functional.linear_cross_entropy(lib.ones(2, 4), lib.ones(5, 4), lib.tensor([0, 5]),
                                                       options=lib.nn.LinearCrossEntropyOptions()),
    lambda lib: lib.nn.functional.linear_cross_entropy(
        lib.ones(8, 4), lib.ones(5, 4), lib.zeros(8).long(),
        options=lib.nn.LinearCrossEntropyOptions(batch_chunk_size=3, chunking_method="aspect_ratio")),
    lambda lib: lib.nn.LinearCrossEntropyOptions(acc_policy="fast"),
    lambda lib: lib.nn.LinearCrossEntropyOptions(batch_chunk_size=0),
    lambda lib: lib.nn.LinearCrossEntropyOptions(chunking_method="aspect_ratio:0"),
    lambda lib: lib.nn.LinearCrossEntropyOptions(acc_dtype=lib.int64),
    lambda lib: lib.nn.LinearCrossEntropyLoss(4, 5, weight=lib.ones(3)),
    lambda lib: lib.nn.LinearCrossEntropyLoss(4, 5, label_smoothing=1.5),
])
def test_mistakes_raise_torchs_errors(call):
    assert_raises_like_torch(call)


def test_options_it_cannot_chunk_fall_back_with_torchs_warning():
    def program(lib):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            loss = lib.nn.functional.linear_cross_entropy(
                lib.ones(3, 2), lib.ones(4, 2), lib.tensor([0, 1, 2]), label_smoothing=0.1,
                options=lib.nn.LinearCrossEntropyOptions())
        return loss, [str(w.message).split(". Got")[0] for w in caught]

    assert assert_same_as_torch(program)[1] == [
        "linear_cross_entropy: ``options`` ignored; chunked path needs reduction in {'mean','sum','none'}, "
        "label_smoothing == 0, target.dtype == int64, out_features == ()"]


def test_module_holds_a_linear_layer_named_as_torchs():
    def program(lib):
        lib.manual_seed(0)
        plain = lib.nn.LinearCrossEntropyLoss(3, 4)
        head = lib.nn.LinearCrossEntropyLoss(3, 4, out_features=(2,), bias=True, reduction="sum", ignore_index=1,
                                             options=lib.nn.LinearCrossEntropyOptions(batch_chunk_size=2))
        shapes = {name: list(value.shape) for name, value in head.state_dict().items()}
        return repr(plain), list(plain.state_dict()), shapes, repr(head.options).split("acc_dtype")[0]

    assert assert_same_as_torch(program)[2] == {"linear.weight": [8, 3], "linear.bias": [8]}


@settings(max_examples=10)
@given(data=st.data(), out_features=st.sampled_from([(), (2,)]), bias=st.booleans(), chunked=st.booleans())
def test_module_forward_and_backward_match_torch(data, out_features, bias, chunked):
    rows, classes = 5, 3
    x = data.draw(mst.arrays("float64", (rows, 4), elements=mst.reals(-2, 2)), label="input")
    target = data.draw(mst.arrays("int64", (rows, *out_features), elements=st.integers(0, classes - 1)), label="target")
    chunked = chunked and not out_features  # (a K-dimensional loss is not chunked: see the warning's test)
    modules = {}
    for lib in (minigrad, torch):
        options = lib.nn.LinearCrossEntropyOptions(batch_chunk_size=2) if chunked else None
        modules[lib] = lib.nn.LinearCrossEntropyLoss(4, classes, out_features=out_features, bias=bias, options=options,
                                                     dtype=lib.float64)
    modules[minigrad].load_state_dict({k: minigrad.tensor(v.numpy()) for k, v in modules[torch].state_dict().items()})
    results = {}
    for lib, module in modules.items():
        inputs = lib.tensor(x, requires_grad=True)
        loss = module(inputs, lib.from_numpy(target))
        loss.backward()
        results[lib] = [loss.detach().numpy(), inputs.grad.numpy(), module.linear.weight.grad.numpy()]
    for ours, theirs in zip(results[minigrad], results[torch]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)
