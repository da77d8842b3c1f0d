"""Kullback-Leibler divergence between two distributions, dispatched on the pair of their types.

    KL(p || q) = E_p[log p(X) - log q(X)]

`register_kl(P, Q)` registers a function for p of type P (or a subclass) and q of type Q (or a
subclass); `kl_divergence(p, q)` calls the most specific registered function for the pair.
"""

import math
import warnings

from minigrad.distributions.bernoulli import Bernoulli
from minigrad.distributions.beta import Beta
from minigrad.distributions.binomial import Binomial
from minigrad.distributions.categorical import Categorical
from minigrad.distributions.dirichlet import Dirichlet
from minigrad.distributions.distribution import Distribution
from minigrad.distributions.exp_family import ExponentialFamily
from minigrad.distributions.exponential import Exponential
from minigrad.distributions.gamma import Gamma
from minigrad.distributions.geometric import Geometric
from minigrad.distributions.independent import Independent
from minigrad.distributions.laplace import Laplace
from minigrad.distributions.multivariate_normal import MultivariateNormal, _batch_mahalanobis
from minigrad.distributions.normal import Normal
from minigrad.distributions.one_hot_categorical import OneHotCategorical
from minigrad.distributions.poisson import Poisson
from minigrad.distributions.transformed_distribution import TransformedDistribution
from minigrad.distributions.uniform import Uniform
from minigrad.distributions.cauchy import Cauchy
from minigrad.distributions.continuous_bernoulli import ContinuousBernoulli
from minigrad.distributions.gumbel import Gumbel
from minigrad.distributions.half_normal import HalfNormal
from minigrad.distributions.lowrank_multivariate_normal import (LowRankMultivariateNormal, _batch_lowrank_logdet,
                                                                _batch_lowrank_mahalanobis)
from minigrad.distributions.pareto import Pareto
from minigrad.distributions.utils import euler_constant
from minigrad.creation import full_like
from minigrad.functions import erf, xlogy
from minigrad import linalg
from minigrad.autograd.gradients import grad
from minigrad.distributions.utils import _sum_rightmost
from minigrad.functions import broadcast_shapes, digamma, exp, lgamma, where
from minigrad.functions import diag_embed, matmul
from minigrad.nn.functional import softplus

__all__ = ["kl_divergence", "register_kl"]

_KL_REGISTRY = {}  # {(type of p, type of q): function}, as registered
_KL_MEMOIZE = {}  # {(type of p, type of q): the function dispatch chose}, reset on each registration


def register_kl(type_p, type_q):
    """A decorator registering fn(p, q) as KL(p || q) for p of type_p and q of type_q.

        @register_kl(Normal, Normal)
        def kl_normal_normal(p, q): ...
    """
    for name, given in (("type_p", type_p), ("type_q", type_q)):
        if not (isinstance(given, type) and issubclass(given, Distribution)):
            raise TypeError(f"Expected {name} to be a Distribution subclass but got {given}")

    def decorator(fn):
        _KL_REGISTRY[type_p, type_q] = fn
        _KL_MEMOIZE.clear()  # a new pair may be a closer match for pairs already looked up
        return fn

    return decorator


def _dispatch_kl(type_p, type_q):
    """The registered function closest to (type_p, type_q), or NotImplemented.

    Closeness is measured by how far up each type's class hierarchy the registered type sits.
    Ranking by p's distance first and by q's distance first must pick the same function; if not,
    the pair is ambiguous: warn, and use the one ranked by p first.
    """
    matches = [(p, q) for p, q in _KL_REGISTRY if issubclass(type_p, p) and issubclass(type_q, q)]
    if not matches:
        return NotImplemented

    def distances(pair):
        return type_p.__mro__.index(pair[0]), type_q.__mro__.index(pair[1])

    by_p = min(matches, key=distances)
    by_q = min(matches, key=lambda pair: distances(pair)[::-1])
    if _KL_REGISTRY[by_p] is not _KL_REGISTRY[by_q]:
        warnings.warn(f"Ambiguous kl_divergence({type_p.__name__}, {type_q.__name__}). "
                      f"Please register_kl({by_p[0].__name__}, {by_q[1].__name__})", RuntimeWarning, stacklevel=3)
    return _KL_REGISTRY[by_p]


def kl_divergence(p, q):
    """KL(p || q), one value per member of the batch; NotImplementedError for an unregistered pair."""
    key = type(p), type(q)
    if key not in _KL_MEMOIZE:
        _KL_MEMOIZE[key] = _dispatch_kl(*key)
    fn = _KL_MEMOIZE[key]
    if fn is NotImplemented:
        raise NotImplementedError(f"No KL(p || q) is implemented for p type {type(p).__name__} "
                                  f"and q type {type(q).__name__}")
    return fn(p, q)


