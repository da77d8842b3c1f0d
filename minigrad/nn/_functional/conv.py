"""Convolution and pooling as functions: conv1d/2d/3d, unfold/fold, max/avg, adaptive and power-average
(lp) pooling in 1-d, 2-d and 3-d, and max unpooling.

These check torch's arguments and raise torch's errors where the mistake is made, then
hand the arrays to the primitives in ``minigrad._ops.conv`` and ``minigrad._ops.pooling``.
Unbatched inputs (no N axis) get a batch axis of one for the computation; 1-d pooling is
2-d pooling over an inserted axis of size one, as in torch.
"""

import math
import numbers

from minigrad._dtype import int64, scalar_type_name
from minigrad._ops import conv as conv_ops
from minigrad._ops import pooling as pool_ops
from minigrad.autograd.grad_mode import is_grad_enabled
from minigrad.creation import rand
from minigrad.tensor import Tensor, apply

__all__ = ["conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool1d", "adaptive_max_pool2d",
           "avg_pool1d", "avg_pool2d", "conv1d", "conv2d", "conv3d", "fold", "max_pool1d", "max_pool2d", "unfold", "lp_pool1d",
           "lp_pool2d", "max_pool1d_with_indices", "max_pool2d_with_indices", "adaptive_max_pool1d_with_indices",
           "adaptive_max_pool2d_with_indices", "fractional_max_pool2d", "fractional_max_pool2d_with_indices",
           "fractional_max_pool3d", "fractional_max_pool3d_with_indices", "max_unpool1d", "max_unpool2d", "max_pool3d", "max_pool3d_with_indices",
           "avg_pool3d", "adaptive_avg_pool3d", "adaptive_max_pool3d", "adaptive_max_pool3d_with_indices", "lp_pool3d",
           "max_unpool3d"]


def _ntuple(value, n, name, context):
    """An int or a sequence of n ints, as a tuple of n ints (torch's `_pair` with its error)."""
    if isinstance(value, numbers.Integral):
        return (int(value),) * n
    value = tuple(int(v) for v in value)
    if len(value) == 1:
        return value * n
    if len(value) != n:
        raise RuntimeError(f"{context}: {name} must either be a single int, or a tuple of {n} ints, "
                           f"but got {name}={list(value)}")
    return value


def _shape(t):
    return list(t.shape)


def _with_batch_axis(input, spatial_dims, name):
    """input as a batched (N, C, *spatial) tensor, and whether a batch axis was added."""
    if input.dim() == spatial_dims + 1:
        return input.unsqueeze(0), True
    if input.dim() == spatial_dims + 2:
        return input, False
    raise RuntimeError(f"Expected {spatial_dims + 1}D (unbatched) or {spatial_dims + 2}D (batched) input to "
                       f"{name}, but got input of size: {_shape(input)}")


# ---------------------------------------------------------------------------- convolution
def _conv_tuple(value, n, name):
    if isinstance(value, numbers.Integral):
        return (int(value),) * n
    value = tuple(int(v) for v in value)
    if len(value) == 1 and n > 1:
        return value * n
    if len(value) != n:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} values to match the "
                           f"convolution dimensions, but got {name}={list(value)}")
    return value


