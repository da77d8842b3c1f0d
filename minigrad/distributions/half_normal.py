"""The half-normal distribution."""

import math

from minigrad.creation import zeros_like
from minigrad.distributions import constraints
from minigrad.distributions.normal import Normal
from minigrad.distributions.transformed_distribution import TransformedDistribution
from minigrad.distributions.transforms import AbsTransform
from minigrad.functions import where

__all__ = ["HalfNormal"]


class HalfNormal(TransformedDistribution):
    """HalfNormal(scale): |x| for x ~ Normal(0, scale) (sigma): the normal folded onto the
    positive half-line, so twice its density there.

        p(x) = 2 exp(-x^2 / (2 sigma^2)) / (sigma sqrt(2 pi))  for x >= 0

    Built as Normal(0, sigma) through AbsTransform, as in torch. rsample is reparameterised:
    x = sigma |eps| with eps ~ N(0, 1), so dx/dsigma = |eps|.
    """

    arg_constraints = {"scale": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, scale, validate_args=None):
        super().__init__(Normal(0, scale, validate_args=False), AbsTransform(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return super().expand(batch_shape, _instance=self._get_checked_instance(HalfNormal, _instance))

    @property
    def scale(self):
        return self.base_dist.scale

    @property
    def mean(self):
        """sigma sqrt(2 / pi)."""
        return self.scale * math.sqrt(2 / math.pi)

    @property
    def mode(self):
        return zeros_like(self.scale)

    @property
    def variance(self):
        """sigma^2 (1 - 2 / pi)."""
        return self.scale.pow(2) * (1 - 2 / math.pi)

    def log_prob(self, value):
        """The normal's log density plus log 2 for x >= 0; -inf below 0."""
        if self._validate_args:
            self._validate_sample(value)
        return where(value >= 0, self.base_dist.log_prob(value) + math.log(2), -math.inf)

    def cdf(self, value):
        """2 Phi(x / sigma) - 1, Phi the normal's cdf."""
        if self._validate_args:
            self._validate_sample(value)
        return 2 * self.base_dist.cdf(value) - 1

    def icdf(self, prob):
        """The normal's quantile at (p + 1) / 2."""
        return self.base_dist.icdf((prob + 1) / 2)

    def entropy(self):
        """The normal's entropy minus log 2."""
        return self.base_dist.entropy() - math.log(2)