@register_kl(Normal, Normal)
def _kl_normal_normal(p, q):
    """(r - 1 - log r + (mu_p - mu_q)^2 / sigma_q^2) / 2, with r = sigma_p^2 / sigma_q^2."""
    var_ratio = (p.scale / q.scale).pow(2)
    shift = ((p.loc - q.loc) / q.scale).pow(2)
    return 0.5 * (var_ratio + shift - 1 - var_ratio.log())


@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(p, q):
    """p log(p / q) + (1 - p) log((1 - p) / (1 - q)), from the logits (log p = -softplus(-logits)).

    A term whose weight (p or 1 - p) is 0 is 0; otherwise a term where q gives probability 0 is inf.
    """
    ones = p.probs * (softplus(-q.logits) - softplus(-p.logits))
    ones = where(p.probs == 0, 0.0, where(q.probs == 0, math.inf, ones))
    zeros = (1 - p.probs) * (softplus(q.logits) - softplus(p.logits))
    zeros = where(p.probs == 1, 0.0, where(q.probs == 1, math.inf, zeros))
    return ones + zeros


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(p, q):
    """sum_i p_i (log p_i - log q_i); a category with p_i = 0 adds 0, one with q_i = 0 < p_i adds inf."""
    terms = p.probs * (p.logits - q.logits)
    terms = where((q.probs == 0).expand_as(terms), math.inf, terms)
    terms = where((p.probs == 0).expand_as(terms), 0.0, terms)
    return terms.sum(-1)


@register_kl(Poisson, Poisson)
def _kl_poisson_poisson(p, q):
    """lambda_p log(lambda_p / lambda_q) - (lambda_p - lambda_q)."""
    return p.rate * (p.rate.log() - q.rate.log()) - (p.rate - q.rate)


@register_kl(TransformedDistribution, TransformedDistribution)
def _kl_transformed_transformed(p, q):
    """KL is unchanged by a common invertible transform: the base distributions' KL, when p and q
    use equal transforms and have the same event shape (NotImplementedError otherwise)."""
    if p.transforms != q.transforms or p.event_shape != q.event_shape:
        raise NotImplementedError
    return kl_divergence(p.base_dist, q.base_dist)


@register_kl(Uniform, Uniform)
def _kl_uniform_uniform(p, q):
    """log((b_q - a_q) / (b_p - a_p)) when [a_p, b_p] lies inside [a_q, b_q], inf otherwise."""
    result = ((q.high - q.low) / (p.high - p.low)).log()
    return where((q.low > p.low) | (q.high < p.high), math.inf, result)


@register_kl(Exponential, Exponential)
def _kl_exponential_exponential(p, q):
    """r - 1 - log r, with r = lambda_q / lambda_p."""
    rate_ratio = q.rate / p.rate
    return rate_ratio - 1 - rate_ratio.log()


@register_kl(Beta, Beta)
def _kl_beta_beta(p, q):
    """log B(a_q, b_q) - log B(a_p, b_p) + (a_p - a_q) digamma(a_p) + (b_p - b_q) digamma(b_p)
    + (a_q - a_p + b_q - b_p) digamma(a_p + b_p), B the beta function."""
    total_p = p.concentration1 + p.concentration0
    total_q = q.concentration1 + q.concentration0
    log_beta_q = lgamma(q.concentration1) + lgamma(q.concentration0) - lgamma(total_q)
    log_beta_p = lgamma(p.concentration1) + lgamma(p.concentration0) - lgamma(total_p)
    return (log_beta_q - log_beta_p + (p.concentration1 - q.concentration1) * digamma(p.concentration1)
            + (p.concentration0 - q.concentration0) * digamma(p.concentration0)
            + (total_q - total_p) * digamma(total_p))


@register_kl(Binomial, Binomial)
def _kl_binomial_binomial(p, q):
    """n (p log(p / q) + (1 - p) log((1 - p) / (1 - q))) for equal n; inf where p's n exceeds q's
    (p gives probability to counts q cannot reach). Not implemented where q's n exceeds p's."""
    if (p.total_count < q.total_count).any():
        raise NotImplementedError("KL between Binomials where q.total_count > p.total_count is not implemented")
    kl = p.total_count * (p.probs * (p.logits - q.logits) + (-p.probs).log1p() - (-q.probs).log1p())
    return where(p.total_count > q.total_count, math.inf, kl)


@register_kl(Dirichlet, Dirichlet)
def _kl_dirichlet_dirichlet(p, q):
    """lgamma(sum a_p) - lgamma(sum a_q) - sum (lgamma(a_p) - lgamma(a_q))
    + sum (a_p - a_q)(digamma(a_p) - digamma(sum a_p))."""
    total_p, total_q = p.concentration.sum(-1), q.concentration.sum(-1)
    expected_log_x = digamma(p.concentration) - digamma(total_p).unsqueeze(-1)
    return (lgamma(total_p) - lgamma(total_q) - (lgamma(p.concentration) - lgamma(q.concentration)).sum(-1)
            + ((p.concentration - q.concentration) * expected_log_x).sum(-1))


