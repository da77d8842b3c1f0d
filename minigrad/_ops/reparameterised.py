"""Reparameterised draws whose gradient is not a formula of the draw alone: the Gamma distribution's.

A Gamma(alpha, 1) draw x is not a simple function of alpha and some noise, so its gradient comes
from implicit differentiation: holding the draw's quantile u = P(alpha, x) fixed (P the Gamma
CDF, the regularised lower incomplete gamma function) as alpha moves,

    0 = dP/dalpha + p(x) dx/dalpha,   so   dx/dalpha = -(dP/dalpha) / p(x)

with p(x) = x^(alpha-1) e^-x / Gamma(alpha) the density. dP/dalpha comes from the series

    P = sum_{n>=0} t_n,   t_n = x^(alpha+n) e^-x / Gamma(alpha+n+1)
    dP/dalpha = sum_n t_n (log x - digamma(alpha+n+1))

whose terms rise and fall like a Poisson(x) mass, peaking near n = x - alpha. The sum starts at
the peak and walks both ways with the recurrences t_(n+1) = t_n x / (alpha+n+1) and
digamma(a+1) = digamma(a) + 1/a until the terms are negligible: a few times sqrt(x) steps, each
one vectorised over all draws. Everything is taken relative to the peak term, whose ratio to the
density is exp((n0+1) log x + lgamma(alpha) - lgamma(alpha+n0+1)), so that nothing under- or
overflows for tiny draws or large alpha.

The primitive's forward returns the draw it is given (drawn by the caller from minigrad's
generator); its input is alpha, which gets the gradient above.
"""

import numpy as np

from minigrad._ops.registry import Primitive
from minigrad._ops.special import digamma, lgamma

_NEGLIGIBLE = 1e-17  # a term this small relative to the running sum changes nothing in float64


def standard_gamma_grad(alpha, x):
    """dx/dalpha for draws x of Gamma(alpha, 1), in float64 (alpha and x broadcast)."""
    alpha, x = np.broadcast_arrays(np.asarray(alpha, dtype=np.float64), np.asarray(x, dtype=np.float64))
    log_x = np.log(x)
    peak = np.floor(np.maximum(x - alpha, 0.0))
    # walking up from the peak: n = peak, peak + 1, ...
    term, psi = np.ones_like(x), digamma(alpha + peak + 1)
    total = term * (log_x - psi)
    weight = term.copy()
    n = peak.copy()
    while True:
        term = term * x / (alpha + n + 1)
        psi = psi + 1 / (alpha + n + 1)
        n = n + 1
        total += term * (log_x - psi)
        weight += term
        if not (term > _NEGLIGIBLE * weight).any():
            break
    # walking down from the peak: n = peak - 1, ..., 0 (draws already at n = 0 stay put)
    term, psi, n = np.ones_like(x), digamma(alpha + peak + 1), peak.copy()
    while True:
        below = n > 0
        if not below.any():
            break
        step = np.where(below, alpha + n, 1.0)
        term = np.where(below, term * step / x, 0.0)
        psi = psi - np.where(below, 1 / step, 0.0)
        n = np.where(below, n - 1, n)
        total += term * (log_x - psi)
        weight += term
        if not (term > _NEGLIGIBLE * weight).any():
            break
    peak_over_density = np.exp((peak + 1) * log_x + lgamma(alpha) - lgamma(alpha + peak + 1))
    return -total * peak_over_density


def _standard_gamma_grad_in_dtype(alpha, x):
    return standard_gamma_grad(alpha, x).astype(np.result_type(alpha, x), copy=False)


def _no_derivative(*args):
    raise NotImplementedError("the derivative for '_standard_gamma_grad' is not implemented.")


# dx/dalpha as a primitive, so that a first gradient taken with create_graph is recorded; as in torch,
# it has no derivative itself
standard_gamma_grad_primitive = Primitive("StandardGammaGrad", _standard_gamma_grad_in_dtype, _no_derivative,
                                          _no_derivative)


def _standard_gamma(alpha, draws):
    return draws


def _standard_gamma_vjp(g, ans, alpha, draws):
    return g * standard_gamma_grad_primitive(alpha, ans)


standard_gamma = Primitive("StandardGamma", _standard_gamma, _standard_gamma_vjp, saves="both")


# ---------------------------------------------------------------- draws that pass no gradient
# torch.poisson records its draws with a zero gradient for the rates, and torch.binomial with a node
# whose backward refuses; the draws themselves come to each primitive as a parameter.
poisson = Primitive("Poisson", lambda rates, draws: draws, lambda g, ans, rates, draws: np.zeros_like(g),
                    saves="nothing")


def _binomial_refused(g, ans, count, prob, draws):
    raise RuntimeError("derivative for aten::binomial is not implemented")


binomial = Primitive("Binomial", lambda count, prob, draws: draws, _binomial_refused, _binomial_refused,
                     saves="nothing", grad_fn_name="torch::autograd::NotImplemented")
