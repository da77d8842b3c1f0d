"""Sampling an image at arbitrary points: affine_grid and grid_sample (2-d, i.e. 4-D arrays).

affine_grid maps every output pixel's normalised position (x, y, 1), x and y in [-1, 1], through a
2x3 matrix theta: grid = base @ theta^T, whose gradient is g^T @ base.

grid_sample reads an (N, C, H, W) input at the (x, y) positions of an (N, H_out, W_out, 2) grid.
Each position is first turned into pixel coordinates ("unnormalised": -1 and 1 are the centres of
the corner pixels with align_corners, their outer edges without), then brought inside the image
by the padding mode (border clamps it, reflection mirrors it at the edges; zeros leaves it, and
pixels outside read as 0). Bilinear mode blends the four pixels around the point by the areas
opposite them; nearest mode reads the closest pixel (rounding half to even, as torch).

The input's gradient scatters g back to the pixels read, with the same weights. The grid's
gradient is, for bilinear mode, g times the change of the blend as the point moves (the pixel
values times the derivatives of the weights), chained through the padding mode (0 where border
clamps, a sign flip where reflection mirrors) and the unnormalisation; for nearest mode it is 0.
"""

import numpy as np

from minigrad._ops.registry import Primitive


# ---------------------------------------------------------------- affine_grid
def _base_positions(size, align_corners, dtype):
    """The normalised positions of `size` pixels along one axis: from -1 to 1 at the pixel centres
    (align_corners), or at the centres of `size` equal cells of [-1, 1]."""
    if align_corners:
        return np.linspace(-1, 1, size, dtype=dtype) if size > 1 else np.zeros(1, dtype=dtype)
    return ((np.arange(size, dtype=dtype) * 2 + 1) / size - 1).astype(dtype)


def affine_base(height, width, align_corners, dtype):
    """(H * W, 3) rows (x, y, 1) of every output pixel, row by row."""
    xs = _base_positions(width, align_corners, dtype)
    ys = _base_positions(height, align_corners, dtype)
    base = np.empty((height, width, 3), dtype=dtype)
    base[..., 0] = xs
    base[..., 1] = ys[:, None]
    base[..., 2] = 1
    return base.reshape(height * width, 3)


def _affine_grid(theta, height, width, align_corners):
    base = affine_base(height, width, align_corners, theta.dtype)
    return (base @ theta.transpose(0, 2, 1)).reshape(theta.shape[0], height, width, 2)


def _affine_grid_vjp(g, ans, theta, height, width, align_corners):
    # A product with a constant matrix: on tensors (create_graph) it is a recorded matmul.
    base = affine_base(height, width, align_corners, np.asarray(g).dtype)
    return (base.T @ g.reshape(theta.shape[0], height * width, 2)).swapaxes(1, 2)


affine_grid = Primitive("AffineGridGenerator", _affine_grid, _affine_grid_vjp, saves="nothing")


# ---------------------------------------------------------------- grid_sample
def _unnormalise(coordinate, size, align_corners):
    """Pixel coordinates of normalised ones, and d(pixel)/d(normalised)."""
    if align_corners:
        return (coordinate + 1) / 2 * (size - 1), (size - 1) / 2
    return ((coordinate + 1) * size - 1) / 2, size / 2


def _clip(coordinate, size):
    """Clamp to [0, size - 1]; the slope is 0 at and beyond the borders (torch counts them as outside)."""
    slope = ((coordinate > 0) & (coordinate < size - 1)).astype(coordinate.dtype)
    return np.clip(coordinate, 0, size - 1), slope


def _reflect(coordinate, twice_low, twice_high):
    """Mirror into [low, high] (given doubled, as torch does) by reflecting at its ends; the slope is
    +1 or -1, by whether an even or odd number of reflections brought the point back."""
    if twice_low == twice_high:
        return np.zeros_like(coordinate), np.zeros_like(coordinate)
    low, span = twice_low / 2, (twice_high - twice_low) / 2
    shifted = coordinate - low
    sign = np.where(shifted < 0, -1, 1).astype(coordinate.dtype)
    distance = np.abs(shifted)
    extra = np.fmod(distance, span)
    even = np.floor(distance / span) % 2 == 0
    return np.where(even, extra + low, span - extra + low), np.where(even, sign, -sign)