@register_kl(ExponentialFamily, ExponentialFamily)
def _kl_expfamily_expfamily(p, q):
    """The Bregman divergence of the log normaliser A, for two members of one exponential family:
    A(theta_q) - A(theta_p) - <theta_q - theta_p, dA/dtheta at theta_p>."""
    if type(p) is not type(q):
        raise NotImplementedError("The cross KL-divergence between different exponential families cannot be "
                                  "computed using Bregman divergences")
    p_natural = [theta.detach().requires_grad_() for theta in p._natural_params]
    q_natural = q._natural_params
    p_log_normalizer = p._log_normalizer(*p_natural)
    gradients = grad(p_log_normalizer.sum(), p_natural, create_graph=True)
    result = q._log_normalizer(*q_natural) - p_log_normalizer
    for p_theta, q_theta, gradient in zip(p_natural, q_natural, gradients):
        result = result - _sum_rightmost((q_theta - p_theta) * gradient, len(q.event_shape))
    return result


@register_kl(Gamma, Gamma)
def _kl_gamma_gamma(p, q):
    """alpha_q log(beta_p / beta_q) + lgamma(alpha_q) - lgamma(alpha_p) + (alpha_p - alpha_q) digamma(alpha_p)
    + (beta_q - beta_p) alpha_p / beta_p."""
    return (q.concentration * (p.rate / q.rate).log() + lgamma(q.concentration) - lgamma(p.concentration)
            + (p.concentration - q.concentration) * digamma(p.concentration)
            + (q.rate - p.rate) * (p.concentration / p.rate))


@register_kl(Geometric, Geometric)
def _kl_geometric_geometric(p, q):
    """-H(p) - E_p[log q(X)], with E_p[X] = 1/p_p - 1: -H(p) - log(1 - q) / p_p - logit(q)."""
    return -p.entropy() - (-q.probs).log1p() / p.probs - q.logits


@register_kl(Laplace, Laplace)
def _kl_laplace_laplace(p, q):
    """-log r + |mu_p - mu_q| / b_q + r exp(-|mu_p - mu_q| / b_p) - 1, with r = b_p / b_q."""
    scale_ratio = p.scale / q.scale
    distance = (p.loc - q.loc).abs()
    return -scale_ratio.log() + distance / q.scale + scale_ratio * exp(-distance / p.scale) - 1


@register_kl(OneHotCategorical, OneHotCategorical)
def _kl_onehotcategorical_onehotcategorical(p, q):
    """The KL of the underlying categoricals."""
    return _kl_categorical_categorical(p._categorical, q._categorical)


@register_kl(MultivariateNormal, MultivariateNormal)
def _kl_multivariatenormal_multivariatenormal(p, q):
    """(tr(Sigma_q^-1 Sigma_p) + (mu_q - mu_p)^T Sigma_q^-1 (mu_q - mu_p) - n + log(det Sigma_q / det Sigma_p)) / 2.

    With Sigma = L L^T: tr(Sigma_q^-1 Sigma_p) is the sum of the squares of L_q^-1 L_p, and the log
    determinants are twice the sums of the logs of the diagonals.
    """
    if p.event_shape != q.event_shape:
        raise ValueError("KL-divergence between two Multivariate Normals with different event shapes cannot be "
                         "computed")
    p_tril, q_tril = p._unbroadcasted_scale_tril, q._unbroadcasted_scale_tril
    half_log_det_ratio = q._half_log_det() - p._half_log_det()
    n = p.event_shape[0]
    batch = tuple(broadcast_shapes(q_tril.shape[:-2], p_tril.shape[:-2]))
    ratio = linalg.solve_triangular(q_tril.expand(batch + (n, n)), p_tril.expand(batch + (n, n)), upper=False)
    trace = ratio.pow(2).sum((-2, -1))
    distance = _batch_mahalanobis(q_tril, q.loc - p.loc)
    return half_log_det_ratio + 0.5 * (trace + distance - n)


@register_kl(Independent, Independent)
def _kl_independent_independent(p, q):
    """The base distributions' KL summed over the reinterpreted axes (which must be as many in both)."""
    if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
        raise NotImplementedError("KL of Independent distributions is implemented only for equal "
                                  "reinterpreted_batch_ndims")
    return _sum_rightmost(kl_divergence(p.base_dist, q.base_dist), p.reinterpreted_batch_ndims)


# ------------------------------------------------------------------ pairs of the families added later, and
# cross-family pairs. Where q gives density 0 to a set p gives mass to, KL(p || q) is infinite.

def _infinite_like(tensor):
    """inf everywhere, shaped as tensor: for pairs where q's support misses part of p's."""
    return full_like(tensor, math.inf)


