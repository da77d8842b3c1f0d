"""The Bessel functions of orders 0 and 1 and the Airy function Ai, as torch.special has them.

NumPy has none of them. Each is computed here in float64 from a classic representation (the
result is cast back to the input's dtype), to about 1e-15 of the function's size (relative
accuracy is lost only next to the zeros of the oscillating ones, as by any method that does not
expand about each zero):

- J0, J1, Y0, Y1 for x < 2: their power series, whose terms fall from the start.
- J0, J1, Y0, Y1 for 2 <= x < 20: Miller's backward recurrence, which gives J_n(x) for every
  n up to a scale; the scale comes from J0 + 2 (J2 + J4 + ...) = 1, and Y0 and Y1 from
  Neumann's series, sums of the same J_n.
- J0, J1, Y0, Y1 for x >= 20 and Ai for x < -10: Hankel's asymptotic expansion, whose terms
  fall below 1e-17 before they start to grow.
- K0 and K1 for x <= 1: their power series (with the log term). Beyond, and Ai for x >= 1
  (which is K_(1/3)): the integral e^x K_nu(x) = int_0^inf e^(-2x sinh^2(t/2)) cosh(nu t) dt
  by the trapezoidal rule, which converges exponentially fast for such integrands.
- Ai for -10 <= x < 1: its Taylor series about 0, continued in ten steps along Ai'' = x Ai.
- I0 and I1: minigrad's i0 and i1 (see minigrad._ops.special).

Ai of a large |x| depends on zeta = (2/3)|x|^(3/2) through e^-zeta or cos(zeta - pi/4), which
one rounding of zeta would spoil by 1e-16 zeta (relative); zeta is therefore carried as a sum of
two floats (see _airy_phase).

None of them has a derivative in torch (their results do not require grad), and none here.
The values at the edges (0, negative x, +-inf, nan) are torch's, set after the general formula.
"""

import math
from fractions import Fraction

import numpy as np

from minigrad._ops.special import _EULER_GAMMA, _as_float64, _piecewise, _polynomial, i0, i1

_SERIES_LIMIT = 2.0        # J, Y: power series below, Miller's recurrence up to _HANKEL_LIMIT
_HANKEL_LIMIT = 20.0       # J, Y: Hankel's expansion from here on
_HANKEL_TERMS = 32         # a_0 .. a_31: the terms at x = 20 fall to 2e-18 by then
_MILLER_START = 80         # the recurrence starts here (J_80(20) is 1e-24 of J_0's size)
_SERIES_TERMS = 20         # power series terms for |x| <= 2: 1 / (20!)^2 is 1e-37


def _harmonic(k):
    """H_k = 1 + 1/2 + ... + 1/k (H_0 = 0)."""
    return sum(1 / j for j in range(1, k + 1))


def _hankel_coefficients(nu):
    """a_k(nu) = (4nu^2 - 1)(4nu^2 - 9)...(4nu^2 - (2k-1)^2) / (k! 8^k), k < _HANKEL_TERMS: the
    coefficients of the large-argument expansions of the Bessel functions of order nu."""
    a = [1.0]
    for k in range(1, _HANKEL_TERMS):
        a.append(a[-1] * (4 * nu * nu - (2 * k - 1) ** 2) / (8 * k))
    return a


