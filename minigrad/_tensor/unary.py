"""UnaryMethods: the elementwise functions of one tensor.

exp, log, sqrt, the trigonometric and hyperbolic functions, sigmoid, relu, the special
functions (erf, erfinv, lgamma, digamma, polygamma, mvlgamma, i0, logit), clamp, the rounding
functions (floor, ceil, trunc, round, frac), sign, sgn, signbit, frexp and nan_to_num.

Each calls apply(primitive, ...) on self, after `_floating`: integer inputs of the floating
functions compute in the default dtype, as in torch. Their in-place forms (exp_, clamp_,
floor_, ...) are in in_place.py.
"""

from __future__ import annotations

import collections
import numbers
from builtins import float as _float, int as _int  # as tensor.py names the types

import numpy as np

from minigrad import _dtype
from minigrad._ops import activation as A
from minigrad._ops import elementwise as E
from minigrad._ops import representation as REP
from minigrad._ops import special as SP
from minigrad._tensor.operands import (_as_tensor, _integer_bound, _promote, _python_number, _scalar_type, _where,
                                       apply)
from minigrad._types import Number

# The Tensor class and TensorLike (what the methods take as an operand), set by use_tensor_type
# once tensor.py has made the class: see the package's docstring.
Tensor = TensorLike = None


