"""The normal (Gaussian) distribution."""

import math

from minigrad.distributions import constraints
from minigrad.distributions.exp_family import ExponentialFamily
from minigrad.distributions.utils import _NUMBER, _standard_draws, broadcast_all
from minigrad.functions import erf, erfinv, log

__all__ = ["Normal"]


class Normal(ExponentialFamily):
    """Normal(loc, scale): the bell curve centred at loc (mu) with standard deviation scale (sigma).

        p(x) = exp(-(x - mu)^2 / (2 sigma^2)) / (sigma sqrt(2 pi))

    rsample is reparameterised: x = mu + sigma * eps with eps ~ N(0, 1) drawn independently of
    the parameters, so dx/dmu = 1 and dx/dsigma = eps.
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        numbers_only = isinstance(loc, _NUMBER) and isinstance(scale, _NUMBER)
        super().__init__(() if numbers_only else self.loc.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_parameters(Normal, batch_shape, _instance, ("loc", "scale"))

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def stddev(self):
        return self.scale

    @property
    def variance(self):
        return self.stddev.pow(2)

    def rsample(self, sample_shape=()):
        eps = _standard_draws("standard_normal", self._extended_shape(sample_shape), self.loc.dtype)
        return self.loc + eps * self.scale

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return -((value - self.loc) ** 2) / (2 * self.scale ** 2) - self.scale.log() - math.log(math.sqrt(2 * math.pi))

    def cdf(self, value):
        """(1 + erf((x - mu) / (sigma sqrt 2))) / 2."""
        if self._validate_args:
            self._validate_sample(value)
        return 0.5 * (1 + erf((value - self.loc) * self.scale.reciprocal() / math.sqrt(2)))

    def icdf(self, value):
        """mu + sigma sqrt(2) erfinv(2 p - 1)."""
        return self.loc + self.scale * erfinv(2 * value - 1) * math.sqrt(2)

    def entropy(self):
        """(1 + log(2 pi)) / 2 + log sigma."""
        return 0.5 + 0.5 * math.log(2 * math.pi) + log(self.scale)

    # exponential family: theta = (mu / sigma^2, -1 / (2 sigma^2)), t(x) = (x, x^2), h = 1
    _mean_carrier_measure = 0

    @property
    def _natural_params(self):
        return self.loc / self.scale.pow(2), -0.5 * self.scale.pow(2).reciprocal()

    def _log_normalizer(self, x, y):
        return -0.25 * x.pow(2) / y + 0.5 * log(-math.pi / y)
