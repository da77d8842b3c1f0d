"""The multivariate normal distribution."""

import math

from minigrad import _types, linalg
from minigrad.creation import eye
from minigrad.distributions import constraints
from minigrad.distributions.distribution import Distribution
from minigrad.distributions.utils import _standard_draws, lazy_property
from minigrad.functions import broadcast_shapes, cholesky_inverse, flip, matmul

__all__ = ["MultivariateNormal"]


def _batch_mahalanobis(scale_tril, x):
    """x^T (L L^T)^-1 x = |L^-1 x|^2 for a batch of lower triangular L and vectors x (batch shapes broadcast)."""
    batch = broadcast_shapes(scale_tril.shape[:-2], x.shape[:-1])
    n = x.shape[-1]
    whitened = linalg.solve_triangular(scale_tril.expand(tuple(batch) + (n, n)),
                                       x.expand(tuple(batch) + (n,)).unsqueeze(-1), upper=False)
    return whitened.squeeze(-1).pow(2).sum(-1)


def _precision_to_scale_tril(precision):
    """The lower Cholesky factor L of the covariance P^-1, found without inverting P: flipping the
    rows and columns of P, factoring, and flipping back gives an upper factor U with P = U U^T,
    so P^-1 = U^-T U^-1 and L = U^-T, the inverse of a lower triangular matrix."""
    flipped_factor = linalg.cholesky(flip(precision, (-2, -1)))
    upper_inverse_t = flip(flipped_factor, (-2, -1)).mT  # U^T, lower triangular
    identity = eye(precision.shape[-1], dtype=precision.dtype)
    return linalg.solve_triangular(upper_inverse_t, identity, upper=False)


class MultivariateNormal(Distribution):
    """MultivariateNormal(loc, covariance_matrix | precision_matrix | scale_tril): the normal
    distribution of vectors of size n with mean loc (mu) and covariance Sigma = L L^T.

        p(x) = exp(-(x - mu)^T Sigma^-1 (x - mu) / 2) / sqrt((2 pi)^n det Sigma)

    Give exactly one of the covariance Sigma, the precision Sigma^-1, or the lower Cholesky
    factor L. rsample is reparameterised: x = mu + L eps with eps ~ N(0, I) of size n, so
    dx/dmu = I and dx/dL = eps^T for each row.
    """

    arg_constraints = {"loc": constraints.real_vector, "covariance_matrix": constraints.positive_definite,
                       "precision_matrix": constraints.positive_definite, "scale_tril": constraints.lower_cholesky}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc, covariance_matrix=None, precision_matrix=None, scale_tril=None, validate_args=None):
        if loc.dim() < 1:
            raise ValueError("loc must be at least one-dimensional.")
        given = {"covariance_matrix": covariance_matrix, "precision_matrix": precision_matrix,
                 "scale_tril": scale_tril}
        given = {name: matrix for name, matrix in given.items() if matrix is not None}
        if len(given) != 1:
            raise ValueError("Exactly one of covariance_matrix or precision_matrix or scale_tril may be specified.")
        ((name, matrix),) = given.items()
        if matrix.dim() < 2:
            what = "scale_tril matrix" if name == "scale_tril" else name
            raise ValueError(f"{what} must be at least two-dimensional, with optional leading batch dimensions")
        batch_shape = tuple(broadcast_shapes(matrix.shape[:-2], loc.shape[:-1]))
        setattr(self, name, matrix.expand(batch_shape + (-1, -1)))
        self.loc = loc.expand(batch_shape + (-1,))
        super().__init__(batch_shape, self.loc.shape[-1:], validate_args=validate_args)
        if name == "scale_tril":
            self._unbroadcasted_scale_tril = matrix
        elif name == "covariance_matrix":
            self._unbroadcasted_scale_tril = linalg.cholesky(matrix)
        else:
            self._unbroadcasted_scale_tril = _precision_to_scale_tril(matrix)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(MultivariateNormal, _instance)
        batch_shape = _types.Size(batch_shape)
        n = self._event_shape[0]
        new.loc = self.loc.expand(tuple(batch_shape) + (n,))
        new._unbroadcasted_scale_tril = self._unbroadcasted_scale_tril
        for name in ("covariance_matrix", "scale_tril", "precision_matrix"):
            if name in self.__dict__:
                setattr(new, name, self.__dict__[name].expand(tuple(batch_shape) + (n, n)))
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def _matrix_shape(self):
        return tuple(self._batch_shape) + tuple(self._event_shape) * 2

    @lazy_property
    def scale_tril(self):
        """L, lower triangular with a positive diagonal, Sigma = L L^T."""
        return self._unbroadcasted_scale_tril.expand(self._matrix_shape())

    @lazy_property
    def covariance_matrix(self):
        """Sigma = L L^T."""
        tril = self._unbroadcasted_scale_tril
        return matmul(tril, tril.mT).expand(self._matrix_shape())

    @lazy_property
    def precision_matrix(self):
        """Sigma^-1, from L."""
        return cholesky_inverse(self._unbroadcasted_scale_tril).expand(self._matrix_shape())

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        """The diagonal of Sigma: the squared norms of the rows of L."""
        return self._unbroadcasted_scale_tril.pow(2).sum(-1).expand(tuple(self._batch_shape) + tuple(self._event_shape))

    def rsample(self, sample_shape=()):
        eps = _standard_draws("standard_normal", self._extended_shape(sample_shape), self.loc.dtype)
        return self.loc + matmul(self._unbroadcasted_scale_tril, eps.unsqueeze(-1)).squeeze(-1)

    def _half_log_det(self):
        """log sqrt(det Sigma) = sum of the logs of L's diagonal."""
        return self._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        distance = _batch_mahalanobis(self._unbroadcasted_scale_tril, value - self.loc)
        return -0.5 * (self._event_shape[0] * math.log(2 * math.pi) + distance) - self._half_log_det()

    def entropy(self):
        """n (1 + log(2 pi)) / 2 + log sqrt(det Sigma)."""
        entropy = 0.5 * self._event_shape[0] * (1.0 + math.log(2 * math.pi)) + self._half_log_det()
        return entropy.expand(self._batch_shape) if len(self._batch_shape) else entropy
