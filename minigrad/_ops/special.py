"""Special functions: log-gamma and its derivatives, the Hurwitz zeta function, the inverse
error function and the normal distribution's functions, the modified Bessel functions of the
first kind, the regularized incomplete gamma functions (igamma, igammac), and the entropy-style
products (entr, xlog1py, logit), with their gradients.

NumPy has none of them, so each is computed here from classic expansions, in float64 (the
result is cast back to the input's dtype), accurate to about 1e-14 relative (1e-13 next to the
roots of lgamma and digamma, where every method in double precision loses digits):

- lgamma and digamma: the argument is moved up (or, for lgamma, into [1.5, 2.5)) by the
  recurrence Gamma(x + 1) = x Gamma(x), where an expansion converges fast; negative x is
  reflected to 1 - x with Euler's formula Gamma(x) Gamma(1 - x) = pi / sin(pi x).
- polygamma(n, x) = (-1)^(n+1) n! zeta(n + 1, x), the Hurwitz zeta function summed term by
  term up to a threshold and completed by the Euler-Maclaurin formula; reflection for x < 0.
- erfinv and ndtri: a rough closed-form guess polished by Halley's method on erf (or on erfc
  in the tails, where erf(y) is too close to 1 to tell neighbouring y apart).
- erfcx and log_ndtr: Laplace's continued fraction for e^(x^2) erfc(x), finite where erfc
  underflows.
- i0, i1 (and their scaled forms): the power series for moderate |x|, the asymptotic
  expansion in 1/x beyond.
- igamma and igammac, P(a, x) and Q(a, x): the power series of P for x < a + 1, the continued
  fraction of Q beyond (Lentz's method), each giving the other as its complement (about 1e-13
  relative for a <= 100, x <= 200; see _incomplete_gamma).

At poles and edges the values are torch's (inf at the poles of lgamma, nan for erfinv
outside [-1, 1], ...), so every function starts from the general formula and then sets them.
"""

import math
from fractions import Fraction

import numpy as np

from minigrad._ops.activation import erf, erfc
from minigrad._ops.layout import keeps_layout
from minigrad._ops.registry import Primitive, on_arrays

_EULER_GAMMA = 0.57721566490153286061
_HALF_LOG_TWO_PI = 0.5 * math.log(2 * math.pi)


def _bernoulli_numbers(count):
    """B_2, B_4, ..., B_2count as exact fractions, from the recurrence sum_j C(m+1, j) B_j = 0."""
    b = [Fraction(1)]
    for m in range(1, 2 * count + 1):
        b.append(-sum(math.comb(m + 1, j) * b[j] for j in range(m)) / (m + 1))
    return [b[2 * k] for k in range(1, count + 1)]


_B = _bernoulli_numbers(12)  # B_2 = 1/6, B_4 = -1/30, ...
# Stirling's series: lgamma(z) = (z - 1/2) log z - z + log(2 pi) / 2 + sum_k B_2k / (2k (2k - 1) z^(2k - 1))
_STIRLING = [float(b / (2 * k * (2 * k - 1))) for k, b in enumerate(_B[:9], start=1)]
# The asymptotic series of digamma: psi(z) = log z - 1 / (2z) - sum_k B_2k / (2k z^2k)
_DIGAMMA = [float(b / (2 * k)) for k, b in enumerate(_B[:9], start=1)]
_LARGE = 10.0  # where both series are accurate to double precision with 9 terms (error < 1e-17)


def _as_float64(x):
    return np.asarray(x, dtype=np.float64)


def _piecewise(v, condition, where_true, where_false):
    """where_true(v) where condition holds and where_false(v) elsewhere, each formula computed only
    on the elements it gives (where the branches of a function differ, computing both everywhere
    would double the work, and feed each branch arguments outside its range)."""
    out = np.empty_like(v)
    out[condition] = where_true(v[condition])
    out[~condition] = where_false(v[~condition])
    return out


def _polynomial(coefficients, t):
    """sum_k coefficients[k] t^k by Horner's rule."""
    out = np.full_like(t, coefficients[-1])
    for c in reversed(coefficients[:-1]):
        out = out * t + c
    return out


def _sin_pi(x):
    """sin(pi x), exactly 0 at the integers: pi x is formed from x's distance to its nearest
    integer, r, so that no digit of x is lost to rounding pi x (sin(pi x) = +-sin(pi r))."""
    nearest = np.round(x)
    parity = np.where(np.fmod(nearest, 2) == 0, 1.0, -1.0)
    return parity * np.sin(np.pi * (x - nearest))


def _cot_pi(x):
    """cot(pi x) = cos(pi r) / sin(pi r), r the distance from x to its nearest integer (cot has
    period 1), with cos(pi r) written as sin(pi (1/2 - |r|)): exactly 0 at the half-integers,
    where cot(pi / 2) would come out as 6e-17 from pi / 2 rounded."""
    r = x - np.round(x)
    return np.sin(np.pi * (0.5 - np.abs(r))) / np.sin(np.pi * r)


# ---------------------------------------------------------------- Hurwitz zeta
def _hurwitz_tail(s, w):
    """zeta(s, w) = sum_k (w + k)^-s for w >= a threshold, by Euler-Maclaurin: the integral
    w^(1 - s) / (s - 1), half the first term, and the Bernoulli corrections
    B_2j / (2j)! * s (s + 1) ... (s + 2j - 2) * w^(-s - 2j + 1)."""
    first = w ** -s
    total = w * first / (s - 1) + first / 2
    rising, power = s, first / w  # s (s+1)...(s+2j-2) and w^(-s-2j+1), for j = 1
    for j, b in enumerate(_B, start=1):
        total = total + float(b / math.factorial(2 * j)) * rising * power
        rising = rising * (s + 2 * j - 1) * (s + 2 * j)
        power = power / (w * w)
    return total