def _conv_padding(padding, kernel, stride, dilation):
    """torch's padding argument (ints, "valid" or "same") as (before, after) pairs."""
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * len(kernel)
        if padding != "same":
            raise RuntimeError(f"Invalid padding string: {padding!r}")
        if any(s != 1 for s in stride):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        # The output keeps the input's size; an odd total padding puts the extra one after.
        totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return tuple((total // 2, total - total // 2) for total in totals)
    padding = _conv_tuple(padding, len(kernel), "padding")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    return tuple((p, p) for p in padding)


def _checked_arguments(input, weight, stride, dilation, groups, spatial_dims, name):
    """What a convolution and its transpose check alike: the input batched, and the
    weight's rank, stride, dilation and groups; returns (input, batch added?, stride, dilation)."""
    batched, added = _with_batch_axis(input, spatial_dims, name)
    if weight.dim() != spatial_dims + 2:
        raise RuntimeError(f"{name}: expected weight to be {spatial_dims + 2}-dimensional, "
                           f"but got weight of size {_shape(weight)}")
    stride = _conv_tuple(stride, spatial_dims, "stride")
    dilation = _conv_tuple(dilation, spatial_dims, "dilation")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("non-positive dilation is not supported")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    return batched, added, stride, dilation


def _convolution(input, weight, bias, stride, padding, dilation, groups, spatial_dims, name):
    batched, added, stride, dilation = _checked_arguments(input, weight, stride, dilation, groups, spatial_dims,
                                                          name)
    kernel = tuple(weight.shape[2:])
    pairs = _conv_padding(padding, kernel, stride, dilation)
    out_channels, in_per_group = weight.shape[0], weight.shape[1]
    if out_channels % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
                           f"but got weight of size [{_shape(weight)}] instead")
    if batched.shape[1] != in_per_group * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {_shape(weight)}, expected input"
                           f"{_shape(batched)} to have {in_per_group * groups} channels, but got "
                           f"{batched.shape[1]} channels instead")
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != out_channels):
        raise RuntimeError(f"Given weight of size {_shape(weight)}, expected bias to be 1-dimensional with "
                           f"{out_channels} elements, but got bias of size {_shape(bias)} instead")
    padded = tuple(size + lo + hi for size, (lo, hi) in zip(batched.shape[2:], pairs))
    extent = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    if any(e > p for e, p in zip(extent, padded)):
        raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). Kernel "
                           f"size: ({' x '.join(map(str, extent))}). Kernel size can't be greater than actual "
                           "input size")
    if weight.dtype != batched.dtype:
        raise RuntimeError(f"expected input and weight to have the same dtype, but got input {batched.dtype} "
                           f"and weight {weight.dtype}")
    if bias is not None and bias.dtype != batched.dtype:
        raise RuntimeError(f"Input type ({batched.dtype}) and bias type ({bias.dtype}) should be the same")
    # The columns (im2col) are built here once and handed over as a constant when the weight's
    # gradient will be wanted: its rule reuses them instead of building them again.
    cols = (conv_ops.columns(batched._array, kernel, stride, pairs, dilation, groups,
                             ones_row=conv_ops.bias_in_columns(kernel, bias))
            if weight.requires_grad and is_grad_enabled() else None)
    out = apply(conv_ops.convolution, batched, weight, bias, cols,
                stride=stride, padding=pairs, dilation=dilation, groups=groups)
    return out.squeeze(0) if added else out


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-d convolution of (N, C_in, L) or (C_in, L) with weight (C_out, C_in / groups, k)."""
    return _convolution(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-d convolution of (N, C_in, H, W) or (C_in, H, W) with weight (C_out, C_in / groups, kh, kw)."""
    return _convolution(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-d convolution of (N, C_in, D, H, W) or (C_in, D, H, W) with weight (C_out, C_in / groups, kd, kh, kw)."""
    return _convolution(input, weight, bias, stride, padding, dilation, groups, 3, "conv3d")


def _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, spatial_dims, name):
    batched, added, stride, dilation = _checked_arguments(input, weight, stride, dilation, groups, spatial_dims,
                                                          name)
    padding = _conv_tuple(padding, spatial_dims, "padding")
    output_padding = _conv_tuple(output_padding, spatial_dims, "output_padding")
    if any(op >= max(s, d) for op, s, d in zip(output_padding, stride, dilation)):
        raise RuntimeError(f"output padding must be smaller than either stride or dilation, but got "
                           f"output_padding={list(output_padding)}, stride={list(stride)}, dilation={list(dilation)}")
    if batched.shape[1] != weight.shape[0]:
        raise RuntimeError(f"Given transposed=1, weight of size {_shape(weight)}, expected input {_shape(batched)} "
                           f"to have {weight.shape[0]} channels, but got {batched.shape[1]} channels instead")
    if weight.shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0")
    out_channels = weight.shape[1] * groups
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != out_channels):
        raise RuntimeError(f"Given transposed=1, weight of size {_shape(weight)}, expected bias to be 1-dimensional "
                           f"with {out_channels} elements, but got bias of size {_shape(bias)} instead")
    if weight.dtype != batched.dtype or (bias is not None and bias.dtype != batched.dtype):
        raise RuntimeError(f"expected input, weight and bias to have the same dtype, but got input {batched.dtype}")
    kernel = tuple(weight.shape[2:])
    output_shape = tuple((size - 1) * s - 2 * p + d * (k - 1) + op + 1 for size, s, p, d, k, op
                         in zip(batched.shape[2:], stride, padding, dilation, kernel, output_padding))
    if any(size <= 0 for size in output_shape):
        raise RuntimeError(f"{name}: the output would have size {list(output_shape)}, which is too small")
    out = apply(conv_ops.conv_transpose, batched, weight, bias, stride=stride,
                padding=tuple((p, p) for p in padding), dilation=dilation, groups=groups, output_shape=output_shape)
    return out.squeeze(0) if added else out


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """The adjoint of conv1d ("deconvolution"): weight (C_in, C_out / groups, k) upsamples (N, C_in, L)."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 1,
                           "conv_transpose1d")


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """The adjoint of conv2d: weight (C_in, C_out / groups, kh, kw) upsamples (N, C_in, H, W)."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 2,
                           "conv_transpose2d")


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """The adjoint of conv3d: weight (C_in, C_out / groups, kd, kh, kw) upsamples (N, C_in, D, H, W)."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 3,
                           "conv_transpose3d")


