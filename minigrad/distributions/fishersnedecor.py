"""The Fisher-Snedecor (F) distribution."""

from minigrad import _types
from minigrad._runtime import finfo
from minigrad.creation import as_tensor
from minigrad.distributions import constraints
from minigrad.distributions.distribution import Distribution
from minigrad.distributions.gamma import Gamma
from minigrad.distributions.utils import _NUMBER, broadcast_all
from minigrad.functions import lgamma, where

__all__ = ["FisherSnedecor"]


class FisherSnedecor(Distribution):
    """FisherSnedecor(df1, df2): the ratio (X1 / df1) / (X2 / df2) of two independent chi-squared
    variables of df1 and df2 degrees of freedom (the statistic of an analysis of variance).

        p(x) = B(d1/2, d2/2)^-1 (d1/d2)^(d1/2) x^(d1/2 - 1) (1 + d1 x / d2)^(-(d1 + d2)/2)  for x > 0

    rsample is reparameterised: X1 / (2 df1) ~ Gamma(df1 / 2, rate df1), and the ratio of two such
    draws (the factors 2 cancel) carries their gradients. A df that is not positive is reported by
    the first of these gammas, as in torch.
    """

    arg_constraints = {"df1": constraints.positive, "df2": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, df1, df2, validate_args=None):
        self.df1, self.df2 = broadcast_all(df1, df2)
        self._gamma1 = Gamma(self.df1 * 0.5, self.df1)
        self._gamma2 = Gamma(self.df2 * 0.5, self.df2)
        numbers_only = isinstance(df1, _NUMBER) and isinstance(df2, _NUMBER)
        super().__init__(() if numbers_only else self.df1.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._expand_parameters(FisherSnedecor, batch_shape, _instance, ("df1", "df2"))
        new._gamma1 = self._gamma1.expand(_types.Size(batch_shape))
        new._gamma2 = self._gamma2.expand(_types.Size(batch_shape))
        return new

    @property
    def mean(self):
        """d2 / (d2 - 2) for d2 > 2, nan otherwise (as torch)."""
        df2 = where(self.df2 > 2, self.df2, float("nan"))
        return df2 / (df2 - 2)

    @property
    def mode(self):
        """(d1 - 2) / d1 * d2 / (d2 + 2) for d1 > 2, nan otherwise."""
        mode = (self.df1 - 2) / self.df1 * self.df2 / (self.df2 + 2)
        return where(self.df1 > 2, mode, float("nan"))

    @property
    def variance(self):
        """2 d2^2 (d1 + d2 - 2) / (d1 (d2 - 2)^2 (d2 - 4)) for d2 > 4, nan otherwise."""
        df2 = where(self.df2 > 4, self.df2, float("nan"))
        return 2 * df2.pow(2) * (self.df1 + df2 - 2) / (self.df1 * (df2 - 2).pow(2) * (df2 - 4))

    def rsample(self, sample_shape=()):
        """X1 / X2, the denominator and the ratio kept at least the dtype's smallest normal number."""
        shape = self._extended_shape(sample_shape)
        x1 = self._gamma1.rsample(sample_shape).view(shape)
        x2 = self._gamma2.rsample(sample_shape).view(shape)
        tiny = finfo(x2.dtype).tiny
        return (x1 / x2.clamp(min=tiny)).clamp(min=tiny)

    def log_prob(self, value):
        """lgamma((d1 + d2)/2) - lgamma(d1/2) - lgamma(d2/2) + (d1/2) log(d1/d2) + (d1/2 - 1) log x
        - ((d1 + d2)/2) log(1 + d1 x / d2)."""
        value = as_tensor(value, dtype=self.df1.dtype)
        if self._validate_args:
            self._validate_sample(value)
        half1, half2, ratio = self.df1 * 0.5, self.df2 * 0.5, self.df1 / self.df2
        normalizer = lgamma(half1 + half2) - lgamma(half1) - lgamma(half2)
        return normalizer + half1 * ratio.log() + (half1 - 1) * value.log() - (half1 + half2) * (ratio * value).log1p()
