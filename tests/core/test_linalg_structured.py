"""Torch parity of the structured matrices: kron, block_diag, diag_embed, diagflat, vander and
linalg.vander; forward, gradients and errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from parity import Cases

import minigrad
from minigrad.testing import assert_close, assert_raises_like_torch, method_or_function, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()
cases = Cases()


@cases.add
def kron(draw):
    a = draw(mst.arrays("float64", mst.shapes(max_dims=3, max_side=3)))
    b = draw(mst.arrays(draw(st.sampled_from(["float64", "int64"])), mst.shapes(max_dims=3, max_side=3)))
    form = draw(method_or_function("kron"))
    return (lambda lib, a, b: form(lib, a, b)), [a, b]


@cases.add
def block_diag(draw):
    """Matrices, rows (1-D) and numbers (0-D), empty ones included, of mixed dtypes. With an empty
    block, the forward only: torch's gradient then reads the blocks after it from the wrong rows."""
    count = draw(st.integers(1, 4))
    shapes = [draw(mst.shapes(max_dims=2, min_side=0, max_side=3)) for _ in range(count)]
    arrays = [draw(mst.arrays(draw(st.sampled_from(["float64", "float64", "int64"])), shape)) for shape in shapes]
    if any(0 in shape for shape in shapes):
        return (lambda lib, *tensors: lib.block_diag(*tensors)), arrays, [False] * count
    return (lambda lib, *tensors: lib.block_diag(*tensors)), arrays


@cases.add
def diag_embed(draw):
    shape = draw(mst.shapes(min_dims=1, max_dims=3, max_side=3))
    ndim = len(shape) + 1
    dim1, dim2 = draw(st.permutations(range(-ndim, 0)))[:2] if ndim > 1 else (-2, -1)
    offset = draw(st.integers(-3, 3))
    form = draw(method_or_function("diag_embed"))
    return (lambda lib, x: form(lib, x, offset, dim1, dim2)), [draw(mst.arrays("float64", shape))]


@cases.add
def diag_embed_defaults(draw):
    x = draw(mst.arrays("float64", mst.shapes(min_dims=1, max_dims=3, max_side=3)))
    return (lambda lib, x: lib.diag_embed(x)), [x]


@cases.add
def diagflat(draw):
    x = draw(mst.arrays("float64", mst.shapes(max_dims=3, max_side=3)))
    offset = draw(st.integers(-3, 3))
    form = draw(method_or_function("diagflat"))
    return (lambda lib, x: form(lib, x, offset)), [x]


@cases.add
def linalg_vander(draw):
    """Zeros included: the gradient of the running products is defined there."""
    x = draw(mst.arrays("float64", mst.shapes(min_dims=1, max_dims=3, min_side=2, max_side=4),
                        elements=st.sampled_from([0.0, 0.5, -1.5, 2.0]) | mst.reals(-2, 2)))
    if draw(st.booleans()):
        return (lambda lib, x: lib.linalg.vander(x)), [x]
    N = draw(st.integers(2, 5))
    return (lambda lib, x: lib.linalg.vander(x, N=N)), [x]


@cases.add
def vander_of_integers(draw):
    x = draw(mst.arrays(draw(st.sampled_from(["int64", "int32", "bool"])), (draw(st.integers(0, 4)),)))
    N, increasing = draw(st.none() | st.integers(0, 5)), draw(st.booleans())
    return (lambda lib, x: lib.vander(x, N=N, increasing=increasing)), [x]


test_parity = cases.test(max_examples=5)


@settings(max_examples=10)
@given(x=mst.arrays("float64", st.integers(1, 4).map(lambda n: (n,))), N=st.none() | st.integers(0, 5),
       increasing=st.booleans(), upstream=st.data())
