"""The von Mises distribution: a normal distribution on the circle."""

import math

from minigrad import _dtype
from minigrad.autograd.grad_mode import no_grad
from minigrad.creation import as_tensor, empty
from minigrad.distributions import constraints
from minigrad.distributions.distribution import Distribution
from minigrad.distributions.utils import _standard_draws, broadcast_all, lazy_property
from minigrad.functions import cos, where

__all__ = ["VonMises"]

# Polynomial approximations of the modified Bessel functions I0 and I1 (Abramowitz and Stegun,
# Handbook of Mathematical Functions, 9.8.1 to 9.8.4), relative error below 2e-7; the same as
# torch's, so that both give the same densities. For x < 3.75, in t = (x / 3.75)^2:
#     I0(x) = p0(t),  I1(x) = x p1(t);
# for x >= 3.75, in s = 3.75 / x:
#     I0(x) = exp(x) / sqrt(x) q0(s),  I1(x) = exp(x) / sqrt(x) q1(s).
_SMALL = {0: [1.0, 3.5156229, 3.0899424, 1.2067492, 0.2659732, 0.360768e-1, 0.45813e-2],
          1: [0.5, 0.87890594, 0.51498869, 0.15084934, 0.2658733e-1, 0.301532e-2, 0.32411e-3]}
_LARGE = {0: [0.39894228, 0.1328592e-1, 0.225319e-2, -0.157565e-2, 0.916281e-2, -0.2057706e-1, 0.2635537e-1,
              -0.1647633e-1, 0.392377e-2],
          1: [0.39894228, -0.3988024e-1, -0.362018e-2, 0.163801e-2, -0.1031555e-1, 0.2282967e-1, -0.2895312e-1,
              0.1787654e-1, -0.420059e-2]}


def _polynomial(t, coefficients):
    """c0 + c1 t + c2 t^2 + ..., by Horner's rule."""
    result = coefficients[-1]
    for c in reversed(coefficients[:-1]):
        result = c + t * result
    return result


def _log_bessel(x, order):
    """log I_order(x) for x > 0 and order 0 or 1, from the approximations above."""
    small = _polynomial((x / 3.75) ** 2, _SMALL[order])
    if order == 1:
        small = x.abs() * small
    large = x - 0.5 * x.log() + _polynomial(3.75 / x, _LARGE[order]).log()
    return where(x < 3.75, small.log(), large)


class VonMises(Distribution):
    """VonMises(loc, concentration): angles around loc (mu), concentrated as kappa grows (a normal of
    variance 1 / kappa for large kappa, the uniform distribution on the circle for kappa -> 0).

        p(x) = exp(kappa cos(x - mu)) / (2 pi I0(kappa))

    loc and values may be any real numbers, read as angles modulo 2 pi; draws lie in [-pi, pi).
    The mean and the variance are the circular ones: mu, and 1 - I1(kappa) / I0(kappa).
    No rsample: the draws come from a rejection sampler (Best and Fisher, 1979).
    """

    arg_constraints = {"loc": constraints.real, "concentration": constraints.positive}
    support = constraints.real
    has_rsample = False

    def __init__(self, loc, concentration, validate_args=None):
        self.loc, self.concentration = broadcast_all(loc, concentration)
        super().__init__(self.loc.shape, (), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_parameters(VonMises, batch_shape, _instance, ("loc", "concentration"))

    def log_prob(self, value):
        """kappa cos(x - mu) - log(2 pi) - log I0(kappa)."""
        value = as_tensor(value, dtype=self.loc.dtype)
        if self._validate_args:
            self._validate_sample(value)
        return (self.concentration * cos(value - self.loc) - math.log(2 * math.pi)
                - _log_bessel(self.concentration, order=0))

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @lazy_property
    def variance(self):
        """The circular variance 1 - I1(kappa) / I0(kappa)."""
        return 1 - (_log_bessel(self.concentration, order=1) - _log_bessel(self.concentration, order=0)).exp()

    @lazy_property
    def _proposal_r(self):
        """The parameter r of Best and Fisher's wrapped Cauchy envelope, in float64 (in float32 the
        sampler hangs for small kappa): r = (1 + rho^2) / (2 rho) with
        rho = (tau - sqrt(2 tau)) / (2 kappa), tau = 1 + sqrt(1 + 4 kappa^2); for kappa < 1e-5,
        where that cancels, its expansion 1 / kappa + kappa."""
        kappa = self.concentration.to(_dtype.float64)
        tau = 1 + (1 + 4 * kappa ** 2).sqrt()
        rho = (tau - (2 * tau).sqrt()) / (2 * kappa)
        return where(kappa < 1e-5, 1 / kappa + kappa, (1 + rho ** 2) / (2 * rho))

    def sample(self, sample_shape=()):
        """Best and Fisher's rejection sampler, for the whole batch at once: each round draws three
        uniforms u1, u2, u3 for every element not yet accepted; the candidate angle is
        +-acos(f), f = (1 + r z) / (r + z) with z = cos(pi u1), and it is accepted when
        c (2 - c) > u2 or log(c / u2) + 1 - c >= 0, with c = kappa (r - f). Rounds go on until every
        element is accepted; the angle is then shifted by loc and wrapped into [-pi, pi)."""
        shape = self._extended_shape(sample_shape)
        with no_grad():
            kappa = self.concentration.to(_dtype.float64).expand(shape)
            r = self._proposal_r.expand(shape)
            x = empty(shape, dtype=_dtype.float64)
            done = x.new_zeros(shape, dtype=_dtype.bool)
            while not done.all():
                u1, u2, u3 = _standard_draws("random", (3,) + tuple(shape), _dtype.float64).unbind()
                z = cos(math.pi * u1)
                f = (1 + r * z) / (r + z)
                c = kappa * (r - f)
                accept = ~done & (((c * (2 - c) - u2) > 0) | ((c / u2).log() + 1 - c >= 0))
                x = where(accept, (u3 - 0.5).sign() * f.acos(), x)
                done = done | accept
            loc = self.loc.to(_dtype.float64)
            return ((x + math.pi + loc) % (2 * math.pi) - math.pi).to(self.loc.dtype)