# --------------------------------------------------------------------------- unfold, fold
def _block_arguments(kernel_size, dilation, padding, stride, name):
    """unfold's and fold's block geometry as pairs, checked."""
    kernel = _ntuple(kernel_size, 2, "kernel_size", name)
    dilation = _ntuple(dilation, 2, "dilation", name)
    padding = _ntuple(padding, 2, "padding", name)
    stride = _ntuple(stride, 2, "stride", name)
    if min(kernel) <= 0 or min(dilation) <= 0 or min(stride) <= 0 or min(padding) < 0:
        raise RuntimeError(f"{name}: kernel_size, dilation and stride must be positive and padding non-negative, "
                           f"but got kernel_size={list(kernel)}, dilation={list(dilation)}, "
                           f"padding={list(padding)}, stride={list(stride)}")
    return kernel, dilation, padding, stride


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """The sliding blocks (patches) of (N, C, H, W) as columns: (N, C * prod(kernel_size), blocks).

    This is the im2col step of a convolution; `fold` is its adjoint (and gradient).
    """
    if input.dim() not in (3, 4):
        raise RuntimeError(f"Input Error: Only 3D or 4D input Tensors are supported (got {input.dim()}D)")
    kernel, dilation, padding, stride = _block_arguments(kernel_size, dilation, padding, stride, "unfold")
    batched, added = (input.unsqueeze(0), True) if input.dim() == 3 else (input, False)
    pairs = tuple((p, p) for p in padding)
    padded = tuple(size + 2 * p for size, p in zip(batched.shape[2:], padding))
    extent = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    if any(e > p for e, p in zip(extent, padded)):
        raise RuntimeError(f"unfold: the padded input ({' x '.join(map(str, padded))}) is smaller than the "
                           f"dilated kernel ({' x '.join(map(str, extent))}), for input of size "
                           f"{_shape(input)}")
    out = apply(conv_ops.unfold, batched, kernel=kernel, stride=stride, padding=pairs, dilation=dilation)
    return out.squeeze(0) if added else out


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Sum columns (N, C * prod(kernel_size), blocks) back into an (N, C, *output_size) image.

    Where blocks overlap, their values add up; fold(unfold(x)) multiplies each pixel by the
    number of blocks that contain it.
    """
    if input.dim() not in (2, 3):
        raise RuntimeError(f"Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported "
                           f"(got {input.dim()}D)")
    output_size = _ntuple(output_size, 2, "output_size", "fold")
    kernel, dilation, padding, stride = _block_arguments(kernel_size, dilation, padding, stride, "fold")
    batched, added = (input.unsqueeze(0), True) if input.dim() == 2 else (input, False)
    if batched.shape[1] % (kernel[0] * kernel[1]):
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product of kernel_size, "
                           f"but got input.size(1)={batched.shape[1]} and kernel_size={kernel}.")
    pairs = tuple((p, p) for p in padding)
    blocks = conv_ops.output_shape(output_size, kernel, stride, pairs, dilation)
    if min(blocks) <= 0 or batched.shape[2] != blocks[0] * blocks[1]:
        raise RuntimeError(f"Given output_size={output_size}, kernel_size={kernel}, dilation={dilation}, "
                           f"padding={padding}, stride={stride}, expected size of input's dimension 2 to match "
                           f"the calculated number of sliding blocks {blocks[0]} * {blocks[1]} = "
                           f"{blocks[0] * blocks[1]}, but got input.size(2)={batched.shape[2]}.")
    out = apply(conv_ops.fold, batched, spatial=output_size, kernel=kernel, stride=stride, padding=pairs,
                dilation=dilation)
    return out.squeeze(0) if added else out


# ------------------------------------------------------------------------------- pooling
def _pool_arguments(kernel_size, stride, padding, dilation, name, dims=2):
    """A pooling window's geometry as tuples of `dims` ints, checked as torch checks it."""
    kernel = _ntuple(kernel_size, dims, "kernel_size", name)
    stride = kernel if stride is None or (not isinstance(stride, numbers.Integral) and len(stride) == 0) \
        else _ntuple(stride, dims, "stride", name)
    padding = _ntuple(padding, dims, "padding", name)
    dilation = _ntuple(dilation, dims, "dilation", name)
    if any(k <= 0 for k in kernel):
        raise RuntimeError(f"kernel size should be greater than zero, but got kernel_size={list(kernel)}")
    if any(s <= 0 for s in stride):
        raise RuntimeError("stride should not be zero" if 0 in stride
                           else f"stride should be greater than zero, but got stride={list(stride)}")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got dilation={list(dilation)}")
    for k, p, d in zip(kernel, padding, dilation):
        if p < 0 or p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p}, "
                               f"kernel_size={k} and dilation={d}")
    if any(p > k // 2 for k, p in zip(kernel, padding)):
        got = (f"padW = {padding[1]}, padH = {padding[0]}, kW = {kernel[1]}, kH = {kernel[0]}" if dims == 2 else
               f"kT: {kernel[0]} kW: {kernel[2]} kH: {kernel[1]} padT: {padding[0]} padW: {padding[2]} "
               f"padH: {padding[1]}")
        raise RuntimeError(f"pad should be smaller than or equal to half of kernel size, but got {got}")
    return kernel, stride, padding, dilation


def _check_pool_output(batched, out_shape):
    if any(o <= 0 for o in out_shape):
        shown = batched.shape[1:]
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, shown))}). Calculated output size: "
                           f"({'x'.join(map(str, (shown[0],) + out_shape))}). Output size is too small")