def _x_log_x(x):
    """x log x, 0 at x = 0."""
    return xlogy(x, x)


def _trace_of_x_xt(x):
    """tr(X X^T): the sum of the squares of X's elements, over its last two axes."""
    return x.pow(2).sum((-2, -1))


@register_kl(Cauchy, Cauchy)
def _kl_cauchy_cauchy(p, q):
    """log(((g_p + g_q)^2 + (x_p - x_q)^2) / (4 g_p g_q)), g the scales and x the locations."""
    return ((p.scale + q.scale).pow(2) + (p.loc - q.loc).pow(2)).log() - (4 * p.scale * q.scale).log()


@register_kl(ContinuousBernoulli, ContinuousBernoulli)
def _kl_continuous_bernoulli_continuous_bernoulli(p, q):
    """E_p[x] (logits_p - logits_q) + log C_p + log(1 - lambda_p) - log C_q - log(1 - lambda_q)."""
    return (p.mean * (p.logits - q.logits) + p._cont_bern_log_norm() + (-p.probs).log1p()
            - q._cont_bern_log_norm() - (-q.probs).log1p())


@register_kl(Gumbel, Gumbel)
def _kl_gumbel_gumbel(p, q):
    """With r = b_p / b_q: -log r + (mu_p - mu_q) / b_q + gamma_e r
    + exp((mu_q - mu_p) / b_q) Gamma(1 + r) - 1 - gamma_e (gamma_e the Euler constant)."""
    ratio = p.scale / q.scale
    shift = (p.loc - q.loc) / q.scale
    return (-ratio.log() + shift + euler_constant * ratio + (lgamma(1 + ratio) - shift).exp()
            - (1 + euler_constant))


@register_kl(HalfNormal, HalfNormal)
def _kl_halfnormal_halfnormal(p, q):
    """The KL of the two normals folded (both centred at 0, so folding changes nothing)."""
    return _kl_normal_normal(p.base_dist, q.base_dist)


@register_kl(Pareto, Pareto)
def _kl_pareto_pareto(p, q):
    """alpha_q log(m_p / m_q) - log(alpha_q / alpha_p) + alpha_q / alpha_p - 1, with m the scales;
    inf where m_p < m_q (p gives mass below q's minimum)."""
    alpha_ratio = q.alpha / p.alpha
    result = q.alpha * (p.scale / q.scale).log() - alpha_ratio.log() + alpha_ratio - 1
    return where(p.support.lower_bound < q.support.lower_bound, math.inf, result)


@register_kl(LowRankMultivariateNormal, LowRankMultivariateNormal)
def _kl_lowrankmultivariatenormal_lowrankmultivariatenormal(p, q):
    """(log det Sigma_q - log det Sigma_p + tr(Sigma_q^-1 Sigma_p) + |mu_q - mu_p|^2_(Sigma_q^-1) - n) / 2,
    with Sigma_q^-1 = D_q^-1 - A^T A by the Woodbury identity (A = L_C^-1 W_q^T D_q^-1), so that
    tr(Sigma_q^-1 Sigma_p) = tr(D_q^-1 D_p) + tr(D_q^-1 W_p W_p^T) - tr(A D_p A^T) - tr(A W_p W_p^T A^T)."""
    if p.event_shape != q.event_shape:
        raise ValueError("KL-divergence between two Low Rank Multivariate Normals with different event shapes "
                         "cannot be computed")
    log_det_ratio = (_batch_lowrank_logdet(q._unbroadcasted_cov_diag, q._capacitance_tril)
                     - _batch_lowrank_logdet(p._unbroadcasted_cov_diag, p._capacitance_tril))
    distance = _batch_lowrank_mahalanobis(q._unbroadcasted_cov_factor, q._unbroadcasted_cov_diag, q.loc - p.loc,
                                          q._capacitance_tril)
    A = _woodbury_factor(q)
    trace = ((p._unbroadcasted_cov_diag / q._unbroadcasted_cov_diag).sum(-1)
             + _trace_of_x_xt(p._unbroadcasted_cov_factor * q._unbroadcasted_cov_diag.rsqrt().unsqueeze(-1))
             - _trace_of_x_xt(A * p._unbroadcasted_cov_diag.sqrt().unsqueeze(-2))
             - _trace_of_x_xt(matmul(A, p._unbroadcasted_cov_factor)))
    return 0.5 * (log_det_ratio + trace + distance - p.event_shape[0])


def _woodbury_factor(q):
    """A = L_C^-1 W^T D^-1 for a LowRankMultivariateNormal q: its precision is D^-1 - A^T A."""
    Wt_Dinv = q._unbroadcasted_cov_factor.mT / q._unbroadcasted_cov_diag.unsqueeze(-2)
    return linalg.solve_triangular(q._capacitance_tril, Wt_Dinv, upper=False)


