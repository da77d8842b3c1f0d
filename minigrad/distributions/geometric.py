"""The geometric distribution: failures before the first success."""

from minigrad._runtime import finfo
from minigrad.autograd.grad_mode import no_grad
from minigrad.creation import zeros_like
from minigrad.distributions import constraints
from minigrad.distributions.distribution import Distribution
from minigrad.distributions.utils import (_NUMBER, _standard_draws, broadcast_all, lazy_property, logits_to_probs,
                                          probs_to_logits)
from minigrad.functions import where
from minigrad.nn.functional import binary_cross_entropy_with_logits

__all__ = ["Geometric"]


class Geometric(Distribution):
    """Geometric(probs) or Geometric(logits=...): the number of failures before the first success
    in independent trials that each succeed with probability p.

        P(x = k) = (1 - p)^k p  for k = 0, 1, 2, ...,   p = sigmoid(logits)

    Give exactly one of probs and logits (probs must be positive). No rsample.
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        given = probs if probs is not None else logits
        (param,) = broadcast_all(given)
        if probs is not None:
            self.probs = param
        else:
            self.logits = param
        super().__init__(() if isinstance(given, _NUMBER) else param.size(), validate_args=validate_args)
        if self._validate_args and probs is not None and not (self.probs > 0).all():
            raise ValueError(f"Expected parameter probs ({type(self.probs).__name__} of shape "
                             f"{tuple(self.probs.shape)}) of distribution {self!r} to be positive but found "
                             f"invalid values:\n{self.probs.detach()[~(self.probs > 0)]}")

    def expand(self, batch_shape, _instance=None):
        new = self._expand_parameters(Geometric, batch_shape, _instance, ("probs", "logits"))
        return new

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits, is_binary=True)

    @property
    def mean(self):
        return 1.0 / self.probs - 1.0

    @property
    def mode(self):
        return zeros_like(self.probs)

    @property
    def variance(self):
        return (1.0 / self.probs - 1.0) / self.probs

    def sample(self, sample_shape=()):
        """Inverse-CDF sampling: floor(log u / log(1 - p)) with u ~ Uniform(0, 1), u > 0."""
        with no_grad():
            u = _standard_draws("random", self._extended_shape(sample_shape), self.probs.dtype)
            u = u.clamp(min=finfo(u.dtype).tiny)
            return (u.log() / (-self.probs).log1p()).floor()

    def log_prob(self, value):
        """k log(1 - p) + log p (0 at p = 1, k = 0, rather than 0 * log 0)."""
        if self._validate_args:
            self._validate_sample(value)
        value, probs = broadcast_all(value, self.probs)
        probs = where((probs == 1) & (value == 0), 0.0, probs)
        return value * (-probs).log1p() + self.probs.log()

    def entropy(self):
        """(-p log p - (1 - p) log(1 - p)) / p."""
        return binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none") / self.probs