def _hurwitz_summed(s, q):
    """zeta(s, q) = sum_{k >= 0} (q + k)^-s for s > 1 (arrays of one shape): the first terms are
    summed as they are until q + k reaches the threshold past which the tail formula converges
    (s + 5, at least 10: its corrections are derivatives of t^-s, which grow with s). A sum whose
    last term no longer changes it in double precision stops early: what is left is smaller
    still (large s). That includes a first term that underflows to 0 (s in the thousands and
    more, where the threshold is out of reach): the sum is then 0, found in one step. A
    negative q is summed from q up, as torch does, in as many steps as |q|."""
    threshold = np.maximum(_LARGE, s + 5.0)
    head, converged = np.zeros(q.shape), np.zeros(q.shape, dtype=bool)
    summing = np.isfinite(q) & (q < threshold)
    while np.any(summing):
        term = np.where(summing, q ** -s, 0.0)
        head = head + term
        converged |= summing & (q > 0) & (term <= 1e-17 * head)
        q = np.where(summing, q + 1, q)
        summing &= (q < threshold) & ~converged
    return np.where(converged, head, head + _hurwitz_tail(s, q))


_FAR_NEGATIVE = -64.0  # below, a negative q is not summed term by term (see hurwitz_zeta)


def hurwitz_zeta(s, q):
    """zeta(s, q) = sum_{k >= 0} (q + k)^-s for s > 1 (arrays that broadcast). A negative q (not
    an integer; zeta's continuation, for whole s) is summed from q up, as torch does, unless it
    lies so far below 0 that the steps would be many: then the first terms are summed through
    zeta at positive arguments, in work that does not grow with |q|. With q = r - m, m a whole
    number and 0 < r < 1, they are (q + k)^-s = (-1)^s (j - r)^-s for j = m - k = 1 .. m, which
    sum to (-1)^s (zeta(s, 1 - r) - zeta(s, m + 1 - r)), and the rest to zeta(s, r)."""
    s, q = np.broadcast_arrays(_as_float64(s), _as_float64(q))
    far = q < _FAR_NEGATIVE
    if not np.any(far):
        return _hurwitz_summed(s, q)
    m = np.where(far, np.ceil(-q), 0.0)
    r = np.where(far, q + m, 0.5)
    sign = np.where(np.fmod(s, 2) == 0, 1.0, -1.0)  # (-1)^s
    first_terms = sign * (_hurwitz_summed(s, 1 - r) - _hurwitz_summed(s, m + 1 - r))
    return np.where(far, _hurwitz_summed(s, r) + first_terms, _hurwitz_summed(s, np.where(far, 1.0, q)))


def _zeta_minus_one(count):
    """zeta(k) - 1 for k = 2 .. count + 1 (zeta(k, 2))."""
    return hurwitz_zeta(np.arange(2, count + 2, dtype=np.float64), 2.0)


# lgamma(2 + z) = (1 - gamma) z + sum_{k >= 2} (-1)^k (zeta(k) - 1) / k z^k, for |z| <= 1/2: the
# terms fall as 4^-k, and the series is exact near the roots of lgamma at 1 and 2.
_NEAR_TWO = [0.0, 1 - _EULER_GAMMA] + [(-1) ** k * c / k for k, c in enumerate(_zeta_minus_one(30), start=2)]


# ---------------------------------------------------------------- lgamma
def _lgamma_below_ten(x):
    """lgamma of 0 < x < 10: x is moved into [1.5, 2.5) by lgamma(x) = lgamma(x + 1) - log x (at
    most twice) or lgamma(x) = lgamma(x - 1) + log(x - 1), where the series about 2 takes over."""
    z, correction, product = x, np.zeros_like(x), np.ones_like(x)
    for _ in range(2):
        up = z < 1.5
        correction = correction - np.where(up, np.log(z), 0.0)
        z = np.where(up, z + 1, z)
    for _ in range(8):
        down = z >= 2.5
        product = product * np.where(down, z - 1, 1.0)
        z = np.where(down, z - 1, z)
    return _polynomial(_NEAR_TWO, z - 2) + correction + np.log(product)


def _stirling(x):
    """lgamma of x >= 10 by Stirling's series."""
    inverse = 1 / x
    return (x - 0.5) * np.log(x) - x + _HALF_LOG_TWO_PI + inverse * _polynomial(_STIRLING, inverse * inverse)


def _lgamma_positive(x):
    return _piecewise(x, x < _LARGE, _lgamma_below_ten, _stirling)


def _lgamma_reflected(x):
    """lgamma of x < 0 (not an integer): log(pi / |sin(pi x)|) - lgamma(1 - x)."""
    return np.log(np.pi / np.abs(_sin_pi(x))) - _lgamma_positive(1 - x)


def lgamma(x):
    """log |Gamma(x)|: inf at 0, the negative integers and +-inf (as in torch)."""
    v = _as_float64(x)
    out = _piecewise(v, v > 0, _lgamma_positive, _lgamma_reflected)
    out = np.where(np.isinf(v) | ((v <= 0) & (v == np.floor(v))), np.inf, out)
    return out.astype(x.dtype, copy=False)