@register_kl(LowRankMultivariateNormal, MultivariateNormal)
def _kl_lowrankmultivariatenormal_multivariatenormal(p, q):
    """As for two MultivariateNormals, with tr(Sigma_q^-1 Sigma_p) = |L_q^-1 W_p|^2 + |L_q^-1 D_p^(1/2)|^2
    and p's log determinant from its capacitance matrix."""
    if p.event_shape != q.event_shape:
        raise ValueError("KL-divergence between two (Low Rank) Multivariate Normals with different event shapes "
                         "cannot be computed")
    log_det_ratio = 2 * q._half_log_det() - _batch_lowrank_logdet(p._unbroadcasted_cov_diag, p._capacitance_tril)
    distance = _batch_mahalanobis(q._unbroadcasted_scale_tril, q.loc - p.loc)
    n = p.event_shape[0]
    batch = tuple(broadcast_shapes(q._unbroadcasted_scale_tril.shape[:-2], p._unbroadcasted_cov_factor.shape[:-2]))
    q_scale_tril = q._unbroadcasted_scale_tril.expand(batch + (n, n))
    p_cov_factor = p._unbroadcasted_cov_factor.expand(batch + (n, p.cov_factor.shape[-1]))
    p_sqrt_diag = diag_embed(p._unbroadcasted_cov_diag.sqrt()).expand(batch + (n, n))
    trace = (_trace_of_x_xt(linalg.solve_triangular(q_scale_tril, p_cov_factor, upper=False))
             + _trace_of_x_xt(linalg.solve_triangular(q_scale_tril, p_sqrt_diag, upper=False)))
    return 0.5 * (log_det_ratio + trace + distance - n)


@register_kl(MultivariateNormal, LowRankMultivariateNormal)
def _kl_multivariatenormal_lowrankmultivariatenormal(p, q):
    """As for two MultivariateNormals, with tr(Sigma_q^-1 Sigma_p) = |D_q^(-1/2) L_p|^2 - |A L_p|^2
    (Woodbury) and q's log determinant from its capacitance matrix."""
    if p.event_shape != q.event_shape:
        raise ValueError("KL-divergence between two (Low Rank) Multivariate Normals with different event shapes "
                         "cannot be computed")
    log_det_ratio = _batch_lowrank_logdet(q._unbroadcasted_cov_diag, q._capacitance_tril) - 2 * p._half_log_det()
    distance = _batch_lowrank_mahalanobis(q._unbroadcasted_cov_factor, q._unbroadcasted_cov_diag, q.loc - p.loc,
                                          q._capacitance_tril)
    A = _woodbury_factor(q)
    trace = (_trace_of_x_xt(p._unbroadcasted_scale_tril * q._unbroadcasted_cov_diag.rsqrt().unsqueeze(-1))
             - _trace_of_x_xt(matmul(A, p._unbroadcasted_scale_tril)))
    return 0.5 * (log_det_ratio + trace + distance - p.event_shape[0])


# ------------------------------------------------------------------ across families: -H(p) - E_p[log q(X)]
@register_kl(Bernoulli, Poisson)
def _kl_bernoulli_poisson(p, q):
    """-H(p) - E_p[X log lambda - lambda] (log 0! = log 1! = 0)."""
    return -p.entropy() - (p.probs * q.rate.log() - q.rate)


@register_kl(Beta, ContinuousBernoulli)
@register_kl(Uniform, ContinuousBernoulli)
def _kl_to_continuous_bernoulli(p, q):
    """-H(p) - E_p[X] logits_q - log(1 - lambda_q) - log C_q; for a Uniform p, inf unless it lies
    strictly inside (0, 1)."""
    result = -p.entropy() - p.mean * q.logits - (-q.probs).log1p() - q._cont_bern_log_norm()
    if isinstance(p, Uniform):
        return where((p.high >= q.support.upper_bound) | (p.low <= q.support.lower_bound), math.inf, result)
    return result


@register_kl(Beta, Exponential)
def _kl_beta_exponential(p, q):
    """-H(p) - log lambda + lambda E_p[X]."""
    return -p.entropy() - q.rate.log() + q.rate * (p.concentration1 / (p.concentration1 + p.concentration0))


@register_kl(Beta, Gamma)
def _kl_beta_gamma(p, q):
    """-H(p) + lgamma(a_q) - a_q log b_q - (a_q - 1) E_p[log X] + b_q E_p[X],
    E_p[log X] = digamma(a_p) - digamma(a_p + b_p) for p = Beta(a_p, b_p)."""
    total = p.concentration1 + p.concentration0
    expected_log = p.concentration1.digamma() - total.digamma()
    return (-p.entropy() + q.concentration.lgamma() - q.concentration * q.rate.log()
            - (q.concentration - 1) * expected_log + q.rate * p.concentration1 / total)


