"""The log-normal distribution."""

from minigrad.distributions import constraints
from minigrad.distributions.normal import Normal
from minigrad.distributions.transformed_distribution import TransformedDistribution
from minigrad.distributions.transforms import ExpTransform

__all__ = ["LogNormal"]


class LogNormal(TransformedDistribution):
    """LogNormal(loc, scale): exp(z) for z ~ Normal(loc, scale) (mu, sigma): a positive quantity
    whose log is normal.

        p(x) = exp(-(log x - mu)^2 / (2 sigma^2)) / (x sigma sqrt(2 pi))  for x > 0

    Built as Normal(mu, sigma) through ExpTransform, as in torch. rsample is reparameterised:
    x = exp(mu + sigma eps) with eps ~ N(0, 1), so dx/dmu = x and dx/dsigma = x eps.
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        super().__init__(Normal(loc, scale, validate_args=validate_args), ExpTransform(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return super().expand(batch_shape, _instance=self._get_checked_instance(LogNormal, _instance))

    @property
    def loc(self):
        return self.base_dist.loc

    @property
    def scale(self):
        return self.base_dist.scale

    @property
    def mean(self):
        """exp(mu + sigma^2 / 2)."""
        return (self.loc + self.scale.pow(2) / 2).exp()

    @property
    def mode(self):
        """exp(mu - sigma^2)."""
        return (self.loc - self.scale.square()).exp()

    @property
    def variance(self):
        """(exp(sigma^2) - 1) exp(2 mu + sigma^2)."""
        scale_squared = self.scale.pow(2)
        return scale_squared.expm1() * (2 * self.loc + scale_squared).exp()

    def entropy(self):
        """The normal's entropy plus mu."""
        return self.base_dist.entropy() + self.loc