# ---------------------------------------------------------------- digamma and polygamma
def _digamma_positive(x):
    """digamma of x > 0: psi(x) = psi(x + 1) - 1/x until x >= 10, then the asymptotic series."""
    z, correction = x, np.zeros_like(x)
    for _ in range(int(_LARGE)):
        small = z < _LARGE
        correction = correction - np.where(small, 1 / z, 0.0)
        z = np.where(small, z + 1, z)
    inverse_square = 1 / (z * z)
    return correction + np.log(z) - 0.5 / z - inverse_square * _polynomial(_DIGAMMA, inverse_square)


def digamma(x):
    """d/dx lgamma(x) = Gamma'(x) / Gamma(x). For x < 0, psi(x) = psi(1 - x) - pi cot(pi x).
    As in torch: -inf at +0.0 and +inf at -0.0, nan at the negative integers and -inf."""
    v = _as_float64(x)
    out = _piecewise(v, v > 0, _digamma_positive, lambda u: _digamma_positive(1 - u) - np.pi * _cot_pi(u))
    out = np.where(v == 0, np.copysign(np.inf, -v), out)
    out = np.where((v < 0) & (v == np.floor(v)), np.nan, out)
    return out.astype(x.dtype, copy=False)


def _cot_derivative(n):
    """The coefficients (lowest power first) of the polynomial P_n with d^n/dy^n cot(y) = P_n(cot y):
    P_0(c) = c and, as d/dy cot y = -(1 + cot^2 y), P_(k+1)(c) = -(1 + c^2) P_k'(c)."""
    p = np.array([0.0, 1.0])
    for _ in range(n):
        p = np.polynomial.polynomial.polymul([-1.0, 0.0, -1.0], np.polynomial.polynomial.polyder(p))
    return list(p)


def _polygamma_positive(n, x):
    """The n-th derivative of digamma (n >= 1) for x > 0: (-1)^(n+1) n! zeta(n + 1, x). Past
    n = 170, n! is beyond float64 and counts as inf (as in torch): the result is then +-inf, or
    nan where zeta(n + 1, x) underflows to 0."""
    factorial = float(math.factorial(n)) if n <= 170 else math.inf
    with np.errstate(invalid="ignore"):
        return (-1) ** (n + 1) * factorial * hurwitz_zeta(n + 1, x)


def polygamma(x, n):
    """The n-th derivative of digamma. For x < 0, differentiating the reflection formula
    psi(1 - x) - psi(x) = pi cot(pi x) n times gives
    psi_n(x) = (-1)^n psi_n(1 - x) - pi^(n+1) P_n(cot(pi x)).
    At the poles (x = 0, -1, ...) and at -inf it is +-inf, at +inf nan (0 for n = 1), as in torch."""
    if n == 0:
        return digamma(x)
    v = _as_float64(x)
    cot_derivative = _cot_derivative(n)

    def reflected(u):
        with np.errstate(over="ignore", invalid="ignore"):  # (pi^(n+1) and P_n's coefficients overflow past n ~ 170)
            return (-1) ** n * _polygamma_positive(n, 1 - u) - np.float64(np.pi) ** (n + 1) * _polynomial(
                cot_derivative, _cot_pi(u))

    pole = (v <= 0) & (v == np.floor(v))  # 0, the negative integers and -inf: set below
    safe = np.where(pole, 1.0, v)
    out = _piecewise(safe, safe < 0, reflected, lambda u: _polygamma_positive(n, u))
    if n == 1:
        # torch reflects trigamma with pi^2 / sin(pi x)^2, rounded in x's dtype, and sin(pi x) is
        # not 0 at the negative integers: it gives a huge finite number there (inf at 0); so does this.
        out = np.where(pole, np.pi ** 2 / np.sin(np.pi * x) ** 2, out)
        out = np.where(v == 0, np.inf, np.where(v == np.inf, 0.0, np.where(v == -np.inf, np.nan, out)))
    else:
        out = np.where(pole, (-1) ** (n + 1) * np.inf, np.where(v == np.inf, np.nan, out))
    return out.astype(x.dtype, copy=False)


def mvlgamma(x, p):
    """The log of the multivariate gamma function of dimension p:
    p (p - 1) / 4 log(pi) + sum_{j < p} lgamma(x - j / 2)."""
    v = _as_float64(x)
    total = sum(lgamma(v + _mvlgamma_shift(j)) for j in range(p))
    return (total + p * (p - 1) / 4 * math.log(math.pi)).astype(x.dtype, copy=False)


def _mvlgamma_shift(j):
    """-j / 2, added to x as torch adds it: for j = 0 that is x + 0.0, which turns -0.0 into +0.0
    (so the gradient at -0.0 is digamma(+0.0) = -inf, as in torch, not digamma(-0.0) = +inf)."""
    return -j / 2


def _mvlgamma_vjp(g, ans, x, p):
    return g * sum(digamma_primitive(x + _mvlgamma_shift(j)) for j in range(p))


lgamma_primitive = Primitive("Lgamma", keeps_layout(lgamma), lambda g, ans, x: g * digamma_primitive(x))
digamma_primitive = Primitive("Digamma", keeps_layout(digamma), lambda g, ans, x: g * polygamma_primitive(x, n=1))
# polygamma(n, x): n is a parameter, x the only input; d/dx psi_n(x) = psi_(n+1)(x).
polygamma_primitive = Primitive("Polygamma", keeps_layout(polygamma),
                                lambda g, ans, x, n: g * polygamma_primitive(x, n=n + 1))