def _batched_2d(input, name):
    if input.dim() not in (3, 4) or 0 in tuple(input.shape)[input.dim() - 3:]:  # only a batch may be empty
        raise RuntimeError(f"{name}: Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for "
                           f"input, but got: {_shape(input)}")
    return (input.unsqueeze(0), True) if input.dim() == 3 else (input, False)


def _check_floating(input, name):
    """Refuse integer tensors where torch does (the adaptive pools)."""
    if not input.is_floating_point():
        raise NotImplementedError(f"\"{name}\" not implemented for '{scalar_type_name(input._array.dtype)}'")


def _as_1d_pool(input, name):
    """A 1-d pooling input (N, C, L) or (C, L) as a 2-d one with a height of one."""
    if input.dim() not in (2, 3) or 0 in tuple(input.shape)[input.dim() - 2:]:  # only a batch may be empty
        raise RuntimeError(f"{name}: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for "
                           f"input, but got: {_shape(input)}")
    return input.unsqueeze(-2)


def _one(value, name):
    """The single entry of a 1-d pooling argument (an int or a one-element sequence)."""
    if value is None or isinstance(value, numbers.Integral):
        return value
    value = tuple(value)
    if len(value) != 1:
        raise RuntimeError(f"{name} must be a single int, or a tuple of one int, but got {name}={list(value)}")
    return int(value[0])


def _max_pool(batched, added, geometry, ceil_mode, return_indices, gather, tiles):
    """Max pooling of a batched (N, C, *spatial) input by the primitives `gather` (through the
    indices of the maxima) or `tiles` (windows that tile the input, no indices wanted)."""
    kernel, stride, padding, dilation = geometry
    out_shape = pool_ops.pooled_shape(batched.shape[2:], kernel, stride, padding, dilation, ceil_mode)
    _check_pool_output(batched, out_shape)
    if not return_indices and pool_ops.tiles(batched.shape[2:], kernel, stride, padding, dilation, ceil_mode):
        out = apply(tiles, batched, kernel=kernel)   # the common case needs no indices
        return out.squeeze(0) if added else out
    indices = pool_ops.max_pool_indices(batched._array, kernel, stride, padding, dilation, ceil_mode)
    empty = pool_ops.empty_windows(batched.shape[2:], kernel, stride, padding, dilation, out_shape)
    out = apply(gather, batched, indices, empty=empty)
    if added:
        out, indices = out.squeeze(0), indices[0]
    if return_indices:
        return out, Tensor._wrap(indices)
    return out


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """2-d max pooling over (N, C, H, W) or (C, H, W); with return_indices also the flat argmax positions."""
    batched, added = _batched_2d(input, "max_pool2d")
    geometry = _pool_arguments(kernel_size, stride, padding, dilation, "max_pool2d")
    return _max_pool(batched, added, geometry, ceil_mode, return_indices, pool_ops.max_pool, pool_ops.max_pool_tiles)


