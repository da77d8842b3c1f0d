"""The Cauchy (Lorentz) distribution."""

import math

from minigrad.creation import full
from minigrad.distributions import constraints
from minigrad.distributions.distribution import Distribution
from minigrad.distributions.utils import _NUMBER, _standard_draws, broadcast_all
from minigrad.functions import atan, tan

__all__ = ["Cauchy"]


class Cauchy(Distribution):
    """Cauchy(loc, scale): the ratio of two independent standard normals, shifted to loc (x0) and
    stretched by scale (gamma, the half width at half maximum). Its tails are so heavy that it has
    no mean and no variance (reported as nan and inf, as in torch).

        p(x) = 1 / (pi gamma (1 + ((x - x0) / gamma)^2))

    rsample is reparameterised: x = x0 + gamma * eps with eps drawn from the standard Cauchy
    distribution, so dx/dx0 = 1 and dx/dgamma = eps.
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        numbers_only = isinstance(loc, _NUMBER) and isinstance(scale, _NUMBER)
        super().__init__(() if numbers_only else self.loc.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_parameters(Cauchy, batch_shape, _instance, ("loc", "scale"))

    @property
    def mean(self):
        """Undefined: nan everywhere."""
        return full(self._extended_shape(), math.nan, dtype=self.loc.dtype)

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        """Infinite everywhere."""
        return full(self._extended_shape(), math.inf, dtype=self.loc.dtype)

    def rsample(self, sample_shape=()):
        eps = _standard_draws("standard_cauchy", self._extended_shape(sample_shape), self.loc.dtype)
        return self.loc + eps * self.scale

    def log_prob(self, value):
        """-log pi - log gamma - log(1 + ((x - x0) / gamma)^2)."""
        if self._validate_args:
            self._validate_sample(value)
        return -math.log(math.pi) - self.scale.log() - (((value - self.loc) / self.scale) ** 2).log1p()

    def cdf(self, value):
        """atan((x - x0) / gamma) / pi + 1/2."""
        if self._validate_args:
            self._validate_sample(value)
        return atan((value - self.loc) / self.scale) / math.pi + 0.5

    def icdf(self, value):
        """x0 + gamma tan(pi (p - 1/2))."""
        return tan(math.pi * (value - 0.5)) * self.scale + self.loc

    def entropy(self):
        """log(4 pi gamma)."""
        return math.log(4 * math.pi) + self.scale.log()
