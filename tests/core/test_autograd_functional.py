"""autograd.functional's checks, against torch in the same test: what the inputs, v and the
function's outputs may be (TypeError otherwise), and strict=True, which raises RuntimeError where
a derivative is zero only because nothing connects an output to an input (or, with
create_graph=True, because the derivative is not itself in the graph)."""

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_raises_like_torch, assert_same_as_torch, torch_or_skip
from minigrad.testing import strategies as mst
from minigrad.testing.parity import assert_same_result, plain

torch = torch_or_skip()


# ---------------------------------------------------------------- strict mode
# Scalar functions of two inputs: each of the six functions takes them (the second derivatives
# need a scalar), and they cover what strict mode looks for.
FUNCTIONS = {
    "uses both inputs": lambda T, a, b: (a * b).sin().sum() + (a * a * b).sum(),
    "ignores b": lambda T, a, b: (a ** 3).sum(),
    "linear": lambda T, a, b: (a * 2).sum() + (b * 3).sum(),
    "quadratic in a, linear in b": lambda T, a, b: (a * a).sum() + b.sum(),
    "product": lambda T, a, b: (a * b).sum(),
    "constant": lambda T, a, b: T.ones((), dtype=T.float64),
    "two outputs, one constant": lambda T, a, b: ((a * b).sum(), T.ones((), dtype=T.float64)),
}

CALLS = {  # each called with the function, the inputs (a, b), and v: for vjp one per output, else one per input
    "jacobian": lambda F, f, inputs, v, **kw: F.jacobian(f, inputs, **kw),
    "hessian": lambda F, f, inputs, v, **kw: F.hessian(f, inputs, **kw),
    "vjp": lambda F, f, inputs, v, **kw: F.vjp(f, inputs, v, **kw),
    "jvp": lambda F, f, inputs, v, **kw: F.jvp(f, inputs, v, **kw),
    "vhp": lambda F, f, inputs, v, **kw: F.vhp(f, inputs, v, **kw),
    "hvp": lambda F, f, inputs, v, **kw: F.hvp(f, inputs, v, **kw),
}


def _outcome(call, lib):
    try:
        return "returned", plain(call(lib))
    except Exception as error:  # noqa: BLE001  (the type is compared with torch's)
        return "raised", error


def _named(message):
    """What a strict-mode message points at: 'Output 0', 'input 1', 'entry 1', create_graph."""
    return sorted(set(re.findall(r"(?:[Oo]utput|input|entry) \d+|create_graph=True", message)))


@pytest.mark.parametrize("call", sorted(CALLS))
@pytest.mark.parametrize("function", sorted(FUNCTIONS))
@given(shape=mst.shapes(max_dims=2), data=st.data(), strict=st.booleans(), create_graph=st.booleans())
def test_strict_mode_raises_where_torchs_does(call, function, shape, data, strict, create_graph):
    """Every function, strict or not, with or without create_graph: the same values as torch, or
    the same exception type naming the same output, input or entry."""
    arrays = [data.draw(mst.arrays("float64", shape), label=name) for name in ("a", "b", "va", "vb")]

    def run(T):
        a, b, va, vb = (T.tensor(array) for array in arrays)
        v = (va, vb)
        if call == "vjp":  # v is one per output: None for a scalar, two scalars for the two outputs
            v = (va.sum(), vb.sum()) if "two outputs" in function else None
        return CALLS[call](T.autograd.functional, lambda x, y: FUNCTIONS[function](T, x, y), (a, b), v,
                           strict=strict, create_graph=create_graph)

    (kind, expected), (_, actual) = _outcome(run, torch), _outcome(run, minigrad)
    if kind == "returned":
        assert_same_result(actual, expected, rtol=1e-9, atol=1e-12)
        return
    assert type(actual) is type(expected), f"minigrad: {actual!r}; torch: {expected!r}"
    if strict:
        assert "strict mode" in str(actual), str(actual)
        named, torch_named = _named(str(actual)), _named(str(expected))
        if re.search(r"jacobian of output \d+ of the user-provided function with respect to input", str(actual)):
            # (a row of jacobian outside the graph: torch's message gives the number of the output
            # where it says "input", minigrad's names both, so only create_graph is compared)
            named, torch_named = [n for n in named if "create_graph" in n], [n for n in torch_named if "create_graph" in n]
        assert named == torch_named, (str(actual), str(expected))


def test_strict_mode_off_gives_zeros_for_an_unused_input():
    """The mathematical value, where strict mode would raise: zeros for b, and for a constant output."""
    def program(T):
        F = T.autograd.functional
        a, b = T.tensor([0.5, -1.0], dtype=T.float64), T.tensor([2.0, 3.0], dtype=T.float64)
        return (F.jacobian(lambda x, y: x.exp(), (a, b)), F.vjp(lambda x, y: (x ** 2).sum(), (a, b))[1],
                F.vjp(lambda x: T.ones((), dtype=T.float64), a)[1], F.hessian(lambda x, y: (x ** 3).sum(), (a, b)))
    assert_same_as_torch(program)


