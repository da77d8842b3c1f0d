"""The exponential distribution."""

from minigrad.creation import zeros_like
from minigrad.distributions import constraints
from minigrad.distributions.exp_family import ExponentialFamily
from minigrad.distributions.utils import _NUMBER, _standard_draws, broadcast_all
from minigrad.functions import exp, log, log1p

__all__ = ["Exponential"]


class Exponential(ExponentialFamily):
    """Exponential(rate): waiting times of events that happen at `rate` (lambda) per unit of time.

        p(x) = lambda exp(-lambda x)  for x >= 0

    rsample is reparameterised: x = eps / lambda with eps drawn from Exponential(1), so
    dx/dlambda = -x / lambda.
    """

    arg_constraints = {"rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, rate, validate_args=None):
        (self.rate,) = broadcast_all(rate)
        super().__init__(() if isinstance(rate, _NUMBER) else self.rate.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_parameters(Exponential, batch_shape, _instance, ("rate",))

    @property
    def mean(self):
        return self.rate.reciprocal()

    @property
    def mode(self):
        return zeros_like(self.rate)

    @property
    def stddev(self):
        return self.rate.reciprocal()

    @property
    def variance(self):
        return self.rate.pow(-2)

    def rsample(self, sample_shape=()):
        eps = _standard_draws("standard_exponential", self._extended_shape(sample_shape), self.rate.dtype)
        return eps / self.rate

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return self.rate.log() - self.rate * value

    def cdf(self, value):
        """1 - exp(-lambda x)."""
        if self._validate_args:
            self._validate_sample(value)
        return 1 - exp(-self.rate * value)

    def icdf(self, value):
        """-log(1 - p) / lambda."""
        return -log1p(-value) / self.rate

    def entropy(self):
        """1 - log lambda."""
        return 1.0 - log(self.rate)

    # exponential family: theta = -lambda, t(x) = x, h = 1
    _mean_carrier_measure = 0

    @property
    def _natural_params(self):
        return (-self.rate,)

    def _log_normalizer(self, x):
        return -log(-x)