@register_kl(Beta, Normal)
def _kl_beta_normal(p, q):
    """-H(p) + log(2 pi sigma^2) / 2 + E_p[(X - mu)^2] / (2 sigma^2), E_p[X^2] = Var + E^2."""
    total = p.concentration1 + p.concentration0
    mean = p.concentration1 / total
    variance = q.scale.pow(2)
    second_moment = mean * (1 - mean) / (total + 1) + mean.pow(2)
    return (-p.entropy() + 0.5 * (variance * 2 * math.pi).log()
            + (0.5 * second_moment - q.loc * mean + 0.5 * q.loc.pow(2)) / variance)


@register_kl(Beta, Uniform)
def _kl_beta_uniform(p, q):
    """-H(p) + log(b - a), or inf unless [a, b] covers [0, 1]."""
    result = -p.entropy() + (q.high - q.low).log()
    return where((q.low > p.support.lower_bound) | (q.high < p.support.upper_bound), math.inf, result)


@register_kl(ContinuousBernoulli, Exponential)
def _kl_continuous_bernoulli_exponential(p, q):
    """-H(p) - log lambda + lambda E_p[X]."""
    return -p.entropy() - q.rate.log() + q.rate * p.mean


@register_kl(ContinuousBernoulli, Normal)
def _kl_continuous_bernoulli_normal(p, q):
    """-H(p) + log(2 pi) / 2 + log sigma + (mu^2 + E_p[X^2] - 2 mu E_p[X]) / (2 sigma^2)."""
    return (-p.entropy() + 0.5 * (math.log(2.0 * math.pi) + (q.loc / q.scale).square()) + q.scale.log()
            + (p.variance + p.mean.square() - 2.0 * q.loc * p.mean) / (2.0 * q.scale.square()))


@register_kl(ContinuousBernoulli, Uniform)
def _kl_continuous_bernoulli_uniform(p, q):
    """-H(p) + log(b - a), or inf where a >= 0 or b <= 1 (as torch decides)."""
    result = -p.entropy() + (q.high - q.low).log()
    return where((q.low >= p.support.lower_bound) | (q.high <= p.support.upper_bound), math.inf, result)


@register_kl(Exponential, Gamma)
def _kl_exponential_gamma(p, q):
    """With r = b_q / lambda_p: -a_q log r + r + lgamma(a_q) + a_q gamma_e - (1 + gamma_e)."""
    ratio = q.rate / p.rate
    return (-q.concentration * ratio.log() + ratio + q.concentration.lgamma() + q.concentration * euler_constant
            - (1 + euler_constant))


@register_kl(Exponential, Gumbel)
def _kl_exponential_gumbel(p, q):
    """With c = lambda_p b_q and m = mu_q / b_q: log c - 1 - m + exp(m) c / (c + 1) + 1 / c."""
    product = p.rate * q.scale
    shift = q.loc / q.scale
    return product.log() - 1 - shift + shift.exp() * product / (product + 1) + product.reciprocal()


@register_kl(Exponential, Normal)
def _kl_exponential_normal(p, q):
    """log(lambda^2 sigma^2 2 pi) / 2 - 1 + (1 / lambda^2 - mu / lambda + mu^2 / 2) / sigma^2."""
    variance = q.scale.pow(2)
    rate_squared = p.rate.pow(2)
    return (0.5 * (rate_squared * variance * 2 * math.pi).log() - 1
            + (rate_squared.reciprocal() - q.loc / p.rate + 0.5 * q.loc.pow(2)) / variance)


@register_kl(Gamma, Exponential)
def _kl_gamma_exponential(p, q):
    """-H(p) - log lambda + lambda E_p[X]."""
    return -p.entropy() - q.rate.log() + q.rate * p.concentration / p.rate


@register_kl(Gamma, Gumbel)
def _kl_gamma_gumbel(p, q):
    """(a - 1) digamma(a) - lgamma(a) - a + log c + a / c + exp(m) (1 + 1/c)^(-a) - m, with p = Gamma(a, b),
    c = b b_q and m = mu_q / b_q."""
    a = p.concentration
    product = p.rate * q.scale
    shift = q.loc / q.scale
    return ((a - 1) * a.digamma() - a.lgamma() - a + product.log() + a / product
            + shift.exp() * (1 + product.reciprocal()).pow(-a) - shift)


@register_kl(Gamma, Normal)
def _kl_gamma_normal(p, q):
    """-H(p) + log(2 pi sigma^2) / 2 + E_p[(X - mu)^2] / (2 sigma^2), written out for p = Gamma(a, b)."""
    a = p.concentration
    variance = q.scale.pow(2)
    rate_squared = p.rate.pow(2)
    return (0.5 * (rate_squared * variance * 2 * math.pi).log() - a - a.lgamma() + (a - 1) * a.digamma()
            + (0.5 * (a.pow(2) + a) / rate_squared - q.loc * a / p.rate + 0.5 * q.loc.pow(2)) / variance)


