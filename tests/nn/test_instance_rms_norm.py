"""InstanceNorm1d/2d and RMSNorm against torch: outputs, input and parameter gradients, running
statistics in training and their use in eval, printed form and state dict keys."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_module_matches_torch, assert_same_as_torch, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()


@given(dims=st.sampled_from([1, 2]), batched=st.booleans(), affine=st.booleans(), track=st.booleans(),
       seed=st.integers(0, 2 ** 16), data=st.data())
def test_instance_norm_matches_torch(dims, batched, affine, track, seed, data):
    rng = np.random.default_rng(seed)
    channels = data.draw(st.integers(1, 3))
    spatial = tuple(data.draw(st.integers(2, 4)) for _ in range(dims))
    shape = ((data.draw(st.integers(1, 3)),) if batched else ()) + (channels,) + spatial
    name = f"InstanceNorm{dims}d"
    options = {"affine": affine, "track_running_stats": track, "momentum": data.draw(st.floats(0.05, 0.5))}
    ours = getattr(minigrad.nn, name)(channels, **options).double()
    theirs = getattr(torch.nn, name)(channels, **options).double()
    assert repr(ours) == repr(theirs) and list(ours.state_dict()) == list(theirs.state_dict())
    if affine:
        with torch.no_grad():
            theirs.weight.copy_(torch.tensor(rng.standard_normal(channels)))
            theirs.bias.copy_(torch.tensor(rng.standard_normal(channels)))
        ours.load_state_dict({k: minigrad.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    for training in (True, True, False):
        ours.train(training)
        theirs.train(training)
        assert_module_matches_torch(ours, theirs, [rng.standard_normal(shape)], seed=rng, load_state=False)


@given(shape=mst.shapes(min_dims=1, max_dims=3), affine=st.booleans(), eps=st.sampled_from([None, 1e-5]),
       dtype=st.sampled_from(["float64", "float32"]), seed=st.integers(0, 2 ** 16), data=st.data())
def test_rms_norm_matches_torch(shape, affine, eps, dtype, seed, data):
    rng = np.random.default_rng(seed)
    normalized = shape[len(shape) - data.draw(st.integers(1, len(shape))):]
    ours = minigrad.nn.RMSNorm(normalized, eps=eps, elementwise_affine=affine).to(getattr(minigrad, dtype))
    theirs = torch.nn.RMSNorm(normalized, eps=eps, elementwise_affine=affine).to(getattr(torch, dtype))
    assert repr(ours) == repr(theirs) and list(ours.state_dict()) == list(theirs.state_dict())
    if affine:
        with torch.no_grad():
            theirs.weight.copy_(torch.tensor(rng.standard_normal(normalized)))
        ours.load_state_dict({k: minigrad.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    assert_module_matches_torch(ours, theirs, [rng.standard_normal(shape).astype(dtype)], seed=rng, load_state=False)


def test_wrong_input_dims_raise_as_torch():
    for lib in (minigrad, torch):
        with pytest.raises(ValueError, match="expected 2D or 3D input"):
            lib.nn.InstanceNorm1d(3)(lib.ones(1, 3, 2, 2))
        with pytest.raises(RuntimeError, match="normalized_shape"):
            lib.nn.RMSNorm(3)(lib.ones(2, 4))


@pytest.mark.parametrize("dims", [1, 2])
def test_instance_norm_with_momentum_none_leaves_its_running_stats_as_torch(dims):
    """torch hands instance_norm a momentum of 0 for momentum=None: the running stats stay put."""
    x = np.random.default_rng(0).standard_normal((4, 3) + (5,) * dims)

    def program(T):
        norm = getattr(T.nn, f"InstanceNorm{dims}d")(3, track_running_stats=True, momentum=None)
        out = norm(T.tensor(x, dtype=T.float32))
        return out, norm.running_mean, norm.running_var
    assert_same_as_torch(program, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("program", [
    lambda T: T.nn.functional.instance_norm(T.ones(2, 3, 1)),
    lambda T: T.nn.InstanceNorm1d(3)(T.ones(2, 3, 1)),
    lambda T: T.nn.functional.instance_norm(T.ones(1, 3, 1, 1)),
    lambda T: list(T.nn.InstanceNorm1d(3, track_running_stats=True).eval()(T.ones(2, 3, 1)).shape),
])
def test_instance_norm_of_a_single_position_raises_in_training_as_torch(program):
    """One value per instance and channel is its own mean: torch refuses to normalise it (the
    output would be all zeros), except with running statistics in eval mode."""
    assert_same_as_torch(program)
