"""The Kumaraswamy distribution."""

import math

from minigrad.creation import full_like
from minigrad.distributions import constraints
from minigrad.distributions.transformed_distribution import TransformedDistribution
from minigrad.distributions.transforms import AffineTransform, PowerTransform
from minigrad.distributions.uniform import Uniform
from minigrad.distributions.utils import broadcast_all, euler_constant
from minigrad.functions import digamma, exp, lgamma, where

__all__ = ["Kumaraswamy"]


def _moment(a, b, n):
    """E[X^n] for X ~ Kumaraswamy(a, b): b B(1 + n/a, b), B the beta function, computed in logs."""
    shifted = 1 + n / a
    return b * exp(lgamma(shifted) + lgamma(b) - lgamma(shifted + b))


class Kumaraswamy(TransformedDistribution):
    """Kumaraswamy(concentration1, concentration0): a Beta-like law on (0, 1) whose cdf has a
    closed form, 1 - (1 - x^a)^b, with a = concentration1 and b = concentration0.

        p(x) = a b x^(a - 1) (1 - x^a)^(b - 1)  for 0 < x < 1

    Built as in torch: u ~ Uniform(0, 1) through the power 1/b, the map 1 - t and the power 1/a,
    so x = (1 - u^(1/b))^(1/a), the inverse of the cdf at 1 - u. rsample is reparameterised.
    """

    arg_constraints = {"concentration1": constraints.positive, "concentration0": constraints.positive}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, concentration1, concentration0, validate_args=None):
        self.concentration1, self.concentration0 = broadcast_all(concentration1, concentration0)
        base_dist = Uniform(full_like(self.concentration0, 0), full_like(self.concentration0, 1),
                            validate_args=validate_args)
        transforms = [PowerTransform(exponent=self.concentration0.reciprocal()), AffineTransform(loc=1.0, scale=-1.0),
                      PowerTransform(exponent=self.concentration1.reciprocal())]
        super().__init__(base_dist, transforms, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Kumaraswamy, _instance)
        new.concentration1 = self.concentration1.expand(batch_shape)
        new.concentration0 = self.concentration0.expand(batch_shape)
        return super().expand(batch_shape, _instance=new)

    @property
    def mean(self):
        return _moment(self.concentration1, self.concentration0, 1)

    @property
    def mode(self):
        """((a - 1) / (a b - 1))^(1/a), where the density's derivative is 0, for a, b >= 1; nan where
        a < 1 or b < 1 (the density then peaks at an end of the interval), as in torch.
        (torch's own formula gives nan everywhere; this one is the maximum of the density.)"""
        a, b = self.concentration1, self.concentration0
        peaked = (a >= 1) & (b >= 1) & ((a > 1) | (b > 1))
        a, b = where(peaked, a, 2.0), where(peaked, b, 2.0)  # the unused branch stays finite: gradient 0, not nan
        log_mode = ((a - 1) / (a * b - 1)).log() / a
        return where(peaked, log_mode.exp(), math.nan)

    @property
    def variance(self):
        return _moment(self.concentration1, self.concentration0, 2) - self.mean.pow(2)

    def entropy(self):
        """(1 - 1/b) + (1 - 1/a) H_b - log a - log b, H_b = digamma(b + 1) + gamma_e the b-th harmonic number."""
        t1 = 1 - self.concentration1.reciprocal()
        t0 = 1 - self.concentration0.reciprocal()
        harmonic = digamma(self.concentration0 + 1) + euler_constant
        return t0 + t1 * harmonic - self.concentration1.log() - self.concentration0.log()
