"""Max pooling over tiling windows (stride = kernel, no padding) takes a shortcut without indices:
it must give torch's values and gradients exactly, ties (first maximum wins), NaN, odd sizes and
non-finite upstream gradients included."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
import torch

import minigrad
import minigrad.nn.functional as F


def _both(array, grad, **kwargs):
    x = minigrad.tensor(array, requires_grad=True)
    t = torch.tensor(array, requires_grad=True)
    out, expected = F.max_pool2d(x, **kwargs), torch.nn.functional.max_pool2d(t, **kwargs)
    out.backward(minigrad.tensor(grad))
    expected.backward(torch.tensor(grad))
    return out, expected, x.grad, t.grad


@pytest.mark.parametrize("shape, kernel", [((2, 3, 8, 8), 2), ((1, 2, 7, 9), 2), ((2, 1, 9, 6), 3),
                                           ((1, 1, 6, 8), (2, 4)), ((1, 2, 5, 5), 1)])
@pytest.mark.parametrize("case", ["ties", "nan", "signed_zeros", "inf_grad"])
def test_tiled_max_pool_matches_torch_exactly(shape, kernel, case):
    rng = np.random.default_rng(0)
    array = rng.integers(-2, 3, shape).astype(np.float32)    # few values: many ties in every window
    kernel_size = (kernel, kernel) if isinstance(kernel, int) else kernel
    out_shape = shape[:2] + tuple(s // k for s, k in zip(shape[2:], kernel_size))
    grad = rng.standard_normal(out_shape).astype(np.float32)
    if case == "nan":
        array.reshape(-1)[::7] = np.nan
    elif case == "signed_zeros":
        array = np.where(array > 0, array, np.where(array < 0, -0.0, 0.0)).astype(np.float32)
        grad = -np.abs(grad)                                 # negative upstream gradients
    elif case == "inf_grad":
        grad.reshape(-1)[::5] = np.inf
    out, expected, x_grad, t_grad = _both(array, grad, kernel_size=kernel)
    np.testing.assert_array_equal(out.detach().numpy(), expected.detach().numpy())
    np.testing.assert_array_equal(x_grad.numpy(), t_grad.numpy())
    assert np.array_equal(np.signbit(x_grad.numpy()), np.signbit(t_grad.numpy()))


def test_ceil_mode_with_whole_windows_and_the_module():
    array = np.random.default_rng(1).standard_normal((2, 2, 8, 6)).astype(np.float32)
    grad = np.ones((2, 2, 4, 3), dtype=np.float32)
    out, expected, x_grad, t_grad = _both(array, grad, kernel_size=2, ceil_mode=True)
    np.testing.assert_array_equal(out.detach().numpy(), expected.detach().numpy())
    np.testing.assert_array_equal(x_grad.numpy(), t_grad.numpy())
    pooled = minigrad.nn.MaxPool2d(2)(minigrad.tensor(array))
    assert pooled.shape == (2, 2, 4, 3)


# Values that tie, that are signed zeros, infinities or NaN, and finite values so large that a
# sum of a few overflows (the shortcut checks its inputs with sums, and must then take the exact
# path rather than give a wrong gradient).
_SPECIAL = [0.0, -0.0, 1.0, -1.0, 2.0, np.inf, -np.inf, np.nan, 3e38, -3e38]


@given(data=st.data(), n=st.integers(1, 2), c=st.integers(1, 3), height=st.integers(1, 7),
       width=st.integers(1, 7), kernel=st.sampled_from([(1, 1), (2, 2), (2, 3), (3, 2)]),
       ceil_mode=st.booleans())
def test_tiled_max_pool_matches_torch_on_drawn_special_values(data, n, c, height, width, kernel, ceil_mode):
    if kernel[0] > height or kernel[1] > width:
        return
    shape = (n, c, height, width)
    array = np.array(data.draw(st.lists(st.sampled_from(_SPECIAL), min_size=n * c * height * width,
                                        max_size=n * c * height * width)), dtype=np.float32).reshape(shape)
    x = minigrad.tensor(array, requires_grad=True)
    t = torch.tensor(array, requires_grad=True)
    out = F.max_pool2d(x, kernel_size=kernel, ceil_mode=ceil_mode)
    expected = torch.nn.functional.max_pool2d(t, kernel_size=kernel, ceil_mode=ceil_mode)
    grad = np.array(data.draw(st.lists(st.sampled_from(_SPECIAL), min_size=out.numel(), max_size=out.numel())),
                    dtype=np.float32).reshape(tuple(out.shape))
    out.backward(minigrad.tensor(grad))
    expected.backward(torch.tensor(grad))
    np.testing.assert_array_equal(out.detach().numpy(), expected.detach().numpy())
    np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())
    assert np.array_equal(np.signbit(x.grad.numpy()), np.signbit(t.grad.numpy()))


# Windows two wide are routed a window row at a time on pairs of elements, for float16 and
# float32; float64 takes the offset-by-offset rule. Every dtype must still give torch's bits.
# A NaN anywhere in the input sends the whole gradient through the indices, so it is drawn in
# only some examples. The input, and the gradient arriving, may be transposed (non-contiguous) views.
@given(data=st.data(), dtype=st.sampled_from([np.float16, np.float32, np.float64]),
       n=st.integers(1, 2), c=st.integers(1, 2), height=st.integers(2, 7), width=st.integers(2, 7),
       kernel=st.sampled_from([(1, 2), (2, 2), (3, 2), (2, 1), (2, 3)]), with_nan=st.booleans(),
       transposed=st.booleans())
def test_tiled_max_pool_gradient_has_torchs_bits_in_every_float_dtype(data, dtype, n, c, height, width, kernel,
                                                                     with_nan, transposed):
    if kernel[0] > height or kernel[1] > width:
        return
    special = [0.0, -0.0, 1.0, -1.0, 2.0, np.inf, -np.inf, np.finfo(dtype).max, -np.finfo(dtype).max]
    special += [np.nan] if with_nan else []
    shape, size = (n, c, height, width), n * c * height * width
    array = np.array(data.draw(st.lists(st.sampled_from(special), min_size=size, max_size=size)),
                     dtype=dtype).reshape(shape)
    stored = np.ascontiguousarray(array.transpose(0, 1, 3, 2)) if transposed else array
    x = minigrad.tensor(stored, requires_grad=True)
    t = torch.tensor(stored, requires_grad=True)
    view, t_view = (x.transpose(2, 3), t.transpose(2, 3)) if transposed else (x, t)
    out = F.max_pool2d(view, kernel_size=kernel)
    expected = torch.nn.functional.max_pool2d(t_view, kernel_size=kernel)
    grad_values = special + [np.nan]                                # a NaN g alone keeps the shortcut
    grad = np.array(data.draw(st.lists(st.sampled_from(grad_values), min_size=out.numel(), max_size=out.numel())),
                    dtype=dtype).reshape(tuple(out.shape))
    if transposed:                                                  # and so is the gradient arriving
        out.transpose(2, 3).backward(minigrad.tensor(np.ascontiguousarray(grad.transpose(0, 1, 3, 2))))
        expected.transpose(2, 3).backward(torch.tensor(np.ascontiguousarray(grad.transpose(0, 1, 3, 2))))
    else:
        out.backward(minigrad.tensor(grad))
        expected.backward(torch.tensor(grad))
    np.testing.assert_array_equal(out.detach().numpy(), expected.detach().numpy())
    assert x.grad.numpy().dtype == dtype
    np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())
    assert np.array_equal(np.signbit(x.grad.numpy()), np.signbit(t.grad.numpy()))