def _batched_3d(input, name):
    """A 3-d pooling input (N, C, D, H, W) or (C, D, H, W) as a batched one, and whether a batch axis was
    added; `name` is how torch's message names the function."""
    if input.dim() not in (4, 5):
        raise RuntimeError("non-empty 4D or 5D (batch mode) tensor expected for input")
    for dim in range(input.dim() - 4, input.dim()):  # only a batch may be empty
        if input.shape[dim] == 0:
            raise RuntimeError(f"{name}: Expected input's non-batch dimensions to have positive length, but input "
                               f"has a shape of {_shape(input)} and dimension {dim} has length zero!")
    return (input.unsqueeze(0), True) if input.dim() == 4 else (input, False)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """3-d max pooling over (N, C, D, H, W) or (C, D, H, W); with return_indices also the flat argmax
    positions (into each channel's D * H * W volume)."""
    batched, added = _batched_3d(input, "max_pool3d_with_indices_out_cpu_template()")
    geometry = _pool_arguments(kernel_size, stride, padding, dilation, "max_pool3d", dims=3)
    return _max_pool(batched, added, geometry, ceil_mode, return_indices, pool_ops.max_pool3d,
                     pool_ops.max_pool_tiles3d)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """1-d max pooling over (N, C, L) or (C, L)."""
    result = max_pool2d(_as_1d_pool(input, "max_pool1d"), (1, _one(kernel_size, "kernel_size")),
                        None if _one(stride, "stride") is None else (1, _one(stride, "stride")),
                        (0, _one(padding, "padding")), (1, _one(dilation, "dilation")), ceil_mode, return_indices)
    if return_indices:
        return result[0].squeeze(-2), result[1].squeeze(-2)
    return result.squeeze(-2)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """2-d average pooling over (N, C, H, W) or (C, H, W); int64 averages round toward zero, as in torch."""
    if not input.is_floating_point() and input.dtype != int64:  # torch has a kernel for int64 among the integers
        raise NotImplementedError(f"\"avg_pool2d\" not implemented for '{scalar_type_name(input._array.dtype)}'")
    batched, added = _batched_2d(input, "avg_pool2d")
    kernel, stride, padding, _ = _pool_arguments(kernel_size, stride, padding, 1, "avg_pool2d")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    out_shape = pool_ops.pooled_shape(batched.shape[2:], kernel, stride, padding, (1, 1), ceil_mode)
    _check_pool_output(batched, out_shape)
    out = apply(pool_ops.avg_pool, batched, kernel=kernel, stride=stride, padding=padding, ceil_mode=ceil_mode,
                count_include_pad=count_include_pad, divisor_override=divisor_override)
    return out.squeeze(0) if added else out


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """3-d average pooling over (N, C, D, H, W) or (C, D, H, W); int64 averages round toward zero, as in torch."""
    if not input.is_floating_point() and input.dtype != int64:
        raise NotImplementedError(f"\"avg_pool3d_out_frame\" not implemented for "
                                  f"'{scalar_type_name(input._array.dtype)}'")
    batched, added = _batched_3d(input, "avg_pool3d()")
    kernel, stride, padding, _ = _pool_arguments(kernel_size, stride, padding, 1, "avg_pool3d", dims=3)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    depth, height, width = batched.shape[2:]
    if depth < kernel[0] or height < kernel[1] or width < kernel[2]:  # padding or not, unlike avg_pool2d
        raise RuntimeError(f"input image (T: {depth} H: {height} W: {width}) smaller than kernel size "
                           f"(kT: {kernel[0]} kH: {kernel[1]} kW: {kernel[2]})")
    out_shape = pool_ops.pooled_shape(batched.shape[2:], kernel, stride, padding, (1, 1, 1), ceil_mode)
    _check_pool_output(batched, out_shape)
    out = apply(pool_ops.avg_pool3d, batched, kernel=kernel, stride=stride, padding=padding, ceil_mode=ceil_mode,
                count_include_pad=count_include_pad, divisor_override=divisor_override)
    return out.squeeze(0) if added else out


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """1-d average pooling over (N, C, L) or (C, L)."""
    out = avg_pool2d(_as_1d_pool(input, "avg_pool1d"), (1, _one(kernel_size, "kernel_size")),
                     None if _one(stride, "stride") is None else (1, _one(stride, "stride")),
                     (0, _one(padding, "padding")), ceil_mode, count_include_pad)
    return out.squeeze(-2)


def _adaptive_output_size(input, output_size, name, dims=2):
    """Check a `dims`-d adaptive pooling input and return its output size as `dims` ints."""
    if input.dim() not in (dims + 1, dims + 2):
        raise RuntimeError(f"{name}(): Expected {dims + 1}D or {dims + 2}D tensor, but got {_shape(input)}")
    if isinstance(output_size, numbers.Integral) or output_size is None:
        output_size = (output_size,) * dims
    output_size = tuple(output_size)
    if len(output_size) != dims:
        raise RuntimeError(f"{name}: output_size must be {dims}")
    output_size = tuple(size if o is None else int(o) for o, size in zip(output_size, input.shape[-dims:]))
    if any(o < 0 for o in output_size):
        raise RuntimeError(f"{name}: elements of output_size must be greater than or equal to 0 "
                           f"but received {list(output_size)}")
    if any(size == 0 for size in input.shape[1:]):
        empty = f" with dimension {list(input.shape).index(0, 1)} being empty" if dims == 3 else ""
        raise RuntimeError(f"{name}(): Expected input to have non-zero size for non-batch "
                           f"dimensions, but input has sizes {_shape(input)}{empty}")
    return output_size


