"""Places where minigrad once parted from torch, each checked against torch in the same test:
logaddexp's gradient at equal infinities, logit's clamping and gradient for any eps."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_close, torch_or_skip

torch = torch_or_skip()

INF, NAN = float("inf"), float("nan")
DTYPES = st.sampled_from(["float64", "float32"])


def _values_and_gradients(lib, fn, arrays, upstream):
    """fn's value on the arrays and every input's gradient for the upstream gradient."""
    inputs = [lib.tensor(a, requires_grad=True) for a in arrays]
    out = fn(lib, *inputs)
    out.backward(lib.tensor(upstream))
    return [out] + [t.grad for t in inputs], out.grad_fn.name()


def _assert_like_torch(fn, arrays, upstream):
    ours, our_node = _values_and_gradients(minigrad, fn, arrays, upstream)
    theirs, their_node = _values_and_gradients(torch, fn, arrays, upstream)
    assert our_node == their_node
    for i, (mine, reference) in enumerate(zip(ours, theirs)):
        assert_close(mine, reference, what="value" if i == 0 else f"gradient of input {i - 1}")


# ------------------------------------------------------------------ logaddexp
ENDS = st.sampled_from([INF, -INF, NAN, 0.0, 1.0, -700.0, 700.0])


@settings(max_examples=60)
@given(pairs=st.lists(st.tuples(st.one_of(ENDS, st.floats(-30, 30)), st.one_of(ENDS, st.floats(-30, 30)),
                                st.booleans()), min_size=1, max_size=8), dtype=DTYPES)
def test_logaddexp_and_its_gradients_at_infinities_are_torchs(pairs, dtype):
    x = np.array([a for a, _, _ in pairs], dtype=dtype)
    y = np.array([a if same else b for a, b, same in pairs], dtype=dtype)  # equal pairs too, infinite ones
    upstream = np.linspace(-1, 2, len(pairs)).astype(dtype)
    _assert_like_torch(lambda lib, a, b: lib.logaddexp(a, b), [x, y], upstream)


# ------------------------------------------------------------------ logit
EPS = st.sampled_from([None, 0.0, 1e-6, 0.1, 0.3, 0.5, 0.6, 1.0, -0.1, -1.0])
POINTS = st.one_of(st.sampled_from([0.0, -0.0, 1.0, 0.1, 0.9, 0.3, 0.7, 0.4, 0.6, -INF, INF, NAN]),
                   st.floats(-0.5, 1.5))


@settings(max_examples=60)
@given(points=st.lists(POINTS, min_size=1, max_size=8), eps=EPS, dtype=DTYPES)
def test_logit_and_its_gradient_for_any_eps_are_torchs(points, eps, dtype):
    x = np.array(points, dtype=dtype)
    upstream = np.linspace(0.5, 2, len(points)).astype(dtype)
    _assert_like_torch(lambda lib, t: t.logit(eps), [x], upstream)


@given(points=st.lists(st.floats(0.01, 0.99), min_size=1, max_size=6), eps=EPS)
def test_logits_second_derivative_is_torchs(points, eps):
    x = np.array(points)
    results = []
    for lib in (minigrad, torch):
        t = lib.tensor(x, requires_grad=True)
        (first,) = lib.autograd.grad(t.logit(eps).sum(), t, create_graph=True)
        (second,) = lib.autograd.grad((first * first).sum(), t)
        results.append((first, second))
    for mine, reference in zip(*results):
        assert_close(mine, reference)