def test_strict_jacobian_cannot_be_vectorized():
    def call(T):
        T.autograd.functional.jacobian(lambda x: x * x, T.ones(2, dtype=T.float64), strict=True, vectorize=True)
    assert_raises_like_torch(call)


# ---------------------------------------------------------------- what the inputs, v and outputs may be
X = (0.5, -1.0)
WRONG_ARGUMENTS = {  # name: (call, the type the message must name)
    "jacobian of a list of inputs": (lambda T, x: T.autograd.functional.jacobian(lambda a, b: a * b, [x, x]), "list"),
    "jacobian of a number": (lambda T, x: T.autograd.functional.jacobian(lambda a: a * 2, 2.0), "float"),
    "jacobian of a tuple holding a number": (
        lambda T, x: T.autograd.functional.jacobian(lambda a, b: a * b, (x, 2.0)), "float"),
    "jacobian of a function returning a list": (
        lambda T, x: T.autograd.functional.jacobian(lambda a: [a * 2, a], x), "list"),
    "jacobian of a function returning an array": (
        lambda T, x: T.autograd.functional.jacobian(lambda a: a.detach().numpy(), x), "ndarray"),
    "hessian of a list of inputs": (lambda T, x: T.autograd.functional.hessian(lambda a: (a * a).sum(), [x]), "list"),
    "hessian of a function returning a list": (
        lambda T, x: T.autograd.functional.hessian(lambda a: [(a * a).sum()], x), "list"),
    "vjp of a list of inputs": (lambda T, x: T.autograd.functional.vjp(lambda a: a * 2, [x], x), "list"),
    "vjp with v a list": (lambda T, x: T.autograd.functional.vjp(lambda a: a * 2, x, [x]), "list"),
    "vjp with v a number": (lambda T, x: T.autograd.functional.vjp(lambda a: a.sum(), x, 1.0), "float"),
    "jvp of a list of inputs": (lambda T, x: T.autograd.functional.jvp(lambda a: a * 2, [x], (x,)), "list"),
    "jvp with v a list": (lambda T, x: T.autograd.functional.jvp(lambda a: a * 2, x, [x]), "list"),
    "vhp with v a list": (lambda T, x: T.autograd.functional.vhp(lambda a: (a ** 3).sum(), x, [x]), "list"),
    "hvp of a list of inputs": (lambda T, x: T.autograd.functional.hvp(lambda a: (a ** 3).sum(), [x], (x,)), "list"),
}


@pytest.mark.parametrize("name", sorted(WRONG_ARGUMENTS))
def test_inputs_v_and_outputs_must_be_tensors_or_tuples_of_tensors(name):
    call, type_name = WRONG_ARGUMENTS[name]
    actual, expected = assert_raises_like_torch(lambda T: call(T, T.tensor(X, dtype=T.float64)))
    assert isinstance(actual, TypeError)
    assert name.split()[0] in str(actual) and type_name in str(actual), str(actual)


WRONG_VECTORS = {  # each a RuntimeError in torch
    "vjp: a tuple v for one output": lambda F, x: F.vjp(lambda a: a * 2, x, (x, x)),
    "vjp: one v for two outputs": lambda F, x: F.vjp(lambda a: (a * 2, a * 3), x, (x,)),
    "vjp: v of another shape": lambda F, x: F.vjp(lambda a: a * 2, x, x[:1]),
    "jvp: one v for two inputs": lambda F, x: F.jvp(lambda a, b: a * b, (x, x), (x,)),
    "vhp: v of another shape": lambda F, x: F.vhp(lambda a: (a ** 3).sum(), x, x[:1]),
    "vhp: a tuple v for one input": lambda F, x: F.vhp(lambda a: (a ** 3).sum(), x, (x, x)),
    "hvp: a function returning a tuple": lambda F, x: F.hvp(lambda a: ((a ** 3).sum(),), x, x),
    "hessian: a function returning a tuple": lambda F, x: F.hessian(lambda a: ((a ** 3).sum(),), x),
    "hessian: a function of two elements": lambda F, x: F.hessian(lambda a: a ** 3, x),
    "jacobian of an integer input": lambda F, x: F.jacobian(lambda a: a * 2, x.long()),
}


@pytest.mark.parametrize("name", sorted(WRONG_VECTORS))
def test_v_and_outputs_of_the_wrong_size_raise_runtime_error(name):
    actual, _ = assert_raises_like_torch(lambda T: WRONG_VECTORS[name](T.autograd.functional,
                                                                        T.tensor(X, dtype=T.float64)))
    assert isinstance(actual, RuntimeError)


def test_the_inputs_are_still_detached_copies():
    """The checks leave the results as they were: outside the caller's graph without create_graph."""
    x = minigrad.tensor(np.array(X), requires_grad=True)
    jac = minigrad.autograd.functional.jacobian(lambda a: a * a, (x,), strict=True)
    assert not jac[0].requires_grad and x.grad is None
    ref = torch.autograd.functional.jacobian(lambda a: a * a, (torch.tensor(X, requires_grad=True),), strict=True)
    assert plain(jac) == plain(ref)
