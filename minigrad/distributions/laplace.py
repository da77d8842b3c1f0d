"""The Laplace (double exponential) distribution."""

from minigrad.distributions import constraints
from minigrad.distributions.distribution import Distribution
from minigrad.distributions.utils import _NUMBER, _standard_draws, broadcast_all
from minigrad.functions import expm1, log, log1p

__all__ = ["Laplace"]


class Laplace(Distribution):
    """Laplace(loc, scale): a peak at loc (mu) falling off exponentially on both sides, at rate 1/scale (b).

        p(x) = exp(-|x - mu| / b) / (2 b)

    rsample is reparameterised: x = mu + b * eps with eps drawn from the standard Laplace
    distribution, so dx/dmu = 1 and dx/db = eps.
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        numbers_only = isinstance(loc, _NUMBER) and isinstance(scale, _NUMBER)
        super().__init__(() if numbers_only else self.loc.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_parameters(Laplace, batch_shape, _instance, ("loc", "scale"))

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        return 2 * self.scale.pow(2)

    @property
    def stddev(self):
        return (2 ** 0.5) * self.scale

    def rsample(self, sample_shape=()):
        eps = _standard_draws("laplace", self._extended_shape(sample_shape), self.loc.dtype)
        return self.loc + self.scale * eps

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return -log(2 * self.scale) - (value - self.loc).abs() / self.scale

    def cdf(self, value):
        """1/2 + sign(x - mu) (1 - exp(-|x - mu| / b)) / 2."""
        if self._validate_args:
            self._validate_sample(value)
        distance = value - self.loc
        return 0.5 - 0.5 * distance.sign() * expm1(-distance.abs() / self.scale)

    def icdf(self, value):
        """mu - b sign(p - 1/2) log(1 - 2 |p - 1/2|)."""
        centred = value - 0.5
        return self.loc - self.scale * centred.sign() * log1p(-2 * centred.abs())

    def entropy(self):
        """1 + log(2 b)."""
        return 1 + log(2 * self.scale)
