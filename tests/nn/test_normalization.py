"""LayerNorm, GroupNorm, F.layer_norm, F.group_norm (and F.normalize) against torch."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.testing import (assert_function_matches_torch, assert_module_matches_torch, assert_same_as_torch,
                              assert_same_structure, torch_or_skip)

torch = torch_or_skip()
TF = torch.nn.functional


def _randomise(torch_layer, rng):
    """Weights other than the initial ones and zeros, so that their gradients matter."""
    with torch.no_grad():
        for p in torch_layer.parameters():
            p.copy_(torch.from_numpy(rng.standard_normal(tuple(p.shape)).astype("float32")))


@settings(max_examples=30)
@given(st.lists(st.integers(1, 4), min_size=1, max_size=4), st.integers(1, 3), st.booleans(), st.booleans(),
       st.sampled_from([1e-5, 1e-2]), st.integers(0, 2**16))
def test_layer_norm_matches_torch(shape, normalized_dims, affine, bias, eps, seed):
    normalized_dims = min(normalized_dims, len(shape))
    normalized_shape = tuple(shape[len(shape) - normalized_dims:])
    torch_layer = torch.nn.LayerNorm(normalized_shape, eps, affine, bias)
    layer = nn.LayerNorm(normalized_shape, eps, affine, bias)
    assert_same_structure(layer, torch_layer)
    rng = np.random.default_rng(seed)
    _randomise(torch_layer, rng)
    assert_module_matches_torch(layer, torch_layer, [rng.standard_normal(shape) * 2 + 1], seed=seed, dtype="float64")


@settings(max_examples=25)
@given(st.integers(1, 3), st.sampled_from([(1, 1), (1, 2), (2, 2), (3, 1), (2, 3)]), st.integers(0, 2),
       st.booleans(), st.integers(0, 2**16))
def test_group_norm_matches_torch(batch, groups_and_size, spatial_dims, affine, seed):
    groups, per_group = groups_and_size
    channels = groups * per_group
    rng = np.random.default_rng(seed)
    shape = (batch, channels) + tuple(rng.integers(1, 4, spatial_dims))
    torch_layer, layer = torch.nn.GroupNorm(groups, channels, affine=affine), nn.GroupNorm(groups, channels,
                                                                                          affine=affine)
    assert_same_structure(layer, torch_layer)
    _randomise(torch_layer, rng)
    if np.prod(shape) == groups:  # one value per group: torch refuses, and so must minigrad
        with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
            torch_layer(torch.randn(shape))
        with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
            layer(minigrad.randn(shape))
        return
    assert_module_matches_torch(layer, torch_layer, [rng.standard_normal(shape)], seed=seed, dtype="float64")


@settings(max_examples=25)
@given(st.lists(st.integers(1, 4), min_size=1, max_size=3), st.sampled_from([1.0, 2.0, 3.0]), st.integers(0, 2),
       st.integers(0, 2**16))
def test_normalize_matches_torch(shape, p, dim, seed):
    dim = min(dim, len(shape) - 1)
    x = np.random.default_rng(seed).standard_normal(shape)
    assert_function_matches_torch(lambda x: F.normalize(x, p, dim), lambda x: TF.normalize(x, p, dim), [x], seed=seed)


def test_layer_norm_keeps_float32():
    torch_layer, layer = torch.nn.LayerNorm((3, 4)), nn.LayerNorm((3, 4))
    x = np.random.default_rng(0).standard_normal((2, 3, 4)).astype("float32")
    assert layer(minigrad.tensor(x)).dtype == minigrad.float32
    assert_module_matches_torch(layer, torch_layer, [x], dtype="float32")


def test_layer_norm_wrong_shape_names_both_shapes():
    with pytest.raises(RuntimeError) as expected:
        TF.layer_norm(torch.randn(2, 3), (4,))
    with pytest.raises(RuntimeError) as actual:
        F.layer_norm(minigrad.randn(2, 3), (4,))
    assert str(actual.value) == str(expected.value)


def test_group_norm_indivisible_channels():
    with pytest.raises(RuntimeError) as expected:
        torch.nn.GroupNorm(2, 4)(torch.randn(2, 3, 5))
    with pytest.raises(RuntimeError) as actual:
        nn.GroupNorm(2, 4)(minigrad.randn(2, 3, 5))
    assert str(actual.value) == str(expected.value)


_NORMALISED = np.random.default_rng(0).standard_normal((2, 3, 4)).astype(np.float32)


@pytest.mark.parametrize("program", [
    lambda T: T.nn.functional.layer_norm(T.tensor(_NORMALISED), (4,), weight=T.ones(4, dtype=T.float64)),
    lambda T: T.nn.functional.layer_norm(T.tensor(_NORMALISED), (4,), bias=T.ones(4, dtype=T.float64)),
    lambda T: T.nn.functional.layer_norm(T.tensor(_NORMALISED).double(), (4,), weight=T.ones(4)),
    lambda T: T.nn.functional.group_norm(T.tensor(_NORMALISED), 1, weight=T.ones(3, dtype=T.float64)),
    lambda T: T.nn.functional.batch_norm(T.tensor(_NORMALISED), None, None, weight=T.ones(3, dtype=T.float64),
                                         training=True),
    lambda T: T.nn.functional.batch_norm(T.tensor(_NORMALISED), T.zeros(3, dtype=T.float64),
                                         T.ones(3, dtype=T.float64), training=False),
    lambda T: T.nn.BatchNorm1d(3)(T.tensor(_NORMALISED).double()),   # float32 module, float64 data
    lambda T: T.nn.LayerNorm(4)(T.tensor(_NORMALISED).double()),
    lambda T: T.nn.InstanceNorm1d(3, affine=True)(T.tensor(_NORMALISED).double()),
    lambda T: T.nn.BatchNorm1d(3).double()(T.tensor(_NORMALISED).double()),
])
def test_normalisation_parameters_of_another_dtype_raise_as_torch(program):
    """A float32 module on float64 data (or float64 statistics on float32 data) is refused, as
    torch computes in one dtype, instead of giving a result in a promoted dtype."""
    assert_same_as_torch(program, rtol=1e-5, atol=1e-6)