mvlgamma_primitive = Primitive("Mvlgamma", keeps_layout(mvlgamma), _mvlgamma_vjp)


# ---------------------------------------------------------------- erfinv
def _erfinv_guess(w):
    """A closed-form guess of erfinv(a) for 0 <= a < 1 from w = -log(1 - a^2), good to about 2e-3
    relative (Winitzki's approximation of erf, solved for x): with c = 2 / (pi k) - w / 2,
    erfinv(a) ~ sqrt(sqrt(c^2 + w / k) - c), k = 0.147. Where c > 0 the difference is written
    as the equal (w / k) / (sqrt(c^2 + w / k) + c), which does not cancel to nothing for small a."""
    k = 0.147
    c = 2 / (np.pi * k) - w / 2
    root = np.sqrt(c * c + w / k)
    return np.sqrt(np.where(c > 0, (w / k) / (root + c), root - c))


def _halley_on_erf(y, target, complement):
    """Three steps of Halley's method on f(y) = erf(y) - target, with f' = 2/sqrt(pi) e^(-y^2) and
    f'' = -2y f': y <- y - f / (f' + y f). Each step triples the correct digits. With
    `complement`, target is 1 - complement and the residual is computed as complement - erfc(y),
    whose terms are exact to their last digit rather than close to 1 (the tails)."""
    for _ in range(3):
        residual = complement - erfc(y) if complement is not None else erf(y) - target
        slope = 2 / math.sqrt(math.pi) * np.exp(-y * y)
        y = y - residual / (slope + y * residual)
    return y


def _inverse_erf_near_zero(a):
    """The y >= 0 with erf(y) = a, for 0 <= a <= 1/2."""
    return _halley_on_erf(_erfinv_guess(-np.log1p(-a * a)), a, None)


def _inverse_erfc_small(q):
    """The y > 0 with erfc(y) = q, for 0 < q <= 1/2 (1 - a^2 = q (2 - q) for a = 1 - q)."""
    return _halley_on_erf(_erfinv_guess(-np.log(q * (2 - q))), None, q)


def erfinv(x):
    """The y with erf(y) = x, for -1 <= x <= 1 (+-inf at +-1, nan outside, as in torch); for
    |x| >= 1/2 through erfc(y) = 1 - |x|, which is exact there."""
    v = _as_float64(x)
    a = np.abs(v)
    y = _piecewise(np.where(a < 1, a, 0.0), a < 0.5, _inverse_erf_near_zero, lambda t: _inverse_erfc_small(1 - t))
    out = np.where(a < 1, np.copysign(y, v), np.where(a == 1, np.copysign(np.inf, v), np.nan))
    return out.astype(x.dtype, copy=False)


def ndtri(p):
    """The inverse of the standard normal CDF: ndtri(p) = sqrt(2) y where erfc(-y) = 2p, computed
    from whichever of 2p, 2(1 - p) or 2p - 1 is small or central, each exact (-inf at 0, inf at 1,
    nan outside [0, 1])."""
    v = _as_float64(p)
    q = 2 * v
    lower = _inverse_erfc_small(np.where((q > 0) & (q <= 0.5), q, 0.5))              # erfc(y) = 2p
    upper = _inverse_erfc_small(np.where((v >= 0.75) & (v < 1), 2 * (1 - v), 0.5))    # erfc(-y) = 2 - 2p
    centre = q - 1                                                                     # erf(y) = 2p - 1
    middle = np.copysign(_inverse_erf_near_zero(np.where(np.abs(centre) <= 0.5, np.abs(centre), 0.0)), centre)
    out = math.sqrt(2) * np.select([q <= 0.5, v >= 0.75], [-lower, upper], middle)
    out = np.where(v == 0, -np.inf, np.where(v == 1, np.inf, np.where((v > 0) & (v < 1), out, np.nan)))
    return out.astype(p.dtype, copy=False)


# d/dx erfinv(x) = 1 / erf'(erfinv(x)) = sqrt(pi) / 2 * exp(erfinv(x)^2)
erfinv_primitive = Primitive("Erfinv", keeps_layout(erfinv),
                             lambda g, ans, x: g * (math.sqrt(math.pi) / 2) * np.exp(ans * ans), saves="output")


# ---------------------------------------------------------------- modified Bessel functions
_SERIES_LIMIT = 20.0  # |x| below: the power series (about 50 positive terms); above: the asymptotic one


def _bessel_series(nu, a):
    """I_nu(a) = (a/2)^nu sum_k (a^2/4)^k / (k! (k + nu)!) for nu = 0, 1, all terms positive."""
    coefficients = [1 / (math.factorial(k) * math.factorial(k + nu)) for k in range(60)]
    return (a / 2) ** nu * _polynomial(coefficients, a * a / 4)


def _bessel_asymptotic_scaled(nu, a):
    """e^-a I_nu(a) for large a: (2 pi a)^(-1/2) sum_k (-1)^k c_k / a^k, with
    c_k = (4nu^2 - 1)(4nu^2 - 9)...(4nu^2 - (2k-1)^2) / (k! 8^k); past a = 20 the terms fall
    below 1e-17 before they start to grow."""
    coefficients, c = [1.0], 1.0
    for k in range(1, 30):
        c *= -(4 * nu * nu - (2 * k - 1) ** 2) / (k * 8)
        coefficients.append(c)
    return _polynomial(coefficients, 1 / a) / (math.sqrt(2 * np.pi) * np.sqrt(a))  # (2 pi a overflows first)


