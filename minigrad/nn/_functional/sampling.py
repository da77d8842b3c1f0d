"""Resizing images and signals: F.interpolate in the nearest, (bi/tri)linear, bicubic and area modes;
pixel and channel shuffles; and sampling at arbitrary points: affine_grid and grid_sample.

Resizing one spatial axis makes each output position a fixed weighted sum of a few input
positions (one weight of 1 for nearest, two for linear, four for cubic): each mode is one
primitive under torch's name (see _ops/resize.py). Area mode is adaptive average pooling, as
in torch.
"""

import numbers
import warnings

import numpy as np

from minigrad._dtype import scalar_type_name
from minigrad._ops import resize as resize_ops
from minigrad._ops import sampling as sampling_ops
from minigrad._ops import shape as shape_ops
from minigrad.nn._functional.conv import adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d
from minigrad.tensor import apply

__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "affine_grid",
           "grid_sample"]

_LINEAR_MODES = {"linear": 1, "bilinear": 2, "trilinear": 3}
_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")


def _check_sizes(in_sizes, out_sizes, mode):
    """torch's error for an empty input or output axis (only area mode may produce an empty output)."""
    if min(in_sizes) > 0 and (mode == "area" or min(out_sizes) > 0):
        return
    names = ("D", "H", "W")[-len(in_sizes):]

    def show(sizes):
        return ", ".join(f"{name}: {n}" for name, n in zip(names, sizes))

    joiner = " and " if len(in_sizes) == 1 else " "
    raise RuntimeError(f"Input and output sizes should be greater than 0, but got input ({show(in_sizes)}){joiner}"
                       f"output ({show(out_sizes)})")


def _check_dtype(dtype, mode):
    """torch interpolates floats in every mode and uint8 in some; other integers and bools not at all.

    Of uint8, minigrad takes the nearest modes only, which pick input values and so give torch's
    exactly: torch's uint8 bilinear and bicubic round a fixed-point computation of their own."""
    if dtype.kind == "f" or dtype == np.uint8 and mode in ("nearest", "nearest-exact"):
        return
    if dtype == np.uint8 and mode in ("bilinear", "bicubic"):
        raise NotImplementedError(f"minigrad's interpolate takes uint8 input in the nearest modes only, not {mode!r}: "
                                  "convert the input to float first")
    raise NotImplementedError(f"interpolate with mode {mode!r} is not implemented for '{scalar_type_name(dtype)}'")


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize the spatial axes of (N, C, *spatial) to `size`, or by `scale_factor`."""
    spatial = input.dim() - 2
    if spatial < 1:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) for the "
                         f"modes: {' | '.join(_MODES)} (got {mode})")
    if mode not in _MODES:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) for "
                                  f"the modes: {' | '.join(_MODES)} (got {mode})")
    needed = dict(_LINEAR_MODES, bicubic=2).get(mode, spatial)  # the spatial dims the mode works on
    if needed != spatial:
        raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs {needed + 2}D input")
    if antialias:
        raise NotImplementedError("minigrad's interpolate has no antialias option")
    _check_dtype(input._array.dtype, mode)
    if align_corners is not None and mode not in _LINEAR_MODES and mode != "bicubic":
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
        if len(factors) != spatial:
            raise ValueError(f"scale_factor shape must match input shape. Input is {spatial}D, scale_factor size is "
                             f"{len(factors)}")
        sizes = tuple(int(np.floor(n * f)) for n, f in zip(in_sizes, factors))
        if recompute_scale_factor:
            factors = (None,) * spatial
    if len(sizes) != spatial:
        raise ValueError(f"size shape must match input shape. Input is {spatial}D, size is {len(sizes)}")
    _check_sizes(in_sizes, sizes, mode)
    if mode == "area":
        return (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d)[spatial - 1](input, sizes)
    return apply(resize_ops.UPSAMPLE[mode, spatial], input, sizes=sizes, scales=factors,
                 align_corners=bool(align_corners))


def _deprecated(name):
    warnings.warn(f"`nn.functional.{name}` is deprecated. Use `nn.functional.interpolate` instead.", stacklevel=3)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated: interpolate under its old name (with torch's warning)."""
    _deprecated("upsample")
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated: interpolate(input, size, scale_factor, mode='nearest') (with torch's warning)."""
    _deprecated("upsample_nearest")
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated: interpolate(input, size, scale_factor, mode='bilinear', align_corners=True), the
    corner-aligned bilinear upsampling of (N, C, H, W) (with torch's warning)."""
    _deprecated("upsample_bilinear")
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ------------------------------------------------------------------------ pixel shuffle
def _factor(function, name, factor, input):
    """Check a pixel (un)shuffle's factor and input rank as torch does."""
    if not isinstance(factor, numbers.Integral) or isinstance(factor, bool):  # torch refuses a bool too
        raise TypeError(f"{function}(): argument '{name}' (position 2) must be int, not {type(factor).__name__}")
    if factor <= 0:
        raise RuntimeError(f"{function} expects a positive {name}, but got {factor}")
    if input.ndim < 3:
        raise RuntimeError(f"{function} expects input to have at least 3 dimensions, but got input with "
                           f"{input.ndim} dimension(s)")


def pixel_shuffle(input, upscale_factor):
    """(*, C * r^2, H, W) -> (*, C, H * r, W * r): each group of r^2 channels becomes an r x r block of pixels."""
    _factor("pixel_shuffle", "upscale_factor", upscale_factor, input)
    r = upscale_factor
    *batch, channels, height, width = input.shape
    if channels % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                           f"upscale_factor, but input.size(-3)={channels} is not divisible by {r * r}")
    x = input.reshape(-1, channels // (r * r), r, r, height, width).permute(0, 1, 4, 2, 5, 3)
    return x.reshape(*batch, channels // (r * r), height * r, width * r)


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H * r, W * r) -> (*, C * r^2, H, W): the inverse of pixel_shuffle."""
    _factor("pixel_unshuffle", "downscale_factor", downscale_factor, input)
    r = downscale_factor
    *batch, channels, height, width = input.shape
    for index, axis, size in ((-2, "height", height), (-1, "width", width)):
        if size % r:
            raise RuntimeError(f"pixel_unshuffle expects {axis} to be divisible by downscale_factor, but "
                               f"input.size({index})={size} is not divisible by {r}")
    x = input.reshape(-1, channels, height // r, r, width // r, r).permute(0, 1, 3, 5, 2, 4)
    return x.reshape(*batch, channels * r * r, height // r, width // r)


def channel_shuffle(input, groups):
    """(N, C, *) -> (N, C, *) with the C channels, read as `groups` groups of C / groups, interleaved:
    the first channel of each group, then the second of each, ... (ShuffleNet's channel mixing)."""
    if not isinstance(groups, numbers.Integral) or isinstance(groups, bool):
        raise TypeError(f"channel_shuffle(): argument 'groups' (position 2) must be int, not {type(groups).__name__}")
    if input.ndim <= 2:
        raise RuntimeError(f"channel_shuffle expects input with > 2 dims, but got input with sizes "
                           f"{list(input.shape)}")
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of groups:{groups}")
    channels = input.shape[1]
    if channels % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {channels} channels and {groups} "
                           f"groups.")
    return apply(shape_ops.channel_shuffle, input, groups=int(groups))


# ------------------------------------------------------------------------ sampling grids
def _default_align_corners(align_corners):
    if align_corners is None:
        warnings.warn("Default grid_sample and affine_grid behavior has changed to align_corners=False since 1.3.0. "
                      "Please specify align_corners=True if the old behavior is desired. See the documentation of "
                      "grid_sample for details.", stacklevel=3)
        return False
    return bool(align_corners)


def affine_grid(theta, size, align_corners=None):
    """The sampling grid (N, H, W, 2) of an affine map: each output pixel's normalised position
    (x, y, 1), x and y in [-1, 1], times theta^T, for a batch of 2x3 matrices theta and an output
    size (N, C, H, W). With grid_sample it warps images (spatial transformer networks)."""
    align_corners = _default_align_corners(align_corners)
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = list(size)
    if len(size) == 5:
        raise NotImplementedError("minigrad's affine_grid supports 4D sizes (2D affine transforms) only, got size "
                                  f"{size}")
    if len(size) != 4:
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
                                  f"respectively. Got size {size}.")
    if theta.ndim != 3 or tuple(theta.shape[1:]) != (2, 3):
        raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {size}. Got "
                         f"{theta.shape}.")
    if align_corners and min(size[-2:]) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
                      "align_corners=True. This is not an intended use case of affine_grid. See the documentation of "
                      "affine_grid for details.", stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    if theta.shape[0] != size[0]:
        raise RuntimeError(f"affine_grid: theta holds {theta.shape[0]} matrices but size asks for a batch of "
                           f"{size[0]}")
    return apply(sampling_ops.affine_grid, theta, height=size[2], width=size[3], align_corners=align_corners)


