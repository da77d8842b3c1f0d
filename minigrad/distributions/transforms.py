"""Transforms: invertible maps y = f(x) with the log of their Jacobian's determinant, to build new
distributions from old ones (see TransformedDistribution):

    if x has density p_X, then y = f(x) has density p_Y(y) = p_X(f^-1(y)) / |det df/dx|

so log p_Y(y) = log p_X(x) - log|det df/dx| at x = f^-1(y). A LogNormal is Normal through exp.

Each transform has a `domain` and a `codomain` (constraints), a `sign` (+1 where it increases,
-1 where it decreases), and `inv`, the inverse transform. With cache_size=1 it remembers its
last (x, y) pair, so that inverting a value it has just produced returns the exact x.
"""

import functools
import math
import operator

from minigrad import _types, linalg
from minigrad._runtime import finfo
from minigrad.creation import eye, full_like, zeros_like
from minigrad.distributions import constraints
from minigrad.distributions.utils import (_NUMBER, _sum_rightmost, broadcast_all, lazy_property, tril_matrix_to_vec,
                                          vec_to_tril_matrix)
from minigrad.functions import broadcast_shapes, cat, stack
from minigrad.nn.functional import logsigmoid, pad, softplus

__all__ = ["AbsTransform", "AffineTransform", "CatTransform", "ComposeTransform", "CorrCholeskyTransform",
           "CumulativeDistributionTransform", "ExpTransform", "IndependentTransform", "LowerCholeskyTransform",
           "PositiveDefiniteTransform", "PowerTransform", "ReshapeTransform", "SigmoidTransform", "SoftmaxTransform",
           "SoftplusTransform", "StackTransform", "StickBreakingTransform", "TanhTransform", "Transform",
           "identity_transform"]


class Transform:
    """An invertible map with a computable log |det Jacobian|; subclasses define _call, _inverse,
    log_abs_det_jacobian, domain, codomain and sign."""

    bijective = False

    def __init__(self, cache_size=0):
        if cache_size not in (0, 1):
            raise ValueError("cache_size must be 0 or 1")
        self._cache_size = cache_size
        self._cached_x_y = None, None
        self._inv = None

    @property
    def event_dim(self):
        if self.domain.event_dim == self.codomain.event_dim:
            return self.domain.event_dim
        raise ValueError("Please use either .domain.event_dim or .codomain.event_dim")

    @property
    def inv(self):
        """The inverse transform, x = f^-1(y) (made once and kept)."""
        if self._inv is None:
            self._inv = _InverseTransform(self)
        return self._inv

    @property
    def sign(self):
        raise NotImplementedError

    def with_cache(self, cache_size=1):
        if self._cache_size == cache_size:
            return self
        if type(self).__init__ is Transform.__init__:
            return type(self)(cache_size=cache_size)
        raise NotImplementedError(f"{type(self)}.with_cache is not implemented")

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = object.__hash__

    def __call__(self, x):
        """y = f(x) (the cached y when x is the last x seen, with cache_size=1)."""
        if self._cache_size == 0:
            return self._call(x)
        x_old, y_old = self._cached_x_y
        if x is x_old:
            return y_old
        y = self._call(x)
        self._cached_x_y = x, y
        return y

    def _inv_call(self, y):
        """x = f^-1(y) (the cached x when y is the last y produced, with cache_size=1)."""
        if self._cache_size == 0:
            return self._inverse(y)
        x_old, y_old = self._cached_x_y
        if y is y_old:
            return x_old
        x = self._inverse(y)
        self._cached_x_y = x, y
        return x

    def _call(self, x):
        raise NotImplementedError

    def _inverse(self, y):
        raise NotImplementedError

    def log_abs_det_jacobian(self, x, y):
        """log |det dy/dx| at the pair (x, y = f(x))."""
        raise NotImplementedError

    def forward_shape(self, shape):
        """The shape of f(x) for an x of `shape`."""
        return shape

    def inverse_shape(self, shape):
        """The shape of f^-1(y) for a y of `shape`."""
        return shape

    def __repr__(self):
        return type(self).__name__ + "()"


