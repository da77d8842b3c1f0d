"""The inverse gamma distribution."""

from minigrad.distributions import constraints
from minigrad.distributions.gamma import Gamma
from minigrad.distributions.transformed_distribution import TransformedDistribution
from minigrad.distributions.transforms import PowerTransform
from minigrad.functions import digamma, lgamma, where

__all__ = ["InverseGamma"]


class InverseGamma(TransformedDistribution):
    """InverseGamma(concentration, rate): y = 1 / x for x ~ Gamma(alpha, beta); a positive quantity
    with a heavy right tail (the conjugate prior of a normal's variance).

        p(y) = beta^alpha y^(-alpha - 1) exp(-beta / y) / Gamma(alpha)  for y > 0

    Built as in torch: the gamma through PowerTransform(-1). rsample is reparameterised through the
    gamma's draws.
    """

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, concentration, rate, validate_args=None):
        base_dist = Gamma(concentration, rate, validate_args=validate_args)
        super().__init__(base_dist, PowerTransform(-base_dist.rate.new_ones(())), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return super().expand(batch_shape, _instance=self._get_checked_instance(InverseGamma, _instance))

    @property
    def concentration(self):
        return self.base_dist.concentration

    @property
    def rate(self):
        return self.base_dist.rate

    @property
    def mean(self):
        """beta / (alpha - 1) for alpha > 1, infinite otherwise."""
        return where(self.concentration > 1, self.rate / (self.concentration - 1), float("inf"))

    @property
    def mode(self):
        return self.rate / (self.concentration + 1)

    @property
    def variance(self):
        """beta^2 / ((alpha - 1)^2 (alpha - 2)) for alpha > 2, infinite otherwise."""
        result = self.rate.square() / ((self.concentration - 1).square() * (self.concentration - 2))
        return where(self.concentration > 2, result, float("inf"))

    def entropy(self):
        """alpha + log beta + lgamma(alpha) - (1 + alpha) digamma(alpha)."""
        alpha = self.concentration
        return alpha + self.rate.log() + lgamma(alpha) - (1 + alpha) * digamma(alpha)
