"""The LKJ distribution of Cholesky factors of correlation matrices."""

import math

from minigrad import _types
from minigrad._runtime import finfo
from minigrad.autograd.grad_mode import no_grad
from minigrad.creation import arange
from minigrad.distributions import constraints
from minigrad.distributions.beta import Beta
from minigrad.distributions.distribution import Distribution
from minigrad.distributions.utils import _standard_draws, broadcast_all
from minigrad.functions import cat, lgamma, mvlgamma

__all__ = ["LKJCholesky"]


class LKJCholesky(Distribution):
    """LKJCholesky(dim, concentration): Cholesky factors L of dim x dim correlation matrices
    M = L L^T, with a density proportional to det(M)^(eta - 1) (Lewandowski, Kurowicka and Joe,
    2009): eta = 1 is uniform over correlation matrices, eta > 1 favours ones near the identity,
    eta < 1 strong correlations. In terms of L (det M = prod L_ii^2, and the map from L to M has
    Jacobian prod L_ii^(dim - i) for rows i = 1, ..., dim - 1, counted from 0),

        p(L) proportional to prod_(i >= 1) L_ii^(2 (eta - 1) + dim - 1 - i)

    Draws come from the onion method (Section 3.2 of the paper): row i is a direction uniform on
    the sphere of the first i coordinates, of squared length y_i ~ Beta(i / 2, eta + (dim - 1 - i) / 2)
    (y_0 = 0), with L_ii = sqrt(1 - y_i) to give the row unit length. (torch 2.13 draws y_i from
    Beta(i - 1/2, ...), the same for i = 1 only: its draws for dim >= 3 do not follow its log_prob,
    their later rows' correlations too large.) No rsample.
    """

    arg_constraints = {"concentration": constraints.positive}
    support = constraints.corr_cholesky

    def __init__(self, dim, concentration=1.0, validate_args=None):
        if dim < 2:
            raise ValueError(f"Expected dim to be an integer greater than or equal to 2. Found dim={dim}.")
        self.dim = dim
        (self.concentration,) = broadcast_all(concentration)
        # the Beta of each row's squared length off the diagonal: (i/2, eta + (dim - 1 - i)/2) for rows
        # i = 1, ..., dim - 1, and for row 0 (whose draw is not used) the same as row 1's
        offset = arange(dim - 1, dtype=self.concentration.dtype)
        offset = cat([offset.new_zeros((1,)), offset])  # 0, 0, 1, ..., dim - 2: i - 1 for rows i >= 1
        marginal = self.concentration + 0.5 * (dim - 2)
        self._beta = Beta(0.5 * (offset + 1), marginal.unsqueeze(-1) - 0.5 * offset)
        super().__init__(self.concentration.size(), (dim, dim), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._expand_parameters(LKJCholesky, batch_shape, _instance, ("concentration",))
        new.dim = self.dim
        new._beta = self._beta.expand(tuple(_types.Size(batch_shape)) + (self.dim,))
        return new

    def sample(self, sample_shape=()):
        """The onion method, every row at once: a direction from normals below the diagonal,
        scaled to length sqrt(y_i), and the diagonal that completes each row to unit length
        (at least the dtype's tiny, so that its log stays finite)."""
        with no_grad():
            y = self._beta.sample(sample_shape).unsqueeze(-1)
            normals = _standard_draws("standard_normal", self._extended_shape(sample_shape), y.dtype).tril(-1)
            lengths = normals.norm(dim=-1, keepdim=True)
            directions = normals / lengths.masked_fill(lengths == 0, 1.0)  # row 0 has no entry below the diagonal
            w = y.sqrt() * directions
            diagonal = (1 - (w ** 2).sum(-1)).clamp(min=finfo(w.dtype).tiny).sqrt()
            return w + diagonal.diag_embed()

    def log_prob(self, value):
        """sum_(i >= 1) (2 (eta - 1) + dim - 1 - i) log L_ii minus the log normaliser
        (dim - 1) log(pi) / 2 + log Gamma_(dim - 1)(alpha - 1/2) - (dim - 1) lgamma(alpha),
        alpha = eta + (dim - 1)/2 (Lewandowski et al., page 1999)."""
        if self._validate_args:
            self._validate_sample(value)
        diagonal = value.diagonal(dim1=-1, dim2=-2)[..., 1:]
        order = 2 * (self.concentration - 1).unsqueeze(-1) + self.dim - arange(2, self.dim + 1)
        unnormalized = (order * diagonal.log()).sum(-1)
        dm1 = self.dim - 1
        alpha = self.concentration + 0.5 * dm1
        normalizer = 0.5 * dm1 * math.log(math.pi) + mvlgamma(alpha - 0.5, dm1) - lgamma(alpha) * dm1
        return unnormalized - normalizer
