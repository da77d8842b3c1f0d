"""The torch-parity driver: run one function on minigrad and on torch, compare everything.

A parity case is a function of hypothesis's `draw` that returns ``(fn, args)``, or
``(fn, args, requires_grad)`` to fix which inputs require grad:
`fn(lib, *tensors)` is written once against the torch API and called with
``lib = minigrad`` and with ``lib = torch``; `args` are NumPy arrays (they become
tensors in both libraries) or anything else (passed through unchanged).

`check_parity` then compares, in the same test:
- every output: dtype (so float32 inputs must give float32 results, as in torch), shape,
  values, and whether it requires grad;
- after backpropagating the same random upstream gradient through every differentiable
  output, every input's gradient, including "no gradient" for inputs that do not
  require grad.
"""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_close, from_torch, to_torch
from minigrad.testing import strategies as mst


class Cases:
    """A test module's parity cases, run by one parametrised test.

        cases = Cases()

        @cases.add
        def exp(draw):
            x = draw(mst.arrays("float64", mst.shapes()))
            return (lambda lib, x: x.exp()), [x]

        test_parity = cases.test()
    """

    def __init__(self):
        self.builders = {}

    def add(self, build):
        """Register a case under the name of its builder."""
        if build.__name__ in self.builders:
            raise ValueError(f"parity case {build.__name__} is defined twice")
        self.builders[build.__name__] = build
        return build

    def test(self, max_examples=None):
        """One test over every case, in float64 and in float32 (max_examples: override the profile's)."""
        @pytest.mark.parametrize("dtype", ["float64", "float32"])
        @pytest.mark.parametrize("name", sorted(self.builders))
        @given(data=st.data())
        def test_parity(name, dtype, data):
            check_parity(data, *self.builders[name](data.draw), dtype=dtype)

        return test_parity if max_examples is None else settings(max_examples=max_examples)(test_parity)


def method_or_function(name):
    """A strategy for calling op `name` as a method (x.exp()) or as a function (lib.exp(x))."""
    def as_method(lib, x, *args, **kwargs):
        return getattr(x, name)(*args, **kwargs)

    def as_function(lib, x, *args, **kwargs):
        return getattr(lib, name)(x, *args, **kwargs)

    return st.sampled_from([as_method, as_function])


def _flatten(out):
    """An op's outputs as a list (namedtuples, tuples and lists of tensors are spread out)."""
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _as_tensors(args, dtype, requires_grad):
    """NumPy arrays become (minigrad, torch) tensor pairs; floating ones take `dtype`."""
    pairs = []
    for arg, wants_grad in zip(args, requires_grad):
        if isinstance(arg, np.ndarray):
            array = arg.astype(dtype) if arg.dtype.kind == "f" else arg
            mine = minigrad.tensor(array, requires_grad=wants_grad)
            pairs.append((mine, to_torch(mine)))
        else:
            pairs.append((arg, arg))
    return pairs


def check_parity(data, fn, args, requires_grad=None, dtype=np.float64):
    """Run fn on minigrad and torch with the same inputs and upstream gradient; compare all.

    requires_grad: one flag per arg; by default each floating input requires grad with a
    drawn probability, so that "no gradient" for the others is checked too.
    """
    dtype = np.dtype(dtype)
    if requires_grad is None:
        requires_grad = [isinstance(a, np.ndarray) and a.dtype.kind == "f" and data.draw(
            st.booleans() | st.just(True), label="requires_grad") for a in args]
    pairs = _as_tensors(args, dtype, requires_grad)
    ours = _flatten(fn(minigrad, *(m for m, _ in pairs)))
    theirs = _flatten(fn(torch, *(t for _, t in pairs)))
    assert len(ours) == len(theirs), f"{len(ours)} outputs, torch gives {len(theirs)}"

    differentiable = []
    for i, (mine, reference) in enumerate(zip(ours, theirs)):
        if not isinstance(reference, torch.Tensor):
            assert mine == reference, f"output {i}: {mine!r} != torch's {reference!r}"
            continue
        assert isinstance(mine, minigrad.Tensor), f"output {i} is a {type(mine).__name__}, not a Tensor"
        assert_close(mine, reference, what=f"output {i}")  # dtype too: float32 in, float32 out
        assert mine.requires_grad == reference.requires_grad, (
            f"output {i}: requires_grad {mine.requires_grad}, torch {reference.requires_grad}")
        if reference.requires_grad:
            differentiable.append(i)

    if differentiable:
        upstream = [data.draw(mst.arrays(theirs[i].detach().numpy().dtype, tuple(theirs[i].shape)),
                              label=f"upstream gradient of output {i}") for i in differentiable]
        torch.autograd.backward([theirs[i] for i in differentiable], [torch.from_numpy(g) for g in upstream])
        for i, g in zip(differentiable, upstream):
            ours[i].backward(from_torch(torch.from_numpy(g)), retain_graph=True)

    for i, (mine, reference) in enumerate(pairs):
        if isinstance(reference, torch.Tensor):
            if reference.grad is None:
                assert mine.grad is None, f"input {i} got a gradient; torch gives none"
            else:
                assert mine.grad is not None, f"input {i} got no gradient; torch gives one"
                assert_close(mine.grad, reference.grad, what=f"gradient of input {i}")