def _bessel(nu, x, scaled):
    """I_nu(x) (or e^-|x| I_nu(x) when scaled) for nu = 0 (even in x) or 1 (odd in x)."""
    v = _as_float64(x)
    a = np.abs(v)
    if scaled:
        out = _piecewise(a, a < _SERIES_LIMIT, lambda t: _bessel_series(nu, t) * np.exp(-t),
                         lambda t: _bessel_asymptotic_scaled(nu, t))
    else:  # (inf / inf = nan at a = inf, as in torch)
        out = _piecewise(a, a < _SERIES_LIMIT, lambda t: _bessel_series(nu, t),
                         lambda t: np.exp(t) * _bessel_asymptotic_scaled(nu, t))
    if nu == 1:
        out = np.where(v < 0, -out, out)  # (odd; i1(-0.0) is 0.0, as in torch)
    return out.astype(x.dtype, copy=False)


def i0(x):
    """The modified Bessel function of the first kind of order 0."""
    return _bessel(0, x, scaled=False)


def i0e(x):
    """e^-|x| i0(x), finite where i0 overflows."""
    return _bessel(0, x, scaled=True)


def i1(x):
    """The modified Bessel function of the first kind of order 1."""
    return _bessel(1, x, scaled=False)


def i1e(x):
    """e^-|x| i1(x)."""
    return _bessel(1, x, scaled=True)


def _not_tiny(x):
    """|x| > the dtype's epsilon: where the derivatives of i1 and i1e below are computed by their
    formula, which divides by x; torch takes their limit 1/2 elsewhere (nan included). Also x with
    1 in place of the tiny elements: the formula divides by it, so that under create_graph no
    division by 0 sends 0 * inf = nan back through the branch np.where leaves out (the second
    derivative at 0 is then that of the constant 1/2, 0, as in torch)."""
    not_tiny = np.abs(np.asarray(x)) > np.finfo(np.asarray(x).dtype).eps
    return not_tiny, np.where(not_tiny, x, 1)


def _i1_vjp(g, ans, x):
    """d/dx I1(x) = I0(x) - I1(x) / x, and 1/2 at x = 0."""
    not_tiny, divisor = _not_tiny(x)
    return g * np.where(not_tiny, i0_primitive(x) - ans / divisor, 0.5)


def _i1e_vjp(g, ans, x):
    """d/dx e^-|x| I1(x) = e^-|x| I0(x) - (sign(x) + 1/x) e^-|x| I1(x), and 1/2 at x = 0."""
    not_tiny, divisor = _not_tiny(x)
    return g * np.where(not_tiny, i0e_primitive(x) - ans * (np.sign(x) + 1 / divisor), 0.5)


# I0' = I1; (e^-|x| I0)' = e^-|x| I1 - sign(x) e^-|x| I0
i0_primitive = Primitive("I0", keeps_layout(i0), lambda g, ans, x: g * i1_primitive(x))
i0e_primitive = Primitive("SpecialI0E", keeps_layout(i0e), lambda g, ans, x: g * (i1e_primitive(x) - np.sign(x) * ans),
                          saves="both")
i1_primitive = Primitive("SpecialI1", keeps_layout(i1), _i1_vjp, saves="both")
i1e_primitive = Primitive("SpecialI1E", keeps_layout(i1e), _i1e_vjp, saves="both")


# ---------------------------------------------------------------- normal distribution, erfcx, entropy
def _erfcx_tail(x, depth=40):
    """r in erfcx(x) = 1 / (sqrt(pi) (x + r)) for x >= 2: the tail of Laplace's continued fraction
    1/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), r = (1/2)/(x + 1/(x + ...)), evaluated
    from the inside out."""
    denominator = x
    for k in range(depth, 1, -1):
        denominator = x + (k / 2) / denominator
    return 0.5 / denominator


def _erfcx_fraction(x):
    """erfcx(x) = e^(x^2) erfc(x) for x >= 2, by Laplace's continued fraction."""
    return 1 / (math.sqrt(math.pi) * (x + _erfcx_tail(x)))


def _erfcx_slope(x):
    """d/dx erfcx(x) = 2 x erfcx(x) - 2/sqrt(pi), in float64. For x >= 2 its two terms nearly cancel
    (the difference is about -1/(sqrt(pi) x^2)), losing their rounding times 2 x^2; there it is taken
    from the continued fraction instead: with erfcx(x) = 1/(sqrt(pi) (x + r)), 2 x erfcx(x) - 2/sqrt(pi)
    = -(2/sqrt(pi)) r / (x + r) = -2 r erfcx(x), with no subtraction. At inf it is nan, as torch's
    formula gives there (inf * 0)."""
    v = _as_float64(x)
    slope = _piecewise(v, v >= 2, lambda u: -2 * _erfcx_tail(u) * _erfcx_fraction(u),
                       lambda u: 2 * u * erfcx(u) - 2 / math.sqrt(math.pi))
    return np.where(v == np.inf, np.nan, slope)


def _erfcx_vjp(g, ans, x):
    """g times erfcx's slope, computed in float64 without cancellation (see _erfcx_slope); under
    create_graph, torch's form g (2 x erfcx(x) - 2/sqrt(pi)), whose own derivative autograd knows."""
    if on_arrays(g, x):
        return g * _erfcx_slope(x).astype(np.result_type(g, x), copy=False)
    return g * (2 * x * ans - 2 / math.sqrt(math.pi))


