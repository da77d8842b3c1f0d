"""The Dirichlet distribution: random probability vectors."""

from minigrad.distributions import constraints
from minigrad.distributions.exp_family import ExponentialFamily
from minigrad.distributions.gamma import _standard_gamma
from minigrad.functions import digamma, lgamma, where, xlogy
from minigrad.nn.functional import one_hot

__all__ = ["Dirichlet"]


class Dirichlet(ExponentialFamily):
    """Dirichlet(concentration): probability vectors x of size k (x_i >= 0, sum x_i = 1), more
    even as the concentrations alpha grow, piled in the corners when they are below 1.

        p(x) = Gamma(sum_i alpha_i) / prod_i Gamma(alpha_i) * prod_i x_i^(alpha_i - 1)

    rsample is reparameterised through Gamma draws: x_i = z_i / sum_j z_j with z_i ~ Gamma(alpha_i, 1),
    each z_i differentiable in alpha_i (see Gamma), so
    dx/dalpha_j = (dz_j/dalpha_j) / sum(z) * (e_j - x).
    """

    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration, validate_args=None):
        if concentration.dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        super().__init__(concentration.shape[:-1], concentration.shape[-1:], validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_parameters(Dirichlet, batch_shape, _instance, ("concentration",),
                                       trailing=self._event_shape)

    def rsample(self, sample_shape=()):
        gammas = _standard_gamma(self.concentration.expand(self._extended_shape(sample_shape)))
        return gammas / gammas.sum(-1, keepdim=True)

    def log_prob(self, value):
        """sum_i (alpha_i - 1) log x_i + lgamma(sum_i alpha_i) - sum_i lgamma(alpha_i)."""
        if self._validate_args:
            self._validate_sample(value)
        return (xlogy(self.concentration - 1.0, value).sum(-1) + lgamma(self.concentration.sum(-1))
                - lgamma(self.concentration).sum(-1))

    @property
    def mean(self):
        return self.concentration / self.concentration.sum(-1, keepdim=True)

    @property
    def mode(self):
        """(alpha - 1) / sum(alpha - 1), with alpha - 1 floored at 0; where every alpha_i < 1 the
        density is highest in a corner: the one-hot vector of the largest (which, as in torch, is
        the first entry, since those rows divide 0 by 0)."""
        excess = (self.concentration - 1).clamp(min=0.0)
        mode = excess / excess.sum(-1, keepdim=True)
        corner = one_hot(mode.argmax(dim=-1), excess.shape[-1]).to(mode.dtype)
        return where((self.concentration < 1).all(dim=-1, keepdim=True), corner, mode)

    @property
    def variance(self):
        total = self.concentration.sum(-1, keepdim=True)
        return self.concentration * (total - self.concentration) / (total.pow(2) * (total + 1))

    def entropy(self):
        """sum_i lgamma(alpha_i) - lgamma(a0) - (k - a0) digamma(a0) - sum_i (alpha_i - 1) digamma(alpha_i), a0 = sum_i alpha_i."""
        k = self.concentration.shape[-1]
        total = self.concentration.sum(-1)
        return (lgamma(self.concentration).sum(-1) - lgamma(total) - (k - total) * digamma(total)
                - ((self.concentration - 1.0) * digamma(self.concentration)).sum(-1))

    # exponential family: theta = alpha, t(x) = log x
    @property
    def _natural_params(self):
        return (self.concentration,)

    def _log_normalizer(self, x):
        return x.lgamma().sum(-1) - lgamma(x.sum(-1))
