"""Run the same code on minigrad and on torch and compare what comes out.

Each helper takes code written once against the torch API, as a function of the library
module (`lib` is `minigrad` on one run and `torch` on the other), runs it on both in the
same call, and asserts that minigrad does what torch does:

- `check_parity(data, fn, args)`: one op, forward and backward. Outputs agree in dtype,
  shape, values and requires_grad; after the same drawn upstream gradient flows back
  through every differentiable output, every input's gradient agrees (including "no
  gradient"). `data` is hypothesis's `st.data()`.
- `assert_same_as_torch(program)`: a small program returning plain values (numbers,
  names, tensors, in lists and dicts), or raising; the results (or the exception types)
  must agree.
- `assert_same_result(actual, expected)`: the comparison behind it, for nested results.
- `assert_raises_like_torch(call)`: torch raises, and minigrad raises the same exception
  type (with `same_message=True`, the same text too).

torch is imported on first use, never when this module is imported.
"""

import math

import numpy as np


def method_or_function(name):
    """A hypothesis strategy for calling op `name` as a method (x.exp()) or a function (lib.exp(x))."""
    from hypothesis import strategies as st

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
    import minigrad
    from minigrad.testing.basics import to_torch

    pairs = []
    for arg, wants_grad in zip(args, requires_grad):
        if isinstance(arg, np.ndarray):
            array = arg.astype(dtype) if arg.dtype.kind == "f" else arg
            mine = minigrad.tensor(array, requires_grad=wants_grad)
            pairs.append((mine, to_torch(mine)))
        else:
            pairs.append((arg, arg))
    return pairs


def check_parity(data, fn, args, requires_grad=None, dtype=np.float64, grad_tolerances=None):
    """Run fn on minigrad and torch with the same inputs and upstream gradient; compare all.

    fn(lib, *args) is written once against the torch API. args are NumPy arrays (they
    become tensors of `dtype` if floating, in both libraries) or anything else (passed
    through unchanged). requires_grad: one flag per arg; by default each floating input
    requires grad with a drawn probability, so that "no gradient" for the others is
    checked too. grad_tolerances: (rtol, atol) for the gradients, where torch's own
    gradient is known to be coarser than the dtype's default tolerances (say to 1e-9
    relative, as its trigamma); by default the dtype's.
    """
    from hypothesis import strategies as st

    import minigrad
    from minigrad.testing.basics import assert_close, from_torch, torch
    from minigrad.testing import strategies as mst

    torch_ = torch()
    dtype = np.dtype(dtype)
    if requires_grad is None:
        requires_grad = [isinstance(a, np.ndarray) and a.dtype.kind == "f" and data.draw(
            st.booleans() | st.just(True), label="requires_grad") for a in args]
    pairs = _as_tensors(args, dtype, requires_grad)
    ours = _flatten(fn(minigrad, *(m for m, _ in pairs)))
    theirs = _flatten(fn(torch_, *(t for _, t in pairs)))
    assert len(ours) == len(theirs), f"{len(ours)} outputs, torch gives {len(theirs)}"

    differentiable = []
    for i, (mine, reference) in enumerate(zip(ours, theirs)):
        if not isinstance(reference, torch_.Tensor):
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
        # One backward pass through all the outputs in both libraries: the same sums in the same order
        # (separate passes would add the outputs' contributions in another order, off by rounding).
        torch_.autograd.backward([theirs[i] for i in differentiable], [torch_.from_numpy(g) for g in upstream])
        minigrad.autograd.backward([ours[i] for i in differentiable], [from_torch(torch_.from_numpy(g)) for g in upstream])

    for i, (mine, reference) in enumerate(pairs):
        if isinstance(reference, torch_.Tensor):
            if reference.grad is None:
                assert mine.grad is None, f"input {i} got a gradient; torch gives none"
            else:
                assert mine.grad is not None, f"input {i} got no gradient; torch gives one"
                rtol, atol = grad_tolerances or (None, None)
                assert_close(mine.grad, reference.grad, rtol=rtol, atol=atol, what=f"gradient of input {i}")


def _raised(call, lib):
    """The exception that call(lib) raises (the test fails if it raises none)."""
    try:
        call(lib)
    except Exception as error:  # noqa: BLE001  (any type: comparing it with torch's is the point)
        return error
    raise AssertionError(f"{lib.__name__} raised nothing")


def assert_raises_like_torch(call, same_message=False):
    """call(torch) raises; call(minigrad) must raise exactly the same exception type.

    same_message: the messages must be equal too. Returns (minigrad's, torch's) exception,
    so that a test can check what minigrad's message names.
    """
    import minigrad
    from minigrad.testing.basics import torch

    expected, actual = _raised(call, torch()), _raised(call, minigrad)
    assert type(actual) is type(expected), (
        f"minigrad raised {type(actual).__name__}: {actual}; torch raises {type(expected).__name__}: {expected}")
    if same_message:
        assert str(actual) == str(expected), f"minigrad says {str(actual)!r}; torch says {str(expected)!r}"
    return actual, expected


def plain(value):
    """Tensors of either library as nested lists, recursively through lists, tuples and dicts."""
    if hasattr(value, "detach") and hasattr(value, "numpy"):
        return value.detach().numpy().tolist()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def assert_same_result(actual, expected, rtol=1e-6, atol=0.0, where="result"):
    """Compare two nested results (dicts, lists, tuples of numbers, strings, ...) value by value.

    Same structure and the same Python type everywhere (an int stays an int, a list a list,
    dict keys in the same order); floats within atol + rtol * |expected| (NaN equals NaN, an
    infinity only itself); everything else equal.
    """
    assert type(actual) is type(expected), (
        f"{where}: type {type(actual).__name__} != torch's {type(expected).__name__} ({actual!r} vs {expected!r})")
    if isinstance(expected, dict):
        assert list(actual) == list(expected), f"{where}: keys {list(actual)} != {list(expected)}"
        for key in expected:
            assert_same_result(actual[key], expected[key], rtol, atol, f"{where}[{key!r}]")
    elif isinstance(expected, (list, tuple)):
        assert len(actual) == len(expected), f"{where}: length {len(actual)} != {len(expected)}"
        for index, (mine, reference) in enumerate(zip(actual, expected)):
            assert_same_result(mine, reference, rtol, atol, f"{where}[{index}]")
    elif isinstance(expected, float):
        # an infinity must be met exactly: within rtol of inf, everything is (even -inf)
        same = (math.isnan(actual) and math.isnan(expected)) or actual == expected or \
            math.isfinite(expected) and abs(actual - expected) <= atol + rtol * abs(expected)
        assert same, f"{where}: {actual!r} != torch's {expected!r}"
    else:
        assert actual == expected, f"{where}: {actual!r} != torch's {expected!r}"


def _run(program, lib):
    try:
        return plain(program(lib))
    except Exception as error:  # noqa: BLE001  (the exception type is part of the behaviour under test)
        return ("raised", type(error).__name__)


def assert_same_as_torch(program, rtol=1e-6, atol=0.0):
    """program(lib) on torch and on minigrad gives the same plain result (or raises the same type).

    Tensors in the result become nested lists (`plain`), so the two compare with
    `assert_same_result`; an exception becomes ("raised", its type's name). Returns
    minigrad's result.
    """
    import minigrad
    from minigrad.testing.basics import torch

    expected, actual = _run(program, torch()), _run(program, minigrad)
    try:
        assert_same_result(actual, expected, rtol, atol)
    except AssertionError as error:
        raise AssertionError(f"minigrad gave {actual}, torch gave {expected}: {error}") from None
    return actual
