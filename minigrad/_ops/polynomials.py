"""The classical orthogonal polynomials of torch.special, p_n(x) for a degree n per element.

Each family is its three-term recurrence p_(k+1) = step(k, x, p_k, p_(k-1)) from p_0 = 1 and
its own p_1, run for every element up to its n (one step of the loop advances all the elements
still short of their degree). Where |x| < 1 and n > 6, the Chebyshev polynomials are their
closed forms in the angle theta = arccos(x) instead, in work that does not grow with n, as torch
does: T_n = cos(n theta), U_n = sin((n + 1) theta) / sin(theta),
V_n = cos((n + 1/2) theta) / cos(theta / 2), W_n = sin((n + 1/2) theta) / sin(theta / 2).
A divisor that tends to 0 as theta tends to pi (x to -1) would keep only the digits of its
distance to pi, which theta's rounding takes: there U and V are taken from the angle of -x, as
U_n(x) = (-1)^n U_n(-x) and V_n(x) = (-1)^n W_n(-x). Near theta = 0 the angle and its sines are
accurate, and the quotients with them.
The shifted Chebyshev polynomials are the plain ones at 2x - 1.

n is read as torch reads it: truncated toward zero to a whole number; a negative n, a nan one,
and one past int64's range (which the conversion to an integer turns negative) give 0. The
arithmetic is float64 (the result is cast to the caller's dtype); infinities go through the
recurrence as they do in torch (T_2(inf) = inf, T_3(inf) = inf - inf = nan).
"""

import numpy as np

_CLOSED_FORM_FROM = 7  # the Chebyshev polynomials of degree n >= 7 at |x| < 1 by their closed forms


def _degree(n):
    """n truncated toward zero, and -1 where the polynomial is 0 (n < 0, nan, n >= 2^63)."""
    whole = np.trunc(n)
    return np.where((whole >= 0) & (whole < 2.0 ** 63), whole, -1.0)


def _recurrence(x, n, first, step):
    """p_n(x) elementwise for flat arrays x and n (whole numbers, -1 for 0), from p_0 = 1,
    p_1 = first and p_(k+1) = step(k, x, p_k, p_(k-1)). An element leaves the loop at its degree,
    or once its value is nan (every later one is nan too)."""
    out = np.select([n == 0, n == 1], [1.0, first], 0.0)
    going = np.flatnonzero(n >= 2)
    x, n = x[going], n[going]
    previous, current = np.ones_like(x), first[going]
    k = 1
    while going.size:
        previous, current = current, step(k, x, current, previous)
        k += 1
        done = (n == k) | np.isnan(current)
        out[going[done]] = np.where(n[done] == k, current[done], np.nan)
        keep = ~done
        going, x, n, previous, current = going[keep], x[keep], n[keep], previous[keep], current[keep]
    return out


def _evaluate(x, n, first, step, closed_form=None):
    """p_n(x) for arrays x and n that broadcast (float64): the recurrence, or `closed_form`(x, n)
    where |x| < 1 and n >= _CLOSED_FORM_FROM."""
    x, n = np.broadcast_arrays(np.asarray(x, dtype=np.float64), _degree(np.asarray(n, dtype=np.float64)))
    shape, x, n = x.shape, x.ravel(), n.ravel()
    closed = (np.abs(x) < 1) & (n >= _CLOSED_FORM_FROM) & (closed_form is not None)
    out = np.empty_like(x)
    out[~closed] = _recurrence(x[~closed], n[~closed], first(x[~closed]), step)
    if closed.any():
        out[closed] = closed_form(x[closed], n[closed])
    return out.reshape(shape)


def _chebyshev_step(k, x, current, previous):
    return 2 * x * current - previous  # all four kinds: p_(k+1) = 2x p_k - p_(k-1)


def _w_closed(x, m):
    """W_m(cos theta) = sin((m + 1/2) theta) / sin(theta / 2)."""
    theta = np.arccos(x)
    return np.sin((m + 0.5) * theta) / np.sin(theta / 2)


def _sign_of_reflection(x, m):
    """(-1)^m where x < 0 (the reflected forms below), 1 elsewhere."""
    return np.where(x < 0, np.where(m % 2 == 1, -1.0, 1.0), 1.0)


def chebyshev_t(x, n):
    """The Chebyshev polynomial of the first kind, T_n(cos theta) = cos(n theta)."""
    return _evaluate(x, n, lambda y: y, _chebyshev_step, lambda y, m: np.cos(m * np.arccos(y)))


def chebyshev_u(x, n):
    """The Chebyshev polynomial of the second kind, U_n(cos theta) = sin((n + 1) theta) / sin(theta),
    from the angle of |x|."""
    def closed(y, m):
        theta = np.arccos(np.abs(y))
        return _sign_of_reflection(y, m) * np.sin((m + 1) * theta) / np.sin(theta)
    return _evaluate(x, n, lambda y: 2 * y, _chebyshev_step, closed)


def chebyshev_v(x, n):
    """The Chebyshev polynomial of the third kind, V_n(cos theta) = cos((n + 1/2) theta) / cos(theta / 2),
    and (-1)^n W_n(-x) for x < 0."""
    def closed(y, m):
        theta = np.arccos(y)
        direct = np.cos((m + 0.5) * theta) / np.cos(theta / 2)
        return np.where(y >= 0, direct, _sign_of_reflection(y, m) * _w_closed(-y, m))
    return _evaluate(x, n, lambda y: 2 * y - 1, _chebyshev_step, closed)


def chebyshev_w(x, n):
    """The Chebyshev polynomial of the fourth kind, W_n(cos theta) = sin((n + 1/2) theta) / sin(theta / 2)."""
    return _evaluate(x, n, lambda y: 2 * y + 1, _chebyshev_step, _w_closed)


def hermite_h(x, n):
    """The physicists' Hermite polynomial: H_(k+1) = 2x H_k - 2k H_(k-1), H_1 = 2x."""
    return _evaluate(x, n, lambda y: 2 * y, lambda k, y, current, previous: 2 * y * current - 2 * k * previous)


def hermite_he(x, n):
    """The probabilists' Hermite polynomial: He_(k+1) = x He_k - k He_(k-1), He_1 = x."""
    return _evaluate(x, n, lambda y: y, lambda k, y, current, previous: y * current - k * previous)


def laguerre_l(x, n):
    """The Laguerre polynomial: (k + 1) L_(k+1) = (2k + 1 - x) L_k - k L_(k-1), L_1 = 1 - x."""
    return _evaluate(x, n, lambda y: 1 - y,
                     lambda k, y, current, previous: ((2 * k + 1 - y) * current - k * previous) / (k + 1))


def legendre_p(x, n):
    """The Legendre polynomial: (k + 1) P_(k+1) = (2k + 1) x P_k - k P_(k-1), P_1 = x."""
    return _evaluate(x, n, lambda y: y,
                     lambda k, y, current, previous: ((2 * k + 1) * y * current - k * previous) / (k + 1))


def shifted(polynomial):
    """The shifted polynomial on [0, 1]: polynomial(2x - 1, n)."""
    def at_shifted(x, n):
        return polynomial(2 * np.asarray(x, dtype=np.float64) - 1, n)

    at_shifted.__name__ = f"shifted_{polynomial.__name__}"
    at_shifted.__doc__ = f"{polynomial.__name__} at 2x - 1, the interval [0, 1] moved onto [-1, 1]."
    return at_shifted
