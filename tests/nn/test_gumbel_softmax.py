"""F.gumbel_softmax, whose draws torch's stream cannot reproduce: the properties of its samples
(a distribution along dim, the Gumbel noise it adds, the categorical law of its argmax), the
straight-through gradient of hard=True, reproducibility under manual_seed, and torch's warning
and error."""

import math

import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from minigrad.testing import assert_close, assert_raises_like_torch, torch_or_skip

torch = torch_or_skip()


def test_a_soft_sample_is_softmax_of_logits_plus_gumbel_noise_over_tau():
    minigrad.manual_seed(0)
    logits = np.array([0.5, -1.0, 2.0])
    tau = 0.7
    y = F.gumbel_softmax(minigrad.tensor(np.tile(logits, (50000, 1))), tau=tau).numpy()
    np.testing.assert_allclose(y.sum(-1), 1, rtol=1e-12)
    # tau (log y_i - log y_j) - (l_i - l_j) is g_i - g_j: the difference of two independent standard
    # Gumbel draws, a standard logistic variable (mean 0, variance pi^2 / 3)
    noise_difference = tau * (np.log(y[:, 0]) - np.log(y[:, 2])) - (logits[0] - logits[2])
    assert abs(noise_difference.mean()) < 0.03
    assert abs(noise_difference.var() - math.pi ** 2 / 3) < 0.06


def test_the_argmax_of_a_sample_is_a_draw_of_softmax_logits():
    minigrad.manual_seed(1)
    logits = minigrad.tensor([[1.0, 0.0, -1.0, 0.5]]).expand(40000, 4)
    hard = F.gumbel_softmax(logits, tau=0.3, hard=True)
    assert set(np.unique(hard.numpy())) == {0.0, 1.0} and (hard.numpy().sum(-1) == 1).all()
    frequencies = hard.numpy().mean(0)
    np.testing.assert_allclose(frequencies, torch.softmax(torch.tensor([1.0, 0.0, -1.0, 0.5]), 0).numpy(), atol=0.01)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_hard_samples_are_one_hot_along_dim_with_the_soft_samples_gradient(dim):
    logits = np.random.default_rng(2).normal(size=(3, 4, 5))
    upstream = minigrad.tensor(np.random.default_rng(3).normal(size=(3, 4, 5)))
    results = []
    for hard in (False, True):
        x = minigrad.tensor(logits, requires_grad=True)
        minigrad.manual_seed(4)
        y = F.gumbel_softmax(x, tau=0.5, hard=hard, dim=dim)
        y.backward(upstream)
        results.append((y.detach().numpy(), x.grad))
    (soft, soft_grad), (hard, hard_grad) = results
    assert hard.dtype == np.float64
    np.testing.assert_array_equal(hard, (soft == soft.max(dim, keepdims=True)).astype(float))
    assert_close(hard_grad, soft_grad, rtol=1e-12)  # straight through: the gradient of the soft sample
    # and that gradient is softmax's at the sample: (g - sum(g y)) y / tau
    g = upstream.numpy()
    np.testing.assert_allclose(soft_grad.numpy(), (g - (g * soft).sum(dim, keepdims=True)) * soft / 0.5, rtol=1e-9,
                               atol=1e-12)


def test_float32_reproducibility_and_torchs_warning_and_error():
    x = minigrad.randn(2, 6)
    minigrad.manual_seed(5)
    first = F.gumbel_softmax(x)
    minigrad.manual_seed(5)
    np.testing.assert_array_equal(F.gumbel_softmax(x).numpy(), first.numpy())
    assert first.dtype is minigrad.float32
    with pytest.warns(UserWarning, match="`eps` parameter is deprecated and has no effect"):
        F.gumbel_softmax(x, eps=1e-5)
    assert_raises_like_torch(lambda lib: lib.nn.functional.gumbel_softmax(lib.arange(3)), same_message=True)