def erfcx(x):
    """The scaled complementary error function e^(x^2) erfc(x): finite and accurate where erfc
    underflows (large x); below 2 the product itself (inf for x < -26.6, as the value is)."""
    v = _as_float64(x)
    out = _piecewise(v, v >= 2, _erfcx_fraction, lambda u: np.exp(u * u) * erfc(u))
    return np.where(v == np.inf, 0.0, out).astype(x.dtype, copy=False)


def log_ndtr(x):
    """log of the standard normal CDF, log(erfc(-x / sqrt(2)) / 2): for x < -1 through erfcx,
    log(erfcx(t) / 2) - t^2 with t = -x / sqrt(2), finite far past where the CDF underflows;
    above, log1p(-erfc(x / sqrt(2)) / 2), exact where the CDF is close to 1."""
    v = _as_float64(x)
    out = _piecewise(v, v < -1, lambda u: np.log(erfcx(-u / math.sqrt(2)) / 2) - u * u / 2,
                     lambda u: np.log1p(-erfc(u / math.sqrt(2)) / 2))
    return out.astype(x.dtype, copy=False)


def entr(x):
    """The entropy term -x log x: 0 at 0, -inf for x < 0 (as in torch), nan at nan."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(x > 0, -x * np.log(x), np.where(x == 0, 0.0, -np.inf))
    return np.where(np.isnan(x), x, out).astype(x.dtype, copy=False)


erfcx_primitive = Primitive("SpecialErfcx", keeps_layout(erfcx), _erfcx_vjp, saves="both")
def _log_ndtr_vjp(g, ans, x):
    """d/dx log Phi(x) = phi(x) / Phi(x) = exp(-x^2 / 2 - log Phi(x)) / sqrt(2 pi). For x < -1 the
    exponent is a difference of two huge numbers (log Phi(x) ~ -x^2 / 2), which cancel to nothing
    past |x| ~ 1e8; there the ratio is written through erfcx, as log_ndtr itself is:
    phi(x) / Phi(x) = sqrt(2 / pi) / erfcx(-x / sqrt(2)), which grows like -x. At -inf it is nan,
    as in torch (whose exponent is inf - inf there)."""
    lower_tail = (x < -1) & (x != -np.inf)
    t = np.where(lower_tail, -x / math.sqrt(2), 0.0)
    with np.errstate(invalid="ignore"):  # (-inf + inf at x = -inf: the nan wanted there)
        upper = np.exp(-(ans + x * x / 2)) / math.sqrt(2 * math.pi)
    return g * np.where(lower_tail, math.sqrt(2 / math.pi) / erfcx_primitive(t), upper)


log_ndtr_primitive = Primitive("SpecialLogNdtr", keeps_layout(log_ndtr), _log_ndtr_vjp, saves="both")
# d/dp ndtri(p) = 1 / phi(ndtri(p)) = sqrt(2 pi) exp(ndtri(p)^2 / 2)
ndtri_primitive = Primitive("SpecialNdtri", keeps_layout(ndtri),
                            lambda g, ans, p: g * math.sqrt(2 * math.pi) * np.exp(ans * ans / 2), saves="output")
entr_primitive = Primitive("SpecialEntr", keeps_layout(entr), lambda g, ans, x: -g * (1 + np.log(x)))


# ---------------------------------------------------------------- logit, xlog1py, zeta
def _logit_range(x, eps):
    """torch's clamping range (lo, hi) = (eps, 1 - eps) in x's dtype, or None: an eps that is None or
    negative clamps nothing."""
    if eps is None or eps < 0:
        return None
    scalar = np.asarray(x).dtype.type  # x may be a recorded tensor (create_graph)
    return scalar(eps), scalar(1) - scalar(eps)


def _logit(x, eps):
    """log(x / (1 - x)), x first brought into [eps, 1 - eps] as torch brings it: below eps to eps,
    else above 1 - eps to 1 - eps (so an eps over 0.5, whose range is empty, still gives eps below it)."""
    bounds = _logit_range(x, eps)
    if bounds is not None:
        lo, hi = bounds
        x = np.where(x < lo, lo, np.where(x > hi, hi, x))
    return np.log(x / (1 - x))


def _logit_vjp(g, ans, x, eps):
    """1 / (x (1 - x)); as in torch, g * inf at 0 and 1 (also at -0.0), nan outside [0, 1]
    without clamping, and 0 where eps clamps."""
    bounds = _logit_range(x, eps)
    lo, hi = (0, 1) if bounds is None else bounds
    at_the_ends = np.where((x == 0) | (x == 1), g * np.inf, g / (x * (1 - x)))
    return np.where((x < lo) | (x > hi), np.nan if bounds is None else 0.0, at_the_ends)


logit_primitive = Primitive("Logit", _logit, _logit_vjp)


def _xlog1py(x, y):
    """x * log1p(y), and 0 where x is 0 unless y is nan."""
    return np.where((x == 0) & ~np.isnan(y), 0.0, x * np.log1p(y)).astype(np.result_type(x, y), copy=False)


def _xlog1py_vjp_x(g, ans, x, y):
    """d/dx = log1p(y), sent as xlog1py(g, y) and as 0 where x is 0 and log1p(y) is -inf or nan
    (y <= -1), as torch does."""
    return np.where((x == 0) & (y <= -1), 0.0, xlog1py_primitive(g, y))


def _xlog1py_vjp_y(g, ans, x, y):
    return g * x / (1 + y)  # d/dy = x / (1 + y)


xlog1py_primitive = Primitive("SpecialXlog1Py", _xlog1py, _xlog1py_vjp_x, _xlog1py_vjp_y)
# With a number for x or for y: the number is a parameter, the tensor the only input, and the node
# is named as torch names it.
xlog1py_number_x = Primitive("SpecialXlog1PyNumberX", lambda y, x: _xlog1py(x, y),
                             lambda g, ans, y, x: _xlog1py_vjp_y(g, ans, x, y),
                             grad_fn_name="SpecialXlog1PyBackward1", fused_for="xlog1py(c, y) for a number c")
xlog1py_number_y = Primitive("SpecialXlog1PyNumberY", _xlog1py, _xlog1py_vjp_x,
                             grad_fn_name="SpecialXlog1PyBackward2", fused_for="xlog1py(x, c) for a number c")


def zeta(x, q):
    """The Hurwitz zeta function sum_k (q + k)^-x, with torch's conventions: inf at x = 1 and
    where q is 0 or a negative integer; nan for x < 1, and for q < 0 with x not an integer."""
    s, a = np.broadcast_arrays(_as_float64(x), _as_float64(q))
    whole_a = a == np.floor(a)
    valid = (s > 1) & (a != np.inf) & ((a > 0) | (~whole_a & (s == np.floor(s))))
    out = np.where(valid, hurwitz_zeta(np.where(valid, s, 2.0), np.where(valid, a, 1.0)), np.nan)
    out = np.where((s == 1) | ((s > 1) & (a <= 0) & whole_a), np.inf, out)
    return out.astype(np.result_type(x, q), copy=False)


def _zeta_has_no_x_derivative(*args):
    raise NotImplementedError("the derivative for 'zeta' is not implemented.")


def _zeta_vjp_q(g, ans, x, q):
    return -g * x * zeta_primitive(x + 1, q)  # d/dq zeta(x, q) = -x zeta(x + 1, q)


# torch defines no derivative in x.
zeta_primitive = Primitive("SpecialZeta", zeta, _zeta_has_no_x_derivative, _zeta_vjp_q)
zeta_number_x = Primitive("SpecialZetaNumberX", lambda q, x: zeta(x, q), lambda g, ans, q, x: _zeta_vjp_q(g, ans, x, q),
                          grad_fn_name="SpecialZetaBackward1", fused_for="zeta(c, q) for a number c")
zeta_number_q = Primitive("SpecialZetaNumberQ", zeta, _zeta_has_no_x_derivative,
                          grad_fn_name="SpecialZetaBackward2", fused_for="zeta(x, c) for a number c")


# ---------------------------------------------------------------- the regularized incomplete gamma functions
_MAX_STEPS = 10_000  # series terms or continued-fraction steps: enough for a up to about 10^6 (see _incomplete_gamma)
_TOLERANCE = 1e-16   # a sum or a fraction stops when its last step changes it by less than this, relatively
_TINY = 1e-300       # Lentz's method sets a vanishing numerator or denominator to this, to divide by it


def _log_power_over_gamma(a, x):
    """log(x^a e^-x / Gamma(a)) for a > 0 and x > 0. For a >= 10 the terms a log x and
    lgamma(a) nearly cancel (each is hundreds where the difference is a few units); with
    Stirling's lgamma(a) = (a - 1/2) log a - a + log(2 pi) / 2 + s(a) the difference is written
    a log(x / a) + (a - x) + log(a / (2 pi)) / 2 - s(a), whose terms are small where the result is."""
    out = a * np.log(x) - x - _lgamma_positive(a)
    large = a >= _LARGE
    b, y = a[large], x[large]
    stirling_rest = _polynomial(_STIRLING, 1 / (b * b)) / b
    out[large] = b * np.log(y / b) + (b - y) + 0.5 * np.log(b / (2 * np.pi)) - stirling_rest
    return out


def _lower_series(a, x):
    """P(a, x) = x^a e^-x / Gamma(a + 1) * sum_{n >= 0} x^n / ((a + 1)(a + 2)...(a + n)), for
    x < a + 1, where the terms fall from the start. Each step works on the elements still
    summing: an element is dropped once its last term no longer changes its sum."""
    sums = np.ones_like(x)
    position, b, y, term, partial = np.arange(x.size), a, x, np.ones_like(x), np.ones_like(x)
    for n in range(1, _MAX_STEPS):
        term = term * y / (b + n)
        partial = partial + term
        sums[position] = partial
        going = term > _TOLERANCE * partial
        position, b, y, term, partial = position[going], b[going], y[going], term[going], partial[going]
        if position.size == 0:
            break
    return np.exp(_log_power_over_gamma(a, x) - np.log(a)) * sums


def _upper_fraction(a, x):
    """Q(a, x) = x^a e^-x / Gamma(a) * 1 / (x + 1 - a - 1 (1 - a) / (x + 3 - a - 2 (2 - a) / (x + 5 - a - ...))),
    for x >= a + 1, where the continued fraction converges fast. It is evaluated front to back
    by Lentz's method: the value is a running product of the ratios c d of successive
    numerators (c) and denominators (d) of its convergents, each ratio a short recurrence.
    Each step works on the elements still converging, as in _lower_series."""
    fractions = np.empty_like(x)
    position, b, y = np.arange(x.size), a, x
    partial_denominator = y + 1 - b
    d = 1 / partial_denominator
    c = np.full_like(y, 1 / _TINY)
    value = d
    for n in range(1, _MAX_STEPS):
        partial_numerator = -n * (n - b)
        partial_denominator = partial_denominator + 2
        d = 1 / _away_from_zero(partial_numerator * d + partial_denominator)
        c = _away_from_zero(partial_denominator + partial_numerator / c)
        ratio = c * d
        value = value * ratio
        fractions[position] = value
        going = np.abs(ratio - 1) > _TOLERANCE
        position, b, y, partial_denominator, d, c, value = (
            position[going], b[going], y[going], partial_denominator[going], d[going], c[going], value[going])
        if position.size == 0:
            break
    return np.exp(_log_power_over_gamma(a, x)) * fractions


def _upper_series_small_a(a, x):
    """Q(a, x) for a < 1 and x < a + 1, where Q is small for small a and 1 - P would lose its
    digits. From the series of P term by term (DLMF 8.7.3):
    Q = 1 - x^a / Gamma(a + 1) - x^a / Gamma(a) * sum_{n >= 1} (-x)^n / (n! (a + n)), where the
    first difference is -expm1(a log x - lgamma(1 + a)), exact for small a, and lgamma(1 + a)
    comes from the series about 2 (lgamma(1 + a) = lgamma(2 + a) - log(1 + a)) for a <= 1/2."""
    lgamma_one_plus_a = np.where(a <= 0.5, _polynomial(_NEAR_TWO, np.minimum(a, 0.5)) - np.log1p(a),
                                 _lgamma_positive(1 + a))
    log_power = a * np.log(x)
    total, term = np.zeros_like(x), np.ones_like(x)
    for n in range(1, 60):  # (x < 2: the terms fall below 1e-17 of the sum by n = 40)
        term = -term * x / n
        total = total + term / (a + n)
    return -np.expm1(log_power - lgamma_one_plus_a) - np.exp(log_power - lgamma_one_plus_a) * a * total


def _away_from_zero(v):
    """v, with _TINY where it is (almost) 0: Lentz's method divides by it next."""
    return np.where(np.abs(v) < _TINY, _TINY, v)


