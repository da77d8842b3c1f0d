"""Shape primitives: they move elements around without computing anything new.

The gradient of a rearrangement is the inverse rearrangement of the gradient:
reshape back, transpose back, sum over what was repeated, slice apart what was joined.
"""

import math

import numpy as np

from minigrad._ops.layout import (c_order, dense_strides, empty_like, in_suggested_order, is_channels_last,
                                  strided_empty, suggested_order)
from minigrad._ops.registry import IndexedGradient, Primitive


def _reshape(x, shape):
    return np.reshape(x, shape)


def _view_back(g, ans, x, shape):
    """A reshape's gradient: g seen in x's shape (a view, as torch records it: ViewBackward0)."""
    return view(g, shape=x.shape)


def _unsqueeze_back(g, ans, x, shape):
    """A squeeze's gradient: g with the squeezed dims put back (UnsqueezeBackward0 in torch), or g
    itself where the squeeze removed nothing."""
    return g if g.shape == x.shape else unsqueeze(g, shape=x.shape)


def _squeeze_back(g, ans, x, shape):
    """An unsqueeze's gradient: g without the added dim (SqueezeBackward1 in torch)."""
    return squeeze_dim(g, shape=x.shape)


# Torch names these differently in grad_fn; each rule is a reshape back. A reshape that can be a
# view is recorded as one (ViewBackward0); one that must copy is a clone and an unsafe view, as in
# torch.
reshape = Primitive("Reshape", _reshape, _view_back, saves="nothing", view=True, grad_fn_name="ViewBackward0")
view = Primitive("View", _reshape, _view_back, saves="nothing", view=True, fused_for="reshape(x, shape)")
unsafe_view = Primitive("UnsafeView", _reshape, _view_back, saves="nothing", view=True,
                        fused_for="reshape(x, shape)")
resize = Primitive("Resize", _reshape, _view_back, saves="nothing", view=True, grad_fn_name="ResizeBackward",
                   fused_for="reshape(x, shape)")


def _squeezing(name, grad_fn_name):
    return Primitive(name, _reshape, _unsqueeze_back, saves="nothing", view=True, grad_fn_name=grad_fn_name,
                     fused_for="reshape(x, shape)")


# torch numbers its squeeze nodes by the form of dim (none, one dim, a tuple of dims), and the
# nodes of the in-place squeeze_ after them.
squeeze = _squeezing("Squeeze", "SqueezeBackward0")
squeeze_dim = _squeezing("SqueezeDim", "SqueezeBackward1")
squeeze_dims = _squeezing("SqueezeDims", "SqueezeBackward2")
squeeze_in_place = _squeezing("SqueezeInPlace", "SqueezeBackward3")
squeeze_dim_in_place = _squeezing("SqueezeDimInPlace", "SqueezeBackward4")
squeeze_dims_in_place = _squeezing("SqueezeDimsInPlace", "SqueezeBackward5")
unsqueeze = Primitive("Unsqueeze", _reshape, _squeeze_back, saves="nothing", view=True, fused_for="reshape(x, shape)")
unsqueeze_in_place = Primitive("UnsqueezeInPlace", _reshape, _squeeze_back, saves="nothing", view=True,
                               grad_fn_name="UnsqueezeBackward1", fused_for="reshape(x, shape)")


def _permute(x, axes):
    return np.transpose(x, axes)


def _permute_vjp(g, ans, x, axes):
    """The inverse permutation of the gradient (recorded as a permute, as in torch)."""
    return permute(g, axes=tuple(np.argsort(axes)))


def _transpose_vjp(g, ans, x, axes):
    """A swap of two dims is its own inverse (recorded as a transpose, as in torch)."""
    return transpose(g, axes=axes)


def _t_vjp(g, ans, x, axes):
    """t() is its own inverse (recorded as a t, as in torch)."""
    return t(g, axes=axes)


permute = Primitive("Permute", _permute, _permute_vjp, saves="nothing", view=True)
transpose = Primitive("Transpose", _permute, _transpose_vjp, saves="nothing", view=True, fused_for="permute(x, axes)")
t = Primitive("T", _permute, _t_vjp, saves="nothing", view=True, fused_for="permute(x, axes)")
# The in-place forms have nodes of their own in torch, numbered after the out-of-place ones.
transpose_in_place = Primitive("TransposeInPlace", _permute, _transpose_vjp, saves="nothing", view=True,
                               grad_fn_name="TransposeBackward1", fused_for="permute(x, axes)")
t_in_place = Primitive("TInPlace", _permute, _t_vjp, saves="nothing", view=True, grad_fn_name="TBackward1",
                       fused_for="permute(x, axes)")