def adaptive_avg_pool2d(input, output_size):
    """Average pooling to a fixed output size (H_out, W_out); None keeps that axis's input size."""
    output_size = _adaptive_output_size(input, output_size, "adaptive_avg_pool2d")
    _check_floating(input, "adaptive_avg_pool2d")
    return apply(pool_ops.adaptive_avg_pool2d, input, sizes=output_size)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max pooling to a fixed output size (H_out, W_out); None keeps that axis's input size."""
    output_size = _adaptive_output_size(input, output_size, "adaptive_max_pool2d")
    _check_floating(input, "adaptive_max_pool2d")
    batched, added = (input.unsqueeze(0), True) if input.dim() == 3 else (input, False)
    indices = pool_ops.adaptive_max_pool_indices(batched._array, output_size)
    out = apply(pool_ops.adaptive_max_pool, batched, indices)
    if added:
        out, indices = out.squeeze(0), indices[0]
    return (out, Tensor._wrap(indices)) if return_indices else out


def adaptive_avg_pool3d(input, output_size):
    """Average pooling to a fixed output size (D_out, H_out, W_out); None keeps that axis's input size."""
    output_size = _adaptive_output_size(input, output_size, "adaptive_avg_pool3d", dims=3)
    if output_size == (1, 1, 1) and not input.is_floating_point():
        # torch takes a mean for a 1 x 1 x 1 output, and refuses integers with mean's error
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a floating point or "
                           f"complex dtype. Got: {scalar_type_name(input._array.dtype)}")
    _check_floating(input, "adaptive_avg_pool3d_cpu")
    return apply(pool_ops.adaptive_avg_pool3d, input, sizes=output_size)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """Max pooling to a fixed output size (D_out, H_out, W_out); None keeps that axis's input size."""
    output_size = _adaptive_output_size(input, output_size, "adaptive_max_pool3d", dims=3)
    _check_floating(input, "adaptive_max_pool3d_cpu")
    batched, added = (input.unsqueeze(0), True) if input.dim() == 4 else (input, False)
    indices = pool_ops.adaptive_max_pool_indices(batched._array, output_size)
    out = apply(pool_ops.adaptive_max_pool3d, batched, indices)
    if added:
        out, indices = out.squeeze(0), indices[0]
    return (out, Tensor._wrap(indices)) if return_indices else out


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Max pooling of (N, C, L) or (C, L) to a fixed output length."""
    if input.dim() not in (2, 3):
        raise RuntimeError(f"adaptive_max_pool1d(): Expected 2D or 3D tensor, but got {_shape(input)}")
    result = adaptive_max_pool2d(input.unsqueeze(-2), (1, _one(output_size, "output_size")), return_indices)
    if return_indices:
        return result[0].squeeze(-2), result[1].squeeze(-2)
    return result.squeeze(-2)


def adaptive_avg_pool1d(input, output_size):
    """Average pooling of (N, C, L) or (C, L) to a fixed output length."""
    if input.dim() not in (2, 3):
        raise RuntimeError(f"adaptive_avg_pool1d(): Expected 2D or 3D tensor, but got {_shape(input)}")
    size = _one(output_size, "output_size")
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, size)).squeeze(-2)


# ---------------------------------------------------------------------------- power-average pooling
def _root_of_sum(mean_of_powers, window, norm_type):
    """(window * mean of x^p) ** (1 / p): the p-norm of each window from the average of its powers.

    sign(m) * relu(|m|) is m itself, written as torch writes it for its gradient: 0 where the
    average is 0 (a window of zeros).
    """
    return (mean_of_powers.sign() * mean_of_powers.abs().relu() * window) ** (1.0 / norm_type)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """The p-norm (sum x^p) ** (1 / p) of each window of (N, C, H, W) or (C, H, W): p = 1 sums the
    window, large p approaches its maximum."""
    height, width = _ntuple(kernel_size, 2, "kernel_size", "lp_pool2d")
    out = avg_pool2d(input ** norm_type, kernel_size, stride, 0, ceil_mode)
    return _root_of_sum(out, height * width, norm_type)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """The p-norm (sum x^p) ** (1 / p) of each window of (N, C, D, H, W) or (C, D, H, W)."""
    depth, height, width = _ntuple(kernel_size, 3, "kernel_size", "lp_pool3d")
    out = avg_pool3d(input ** norm_type, kernel_size, stride, 0, ceil_mode)
    return _root_of_sum(out, depth * height * width, norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """The p-norm (sum x^p) ** (1 / p) of each window of (N, C, L) or (C, L)."""
    out = avg_pool1d(input ** norm_type, kernel_size, stride, 0, ceil_mode)
    return _root_of_sum(out, _one(kernel_size, "kernel_size"), norm_type)


# ------------------------------------------------------------------ pooling with indices, unpooling
def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """max_pool2d's values and the flat positions of the maxima, whatever return_indices says."""
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices=True)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """max_pool1d's values and the positions of the maxima, whatever return_indices says."""
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices=True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    """adaptive_max_pool2d's values and the flat positions of the maxima."""
    return adaptive_max_pool2d(input, output_size, return_indices=True)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """max_pool3d's values and the flat positions of the maxima, whatever return_indices says."""
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices=True)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    """adaptive_max_pool3d's values and the flat positions of the maxima."""
    return adaptive_max_pool3d(input, output_size, return_indices=True)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    """adaptive_max_pool1d's values and the positions of the maxima."""
    return adaptive_max_pool1d(input, output_size, return_indices=True)