def test_vander(x, N, increasing, upstream):
    """Forward against torch.vander; the gradient against torch.linalg.vander's, the same
    matrix (flipped unless increasing), since torch.vander's own backward raises an in-place error
    (torch 2.13)."""
    mine = minigrad.tensor(x, requires_grad=True)
    out = minigrad.vander(mine, N=N, increasing=increasing)
    assert_close(out, torch.vander(torch.tensor(x), N=N, increasing=increasing))
    count = len(x) if N is None else N
    if count < 2:
        assert not out.requires_grad
        return
    g = upstream.draw(mst.arrays("float64", tuple(out.shape)))
    out.backward(minigrad.tensor(g))
    theirs = torch.tensor(x, requires_grad=True)
    reference = torch.linalg.vander(theirs, N=count)
    (reference if increasing else reference.flip(-1)).backward(torch.tensor(g))
    assert_close(mine.grad, theirs.grad)


def test_block_diag_of_nothing_is_an_empty_row():
    assert_close(minigrad.block_diag(), torch.block_diag())


def test_block_diag_promotes_as_torch_does():
    for a, b in (("float32", "float64"), ("int64", "float32"), ("bool", "uint8"), ("int32", "int64")):
        for shapes in (((2,), ()), ((), (2, 2)), ((1, 2), (2,))):
            results = [lib.block_diag(lib.ones(shapes[0], dtype=getattr(lib, a)),
                                      lib.ones(shapes[1], dtype=getattr(lib, b))) for lib in (minigrad, torch)]
            assert_close(*results, what=f"{a} {shapes[0]}, {b} {shapes[1]}")


def test_block_diag_places_the_gradient_of_each_block_after_an_empty_one():
    """[[a], [], b]: b sits at row 2 (the empty row block takes row 1), and its gradient is read
    there (torch 2.13 reads it from row 1: a bug of its BlockDiagBackward0)."""
    a, empty, b = (minigrad.tensor(v, requires_grad=True) for v in (np.array(1.0), np.zeros(0), np.array(2.0)))
    out = minigrad.block_diag(a, empty, b)
    assert tuple(out.shape) == (3, 2)
    out.backward(minigrad.tensor([[10.0, 20.0], [30.0, 40.0], [50.0, 60.0]]))
    assert (a.grad.item(), b.grad.item(), tuple(empty.grad.shape)) == (10.0, 60.0, (0,))


def test_grad_fn_names_are_torch_s():
    for lib in (minigrad, torch):
        x = lib.ones(2, 3, requires_grad=True)
        names = [lib.block_diag(x, x).grad_fn.name(), lib.diag_embed(x).grad_fn.name(),
                 lib.diagflat(x).grad_fn.name(), lib.linalg.vander(x).grad_fn.name()]
        assert names == ["BlockDiagBackward0", "DiagEmbedBackward0", "DiagEmbedBackward0", "CatBackward0"]


BAD_CALLS = [
    lambda lib: lib.block_diag(lib.ones(2, 2), lib.ones(2, 1, 2)),
    lambda lib: lib.diag_embed(lib.ones(2, 3), 0, 1, 1),
    lambda lib: lib.diag_embed(lib.ones(2, 3), 0, -1, -4),
    lambda lib: lib.vander(lib.ones(2, 3)),
    lambda lib: lib.vander(lib.tensor(2.0)),
    lambda lib: lib.vander(lib.ones(3), N=-1),
    lambda lib: lib.linalg.vander(lib.ones(3), N=1),
    lambda lib: lib.linalg.vander(lib.tensor(2.0)),
    lambda lib: lib.linalg.vander(lib.ones(3, dtype=lib.bool)),
]


@pytest.mark.parametrize("call", BAD_CALLS)
def test_errors_are_torch_s(call):
    assert_raises_like_torch(call, same_message=True)


def test_kron_of_shapes_that_do_not_match_in_rank():
    a, b = np.arange(6.0).reshape(2, 3), np.arange(1.0, 9.0).reshape(2, 1, 2, 2)
    assert_close(minigrad.kron(minigrad.tensor(a), minigrad.tensor(b)), torch.kron(torch.tensor(a), torch.tensor(b)))
    assert_close(minigrad.kron(minigrad.tensor(b), minigrad.tensor(a)), torch.kron(torch.tensor(b), torch.tensor(a)))
