"""The Weibull distribution."""

from minigrad.creation import ones_like
from minigrad.distributions import constraints
from minigrad.distributions.exponential import Exponential
from minigrad.distributions.transformed_distribution import TransformedDistribution
from minigrad.distributions.transforms import AffineTransform, PowerTransform
from minigrad.distributions.utils import broadcast_all, euler_constant
from minigrad.functions import exp, lgamma, log

__all__ = ["Weibull"]


class Weibull(TransformedDistribution):
    """Weibull(scale, concentration): lifetimes whose failure rate grows (k > 1), stays constant
    (k = 1, the exponential) or shrinks (k < 1) with age; scale lambda, concentration k.

        p(x) = (k / lambda) (x / lambda)^(k - 1) exp(-(x / lambda)^k)  for x > 0

    Built as in torch: e ~ Exponential(1) through the power 1/k and the scaling by lambda, so
    x = lambda e^(1/k). rsample is reparameterised: dx/dlambda = x / lambda,
    dx/dk = -x log(e) / k^2.
    """

    arg_constraints = {"scale": constraints.positive, "concentration": constraints.positive}
    support = constraints.positive

    def __init__(self, scale, concentration, validate_args=None):
        self.scale, self.concentration = broadcast_all(scale, concentration)
        self.concentration_reciprocal = self.concentration.reciprocal()
        base_dist = Exponential(ones_like(self.scale), validate_args=validate_args)
        transforms = [PowerTransform(exponent=self.concentration_reciprocal), AffineTransform(loc=0, scale=self.scale)]
        super().__init__(base_dist, transforms, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Weibull, _instance)
        new.scale = self.scale.expand(batch_shape)
        new.concentration = self.concentration.expand(batch_shape)
        new.concentration_reciprocal = new.concentration.reciprocal()
        transforms = [PowerTransform(exponent=new.concentration_reciprocal), AffineTransform(loc=0, scale=new.scale)]
        TransformedDistribution.__init__(new, self.base_dist.expand(batch_shape), transforms, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self):
        """lambda Gamma(1 + 1/k)."""
        return self.scale * exp(lgamma(1 + self.concentration_reciprocal))

    @property
    def mode(self):
        """lambda ((k - 1) / k)^(1/k), for k >= 1. For k < 1 the density peaks at 0 and this formula,
        torch's, is not the mode (it gives nan or a power of a negative number, as torch does)."""
        return self.scale * ((self.concentration - 1) / self.concentration) ** self.concentration.reciprocal()

    @property
    def variance(self):
        """lambda^2 (Gamma(1 + 2/k) - Gamma(1 + 1/k)^2)."""
        return self.scale.pow(2) * (exp(lgamma(1 + 2 * self.concentration_reciprocal))
                                    - exp(2 * lgamma(1 + self.concentration_reciprocal)))

    def entropy(self):
        """gamma_e (1 - 1/k) + log(lambda / k) + 1."""
        return (euler_constant * (1 - self.concentration_reciprocal)
                + log(self.scale * self.concentration_reciprocal) + 1)
