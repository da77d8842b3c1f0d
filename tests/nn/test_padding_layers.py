"""Padding, distance and pixel-shuffle layers against torch: repr, output and input gradients."""

import numpy as np
import pytest

import minigrad
from minigrad.testing import assert_close, assert_raises_like_torch, assert_same_as_torch, torch_or_skip

torch = torch_or_skip()

CASES = [
    ("ZeroPad2d", ((1, 2, 0, 1),), (2, 3, 4, 4)), ("ZeroPad1d", (2,), (2, 3, 5)),
    ("ConstantPad1d", (2, 3.5), (2, 3, 5)), ("ConstantPad2d", ((1, 0, 2, 1), -1.0), (1, 2, 3, 3)),
    ("ReflectionPad1d", ((1, 2),), (2, 3, 5)), ("ReflectionPad2d", (1,), (2, 2, 4, 4)),
    ("ReplicationPad1d", ((1, 2),), (2, 3, 5)), ("ReplicationPad2d", ((2, 1, 0, 1),), (1, 2, 3, 4)),
    ("CircularPad1d", (1,), (2, 3, 5)), ("CircularPad2d", ((1, 2, 1, 0),), (1, 2, 4, 4)),
    ("Softmax2d", (), (2, 3, 2, 2)), ("PixelShuffle", (2,), (2, 8, 3, 2)), ("PixelUnshuffle", (2,), (2, 2, 4, 6)),
]


@pytest.mark.parametrize("name, args, shape", CASES, ids=[c[0] for c in CASES])
def test_layer_matches_torch(name, args, shape):
    ours, theirs = getattr(minigrad.nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(ours) == repr(theirs)
    rng = np.random.default_rng(len(name))
    x = rng.standard_normal(shape)
    x_m, x_t = minigrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out_m, out_t = ours(x_m), theirs(x_t)
    assert_close(out_m, out_t)
    upstream = rng.standard_normal(tuple(out_t.shape))
    out_m.backward(minigrad.tensor(upstream))
    out_t.backward(torch.tensor(upstream))
    assert_close(x_m.grad, x_t.grad)


@pytest.mark.parametrize("name", ["CosineSimilarity", "PairwiseDistance"])
def test_distance_layers_match_torch(name):
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((4, 5)), rng.standard_normal((4, 5))
    ours, theirs = getattr(minigrad.nn, name)(), getattr(torch.nn, name)()
    assert repr(ours) == repr(theirs)
    assert_close(ours(minigrad.tensor(a), minigrad.tensor(b)), theirs(torch.tensor(a), torch.tensor(b)))


@pytest.mark.parametrize("name, factor, shape", [
    ("pixel_shuffle", 2, (2, 8, 3, 2)), ("pixel_shuffle", 3, (9, 2, 2)), ("pixel_shuffle", 1, (1, 2, 3, 2, 2)),
    ("pixel_unshuffle", 2, (2, 2, 4, 6)), ("pixel_unshuffle", 3, (1, 6, 3)), ("pixel_unshuffle", 2, (2, 1, 1, 2, 4)),
])
def test_functional_pixel_shuffle_matches_torch(name, factor, shape):
    """Any number of leading batch axes (none included); values and gradients."""
    rng = np.random.default_rng(sum(shape))
    x = rng.standard_normal(shape)
    x_m, x_t = minigrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out_m, out_t = getattr(minigrad.nn.functional, name)(x_m, factor), getattr(torch.nn.functional, name)(x_t, factor)
    assert_close(out_m, out_t)
    upstream = rng.standard_normal(tuple(out_t.shape))
    out_m.backward(minigrad.tensor(upstream))
    out_t.backward(torch.tensor(upstream))
    assert_close(x_m.grad, x_t.grad)


@pytest.mark.parametrize("name, factor, shape", [
    ("pixel_shuffle", 2, (1, 3, 2, 2)), ("pixel_shuffle", 2, (3, 2)), ("pixel_shuffle", 0, (1, 4, 2, 2)),
    ("pixel_shuffle", 2.0, (1, 4, 2, 2)), ("pixel_shuffle", True, (1, 4, 2, 2)),
    ("pixel_unshuffle", 2, (1, 1, 3, 4)), ("pixel_unshuffle", 2, (1, 1, 4, 3)), ("pixel_unshuffle", 2, (3, 4)),
    ("pixel_unshuffle", -1, (1, 1, 4, 4)),
])
def test_pixel_shuffle_errors_are_torchs(name, factor, shape):
    x = np.zeros(shape)
    assert_raises_like_torch(lambda lib: getattr(lib.nn.functional, name)(lib.tensor(x), factor), same_message=True)


_PLANES = np.arange(30.0).reshape(1, 2, 3, 5)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("pad", [(-1, 2), (2, -1), (-2, -1), (-1, 0), (1, -4), (-1, 1, 1, -1), (0, 0, -1, 2),
                                 (2, 2, -1, -1)])
def test_negative_padding_crops_before_padding_as_torch(mode, pad):
    """A negative amount removes that many elements at that side; reflect and replicate still
    mirror or repeat at the input's own edges, circular wraps around what is left."""
    def program(T):
        x = T.tensor(_PLANES[0, :, 0] if len(pad) == 2 else _PLANES, requires_grad=True)
        y = T.nn.functional.pad(x, pad, mode=mode)
        y.backward(T.tensor(np.arange(y.numel(), dtype=np.float64).reshape(tuple(y.shape))))
        return y, x.grad
    assert_same_as_torch(program)
