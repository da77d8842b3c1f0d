"""The table of primitives: which are fundamental and which are fused forms of others.

A fused primitive says which composite of other primitives it replaces (`fused_for`); here a
sample of them is checked against that composite, in value and in gradient, inside minigrad.
"""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad._ops import REGISTRY
from minigrad._ops.registry import fundamental
from minigrad.testing import assert_close
from minigrad.testing import strategies as mst


def test_the_table_names_its_fundamental_rules():
    fused = {name: p.fused_for for name, p in REGISTRY.items() if p.fused_for is not None}
    assert all(isinstance(text, str) and text for text in fused.values())
    assert set(fundamental()) == set(REGISTRY) - set(fused)
    assert {"Add", "Mul", "Exp", "Log", "Sum", "Reshape", "Mm", "Where", "Index"} <= set(fundamental())
    assert {"Sub", "Sigmoid", "LogSoftmax", "MseLoss", "Linear"} <= set(fused)


F = minigrad.nn.functional
COMPOSITES = {  # primitive name -> (the fused call, the composite its fused_for describes)
    "LogSoftmax": (lambda x, w: F.log_softmax(x, -1), lambda x, w: x - x.logsumexp(-1, keepdim=True)),
    "Softmax": (lambda x, w: F.softmax(x, -1), lambda x, w: F.log_softmax(x, -1).exp()),
    "Silu": (lambda x, w: F.silu(x), lambda x, w: x * x.sigmoid()),
    "Sigmoid": (lambda x, w: x.sigmoid(), lambda x, w: 1 / (1 + (-x).exp())),
    "Tanh": (lambda x, w: x.tanh(), lambda x, w: 2 * (2 * x).sigmoid() - 1),
    "MseLoss": (lambda x, w: F.mse_loss(x, w), lambda x, w: ((x - w) ** 2).mean()),
    "Linear": (lambda x, w: F.linear(x, w), lambda x, w: x @ w.T),
    "Std": (lambda x, w: x.std(-1), lambda x, w: x.var(-1).sqrt()),
    "Logsumexp": (lambda x, w: x.logsumexp(-1), lambda x, w: (x - 4).exp().sum(-1).log() + 4),
    "Logcumsumexp": (lambda x, w: x.logcumsumexp(-1), lambda x, w: x.exp().cumsum(-1).log()),
}


# Magnitudes from 1e-100 (or 0): a row of values near 1e-190 has a variance that underflows to 0 in the
# composite var().sqrt(), whose gradient is then inf, where the fused std keeps it finite.
ORDINARY = st.one_of(st.just(0.0), mst.nonzero_reals(1e-100, 3.0))


@given(x=mst.arrays("float64", (3, 4), elements=ORDINARY, unique=True), w=mst.arrays("float64", (3, 4)))
def test_fused_primitives_equal_the_composites_they_replace(x, w):
    for name, (fused, composite) in COMPOSITES.items():
        results = []
        for f in (fused, composite):
            xs, ws = minigrad.tensor(x, requires_grad=True), minigrad.tensor(w, requires_grad=True)
            out = f(xs, ws)
            out.backward(minigrad.tensor(np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape))))
            results.append((out, xs.grad, ws.grad))
        assert results[0][0].grad_fn.name() == REGISTRY[name].grad_fn_name
        for mine, reference in zip(*results):
            if mine is None or reference is None:
                assert mine is reference
            else:
                assert_close(mine, reference, what=name)
