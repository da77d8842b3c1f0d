"""SyncBatchNorm, DataParallel and the old Container as torch runs them in one process without a GPU: SyncBatchNorm
computes BatchNorm's statistics over the batch of any rank, DataParallel calls its module."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad import nn
from minigrad.testing import (assert_close, assert_module_matches_torch, assert_raises_like_torch,
                              assert_same_structure, torch_or_skip)

torch = torch_or_skip()


@settings(max_examples=20)
@given(rank=st.integers(2, 5), channels=st.integers(1, 3), momentum=st.sampled_from([0.1, None]),
       affine=st.booleans(), track=st.booleans(), seed=st.integers(0, 2**16))
def test_sync_batchnorm_matches_torch_over_training_and_eval(rank, channels, momentum, affine, track, seed):
    kwargs = dict(num_features=channels, momentum=momentum, affine=affine, track_running_stats=track)
    torch_layer, layer = torch.nn.SyncBatchNorm(**kwargs), nn.SyncBatchNorm(**kwargs)
    assert_same_structure(layer, torch_layer)
    rng = np.random.default_rng(seed)
    shape = (3, channels) + (2,) * (rank - 2)
    if affine:
        with torch.no_grad():
            for p in torch_layer.parameters():
                p.copy_(torch.from_numpy(rng.standard_normal(tuple(p.shape)).astype("float32")))
    assert_module_matches_torch(layer, torch_layer, [rng.standard_normal(shape) * 3 + 1], seed=seed, dtype="float64")
    for step in range(2):
        x = rng.standard_normal(shape)
        assert_close(layer(minigrad.tensor(x)), torch_layer(torch.tensor(x)), what=f"output of batch {step}")
        for (name, b), (_, c) in zip(layer.named_buffers(), torch_layer.named_buffers()):
            assert_close(b, c, what=f"buffer {name} after batch {step}")
    assert_module_matches_torch(layer, torch_layer, [rng.standard_normal(shape)], seed=seed, training=False,
                                dtype="float64")


@pytest.mark.parametrize("shape", [(4,), (), (2, 0), (2, 0, 3)])
def test_sync_batchnorm_refuses_inputs_like_torch(shape):
    channels = shape[1] if len(shape) > 1 else 4
    ours, theirs = assert_raises_like_torch(lambda lib: lib.nn.SyncBatchNorm(channels)(lib.ones(shape)))
    assert type(ours) is type(theirs) is ValueError
    assert str(ours) == str(theirs)


def _model(lib):
    return lib.nn.Sequential(lib.nn.Conv2d(1, 2, 3), lib.nn.BatchNorm2d(2, momentum=None),
                             lib.nn.Sequential(lib.nn.Flatten(), lib.nn.BatchNorm1d(8, affine=False)),
                             lib.nn.InstanceNorm1d(8), lib.nn.Linear(8, 2))


def test_convert_sync_batchnorm_replaces_every_batchnorm_sharing_its_tensors():
    models, converted = {}, {}
    for lib in (minigrad, torch):
        model = _model(lib)
        model[2].eval()
        models[lib], converted[lib] = model, lib.nn.SyncBatchNorm.convert_sync_batchnorm(model)
    assert repr(converted[minigrad]) == repr(converted[torch])
    assert list(converted[minigrad].state_dict()) == list(converted[torch].state_dict())
    old, new = models[minigrad][1], converted[minigrad][1]
    assert type(new) is nn.SyncBatchNorm and new.weight is old.weight and new.running_var is old.running_var
    assert new.num_batches_tracked is old.num_batches_tracked and new.momentum is None
    assert not converted[minigrad][2][1].training and converted[minigrad][2][1].weight is None
    assert type(converted[minigrad][3]) is nn.InstanceNorm1d  # not a batch norm: kept, as in torch
    assert type(nn.SyncBatchNorm.convert_sync_batchnorm(nn.BatchNorm1d(3))) is nn.SyncBatchNorm


def test_data_parallel_calls_its_module_and_keeps_torchs_keys():
    rng = np.random.default_rng(0)
    wrapped = {lib: lib.nn.DataParallel(lib.nn.Linear(4, 3), device_ids=[0], dim=0) for lib in (minigrad, torch)}
    ours, theirs = wrapped[minigrad], wrapped[torch]
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["module.weight", "module.bias"]
    assert ours.device_ids == theirs.device_ids == []
    ours.load_state_dict({key: minigrad.from_numpy(value.numpy().copy()) for key, value in theirs.state_dict().items()})
    x = rng.standard_normal((5, 4)).astype(np.float32)
    assert_close(ours(minigrad.from_numpy(x)), theirs(torch.from_numpy(x)), what="output")
    assert minigrad.nn.parallel.DataParallel is nn.DataParallel


def test_data_parallel_passes_keyword_arguments_and_gradients():
    class Scale(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(minigrad.tensor(2.0))

        def forward(self, x, *, shift=0.0):
            return self.w * x + shift

    model = nn.DataParallel(Scale())
    model(minigrad.tensor([1.0, 3.0]), shift=1.0).sum().backward()
    assert model.module.w.grad.item() == 4.0


def test_the_old_container_registers_its_keyword_modules_like_torch():
    made = {}
    for lib in (minigrad, torch):
        with pytest.warns(FutureWarning, match="`nn.Container` is deprecated"):
            made[lib] = lib.nn.Container(encoder=lib.nn.Linear(2, 3), head=lib.nn.Linear(3, 1))
    assert repr(made[minigrad]) == repr(made[torch])
    assert list(made[minigrad].state_dict()) == list(made[torch].state_dict())