def _unpooled_size(input, kernel, stride, padding, output_size):
    """The spatial size max unpooling restores: the size max pooling would shrink to the input's
    ((in - 1) * stride + kernel - 2 * padding), or output_size, which may differ from it by less than
    a stride (the sizes that pooling maps to the same output), with or without its (N, C) axes."""
    spatial = len(kernel)
    default = tuple((size - 1) * s + k - 2 * p
                    for size, k, s, p in zip(input.shape[input.ndim - spatial:], kernel, stride, padding))
    if output_size is None:
        return default
    wanted = tuple(output_size)
    if len(wanted) == spatial + 2:
        wanted = wanted[2:]
    if len(wanted) != spatial:
        raise ValueError(f"output_size should be a sequence containing {spatial} or {spatial + 2} elements, but it "
                         f"has a length of '{len(wanted)}'")
    for d, (size, s, want) in enumerate(zip(default, stride, wanted)):
        if not size - s < want < size + s:
            raise ValueError(f'invalid output_size "{output_size}" (dim {d} must be between {size - s} and '
                             f"{size + s})")
    return tuple(int(w) for w in wanted)


def _max_unpool(input, indices, size, primitive):
    """Place each value of (N, C, *spatial) or (C, *spatial) at its flat position in a zero plane
    (or volume) of `size`, by `primitive` (max_unpool or max_unpool3d)."""
    dims = len(size)
    if input.ndim not in (dims + 1, dims + 2):
        raise RuntimeError(f"Input to max_unpooling{dims}d should be a {dims + 1}d or {dims + 2}d Tensor, but got "
                           f"a tensor with {input.ndim} dimensions.")
    positions = indices._array
    if positions.dtype != int64.numpy:
        raise RuntimeError(f"elements in indices should be type int64 but got: {scalar_type_name(positions.dtype)}")
    if positions.shape != tuple(input.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor ({_shape(input)}) but "
                           f"got indices tensor with shape: {list(positions.shape)}")
    input._refuse_non_floating(f"max_unpool{dims}d")
    bad = (positions < 0) | (positions >= math.prod(size))
    if bad.any():
        raise RuntimeError(f"Found an invalid max index: {positions[bad][0]} (output volumes are of size "
                           f"{'x'.join(map(str, size))})")
    return apply(primitive, input, positions, size=size)