class UnaryMethods:
    """The elementwise functions of one tensor."""

    __slots__ = ()  # no fields: Tensor's own slots hold them

    def _floating(self):
        """Integer inputs of floating functions (exp, log, ...) compute in the default dtype, as in torch."""
        if self._array.dtype.kind == "f":
            return self
        return Tensor._wrap(self._array.astype(_dtype.get_default_dtype().numpy))

    def exp(self) -> Tensor:
        return apply(E.exp, self._floating())

    def expm1(self) -> Tensor:
        return apply(E.expm1, self._floating())

    def exp2(self) -> Tensor:
        return apply(E.exp2, self._floating())

    def log(self) -> Tensor:
        return apply(E.log, self._floating())

    def log1p(self) -> Tensor:
        return apply(E.log1p, self._floating())

    def log2(self) -> Tensor:
        return apply(E.log2, self._floating())

    def log10(self) -> Tensor:
        return apply(E.log10, self._floating())

    def sqrt(self) -> Tensor:
        return apply(E.sqrt, self._floating())

    def rsqrt(self) -> Tensor:
        return apply(E.rsqrt, self._floating())

    def abs(self) -> Tensor:
        if self._array.dtype == np.bool_:
            raise NotImplementedError("\"abs_cpu\" not implemented for 'Bool'")
        return apply(E.abs, self)

    absolute = abs

    # ---------------------------------------------------------- activations torch has as methods
    def hardshrink(self, lambd: _float = 0.5) -> Tensor:
        """x where |x| > lambd, else 0 (a NaN passes, as do its gradients)."""
        self._refuse_non_floating("hardshrink_cpu")
        return _where((self >= -lambd) & (self <= lambd), 0.0, self)

    def prelu(self, weight: Tensor) -> Tensor:
        """x for x > 0, weight * x otherwise; weight has one entry or one per channel (dim 1)."""
        channels = weight.numel()
        if channels != 1:
            if self.ndim < 2 or self.shape[1] != channels:
                raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                                   f"{channels} and channel size = {self.shape[1] if self.ndim >= 2 else 1}.")
            weight = weight.reshape((channels,) + (1,) * (self.ndim - 2))
        else:
            weight = weight.reshape(())
        return _where(self > 0, self, weight * self)

    # ---------------------------------------------------------- complex numbers' vocabulary
    # minigrad's tensors are real. These are the methods a complex-aware torch script calls on
    # real tensors, with torch's results there: a real number is its own conjugate and its own
    # real part, and its argument is 0 or pi.
    def angle(self) -> Tensor:
        """The argument of each element as a complex number: pi where it is negative, else 0."""
        if self._array.dtype == np.bool_:
            return Tensor._wrap(np.zeros(self._array.shape, _dtype.get_default_dtype().numpy))
        return apply(E.angle, self._floating())

    def conj(self) -> Tensor:
        """The complex conjugate: a real tensor itself, as in torch (the same tensor, not a copy)."""
        return self

    conj_physical = resolve_conj = resolve_neg = conj

    @property
    def real(self) -> Tensor:
        """The real part: a real tensor itself, as in torch."""
        return self

    @property
    def imag(self) -> Tensor:
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")

    def sign(self) -> Tensor:
        return apply(E.sign, self)

    def sgn(self) -> Tensor:
        """sign(self) for real tensors (torch's sgn also takes complex ones), under its own node name."""
        return apply(E.sgn, self)

    def signbit(self) -> Tensor:
        """Whether the sign bit is set: True for negative numbers and for -0.0."""
        return Tensor._wrap(np.signbit(self._array))

    def sin(self) -> Tensor:
        return apply(E.sin, self._floating())

    def cos(self) -> Tensor:
        return apply(E.cos, self._floating())

    def tanh(self) -> Tensor:
        return apply(E.tanh, self._floating())

    def tan(self) -> Tensor:
        return apply(E.tan, self._floating())

    def sinc(self) -> Tensor:
        return apply(E.sinc, self._floating())

    def asin(self) -> Tensor:
        return apply(E.asin, self._floating())

    def acos(self) -> Tensor:
        return apply(E.acos, self._floating())

    def atan(self) -> Tensor:
        return apply(E.atan, self._floating())

    def sinh(self) -> Tensor:
        return apply(E.sinh, self._floating())

    def cosh(self) -> Tensor:
        return apply(E.cosh, self._floating())

    def asinh(self) -> Tensor:
        return apply(E.asinh, self._floating())

    def acosh(self) -> Tensor:
        return apply(E.acosh, self._floating())

    def atanh(self) -> Tensor:
        return apply(E.atanh, self._floating())

    arcsin, arccos, arctan, arcsinh, arccosh, arctanh = asin, acos, atan, asinh, acosh, atanh  # NumPy's names

    def deg2rad(self) -> Tensor:
        return apply(E.deg2rad, self._floating())

    def rad2deg(self) -> Tensor:
        return apply(E.rad2deg, self._floating())

    def sigmoid(self) -> Tensor:
        return apply(E.sigmoid, self._floating())

    def relu(self) -> Tensor:
        return apply(E.relu, self)

    def logit(self, eps: _float | None = None) -> Tensor:
        """log(p / (1 - p)), the inverse of sigmoid; with eps, p is first clamped to [eps, 1 - eps]
        (its gradient is then zero outside)."""
        return apply(SP.logit_primitive, self._floating(), eps=eps)

    # -------------------------------------------------------------- special functions
    def erf(self) -> Tensor:
        return apply(A.erf_primitive, self._floating())

    def erfc(self) -> Tensor:
        return apply(A.erfc_primitive, self._floating())

    def erfinv(self) -> Tensor:
        """The inverse of erf on (-1, 1): +-inf at +-1, nan outside."""
        return apply(SP.erfinv_primitive, self._floating())

    def lgamma(self) -> Tensor:
        """log |Gamma(self)|: inf at 0 and the negative integers."""
        return apply(SP.lgamma_primitive, self._floating())

    def digamma(self) -> Tensor:
        """The derivative of lgamma, Gamma'(x) / Gamma(x)."""
        return apply(SP.digamma_primitive, self._floating())

    def polygamma(self, n: _int) -> Tensor:
        """The n-th derivative of digamma (n = 0 is digamma itself)."""
        return apply(SP.polygamma_primitive, self._floating(), n=_polygamma_order(n))

    def mvlgamma(self, p: _int) -> Tensor:
        """The log of the multivariate gamma function of dimension p:
        p (p - 1) / 4 log(pi) + sum_{j < p} lgamma(self - j / 2)."""
        return apply(SP.mvlgamma_primitive, self._mvlgamma_input(), p=_mvlgamma_dimension(p))

    def _mvlgamma_input(self):
        if self._array.dtype == np.bool_:
            raise RuntimeError("The input tensor may not be a boolean tensor.")
        return self._floating()

    def i0(self) -> Tensor:
        """The modified Bessel function of the first kind of order 0."""
        return apply(SP.i0_primitive, self._floating())

    # -------------------------------------------------------------- bounds and rounding
    def clamp(self, min: Number | Tensor | None = None, max: Number | Tensor | None = None) -> Tensor:
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        if isinstance(min, Tensor) or isinstance(max, Tensor):
            if not all(b is None or isinstance(b, Tensor) for b in (min, max)):  # torch has no mixed form
                kinds = ", ".join(type(b).__name__ for b in (self, min, max))
                raise TypeError(f"clamp() received an invalid combination of arguments - got ({kinds}): the bounds "
                                "must both be numbers or both be tensors (or None)")
            # Tensor bounds broadcast with x, take part in dtype promotion and get gradients.
            x = self
            for bound in (min, max):
                if bound is not None:
                    x, _ = _promote(x, _as_tensor(bound))
            target = x._array.dtype
            min, max = (None if b is None else _as_tensor(b)._cast(target) for b in (min, max))
            try:
                return apply(E.clamp, x, min, max)
            except ValueError as error:
                shapes = [tuple(t.shape) for t in (self, min, max) if t is not None]
                raise RuntimeError(f"clamp: the shapes {shapes} of input, min and max do not broadcast") from error
        min, max = (None if b is None else _python_number(b) for b in (min, max))  # np.float32(2.5) as 2.5
        x = self._floating() if isinstance(min, float) or isinstance(max, float) else self
        if x._array.dtype.kind in "iu":
            min, max = (b if type(b) is not int else _integer_bound(b, x._array.dtype) for b in (min, max))
        return apply(E.clamp, x, min, max)

    clip = clamp

    def clamp_min(self, min: Number | Tensor) -> Tensor:
        return self.clamp(min=min)

    def clamp_max(self, max: Number | Tensor) -> Tensor:
        return self.clamp(max=max)

    def nan_to_num(self, nan: _float = 0.0, posinf: _float | None = None, neginf: _float | None = None) -> Tensor:
        """nan, inf and -inf replaced by `nan` and by the largest and smallest finite numbers of
        the dtype (or posinf and neginf); the gradient passes only where self is finite."""
        replaced = np.nan_to_num(self._array, nan=nan, posinf=posinf, neginf=neginf)
        if self._array.dtype.kind != "f":
            return Tensor._wrap(replaced)
        return _where(np.isfinite(self._array), self, Tensor._wrap(replaced))

    def floor(self) -> Tensor:
        return apply(E.floor, self) if self._rounds("floor") else self.clone()

    def ceil(self) -> Tensor:
        return apply(E.ceil, self) if self._rounds("ceil") else self.clone()

    def trunc(self) -> Tensor:
        return apply(E.trunc, self) if self._rounds("trunc") else self.clone()

    fix = trunc

    def round(self, decimals: _int | None = None) -> Tensor:
        return apply(E.round, self, decimals=decimals or 0) if self._rounds("round", decimals) else self.clone()

    def _rounds(self, name, decimals=None):
        """Whether rounding changes anything: not for an integer tensor, which is whole already.
        As in torch, bools are not rounded, nor integers given any `decimals` (even 0)."""
        if self.is_floating_point():
            return True
        if decimals:
            raise NotImplementedError(f'"round_cpu" not implemented for {_scalar_type(self)!r}')
        if self._array.dtype == np.bool_ or decimals is not None:
            raise NotImplementedError(f'"{name}_vml_cpu" not implemented for {_scalar_type(self)!r}')
        return False

    def frac(self) -> Tensor:
        if not self.is_floating_point():
            raise NotImplementedError(f'"frac_cpu" not implemented for {_scalar_type(self)!r}')
        return apply(E.frac, self)

    def frexp(self) -> tuple[Tensor, Tensor]:
        """(mantissa, exponent) with self = mantissa * 2 ** exponent and 1/2 <= |mantissa| < 1
        (0 and 0 at 0); the exponent is int32 and carries no gradient."""
        if self._array.dtype.kind != "f":
            raise RuntimeError("torch.frexp() only supports floating-point dtypes")
        exponent = np.frexp(self._array)[1].astype(np.int32)
        return _FREXP(apply(REP.frexp_mantissa, self), Tensor._wrap(exponent))


_FREXP = collections.namedtuple("frexp", ["mantissa", "exponent"])  # torch.return_types.frexp's


def _int_argument(value, name, function, position):
    """An argument that must be a Python int (bools refused), with torch's TypeError otherwise."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"{function}(): argument '{name}' (position {position}) must be int, not {type(value).__name__}")
    return int(value)


def _polygamma_order(n, function="polygamma"):
    """polygamma's n: an int >= 0 (`function` names the caller in the TypeError)."""
    if _int_argument(n, "n", function, 1) < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return int(n)


def _mvlgamma_dimension(p):
    """mvlgamma's p: an int >= 1."""
    if _int_argument(p, "p", "mvlgamma", 2) < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    return int(p)
