"""F.interpolate and nn.Upsample against torch: values and gradients for drawn sizes and modes."""

import numpy as np
import torch
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_close

MODES = [("nearest", 1), ("nearest", 2), ("nearest-exact", 2), ("linear", 1), ("bilinear", 2), ("trilinear", 3)]


@given(mode=st.sampled_from(MODES), align_corners=st.booleans(), in_size=st.integers(1, 5),
       target=st.one_of(st.builds(lambda n: {"size": n}, st.integers(1, 7)),
                        st.builds(lambda f: {"scale_factor": f}, st.sampled_from([0.5, 1.0, 1.5, 2.0, 3.0]))),
       seed=st.integers(0, 2 ** 16))
def test_interpolate_matches_torch(mode, align_corners, in_size, target, seed):
    name, spatial = mode
    corners = align_corners if name in ("linear", "bilinear", "trilinear") else None
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
