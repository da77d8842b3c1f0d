"""The Gumbel (type I extreme value) distribution."""

import math

from minigrad._runtime import finfo
from minigrad.creation import full_like, ones_like
from minigrad.distributions import constraints
from minigrad.distributions.transformed_distribution import TransformedDistribution
from minigrad.distributions.transforms import AffineTransform, ExpTransform
from minigrad.distributions.uniform import Uniform
from minigrad.distributions.utils import _NUMBER, broadcast_all, euler_constant

__all__ = ["Gumbel"]


class Gumbel(TransformedDistribution):
    """Gumbel(loc, scale): the law of the largest of many independent draws (of light-tailed
    distributions), peaked at loc (mu) with spread scale (beta).

        p(x) = exp(-(z + exp(-z))) / beta,  z = (x - mu) / beta

    Built as in torch: u ~ Uniform(tiny, 1 - eps) through log, negation, log and the affine map
    mu - beta t, so x = mu - beta log(-log u). rsample is reparameterised: dx/dmu = 1,
    dx/dbeta = -log(-log u) = (x - mu) / beta.
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        bounds = finfo(self.loc.dtype)
        if isinstance(loc, _NUMBER) and isinstance(scale, _NUMBER):
            base_dist = Uniform(bounds.tiny, 1 - bounds.eps, validate_args=validate_args)
        else:
            base_dist = Uniform(full_like(self.loc, bounds.tiny), full_like(self.loc, 1 - bounds.eps),
                                validate_args=validate_args)
        transforms = [ExpTransform().inv, AffineTransform(loc=0, scale=-ones_like(self.scale)), ExpTransform().inv,
                      AffineTransform(loc=loc, scale=-self.scale)]
        super().__init__(base_dist, transforms, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Gumbel, _instance)
        new.loc = self.loc.expand(batch_shape)
        new.scale = self.scale.expand(batch_shape)
        return super().expand(batch_shape, _instance=new)

    def log_prob(self, value):
        """-z - exp(-z) - log beta, written with y = -z = (mu - x) / beta."""
        if self._validate_args:
            self._validate_sample(value)
        y = (self.loc - value) / self.scale
        return (y - y.exp()) - self.scale.log()

    @property
    def mean(self):
        """mu + beta gamma_e, gamma_e the Euler-Mascheroni constant."""
        return self.loc + self.scale * euler_constant

    @property
    def mode(self):
        return self.loc

    @property
    def stddev(self):
        """pi beta / sqrt 6."""
        return (math.pi / math.sqrt(6)) * self.scale

    @property
    def variance(self):
        return self.stddev.pow(2)

    def entropy(self):
        """log beta + 1 + gamma_e."""
        return self.scale.log() + (1 + euler_constant)