class _InverseTransform(Transform):
    """f^-1 for a transform f: domain and codomain swapped, and
    log|det d(f^-1)/dy| = -log|det df/dx|."""

    def __init__(self, transform):
        super().__init__(cache_size=transform._cache_size)
        self._inv = transform

    @constraints.dependent_property(is_discrete=False)
    def domain(self):
        return self._inv.codomain

    @constraints.dependent_property(is_discrete=False)
    def codomain(self):
        return self._inv.domain

    @property
    def bijective(self):
        return self._inv.bijective

    @property
    def sign(self):
        return self._inv.sign

    @property
    def inv(self):
        return self._inv

    def with_cache(self, cache_size=1):
        return self.inv.with_cache(cache_size).inv

    def __eq__(self, other):
        return isinstance(other, _InverseTransform) and self._inv == other._inv

    __hash__ = object.__hash__

    def __repr__(self):
        return f"{type(self).__name__}({self._inv!r})"

    def __call__(self, x):
        return self._inv._inv_call(x)

    def log_abs_det_jacobian(self, x, y):
        return -self._inv.log_abs_det_jacobian(y, x)

    def forward_shape(self, shape):
        return self._inv.inverse_shape(shape)

    def inverse_shape(self, shape):
        return self._inv.forward_shape(shape)


class ComposeTransform(Transform):
    """The transforms of `parts` applied in order: f = parts[-1] o ... o parts[0]; the log Jacobians
    add up (each summed over the event axes it does not itself cover)."""

    def __init__(self, parts, cache_size=0):
        if cache_size:
            parts = [part.with_cache(cache_size) for part in parts]
        super().__init__(cache_size=cache_size)
        self.parts = parts

    def __eq__(self, other):
        return isinstance(other, ComposeTransform) and self.parts == other.parts

    __hash__ = object.__hash__

    @constraints.dependent_property(is_discrete=False)
    def domain(self):
        """The first part's domain, over as many event axes as the whole chain needs."""
        if not self.parts:
            return constraints.real
        domain = self.parts[0].domain
        event_dim = self.parts[-1].codomain.event_dim
        for part in reversed(self.parts):
            event_dim = max(event_dim + part.domain.event_dim - part.codomain.event_dim, part.domain.event_dim)
        if event_dim > domain.event_dim:
            domain = constraints.independent(domain, event_dim - domain.event_dim)
        return domain

    @constraints.dependent_property(is_discrete=False)
    def codomain(self):
        """The last part's codomain, over as many event axes as the whole chain needs."""
        if not self.parts:
            return constraints.real
        codomain = self.parts[-1].codomain
        event_dim = self.parts[0].domain.event_dim
        for part in self.parts:
            event_dim = max(event_dim + part.codomain.event_dim - part.domain.event_dim, part.codomain.event_dim)
        if event_dim > codomain.event_dim:
            codomain = constraints.independent(codomain, event_dim - codomain.event_dim)
        return codomain

    @lazy_property
    def bijective(self):
        return all(part.bijective for part in self.parts)

    @lazy_property
    def sign(self):
        return functools.reduce(operator.mul, (part.sign for part in self.parts), 1)

    @property
    def inv(self):
        """The inverses of the parts in reverse order."""
        if self._inv is None:
            self._inv = ComposeTransform([part.inv for part in reversed(self.parts)])
            self._inv._inv = self
        return self._inv

    def with_cache(self, cache_size=1):
        if self._cache_size == cache_size:
            return self
        return ComposeTransform(self.parts, cache_size=cache_size)

    def __call__(self, x):
        for part in self.parts:
            x = part(x)
        return x

    def log_abs_det_jacobian(self, x, y):
        if not self.parts:
            return zeros_like(x)
        points = [x]
        for part in self.parts[:-1]:
            points.append(part(points[-1]))
        points.append(y)
        terms = []
        event_dim = self.domain.event_dim
        for part, before, after in zip(self.parts, points[:-1], points[1:]):
            terms.append(_sum_rightmost(part.log_abs_det_jacobian(before, after), event_dim - part.domain.event_dim))
            event_dim += part.codomain.event_dim - part.domain.event_dim
        return functools.reduce(operator.add, terms)

    def forward_shape(self, shape):
        for part in self.parts:
            shape = part.forward_shape(shape)
        return shape

    def inverse_shape(self, shape):
        for part in reversed(self.parts):
            shape = part.inverse_shape(shape)
        return shape

    def __repr__(self):
        return type(self).__name__ + "(\n    " + ",\n    ".join(repr(part) for part in self.parts) + "\n)"


identity_transform = ComposeTransform([])  # no parts: y = x, log|dy/dx| = 0