def _max_unpool_nd(dims, primitive, input, indices, kernel_size, stride, padding, output_size):
    """max_unpool2d and max_unpool3d: the window arguments as `dims`-tuples, then _max_unpool."""
    name = f"max_unpool{dims}d"
    kernel = _ntuple(kernel_size, dims, "kernel_size", name)
    stride = kernel if stride is None else _ntuple(stride, dims, "stride", name)
    padding = _ntuple(padding, dims, "padding", name)
    return _max_unpool(input, indices, _unpooled_size(input, kernel, stride, padding, output_size), primitive)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of max_pool2d: each value goes back to the position its indices name, in
    a plane of zeros of the size before pooling (or output_size)."""
    return _max_unpool_nd(2, pool_ops.max_unpool, input, indices, kernel_size, stride, padding, output_size)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of max_pool1d, on (N, C, L) or (C, L): 2-d unpooling over a width of one."""
    kernel = (_one(kernel_size, "kernel_size"),)
    stride = kernel if stride is None else (_one(stride, "stride"),)
    padding = (_one(padding, "padding"),)
    size = _unpooled_size(input, kernel, stride, padding, output_size)
    return _max_unpool(input.unsqueeze(-1), indices.unsqueeze(-1), size + (1,), pool_ops.max_unpool).squeeze(-1)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of max_pool3d: each value goes back to the position its indices name, in
    a volume of zeros of the size before pooling (or output_size)."""
    return _max_unpool_nd(3, pool_ops.max_unpool3d, input, indices, kernel_size, stride, padding, output_size)


# ---------------------------------------------------------------------- fractional max pooling
def _fractional_size(input, dims, kernel_size, output_size, output_ratio, name):
    """The kernel and output sizes, from output_size or else output_ratio (a fraction of each input axis)."""
    kernel = _fractional_tuple(kernel_size, dims, "kernel_size", name)
    if output_size is None:
        if output_ratio is None:
            raise ValueError(f"{name} requires specifying either an output_size or an output_ratio")
        ratios = (output_ratio,) * dims if isinstance(output_ratio, numbers.Real) else tuple(output_ratio)
        if len(ratios) > dims:
            raise ValueError(f"{name} requires output_ratio to either be a single Int or tuple of Ints.")
        ratios = ratios * dims if len(ratios) == 1 else ratios
        output_size = [int(size * ratio) for size, ratio in zip(input.shape[-dims:], ratios)]
    return kernel, _fractional_tuple(output_size, dims, "output_size", name)


def _fractional_tuple(value, dims, what, name):
    if isinstance(value, numbers.Integral):
        return (int(value),) * dims
    value = tuple(int(v) for v in value)
    if len(value) == 1:
        return value * dims
    if len(value) != dims:
        count = "Ints" if dims == 2 else "three Ints"
        raise RuntimeError(f"{name}: {what} must either be a single Int or tuple of {count}, got {list(value)}")
    return value


def _fractional_max_pool(input, kernel_size, output_size, output_ratio, samples, dims):
    """The pooled values and indices of fractional_max_pool2d (dims 2) or 3d (dims 3)."""
    name = f"fractional_max_pool{dims}d"
    context = name + ("()" if dims == 2 else "_out()")
    kernel, output_size = _fractional_size(input, dims, kernel_size, output_size, output_ratio, name)
    if input.dim() not in (dims + 1, dims + 2):
        raise RuntimeError(f"{context}: Expected {dims + 1}D or {dims + 2}D tensor, but got: {_shape(input)}")
    batched, added = (input.unsqueeze(0), True) if input.dim() == dims + 1 else (input, False)
    n, c = batched.shape[:2]
    _check_floating(input, f"{name}_out_frame")
    if samples is None:  # one u per (sample, channel, axis), from minigrad's generator
        samples = rand(n, c, dims, dtype=input.dtype)
    _check_fractional_samples(samples, batched, dims)
    if any(o < 0 for o in output_size):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(output_size)}: "
                           f"{[n, c, *output_size]}")
    # out windows of k need out + k - 1 positions. torch's 3-d check asks one more (out + k - 1 < size)
    # and looks at time, width, height in that order; these checks say the same.
    checks = [("height", 0, 0), ("width", 1, 0)] if dims == 2 else [("time", 0, 1), ("width", 2, 1), ("height", 1, 1)]
    for axis, a, spare in checks:
        size, k, out = batched.shape[2 + a], kernel[a], output_size[a]
        if out + k - 1 + spare > size:
            raise RuntimeError(f"{context}: pool {axis} {k} too large relative to input {axis} {size} "
                               f"(an output of {out} windows of {k} needs at least {out + k - 1 + spare})")
    # torch's samples hold (u_width, u_height) for 2-d and (u_time, u_height, u_width) for 3-d
    per_axis = samples._array[:n, :, ::-1] if dims == 2 else samples._array[:n]
    indices = pool_ops.fractional_max_pool_indices(batched._array, kernel, output_size, per_axis)
    out = apply(pool_ops.fractional_max_pool2d if dims == 2 else pool_ops.fractional_max_pool3d, batched, indices)
    if added:
        out, indices = out.squeeze(0), indices[0]
    return out, Tensor._wrap(indices)


def _check_fractional_samples(samples, batched, dims):
    if samples.dtype != batched.dtype:
        raise RuntimeError("Expect _random_samples to have the same dtype as input")
    if samples.dim() != 3:
        raise RuntimeError(f"Expect _random_samples to have 3 dimensions, got {samples.dim()}")
    if samples.shape[0] < batched.shape[0]:
        raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
    if samples.shape[1] != batched.shape[1]:
        raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
    if samples.shape[2] != dims:
        raise RuntimeError(f"Expect _random_samples.size(2) equals to {dims}; got {samples.shape[2]}.")


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    """fractional_max_pool2d's values and the flat positions of the maxima in each channel's plane."""
    return _fractional_max_pool(input, kernel_size, output_size, output_ratio, _random_samples, 2)


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    """Max pooling of (N, C, H, W) or (C, H, W) over kh x kw windows at pseudo-random, increasing
    positions, to output_size (H_out, W_out) or to output_ratio times the input size.

    _random_samples, (N, C, 2) in [0, 1), fixes the positions (u for the width, then for the height, as
    torch stores them); without it they are drawn from minigrad's generator (reproducible under
    manual_seed).
    """
    out, indices = _fractional_max_pool(input, kernel_size, output_size, output_ratio, _random_samples, 2)
    return (out, indices) if return_indices else out


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    """fractional_max_pool3d's values and the flat positions of the maxima in each channel's volume."""
    return _fractional_max_pool(input, kernel_size, output_size, output_ratio, _random_samples, 3)


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    """fractional_max_pool2d over (N, C, T, H, W) or (C, T, H, W); _random_samples is (N, C, 3), u for
    time, height and width."""
    out, indices = _fractional_max_pool(input, kernel_size, output_size, output_ratio, _random_samples, 3)
    return (out, indices) if return_indices else out
