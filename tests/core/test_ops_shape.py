"""Torch parity of the shape ops: reshape, view, view_as, flatten, squeeze, unsqueeze,
transpose, t, T, permute, expand, expand_as, repeat, cat, stack, split and chunk."""

import math

from hypothesis import strategies as st
from parity import Cases

from minigrad.testing import method_or_function
from minigrad.testing import strategies as mst

cases = Cases()


@st.composite
def same_size_shapes(draw, shape):
    """Another shape with as many elements: the sides reordered, 1s inserted, maybe one -1."""
    sides = draw(st.permutations(list(shape)))
    for _ in range(draw(st.integers(0, 2))):
        sides.insert(draw(st.integers(0, len(sides))), 1)
    if sides and draw(st.booleans()):
        sides[draw(st.integers(0, len(sides) - 1))] = -1
    return tuple(sides)


@cases.add
def reshape_view(draw):
    x = draw(mst.arrays("float64", mst.shapes()))
    shape = draw(same_size_shapes(x.shape))
    name = draw(st.sampled_from(["reshape", "view"]))
    if name == "reshape" and draw(st.booleans()):
        return (lambda lib, x: lib.reshape(x, shape)), [x]
    if not shape or draw(st.booleans()):  # torch needs at least one size in the *shape form
        return (lambda lib, x: getattr(x, name)(shape)), [x]
    return (lambda lib, x: getattr(x, name)(*shape)), [x]


@cases.add
def shape_ops_of_empty_tensors(draw):
    x = draw(mst.arrays("float64", mst.shapes(min_dims=1, min_side=0).filter(lambda s: 0 in s)))
    form = draw(st.sampled_from([lambda x: x.reshape(-1), lambda x: x.flatten(),
                                 lambda x: x.t() if x.ndim <= 2 else x,
                                 lambda x: x.unsqueeze(0).expand(2, *x.shape),
                                 lambda x: x.permute(*range(x.ndim)[::-1])]))
    return (lambda lib, x: form(x)), [x]


@cases.add
def unfold(draw):
    """Windows along a dim, overlapping (step < size), touching or with gaps; size 0 and 0-d too.
    Overlapping windows send their gradients back to the elements they share."""
    x = draw(mst.arrays("float64", mst.shapes(min_side=0)))
    dim = draw(st.integers(-max(x.ndim, 1), max(x.ndim, 1) - 1))
    length = x.shape[dim] if x.ndim else 1
    size = draw(st.integers(0, length))
    step = draw(st.integers(1, 4))
    return (lambda lib, x: x.unfold(dim, size, step)), [x]