class IndependentTransform(Transform):
    """base_transform applied unchanged, with its `reinterpreted_batch_ndims` rightmost batch axes
    taken as part of the event: the log|det Jacobian| is summed over them (the Jacobian of a map
    acting element by element is diagonal, so its log determinant is the sum of the elements')."""

    def __init__(self, base_transform, reinterpreted_batch_ndims, cache_size=0):
        super().__init__(cache_size=cache_size)
        self.base_transform = base_transform.with_cache(cache_size)
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims

    def with_cache(self, cache_size=1):
        if self._cache_size == cache_size:
            return self
        return IndependentTransform(self.base_transform, self.reinterpreted_batch_ndims, cache_size=cache_size)

    @constraints.dependent_property(is_discrete=False)
    def domain(self):
        return constraints.independent(self.base_transform.domain, self.reinterpreted_batch_ndims)

    @constraints.dependent_property(is_discrete=False)
    def codomain(self):
        return constraints.independent(self.base_transform.codomain, self.reinterpreted_batch_ndims)

    @property
    def bijective(self):
        return self.base_transform.bijective

    @property
    def sign(self):
        return self.base_transform.sign

    def _call(self, x):
        if x.dim() < self.domain.event_dim:
            raise ValueError("Too few dimensions on input")
        return self.base_transform(x)

    def _inverse(self, y):
        if y.dim() < self.codomain.event_dim:
            raise ValueError("Too few dimensions on input")
        return self.base_transform.inv(y)

    def log_abs_det_jacobian(self, x, y):
        return _sum_rightmost(self.base_transform.log_abs_det_jacobian(x, y), self.reinterpreted_batch_ndims)

    def forward_shape(self, shape):
        return self.base_transform.forward_shape(shape)

    def inverse_shape(self, shape):
        return self.base_transform.inverse_shape(shape)

    def __repr__(self):
        return f"{type(self).__name__}({self.base_transform!r}, {self.reinterpreted_batch_ndims})"


class _ParameterFree(Transform):
    """A transform without parameters: any two of its class are the same map, and equal (torch
    compares them by their class)."""

    def __eq__(self, other):
        return isinstance(other, type(self))

    __hash__ = object.__hash__


class ExpTransform(_ParameterFree):
    """y = exp(x), from the reals to the positive numbers; log|dy/dx| = x."""

    domain = constraints.real
    codomain = constraints.positive
    bijective = True
    sign = +1

    def _call(self, x):
        return x.exp()

    def _inverse(self, y):
        return y.log()

    def log_abs_det_jacobian(self, x, y):
        return x


class SigmoidTransform(_ParameterFree):
    """y = 1 / (1 + exp(-x)), from the reals to (0, 1); log|dy/dx| = log y + log(1 - y)
    = -softplus(-x) - softplus(x)."""

    domain = constraints.real
    codomain = constraints.unit_interval
    bijective = True
    sign = +1

    def _call(self, x):
        """sigmoid(x), kept inside [tiny, 1 - eps] so that its inverse stays finite."""
        bounds = finfo(x.dtype)
        return x.sigmoid().clamp(min=bounds.tiny, max=1.0 - bounds.eps)

    def _inverse(self, y):
        """logit(y) = log y - log(1 - y), y kept inside [tiny, 1 - eps]."""
        bounds = finfo(y.dtype)
        y = y.clamp(min=bounds.tiny, max=1.0 - bounds.eps)
        return y.log() - (-y).log1p()

    def log_abs_det_jacobian(self, x, y):
        return -softplus(-x) - softplus(x)


class SoftplusTransform(_ParameterFree):
    """y = softplus(x) = log(1 + exp(x)) (x itself for x > 20), from the reals to the positive
    numbers; x = log(exp(y) - 1) = y + log(1 - exp(-y)), and log|dy/dx| = log sigmoid(x) = -softplus(-x)."""

    domain = constraints.real
    codomain = constraints.positive
    bijective = True
    sign = +1

    def _call(self, x):
        return softplus(x)

    def _inverse(self, y):
        return (-(-y).expm1()).log() + y

    def log_abs_det_jacobian(self, x, y):
        return -softplus(-x)


