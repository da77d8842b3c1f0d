"""Exercise 6: a custom autograd.Function whose one class body runs on minigrad and on torch."""

import numpy as np
from hypothesis import strategies as st

import minigrad
from minigrad.testing import strategies as mst
from minigrad.testing.oracles import central_vjp, torch_vjp
from pillars.exercises.exercise import Exercise
from pillars.exercises.grading import Failure, call, compare, hinting, near, required

LESSON = "lesson: backpropagation, custom autograd functions"

SKELETON = '''# pillars exercise: silu_function
"""Exercise 6: a custom autograd.Function ({lesson}).

A Function is an operation that autograd does not know, given by hand: `forward` computes the
result from tensors (no graph is recorded inside it) and keeps what backward will need with
ctx.save_for_backward; `backward` receives dL/d(output) and returns dL/d(input).

Write SiLU (also called swish), y = x * sigmoid(x). By the product rule, with s = sigmoid(x):

    dy/dx = s + x * s * (1 - s)        so   dL/dx = grad_output * (s + x * s * (1 - s))

`make_silu` receives the library, minigrad or torch (both have the same API), and returns the
class. The check builds the class with each library, applies it to the same drawn tensors and
compares the output and the gradient with torch's own silu: the one class body must work on
both. Use tensor methods and torch.sigmoid-style functions of the library you are given.

    pillars exercise check silu_function.py
"""


def make_silu(torch):
    """The class SiLU(torch.autograd.Function) for the library `torch` (minigrad or torch)."""

    class SiLU(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            """y = x * sigmoid(x); save x for backward with ctx.save_for_backward(x)."""
            raise NotImplementedError

        @staticmethod
        def backward(ctx, grad_output):
            """dL/dx = grad_output * (s + x * s * (1 - s)), with x from ctx.saved_tensors."""
            raise NotImplementedError

    return SiLU
'''.replace("{lesson}", LESSON)


def _sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _silu(x):
    return x * _sigmoid(x)


RULES = [
    (lambda library, other_passed, **_: library == "torch" and other_passed,
     ("it works on minigrad but not on torch: use only what both share (tensor methods such as "
     "x.sigmoid(), and functions of the `torch` argument), never `import minigrad` or numpy inside")),
    (lambda what, actual, expected, **_: what == "the output" and near(actual, -expected),
     "forward: the sign is flipped, y = x * sigmoid(x)"),
    (lambda what, actual, x, **_: what == "dL/dx" and near(actual, _sigmoid(x) + x * _sigmoid(x) * (1 - _sigmoid(x))),
     "backward returns dy/dx alone: multiply by grad_output (the chain rule)"),
    (lambda what, actual, expected, **_: what == "dL/dx" and near(actual, -expected),
     "backward: the sign is flipped"),
    (lambda what, actual, x, g, **_: what == "dL/dx" and near(actual, g * _sigmoid(x)),
     "the product rule: y = x * s(x) gives dy/dx = s + x * s * (1 - s), not s alone"),
    (lambda what, actual, x, g, **_: what == "dL/dx" and near(actual, g * _sigmoid(x) * (1 - _sigmoid(x))),
     "that is the derivative of sigmoid alone: y = x * s(x) gives dy/dx = s + x * s * (1 - s)"),
]


def _numpy(tensor):
    if tensor is None:
        return None
    tensor = tensor.detach()
    return (tensor.cpu() if hasattr(tensor, "cpu") else tensor).numpy()


def _run(make, library, x, g, inputs):
    """Build the learner's class with `library`, apply it to x, backpropagate g: (y, dL/dx)."""
    cls = call("make_silu", make, library, inputs=inputs)
    if not (isinstance(cls, type) and issubclass(cls, library.autograd.Function)):
        raise Failure(f"make_silu must return a subclass of {library.__name__}.autograd.Function, got {cls!r}")
    leaf = library.tensor(x.copy(), dtype=library.float64, requires_grad=True)
    y = call("SiLU.apply (your forward)", cls.apply, leaf, inputs=inputs)
    if not hasattr(y, "backward"):
        raise Failure(f"forward must return a tensor of {library.__name__}, got {type(y).__name__}")
    call("y.backward (your backward)", y.backward, library.tensor(g.copy(), dtype=library.float64), inputs=inputs)
    return _numpy(y), _numpy(leaf.grad)


def grade(module, grader):
    (make,) = required(module, "make_silu")
    cases = mst.shapes(max_dims=3).flatmap(lambda s: st.tuples(mst.arrays("float64", s, mst.reals(-6, 6)),
                                                               mst.arrays("float64", s, mst.reals(-2, 2))))
    libraries = [("minigrad", minigrad)]
    if grader.torch is not None:
        libraries.append(("torch", grader.torch))
    else:
        grader.without_torch("central differences, on minigrad only")

    def test(case):
        x, g = case
        inputs = {"x": x, "grad_output": g}
        if grader.torch is not None:
            forward, (gradient,) = torch_vjp(grader.torch.nn.functional.silu, [x], g)
        else:
            forward, gradient = _silu(x), central_vjp(_silu, [x], g, 0)
        tolerance = (1e-6, 1e-9) if grader.torch is not None else (1e-5, 1e-7)
        passed = []
        for name, library in libraries:
            with hinting(RULES, library=name, other_passed=bool(passed), x=x, g=g) as facts:
                y, dx = _run(make, library, x, g, inputs)
                if dx is None:
                    raise Failure(f"on {name}, x.grad is None after backward: backward must return dL/dx")
                facts.update(what="the output", actual=y, expected=forward)
                compare(f"the output on {name}", inputs, forward, y, grader.oracle, *tolerance)
                facts.update(what="dL/dx", actual=dx, expected=gradient)
                compare(f"dL/dx on {name}", inputs, gradient, dx, grader.oracle, *tolerance)
            passed.append(name)

    grader.search(cases, test, examples=min(grader.examples, 25))


EXERCISES = [Exercise(
    6, "silu_function", LESSON,
    "a custom autograd.Function (SiLU) whose one class body runs on minigrad and on torch", SKELETON,
    ("forward: ctx.save_for_backward(x), then return x * x.sigmoid().",
     "backward: (x,) = ctx.saved_tensors; s = x.sigmoid(); return grad_output * (s + x * s * (1 - s)).",
     ("Use the tensors' own methods (x.sigmoid()) or functions of the `torch` argument, so the same lines "
     "run on minigrad and on torch.")),
    grade, fallback="central differences (minigrad only)")]
