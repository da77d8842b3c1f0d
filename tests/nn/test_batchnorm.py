"""BatchNorm1d/BatchNorm2d and F.batch_norm against torch: training and eval, running statistics."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.testing import (assert_close, assert_function_matches_torch, assert_module_matches_torch,
                              assert_same_structure, load_torch_state, torch_or_skip)

torch = torch_or_skip()
TF = torch.nn.functional


@st.composite
def batchnorm_cases(draw):
    """A layer kind, its constructor arguments and an input shape it accepts."""
    kind = draw(st.sampled_from(["BatchNorm1d", "BatchNorm1d_L", "BatchNorm2d"]))
    channels = draw(st.integers(1, 4))
    batch = draw(st.integers(2, 4))
    spatial = {"BatchNorm1d": (), "BatchNorm1d_L": (draw(st.integers(1, 4)),),
               "BatchNorm2d": (draw(st.integers(1, 3)), draw(st.integers(1, 3)))}[kind]
    kwargs = dict(num_features=channels, eps=draw(st.sampled_from([1e-5, 1e-3])),
                  momentum=draw(st.sampled_from([0.1, 0.5, None])), affine=draw(st.booleans()),
                  track_running_stats=draw(st.booleans()), bias=draw(st.booleans()))
    return kind.split("_")[0], kwargs, (batch, channels) + spatial, draw(st.integers(0, 2**16))


@settings(max_examples=40)
@given(batchnorm_cases())
def test_batchnorm_layer_matches_torch_over_training_and_eval(case):
    kind, kwargs, shape, seed = case
    torch_layer, layer = getattr(torch.nn, kind)(**kwargs), getattr(nn, kind)(**kwargs)
    assert_same_structure(layer, torch_layer)
    rng = np.random.default_rng(seed)
    if kwargs["affine"]:  # weights other than the initial ones and zeros
        with torch.no_grad():
            for p in torch_layer.parameters():
                p.copy_(torch.from_numpy(rng.standard_normal(tuple(p.shape)).astype("float32")))
    assert_module_matches_torch(layer, torch_layer, [rng.standard_normal(shape) * 3 + 1], seed=seed, dtype="float64")
    # Further batches without re-loading the state: running statistics and the batch counter
    # must follow torch's (exponential or, with momentum=None, cumulative averages).
    for step in range(2):
        x = rng.standard_normal(shape) * 2 - 1
        assert_close(layer(minigrad.tensor(x)), torch_layer(torch.tensor(x)), what=f"output of batch {step}")
        for (name, b), (_, c) in zip(layer.named_buffers(), torch_layer.named_buffers()):
            assert_close(b, c, what=f"buffer {name} after batch {step}")
    assert_module_matches_torch(layer, torch_layer, [rng.standard_normal(shape)],
                                seed=seed, training=False, dtype="float64")


@settings(max_examples=25)
@given(st.integers(2, 4), st.integers(1, 3), st.integers(0, 3), st.booleans(), st.sampled_from([0.1, 0.9]),
       st.integers(0, 2**16))
def test_functional_batch_norm_matches_torch(batch, channels, length, training, momentum, seed):
    rng = np.random.default_rng(seed)
    shape = (batch, channels) + ((length,) if length else ())
    x, weight, bias = rng.standard_normal(shape), rng.standard_normal(channels), rng.standard_normal(channels)
    stats = rng.standard_normal(channels), rng.uniform(0.5, 2, channels)
    ours = [minigrad.tensor(s) for s in stats]
    theirs = [torch.tensor(s) for s in stats]
    assert_function_matches_torch(lambda x, w, b: F.batch_norm(x, *ours, w, b, training, momentum, 1e-5),
                                  lambda x, w, b: TF.batch_norm(x, *theirs, w, b, training, momentum, 1e-5),
                                  [x, weight, bias], seed=seed)
    for mine, reference in zip(ours, theirs):
        assert_close(mine, reference, what="running statistic")


def test_eval_mode_uses_running_statistics():
    layer = nn.BatchNorm1d(3)
    x = minigrad.randn(8, 3) * 5 + 2
    layer(x)
    layer.eval()
    out = layer(x)
    expected = (x - layer.running_mean) / (layer.running_var + layer.eps).sqrt()
    assert_close(out.detach(), expected.detach(), rtol=1e-5, atol=1e-6)
    assert int(layer.num_batches_tracked) == 1


def test_batchnorm_keeps_float32_and_state_dict_round_trips():
    torch_layer, layer = torch.nn.BatchNorm2d(3), nn.BatchNorm2d(3)
    x = np.random.default_rng(0).standard_normal((4, 3, 5, 5)).astype("float32")
    out = layer(minigrad.tensor(x))
    assert out.dtype == minigrad.float32 and layer.running_var.dtype == minigrad.float32
    assert layer.num_batches_tracked.dtype == minigrad.int64
    torch_layer.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in layer.state_dict().items()})
    for (name, b), (_, c) in zip(layer.named_buffers(), torch_layer.named_buffers()):
        assert_close(b, c, what=name)
    load_torch_state(layer, torch_layer)
    assert_module_matches_torch(layer, torch_layer, [x], dtype="float32")


def test_reprs_match_torch():
    for kwargs in (dict(), dict(momentum=None, affine=False, track_running_stats=False), dict(bias=False)):
        assert repr(nn.BatchNorm1d(3, **kwargs)) == repr(torch.nn.BatchNorm1d(3, **kwargs))
        assert repr(nn.BatchNorm2d(4, **kwargs)) == repr(torch.nn.BatchNorm2d(4, **kwargs))


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.BatchNorm1d(3)(lib.randn(2, 3, 4, 5)),
    lambda lib: lib.nn.BatchNorm2d(3)(lib.randn(2, 3, 5)),
    lambda lib: lib.nn.BatchNorm1d(3)(lib.randn(2, 4)),
    lambda lib: lib.nn.BatchNorm1d(3)(lib.randn(1, 3)),
    lambda lib: lib.nn.functional.batch_norm(lib.randn(2, 3), None, None, training=False),
])
def test_errors_match_torch(call):
    with pytest.raises(Exception) as expected:
        call(torch)
    with pytest.raises(type(expected.value)) as actual:
        call(minigrad)
    assert str(actual.value) == str(expected.value).replace("torch.Size", "minigrad.Size")


def _cnn(lib):
    nn = lib.nn
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(4 * 4 * 4, 3))


def test_cnn_with_batchnorm_trains_like_torch():
    torch_model, model = _cnn(torch).double(), _cnn(minigrad).double()
    model.load_state_dict({k: minigrad.tensor(v.numpy()) for k, v in torch_model.state_dict().items()})
    torch_optimizer = torch.optim.SGD(torch_model.parameters(), lr=0.1, momentum=0.9)
    optimizer = minigrad.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    rng = np.random.default_rng(0)
    for _ in range(10):
        images, labels = rng.standard_normal((8, 1, 8, 8)), rng.integers(0, 3, 8)
        for lib, net, opt in ((torch, torch_model, torch_optimizer), (minigrad, model, optimizer)):
            loss = lib.nn.functional.cross_entropy(net(lib.tensor(images)), lib.tensor(labels))
            opt.zero_grad()
            loss.backward()
            opt.step()
    for (name, value), (_, expected) in zip(model.state_dict().items(), torch_model.state_dict().items()):
        np.testing.assert_allclose(value.numpy(), expected.numpy(), rtol=1e-6, atol=1e-10, err_msg=name)
    torch_model.eval()
    model.eval()
    images = rng.standard_normal((4, 1, 8, 8))
    assert_close(model(minigrad.tensor(images)), torch_model(torch.tensor(images)), what="eval-mode output")