@register_kl(Gumbel, Normal)
def _kl_gumbel_normal(p, q):
    """With r = b_p / sigma: -log(r / sqrt(2 pi)) + (pi r / 2)^2 / 3 + ((E_p[X] - mu) / sigma)^2 / 2 - gamma_e - 1."""
    ratio = p.scale / q.scale
    return (-(ratio / math.sqrt(2 * math.pi)).log() + (math.pi * ratio * 0.5).pow(2) / 3
            + ((p.loc + p.scale * euler_constant - q.loc) / q.scale).pow(2) * 0.5 - (euler_constant + 1))


@register_kl(Laplace, Normal)
def _kl_laplace_normal(p, q):
    """-log(2 b^2 / (pi sigma^2)) / 2 + b^2 / sigma^2 + (mu_p - mu_q)^2 / (2 sigma^2) - 1, p = Laplace(mu_p, b)."""
    variance = q.scale.pow(2)
    scale_ratio = p.scale.pow(2) / variance
    return (-0.5 * (2 * scale_ratio / math.pi).log() + scale_ratio
            + (0.5 * p.loc.pow(2) - p.loc * q.loc + 0.5 * q.loc.pow(2)) / variance - 1)


@register_kl(Normal, Gumbel)
def _kl_normal_gumbel(p, q):
    """With s = sigma / b, x = mu_p / b, m = mu_q / b: -log s + x - m + exp(-x + s^2 / 2 + m) - (1 + log 2 pi) / 2."""
    location = p.loc / q.scale
    variance_ratio = (p.scale / q.scale).pow(2)
    shift = q.loc / q.scale
    return (-0.5 * variance_ratio.log() + location - shift + (-location + 0.5 * variance_ratio + shift).exp()
            - 0.5 * (1 + math.log(2 * math.pi)))


@register_kl(Normal, Laplace)
def _kl_normal_laplace(p, q):
    """-log(sigma / b) + E_p|X - mu_q| / b - (1 + log(pi / 2)) / 2, the folded normal's mean
    E_p|X - mu_q| = sigma sqrt(2 / pi) exp(-d^2 / (2 sigma^2)) + d erf(d / (sigma sqrt 2)), d = mu_p - mu_q."""
    difference = p.loc - q.loc
    standardised = difference / p.scale
    folded_mean = (math.sqrt(2 / math.pi) * p.scale * (-0.5 * standardised.pow(2)).exp()
                   + difference * erf(math.sqrt(0.5) * standardised))
    return -(p.scale / q.scale).log() + folded_mean / q.scale - 0.5 * (1 + math.log(0.5 * math.pi))


@register_kl(Pareto, Exponential)
def _kl_pareto_exponential(p, q):
    """log(alpha / (m lambda)) - 1/alpha + alpha m lambda / (alpha - 1) - 1; inf for alpha <= 1 (no mean)."""
    product = p.scale * q.rate
    result = (p.alpha / product).log() - p.alpha.reciprocal() + p.alpha * product / (p.alpha - 1) - 1
    return where(p.alpha <= 1, math.inf, result)


@register_kl(Pareto, Gamma)
def _kl_pareto_gamma(p, q):
    """-H(p) - E_p[log q(X)] with E_p[log X] = log m + 1/alpha; inf for alpha <= 1 (no mean)."""
    expected_log = p.scale.log() + p.alpha.reciprocal()
    result = (p.alpha.log() - expected_log + q.concentration.lgamma() - q.concentration * q.rate.log()
              + (1 - q.concentration) * expected_log + q.rate * p.alpha * p.scale / (p.alpha - 1) - 1)
    return where(p.alpha <= 1, math.inf, result)


@register_kl(Pareto, Normal)
def _kl_pareto_normal(p, q):
    """-H(p) + log(sqrt(2 pi) sigma) + E_p[(X - mu)^2] / (2 sigma^2); inf for alpha <= 2 (no variance)."""
    twice_variance = 2 * q.scale.pow(2)
    common = p.scale / (p.alpha - 1)
    result = ((math.sqrt(2 * math.pi) * q.scale * p.alpha / p.scale).log() - p.alpha.reciprocal()
              + (p.alpha * common.pow(2) / (p.alpha - 2) + (p.alpha * common - q.loc).pow(2)) / twice_variance - 1)
    return where(p.alpha <= 2, math.inf, result)