class AffineTransform(Transform):
    """y = loc + scale * x (numbers or tensors); log|dy/dx| = log|scale|, summed over the
    `event_dim` rightmost axes when the transform acts on events rather than numbers."""

    bijective = True

    def __init__(self, loc, scale, event_dim=0, cache_size=0):
        super().__init__(cache_size=cache_size)
        self.loc = loc
        self.scale = scale
        self._event_dim = event_dim

    @property
    def event_dim(self):
        return self._event_dim

    @constraints.dependent_property(is_discrete=False)
    def domain(self):
        return constraints.real if self.event_dim == 0 else constraints.independent(constraints.real, self.event_dim)

    @constraints.dependent_property(is_discrete=False)
    def codomain(self):
        return constraints.real if self.event_dim == 0 else constraints.independent(constraints.real, self.event_dim)

    def with_cache(self, cache_size=1):
        if self._cache_size == cache_size:
            return self
        return AffineTransform(self.loc, self.scale, self.event_dim, cache_size=cache_size)

    def __eq__(self, other):
        """Equal when both loc and scale are equal (everywhere, for tensors)."""
        if not isinstance(other, AffineTransform):
            return False
        for mine, theirs in ((self.loc, other.loc), (self.scale, other.scale)):
            if isinstance(mine, _NUMBER) and isinstance(theirs, _NUMBER):
                if mine != theirs:
                    return False
            elif not (mine == theirs).all().item():
                return False
        return True

    __hash__ = object.__hash__

    @property
    def sign(self):
        if isinstance(self.scale, _NUMBER):
            return 1 if float(self.scale) > 0 else -1 if float(self.scale) < 0 else 0
        return self.scale.sign()

    def _call(self, x):
        return self.loc + self.scale * x

    def _inverse(self, y):
        return (y - self.loc) / self.scale

    def log_abs_det_jacobian(self, x, y):
        shape = tuple(x.shape)
        if isinstance(self.scale, _NUMBER):
            result = full_like(x, math.log(abs(self.scale)))
        else:
            result = self.scale.abs().log()
        if self.event_dim:
            result = result.reshape(tuple(result.shape[:-self.event_dim]) + (-1,)).sum(-1)
            shape = shape[:-self.event_dim]
        return result.expand(shape)

    def forward_shape(self, shape):
        return broadcast_shapes(shape, getattr(self.loc, "shape", ()), getattr(self.scale, "shape", ()))

    def inverse_shape(self, shape):
        return broadcast_shapes(shape, getattr(self.loc, "shape", ()), getattr(self.scale, "shape", ()))


class AbsTransform(_ParameterFree):
    """y = |x|, from the reals to the positive numbers. Not invertible: its `inverse` returns y
    itself (the positive root), and it has no log|det Jacobian| or sign, as in torch. HalfNormal
    and HalfCauchy fold their base distribution with it and write their own densities."""

    domain = constraints.real
    codomain = constraints.positive

    def _call(self, x):
        return x.abs()

    def _inverse(self, y):
        return y


class PowerTransform(Transform):
    """y = x^exponent on the positive numbers; x = y^(1 / exponent) and
    log|dy/dx| = log|exponent x^(exponent - 1)| = log|exponent y / x|.
    It increases where the exponent is positive, decreases where it is negative."""

    domain = constraints.positive
    codomain = constraints.positive
    bijective = True

    def __init__(self, exponent, cache_size=0):
        super().__init__(cache_size=cache_size)
        (self.exponent,) = broadcast_all(exponent)

    def with_cache(self, cache_size=1):
        if self._cache_size == cache_size:
            return self
        return PowerTransform(self.exponent, cache_size=cache_size)

    @lazy_property
    def sign(self):
        return self.exponent.sign()

    def __eq__(self, other):
        """Equal when the exponents are equal everywhere."""
        return isinstance(other, PowerTransform) and (self.exponent == other.exponent).all().item()

    __hash__ = object.__hash__

    def _call(self, x):
        return x.pow(self.exponent)

    def _inverse(self, y):
        return y.pow(1 / self.exponent)

    def log_abs_det_jacobian(self, x, y):
        return (self.exponent * y / x).abs().log()

    def forward_shape(self, shape):
        return broadcast_shapes(shape, tuple(self.exponent.shape))

    def inverse_shape(self, shape):
        return broadcast_shapes(shape, tuple(self.exponent.shape))


