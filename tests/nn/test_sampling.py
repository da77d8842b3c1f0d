"""F.interpolate and nn.Upsample against torch: values and gradients for drawn sizes and modes."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_close, assert_same_as_torch, torch_or_skip

torch = torch_or_skip()

MODES = [("nearest", 1), ("nearest", 2), ("nearest-exact", 2), ("linear", 1), ("bilinear", 2), ("trilinear", 3),
         ("bicubic", 2), ("area", 1), ("area", 2), ("area", 3)]


@given(mode=st.sampled_from(MODES), align_corners=st.booleans(), in_size=st.integers(1, 5),
       target=st.one_of(st.builds(lambda n: {"size": n}, st.integers(1, 7)),
                        st.builds(lambda f: {"scale_factor": f}, st.sampled_from([0.5, 1.0, 1.5, 2.0, 3.0]))),
       seed=st.integers(0, 2 ** 16))
def test_interpolate_matches_torch(mode, align_corners, in_size, target, seed):
    name, spatial = mode
    corners = align_corners if name in ("linear", "bilinear", "trilinear", "bicubic") else None
    if "scale_factor" in target and int(in_size * target["scale_factor"]) == 0:
        target = {"size": 1}
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, 2) + (in_size,) * spatial)
    ours, theirs = minigrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out = minigrad.nn.functional.interpolate(ours, mode=name, align_corners=corners, **target)
    expected = torch.nn.functional.interpolate(theirs, mode=name, align_corners=corners, **target)
    assert_close(out, expected)
    upstream = rng.standard_normal(tuple(expected.shape))
    out.backward(minigrad.tensor(upstream))
    expected.backward(torch.tensor(upstream))
    assert_close(ours.grad, theirs.grad)


def test_upsample_module_prints_and_computes_as_torch():
    for kwargs in ({"scale_factor": 2, "mode": "bilinear"}, {"size": (4, 5)}, {"scale_factor": 2}):
        ours, theirs = minigrad.nn.Upsample(**kwargs), torch.nn.Upsample(**kwargs)
        assert repr(ours) == repr(theirs)
        x = np.arange(18.0).reshape(1, 2, 3, 3)
        assert_close(ours(minigrad.tensor(x)), theirs(torch.tensor(x)))


@pytest.mark.parametrize("mode, spatial", [("nearest", 1), ("nearest", 2), ("bilinear", 2), ("bicubic", 2),
                                           ("trilinear", 3), ("linear", 1)])
@pytest.mark.parametrize("target", [{"scale_factor": 0.0}, {"scale_factor": 0.1}, {"scale_factor": -1.0},
                                    {"size": 0}])
def test_interpolate_to_an_empty_size_raises_naming_the_sizes(mode, spatial, target):
    # where a scale of 0 used to divide by zero
    def call(lib):
        return lib.nn.functional.interpolate(lib.ones((1, 2) + (4,) * spatial), mode=mode, **target)

    errors = []
    for lib in (torch, minigrad):
        with pytest.raises(Exception) as error:
            call(lib)
        errors.append(error.value)
    assert type(errors[1]) is type(errors[0]) is RuntimeError
    assert str(errors[1]) == str(errors[0])


def test_interpolate_area_to_an_empty_size_is_empty_as_in_torch():
    x = np.arange(8.0).reshape(1, 2, 4)
    out = minigrad.nn.functional.interpolate(minigrad.tensor(x), size=0, mode="area")
    assert_close(out, torch.nn.functional.interpolate(torch.tensor(x), size=0, mode="area"))


def test_interpolate_without_spatial_dims_raises_torchs_not_implemented_error():
    assert_same_as_torch(lambda T: T.nn.functional.interpolate(T.ones(4, 4), size=3))