def _check_grid_sample(input, grid):
    """torch's checks of grid_sampler's input (N, C, H, W) and grid (N, H_out, W_out, 2)."""
    if input.dtype != grid.dtype:
        raise RuntimeError(f"expected scalar type {scalar_type_name(input._array.dtype)} but found "
                           f"{scalar_type_name(grid._array.dtype)} (grid_sample's input and grid must have one dtype)")
    if input.ndim == 5:
        raise NotImplementedError("minigrad's grid_sample samples 4D inputs (N, C, H, W) only, got input with "
                                  f"sizes {list(input.shape)}")
    if input.ndim != 4 or grid.ndim != 4:
        raise RuntimeError(f"grid_sampler(): expected 4D input and grid with same number of dimensions, but got "
                           f"input with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, but got input with "
                           f"sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    if grid.shape[-1] != 2:
        raise RuntimeError(f"grid_sampler(): expected grid to have size 2 in last dimension, but got grid with sizes "
                           f"{list(grid.shape)}")
    for axis in (2, 3):
        if input.shape[axis] == 0:
            raise RuntimeError(f"grid_sampler(): expected input to have non-empty spatial dimensions, but input has "
                               f"sizes {list(input.shape)} with dimension {axis} being empty")


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Sample an (N, C, H, W) input at the normalised (x, y) positions of an (N, H_out, W_out, 2) grid
    ((-1, -1) the top-left corner, (1, 1) the bottom-right): (N, C, H_out, W_out).

    mode: 'bilinear' blends the four nearest pixels, 'nearest' reads the closest one. padding_mode
    says what a point outside the image reads: 'zeros', the 'border' pixel, or its 'reflection'.
    """
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', but "
                         f"got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
                         f"'reflection', but got: '{padding_mode}'")
    align_corners = _default_align_corners(align_corners)
    _check_grid_sample(input, grid)
    if mode == "bicubic":
        raise NotImplementedError("minigrad's grid_sample has the bilinear and nearest modes only, not bicubic")
    input._refuse_non_floating("grid_sampler_2d_cpu")
    return apply(sampling_ops.grid_sample, input, grid, mode=mode, padding_mode=padding_mode,
                 align_corners=align_corners)