class TanhTransform(_ParameterFree):
    """y = tanh(x), from the reals to (-1, 1); log|dy/dx| = log(1 - tanh(x)^2)
    = 2 (log 2 - x - softplus(-2x)), a form that stays finite for large |x|. Its inverse, atanh,
    is not clamped: inverting a y of exactly +-1 gives +-inf (use cache_size=1 to get the x back)."""

    domain = constraints.real
    codomain = constraints.interval(-1.0, 1.0)
    bijective = True
    sign = +1

    def _call(self, x):
        return x.tanh()

    def _inverse(self, y):
        return y.atanh()

    def log_abs_det_jacobian(self, x, y):
        return 2.0 * (math.log(2.0) - x - softplus(-2.0 * x))


class SoftmaxTransform(_ParameterFree):
    """y = exp(x) / sum(exp(x)) over the last axis, from vectors of reals to the simplex. Not
    bijective (adding a constant to x changes nothing): its inverse log y is one of many x, and it
    has no log|det Jacobian|."""

    domain = constraints.real_vector
    codomain = constraints.simplex

    def _call(self, x):
        """exp(x - max x), normalised (the shift keeps exp from overflowing)."""
        probs = (x - x.max(-1, True)[0]).exp()
        return probs / probs.sum(-1, True)

    def _inverse(self, y):
        return y.log()

    def forward_shape(self, shape):
        if len(shape) < 1:
            raise ValueError("Too few dimensions on input")
        return shape

    def inverse_shape(self, shape):
        if len(shape) < 1:
            raise ValueError("Too few dimensions on input")
        return shape


def _clipped_sigmoid(x):
    """sigmoid(x) kept inside [tiny, 1 - eps], so that logs of it and of 1 minus it stay finite."""
    bounds = finfo(x.dtype)
    return x.sigmoid().clamp(min=bounds.tiny, max=1.0 - bounds.eps)


class StickBreakingTransform(_ParameterFree):
    """From vectors of K reals to the simplex of K + 1 entries, breaking a stick of length 1:
    entry k takes the fraction z_k = sigmoid(x_k - log(K - k)) (k = 0, ..., K - 1) of what is left,
    and the last entry takes the rest:

        y_k = z_k prod_(j < k) (1 - z_j),   y_K = prod_(j < K) (1 - z_j)

    The shift by log(K - k) maps x = 0 to the centre of the simplex. Bijective; its Jacobian is
    triangular, so log|det| = sum_k log(dy_k / dx_k) = sum_k (log z_k (1 - z_k) + log(y_k / z_k)).
    """

    domain = constraints.real_vector
    codomain = constraints.simplex
    bijective = True

    @staticmethod
    def _log_offsets(x):
        """log(K - k) for k = 0, ..., K - 1, K the size of x's last axis."""
        size = x.shape[-1]
        return (size + 1 - x.new_ones(size).cumsum(-1)).log()

    def _call(self, x):
        z = _clipped_sigmoid(x - self._log_offsets(x))
        left = (1 - z).cumprod(-1)
        return pad(z, [0, 1], value=1) * pad(left, [1, 0], value=1)

    def _inverse(self, y):
        """x_k = log y_k - log(1 - sum_(j <= k) y_j) + log(K - k); what is left is kept at least tiny
        (it can round to 0 or below when the last entries are tiny)."""
        y_crop = y[..., :-1]
        left = (1 - y_crop.cumsum(-1)).clamp(min=finfo(y.dtype).tiny)
        return y_crop.log() - left.log() + self._log_offsets(y_crop)

    def log_abs_det_jacobian(self, x, y):
        """sum_k (-t_k + logsigmoid(t_k) + log y_k) with t = x - log(K - k): log(z (1 - z)) + log(y / z),
        written with 1 - sigmoid(t) = exp(-t) sigmoid(t)."""
        shifted = x - self._log_offsets(x)
        return (-shifted + logsigmoid(shifted) + y[..., :-1].log()).sum(-1)

    def forward_shape(self, shape):
        if len(shape) < 1:
            raise ValueError("Too few dimensions on input")
        return tuple(shape[:-1]) + (shape[-1] + 1,)

    def inverse_shape(self, shape):
        if len(shape) < 1:
            raise ValueError("Too few dimensions on input")
        return tuple(shape[:-1]) + (shape[-1] - 1,)


