"""The negative binomial distribution: successes before a given number of failures."""

import numpy as np

from minigrad.autograd.grad_mode import no_grad
from minigrad.creation import from_numpy
from minigrad.distributions import constraints
from minigrad.distributions.distribution import Distribution
from minigrad.distributions.gamma import Gamma
from minigrad.distributions.utils import broadcast_all, lazy_property, logits_to_probs, probs_to_logits
from minigrad.functions import lgamma, sigmoid, where
from minigrad.nn.functional import logsigmoid
from minigrad.random import _numpy_rng

__all__ = ["NegativeBinomial"]


class NegativeBinomial(Distribution):
    """NegativeBinomial(total_count, probs) or NegativeBinomial(total_count, logits=...): the number
    of successes, each of probability p, before the r-th (total_count) failure. r may be any
    nonnegative real (then it is a Gamma-Poisson mixture).

        P(x = k) = Gamma(k + r) / (k! Gamma(r)) p^k (1 - p)^r  for k = 0, 1, 2, ...,   p = sigmoid(logits)

    Draws: lambda ~ Gamma(r, (1 - p) / p), then k ~ Poisson(lambda). No rsample.
    """

    arg_constraints = {"total_count": constraints.greater_than_eq(0), "probs": constraints.half_open_interval(0.0, 1.0),
                       "logits": constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, total_count, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        count, param = broadcast_all(total_count, probs if probs is not None else logits)
        self.total_count = count.type_as(param)
        if probs is not None:
            self.probs = param
        else:
            self.logits = param
        self._param = param
        super().__init__(param.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._expand_parameters(NegativeBinomial, batch_shape, _instance, ("total_count", "probs", "logits"))
        new._param = new.__dict__["logits" if "logits" in new.__dict__ else "probs"]  # (the one given)
        return new

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits, is_binary=True)

    @property
    def param_shape(self):
        return self._param.size()

    @property
    def mean(self):
        """r p / (1 - p) = r exp(logits)."""
        return self.total_count * self.logits.exp()

    @property
    def mode(self):
        """floor((r - 1) p / (1 - p)), at least 0."""
        return ((self.total_count - 1) * self.logits.exp()).floor().clamp(min=0.0)

    @property
    def variance(self):
        """r p / (1 - p)^2: the mean over 1 - p = sigmoid(-logits)."""
        return self.mean / sigmoid(-self.logits)

    @lazy_property
    def _gamma(self):
        """Gamma(r, (1 - p) / p), the law of the Poisson rate; unchecked, since r may be 0."""
        return Gamma(concentration=self.total_count, rate=(-self.logits).exp(), validate_args=False)

    def sample(self, sample_shape=()):
        with no_grad():
            rate = self._gamma.sample(sample_shape).numpy()
            return from_numpy(np.asarray(_numpy_rng().poisson(rate), dtype=rate.dtype))

    def log_prob(self, value):
        """r log(1 - p) + k log p - log(Gamma(k + r) / (k! Gamma(r))), with log p = logsigmoid(logits);
        r = k = 0 has probability 1 (log 1 = 0), where lgamma(0) would be infinite."""
        if self._validate_args:
            self._validate_sample(value)
        log_unnormalised = self.total_count * logsigmoid(-self.logits) + value * logsigmoid(self.logits)
        log_normaliser = -lgamma(self.total_count + value) + lgamma(1.0 + value) + lgamma(self.total_count)
        log_normaliser = where(self.total_count + value == 0.0, 0.0, log_normaliser)
        return log_unnormalised - log_normaliser