@register_kl(Uniform, Beta)
def _kl_uniform_beta(p, q):
    """-log(b - a) - E_p[log q(X)] for p = Uniform(a, b), with E_p[log X] = (b log b - a log a) / (b - a) - 1
    and E_p[log(1 - X)] likewise; inf unless [a, b] lies inside [0, 1]."""
    width = p.high - p.low
    expected_log = (_x_log_x(p.high) - _x_log_x(p.low) - width) / width
    expected_log_complement = -(_x_log_x(1 - p.high) - _x_log_x(1 - p.low) + width) / width
    log_beta = q.concentration1.lgamma() + q.concentration0.lgamma() - (q.concentration1 + q.concentration0).lgamma()
    result = (log_beta - width.log() - (q.concentration1 - 1) * expected_log
              - (q.concentration0 - 1) * expected_log_complement)
    return where((p.high > q.support.upper_bound) | (p.low < q.support.lower_bound), math.inf, result)


@register_kl(Uniform, Exponential)
def _kl_uniform_exponential(p, q):
    """lambda (a + b) / 2 - log((b - a) lambda); inf where a < 0."""
    result = q.rate * (p.high + p.low) / 2 - ((p.high - p.low) * q.rate).log()
    return where(p.low < q.support.lower_bound, math.inf, result)


@register_kl(Uniform, Gamma)
def _kl_uniform_gamma(p, q):
    """-log(b - a) + lgamma(alpha) - alpha log beta + (1 - alpha) E_p[log X] + beta (a + b) / 2; inf where a < 0."""
    width = p.high - p.low
    expected_log = (_x_log_x(p.high) - _x_log_x(p.low) - width) / width
    result = (-width.log() + q.concentration.lgamma() - q.concentration * q.rate.log()
              + (1 - q.concentration) * expected_log + q.rate * (p.high + p.low) / 2)
    return where(p.low < q.support.lower_bound, math.inf, result)


@register_kl(Uniform, Gumbel)
def _kl_uniform_gumbel(p, q):
    """With c = b_q / (b - a) and h, l = (b - mu_q) / b_q, (a - mu_q) / b_q: log c + (h + l) / 2 - c (exp(-h) - exp(-l))."""
    common = q.scale / (p.high - p.low)
    high = (p.high - q.loc) / q.scale
    low = (p.low - q.loc) / q.scale
    return common.log() + 0.5 * (high + low) - common * ((-high).exp() - (-low).exp())


@register_kl(Uniform, Normal)
def _kl_uniform_normal(p, q):
    """log(sqrt(2 pi) sigma / (b - a)) + ((b - a)^2 / 12 + ((a + b) / 2 - mu)^2) / (2 sigma^2)."""
    width = p.high - p.low
    return ((math.sqrt(math.pi * 2) * q.scale / width).log()
            + 0.5 * (width.pow(2) / 12 + ((p.high + p.low - 2 * q.loc) / 2).pow(2)) / q.scale.pow(2))


@register_kl(Uniform, Pareto)
def _kl_uniform_pareto(p, q):
    """(alpha + 1) E_p[log X] - log(alpha m^alpha (b - a)); inf where a < m."""
    width = p.high - p.low
    expected_log = (_x_log_x(p.high) - _x_log_x(p.low) - width) / width
    result = expected_log * (q.alpha + 1) - (q.alpha * q.scale.pow(q.alpha) * width).log()
    return where(p.low < q.support.lower_bound, math.inf, result)


# q gives density 0 where p gives mass (p's support reaches outside q's): infinite
@register_kl(Beta, Pareto)
@register_kl(ContinuousBernoulli, Pareto)
@register_kl(Exponential, Beta)
@register_kl(Exponential, ContinuousBernoulli)
@register_kl(Exponential, Pareto)
@register_kl(Exponential, Uniform)
@register_kl(Gamma, Beta)
@register_kl(Gamma, ContinuousBernoulli)
@register_kl(Gamma, Pareto)
@register_kl(Gamma, Uniform)
@register_kl(Gumbel, Beta)
@register_kl(Gumbel, ContinuousBernoulli)
@register_kl(Gumbel, Exponential)
@register_kl(Gumbel, Gamma)
@register_kl(Gumbel, Pareto)
@register_kl(Gumbel, Uniform)
@register_kl(Laplace, Beta)
@register_kl(Laplace, ContinuousBernoulli)
@register_kl(Laplace, Exponential)
@register_kl(Laplace, Gamma)
@register_kl(Laplace, Pareto)
@register_kl(Laplace, Uniform)
@register_kl(Normal, Beta)
@register_kl(Normal, ContinuousBernoulli)
@register_kl(Normal, Exponential)
@register_kl(Normal, Gamma)
@register_kl(Normal, Pareto)
@register_kl(Normal, Uniform)
@register_kl(Pareto, Beta)
@register_kl(Pareto, ContinuousBernoulli)
@register_kl(Pareto, Uniform)
@register_kl(Poisson, Bernoulli)
@register_kl(Poisson, Binomial)
def _kl_infinity(p, q):
    """inf, one per member of p's batch."""
    return _infinite_like(p.mean)
