"""Strided views: a tensor read straight from the memory underneath it.

A tensor is a window on a one-dimensional block of memory, its storage: element
(i0, i1, ...) lies at storage[offset + i0 * stride0 + i1 * stride1 + ...], strides and
offset counted in elements. `as_strided` reads any such window of a tensor's storage, so
it can read one element several times: the windows of an im2col (every patch a
convolution reads, side by side) overlap, and the result is still a view, no copy made.

Its gradient follows the memory. Every output element read one place of the storage, so
each place receives the sum of the gradients of the output elements that read it (a
scatter-add), and every input element reads its place back. An input that itself holds one
place several times (an expanded tensor) shares that place's gradient among its elements,
so the gradient divides by how many of them lie there, as torch's AsStridedBackward0 does.

A geometry here is (shape, strides, offset), in elements.
"""

import math

import numpy as np

from minigrad._ops.layout import dense_strides, empty_like
from minigrad._ops.registry import Primitive


def storage_size(shape, strides, offset=0):
    """How many elements of storage a tensor of this geometry needs: up to its last element
    (none for a tensor without elements, wherever it starts, as torch counts)."""
    if 0 in shape:
        return 0
    return offset + 1 + sum((n - 1) * step for n, step in zip(shape, strides))


def positions(shape, strides, offset):
    """The storage place of every element of a tensor of this geometry, as an integer array of `shape`."""
    place = np.asarray(offset, dtype=np.intp)
    for axis, (n, step) in enumerate(zip(shape, strides)):
        along = np.arange(n, dtype=np.intp) * step
        place = place + along.reshape((n,) + (1,) * (len(shape) - axis - 1))
    return np.broadcast_to(place, shape)


def strided_view(storage, shape, strides, offset):
    """The elements of the one-dimensional `storage` that a tensor of this geometry reads, as a view.
    A window without elements may start past the end (torch allows it): it starts at the end here."""
    itemsize = storage.itemsize  # (np.ndarray, not a slice: an empty slice at the end starts at element 0)
    return np.ndarray(shape, storage.dtype, buffer=storage, offset=min(offset, storage.size) * itemsize,
                      strides=tuple(step * itemsize for step in strides))


def _as_strided(x, storage, size, stride, offset, x_geometry):
    """The window (size, stride, offset) of `storage`, the memory x lies in: a view."""
    return strided_view(storage, size, stride, offset)


def _as_strided_vjp(g, ans, x, storage, size, stride, offset, x_geometry):
    return restride(g, source=(size, stride, offset), target=x_geometry, shared_by=x_geometry)


def _restride(values, source, target, shared_by):
    """`values`, laid out with geometry `source`, moved to the elements of geometry `target`
    through the storage: each place receives the sum of the values that lie there, divided by
    how many elements of geometry `shared_by` lie there (where that is more than one), and
    each element of `target` reads its place.

    With source the output of as_strided and target = shared_by its input, this is
    as_strided's gradient; with source and target swapped, it is that gradient's adjoint, the
    gradient of the gradient.
    """
    sources, targets = positions(*source), positions(*target)
    size = max(storage_size(*source), storage_size(*target))
    storage = np.bincount(sources.reshape(-1), weights=np.reshape(values, -1), minlength=size)
    if math.prod(shared_by[0]) > 1:
        sharing = np.bincount(positions(*shared_by).reshape(-1), minlength=size)
        if sharing.max() > 1:
            storage = storage / np.maximum(sharing, 1)
    return storage[targets].astype(values.dtype, copy=False)


def _restride_vjp(g, ans, values, source, target, shared_by):
    return restride(g, source=target, target=source, shared_by=shared_by)


def _storage_vjp(g, ans, x, storage, size, stride, offset, x_geometry):
    """Never called: the storage is the memory x lies in, passed as a plain array, not an operand."""
    raise AssertionError("the storage of as_strided takes no gradient")


# (x, storage) -> the window of storage; x_geometry: x's own place in it, which its gradient goes back to.
as_strided = Primitive("AsStrided", _as_strided, _as_strided_vjp, _storage_vjp, saves="nothing", view=True)
# The same, recorded by x.as_strided_(...), which torch names apart.
as_strided_in_place = Primitive("AsStridedInPlace", _as_strided, _as_strided_vjp, _storage_vjp, saves="nothing",
                                view=True, grad_fn_name="AsStridedBackward1", fused_for="as_strided(x, ...)")
restride = Primitive("AsStridedGradient", _restride, _restride_vjp, saves="nothing", grad_fn_name="AsStridedBackward0")


def _as_strided_scatter(x, src, size, stride, offset, order="K"):
    """A copy of x with src written over the window (size, stride, offset) of that copy's own
    storage. The copy is laid out as torch's clone lays out x (order "K"), or in C order."""
    if order == "C":
        out = np.array(x, order="C")
    else:
        out = empty_like(x)
        out[...] = x
    storage = np.lib.stride_tricks.as_strided(out, (storage_size(out.shape, _elements(out)),), (out.itemsize,))
    strided_view(storage, size, stride, offset)[...] = src
    return out


def _elements(array):
    return tuple(step // array.itemsize for step in array.strides)


def _as_strided_scatter_x_vjp(g, ans, x, src, size, stride, offset, order="K"):
    """The gradient passes to x except over the window src was written to, the window read in
    the C-ordered gradient (torch differentiates as_strided_scatter of a contiguous x only)."""
    return as_strided_scatter(g, 0, size=size, stride=stride, offset=offset, order="C")


def _as_strided_scatter_src_vjp(g, ans, x, src, size, stride, offset, order="K"):
    """src reads the gradient of the window it was written to (every element of it, also where a
    later element of src overwrote an earlier one in an overlapping window, as in torch)."""
    return restride(g, source=(g.shape, dense_strides(g.shape, range(len(g.shape) - 1, -1, -1)), 0), target=(size, stride, offset), shared_by=((), (), 0))


as_strided_scatter = Primitive("AsStridedScatter", _as_strided_scatter, _as_strided_scatter_x_vjp,
                               _as_strided_scatter_src_vjp, saves="nothing")
