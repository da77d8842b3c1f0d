"""The continuous Bernoulli distribution."""

import math

from minigrad.autograd.grad_mode import no_grad
from minigrad.distributions import constraints
from minigrad.distributions.exp_family import ExponentialFamily
from minigrad.distributions.utils import (_NUMBER, _standard_draws, broadcast_all, clamp_probs, lazy_property,
                                          logits_to_probs, probs_to_logits)
from minigrad.functions import expm1, log, log1p, where
from minigrad.nn.functional import binary_cross_entropy_with_logits

__all__ = ["ContinuousBernoulli"]


class ContinuousBernoulli(ExponentialFamily):
    """ContinuousBernoulli(probs) or ContinuousBernoulli(logits=...): a density on [0, 1] shaped
    like the Bernoulli's likelihood, normalised (Loaiza-Ganem and Cunningham, 2019). probs (lambda)
    is not a probability here, nor logits a log-odds; they only share the Bernoulli's names.

        p(x) = C(lambda) lambda^x (1 - lambda)^(1 - x)  for 0 <= x <= 1,
        C(lambda) = 2 atanh(1 - 2 lambda) / (1 - 2 lambda)  (and C(1/2) = 2)

    C, the mean and the variance are 0/0 at lambda = 1/2: inside (lims[0], lims[1]) around it they
    are computed from their Taylor series instead, as in torch. rsample is reparameterised: the
    inverse of the cdf at u ~ Uniform(0, 1).
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, probs=None, logits=None, lims=(0.499, 0.501), validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            given = probs
            (self.probs,) = broadcast_all(probs)
            # probs is clamped away from 0 and 1 next, after which it would always pass validation:
            # checked here, as torch does, when validate_args is given (either way)
            if validate_args is not None and not self.arg_constraints["probs"].check(self.probs).all():
                raise ValueError("The parameter probs has invalid values")
            self.probs = clamp_probs(self.probs)
        else:
            given = logits
            (self.logits,) = broadcast_all(logits)
        self._param = self.probs if probs is not None else self.logits
        self._lims = lims
        super().__init__(() if isinstance(given, _NUMBER) else self._param.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._expand_parameters(ContinuousBernoulli, batch_shape, _instance, ("probs", "logits"))
        new._param = new.__dict__["logits" if "logits" in new.__dict__ else "probs"]  # (the one given)
        new._lims = self._lims
        return new

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self):
        return clamp_probs(logits_to_probs(self.logits, is_binary=True))

    @property
    def param_shape(self):
        return self._param.size()

    def _outside_unstable_region(self):
        """True where lambda is far enough from 1/2 for the closed forms."""
        return (self.probs <= self._lims[0]) | (self.probs > self._lims[1])

    def _cut_probs(self):
        """lambda, replaced by lims[0] near 1/2 (where the Taylor series is used instead), so that
        the closed forms, and their gradients, stay finite everywhere."""
        return where(self._outside_unstable_region(), self.probs, self._lims[0])

    def _cont_bern_log_norm(self):
        """log C(lambda) = log|log(1 - lambda) - log lambda| - log|1 - 2 lambda|, or near 1/2
        log 2 + (4/3 + 104/45 y) y with y = (lambda - 1/2)^2."""
        cut_probs = self._cut_probs()
        below_half = where(cut_probs <= 0.5, cut_probs, 0.0)  # each branch kept finite for the other's values
        above_half = where(cut_probs >= 0.5, cut_probs, 1.0)
        log_norm = (log((log1p(-cut_probs) - log(cut_probs)).abs())
                    - where(cut_probs <= 0.5, log1p(-2.0 * below_half), log(2.0 * above_half - 1.0)))
        y = (self.probs - 0.5).pow(2)
        taylor = math.log(2.0) + (4.0 / 3.0 + 104.0 / 45.0 * y) * y
        return where(self._outside_unstable_region(), log_norm, taylor)

    @property
    def mean(self):
        """lambda / (2 lambda - 1) + 1 / (log(1 - lambda) - log lambda), or near 1/2
        1/2 + (1/3 + 16/45 t^2) t with t = lambda - 1/2."""
        cut_probs = self._cut_probs()
        closed = cut_probs / (2.0 * cut_probs - 1.0) + 1.0 / (log1p(-cut_probs) - log(cut_probs))
        t = self.probs - 0.5
        taylor = 0.5 + (1.0 / 3.0 + 16.0 / 45.0 * t.pow(2)) * t
        return where(self._outside_unstable_region(), closed, taylor)

    @property
    def variance(self):
        """lambda (lambda - 1) / (1 - 2 lambda)^2 + 1 / (log(1 - lambda) - log lambda)^2, or near 1/2
        1/12 - (1/15 - 128/945 y) y with y = (lambda - 1/2)^2."""
        cut_probs = self._cut_probs()
        closed = (cut_probs * (cut_probs - 1.0) / (1.0 - 2.0 * cut_probs).pow(2)
                  + 1.0 / (log1p(-cut_probs) - log(cut_probs)).pow(2))
        y = (self.probs - 0.5).pow(2)
        taylor = 1.0 / 12.0 - (1.0 / 15.0 - 128.0 / 945.0 * y) * y
        return where(self._outside_unstable_region(), closed, taylor)

    @property
    def stddev(self):
        return self.variance.sqrt()

    def sample(self, sample_shape=()):
        with no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape=()):
        u = _standard_draws("random", self._extended_shape(sample_shape), self.probs.dtype)
        return self.icdf(u)

    def log_prob(self, value):
        """x log lambda + (1 - x) log(1 - lambda) + log C(lambda), the first two terms being minus
        the binary cross-entropy of x against logits."""
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return -binary_cross_entropy_with_logits(logits, value, reduction="none") + self._cont_bern_log_norm()

    def cdf(self, value):
        """(lambda^x (1 - lambda)^(1 - x) + lambda - 1) / (2 lambda - 1), or x near lambda = 1/2;
        0 below 0 and 1 above 1."""
        if self._validate_args:
            self._validate_sample(value)
        cut_probs = self._cut_probs()
        cdfs = (cut_probs.pow(value) * (1.0 - cut_probs).pow(1.0 - value) + cut_probs - 1.0) / (2.0 * cut_probs - 1.0)
        unbounded = where(self._outside_unstable_region(), cdfs, value)
        return where(value <= 0.0, 0.0, where(value >= 1.0, 1.0, unbounded))

    def icdf(self, value):
        """(log(1 - lambda + p (2 lambda - 1)) - log(1 - lambda)) / (log lambda - log(1 - lambda)),
        or p near lambda = 1/2."""
        cut_probs = self._cut_probs()
        closed = ((log1p(-cut_probs + value * (2.0 * cut_probs - 1.0)) - log1p(-cut_probs))
                  / (log(cut_probs) - log1p(-cut_probs)))
        return where(self._outside_unstable_region(), closed, value)

    def entropy(self):
        """mean (log(1 - lambda) - log lambda) - log C(lambda) - log(1 - lambda)."""
        log_probs0 = log1p(-self.probs)
        log_probs1 = log(self.probs)
        return self.mean * (log_probs0 - log_probs1) - self._cont_bern_log_norm() - log_probs0

    # exponential family: theta = logits, t(x) = x, h = 1
    _mean_carrier_measure = 0

    @property
    def _natural_params(self):
        return (self.logits,)

    def _log_normalizer(self, x):
        """log((exp(theta) - 1) / theta), or near theta = 0 its Taylor series theta/2 + theta^2/24 - theta^4/2880."""
        outside = (x <= self._lims[0] - 0.5) | (x > self._lims[1] - 0.5)
        cut = where(outside, x, self._lims[0] - 0.5)
        log_norm = log(expm1(cut).abs()) - log(cut.abs())
        taylor = 0.5 * x + x.pow(2) / 24.0 - x.pow(4) / 2880.0
        return where(outside, log_norm, taylor)
