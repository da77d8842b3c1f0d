"""The categorical distribution: one draw among k categories."""

import math

from minigrad import _dtype
from minigrad.autograd.grad_mode import no_grad
from minigrad._runtime import finfo
from minigrad.creation import arange, full
from minigrad.distributions import constraints
from minigrad.distributions.distribution import Distribution
from minigrad.distributions.utils import _standard_draws, lazy_property, logits_to_probs, probs_to_logits
from minigrad.functions import broadcast_tensors, clamp

__all__ = ["Categorical"]


class Categorical(Distribution):
    """Categorical(probs) or Categorical(logits=...): category i of 0..k-1 with probability p_i.

        P(x = i) = p_i,   p = probs / sum(probs) = softmax(logits)

    The last axis of probs (or logits) holds the k categories; the axes before it are the batch.
    Give exactly one of the two; they are normalised (probs to sum 1, logits to logsumexp 0),
    and the other is derived on first use. Draws are int64 indices: no rsample.
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            if probs.dim() < 1:
                raise ValueError("`probs` parameter must be at least one-dimensional.")
            self.probs = probs / probs.sum(-1, keepdim=True)
            self._param = self.probs
        else:
            if logits.dim() < 1:
                raise ValueError("`logits` parameter must be at least one-dimensional.")
            self.logits = logits - logits.logsumexp(dim=-1, keepdim=True)
            self._param = self.logits
        self._num_events = self._param.shape[-1]
        super().__init__(self._param.shape[:-1], validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._expand_parameters(Categorical, batch_shape, _instance, ("probs", "logits"),
                                      trailing=(self._num_events,))
        new._param = new.__dict__["logits" if "logits" in new.__dict__ else "probs"]  # (the one given)
        new._num_events = self._num_events
        return new

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self):
        return constraints.integer_interval(0, self._num_events - 1)

    @lazy_property
    def logits(self):
        """log p (normalised: logsumexp over the categories is 0)."""
        return probs_to_logits(self.probs)

    @lazy_property
    def probs(self):
        """softmax(logits)."""
        return logits_to_probs(self.logits)

    @property
    def param_shape(self):
        return self._param.size()

    @property
    def mean(self):
        """Categories have no mean: NaN, as in torch."""
        return full(self._extended_shape(), math.nan, dtype=self.probs.dtype)

    @property
    def mode(self):
        return self.probs.argmax(dim=-1)

    @property
    def variance(self):
        """Categories have no variance: NaN, as in torch."""
        return full(self._extended_shape(), math.nan, dtype=self.probs.dtype)

    def sample(self, sample_shape=()):
        """Inverse-CDF sampling: with u ~ Uniform(0, 1), the category is the number of cumulative
        probabilities at or below u (categories of probability 0 take no room and are never drawn)."""
        with no_grad():
            cumulative = self.probs.cumsum(-1)
            shape = self._extended_shape(sample_shape)
            u = _standard_draws("random", tuple(shape) + (1,), _dtype.float64) * cumulative[..., -1:].double()
            return (cumulative[..., :-1].double() <= u).sum(-1).long()

    def log_prob(self, value):
        """log p_value, picked from the logits."""
        if self._validate_args:
            self._validate_sample(value)
        value = value.long().unsqueeze(-1)
        value, log_pmf = broadcast_tensors(value, self.logits)
        return log_pmf.gather(-1, value[..., :1]).squeeze(-1)

    def entropy(self):
        """-sum_i p_i log p_i (categories of probability 0 add nothing)."""
        logits = clamp(self.logits, min=finfo(self.logits.dtype).min)
        return -(logits * self.probs).sum(-1)

    def enumerate_support(self, expand=True):
        """0, ..., k-1 along a new first axis, int64."""
        values = arange(self._num_events, dtype=_dtype.int64).reshape((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand((-1,) + tuple(self._batch_shape))
        return values
