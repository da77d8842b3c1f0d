"""Resizing images and signals: F.interpolate for the nearest and (bi/tri)linear modes.

Resizing one spatial axis is a matrix product: each output position is a fixed weighted
sum of input positions (one weight of 1 for nearest, two for linear). So interpolation
is ``x @ A.T`` along each axis in turn, with A built once from the sizes, and its
gradient is the product with A, which autograd already knows.
"""

import numpy as np

from minigrad.tensor import Tensor

__all__ = ["interpolate", "upsample"]

_LINEAR_MODES = {"linear": 1, "bilinear": 2, "trilinear": 3}


def _scale(in_size, out_size, scale_factor, align_corners):
    """torch's ratio of input to output coordinates."""
    if align_corners:
        return (in_size - 1) / (out_size - 1) if out_size > 1 else 0.0
    return 1.0 / scale_factor if scale_factor is not None else in_size / out_size


def _matrix(in_size, out_size, scale_factor, mode, align_corners, dtype):
    """A (out_size, in_size) matrix whose rows hold each output position's weights."""
    if mode in _LINEAR_MODES and out_size == in_size:
        # torch's linear kernels copy an axis whose size does not change, whatever the scale factor
        # (1.1 on 4 elements gives 4), instead of interpolating at the scaled positions.
        return np.eye(in_size, dtype=dtype)
    scale = _scale(in_size, out_size, scale_factor, align_corners)
    out = np.arange(out_size)
    matrix = np.zeros((out_size, in_size), dtype=dtype)
    if mode == "nearest":
        source = np.minimum(np.floor(out.astype(np.float32) * np.float32(scale)).astype(np.int64), in_size - 1)
        matrix[out, source] = 1
        return matrix
    if mode == "nearest-exact":
        source = np.minimum(np.floor((out + 0.5) * scale).astype(np.int64), in_size - 1)
        matrix[out, source] = 1
        return matrix
    source = out * scale if align_corners else np.maximum((out + 0.5) * scale - 0.5, 0.0)
    low = np.minimum(np.floor(source).astype(np.int64), in_size - 1)
    high = np.minimum(low + 1, in_size - 1)
    weight_high = source - low
    np.add.at(matrix, (out, low), 1 - weight_high)
    np.add.at(matrix, (out, high), weight_high)
    return matrix


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize the spatial axes of (N, C, *spatial) to `size`, or by `scale_factor`."""
    spatial = input.dim() - 2
    if spatial < 1:
        raise ValueError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) for the "
                         f"modes: nearest | linear | bilinear | trilinear (got {mode})")
    if mode in _LINEAR_MODES and _LINEAR_MODES[mode] != spatial:
        raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs {_LINEAR_MODES[mode] + 2}D input")
    if mode not in ("nearest", "nearest-exact") and mode not in _LINEAR_MODES:
        raise NotImplementedError(f"minigrad's interpolate supports nearest, nearest-exact, linear, bilinear and "
                                  f"trilinear, got mode={mode!r}")
    if align_corners is not None and mode not in _LINEAR_MODES:
        raise ValueError("align_corners option can only be set with the interpolating modes: linear | bilinear | "
                         "bicubic | trilinear")
    if (size is None) == (scale_factor is None):
        raise ValueError("only one of size or scale_factor should be defined")
    in_sizes = tuple(input.shape[2:])
    if size is not None:
        sizes = (size,) * spatial if isinstance(size, int) else tuple(size)
        factors = (None,) * spatial
    else:
        factors = (float(scale_factor),) * spatial if np.isscalar(scale_factor) else tuple(map(float, scale_factor))
        sizes = tuple(int(np.floor(n * f)) for n, f in zip(in_sizes, factors))
        if recompute_scale_factor:
            factors = (None,) * spatial
    if len(sizes) != spatial:
        raise ValueError(f"size shape must match input shape. Input is {spatial}D, size is {len(sizes)}")
    dtype = input._array.dtype
    out = input
    for axis, (n_in, n_out, factor) in enumerate(zip(in_sizes, sizes, factors)):
        matrix = Tensor._wrap(_matrix(n_in, n_out, factor, mode, bool(align_corners), dtype))
        moved = out.transpose(2 + axis, -1)
        out = moved.matmul(matrix.t()).transpose(2 + axis, -1)
    return out


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    return interpolate(input, size, scale_factor, mode, align_corners)
