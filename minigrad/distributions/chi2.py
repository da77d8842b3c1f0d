"""The chi-squared distribution."""

from minigrad.distributions import constraints
from minigrad.distributions.gamma import Gamma

__all__ = ["Chi2"]


class Chi2(Gamma):
    """Chi2(df): the sum of the squares of df independent standard normal variables, for whole
    df; defined for any df > 0 as Gamma(df / 2, 1 / 2), whose methods it inherits.

        p(x) = x^(df/2 - 1) exp(-x / 2) / (2^(df/2) Gamma(df / 2))  for x > 0
    """

    arg_constraints = {"df": constraints.positive}

    def __init__(self, df, validate_args=None):
        super().__init__(0.5 * df, 0.5, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return super().expand(batch_shape, self._get_checked_instance(Chi2, _instance))

    @property
    def df(self):
        return self.concentration * 2