def _incomplete_gamma(a, x, upper):
    """P(a, x), or Q(a, x) = 1 - P(a, x) when `upper`, in float64 for arrays that broadcast.

    The smaller of the two is computed directly (P for x < a + 1 by its power series, Q beyond
    by its continued fraction, and Q for a < 1 below that by _upper_series_small_a) and the
    other as one minus it, so that no small value is the
    difference of two near ones. Accuracy (against mpmath): about 1e-13 relative or better for
    a in (0, 100] and x in [0, 200]; the steps needed grow like sqrt(a) where x is close to a,
    and past a ~ 10^6 there they run out (_MAX_STEPS), where torch switches to an asymptotic
    expansion. The edges are torch's, tested in its order: nan for a < 0 or x < 0; for a = 0,
    P = 1 when x > 0 and nan otherwise; P = 0 at x = 0 (even for a nan a); for a = inf, nan
    at x = inf and 0 otherwise; P = 1 at x = inf; nan for a nan elsewhere."""
    shape = np.broadcast_shapes(np.shape(a), np.shape(x))
    a, x = (np.broadcast_to(_as_float64(v), shape).ravel() for v in (a, x))
    inside = (a > 0) & (x > 0) & np.isfinite(a) & np.isfinite(x)
    by_series = inside & (x < a + 1)
    by_fraction = inside & ~by_series
    smaller = np.full(a.shape, np.nan)
    smaller[by_series] = _lower_series(a[by_series], x[by_series])
    smaller[by_fraction] = _upper_fraction(a[by_fraction], x[by_fraction])
    lower = np.where(by_series, smaller, 1 - smaller)
    lower = np.select([(a < 0) | (x < 0), a == 0, x == 0, np.isinf(a), np.isinf(x)],
                      [np.nan, np.where(x > 0, 1.0, np.nan), 0.0, np.where(np.isinf(x), np.nan, 0.0), 1.0], lower)
    if upper:
        upper = np.where(by_fraction, smaller, 1 - lower)
        small_a = by_series & (a < 1)
        upper[small_a] = _upper_series_small_a(a[small_a], x[small_a])
        return upper.reshape(shape)
    return lower.reshape(shape)