# expand: a broadcast view; the engine sums the gradient back over the expanded axes.
expand = Primitive("Expand", lambda x, shape: np.broadcast_to(x, shape),
                   lambda g, ans, x, shape: g, saves="nothing", view=True)


def _repeat_vjp(g, ans, x, reps):
    # np.tile lays copies out as (r0, s0, r1, s1, ...): split each axis that way and sum the copies.
    shape = (1,) * (len(reps) - x.ndim) + x.shape
    split = []
    for r, s in zip(reps, shape):
        split += [r, s]
    summed = np.reshape(g, split).sum(axis=tuple(range(0, 2 * len(reps), 2)))
    return np.reshape(summed, x.shape)


repeat = Primitive("Repeat", lambda x, reps: np.tile(x, reps), _repeat_vjp, saves="nothing",
                   fused_for="reshape(expand(x, ...), ...)")

def _diagonal(x, offset, axis1, axis2):
    # NumPy hands out the diagonal as a read-only view; torch's is writable (x.diagonal().fill_(1)
    # changes x), and so is this one when x is.
    d = np.diagonal(x, offset, axis1, axis2)
    if x.flags.writeable:
        d.flags.writeable = True
    return d


def _diagonal_vjp(g, ans, x, offset, axis1, axis2):
    if type(g) is not np.ndarray:  # a recorded gradient: g placed at the diagonal's positions of zeros
        positions = _diagonal(np.arange(math.prod(x.shape)).reshape(x.shape), offset, axis1, axis2)
        return IndexedGradient(x.shape, g.dtype, np.unravel_index(positions, x.shape), g)
    grad = np.zeros(x.shape, dtype=g.dtype)
    _diagonal(grad, offset, axis1, axis2)[...] = g
    return grad


# The diagonal of the planes (axis1, axis2), as a new last axis: a view of x.
diagonal = Primitive("Diagonal", _diagonal, _diagonal_vjp, saves="nothing", view=True)


def _flip(x, axis):
    """x reversed along `axis`, in a copy as torch's flip is (writing into the result must not
    change the input), laid out like x as torch's is."""
    out = empty_like(x)
    out[...] = np.flip(x, axis)
    return out


flip = Primitive("Flip", _flip, lambda g, ans, x, axis: np.flip(g, axis), saves="nothing")


