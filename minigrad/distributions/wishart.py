"""The Wishart distribution: random positive definite matrices."""

import math
import warnings

from minigrad import _types, linalg
from minigrad._runtime import finfo
from minigrad.creation import arange, tensor
from minigrad.distributions import constraints
from minigrad.distributions.chi2 import Chi2
from minigrad.distributions.distribution import Distribution
from minigrad.distributions.exp_family import ExponentialFamily
from minigrad.distributions.multivariate_normal import _precision_to_scale_tril
from minigrad.distributions.utils import _NUMBER, _standard_draws, lazy_property, vec_to_tril_matrix
from minigrad.functions import broadcast_shapes, cholesky_inverse, digamma, mvlgamma, where

__all__ = ["Wishart"]

_LOG_2 = math.log(2)


def _mvdigamma(x, p):
    """The multivariate digamma function, d/dx log Gamma_p(x) = sum_(i < p) digamma(x - i / 2), for x > (p - 1) / 2."""
    if not (x > (p - 1) / 2).all():
        raise AssertionError("Wrong domain for multivariate digamma function.")
    return digamma(x.unsqueeze(-1) - arange(p, dtype=x.dtype) / 2).sum(-1)


class Wishart(ExponentialFamily):
    """Wishart(df, covariance_matrix | precision_matrix | scale_tril): the distribution of
    S = sum_(k <= nu) x_k x_k^T for nu = df independent x_k ~ N(0, Sigma) (for whole df; any df > p - 1
    is allowed), p x p positive definite matrices with mean nu Sigma.

        p(S) = det(S)^((nu - p - 1)/2) exp(-tr(Sigma^-1 S) / 2) / (2^(nu p / 2) det(Sigma)^(nu / 2) Gamma_p(nu / 2))

    with Gamma_p the multivariate gamma function. Give exactly one of Sigma, Sigma^-1, or its lower
    Cholesky factor L. rsample is reparameterised by Bartlett's decomposition: S = (L A)(L A)^T with
    A lower triangular, A_ii = sqrt(chi^2 of nu - i degrees of freedom) (i = 0, ..., p - 1) and
    standard normals below the diagonal.
    """

    support = constraints.positive_definite
    has_rsample = True
    _mean_carrier_measure = 0

    @property
    def arg_constraints(self):
        return {"covariance_matrix": constraints.positive_definite, "precision_matrix": constraints.positive_definite,
                "scale_tril": constraints.lower_cholesky, "df": constraints.greater_than(self.event_shape[-1] - 1)}

    def __init__(self, df, covariance_matrix=None, precision_matrix=None, scale_tril=None, validate_args=None):
        given = {"covariance_matrix": covariance_matrix, "precision_matrix": precision_matrix,
                 "scale_tril": scale_tril}
        given = {name: matrix for name, matrix in given.items() if matrix is not None}
        if len(given) != 1:  # an AssertionError, as torch raises
            raise AssertionError("Exactly one of covariance_matrix or precision_matrix or scale_tril may be specified.")
        ((name, matrix),) = given.items()
        if matrix.dim() < 2:
            raise ValueError("scale_tril must be at least two-dimensional, with optional leading batch dimensions")
        if isinstance(df, _NUMBER):
            batch_shape = tuple(matrix.shape[:-2])
            self.df = tensor(df, dtype=matrix.dtype)
        else:
            batch_shape = tuple(broadcast_shapes(matrix.shape[:-2], df.shape))
            self.df = df.expand(batch_shape)
        event_shape = tuple(matrix.shape[-2:])
        p = event_shape[-1]
        if (self.df <= p - 1).any():
            raise ValueError(f"Value of df={df} expected to be greater than ndim - 1 = {p - 1}.")
        setattr(self, name, matrix.expand(batch_shape + (-1, -1)))
        if (self.df < p).any():
            warnings.warn("Low df values detected. Singular samples are highly likely to occur for ndim - 1 < df < ndim.",
                          stacklevel=2)
        super().__init__(batch_shape, event_shape, validate_args=validate_args)
        if name == "scale_tril":
            self._unbroadcasted_scale_tril = matrix
        elif name == "covariance_matrix":
            self._unbroadcasted_scale_tril = linalg.cholesky(matrix)
        else:
            self._unbroadcasted_scale_tril = _precision_to_scale_tril(matrix)
        self._dist_chi2 = self._bartlett_chi2()

    def _bartlett_chi2(self):
        """The chi-squared distributions of the squared diagonal of Bartlett's A: nu - i degrees of
        freedom for i = 0, ..., p - 1 (a batch of p per member)."""
        p = self._event_shape[-1]
        offsets = arange(p, dtype=self._unbroadcasted_scale_tril.dtype).expand(tuple(self._batch_shape) + (p,))
        return Chi2(self.df.unsqueeze(-1) - offsets)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Wishart, _instance)
        batch_shape = _types.Size(batch_shape)
        matrix_shape = tuple(batch_shape) + tuple(self._event_shape)
        new._unbroadcasted_scale_tril = self._unbroadcasted_scale_tril.expand(matrix_shape)
        new.df = self.df.expand(batch_shape)
        for name in ("covariance_matrix", "scale_tril", "precision_matrix"):
            if name in self.__dict__:
                setattr(new, name, self.__dict__[name].expand(matrix_shape))
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        new._dist_chi2 = new._bartlett_chi2()
        return new

    def _matrix_shape(self):
        return tuple(self._batch_shape) + tuple(self._event_shape)

    @lazy_property
    def scale_tril(self):
        """L, lower triangular with a positive diagonal, Sigma = L L^T."""
        return self._unbroadcasted_scale_tril.expand(self._matrix_shape())

    @lazy_property
    def covariance_matrix(self):
        """Sigma = L L^T."""
        tril = self._unbroadcasted_scale_tril
        return (tril @ tril.mT).expand(self._matrix_shape())

    @lazy_property
    def precision_matrix(self):
        """Sigma^-1, from L."""
        return cholesky_inverse(self._unbroadcasted_scale_tril).expand(self._matrix_shape())

    def _df_as_matrix(self, df):
        """df with two axes of 1 on the right, to scale a batch of matrices. (A df given as a number
        stays 0-d, as in torch, whose view to the batch's shape then fails: this broadcasts.)"""
        return df.unsqueeze(-1).unsqueeze(-1)

    @property
    def mean(self):
        """nu Sigma."""
        return self._df_as_matrix(self.df) * self.covariance_matrix

    @property
    def mode(self):
        """(nu - p - 1) Sigma for nu > p + 1, nan otherwise."""
        factor = self.df - self._event_shape[-1] - 1
        factor = where(factor > 0, factor, float("nan"))
        return self._df_as_matrix(factor) * self.covariance_matrix

    @property
    def variance(self):
        """Var(S_ij) = nu (Sigma_ij^2 + Sigma_ii Sigma_jj)."""
        sigma = self.covariance_matrix
        diagonal = sigma.diagonal(dim1=-2, dim2=-1)
        return self._df_as_matrix(self.df) * (sigma.pow(2) + diagonal.unsqueeze(-1) * diagonal.unsqueeze(-2))

    def _bartlett_sampling(self, sample_shape):
        """(L A)(L A)^T with Bartlett's A (its diagonal at least eps, so that S stays invertible)."""
        p = self._event_shape[-1]
        diagonal = self._dist_chi2.rsample(sample_shape).sqrt()
        diagonal = diagonal.clamp(min=finfo(diagonal.dtype).eps)
        below = _standard_draws("standard_normal", tuple(sample_shape) + tuple(self._batch_shape) + (p * (p - 1) // 2,),
                                diagonal.dtype)
        factor = self._unbroadcasted_scale_tril @ (vec_to_tril_matrix(below, diag=-1) + diagonal.diag_embed())
        return factor @ factor.mT

    def rsample(self, sample_shape=(), max_try_correction=None):
        """Bartlett draws; a draw that rounding left singular (not positive definite, so that its
        log_prob would be -inf) is drawn again, up to max_try_correction (10) times, with a warning.
        (torch 2.13 tests the draws the wrong way round: it warns on every call and draws the good
        ones again.)"""
        if max_try_correction is None:
            max_try_correction = 10
        sample = self._bartlett_sampling(sample_shape)
        singular = ~self.support.check(sample)
        if singular.any():
            warnings.warn("Singular sample detected.", stacklevel=2)
            for _ in range(max_try_correction):
                sample = where(singular[..., None, None], self._bartlett_sampling(sample_shape), sample)
                singular = ~self.support.check(sample)
                if not singular.any():
                    break
        return sample

    def _log_det_scale_term(self):
        """p log(2) / 2 + log det(L), the log normaliser's share of each degree of freedom."""
        p = self._event_shape[-1]
        return p * _LOG_2 / 2 + self._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)

    def log_prob(self, value):
        """-nu (p log(2) / 2 + log det L) - log Gamma_p(nu / 2) + (nu - p - 1)/2 log det S - tr(Sigma^-1 S) / 2."""
        if self._validate_args:
            self._validate_sample(value)
        nu, p = self.df, self._event_shape[-1]
        trace = value.cholesky_solve(self._unbroadcasted_scale_tril).diagonal(dim1=-2, dim2=-1).sum(-1)
        return (-nu * self._log_det_scale_term() - mvlgamma(nu / 2, p=p)
                + (nu - p - 1) / 2 * linalg.slogdet(value).logabsdet - trace / 2)

    def entropy(self):
        """(p + 1)(p log(2) / 2 + log det L) + log Gamma_p(nu / 2) - (nu - p - 1)/2 psi_p(nu / 2) + nu p / 2."""
        nu, p = self.df, self._event_shape[-1]
        return ((p + 1) * self._log_det_scale_term() + mvlgamma(nu / 2, p=p)
                - (nu - p - 1) / 2 * _mvdigamma(nu / 2, p=p) + nu * p / 2)

    # exponential family: theta = (-Sigma^-1 / 2, (nu - p - 1) / 2), t(S) = (S, log det S), h = 1
    @property
    def _natural_params(self):
        p = self._event_shape[-1]
        return -self.precision_matrix / 2, (self.df - p - 1) / 2

    def _log_normalizer(self, x, y):
        """A = (y + (p + 1)/2)(p log 2 - log det(-2 x)) + log Gamma_p(y + (p + 1)/2)."""
        p = self._event_shape[-1]
        half_df = y + (p + 1) / 2
        return half_df * (-linalg.slogdet(-2 * x).logabsdet + _LOG_2 * p) + mvlgamma(half_df, p=p)