def igamma(a, x):
    """The regularized lower incomplete gamma function P(a, x) = (1 / Gamma(a)) int_0^x t^(a-1) e^-t dt."""
    return _incomplete_gamma(a, x, upper=False).astype(np.result_type(a, x), copy=False)


def igammac(a, x):
    """The regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x)."""
    return _incomplete_gamma(a, x, upper=True).astype(np.result_type(a, x), copy=False)


def _no_derivative_in_a(name):
    def vjp(*args):
        raise NotImplementedError(f"the derivative for '{name}: input' is not implemented.")
    return vjp


def _incomplete_gamma_density(g, a, x):
    """g * d/dx P(a, x) = g * x^(a-1) e^-x / Gamma(a), written as torch writes it,
    exp((a - 1) log x - x - lgamma(a)) (so nan at x = 0 for a = 1, as there)."""
    return g * np.exp((a - 1) * np.log(x) - x - lgamma_primitive(a))


# torch defines no derivative in a: asking for it raises at backward, as in torch.
igamma_primitive = Primitive("Igamma", igamma, _no_derivative_in_a("igamma"),
                             lambda g, ans, a, x: _incomplete_gamma_density(g, a, x))
igammac_primitive = Primitive("Igammac", igammac, _no_derivative_in_a("igammac"),
                              lambda g, ans, a, x: -_incomplete_gamma_density(g, a, x))
