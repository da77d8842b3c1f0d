"""The half-Cauchy distribution."""

import math

from minigrad.creation import as_tensor, full, zeros_like
from minigrad.distributions import constraints
from minigrad.distributions.cauchy import Cauchy
from minigrad.distributions.transformed_distribution import TransformedDistribution
from minigrad.distributions.transforms import AbsTransform
from minigrad.functions import where

__all__ = ["HalfCauchy"]


class HalfCauchy(TransformedDistribution):
    """HalfCauchy(scale): |x| for x ~ Cauchy(0, scale) (gamma): the Cauchy folded onto the
    positive half-line, a common prior for scale parameters. Its mean and variance are infinite.

        p(x) = 2 / (pi gamma (1 + (x / gamma)^2))  for x >= 0

    Built as Cauchy(0, gamma) through AbsTransform, as in torch. rsample is reparameterised:
    x = gamma |eps| with eps standard Cauchy, so dx/dgamma = |eps|.
    """

    arg_constraints = {"scale": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, scale, validate_args=None):
        super().__init__(Cauchy(0, scale, validate_args=False), AbsTransform(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return super().expand(batch_shape, _instance=self._get_checked_instance(HalfCauchy, _instance))

    @property
    def scale(self):
        return self.base_dist.scale

    @property
    def mean(self):
        """Infinite everywhere."""
        return full(self._extended_shape(), math.inf, dtype=self.scale.dtype)

    @property
    def mode(self):
        return zeros_like(self.scale)

    @property
    def variance(self):
        """Infinite everywhere."""
        return self.base_dist.variance

    def log_prob(self, value):
        """The Cauchy's log density plus log 2 for x >= 0; -inf below 0."""
        if self._validate_args:
            self._validate_sample(value)
        value = as_tensor(value, dtype=self.scale.dtype)
        return where(value >= 0, self.base_dist.log_prob(value) + math.log(2), -math.inf)

    def cdf(self, value):
        """2 F(x) - 1 = 2 atan(x / gamma) / pi, F the Cauchy's cdf."""
        if self._validate_args:
            self._validate_sample(value)
        return 2 * self.base_dist.cdf(value) - 1

    def icdf(self, prob):
        """The Cauchy's quantile at (p + 1) / 2."""
        return self.base_dist.icdf((prob + 1) / 2)

    def entropy(self):
        """The Cauchy's entropy minus log 2."""
        return self.base_dist.entropy() - math.log(2)
