"""The binomial distribution: successes among a fixed number of trials."""

import numpy as np

from minigrad.autograd.grad_mode import no_grad
from minigrad.creation import arange, from_numpy
from minigrad.distributions import constraints
from minigrad.distributions.distribution import Distribution
from minigrad.distributions.utils import broadcast_all, lazy_property, logits_to_probs, probs_to_logits
from minigrad.functions import exp, lgamma, log1p
from minigrad.random import _numpy_rng

__all__ = ["Binomial"]


def _positive_part(x):
    """max(x, 0), written so that its derivative at 0 is 1/2 (as torch's, whose gradients it matches)."""
    return (x.clamp(min=0) + x - x.clamp(max=0)) / 2


class Binomial(Distribution):
    """Binomial(total_count, probs) or Binomial(total_count, logits=...): the number of successes
    in n (total_count) independent trials that each succeed with probability p.

        P(x = k) = n! / (k! (n - k)!) p^k (1 - p)^(n - k)  for k = 0, ..., n,   p = sigmoid(logits)

    Give exactly one of probs and logits; total_count takes their dtype. No rsample.
    """

    arg_constraints = {"total_count": constraints.nonnegative_integer, "probs": constraints.unit_interval,
                       "logits": constraints.real}
    has_enumerate_support = True

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
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
        new = self._expand_parameters(Binomial, batch_shape, _instance, ("total_count", "probs", "logits"))
        new._param = new.__dict__["logits" if "logits" in new.__dict__ else "probs"]  # (the one given)
        return new

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self):
        return constraints.integer_interval(0, self.total_count)

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
        return self.total_count * self.probs

    @property
    def mode(self):
        """floor((n + 1) p), at most n."""
        return ((self.total_count + 1) * self.probs).floor().clamp(max=self.total_count)

    @property
    def variance(self):
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape=()):
        with no_grad():
            shape = self._extended_shape(sample_shape)
            counts = self.total_count.expand(shape).numpy().astype(np.int64)
            probs = self.probs.expand(shape).numpy()
            return from_numpy(np.asarray(_numpy_rng().binomial(counts, probs), dtype=probs.dtype))

    def log_prob(self, value):
        """log(n! / (k! (n - k)!)) + k logits - n log(1 + exp(logits)), with the last term computed
        as n (max(logits, 0) + log(1 + exp(-|logits|))) so that it cannot overflow."""
        if self._validate_args:
            self._validate_sample(value)
        n, logits = self.total_count, self.logits
        log_choose = lgamma(n + 1) - lgamma(value + 1) - lgamma(n - value + 1)
        log_normaliser = n * _positive_part(logits) + n * log1p(exp(-logits.abs()))
        return log_choose + value * logits - log_normaliser

    def _common_total_count(self, what):
        """n as an int, when every member of the batch has the same n."""
        total_count = int(self.total_count.max())
        if not self.total_count.min() == total_count:
            raise NotImplementedError(f"Inhomogeneous total count not supported by `{what}`.")
        return total_count

    def entropy(self):
        """-sum_k P(k) log P(k) over k = 0, ..., n (one n for the whole batch)."""
        self._common_total_count("entropy")
        log_prob = self.log_prob(self.enumerate_support(False))
        return -(exp(log_prob) * log_prob).sum(0)

    def enumerate_support(self, expand=True):
        """0, ..., n along a new first axis (one n for the whole batch)."""
        total_count = self._common_total_count("enumerate_support")
        values = arange(1 + total_count, dtype=self._param.dtype).reshape((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand((-1,) + tuple(self._batch_shape))
        return values