def _source(coordinate, size, padding_mode, align_corners):
    """Where a normalised grid coordinate reads the input along an axis of `size` pixels, and the
    derivative of that position with respect to the coordinate."""
    position, slope = _unnormalise(coordinate, size, align_corners)
    if padding_mode == "border":
        position, clip_slope = _clip(position, size)
        return position, slope * clip_slope
    if padding_mode == "reflection":
        twice_low, twice_high = (0, 2 * (size - 1)) if align_corners else (-1, 2 * size - 1)
        position, reflect_slope = _reflect(position, twice_low, twice_high)
        position, clip_slope = _clip(position, size)
        return position, slope * reflect_slope * clip_slope
    return position, np.full_like(position, slope)


def _taps(x, y, height, width, mode):
    """The pixels each point reads: a list of (flat pixel index, inside the image, weight, d weight/dx,
    d weight/dy), arrays of the grid's (N, H_out * W_out) shape."""
    if mode == "nearest":
        column, row = np.rint(x), np.rint(y)
        zero = np.zeros_like(x)
        taps = [(column, row, np.ones_like(x), zero, zero)]
    else:
        left, top = np.floor(x), np.floor(y)
        right, bottom = left + 1, top + 1
        taps = [(left, top, (right - x) * (bottom - y), -(bottom - y), -(right - x)),
                (right, top, (x - left) * (bottom - y), bottom - y, -(x - left)),
                (left, bottom, (right - x) * (y - top), -(y - top), right - x),
                (right, bottom, (x - left) * (y - top), y - top, x - left)]
    out = []
    for column, row, weight, weight_dx, weight_dy in taps:
        inside = (column >= 0) & (column < width) & (row >= 0) & (row < height)
        index = np.where(inside, row * width + column, 0).astype(np.intp)
        out.append((index, inside, weight * inside, weight_dx * inside, weight_dy * inside))
    return out


def _sampling(grid, height, width, mode, padding_mode, align_corners):
    """The taps of every grid point on an image of height x width pixels, and the slopes of its
    source position along x and y."""
    x, slope_x = _source(grid[..., 0], width, padding_mode, align_corners)
    y, slope_y = _source(grid[..., 1], height, padding_mode, align_corners)
    points = grid.shape[0], grid.shape[1] * grid.shape[2]
    taps = _taps(x.reshape(points), y.reshape(points), height, width, mode)
    return taps, slope_x.reshape(points), slope_y.reshape(points)


def _read(planes, index):
    """planes (N, C, H * W) at each sample's pixel index (N, P): (N, C, P)."""
    return np.take_along_axis(planes, index[:, None, :], axis=2)


def _blend(image, taps, weights):
    """Each sample's pixels read from image (N, C, H, W), weighted by weights[t] (N, P) for tap t
    and added up: (N, C, P)."""
    n, c, height, width = image.shape
    planes = image.reshape(n, c, height * width)
    return sum(_read(planes, index) * weight[:, None, :] for (index, *_), weight in zip(taps, weights))


def _splat(values, taps, weights, image_shape):
    """The transpose of _blend: every (sample, channel, tap) adds values * weights[t] to the pixel it
    reads, all in one bincount. values (N, C, P); the result has image_shape (N, C, H, W)."""
    n, c, height, width = image_shape
    plane_offsets = (np.arange(n * c) * (height * width)).reshape(n, c, 1)
    positions = np.concatenate([(index[:, None, :] + plane_offsets).ravel() for index, *_ in taps])
    shares = np.concatenate([(values * weight[:, None, :]).ravel() for weight in weights])
    image = np.bincount(positions, weights=shares, minlength=n * c * height * width)
    return image.astype(values.dtype, copy=False).reshape(image_shape)


def _pixel_products(image, g, taps):
    """For every tap, the pixel values it reads times g, summed over channels: (N, P) each."""
    n, c, height, width = image.shape
    planes = image.reshape(n, c, height * width)
    return [np.sum(_read(planes, index) * g, axis=1) for index, *_ in taps]


def _grid_sample(input, grid, mode, padding_mode, align_corners):
    n, c, height, width = input.shape
    taps, _, _ = _sampling(grid, height, width, mode, padding_mode, align_corners)
    out = _blend(input, taps, [weight for _, _, weight, _, _ in taps])
    return out.astype(input.dtype, copy=False).reshape(n, c, *grid.shape[1:3])


def _grid_sample_vjp(wanted, g, ans, input, grid, mode, padding_mode, align_corners):
    """Both gradients are primitives of their own (the input's a splat of g, the grid's the pixel
    values times the weights' derivatives), so that under create_graph they have gradients too."""
    options = dict(mode=mode, padding_mode=padding_mode, align_corners=align_corners)
    input_grad = grid_sample_input_grad(g, grid, height=input.shape[2], width=input.shape[3], **options) \
        if wanted[0] else None
    grid_grad = grid_sample_grid_grad(g, input, grid, **options) if wanted[1] else None
    return input_grad, grid_grad


