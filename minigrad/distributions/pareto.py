"""The Pareto (type I) distribution."""

from minigrad.distributions import constraints
from minigrad.distributions.exponential import Exponential
from minigrad.distributions.transformed_distribution import TransformedDistribution
from minigrad.distributions.transforms import AffineTransform, ExpTransform
from minigrad.distributions.utils import broadcast_all

__all__ = ["Pareto"]


class Pareto(TransformedDistribution):
    """Pareto(scale, alpha): a power law above the minimum value scale (x_m), with tail index alpha.

        p(x) = alpha x_m^alpha / x^(alpha + 1)  for x >= x_m

    Built as in torch: e ~ Exponential(alpha) through exp and the scaling by x_m, so
    x = x_m exp(e). rsample is reparameterised: dx/dx_m = x / x_m, dx/dalpha = -x log(x / x_m) / alpha.
    """

    arg_constraints = {"alpha": constraints.positive, "scale": constraints.positive}

    def __init__(self, scale, alpha, validate_args=None):
        self.scale, self.alpha = broadcast_all(scale, alpha)
        base_dist = Exponential(self.alpha, validate_args=validate_args)
        super().__init__(base_dist, [ExpTransform(), AffineTransform(loc=0, scale=self.scale)],
                         validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Pareto, _instance)
        new.scale = self.scale.expand(batch_shape)
        new.alpha = self.alpha.expand(batch_shape)
        return super().expand(batch_shape, _instance=new)

    @property
    def mean(self):
        """alpha x_m / (alpha - 1); infinite for alpha <= 1 (alpha is raised to 1 there, as in torch)."""
        a = self.alpha.clamp(min=1)
        return a * self.scale / (a - 1)

    @property
    def mode(self):
        return self.scale

    @property
    def variance(self):
        """x_m^2 alpha / ((alpha - 1)^2 (alpha - 2)); infinite for alpha <= 2 (alpha raised to 2 there)."""
        a = self.alpha.clamp(min=2)
        return self.scale.pow(2) * a / ((a - 1).pow(2) * (a - 2))

    @constraints.dependent_property(is_discrete=False, event_dim=0)
    def support(self):
        """[x_m, inf)."""
        return constraints.greater_than_eq(self.scale)

    def entropy(self):
        """log(x_m / alpha) + 1 + 1/alpha."""
        return (self.scale / self.alpha).log() + (1 + self.alpha.reciprocal())
