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
from minigrad import linalg
from minigrad.autograd.gradients import grad
from minigrad.distributions.utils import _sum_rightmost
from minigrad.functions import broadcast_shapes, digamma, exp, lgamma, where
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