class ReshapeTransform(Transform):
    """Reshapes the rightmost axes of x from in_shape to out_shape (the same number of elements);
    the axes to their left (the batch) are kept. A rearrangement: log|det Jacobian| = 0."""

    bijective = True

    def __init__(self, in_shape, out_shape, cache_size=0):
        self.in_shape = _types.Size(in_shape)
        self.out_shape = _types.Size(out_shape)
        if self.in_shape.numel() != self.out_shape.numel():
            raise ValueError("in_shape, out_shape have different numbers of elements")
        super().__init__(cache_size=cache_size)

    @constraints.dependent_property
    def domain(self):
        return constraints.independent(constraints.real, len(self.in_shape))

    @constraints.dependent_property
    def codomain(self):
        return constraints.independent(constraints.real, len(self.out_shape))

    def with_cache(self, cache_size=1):
        if self._cache_size == cache_size:
            return self
        return ReshapeTransform(self.in_shape, self.out_shape, cache_size=cache_size)

    def _call(self, x):
        batch_shape = tuple(x.shape[:x.dim() - len(self.in_shape)])
        return x.reshape(batch_shape + tuple(self.out_shape))

    def _inverse(self, y):
        batch_shape = tuple(y.shape[:y.dim() - len(self.out_shape)])
        return y.reshape(batch_shape + tuple(self.in_shape))

    def log_abs_det_jacobian(self, x, y):
        return x.new_zeros(tuple(x.shape[:x.dim() - len(self.in_shape)]))

    def forward_shape(self, shape):
        return self._replace_event(shape, self.in_shape, self.out_shape)

    def inverse_shape(self, shape):
        return self._replace_event(shape, self.out_shape, self.in_shape)

    @staticmethod
    def _replace_event(shape, old, new):
        """shape with its rightmost axes, which must be `old`, replaced by `new`."""
        if len(shape) < len(old):
            raise ValueError("Too few dimensions on input")
        cut = len(shape) - len(old)
        if tuple(shape[cut:]) != tuple(old):
            raise ValueError(f"Shape mismatch: expected {tuple(shape[cut:])} but got {old}")
        return _types.Size(tuple(shape[:cut]) + tuple(new))


