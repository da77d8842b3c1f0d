"""The multinomial distribution: counts of each category among a fixed number of draws."""

from minigrad import _types
from minigrad.autograd.grad_mode import no_grad
from minigrad.creation import arange, tensor
from minigrad.distributions import constraints
from minigrad.distributions.binomial import Binomial
from minigrad.distributions.categorical import Categorical
from minigrad.distributions.distribution import Distribution
from minigrad.distributions.utils import broadcast_all
from minigrad.functions import exp, lgamma, where

__all__ = ["Multinomial"]


class Multinomial(Distribution):
    """Multinomial(total_count, probs) or Multinomial(total_count, logits=...): how many of n
    (total_count) independent draws from a Categorical(probs) fall in each of the k categories.

        P(x) = n! / (x_1! ... x_k!) p_1^x_1 ... p_k^x_k  for counts x_i >= 0 summing to n

    probs (or logits) are normalised as Categorical's are; their last axis holds the k categories,
    which is the event axis of the counts. total_count is one int for the whole batch. log_prob
    reads n from the counts themselves, so it takes counts of any total. No rsample.
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        if not isinstance(total_count, int):
            raise NotImplementedError("inhomogeneous total_count is not supported")
        self.total_count = total_count
        self._categorical = Categorical(probs=probs, logits=logits)
        self._binomial = Binomial(total_count=total_count, probs=self.probs)
        super().__init__(self._categorical.batch_shape, self._categorical.param_shape[-1:],
                         validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Multinomial, _instance)
        batch_shape = _types.Size(batch_shape)
        new.total_count = self.total_count
        new._categorical = self._categorical.expand(batch_shape)
        new._binomial = Binomial(total_count=self.total_count, probs=new.probs)
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @constraints.dependent_property(is_discrete=True, event_dim=1)
    def support(self):
        return constraints.multinomial(self.total_count)

    @property
    def logits(self):
        return self._categorical.logits

    @property
    def probs(self):
        return self._categorical.probs

    @property
    def param_shape(self):
        return self._categorical.param_shape

    @property
    def mean(self):
        return self.probs * self.total_count

    @property
    def variance(self):
        """n p_i (1 - p_i) for each category (the counts' covariances are not given)."""
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape=()):
        """n categorical draws along a new first axis, then the number of them in each category."""
        with no_grad():
            draws = self._categorical.sample((self.total_count,) + tuple(sample_shape))
            categories = arange(self._event_shape[0])
            return (draws.unsqueeze(-1) == categories).sum(0).type_as(self.probs)

    def log_prob(self, value):
        """log n! - sum_i log x_i! + sum_i x_i log p_i, with n = sum_i x_i; a category with
        p_i = 0 that was never drawn (x_i = 0) adds 0, not 0 * -inf."""
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        logits = where((value == 0) & (logits == -float("inf")), 0.0, logits)
        return lgamma(value.sum(-1) + 1) - lgamma(value + 1).sum(-1) + (logits * value).sum(-1)

    def entropy(self):
        """n H(categorical) - log n! + sum_i E[log x_i!], each count x_i being Binomial(n, p_i):
        the expectation is summed over x_i = 1, ..., n (log 0! = 0)."""
        n = tensor(self.total_count)
        counts = self._binomial.enumerate_support(expand=False)[1:]
        expected_log_factorials = (exp(self._binomial.log_prob(counts)) * lgamma(counts + 1)).sum((0, -1))
        return n * self._categorical.entropy() - lgamma(n + 1) + expected_log_factorials
