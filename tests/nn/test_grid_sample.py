"""F.affine_grid and F.grid_sample (4-D) against torch: values and the gradients of theta, input
and grid in float64 (and float32 at its tolerance) over drawn shapes, grids reaching past the
image, every mode, padding mode and align_corners; torch's warnings and errors."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad.testing import assert_raises_like_torch, check_parity, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()


@given(st.data(), st.integers(1, 2), st.integers(1, 4), st.integers(1, 4), st.booleans())
@settings(max_examples=15)
def test_affine_grid_matches_torch(data, batch, height, width, align_corners):
    theta = data.draw(mst.arrays("float64", (batch, 2, 3), mst.reals(-2, 2)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (both warn for unit-size grids with align_corners)
        check_parity(data, lambda lib, t: lib.nn.functional.affine_grid(t, [batch, 3, height, width], align_corners),
                     [theta], requires_grad=[True])
        out = F.affine_grid(minigrad.tensor(theta, requires_grad=True), [batch, 3, height, width], align_corners)
    assert out.grad_fn.name() == "AffineGridGeneratorBackward0"


@given(st.data(), st.sampled_from(["bilinear", "nearest"]), st.sampled_from(["zeros", "border", "reflection"]),
       st.booleans(), st.sampled_from(["float64", "float32"]))
@settings(max_examples=40)
def test_grid_sample_matches_torch(data, mode, padding_mode, align_corners, dtype):
    batch, channels = data.draw(st.integers(1, 2)), data.draw(st.integers(1, 3))
    height, width = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4))
    out_height, out_width = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3))
    x = data.draw(mst.arrays("float64", (batch, channels, height, width), mst.reals(-3, 3)))
    # positions up to twice past the image, where reflection folds more than once
    grid = data.draw(mst.arrays("float64", (batch, out_height, out_width, 2), mst.reals(-2.5, 2.5)))
    check_parity(data, lambda lib, a, b: lib.nn.functional.grid_sample(a, b, mode, padding_mode, align_corners),
                 [x, grid], dtype=np.dtype(dtype))


@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
def test_points_on_pixel_centres_and_edges_get_torchs_gradients(padding_mode):
    # exactly on pixel centres, borders and their mirror images: the kinks of every padding mode
    x = np.arange(12.0).reshape(1, 1, 3, 4)
    steps = np.linspace(-1.5, 1.5, 7)
    grid = np.stack(np.meshgrid(steps, steps[::-1]), axis=-1)[None]
    for align_corners in (False, True):
        results = []
        for lib in (minigrad, torch):
            a, b = lib.tensor(x, requires_grad=True), lib.tensor(grid, requires_grad=True)
            out = lib.nn.functional.grid_sample(a, b, "bilinear", padding_mode, align_corners)
            out.backward(lib.ones_like(out))
            results.append([t.detach().numpy() for t in (out, a.grad, b.grad)])
        for mine, reference in zip(*results):
            np.testing.assert_allclose(mine, reference, rtol=1e-9, atol=1e-12)


def test_an_identity_warp_reproduces_the_image():
    image = minigrad.rand(2, 3, 5, 4)
    theta = minigrad.tensor([[[1.0, 0, 0], [0, 1, 0]]] * 2)
    grid = F.affine_grid(theta, [2, 3, 5, 4], align_corners=False)
    out = F.grid_sample(image, grid, align_corners=False)
    assert out.dtype is minigrad.float32
    np.testing.assert_allclose(out.numpy(), image.numpy(), rtol=1e-5, atol=1e-6)


def test_default_align_corners_warns_as_torch():
    x, grid = minigrad.rand(1, 1, 2, 2), minigrad.zeros(1, 1, 1, 2)
    with pytest.warns(UserWarning, match="Default grid_sample and affine_grid behavior has changed"):
        F.grid_sample(x, grid)
    with pytest.warns(UserWarning, match="Default grid_sample and affine_grid behavior has changed"):
        F.affine_grid(minigrad.zeros(1, 2, 3), [1, 1, 2, 2])
    with pytest.warns(UserWarning, match="behavior has changed for unit-size grids"):
        F.affine_grid(minigrad.zeros(1, 2, 3), [1, 1, 1, 2], align_corners=True)


@pytest.mark.parametrize("call", [
    lambda F, lib: F.affine_grid(lib.zeros(1, 2, 3, dtype=lib.int64), [1, 1, 2, 2], False),
    lambda F, lib: F.affine_grid(lib.zeros(1, 3, 3), [1, 1, 2, 2], False),
    lambda F, lib: F.affine_grid(lib.zeros(1, 2, 3), [1, 2, 2], False),
    lambda F, lib: F.affine_grid(lib.zeros(1, 2, 3), [1, 1, 0, 2], False),
    lambda F, lib: F.grid_sample(lib.ones(1, 1, 2, 2), lib.zeros(1, 1, 1, 2), mode="cubic", align_corners=False),
    lambda F, lib: F.grid_sample(lib.ones(1, 1, 2, 2), lib.zeros(1, 1, 1, 2), padding_mode="wrap",
                                 align_corners=False),
    lambda F, lib: F.grid_sample(lib.ones(1, 1, 2, 2), lib.zeros(1, 1, 1, 2, dtype=lib.float64), align_corners=False),
    lambda F, lib: F.grid_sample(lib.ones(1, 1, 2, 2), lib.zeros(1, 1, 2), align_corners=False),
    lambda F, lib: F.grid_sample(lib.ones(2, 1, 2, 2), lib.zeros(1, 1, 1, 2), align_corners=False),
    lambda F, lib: F.grid_sample(lib.ones(1, 1, 2, 2), lib.zeros(1, 1, 1, 3), align_corners=False),
    lambda F, lib: F.grid_sample(lib.ones(1, 1, 0, 2), lib.zeros(1, 1, 1, 2), align_corners=False),
])
def test_errors_match_torch(call):
    mine, theirs = assert_raises_like_torch(lambda lib: call(lib.nn.functional, lib))
    assert str(theirs)[:40] in str(mine)
