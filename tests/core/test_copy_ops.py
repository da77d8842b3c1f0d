"""The *_copy ops, narrow_copy and the unsafe splits against torch.

Each *_copy op is a view op whose result lies in new contiguous memory: the values, the
gradients and the node's name (PermuteBackward0_copy, ...) are torch's, and the result shares
no memory with the input. The unsafe splits are split's pieces, sharing the input's memory
without being recorded as views of it. Hypothesis draws the input and each op's arguments.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import torch_or_skip
from minigrad.testing import strategies as mst
from minigrad.testing.parity import assert_raises_like_torch, assert_same_as_torch, check_parity

torch = torch_or_skip()


def _dim(draw, ndim):
    return draw(st.integers(-ndim, ndim - 1), label="dim")


def _split_sizes(draw, total):
    cuts = sorted(draw(st.lists(st.integers(0, total), max_size=3), label="cuts"))
    edges = [0, *cuts, total]
    return [b - a for a, b in zip(edges, edges[1:])]


# name -> case(draw, shape) -> fn(lib, x): the op with its arguments drawn for an input of `shape`.
CASES, UNSAFE = {}, {}


def case(name, table=CASES):
    def register(build):
        table[name] = build
        return build
    return register


@case("alias_copy")
def _alias(draw, shape):
    return lambda lib, x: lib.alias_copy(x)


@case("diagonal_copy")
def _diagonal(draw, shape):
    offset, dims = draw(st.integers(-2, 2)), draw(st.permutations(range(len(shape))))[:2]
    return lambda lib, x: lib.diagonal_copy(x, offset, *dims)


@case("expand_copy")
def _expand(draw, shape):
    size = (2,) + tuple(3 if n == 1 else draw(st.sampled_from([n, -1])) for n in shape)
    return lambda lib, x: lib.expand_copy(x, size)


@case("permute_copy")
def _permute(draw, shape):
    dims = tuple(draw(st.permutations(range(len(shape)))))
    return lambda lib, x: lib.permute_copy(x, dims)


@case("select_copy")
def _select(draw, shape):
    dim = _dim(draw, len(shape))
    index = draw(st.integers(-shape[dim], shape[dim] - 1))
    return lambda lib, x: lib.select_copy(x, dim, index)


@case("slice_copy")
def _slice(draw, shape):
    dim, step = _dim(draw, len(shape)), draw(st.integers(1, 3))
    start, end = draw(st.none() | st.integers(-6, 6)), draw(st.none() | st.integers(-6, 6))
    return lambda lib, x: lib.slice_copy(x, dim, start, end, step)


@case("split_copy")
def _split(draw, shape):
    size, dim = draw(st.integers(1, 4)), _dim(draw, len(shape))
    return lambda lib, x: lib.split_copy(x, size, dim)


@case("split_with_sizes_copy")
def _split_with_sizes(draw, shape):
    dim = _dim(draw, len(shape))
    sizes = _split_sizes(draw, shape[dim])
    return lambda lib, x: lib.split_with_sizes_copy(x, sizes, dim)


@case("squeeze_copy")
def _squeeze(draw, shape):
    dim = draw(st.integers(-len(shape), len(shape) - 1) | st.just(tuple(range(len(shape)))))
    return lambda lib, x: lib.squeeze_copy(x, dim)


@case("squeeze_copy without dim")
def _squeeze_all(draw, shape):
    return lambda lib, x: lib.squeeze_copy(x)


@case("t_copy")
def _t(draw, shape):
    return lambda lib, x: lib.t_copy(x.reshape(shape[0], -1))


@case("transpose_copy")
def _transpose(draw, shape):
    a, b = _dim(draw, len(shape)), _dim(draw, len(shape))
    return lambda lib, x: lib.transpose_copy(x, a, b)


@case("unbind_copy")
def _unbind(draw, shape):
    dim = _dim(draw, len(shape))
    return lambda lib, x: lib.unbind_copy(x, dim)


@case("unfold_copy")
def _unfold(draw, shape):
    dim = _dim(draw, len(shape))
    size, step = draw(st.integers(1, shape[dim])), draw(st.integers(1, 3))
    return lambda lib, x: lib.unfold_copy(x, dim, size, step)


@case("unsqueeze_copy")
def _unsqueeze(draw, shape):
    dim = draw(st.integers(-len(shape) - 1, len(shape)))
    return lambda lib, x: lib.unsqueeze_copy(x, dim)


@case("view_copy")
def _view(draw, shape):
    return lambda lib, x: lib.view_copy(x, (-1,) + tuple(shape[2:]))


@case("view_copy of a transposed input")
def _view_transposed(draw, shape):
    return lambda lib, x: lib.view_copy(x.transpose(0, -1), (-1,))


@case("narrow_copy")
def _narrow(draw, shape):
    """(A start from 0 on: for a negative start torch's gradient is wrong, see the test below.)"""
    dim = _dim(draw, len(shape))
    start = draw(st.integers(0, shape[dim]))
    length = draw(st.integers(0, shape[dim] - start))
    return lambda lib, x: lib.narrow_copy(x, dim, start, length)


@case("Tensor.narrow_copy")
def _narrow_method(draw, shape):
    return lambda lib, x: x.narrow_copy(0, 1, shape[0] - 1)


@case("unsafe_split", UNSAFE)
def _unsafe_split(draw, shape):
    size, dim = draw(st.integers(1, 4)), _dim(draw, len(shape))
    return lambda lib, x: lib.unsafe_split(x, size, dim)


@case("Tensor.unsafe_split", UNSAFE)
def _unsafe_split_method(draw, shape):
    return lambda lib, x: x.unsafe_split(2)


@case("unsafe_chunk", UNSAFE)
def _unsafe_chunk(draw, shape):
    chunks, dim = draw(st.integers(1, 4)), _dim(draw, len(shape))
    return lambda lib, x: lib.unsafe_chunk(x, chunks, dim)


@case("Tensor.unsafe_chunk", UNSAFE)
def _unsafe_chunk_method(draw, shape):
    return lambda lib, x: x.unsafe_chunk(2, -1)


@case("unsafe_split_with_sizes", UNSAFE)
def _unsafe_split_with_sizes(draw, shape):
    dim = _dim(draw, len(shape))
    sizes = _split_sizes(draw, shape[dim])
    return lambda lib, x: lib.unsafe_split_with_sizes(x, sizes, dim)


@case("Tensor.unsafe_split_with_sizes", UNSAFE)
def _unsafe_split_with_sizes_method(draw, shape):
    return lambda lib, x: x.unsafe_split_with_sizes([1, shape[0] - 1])


def _pieces(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _memory(lib, x, pieces):
    """For each piece: (shares memory with x, recorded as a view, contiguous, strides, grad_fn's name)."""
    facts = []
    for piece in pieces:
        if lib is torch:
            shares = piece.numel() > 0 and piece.untyped_storage().data_ptr() == x.untyped_storage().data_ptr()
        else:
            shares = bool(np.shares_memory(piece._array, x._array))
        facts.append((shares, piece._base is not None, piece.is_contiguous(), piece.stride(),
                      piece.grad_fn.name() if piece.grad_fn is not None else None))
    return facts


@given(data=st.data(), name=st.sampled_from(sorted(CASES) + sorted(UNSAFE)),
       shape=mst.shapes(min_dims=2, max_dims=3, min_side=1, max_side=4), dtype=st.sampled_from([np.float64, np.float32]))
@settings(max_examples=120)
def test_copy_ops_match_torch(data, name, shape, dtype):
    """Values and gradients (check_parity), then where the results lie: a *_copy op's result in new
    contiguous memory, an unsafe split's pieces in x's memory, unrecorded as views, as in torch."""
    fn = {**CASES, **UNSAFE}[name](data.draw, shape)
    array = data.draw(mst.arrays(np.float64, shape), label="x")
    check_parity(data, fn, [array], dtype=dtype)
    facts = []
    for lib in (minigrad, torch):
        x = lib.tensor(array.astype(dtype), requires_grad=True)
        facts.append(_memory(lib, x, _pieces(fn(lib, x))))
    assert facts[0] == facts[1]
    if name in CASES:
        assert not any(shares for shares, *_ in facts[0])


def test_detach_copy_requires_grad_but_has_no_derivative_as_in_torch():
    def program(lib):
        x = lib.tensor([1.0, -2.0], requires_grad=True)
        y = lib.detach_copy(x)
        return y, y.requires_grad, y.grad_fn.name(), y.is_contiguous()

    assert_same_as_torch(program)
    mine, theirs = assert_raises_like_torch(lambda lib: lib.detach_copy(lib.ones(2, requires_grad=True)).sum().backward())
    assert "detach_copy" in str(mine)


def test_narrow_copy_from_a_negative_start_has_the_gradient_of_narrow():
    """torch's NarrowCopyBackward0 loses the gradient of a negative start (narrow_copy(x, 0, -1, 1)
    gives x no gradient), though its values are right: minigrad's gradient is narrow's."""
    def program(lib, copy):
        x = lib.arange(1.0, 5.0, dtype=lib.float64).requires_grad_()
        y = lib.narrow_copy(x, 0, -3, 2) if copy else x.narrow(0, -3, 2)
        y.backward(lib.tensor([10.0, 100.0], dtype=lib.float64))
        return y, x.grad

    assert_same_as_torch(lambda lib: program(lib, copy=True)[0])
    mine = [t.tolist() for t in program(minigrad, copy=True)]
    assert mine == [t.tolist() for t in program(torch, copy=False)] == [[2.0, 3.0], [0.0, 10.0, 100.0, 0.0]]


def test_view_copy_to_a_dtype_reads_the_same_bytes():
    assert_same_as_torch(lambda lib: lib.view_copy(lib.tensor([1.0, -2.0]), lib.int32))


@pytest.mark.parametrize("call", [
    lambda lib: lib.slice_copy(lib.ones(3, 4), 1, 1, 3, 0),
    lambda lib: lib.slice_copy(lib.ones(3, 4), 2),
    lambda lib: lib.split_copy(lib.ones(3, 4), [1, 3], 1),
    lambda lib: lib.split_with_sizes_copy(lib.ones(3, 4), [1, 2], 1),
    lambda lib: lib.view_copy(lib.ones(3, 4), (5,)),
    lambda lib: lib.t_copy(lib.ones(2, 2, 2)),
    lambda lib: lib.squeeze_copy(lib.ones(3, 4), 3),
    lambda lib: lib.expand_copy(lib.ones(3, 4), (2,)),
    lambda lib: lib.narrow_copy(lib.ones(3, 4), 1, 2, 3),
    lambda lib: lib.ones(3, 4).narrow_copy(1, -5, 1),
    lambda lib: lib.select_copy(lib.ones(3, 4), 1, 4),
    lambda lib: lib.diagonal_copy(lib.ones(3, 4), 0, 1, 1),
    lambda lib: lib.unfold_copy(lib.ones(3, 4), 1, 5, 1),
    lambda lib: lib.permute_copy(lib.ones(3, 4), (0,)),
    lambda lib: lib.unbind_copy(lib.ones(3, 4), 2),
    lambda lib: lib.unsqueeze_copy(lib.ones(3, 4), 3),
    lambda lib: lib.transpose_copy(lib.ones(3, 4), 0, 2),
    lambda lib: lib.unsafe_chunk(lib.ones(3, 4), 0),
    lambda lib: lib.unsafe_split(lib.ones(3, 4), [1, 3], 1),
    lambda lib: lib.ones(3, 4).unsafe_split([1, 3], 1),
    lambda lib: lib.unsafe_split_with_sizes(lib.ones(3, 4), [1, 2], 1),
])
def test_copy_op_errors_match_torch(call):
    assert_raises_like_torch(call)
