"""The generalized Pareto distribution."""

from minigrad.creation import as_tensor, ones_like, zeros_like
from minigrad.distributions import constraints
from minigrad.distributions.distribution import Distribution
from minigrad.distributions.utils import _NUMBER, _standard_draws, broadcast_all
from minigrad.functions import isclose, where

__all__ = ["GeneralizedPareto"]


class GeneralizedPareto(Distribution):
    """GeneralizedPareto(loc, scale, concentration): the limit law of the excesses over a high
    threshold (the tail of another distribution). With z = (x - loc) / scale and xi the concentration,

        P(X > x) = (1 + xi z)^(-1/xi)   (exp(-z) for xi = 0)
        p(x) = (1 + xi z)^(-1/xi - 1) / scale

    for z >= 0, and z <= -1/xi too when xi < 0. xi = 0 is an exponential shifted to loc, xi > 0 a
    Pareto, xi = -1 a uniform. xi is taken as 0 where it is within isclose's tolerance of 0 (as
    torch). rsample is reparameterised: icdf of a uniform draw. (torch 2.13's log_prob, cdf and
    log_survival_function raise for float64 parameters unless float64 is its default dtype; here
    they work in either dtype.)
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive, "concentration": constraints.real}
    has_rsample = True

    def __init__(self, loc, scale, concentration, validate_args=None):
        self.loc, self.scale, self.concentration = broadcast_all(loc, scale, concentration)
        numbers_only = all(isinstance(p, _NUMBER) for p in (loc, scale, concentration))
        super().__init__(() if numbers_only else self.loc.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_parameters(GeneralizedPareto, batch_shape, _instance, ("loc", "scale", "concentration"))

    def _safe_concentration(self):
        """(whether xi counts as 0, xi with those replaced by 1 so that dividing by it stays finite)."""
        is_zero = isclose(self.concentration, zeros_like(self.concentration))
        return is_zero, where(is_zero, ones_like(self.concentration), self.concentration)

    def _z(self, value):
        return (value - self.loc) / self.scale

    def rsample(self, sample_shape=()):
        return self.icdf(_standard_draws("random", self._extended_shape(sample_shape), self.loc.dtype))

    def log_prob(self, value):
        """-log scale - (1/xi + 1) log(1 + xi z), and -log scale - z for xi = 0."""
        value = as_tensor(value, dtype=self.loc.dtype)
        if self._validate_args:
            self._validate_sample(value)
        z = self._z(value)
        is_zero, xi = self._safe_concentration()
        power = 1 / xi + ones_like(z)
        nonzero = where(power == 0, power, power * (xi * z).log1p())
        return -self.scale.log() - where(is_zero, z, nonzero)

    def log_survival_function(self, value):
        """log P(X > value) = -log(1 + xi z) / xi, and -z for xi = 0."""
        value = as_tensor(value, dtype=self.loc.dtype)
        if self._validate_args:
            self._validate_sample(value)
        z = self._z(value)
        is_zero, xi = self._safe_concentration()
        return where(is_zero, -z, -(xi * z).log1p() / xi)

    def log_cdf(self, value):
        """log(1 - P(X > value))."""
        return (-self.log_survival_function(value).exp()).log1p()

    def cdf(self, value):
        return self.log_cdf(value).exp()

    def icdf(self, value):
        """loc + scale ((1 - u)^(-xi) - 1) / xi, and loc - scale log(1 - u) for xi = 0."""
        is_zero, xi = self._safe_concentration()
        log_rest = (-value).log1p()
        return where(is_zero, self.loc - self.scale * log_rest, self.loc + self.scale / xi * (-xi * log_rest).expm1())

    @property
    def mean(self):
        """loc + scale / (1 - xi) for xi < 1, nan otherwise."""
        valid = self.concentration < 1
        xi = where(valid, self.concentration, 0.5)
        return where(valid, self.loc + self.scale / (1 - xi), float("nan"))

    @property
    def variance(self):
        """scale^2 / ((1 - xi)^2 (1 - 2 xi)) for xi < 1/2, nan otherwise."""
        valid = self.concentration < 0.5
        xi = where(valid, self.concentration, 0.25)
        return where(valid, self.scale ** 2 / ((1 - xi) ** 2 * (1 - 2 * xi)), float("nan"))

    @property
    def mode(self):
        return self.loc

    def entropy(self):
        """log scale + xi + 1."""
        return (self.scale.log() + self.concentration + 1).broadcast_to(tuple(self._batch_shape))

    @constraints.dependent_property(is_discrete=False, event_dim=0)
    def support(self):
        """[loc, inf) for xi >= 0; [loc, loc - scale / xi] for xi < 0."""
        upper = where(self.concentration < 0, self.loc - self.scale / self.concentration, float("inf"))
        return constraints.interval(self.loc, upper)
