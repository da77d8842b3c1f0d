"""BatchNorm3d, InstanceNorm3d, the 3-d padding layers, and F.interpolate / nn.Upsample on 5-D input,
against torch on tiny volumes: values, gradients, running statistics, reprs, state_dict keys, errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.testing import (assert_function_matches_torch, assert_module_matches_torch, assert_raises_like_torch,
                              assert_same_structure, torch_or_skip)

torch = torch_or_skip()
TF = torch.nn.functional


def _volume(shape, seed, dtype="float64"):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


@settings(max_examples=6)
@given(st.integers(1, 3), st.tuples(*[st.integers(1, 3)] * 3), st.booleans(), st.booleans(),
       st.sampled_from([0.1, None]), st.booleans(), st.integers(0, 2**16))
def test_batch_norm3d_matches_torch(channels, spatial, affine, track, momentum, training, seed):
    kwargs = dict(eps=1e-5, momentum=momentum, affine=affine, track_running_stats=track)
    layer, torch_layer = nn.BatchNorm3d(channels, **kwargs), torch.nn.BatchNorm3d(channels, **kwargs)
    assert_same_structure(layer, torch_layer)
    x = _volume((2, channels) + spatial, seed)
    # Two steps, so that eval mode reads running statistics the first step moved.
    assert_module_matches_torch(layer, torch_layer, [x], seed=seed, dtype="float64", training=True)
    assert_module_matches_torch(layer, torch_layer, [x * 2 + 1], seed=seed, dtype="float64", training=training,
                                load_state=False)


@settings(max_examples=6)
@given(st.sampled_from([(2,), (1, 2), (2, 2)]), st.tuples(*[st.integers(1, 3)] * 3), st.booleans(), st.booleans(),
       st.booleans(), st.integers(0, 2**16))
def test_instance_norm3d_matches_torch(lead, spatial, affine, track, training, seed):
    kwargs = dict(affine=affine, track_running_stats=track)
    layer, torch_layer = nn.InstanceNorm3d(2, **kwargs), torch.nn.InstanceNorm3d(2, **kwargs)
    assert_same_structure(layer, torch_layer)
    x = _volume(lead + spatial, seed)
    if all(size == 1 for size in spatial):   # a single position: torch wants more than one value per channel
        x = _volume(lead + (2, 1, 1), seed)
    assert_module_matches_torch(layer, torch_layer, [x], seed=seed, dtype="float64", training=True)
    assert_module_matches_torch(layer, torch_layer, [x - 1], seed=seed, dtype="float64", training=training,
                                load_state=False)


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.BatchNorm3d(2)(lib.randn(2, 2, 3, 3)),                      # 4-D
    lambda lib: lib.nn.InstanceNorm3d(2)(lib.randn(2, 3, 3)),                      # 3-D
    lambda lib: lib.nn.InstanceNorm3d(2, affine=True)(lib.randn(2, 3, 2, 3, 3)),   # channels
])
def test_norm3d_errors_match_torch(call):
    assert_raises_like_torch(call, same_message=True)


PAD_LAYERS = ["ZeroPad3d", "ConstantPad3d", "ReflectionPad3d", "ReplicationPad3d", "CircularPad3d"]


@settings(max_examples=12)
@given(st.sampled_from(PAD_LAYERS), st.one_of(st.integers(0, 2), st.tuples(*[st.integers(0, 2)] * 6)),
       st.sampled_from([(2,), (1, 2)]), st.sampled_from(["float64", "float32"]), st.integers(0, 2**16))
def test_pad3d_layers_match_torch(name, padding, lead, dtype, seed):
    args = (padding, 0.5) if name == "ConstantPad3d" else (padding,)
    layer, torch_layer = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    assert_same_structure(layer, torch_layer)
    x = _volume(lead + (3, 3, 4), seed, dtype)   # larger than any amount, as reflect needs
    out = assert_module_matches_torch(layer, torch_layer, [x], seed=seed)
    assert out.dtype == getattr(minigrad, dtype)


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.ReflectionPad3d(2)(lib.randn(1, 1, 2, 3, 3)),               # not below the size
    lambda lib: lib.nn.ReflectionPad3d((1, 2))(lib.randn(1, 1, 2, 3, 3)),          # amounts for one axis
    lambda lib: lib.nn.CircularPad3d(3)(lib.randn(1, 1, 2, 3, 3)),                 # wraps more than once
])
def test_pad3d_error_types_match_torch(call):
    assert_raises_like_torch(call)


def test_constant_pad3d_takes_fewer_amounts_as_torch():
    # torch keeps a shorter sequence as given and pads only the last axes, as F.pad does
    layer, torch_layer = nn.ConstantPad3d((1, 2), -1.0), torch.nn.ConstantPad3d((1, 2), -1.0)
    assert_same_structure(layer, torch_layer)
    assert_module_matches_torch(layer, torch_layer, [_volume((1, 2, 2, 3), 0)])


@settings(max_examples=12)
@given(st.sampled_from(["nearest", "trilinear", "nearest-exact", "area"]), st.sampled_from([None, False, True]),
       st.one_of(st.tuples(*[st.integers(1, 5)] * 3).map(lambda s: dict(size=s)),
                 st.sampled_from([2, 0.5, 1.5, (2.0, 1.0, 0.75)]).map(lambda f: dict(scale_factor=f))),
       st.sampled_from([(1, 2), (2, 1)]), st.integers(0, 2**16))
def test_interpolate_5d_matches_torch(mode, align_corners, how, lead, seed):
    kwargs = dict(how, mode=mode, align_corners=align_corners if mode == "trilinear" else None)
    x = _volume(lead + (2, 3, 4), seed)
    assert_function_matches_torch(lambda x: F.interpolate(x, **kwargs), lambda x: TF.interpolate(x, **kwargs), [x],
                                  seed=seed)
    layer, torch_layer = nn.Upsample(**kwargs), torch.nn.Upsample(**kwargs)
    assert_same_structure(layer, torch_layer)
    assert_module_matches_torch(layer, torch_layer, [x], seed=seed)


def test_trilinear_wants_5d_input_as_torch():
    assert_raises_like_torch(lambda lib: lib.nn.functional.interpolate(lib.randn(2, 2, 3, 4), scale_factor=2,
                                                                       mode="trilinear"), same_message=True)


def test_trilinear_keeps_float32():
    x = _volume((1, 2, 2, 3, 4), 0, "float32")
    out = assert_function_matches_torch(lambda x: F.interpolate(x, scale_factor=2, mode="trilinear"),
                                        lambda x: TF.interpolate(x, scale_factor=2, mode="trilinear"), [x])
    assert out.dtype == minigrad.float32