grid_sample = Primitive("GridSampler2D", _grid_sample, vjp_all=_grid_sample_vjp)


# ---------------------------------------------------------------- grid_sample's gradients
# The input's gradient: g scattered back to the pixels read, with the weights they were read with.
# It is linear in g, and is the transpose of sampling: <splat(g), v> = <g, grid_sample(v)>. So its
# gradient for g is grid_sample of the upstream v, and for the grid it is grid_sample's own grid
# gradient, at v with upstream g.
def _input_grad(g, grid, height, width, mode, padding_mode, align_corners):
    n, c = g.shape[:2]
    taps, _, _ = _sampling(grid, height, width, mode, padding_mode, align_corners)
    return _splat(g.reshape(n, c, -1), taps, [weight for _, _, weight, _, _ in taps], (n, c, height, width))


def _input_grad_vjp_g(v, ans, g, grid, height, width, mode, padding_mode, align_corners):
    return grid_sample(v, grid, mode=mode, padding_mode=padding_mode, align_corners=align_corners)


def _input_grad_vjp_grid(v, ans, g, grid, height, width, mode, padding_mode, align_corners):
    return grid_sample_grid_grad(g, v, grid, mode=mode, padding_mode=padding_mode, align_corners=align_corners)


grid_sample_input_grad = Primitive("GridSampler2DInputBackward", _input_grad, _input_grad_vjp_g,
                                   _input_grad_vjp_grid, saves="inputs",
                                   grad_fn_name="GridSampler2DBackwardBackward0")


# The grid's gradient: per point, along x, slope_x * sum over taps of (pixel values . g) * d weight/dx
# (and the same along y). For nearest mode the weights are constant and it is 0.
def _grid_grad(g, input, grid, mode, padding_mode, align_corners):
    n, c, height, width = input.shape
    taps, slope_x, slope_y = _sampling(grid, height, width, mode, padding_mode, align_corners)
    products = _pixel_products(input, g.reshape(n, c, -1), taps)
    along_x = sum(product * weight_dx for product, (_, _, _, weight_dx, _) in zip(products, taps))
    along_y = sum(product * weight_dy for product, (_, _, _, _, weight_dy) in zip(products, taps))
    grid_grad = np.stack([along_x * slope_x, along_y * slope_y], axis=-1).reshape(grid.shape)
    return grid_grad.astype(grid.dtype, copy=False)


def _grid_grad_vjps(wanted, v, ans, g, input, grid, mode, padding_mode, align_corners):
    """The gradients of <grid_grad, v>. It is linear in g and in input, each tap contributing
    (pixel . g) * (d weight/dx * slope_x * v_x + d weight/dy * slope_y * v_y): the g and input
    gradients blend and splat with those tap weights. For the grid, the positions are piecewise
    linear in it and a bilinear weight's only second derivative is d2 weight / dx dy, +1 or -1 by
    the tap's corner (top-left and bottom-right +1), so only the cross terms remain."""
    n, c, height, width = input.shape
    taps, slope_x, slope_y = _sampling(grid, height, width, mode, padding_mode, align_corners)
    v_x, v_y = (v[..., k].reshape(slope_x.shape) for k in (0, 1))
    directional = [weight_dx * slope_x * v_x + weight_dy * slope_y * v_y for _, _, _, weight_dx, weight_dy in taps]
    g_grad = input_grad = grid_grad = None
    if wanted[0]:
        g_grad = _blend(input, taps, directional).astype(g.dtype, copy=False).reshape(g.shape)
    if wanted[1]:
        input_grad = _splat(g.reshape(n, c, -1), taps, directional, input.shape)
    if wanted[2]:
        cross = np.zeros_like(slope_x)
        if mode == "bilinear":
            products = _pixel_products(input, g.reshape(n, c, -1), taps)
            cross = products[0] - products[1] - products[2] + products[3]
        cross = cross * slope_x * slope_y
        grid_grad = np.stack([cross * v_y, cross * v_x], axis=-1).reshape(grid.shape).astype(grid.dtype, copy=False)
    return g_grad, input_grad, grid_grad


grid_sample_grid_grad = Primitive("GridSampler2DGridBackward", _grid_grad, vjp_all=_grid_grad_vjps,
                                  grad_fn_name="GridSampler2DBackwardBackward0")
