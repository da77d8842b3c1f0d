"""The methods of Tensor, by family: one mixin class per module, which Tensor (in tensor.py) inherits.

tensor.py keeps the class and its core (fields, construction, attributes, autograd,
conversions, the NumPy protocols). Everything else a tensor can do is split here by family,
as a reader looks for it: Tensor.sum is in reductions.py, Tensor.index_add_ in scatter.py.

    operands.py        the helpers the families share: `apply`, dtype promotion (`_promote`),
                       numbers written into a dtype, the checks of operands, `_where`
    arithmetic.py      ArithmeticMethods: + - * / // % ** @, add, div, pow, remainder, maximum,
                       atan2, hypot, gcd, lerp, ... (the elementwise functions of two operands)
    comparison.py      ComparisonMethods: == < & | ~, eq, logical_and, isclose, isnan, any, all
    unary.py           UnaryMethods: exp, log, sin, sigmoid, relu, erf, lgamma, clamp, floor, round
    reductions.py      ReductionMethods: sum, mean, prod, max, argmax, var, std, norm, cumsum, softmax
    statistics.py      StatisticsMethods: sort, topk, median, quantile, mode, unique, histc, cov
    shape.py           ShapeMethods: reshape, view, permute, transpose, expand, split, flip, roll
    linalg.py          LinalgMethods: matmul, mm, bmm, dot, addmm, det, inverse, tril, diagonal
    indexing.py        IndexingMethods: x[i], x[i] = v, gather, take, index_select, where
    scatter.py         ScatterMethods: scatter, index_add, index_fill, index_copy, masked_fill, put
    in_place.py        InPlaceMethods: the in-place machinery and add_, exp_, x += y, t_, fill_, ...
    numpy_protocol.py  NumPy's functions on tensors (np.sum, np.einsum, ...) as minigrad ops: the
                       entries of the tables that tensor.py's __array_function__ reads

A mixin holds methods only: no state and no __init__, and `__slots__ = ()`, so that Tensor's
own __slots__ stay the only fields a tensor has (no per-tensor __dict__). Each method is
defined in exactly one family; a method of one family calls another's through self.

The Tensor class here. Imports point down, _ops -> autograd -> _tensor -> tensor, so nothing
in this package imports minigrad.tensor. A method that needs the class itself
(isinstance(x, Tensor), Tensor._wrap(array), Tensor.clone) reads the module global `Tensor`,
which each module declares as None and `use_tensor_type` below sets, once tensor.py has made
the class. Reading a module global costs what reading tensor.py's own global did, so the hot
paths (x + y, x[i], x.sum()) are not slowed by the split; the bodies of the methods read as
they did in tensor.py.

Annotations. Every module uses `from __future__ import annotations`, so `-> Tensor` and
`other: TensorLike` are kept as strings and never evaluated at import. typing.get_type_hints
evaluates them later in the module's globals, where `Tensor` and `TensorLike` are by then the
real class and the real hint (Tensor | npt.ArrayLike): the hints stay meaningful for editors
and for tests/core/test_shell_type_hints.py, the names are defined for ruff, and no module
imports tensor.py, not even under TYPE_CHECKING, which the layering test would count.
"""

from minigrad._tensor import (arithmetic, comparison, in_place, indexing, linalg, numpy_protocol, operands, reductions,
                              scatter, shape, statistics, unary)

# Every module of the package that reads the Tensor class (each declares `Tensor = TensorLike = None`).
MODULES = (operands, arithmetic, comparison, unary, reductions, statistics, shape, linalg, indexing, scatter, in_place,
           numpy_protocol)


def use_tensor_type(cls, tensor_like):
    """Called once by tensor.py after it has made the class: hand the class and the TensorLike hint
    to every module here, as autograd's recorder.use_tensor_type hands the class to the recorder."""
    for module in MODULES:
        module.Tensor, module.TensorLike = cls, tensor_like
