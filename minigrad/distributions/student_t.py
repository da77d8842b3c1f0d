"""Student's t-distribution."""

import math

from minigrad.distributions import constraints
from minigrad.distributions.distribution import Distribution
from minigrad.distributions.chi2 import Chi2
from minigrad.distributions.utils import _standard_draws, broadcast_all
from minigrad.functions import digamma, lgamma, where

__all__ = ["StudentT"]


class StudentT(Distribution):
    """StudentT(df, loc=0, scale=1): a bell curve with heavier tails than the normal's, the heavier
    the fewer the degrees of freedom nu (df); centred at loc (mu), stretched by scale (sigma).

        p(x) = Gamma((nu + 1) / 2) / (Gamma(nu / 2) sqrt(nu pi) sigma) (1 + y^2 / nu)^(-(nu + 1) / 2),
        y = (x - mu) / sigma

    rsample is reparameterised: x = mu + sigma z / sqrt(c / nu) with z ~ N(0, 1) and
    c ~ Chi2(nu) = Gamma(nu / 2, 1/2), itself reparameterised (see Gamma).
    """

    arg_constraints = {"df": constraints.positive, "loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, df, loc=0.0, scale=1.0, validate_args=None):
        self.df, self.loc, self.scale = broadcast_all(df, loc, scale)
        self._chi2 = Chi2(self.df)  # (nu degrees of freedom; as in torch, a bad df is reported as Chi2's)
        super().__init__(self.df.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_parameters(StudentT, batch_shape, _instance, ("df", "loc", "scale", "_chi2"))

    @property
    def mean(self):
        """mu for nu > 1; undefined (nan) for nu <= 1."""
        return where(self.df <= 1, math.nan, self.loc)

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        """sigma^2 nu / (nu - 2) for nu > 2; inf for 1 < nu <= 2; undefined (nan) for nu <= 1."""
        heavy = self.df <= 2
        df = where(heavy, 3.0, self.df)  # any nu > 2, so that the unused branch has no division by 0
        finite = self.scale.pow(2) * df / (df - 2)
        return where(heavy, where(self.df > 1, math.inf, math.nan), finite)

    def rsample(self, sample_shape=()):
        z = _standard_draws("standard_normal", self._extended_shape(sample_shape), self.df.dtype)
        chi2 = self._chi2.rsample(sample_shape)
        return self.loc + self.scale * z * (chi2 / self.df).rsqrt()

    def log_prob(self, value):
        """-(nu + 1) / 2 log(1 + y^2 / nu) - log Z,
        log Z = log sigma + log(nu pi) / 2 + lgamma(nu / 2) - lgamma((nu + 1) / 2)."""
        if self._validate_args:
            self._validate_sample(value)
        y = (value - self.loc) / self.scale
        log_normalizer = (self.scale.log() + 0.5 * self.df.log() + 0.5 * math.log(math.pi)
                          + lgamma(0.5 * self.df) - lgamma(0.5 * (self.df + 1.0)))
        return -0.5 * (self.df + 1.0) * (y ** 2.0 / self.df).log1p() - log_normalizer

    def entropy(self):
        """log sigma + (nu + 1) / 2 (digamma((nu + 1) / 2) - digamma(nu / 2)) + log(nu) / 2 + log B(nu / 2, 1/2),
        B the beta function."""
        log_beta = lgamma(0.5 * self.df) + math.lgamma(0.5) - lgamma(0.5 * (self.df + 1))
        return (self.scale.log() + 0.5 * (self.df + 1) * (digamma(0.5 * (self.df + 1)) - digamma(0.5 * self.df))
                + 0.5 * self.df.log() + log_beta)
