"""Strides and contiguity as torch's: each op lays out its result as torch does, so that .view()
works exactly where it works in torch. (In torch x.t().sum(0).view(-1) works: a sum comes out
contiguous whatever its input's layout; NumPy's sum of a transposed array would be strided.)

Hypothesis draws the input's shape, its layout (a permutation of its dims, and maybe every other
element along one dim: a strided input with gaps), an op of one family and its dim. The test builds
the same input in both libraries and compares stride(), is_contiguous() and whether .view(-1)
succeeds. The sides are 2 to 4: the strides of dims of size 1 mean nothing to is_contiguous or
view, and NumPy and torch give them differently in places (see README, Differences from torch).
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import torch_or_skip

torch = torch_or_skip()


@st.composite
def inputs(draw, min_dims=1):
    """(make, ndim): make(lib) builds the drawn input in lib; every call builds a new one."""
    ndim = draw(st.integers(min_dims, 4))
    shape = draw(st.lists(st.integers(2, 4), min_size=ndim, max_size=ndim))
    order = draw(st.permutations(range(ndim)))
    stepped = draw(st.sampled_from([None, *range(ndim)]))  # every other element along this dim, or none
    stored = [n * 2 if d == stepped else n for d, n in enumerate(shape)]
    values = (3 - np.arange(np.prod(stored)) % 7).astype(np.float32).reshape(stored)  # some > 0, some 0

    def make(lib):
        x = lib.tensor(values)
        if stepped is not None:
            x = x[(slice(None),) * stepped + (slice(None, None, 2),)]
        return x.permute(*order)

    return make, ndim


def layout(t):
    try:
        t.view(-1)
        views = True
    except RuntimeError:
        views = False
    return tuple(t.stride()), t.is_contiguous(), views


def assert_laid_out_as_torch(op, make, dim):
    theirs, ours = op(torch, make(torch), dim), op(minigrad, make(minigrad), dim)
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert layout(ours) == layout(theirs)


# Each op: (lib, x, dim) -> one tensor; dim is a dim of x. keepdim is drawn as its own case.
REDUCTIONS = {
    "sum": lambda lib, x, d: x.sum(d), "sum keepdim": lambda lib, x, d: x.sum(d, keepdim=True),
    "sum of several dims": lambda lib, x, d: x.sum(tuple({0, d, x.ndim - 1})),
    "mean of several dims keepdim": lambda lib, x, d: x.mean(tuple({0, d}), keepdim=True),
    "mean": lambda lib, x, d: x.mean(d), "mean keepdim": lambda lib, x, d: x.mean(d, keepdim=True),
    "amax": lambda lib, x, d: x.amax(d), "amin keepdim": lambda lib, x, d: x.amin(d, keepdim=True),
    "max values": lambda lib, x, d: x.max(d).values, "min indices keepdim": lambda lib, x, d: x.min(d, True).indices,
    "prod": lambda lib, x, d: x.prod(d), "var": lambda lib, x, d: x.var(d), "std keepdim": lambda lib, x, d: x.std(d, keepdim=True),
    "norm": lambda lib, x, d: x.norm(dim=d), "logsumexp": lambda lib, x, d: x.logsumexp(d),
    "argmax": lambda lib, x, d: x.argmax(d), "argmin keepdim": lambda lib, x, d: x.argmin(d, keepdim=True),
    "any": lambda lib, x, d: (x > 0).any(d), "all keepdim": lambda lib, x, d: (x > 0).all(d, keepdim=True),
    "count_nonzero": lambda lib, x, d: x.count_nonzero(d),
}
SCANS = {
    "cumsum": lambda lib, x, d: x.cumsum(d), "cumprod": lambda lib, x, d: x.cumprod(d),
    "logcumsumexp": lambda lib, x, d: x.logcumsumexp(d),
    "cummax values": lambda lib, x, d: x.cummax(d).values, "cummin indices": lambda lib, x, d: x.cummin(d).indices,
    "softmax": lambda lib, x, d: x.softmax(d), "log_softmax": lambda lib, x, d: x.log_softmax(d),
}
JOINS_AND_ORDERINGS = {
    "cat": lambda lib, x, d: lib.cat([x, x], d), "cat with a contiguous copy": lambda lib, x, d: lib.cat([x, x.contiguous()], d),
    "stack": lambda lib, x, d: lib.stack([x, x], d), "stack after a contiguous copy": lambda lib, x, d: lib.stack([x.contiguous(), x], d),
    "roll": lambda lib, x, d: x.roll(1, d), "flip": lambda lib, x, d: x.flip(d),
    "sort values": lambda lib, x, d: x.sort(d).values, "sort indices": lambda lib, x, d: x.sort(d).indices,
    "argsort": lambda lib, x, d: x.argsort(d), "topk": lambda lib, x, d: x.topk(2, d).values,
    "repeat_interleave": lambda lib, x, d: x.repeat_interleave(2, d),
}


def _at(d, index):
    return (slice(None),) * d + (index,)


INDEXING = {
    "a list": lambda lib, x, d: x[_at(d, [0, 1, 0])],
    "a 2-d index tensor": lambda lib, x, d: x[_at(d, lib.tensor([[0, 1], [1, 0]]))],
    "a transposed index tensor": lambda lib, x, d: x[_at(d, lib.tensor([[0, 1, 1], [1, 0, 0]]).t())],
    "two neighbouring lists": lambda lib, x, d: x[_at(min(d, x.ndim - 2), [0, 1]) + ([1, 1],)] if x.ndim > 1 else x[[0]],
    "two lists apart": lambda lib, x, d: x[[0, 1], :, [1, 0]] if x.ndim > 2 else x[:, [1]] if x.ndim > 1 else x[[1]],
    "an int and a list": lambda lib, x, d: x[_at(d, [1, 0]) + (0,)] if d < x.ndim - 1 else x[0],
    "a boolean mask of one dim": lambda lib, x, d: x[_at(d, lib.tensor([True, False] + [True] * (x.shape[d] - 2)))],
    "a boolean mask of all dims": lambda lib, x, d: x[x > 0],
    "index_select": lambda lib, x, d: x.index_select(d, lib.tensor([1, 0, 1])),
    "take": lambda lib, x, d: x.take(lib.tensor([[0, 1], [1, 0]])),
    "gather": lambda lib, x, d: x.gather(d, lib.zeros(x.shape, dtype=lib.int64)),
    "masked_fill": lambda lib, x, d: x.masked_fill(x > 0, 0.0),
    "masked_fill with a broadcast mask": lambda lib, x, d: x.masked_fill(lib.arange(x.shape[-1]) % 2 == 0, 1.0),
    "where": lambda lib, x, d: lib.where(x > 0, x, 0.0),
    "nonzero": lambda lib, x, d: x.nonzero(),
    "nonzero as a function": lambda lib, x, d: lib.nonzero(x),  # (laid out in C order before)
}
ELEMENTWISE = {
    "neg": lambda lib, x, d: -x, "exp": lambda lib, x, d: x.exp(), "relu": lambda lib, x, d: x.relu(),
    "sigmoid": lambda lib, x, d: x.sigmoid(), "abs": lambda lib, x, d: x.abs(), "erf": lambda lib, x, d: x.erf(),
    "gelu": lambda lib, x, d: lib.nn.functional.gelu(x), "clamp": lambda lib, x, d: x.clamp(-1, 1),
    "times a number": lambda lib, x, d: x * 2, "x + x": lambda lib, x, d: x + x, "comparison": lambda lib, x, d: x > 0,
    "cast": lambda lib, x, d: x.double(), "dropout": lambda lib, x, d: lib.nn.functional.dropout(x, 0.5),
}
CREATORS = {
    "empty_like": lambda lib, x, d: lib.empty_like(x), "zeros_like": lambda lib, x, d: lib.zeros_like(x),
    "ones_like": lambda lib, x, d: lib.ones_like(x), "full_like": lambda lib, x, d: lib.full_like(x, 7.0),
    "rand_like": lambda lib, x, d: lib.rand_like(x), "randn_like": lambda lib, x, d: lib.randn_like(x),
    "randint_like": lambda lib, x, d: lib.randint_like(x, 5), "clone": lambda lib, x, d: x.clone(),
    "clone of an expanded tensor": lambda lib, x, d: x.unsqueeze(d).expand(*x.shape[:d], 3, *x.shape[d:]).clone(),
    "contiguous": lambda lib, x, d: x.contiguous(), "detach": lambda lib, x, d: x.detach(),
}
VIEWS_AND_RESHAPES = {
    "transpose": lambda lib, x, d: x.transpose(0, d), "permute": lambda lib, x, d: x.permute(*reversed(range(x.ndim))),
    "expand": lambda lib, x, d: x.unsqueeze(0).expand(2, *x.shape), "unsqueeze": lambda lib, x, d: x.unsqueeze(d),
    "flatten": lambda lib, x, d: x.flatten(d), "reshape": lambda lib, x, d: x.reshape(x.shape[0], -1),
    "narrow": lambda lib, x, d: x.narrow(d, 1, 1), "select": lambda lib, x, d: x.select(d, 1),
    "slice": lambda lib, x, d: x[_at(d, slice(1, None))],
}
LAYERS = {  # for inputs of 2 dims or more
    "matmul": lambda lib, x, d: x @ x.mT, "matmul with a vector": lambda lib, x, d: x @ lib.ones(x.shape[-1]),
    "pad": lambda lib, x, d: lib.nn.functional.pad(x, (1, 2)),
    "layer_norm": lambda lib, x, d: lib.nn.functional.layer_norm(x, x.shape[-1:]),
    "tril": lambda lib, x, d: x.tril(), "triu": lambda lib, x, d: x.triu(1),
    "batch_norm": lambda lib, x, d: lib.nn.functional.batch_norm(x, None, None, training=True),
    "max_pool2d": lambda lib, x, d: lib.nn.functional.max_pool2d(_image(x), 2),
    "avg_pool2d": lambda lib, x, d: lib.nn.functional.avg_pool2d(_image(x), 2),
    "conv2d": lambda lib, x, d: lib.nn.functional.conv2d(_image(x), lib.ones(2, _image(x).shape[-3], 2, 2)),
}


def _image(x):
    """x as images, (C, H, W) or (N, C, H, W): a 2-d x becomes one channel of one image (a view)."""
    return x[None] if x.ndim == 2 else x

FAMILIES = {"reductions": REDUCTIONS, "scans": SCANS, "joins and orderings": JOINS_AND_ORDERINGS,
            "indexing": INDEXING, "elementwise": ELEMENTWISE, "creators": CREATORS,
            "views and reshapes": VIEWS_AND_RESHAPES}


@pytest.mark.parametrize("family", FAMILIES)
@settings(max_examples=100)  # (a dozen ops to a family, each to be met in several layouts)
@given(data=st.data())
def test_results_are_laid_out_as_torchs(family, data):
    make, ndim = data.draw(inputs())
    name = data.draw(st.sampled_from(sorted(FAMILIES[family])), label="op")
    dim = data.draw(st.integers(0, ndim - 1), label="dim")
    assert_laid_out_as_torch(FAMILIES[family][name], make, dim)


@given(data=st.data())
def test_layers_lay_out_their_results_as_torchs(data):
    make, ndim = data.draw(inputs(min_dims=2))
    name = data.draw(st.sampled_from(sorted(LAYERS)), label="op")
    assert_laid_out_as_torch(LAYERS[name], make, data.draw(st.integers(0, ndim - 1), label="dim"))


@given(data=st.data())
def test_a_leafs_grad_is_laid_out_like_the_leaf(data):
    """torch lays out a new .grad like its leaf where the leaf is dense (a transposed weight gets
    a transposed gradient), else in C order; adding a second gradient keeps that layout."""
    make, ndim = data.draw(inputs())
    loss = data.draw(st.sampled_from([
        lambda x: x.sum(), lambda x: (x * x).sum(), lambda x: x.exp().mean(), lambda x: x[[0, 1]].sum(),
        lambda x: x.softmax(-1)[..., 0].sum(), lambda x: (x.contiguous() * 3).sum(),
        lambda x: x[:1].expand(3, *x.shape[1:]).sum(), lambda x: (x @ x.mT).sum() if x.ndim > 1 else x.dot(x)]))
    theirs, ours = make(torch).detach().requires_grad_(), make(minigrad).detach().requires_grad_()
    for _ in range(2):
        loss(theirs).backward()
        loss(ours).backward()
        assert layout(ours.grad) == layout(theirs.grad)
