"""The second oracle: every new primitive's VJP against central differences, no torch needed.

Inputs keep away from kinks (|x| >= 0.1 from 0, the hardtanh/hardswish edges and the
smooth-L1/Huber switch points) where a finite difference straddles two pieces.
"""

import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from minigrad.testing import gradcheck


def _away_from(values, points, margin=0.1):
    for p in points:
        close = np.abs(values - p) < margin
        values = np.where(close, p + margin * np.sign(values - p + 1e-12) * 2, values)
    return values


def _tensor(shape, seed, points=(0.0,), low=-3.0, high=3.0):
    values = np.random.default_rng(seed).uniform(low, high, shape)
    return minigrad.tensor(_away_from(values, points), requires_grad=True)


ACTIVATIONS = {
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.2), (0.0,)),
    "elu": (lambda x: F.elu(x, 0.7), (0.0,)),
    "gelu": (F.gelu, ()),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"), ()),
    "silu": (F.silu, ()),
    "mish": (F.mish, ()),
    "softplus": (lambda x: F.softplus(x, 2.0, 4.0), (2.0,)),
    "logsigmoid": (F.logsigmoid, ()),
    "hardtanh": (lambda x: F.hardtanh(x, -1.0, 2.0), (-1.0, 2.0)),
    "hardsigmoid": (F.hardsigmoid, (-3.0, 3.0)),
    "hardswish": (F.hardswish, (-3.0, 3.0)),
    "softmax": (lambda x: F.softmax(x, 1), ()),
    "log_softmax": (lambda x: F.log_softmax(x, 0), ()),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_gradients_match_finite_differences(name):
    fn, kinks = ACTIVATIONS[name]
    assert gradcheck(fn, [_tensor((3, 4), 0, kinks, -4, 4)])


def test_linear_and_bilinear_gradients_match_finite_differences():
    x, w, b = _tensor((2, 3, 4), 1), _tensor((5, 4), 2), _tensor((5,), 3)
    assert gradcheck(F.linear, [x, w, b])
    x1, x2, w3 = _tensor((3, 2), 4), _tensor((3, 4), 5), _tensor((2, 2, 4), 6)
    assert gradcheck(F.bilinear, [x1, x2, w3, _tensor((2,), 7)])


def test_embedding_and_pad_gradients_match_finite_differences():
    weight = _tensor((5, 3), 8)
    ids = minigrad.tensor([[0, 2, 2], [4, 0, 1]])
    assert gradcheck(lambda w: F.embedding(ids, w), [weight])  # (the padding row is zero by definition)
    x = _tensor((2, 3, 4), 9)
    for mode in ("constant", "reflect", "replicate", "circular"):
        assert gradcheck(lambda t: F.pad(t, (2, 1, 1, 2), mode=mode), [x])
    assert gradcheck(lambda t: F.pad(t, (-1, 2), value=3.0), [x])


def test_loss_gradients_match_finite_differences():
    x, y = _tensor((4, 3), 10), _tensor((4, 3), 11)
    # keep the differences away from the beta / delta switch points
    y = minigrad.tensor(x.detach().numpy() + _away_from(y.detach().numpy(), (-1.0, 1.0, -0.5, 0.5)),
                        requires_grad=True)
    for loss in (F.mse_loss, F.l1_loss, lambda a, b: F.smooth_l1_loss(a, b, beta=0.5),
                 lambda a, b: F.huber_loss(a, b, delta=1.0)):
        assert gradcheck(loss, [x, y])
    logits = _tensor((4, 3, 2), 12)
    target = minigrad.tensor([[0, 2], [1, 1], [2, -100], [0, 0]])
    weight = minigrad.tensor([0.5, 1.0, 2.0], dtype=minigrad.float64)
    assert gradcheck(lambda t: F.cross_entropy(t, target, weight=weight, label_smoothing=0.2), [logits])
    probabilities = minigrad.tensor(np.random.default_rng(13).dirichlet(np.ones(3), 4), requires_grad=True)
    assert gradcheck(lambda t, p: F.cross_entropy(t, p), [_tensor((4, 3), 14), probabilities])
    p = minigrad.tensor(np.random.default_rng(15).uniform(0.05, 0.95, (4, 3)), requires_grad=True)
    t = minigrad.tensor(np.random.default_rng(16).uniform(0, 1, (4, 3)), requires_grad=True)
    assert gradcheck(F.binary_cross_entropy, [p, t])
    pos_weight = minigrad.tensor([1.0, 2.0, 0.5], dtype=minigrad.float64)
    assert gradcheck(lambda a, b: F.binary_cross_entropy_with_logits(a, b, pos_weight=pos_weight), [x, t])
    log_q = minigrad.tensor(np.log(p.detach().numpy()), requires_grad=True)
    assert gradcheck(lambda a, b: F.kl_div(a, b, reduction="batchmean"), [log_q, t])
    assert gradcheck(lambda a, b: F.kl_div(a, b, reduction="sum", log_target=True), [log_q, _tensor((4, 3), 17)])