class CorrCholeskyTransform(Transform):
    """From vectors of D (D - 1) / 2 reals to Cholesky factors L of D x D correlation matrices: lower
    triangular, positive diagonal, rows of unit length (so that L L^T has ones on its diagonal).

    The vector fills the strictly lower triangle row by row, squashed by tanh into (-1, 1): r_ij.
    Row i is then built by a signed stick-breaking of length 1 (in squares): entry j takes the
    fraction r_ij^2 of the squared length still left,

        L_ij = r_ij sqrt(prod_(k < j) (1 - r_ik^2))   (j < i),   L_ii = sqrt(prod_(k < i) (1 - r_ik^2)),

    so that sum_j L_ij^2 = 1. The domain and codomain differ in size: log|det| is that of the map
    from x to the strictly lower triangle of L.
    """

    domain = constraints.real_vector
    codomain = constraints.corr_cholesky
    bijective = True

    def _call(self, x):
        """r = tanh(x) kept inside [-1 + eps, 1 - eps] (so every row keeps some length), then
        L = (r + I) * (the square root of the length left before each entry)."""
        bound = 1 - finfo(x.dtype).eps
        r = vec_to_tril_matrix(x.tanh().clamp(min=-bound, max=bound), diag=-1)
        left = (1 - r * r).sqrt().cumprod(-1)
        return (r + eye(r.shape[-1], dtype=r.dtype)) * pad(left[..., :-1], [1, 0], value=1)

    def _inverse(self, y):
        """r_ij = L_ij / sqrt(1 - sum_(k < j) L_ik^2) (the length left before entry j), x = atanh(r)."""
        left = pad(1 - (y * y).cumsum(-1)[..., :-1], [1, 0], value=1)
        r = tril_matrix_to_vec(y, diag=-1) / tril_matrix_to_vec(left, diag=-1).sqrt()
        return (r.log1p() - (-r).log1p()) / 2

    def log_abs_det_jacobian(self, x, y):
        """The tanh part, sum log(1 - tanh(x)^2) = sum 2 (log 2 - x - softplus(-2x)), plus the
        stick-breaking part, (1/2) sum over the strictly lower entries of log(1 - sum_(k <= j) L_ik^2)
        taken for j < i - 1 (the squared length left after each entry but the last of a row)."""
        left_after = 1 - (y * y).cumsum(-1)
        stick_breaking = 0.5 * tril_matrix_to_vec(left_after, diag=-2).log().sum(-1)
        tanh = -2 * (x + softplus(-2 * x) - math.log(2.0)).sum(-1)
        return stick_breaking + tanh

    def forward_shape(self, shape):
        """(..., N) to (..., D, D) with N = D (D - 1) / 2."""
        if len(shape) < 1:
            raise ValueError("Too few dimensions on input")
        n = shape[-1]
        d = round((0.25 + 2 * n) ** 0.5 + 0.5)
        if d * (d - 1) // 2 != n:
            raise ValueError("Input is not a flattened lower-diagonal number")
        return _types.Size(tuple(shape[:-1]) + (d, d))

    def inverse_shape(self, shape):
        """(..., D, D) to (..., D (D - 1) / 2)."""
        if len(shape) < 2:
            raise ValueError("Too few dimensions on input")
        if shape[-2] != shape[-1]:
            raise ValueError("Input is not square")
        d = shape[-1]
        return _types.Size(tuple(shape[:-2]) + (d * (d - 1) // 2,))


class LowerCholeskyTransform(_ParameterFree):
    """From square matrices of reals to lower Cholesky factors: the strictly lower triangle is kept,
    the diagonal goes through exp, the upper triangle is dropped (so not bijective, and no log|det|)."""

    domain = constraints.independent(constraints.real, 2)
    codomain = constraints.lower_cholesky

    def _call(self, x):
        return x.tril(-1) + x.diagonal(dim1=-2, dim2=-1).exp().diag_embed()

    def _inverse(self, y):
        return y.tril(-1) + y.diagonal(dim1=-2, dim2=-1).log().diag_embed()


class PositiveDefiniteTransform(_ParameterFree):
    """From square matrices of reals to positive definite ones: L L^T with L = LowerCholeskyTransform(x);
    the inverse takes the Cholesky factor back. Not bijective (the upper triangle is dropped)."""

    domain = constraints.independent(constraints.real, 2)
    codomain = constraints.positive_definite

    def _call(self, x):
        factor = LowerCholeskyTransform()(x)
        return factor @ factor.mT

    def _inverse(self, y):
        return LowerCholeskyTransform().inv(linalg.cholesky(y))


def _check_pieces(tensor, dim, size, what, symbol, name=None):
    """An AssertionError (as torch raises) unless `dim` is an axis of `tensor` (called `symbol`, or
    `name` in the first message) of length `size` (which is `what`)."""
    if not -tensor.dim() <= dim < tensor.dim():
        raise AssertionError(f"dim {dim} out of range for {name or symbol} with {tensor.dim()} dimensions")
    if tensor.shape[dim] != size:
        raise AssertionError(f"{symbol}.size({dim}) = {tensor.shape[dim]} must equal {what} {size}")


class CatTransform(Transform):
    """Transform k of `tseq` applied to the k-th block of `lengths[k]` entries along axis `dim`, the
    results put back together with cat(..., dim). The log|det| of the blocks are concatenated along
    `dim` where it is a batch axis, and added up where it lies among the event axes."""

    def __init__(self, tseq, dim=0, lengths=None, cache_size=0):
        if not all(isinstance(t, Transform) for t in tseq):
            raise AssertionError("All elements of tseq must be Transform instances")
        if cache_size:
            tseq = [t.with_cache(cache_size) for t in tseq]
        super().__init__(cache_size=cache_size)
        self.transforms = list(tseq)
        self.lengths = [1] * len(self.transforms) if lengths is None else list(lengths)
        if len(self.lengths) != len(self.transforms):
            raise AssertionError(f"lengths ({len(self.lengths)}) must match transforms ({len(self.transforms)})")
        self.dim = dim

    @lazy_property
    def event_dim(self):
        return max(t.event_dim for t in self.transforms)

    @lazy_property
    def length(self):
        return sum(self.lengths)

    def with_cache(self, cache_size=1):
        if self._cache_size == cache_size:
            return self
        return CatTransform(self.transforms, self.dim, self.lengths, cache_size)

    @property
    def bijective(self):
        return all(t.bijective for t in self.transforms)

    @constraints.dependent_property
    def domain(self):
        return constraints.cat([t.domain for t in self.transforms], self.dim, self.lengths)

    @constraints.dependent_property
    def codomain(self):
        return constraints.cat([t.codomain for t in self.transforms], self.dim, self.lengths)

    def _blocks(self, tensor):
        """tensor cut along self.dim into blocks of self.lengths."""
        blocks, start = [], 0
        for length in self.lengths:
            blocks.append(tensor.narrow(self.dim, start, length))
            start += length
        return blocks

    def _call(self, x):
        _check_pieces(x, self.dim, self.length, "length", "x", "tensor")
        return cat([t(block) for t, block in zip(self.transforms, self._blocks(x))], self.dim)

    def _inverse(self, y):
        _check_pieces(y, self.dim, self.length, "length", "y", "tensor")
        return cat([t.inv(block) for t, block in zip(self.transforms, self._blocks(y))], self.dim)

    def log_abs_det_jacobian(self, x, y):
        _check_pieces(x, self.dim, self.length, "length", "x")
        _check_pieces(y, self.dim, self.length, "length", "y")
        terms = [_sum_rightmost(t.log_abs_det_jacobian(x_block, y_block), self.event_dim - t.event_dim)
                 for t, x_block, y_block in zip(self.transforms, self._blocks(x), self._blocks(y))]
        dim_in_result = (self.dim - x.dim() if self.dim >= 0 else self.dim) + self.event_dim
        if dim_in_result < 0:
            return cat(terms, dim_in_result)
        return functools.reduce(operator.add, terms)


class StackTransform(Transform):
    """Transform k of `tseq` applied to the k-th slice along axis `dim`, the results put back
    together with stack(..., dim), and so are their log|det|."""

    def __init__(self, tseq, dim=0, cache_size=0):
        if not all(isinstance(t, Transform) for t in tseq):
            raise AssertionError("All elements of tseq must be Transform instances")
        if cache_size:
            tseq = [t.with_cache(cache_size) for t in tseq]
        super().__init__(cache_size=cache_size)
        self.transforms = list(tseq)
        self.dim = dim

    def with_cache(self, cache_size=1):
        if self._cache_size == cache_size:
            return self
        return StackTransform(self.transforms, self.dim, cache_size)

    @property
    def bijective(self):
        return all(t.bijective for t in self.transforms)

    @constraints.dependent_property
    def domain(self):
        return constraints.stack([t.domain for t in self.transforms], self.dim)

    @constraints.dependent_property
    def codomain(self):
        return constraints.stack([t.codomain for t in self.transforms], self.dim)

    def _slices(self, tensor):
        return [tensor.select(self.dim, i) for i in range(tensor.shape[self.dim])]

    def _call(self, x):
        _check_pieces(x, self.dim, len(self.transforms), "len(transforms)", "x", "tensor")
        return stack([t(piece) for t, piece in zip(self.transforms, self._slices(x))], self.dim)

    def _inverse(self, y):
        _check_pieces(y, self.dim, len(self.transforms), "len(transforms)", "y", "tensor")
        return stack([t.inv(piece) for t, piece in zip(self.transforms, self._slices(y))], self.dim)

    def log_abs_det_jacobian(self, x, y):
        _check_pieces(x, self.dim, len(self.transforms), "len(transforms)", "x")
        _check_pieces(y, self.dim, len(self.transforms), "len(transforms)", "y")
        return stack([t.log_abs_det_jacobian(x_piece, y_piece) for t, x_piece, y_piece
                      in zip(self.transforms, self._slices(x), self._slices(y))], self.dim)


class CumulativeDistributionTransform(Transform):
    """y = F(x), the cumulative distribution function of `distribution`, from its support to [0, 1];
    x = F^-1(y) (its icdf), and log|dy/dx| = log p(x), the log density (a Gaussian copula is a
    multivariate normal through the standard normal's cdf)."""

    bijective = True
    codomain = constraints.unit_interval
    sign = +1

    def __init__(self, distribution, cache_size=0):
        super().__init__(cache_size=cache_size)
        self.distribution = distribution

    @property
    def domain(self):
        return self.distribution.support

    def with_cache(self, cache_size=1):
        if self._cache_size == cache_size:
            return self
        return CumulativeDistributionTransform(self.distribution, cache_size=cache_size)

    def _call(self, x):
        return self.distribution.cdf(x)

    def _inverse(self, y):
        return self.distribution.icdf(y)

    def log_abs_det_jacobian(self, x, y):
        return self.distribution.log_prob(x)