def _channel_shuffle(x, groups):
    """(N, C, *) with its channels read as a (groups, C / groups) grid, row by row, and written out
    column by column: channel k of group i moves to position k * groups + i."""
    grid = x.reshape(x.shape[0], groups, x.shape[1] // groups, *x.shape[2:])
    return np.swapaxes(grid, 1, 2).reshape(x.shape)  # (a copy: the swapped grid is not contiguous)


# The inverse shuffle reads the same grid transposed: a shuffle with C / groups groups.
channel_shuffle = Primitive("ChannelShuffle", _channel_shuffle,
                            lambda g, ans, x, groups: channel_shuffle(g, groups=x.shape[1] // groups),
                            saves="nothing", fused_for="reshape(transpose(reshape(x)))")


def _concatenate(*xs, axis):
    """The arrays joined along `axis`, C-ordered whatever theirs as torch's cat is, or
    channels-last where every input is (see layout.suggested_order). NumPy's follows its
    inputs' order; with a C-ordered first input only flags need checking."""
    ans = np.concatenate(xs, axis=axis)
    if xs[0].flags.c_contiguous and ans.flags.c_contiguous:
        return ans
    return suggested_order(ans, xs[0]) if all(is_channels_last(x) for x in xs) else c_order(ans)


def _concatenate_vjp(i, g, ans, *xs, axis):
    start = sum(x.shape[axis] for x in xs[:i])
    index = [slice(None)] * g.ndim
    index[axis] = slice(start, start + xs[i].shape[axis])
    return g[tuple(index)]


cat = Primitive("Cat", _concatenate, vjp_argnum=_concatenate_vjp, saves="nothing")


def _stack(*xs, axis):
    """The arrays stacked along a new `axis`, laid out as torch's stack is: it joins them along
    `axis` (laid out as by _concatenate) and splits that axis in two, a view. Along a new last
    axis, which no view can make, the result is C-ordered."""
    if axis == xs[0].ndim:
        return c_order(np.stack(xs, axis=axis))
    joined = _concatenate(*xs, axis=axis)
    return joined.reshape(joined.shape[:axis] + (len(xs), xs[0].shape[axis]) + joined.shape[axis + 1:])


def _stack_vjp(i, g, ans, *xs, axis):
    return np.take(g, i, axis=axis)


stack = Primitive("Stack", _stack, vjp_argnum=_stack_vjp, saves="nothing",
                  fused_for="cat([unsqueeze(x_i, axis) ...], axis)")

# roll: elements shifted cyclically; the gradient shifts back.
roll = Primitive("Roll", in_suggested_order(lambda x, shifts, axes: np.roll(x, shifts, axes)),
                 lambda g, ans, x, shifts, axes: np.roll(g, tuple(-s for s in shifts), axes), saves="nothing",
                 fused_for="cat of two slices of x")


def _unfold(x, dim, size, step):
    """The windows of `size` elements every `step` elements along axis `dim`, each laid out along a
    new last axis: x[..., i * step + j, ...] is out[..., i, ..., j]. A strided view of x, copied."""
    if x.ndim == 0:  # a number is one element along its only axis
        return np.repeat(x[None], size)
    count = (x.shape[dim] - size) // step + 1
    shape = x.shape[:dim] + (count,) + x.shape[dim + 1:] + (size,)
    strides = x.strides[:dim] + (x.strides[dim] * step,) + x.strides[dim + 1:] + (x.strides[dim],)
    return np.lib.stride_tricks.as_strided(x, shape, strides, writeable=False).copy()


def _unfold_backward(g, input_shape, dim, size, step):
    """unfold's gradient: each window's gradient added back onto the elements it was read from,
    one strided slice per position j in the window (the elements overlapping windows share get
    the sum)."""
    if not input_shape:
        return g.sum()
    grad = np.zeros(input_shape, dtype=g.dtype)
    count = g.shape[dim]
    for j in range(size):
        window_j = (slice(None),) * dim + (slice(j, j + step * (count - 1) + 1, step),)
        grad[window_j] += g[..., j]
    return grad


# Each is the other's adjoint (a gather and its scatter-add), so gradients of any order follow.
unfold = Primitive("Unfold", _unfold,
                   lambda g, ans, x, dim, size, step: unfold_backward(g, input_shape=x.shape, dim=dim, size=size,
                                                                     step=step),
                   saves="nothing")
unfold_backward = Primitive("UnfoldBackward", _unfold_backward,
                            lambda g, ans, x, input_shape, dim, size, step: unfold(g, dim=dim, size=size, step=step),
                            saves="nothing")


# ---------------------------------------------------------------- the *_copy ops
# torch's permute_copy(x, ...) is permute(x, ...) written into a new contiguous tensor, and so for
# every view op: the same elements and the same gradient, in memory of their own. Here each is the
# view followed by one of these copies, whose node is named as torch names the *_copy op's node.

def _fresh(x):
    """x's elements in a new C-ordered array, never a view of x (strided as torch's contiguous
    tensors are, also where a dim is empty, where NumPy gives strides of 0)."""
    out = strided_empty(x.shape, x.dtype, dense_strides(x.shape, range(x.ndim - 1, -1, -1)))
    out[...] = x
    return out


def _passed_on(g, ans, x):
    return g


def _copy_of_view(grad_fn_name):
    return Primitive(grad_fn_name, _fresh, _passed_on, saves="nothing", grad_fn_name=grad_fn_name, fused_for="clone(x)")


VIEW_COPIES = {name: _copy_of_view(name) for name in (
    "AliasBackward0_copy", "AsStridedBackward0_copy", "DiagonalBackward0_copy", "ExpandBackward0_copy",
    "PermuteBackward0_copy", "SelectBackward0_copy", "SliceBackward0_copy", "SplitBackward0_copy",
    "SplitWithSizesBackward0_copy", "SqueezeBackward0_copy", "SqueezeBackward1_copy", "SqueezeBackward2_copy",
    "TBackward0_copy", "TransposeBackward0_copy", "UnbindBackward0_copy", "UnfoldBackward0_copy",
    "UnsqueezeBackward0_copy", "ViewBackward0_copy", "NarrowCopyBackward0")}

# torch's unsafe_split and unsafe_chunk: the pieces of split, sharing x's memory, but not recorded as
# views of it (an in-place change of a piece is not seen through x). The same array, a node of its own.
unsafe_split = Primitive("UnsafeSplit", lambda x: x, _passed_on, saves="nothing", fused_for="split(x)")
unsafe_split_with_sizes = Primitive("UnsafeSplitWithSizes", lambda x: x, _passed_on, saves="nothing",
                                    fused_for="split(x)")


def _refuse_detach_copy_gradient(g, ans, x):
    raise RuntimeError("derivative for aten::detach_copy is not implemented")


# torch's detach_copy keeps requires_grad but has no derivative: backward through it raises.
detach_copy = Primitive("DetachCopy", _fresh, _refuse_detach_copy_gradient, saves="nothing",
                        grad_fn_name="torch::autograd::NotImplemented")
