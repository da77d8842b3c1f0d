"""The gamma distribution."""

import numpy as np

from minigrad._ops.reparameterised import standard_gamma
from minigrad._runtime import finfo
from minigrad.creation import as_tensor
from minigrad.distributions import constraints
from minigrad.distributions.exp_family import ExponentialFamily
from minigrad.distributions.utils import _NUMBER, broadcast_all
from minigrad.functions import digamma, igamma, lgamma, log, xlogy
from minigrad.random import _numpy_rng
from minigrad.tensor import apply

__all__ = ["Gamma"]


def _standard_gamma(concentration):
    """Draws of Gamma(concentration, 1), one per element, differentiable in concentration.

    The draws come from minigrad's generator (NumPy's gamma sampler), at least the dtype's
    smallest normal number (see _at_least_tiny), and carry the implicit reparameterisation
    gradient dx/dconcentration (see minigrad._ops.reparameterised)."""
    alpha = concentration.detach().numpy()
    draws = np.asarray(_numpy_rng().standard_gamma(alpha), dtype=alpha.dtype).clip(min=np.finfo(alpha.dtype).tiny)
    return apply(standard_gamma, concentration, draws=draws)


def _at_least_tiny(draws):
    """draws raised to the dtype's smallest normal number where below it, in place and unrecorded
    (the gradient is unchanged): a draw of a small concentration can underflow to 0, where the log
    density is -inf."""
    draws.detach().clamp_(min=finfo(draws.dtype).tiny)
    return draws


class Gamma(ExponentialFamily):
    """Gamma(concentration, rate): a positive quantity, the sum of alpha (concentration) exponential
    waiting times of rate beta.

        p(x) = beta^alpha x^(alpha - 1) exp(-beta x) / Gamma(alpha)  for x > 0

    rsample is reparameterised: x = z / beta with z ~ Gamma(alpha, 1), so dx/dbeta = -x / beta;
    z has no closed form in alpha and noise, so dz/dalpha is the implicit gradient
    -(dF/dalpha) / p(z), with F the CDF of Gamma(alpha, 1).
    """

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, concentration, rate, validate_args=None):
        self.concentration, self.rate = broadcast_all(concentration, rate)
        numbers_only = isinstance(concentration, _NUMBER) and isinstance(rate, _NUMBER)
        super().__init__(() if numbers_only else self.concentration.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_parameters(Gamma, batch_shape, _instance, ("concentration", "rate"))

    @property
    def mean(self):
        return self.concentration / self.rate

    @property
    def mode(self):
        """(alpha - 1) / beta, or 0 when alpha < 1 (the density then peaks at 0)."""
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self):
        return self.concentration / self.rate.pow(2)

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        return _at_least_tiny(_standard_gamma(self.concentration.expand(shape)) / self.rate.expand(shape))

    def log_prob(self, value):
        """alpha log beta + (alpha - 1) log x - beta x - lgamma(alpha)."""
        value = as_tensor(value, dtype=self.rate.dtype)
        if self._validate_args:
            self._validate_sample(value)
        return (xlogy(self.concentration, self.rate) + xlogy(self.concentration - 1, value) - self.rate * value
                - lgamma(self.concentration))

    def cdf(self, value):
        """P(alpha, beta x), the regularized lower incomplete gamma function (minigrad.igamma): its
        gradient flows to beta and x, and asking for one in alpha raises at backward, as in torch."""
        value = as_tensor(value, dtype=self.rate.dtype)
        if self._validate_args:
            self._validate_sample(value)
        return igamma(self.concentration, self.rate * value)

    def entropy(self):
        """alpha - log beta + lgamma(alpha) + (1 - alpha) digamma(alpha)."""
        return (self.concentration - log(self.rate) + lgamma(self.concentration)
                + (1.0 - self.concentration) * digamma(self.concentration))

    # exponential family: theta = (alpha - 1, -beta), t(x) = (log x, x), h = 1
    _mean_carrier_measure = 0

    @property
    def _natural_params(self):
        return self.concentration - 1, -self.rate

    def _log_normalizer(self, x, y):
        return lgamma(x + 1) + (x + 1) * log(-y.reciprocal())