def _hankel_amplitudes(nu, x):
    """P and Q of Hankel's expansion (DLMF 10.17.3): with chi = x - (2 nu + 1) pi / 4,
    J_nu(x) = sqrt(2 / (pi x)) (P cos chi - Q sin chi) and
    Y_nu(x) = sqrt(2 / (pi x)) (P sin chi + Q cos chi), where
    P = sum_m (-1)^m a_2m / x^2m and Q = sum_m (-1)^m a_(2m+1) / x^(2m+1)."""
    a = _hankel_coefficients(nu)
    w = 1 / x
    p = _polynomial([(-1) ** m * a[2 * m] for m in range(_HANKEL_TERMS // 2)], w * w)
    q = w * _polynomial([(-1) ** m * a[2 * m + 1] for m in range(_HANKEL_TERMS // 2)], w * w)
    return p, q


def _quarter_turn_back(x):
    """cos(x - pi/4) and sin(x - pi/4), as (cos x + sin x) / sqrt(2) and (sin x - cos x) / sqrt(2):
    x - pi/4 itself would lose the last digits of a large x to rounding."""
    c, s = np.cos(x), np.sin(x)
    return (c + s) / math.sqrt(2), (s - c) / math.sqrt(2)


def _bessel_hankel(x):
    """J0, J1, Y0, Y1 of x >= 20. For order 1 the phase is x - 3pi/4, a quarter turn past the
    phase x - pi/4 of order 0: its cosine is the latter's sine, its sine minus the latter's cosine."""
    cos0, sin0 = _quarter_turn_back(x)
    scale = np.sqrt(2 / (np.pi * x))
    p0, q0 = _hankel_amplitudes(0, x)
    p1, q1 = _hankel_amplitudes(1, x)
    j0 = scale * (p0 * cos0 - q0 * sin0)
    y0 = scale * (p0 * sin0 + q0 * cos0)
    j1 = scale * (p1 * sin0 + q1 * cos0)
    y1 = scale * (-p1 * cos0 + q1 * sin0)
    return j0, j1, y0, y1


# The power series about 0 (DLMF 10.2.2, 10.8.1), in t = x^2 / 4:
#   J0 = sum_k (-t)^k / k!^2,  J1 = (x/2) sum_k (-t)^k / (k! (k+1)!),
#   Y0 = (2/pi) (log(x/2) + gamma) J0 - (2/pi) sum_k H_k (-t)^k / k!^2,
#   Y1 = -2 / (pi x) + (2/pi) log(x/2) J1 - (x / 2pi) sum_k (H_k + H_(k+1) - 2 gamma) (-t)^k / (k! (k+1)!),
# the last from digamma(k + 1) = H_k - gamma.
_J0_SERIES = [(-1) ** k / math.factorial(k) ** 2 for k in range(_SERIES_TERMS)]
_J1_SERIES = [(-1) ** k / (math.factorial(k) * math.factorial(k + 1)) for k in range(_SERIES_TERMS)]
_Y0_SERIES = [_harmonic(k) * c for k, c in enumerate(_J0_SERIES)]
_Y1_SERIES = [(_harmonic(k) + _harmonic(k + 1) - 2 * _EULER_GAMMA) * c for k, c in enumerate(_J1_SERIES)]


def _bessel_series(x):
    """J0, J1, Y0, Y1 of 0 < x < 2 by their power series."""
    t = x * x / 4
    log_half = np.log(x) - math.log(2)  # (x / 2 would underflow to 0 for the least subnormal x)
    j0 = _polynomial(_J0_SERIES, t)
    j1 = x / 2 * _polynomial(_J1_SERIES, t)
    y0 = 2 / np.pi * ((log_half + _EULER_GAMMA) * j0 - _polynomial(_Y0_SERIES, t))
    y1 = -2 / (np.pi * x) + 2 / np.pi * log_half * j1 - x / (2 * np.pi) * _polynomial(_Y1_SERIES, t)
    return j0, j1, y0, y1


def _miller_weights(order):
    """The weights of J_order in the three sums that _bessel_miller gathers: the scale
    J0 + 2 (J2 + J4 + ...), Neumann's sum for Y0, sum_k>=1 (-1)^k J_2k / k, and the sum for Y1, in
    which J_(2m+1) carries -1 for m = 0 and (-1)^(m+1) (1/m + 1/(m+1)) for m >= 1."""
    half = order // 2
    if order % 2 == 0:
        return (2.0, (-1) ** half / half, 0.0) if half else (1.0, 0.0, 0.0)
    return 0.0, 0.0, (-1) ** (half + 1) * (1 / half + 1 / (half + 1)) if half else -1.0


def _bessel_miller(x):
    """J0, J1, Y0, Y1 of 2 <= x < 20 by Miller's algorithm.

    The recurrence J_(n-1) = (2n / x) J_n - J_(n+1), run downward from J_(N+1) = 0, J_N = 1,
    gives numbers proportional to J_n(x) for n well below N (downward, the wanted solution grows
    and the unwanted Y_n dies out). Along the way it sums, all linear in the J_n:
      the scale: J0 + 2 (J2 + J4 + ...), which is 1 for the true values;
      Neumann's series of Y0:
        Y0 = (2/pi) (log(x/2) + gamma) J0 - (4/pi) sum_k>=1 (-1)^k J_2k / k;
      its derivative, -Y1, with J0' = -J1 and J_2k' = (J_(2k-1) - J_(2k+1)) / 2:
        Y1 = (2/pi) ((log(x/2) + gamma) J1 - J0 / x) + (2/pi) sum_k>=1 (-1)^k (J_(2k-1) - J_(2k+1)) / k,
      a sum over the odd orders (see _miller_weights).
    From J_80 = 1 the numbers grow to about J_0(x) / J_80(x), at most 2e118 (at x = 2): well
    inside float64's range, so no rescaling is needed on the way down."""
    following, current = np.zeros_like(x), np.ones_like(x)   # J_(n+1), J_n, up to a common scale
    scale_sum, y0_sum, y1_sum, j1 = (np.zeros_like(x) for _ in range(4))
    for n in range(_MILLER_START, 0, -1):
        following, current = current, 2 * n / x * current - following   # now J_n, J_(n-1)
        in_scale, in_y0, in_y1 = _miller_weights(n - 1)
        scale_sum, y0_sum, y1_sum = scale_sum + in_scale * current, y0_sum + in_y0 * current, y1_sum + in_y1 * current
        if n - 1 == 1:
            j1 = current
    j0, j1 = current / scale_sum, j1 / scale_sum
    log_term = np.log(x / 2) + _EULER_GAMMA
    y0 = 2 / np.pi * (log_term * j0 - 2 * y0_sum / scale_sum)
    y1 = 2 / np.pi * (log_term * j1 - j0 / x + y1_sum / scale_sum)
    return j0, j1, y0, y1


def _bessel_first_second(x):
    """J0, J1, Y0, Y1 of a flat array x > 0 (finite), each range by its method."""
    results = [np.empty_like(x) for _ in range(4)]
    for method, where in ((_bessel_series, x < _SERIES_LIMIT),
                          (_bessel_miller, (x >= _SERIES_LIMIT) & (x < _HANKEL_LIMIT)),
                          (_bessel_hankel, x >= _HANKEL_LIMIT)):
        if np.any(where):
            for out, value in zip(results, method(x[where])):
                out[where] = value
    return results


def _bessel_j_y(x, which):
    """One of J0, J1, Y0, Y1 (`which` is its index in that order) of an array x of any shape,
    with torch's values at the edges: J0(0) = 1, J1(0) = 0, Y(0) = -inf, Y of x < 0 is nan,
    J0 even and J1 odd in x, and nan at +-inf."""
    v = _as_float64(x)
    a = np.abs(v).ravel()
    inside = (a > 0) & np.isfinite(a)
    out = np.full(a.shape, np.nan)
    out[inside] = _bessel_first_second(a[inside])[which]
    out = out.reshape(v.shape)
    if which == 0:
        out = np.where(v == 0, 1.0, out)
    elif which == 1:
        out = np.where(v == 0, v, np.where(np.signbit(v), -out, out))  # (J1(-0.0) is -0.0, as in torch)
    else:
        out = np.where(v == 0, -np.inf, np.where(v < 0, np.nan, out))
    return out.astype(x.dtype, copy=False)


def bessel_j0(x):
    """The Bessel function of the first kind of order 0."""
    return _bessel_j_y(x, 0)


def bessel_j1(x):
    """The Bessel function of the first kind of order 1."""
    return _bessel_j_y(x, 1)


def bessel_y0(x):
    """The Bessel function of the second kind of order 0."""
    return _bessel_j_y(x, 2)


def bessel_y1(x):
    """The Bessel function of the second kind of order 1."""
    return _bessel_j_y(x, 3)


# ---------------------------------------------------------------- modified Bessel functions
def modified_bessel_i0(x):
    """I0(x): minigrad's i0, except at +-inf, where torch's modified_bessel_i0 gives nan."""
    v = _as_float64(x)
    return np.where(np.isinf(v), np.nan, i0(v)).astype(x.dtype, copy=False)


def modified_bessel_i1(x):
    """I1(x): minigrad's i1, except at +-inf, where torch's modified_bessel_i1 gives nan."""
    v = _as_float64(x)
    return np.where(np.isinf(v), np.nan, i1(v)).astype(x.dtype, copy=False)


_K_SERIES_LIMIT = 1.0   # K: power series up to here, the trapezoidal rule beyond
_K_NODES = 40           # the trapezoidal rule's nodes after t = 0


# The power series about 0 (DLMF 10.31.1), in t = x^2 / 4, with I0 and I1 their own series:
#   K0 = -(log(x/2) + gamma) I0 + sum_k H_k t^k / k!^2,
#   K1 = 1/x + log(x/2) I1 - (x/4) sum_k (H_k + H_(k+1) - 2 gamma) t^k / (k! (k+1)!).
_K0_SERIES = [abs(c) for c in _Y0_SERIES]
_K1_SERIES = [(-1) ** k * c for k, c in enumerate(_Y1_SERIES)]


def _modified_bessel_k_series(nu, x):
    """K0 or K1 of 0 < x <= 1 by their power series."""
    t = x * x / 4
    if nu == 0:
        return -(np.log(x / 2) + _EULER_GAMMA) * i0(x) + _polynomial(_K0_SERIES, t)
    return 1 / x + np.log(x / 2) * i1(x) - x / 4 * _polynomial(_K1_SERIES, t)


def _scaled_bessel_k_integral(nu, x):
    """e^x K_nu(x) for x > 0 not too small (x >= 1/2 or so), from
    e^x K_nu(x) = int_0^inf exp(-2x sinh^2(t/2)) cosh(nu t) dt (DLMF 10.32.9, with
    cosh t - 1 = 2 sinh^2(t/2), which does not cancel), by the trapezoidal rule with step h.

    The integrand is even in t and analytic, and for such a function the rule's error falls like
    exp(-2 pi d / h), d the height of the strip about the real axis where it stays small: about
    pi/2 for small x, less for large x, whose peak narrows like 1/sqrt(x). h = min(0.2, 0.5 / sqrt(x))
    keeps the error below 1e-18, and 40 steps reach where the integrand has fallen below
    e^-100 of its peak (2x sinh^2(t/2) > 100)."""
    h = np.minimum(0.2, 0.5 / np.sqrt(x))
    total = np.full_like(x, 0.5)  # the node t = 0 counts half
    for j in range(1, _K_NODES + 1):
        t = j * h
        total = total + np.exp(-2 * x * np.sinh(t / 2) ** 2) * np.cosh(nu * t)
    return h * total


def _modified_bessel_k(nu, x, scaled):
    """K_nu(x) (nu = 0 or 1), or e^x K_nu(x) when scaled; inf at 0, 0 at inf, nan for x < 0."""
    v = _as_float64(x)
    a = np.where((v > 0) & (v < np.inf), v, 1.0)

    def small(u):
        return _modified_bessel_k_series(nu, u) * (np.exp(u) if scaled else 1.0)

    def large(u):
        return _scaled_bessel_k_integral(nu, u) * (1.0 if scaled else np.exp(-u))

    out = _piecewise(a, a <= _K_SERIES_LIMIT, small, large)
    out = np.select([v == 0, v == np.inf, v > 0], [np.inf, 0.0, out], np.nan)
    return out.astype(x.dtype, copy=False)


def modified_bessel_k0(x):
    """The modified Bessel function of the second kind of order 0."""
    return _modified_bessel_k(0, x, scaled=False)


def modified_bessel_k1(x):
    """The modified Bessel function of the second kind of order 1."""
    return _modified_bessel_k(1, x, scaled=False)


def scaled_modified_bessel_k0(x):
    """e^x K0(x), finite where K0 underflows."""
    return _modified_bessel_k(0, x, scaled=True)


def scaled_modified_bessel_k1(x):
    """e^x K1(x), finite where K1 underflows."""
    return _modified_bessel_k(1, x, scaled=True)


# ---------------------------------------------------------------- spherical Bessel j0, Airy Ai
def spherical_bessel_j0(x):
    """sin(x) / x: 1 at 0 and 0 at +-inf, as in torch (sin(x) is accurate relative to x, so the
    quotient is, however small x is)."""
    v = _as_float64(x)
    out = np.sin(v) / np.where(v == 0, 1.0, v)
    out = np.select([v == 0, np.isinf(v)], [1.0, 0.0], out)
    return out.astype(x.dtype, copy=False)


_AI_AT_0 = 3 ** (-2 / 3) / math.gamma(2 / 3)         # Ai(0)
_AI_PRIME_AT_0 = -(3 ** (-1 / 3)) / math.gamma(1 / 3)  # Ai'(0)
_AIRY_STEPS = 10        # Taylor steps from 0 to x, each of length at most 1 (|x| <= 10)
_AIRY_ORDER = 36        # Taylor terms per step: sqrt(10)^36 / 36! is 1e-24
_AIRY_POSITIVE = 1.0    # Ai through K_(1/3) from here on
_AIRY_NEGATIVE = -10.0  # Ai through Hankel's expansion below (there zeta >= 21)


def _airy_taylor(x):
    """Ai(x) for -10 <= x < 1: the Taylor series of Ai about x0, whose coefficients follow from
    Ai'' = x Ai, that is (n + 2)(n + 1) c_(n+2) = x0 c_n + c_(n-1), summed to give Ai and Ai'
    at x0 + h, in ten steps h = x / 10 from x0 = 0. Along negative x, Ai oscillates: the steps
    neither lose digits to cancellation, as one series from 0 would far out, nor magnify errors."""
    h = x / _AIRY_STEPS
    value, slope = np.full_like(x, _AI_AT_0), np.full_like(x, _AI_PRIME_AT_0)
    for step in range(_AIRY_STEPS):
        x0 = step * h
        before, c, following = np.zeros_like(x), value, slope  # c_(n-1), c_n, c_(n+1)
        new_value, new_slope, power = value + slope * h, slope.copy(), h.copy()  # power = h^n, n = 1
        for n in range(2, _AIRY_ORDER):
            before, c, following = c, following, (x0 * c + before) / (n * (n - 1))
            new_slope = new_slope + n * following * power
            power = power * h
            new_value = new_value + following * power
        value, slope = new_value, new_slope
    return value


_SPLITTER = 2.0 ** 27 + 1  # Veltkamp's constant: splits a float64 into two halves of 26 bits
_TWO_THIRDS_LOW = float(Fraction(2, 3) - Fraction(2 / 3))  # what rounding 2/3 to float64 left out
_PHASE_LIMIT = 2.0 ** 660  # |x| past which zeta's parts would overflow (and no digit of the phase is left)


def _split(a):
    """a = high + low, high with the upper 26 bits of a's significand and low the rest."""
    c = _SPLITTER * a
    high = c - (c - a)
    return high, a - high


def _exact_product(a, b):
    """a * b as the rounded product and its rounding error, exactly (Dekker's product): the
    halves of a and b multiply without rounding."""
    product = a * b
    a_high, a_low = _split(a)
    b_high, b_low = _split(b)
    error = ((a_high * b_high - product) + a_high * b_low + a_low * b_high) + a_low * b_low
    return product, error


def _airy_phase(z):
    """zeta = (2/3) z^(3/2) for 1 <= z <= _PHASE_LIMIT as high + low, the pair good to about
    1e-30 relative.

    Rounded to one float64, zeta carries an error of about 1e-16 zeta; Ai(-z) oscillates like
    cos(zeta - pi/4) and Ai(z) decays like e^-zeta, so at z = 100 (zeta = 667) that would cost
    1e-13 of the result. Each step keeps its rounding error instead: sqrt(z) = s + ds with
    ds = (z - s^2) / (2s), z^(3/2) = z s + z ds, and 2/3 is itself a float and its remainder."""
    s = np.sqrt(z)
    square, square_error = _exact_product(s, s)
    ds = ((z - square) - square_error) / (2 * s)
    power, power_error = _exact_product(z, s)
    power_low = power_error + z * ds
    high, error = _exact_product(2 / 3, power)
    low = error + 2 / 3 * power_low + _TWO_THIRDS_LOW * power
    total = high + low
    return total, low - (total - high)


def _airy_positive(x):
    """Ai(x) for x >= 1: (1/pi) sqrt(x/3) K_(1/3)(zeta), zeta = (2/3) x^(3/2) (DLMF 9.6.1), with
    e^-zeta = e^-high e^-low from zeta's two parts."""
    high, low = _airy_phase(np.minimum(x, _PHASE_LIMIT))  # (Ai underflows to 0 long before)
    decay = np.exp(-high) * np.exp(-low)
    return np.where(decay == 0, 0.0, np.sqrt(x / 3) / np.pi * decay * _scaled_bessel_k_integral(1 / 3, high))


def _airy_negative(x):
    """Ai(x) for x < -10: Ai(-z) = (sqrt(z) / 3) (J_(1/3)(zeta) + J_(-1/3)(zeta)) (DLMF 9.6.6),
    zeta = (2/3) z^(3/2), and Hankel's expansion of both (P and Q depend on nu^2 alone), whose
    phases zeta -+ pi/6 - pi/4 add up to
    Ai(-z) = (pi^2 z)^(-1/4) (P cos(zeta - pi/4) - Q sin(zeta - pi/4)).
    The phase is zeta's high part turned by its low part l: cos(h + l) = cos h cos l - sin h sin l
    and sin(h + l) = sin h cos l + cos h sin l. Past _PHASE_LIMIT, nan (as torch's is, past 1e205)."""
    z = np.where(-x <= _PHASE_LIMIT, -x, np.nan)
    high, low = _airy_phase(z)
    p, q = _hankel_amplitudes(1 / 3, high)
    cos_high, sin_high = _quarter_turn_back(high)
    cos_low, sin_low = np.cos(low), np.sin(low)
    cos_phase, sin_phase = cos_high * cos_low - sin_high * sin_low, sin_high * cos_low + cos_high * sin_low
    return (p * cos_phase - q * sin_phase) / (math.sqrt(math.pi) * np.sqrt(np.sqrt(z)))


def airy_ai(x):
    """The Airy function Ai(x): nan at +-inf, as in torch."""
    v = _as_float64(x)
    a = np.where(np.isfinite(v), v, 0.0).ravel()
    out = np.empty_like(a)
    for method, where in ((_airy_negative, a < _AIRY_NEGATIVE),
                          (_airy_taylor, (a >= _AIRY_NEGATIVE) & (a < _AIRY_POSITIVE)),
                          (_airy_positive, a >= _AIRY_POSITIVE)):
        out[where] = method(a[where])
    out = np.where(np.isfinite(v), out.reshape(v.shape), np.nan)
    return out.astype(x.dtype, copy=False)