@cases.add
def view_as(draw):
    x = draw(mst.arrays("float64", mst.shapes()))
    shape = draw(same_size_shapes(x.shape))
    known = math.prod(n for n in shape if n != -1)
    other = draw(mst.arrays("float64", tuple(x.size // known if n == -1 else n for n in shape)))
    return (lambda lib, x, other: x.view_as(other)), [x, other]


@cases.add
def flatten(draw):
    x = draw(mst.arrays("float64", mst.shapes()))
    form = draw(method_or_function("flatten"))
    if draw(st.booleans()):
        return (lambda lib, x: form(lib, x)), [x]
    n = max(x.ndim, 1)
    start = draw(st.integers(0, n - 1))
    end = draw(st.integers(start, n - 1))
    start, end = draw(st.sampled_from([start, start - n])), draw(st.sampled_from([end, end - n]))
    return (lambda lib, x: form(lib, x, start, end)), [x]


@cases.add
def squeeze(draw):
    """squeeze() of all size-1 axes, or of one dim or a tuple of dims (sizes other than 1 stay)."""
    x = draw(mst.arrays("float64", mst.shapes(max_side=2)))
    form = draw(method_or_function("squeeze"))
    if draw(st.booleans()):
        return (lambda lib, x: form(lib, x)), [x]
    dim = draw(mst.dims(x.ndim))
    return (lambda lib, x: form(lib, x, dim)), [x]


@cases.add
def unsqueeze(draw):
    x = draw(mst.arrays("float64", mst.shapes()))
    dim = draw(st.integers(-x.ndim - 1, x.ndim))
    form = draw(method_or_function("unsqueeze"))
    return (lambda lib, x: form(lib, x, dim)), [x]


@cases.add
def transpose(draw):
    x = draw(mst.arrays("float64", mst.shapes()))
    dim0, dim1 = draw(mst.dim(x.ndim)), draw(mst.dim(x.ndim))
    form = draw(method_or_function(draw(st.sampled_from(["transpose", "swapaxes"]))))
    return (lambda lib, x: form(lib, x, dim0, dim1)), [x]


@cases.add
def t_and_T(draw):
    """t() of tensors with at most 2 dims; .T of matrices."""
    x = draw(mst.arrays("float64", mst.shapes(max_dims=2)))
    forms = [lambda lib, x: x.t(), lambda lib, x: lib.t(x)]
    if x.ndim == 2:
        forms.append(lambda lib, x: x.T)
    return draw(st.sampled_from(forms)), [x]


@cases.add
def permute(draw):
    x = draw(mst.arrays("float64", mst.shapes()))
    order = [draw(st.sampled_from([a, a - x.ndim])) for a in draw(st.permutations(range(x.ndim)))]
    if order and draw(st.booleans()):
        return (lambda lib, x: x.permute(*order)), [x]
    form = draw(method_or_function("permute"))
    return (lambda lib, x: form(lib, x, tuple(order))), [x]


@cases.add
def expand(draw):
    """expand to a broadcast shape (new leading dims, size-1 axes grown, -1 keeping a size)."""
    x = draw(mst.arrays("float64", mst.shapes(max_dims=3)))
    target = draw(mst.broadcastable_shapes(x.shape, min_dims=x.ndim, max_dims=x.ndim + 2))
    target = tuple(max(t, s) for t, s in zip(target, (1,) * (len(target) - x.ndim) + x.shape))
    lead = len(target) - x.ndim
    sizes = tuple(-1 if i >= lead and draw(st.booleans()) else n for i, n in enumerate(target))
    if draw(st.booleans()):
        other = draw(mst.arrays("float64", target))
        return (lambda lib, x, other: x.expand_as(other)), [x, other]
    if not sizes or draw(st.booleans()):
        return (lambda lib, x: x.expand(sizes)), [x]
    return (lambda lib, x: x.expand(*sizes)), [x]


@cases.add
def repeat(draw):
    x = draw(mst.arrays("float64", mst.shapes(max_dims=3, max_side=3)))
    reps = tuple(draw(st.lists(st.integers(1, 3), min_size=x.ndim, max_size=x.ndim + 2)))
    if not reps or draw(st.booleans()):
        return (lambda lib, x: x.repeat(reps)), [x]
    return (lambda lib, x: x.repeat(*reps)), [x]


@cases.add
def cat(draw):
    """cat of 1-3 tensors whose sizes differ along dim, dtypes promoted as in torch."""
    shape = draw(mst.shapes(min_dims=1))
    axis = draw(st.integers(0, len(shape) - 1))
    dim = draw(st.sampled_from([axis, axis - len(shape)]))
    xs = []
    for _ in range(draw(st.integers(1, 3))):
        size = draw(st.integers(0, 3))
        dtype = draw(st.sampled_from(["float64", "float64", "int64"]))
        xs.append(draw(mst.arrays(dtype, shape[:axis] + (size,) + shape[axis + 1:])))
    name = draw(st.sampled_from(["cat", "concat"]))
    return (lambda lib, *xs: getattr(lib, name)(xs, dim)), xs


@cases.add
def stack(draw):
    shape = draw(mst.shapes())
    dim = draw(st.integers(-len(shape) - 1, len(shape)))
    xs = [draw(mst.arrays("float64", shape)) for _ in range(draw(st.integers(1, 3)))]
    return (lambda lib, *xs: lib.stack(xs, dim=dim)), xs


@cases.add
def split(draw):
    """split into pieces of a size (the last one shorter) or into listed sections."""
    x = draw(mst.arrays("float64", mst.shapes(min_dims=1, max_side=5)))
    dim = draw(mst.dim(x.ndim))
    size = x.shape[dim]
    if draw(st.booleans()):
        sections = draw(st.integers(1, 6))
    else:
        cuts = sorted(draw(st.lists(st.integers(0, size), max_size=3)))
        sections = [b - a for a, b in zip([0] + cuts, cuts + [size])]
    form = draw(method_or_function("split"))
    return (lambda lib, x: form(lib, x, sections, dim)), [x]


@cases.add
def chunk(draw):
    x = draw(mst.arrays("float64", mst.shapes(min_dims=1, max_side=6)))
    chunks = draw(st.integers(1, 7))
    dim = draw(mst.dim(x.ndim))
    form = draw(method_or_function("chunk"))
    return (lambda lib, x: form(lib, x, chunks, dim)), [x]


test_parity = cases.test()
