"""The Poisson distribution: counts of rare events."""

import numpy as np

from minigrad.autograd.grad_mode import no_grad
from minigrad.creation import from_numpy
from minigrad.distributions import constraints
from minigrad.distributions.exp_family import ExponentialFamily
from minigrad.distributions.utils import _NUMBER, broadcast_all
from minigrad.random import _numpy_rng

__all__ = ["Poisson"]


class Poisson(ExponentialFamily):
    """Poisson(rate): the number of events in a unit of time when they happen independently at
    `rate` (lambda) per unit on average.

        P(x = k) = lambda^k exp(-lambda) / k!  for k = 0, 1, 2, ...

    Draws are counts (in the rate's float dtype): no rsample.
    """

    arg_constraints = {"rate": constraints.nonnegative}
    support = constraints.nonnegative_integer

    def __init__(self, rate, validate_args=None):
        (self.rate,) = broadcast_all(rate)
        super().__init__(() if isinstance(rate, _NUMBER) else self.rate.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_parameters(Poisson, batch_shape, _instance, ("rate",))

    @property
    def mean(self):
        return self.rate

    @property
    def mode(self):
        return self.rate.floor()

    @property
    def variance(self):
        return self.rate

    def sample(self, sample_shape=()):
        with no_grad():
            rate = self.rate.expand(self._extended_shape(sample_shape)).numpy()
            return from_numpy(np.asarray(_numpy_rng().poisson(rate), dtype=rate.dtype))

    def log_prob(self, value):
        """k log lambda - lambda - lgamma(k + 1)."""
        if self._validate_args:
            self._validate_sample(value)
        rate, value = broadcast_all(self.rate, value)
        return value.xlogy(rate) - rate - (value + 1).lgamma()

    # exponential family: theta = log lambda, t(x) = x, h(x) = 1 / x! (whose mean has no closed form:
    # no entropy, as in torch)
    @property
    def _natural_params(self):
        return (self.rate.log(),)

    def _log_normalizer(self, x):
        return x.exp()
