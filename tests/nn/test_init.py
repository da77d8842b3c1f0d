"""minigrad.nn.init against torch's formulas: gains and fans exactly, distributions statistically.

minigrad's random streams are not torch's, so values are compared through their
distribution: bounds that must hold exactly, and moments estimated from many draws
within a few standard errors of torch's formula.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.nn as nn
from minigrad.nn import init
from minigrad.testing import torch_or_skip

torch = torch_or_skip()

NONLINEARITIES = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose2d", "sigmoid", "tanh", "relu",
                  "leaky_relu", "selu"]


@pytest.mark.parametrize("nonlinearity", NONLINEARITIES)
def test_calculate_gain_matches_torch(nonlinearity):
    assert init.calculate_gain(nonlinearity) == torch.nn.init.calculate_gain(nonlinearity)
    if nonlinearity == "leaky_relu":
        for slope in (0, 0.2, math.sqrt(5)):
            assert init.calculate_gain("leaky_relu", slope) == torch.nn.init.calculate_gain("leaky_relu", slope)


def test_calculate_gain_errors():
    with pytest.raises(ValueError, match="Unsupported nonlinearity softsign"):
        init.calculate_gain("softsign")
    with pytest.raises(ValueError, match="negative_slope .* not a valid number"):
        init.calculate_gain("leaky_relu", "0.1")


@given(st.lists(st.integers(1, 5), min_size=2, max_size=5))
@settings(max_examples=20)
def test_fans_match_torch(shape):
    ours = init._calculate_fan_in_and_fan_out(minigrad.empty(shape))
    assert ours == torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))


def test_fans_need_two_dims():
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(minigrad.empty(3))


def _within(estimate, expected, standard_error, k=5):
    assert abs(estimate - expected) <= k * standard_error, (estimate, expected, standard_error)


def _check_uniform(values, bound):
    """Draws from U(-bound, bound): inside the bound, spread to it, mean 0, variance bound^2 / 3."""
    n = values.size
    assert np.abs(values).max() <= bound and np.abs(values).max() > 0.99 * bound
    _within(values.mean(), 0, bound / math.sqrt(3 * n))
    # the variance of U^2 for U ~ U(-b, b) is 4 b^4 / 45
    _within((values ** 2).mean(), bound ** 2 / 3, math.sqrt(4 * bound ** 4 / 45 / n))


def _check_normal(values, mean, std):
    n = values.size
    _within(values.mean(), mean, std / math.sqrt(n))
    _within(values.std(), std, std / math.sqrt(2 * n))


SHAPES = [(300, 200), (64, 16, 3, 3), (128, 40, 5)]


@pytest.mark.parametrize("shape", SHAPES)
def test_xavier_follows_torchs_formula(shape):
    minigrad.manual_seed(0)
    fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    gain = 1.7
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    _check_uniform(init.xavier_uniform_(minigrad.empty(shape), gain).numpy(), math.sqrt(3) * std)
    _check_normal(init.xavier_normal_(minigrad.empty(shape), gain).numpy(), 0, std)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
@pytest.mark.parametrize("nonlinearity, a", [("leaky_relu", 0), ("leaky_relu", math.sqrt(5)), ("relu", 0),
                                             ("tanh", 0)])
def test_kaiming_follows_torchs_formula(shape, mode, nonlinearity, a):
    minigrad.manual_seed(1)
    fan = torch.nn.init._calculate_correct_fan(torch.empty(shape), mode)
    std = torch.nn.init.calculate_gain(nonlinearity, a) / math.sqrt(fan)
    _check_uniform(init.kaiming_uniform_(minigrad.empty(shape), a, mode, nonlinearity).numpy(), math.sqrt(3) * std)
    _check_normal(init.kaiming_normal_(minigrad.empty(shape), a, mode, nonlinearity).numpy(), 0, std)


def test_kaiming_rejects_bad_mode_and_skips_empty_tensors():
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_uniform_(minigrad.empty(3, 3), mode="fan_avg")
    with pytest.warns(UserWarning, match="zero-element tensors is a no-op"):
        init.kaiming_uniform_(minigrad.empty(0, 3))


def test_uniform_normal_constant_and_friends():
    minigrad.manual_seed(2)
    _check_uniform(init.uniform_(minigrad.empty(100, 100), -0.3, 0.3).numpy(), 0.3)
    _check_normal(init.normal_(minigrad.empty(100, 100), 2.0, 0.5).numpy(), 2.0, 0.5)
    assert (init.constant_(minigrad.empty(2, 3), 0.25).numpy() == 0.25).all()
    assert (init.ones_(minigrad.empty(2, 3)).numpy() == 1).all()
    assert (init.zeros_(minigrad.empty(2, 3)).numpy() == 0).all()
    assert np.array_equal(init.eye_(minigrad.empty(3, 5)).numpy(), torch.nn.init.eye_(torch.empty(3, 5)).numpy())
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions"):
        init.eye_(minigrad.empty(3))
    for groups, shape in ((1, (4, 4, 3, 3)), (2, (4, 2, 3)), (1, (2, 3, 3, 3, 3))):
        ours = init.dirac_(minigrad.empty(shape), groups).numpy()
        assert np.array_equal(ours, torch.nn.init.dirac_(torch.empty(shape), groups).numpy())


def test_trunc_normal_stays_inside_and_has_the_truncated_moments():
    minigrad.manual_seed(3)
    mean, std, a, b = 0.5, 1.0, -0.5, 2.0
    values = init.trunc_normal_(minigrad.empty(200, 200, dtype=minigrad.float64), mean, std, a, b).numpy()
    assert values.min() >= a and values.max() <= b
    # the mean and variance of a normal truncated to [a, b]
    alpha, beta = (a - mean) / std, (b - mean) / std
    pdf = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda z: 0.5 * (1 + math.erf(z / math.sqrt(2)))  # noqa: E731
    mass = cdf(beta) - cdf(alpha)
    expected_mean = mean + std * (pdf(alpha) - pdf(beta)) / mass
    expected_var = std ** 2 * (1 + (alpha * pdf(alpha) - beta * pdf(beta)) / mass
                               - ((pdf(alpha) - pdf(beta)) / mass) ** 2)
    _within(values.mean(), expected_mean, math.sqrt(expected_var / values.size))
    _within(values.var(), expected_var, expected_var * math.sqrt(3 / values.size))


@pytest.mark.parametrize("a, b", [(3.0, 3.5), (-6.0, -5.0), (0.0, 0.001)])
def test_trunc_normal_far_in_the_tail_or_narrow(a, b):
    minigrad.manual_seed(4)
    with pytest.warns(UserWarning) if a > 2 or b < -2 else _quiet():
        values = init.trunc_normal_(minigrad.empty(100, 100, dtype=minigrad.float64), 0.0, 1.0, a, b).numpy()
    assert values.min() >= a and values.max() <= b
    # the conditional mean of a standard normal on [a, b]: (phi(a) - phi(b)) / (Phi(b) - Phi(a))
    pdf = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda z: 0.5 * math.erfc(-z / math.sqrt(2))  # noqa: E731
    expected = (pdf(a) - pdf(b)) / (cdf(b) - cdf(a))
    assert abs(values.mean() - expected) < 5 * (b - a) / math.sqrt(12 * values.size)


class _quiet:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@given(st.sampled_from([(5, 5), (3, 7), (8, 2), (4, 2, 3)]), st.sampled_from([1.0, 2.5]))
@settings(max_examples=10)
def test_orthogonal_gives_orthonormal_rows_or_columns(shape, gain):
    q = init.orthogonal_(minigrad.empty(shape, dtype=minigrad.float64), gain).numpy().reshape(shape[0], -1)
    rows, cols = q.shape
    product = q @ q.T if rows <= cols else q.T @ q
    np.testing.assert_allclose(product, gain ** 2 * np.eye(min(rows, cols)), atol=1e-12)


def test_init_works_in_place_on_parameters_without_recording():
    layer = nn.Linear(4, 3)
    weight = layer.weight
    out = init.xavier_uniform_(layer.weight)
    assert out is weight and weight.is_leaf and weight.requires_grad and weight.grad_fn is None
    assert weight.dtype is minigrad.float32


def test_seeded_init_is_reproducible():
    minigrad.manual_seed(11)
    first = nn.Linear(5, 5).weight.detach().numpy().copy()
    minigrad.manual_seed(11)
    assert np.array_equal(first, nn.Linear(5, 5).weight.detach().numpy())
    generator = minigrad.Generator().manual_seed(3)
    a = init.normal_(minigrad.empty(4), generator=generator).numpy().copy()
    generator.manual_seed(3)
    assert np.array_equal(a, init.normal_(minigrad.empty(4), generator=generator).numpy())
