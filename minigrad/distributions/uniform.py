"""The continuous uniform distribution."""

import math

from minigrad.distributions import constraints
from minigrad.distributions.distribution import Distribution
from minigrad.distributions.utils import _NUMBER, _standard_draws, broadcast_all
from minigrad.functions import log

__all__ = ["Uniform"]


class Uniform(Distribution):
    """Uniform(low, high): every value of [low, high) (a, b) equally likely.

        p(x) = 1 / (b - a)  for a <= x < b

    rsample is reparameterised: x = a + u (b - a) with u ~ Uniform(0, 1), so dx/da = 1 - u and dx/db = u.
    """

    has_rsample = True

    @property
    def arg_constraints(self):
        return {"low": constraints.less_than(self.high), "high": constraints.greater_than(self.low)}

    def __init__(self, low, high, validate_args=None):
        self.low, self.high = broadcast_all(low, high)
        numbers_only = isinstance(low, _NUMBER) and isinstance(high, _NUMBER)
        super().__init__(() if numbers_only else self.low.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_parameters(Uniform, batch_shape, _instance, ("low", "high"))

    @constraints.dependent_property(is_discrete=False, event_dim=0)
    def support(self):
        return constraints.interval(self.low, self.high)

    @property
    def mean(self):
        return (self.high + self.low) / 2

    @property
    def mode(self):
        """Every point of the interval is a mode: NaN, as in torch."""
        return math.nan * self.high

    @property
    def stddev(self):
        return (self.high - self.low) / 12 ** 0.5

    @property
    def variance(self):
        return (self.high - self.low).pow(2) / 12

    def rsample(self, sample_shape=()):
        u = _standard_draws("random", self._extended_shape(sample_shape), self.low.dtype)
        return self.low + u * (self.high - self.low)

    def log_prob(self, value):
        """-log(b - a) inside [a, b), -inf outside."""
        if self._validate_args:
            self._validate_sample(value)
        inside = self.low.le(value).type_as(self.low) * self.high.gt(value).type_as(self.low)
        return log(inside) - log(self.high - self.low)

    def cdf(self, value):
        """(x - a) / (b - a), clamped to [0, 1]."""
        if self._validate_args:
            self._validate_sample(value)
        return ((value - self.low) / (self.high - self.low)).clamp(min=0, max=1)

    def icdf(self, value):
        """a + p (b - a)."""
        return value * (self.high - self.low) + self.low

    def entropy(self):
        """log(b - a)."""
        return log(self.high - self.low)
