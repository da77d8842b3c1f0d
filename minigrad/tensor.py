"""Tensor: a NumPy array plus the autograd record of where it came from.

The class is a thin shell. Each differentiable method normalises torch-style arguments
(dims, shapes, dtypes; see _arguments.py) and calls `apply` (autograd's `record`), which
runs a primitive's pure forward rule and, when an input requires grad, records a `Node`
for the backward engine. All of the mathematics lives in `minigrad._ops`.

This file holds the class and its core: its fields (__slots__), construction (__init__,
_wrap), the attributes (shape, dtype, stride, ...), autograd (requires_grad, grad, backward,
hooks, retain_grad, detach), the conversions (to, float, numpy, item, clone, new_*, repr) and
the NumPy protocols (__array_ufunc__, __array_function__, and the tables they read, at
the end of this file). Its several hundred other methods come, by family, from the
mixin classes of minigrad/_tensor/, one module each, so that a reader looking for one
method opens the module of its family:

    _tensor/arithmetic.py   + - * / // % ** @, add, div, pow, remainder, maximum, atan2, lerp, ...
    _tensor/comparison.py   == < & | ~, eq, logical_and, isclose, isnan, any, all, ...
    _tensor/unary.py        exp, log, sin, sigmoid, relu, erf, lgamma, clamp, floor, round, ...
    _tensor/reductions.py   sum, mean, prod, max, argmax, var, std, norm, cumsum, softmax, ...
    _tensor/statistics.py   sort, topk, median, quantile, mode, unique, histc, cov, ...
    _tensor/shape.py        reshape, view, permute, transpose, expand, split, flip, roll, ...
    _tensor/linalg.py       matmul, mm, bmm, dot, addmm, det, inverse, tril, diagonal, ...
    _tensor/indexing.py     x[i], x[i] = v, gather, take, index_select, masked_select, where
    _tensor/scatter.py      scatter, index_add, index_fill, index_copy, masked_fill, put, ...
    _tensor/in_place.py     add_, mul_, exp_, x += y, t_, zero_, fill_, copy_, uniform_, ...

The helpers they share (dtype promotion, the checks of operands) are in _tensor/operands.py.
"""

from __future__ import annotations

import builtins
import copy
import numbers
import warnings
import weakref
from builtins import bool as _bool, float as _float, int as _int  # the types, where methods take their names
from collections.abc import Callable, Collection, Iterable, Iterator
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

from minigrad import _dtype, _tensor, _types
from minigrad._arguments import _dim, _fill_value, _shape_args, _sizes
from minigrad._data import _infer
from minigrad._format import format_tensor
from minigrad._ops import elementwise as E
from minigrad._ops import linalg as L
from minigrad._ops import strided as ST
from minigrad._ops.layout import dim_order, gradient_layout
from minigrad._tensor.arithmetic import ArithmeticMethods, _logaddexp, _maximum, _minimum
from minigrad._tensor.comparison import ComparisonMethods
from minigrad._tensor.in_place import InPlaceMethods
from minigrad._tensor.indexing import IndexingMethods
from minigrad._tensor.linalg import LinalgMethods
from minigrad._tensor.numpy_protocol import (_all_axes, _amax, _amin, _any_tensor, _arrays_of, _binary_ufunc, _einsum,
                                             _expand_dims, _like, _mean, _recorded, _stack, _sum, _swapped, _transpose)
from minigrad._tensor.operands import _as_tensor, _raw, _tensor_operand, _where, apply
from minigrad._tensor.reductions import ReductionMethods
from minigrad._tensor.scatter import ScatterMethods
from minigrad._tensor.shape import ShapeMethods, _cat
from minigrad._tensor.statistics import StatisticsMethods
from minigrad._tensor.unary import UnaryMethods
from minigrad._types import _CPU, DeviceLike, DTypeLike, Number, RemovableHandle, Size, SizeLike, _cpu_only, to_arguments
from minigrad.autograd import engine, recorder
from minigrad.autograd.grad_mode import _state as _grad_mode
from minigrad.autograd.node import Node, shown


# torch's legacy per-dtype tensor types (torch.FloatTensor, ...), by the name before "Tensor".
LEGACY_TYPES = {"Float": _dtype.float32, "Double": _dtype.float64, "Half": _dtype.float16,
                "Long": _dtype.int64, "Int": _dtype.int32, "Short": _dtype.int16, "Char": _dtype.int8,
                "Byte": _dtype.uint8, "Bool": _dtype.bool}


def _strided_zeros(size, stride, np_dtype, name="empty_strided"):
    """An array of zeros of `size` whose elements lie `stride` elements apart along each dim, in a
    storage just large enough (overlapping if the strides say so): torch's empty_strided, zeroed
    as minigrad's empty is. With torch's errors for a bad size or stride."""
    for what, value in (("size", size), ("stride", stride)):
        if not isinstance(value, (tuple, list)):
            raise TypeError(f"{name}(): argument '{what}' must be tuple of ints, not {type(value).__name__}")
    shape, steps = _shape_args((size,)), _shape_args((stride,))
    if len(shape) != len(steps):
        raise RuntimeError(f"dimensionality of sizes ({len(shape)}) must match dimensionality of strides ({len(steps)})")
    if builtins.any(n < 0 for n in shape):
        raise RuntimeError(f"Trying to create tensor with negative dimension {builtins.min(shape)}: {list(shape)}")
    if builtins.any(step < 0 for step in steps):
        raise RuntimeError(f"Storage size calculation overflowed with sizes={list(shape)} and strides={list(steps)}")
    storage = np.zeros(ST.storage_size(shape, steps), np_dtype)
    return ST.strided_view(storage, shape, steps, 0)


def _never(self) -> _bool:
    return False


# ------------------------------------------------------------------ the Tensor
class Tensor(ArithmeticMethods, ComparisonMethods, UnaryMethods, ReductionMethods, StatisticsMethods, ShapeMethods,
             LinalgMethods, IndexingMethods, ScatterMethods, InPlaceMethods):
    """An n-dimensional array that can record the operations applied to it."""

    # _view_of, set on views only: the grad_fn their base had when they were made (see recorder.is_stale_view)
    __slots__ = ("_array", "_grad", "_grad_fn", "_requires_grad", "_version_counter", "_hooks", "_base",
                 "_view_of", "__weakref__")
    __array_priority__ = 1000

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        """NumPy's ufuncs on tensors run as minigrad ops, recorded like the methods: np.exp(t) is
        t.exp(), and array * t or np.float32(2) * t is t.__rmul__(...), as Python would call it.

        This is what lets the VJP rules, written for arrays, run unchanged on tensors when
        backward records itself (create_graph=True), so that gradients have gradients.
        """
        op = _UFUNCS.get(ufunc)
        if op is None or method != "__call__" or kwargs.get("out") is not None or len(inputs) != ufunc.nin:
            return NotImplemented
        dtype = kwargs.pop("dtype", None)
        if kwargs:
            return NotImplemented
        result = op(*inputs) if ufunc.nin == 1 else _binary_ufunc(op, *inputs)
        return result if dtype is None else result.to(dtype)

    def __array_function__(self, func: Callable[..., Any], types: Collection[builtins.type], args: tuple[Any, ...],
                           kwargs: dict[str, Any]) -> Any:
        """NumPy functions on tensors: those the VJP rules use (np.where, np.sum, np.reshape,
        np.broadcast_to, ...) run as recorded minigrad ops; any other gets the tensors' arrays,
        as before, unless a tensor is in a graph that is recording, where a silent array would
        drop its gradient: then NumPy raises TypeError."""
        op = _FUNCTIONS.get(func)
        if op is not None:
            return op(*args, **kwargs)
        if _grad_mode.enabled and _any_tensor(args, lambda t: t._requires_grad):
            return NotImplemented
        return func._implementation(*_arrays_of(args), **kwargs)

    def __init__(self, *data: Any, requires_grad: _bool = False) -> None:
        """Tensor(data) copies data; Tensor(2, 3) makes a 2x3 tensor (of zeros here). Both use
        the default dtype, as torch.Tensor does; minigrad.tensor() is the usual way in."""
        default = _dtype.get_default_dtype().numpy
        if data and all(isinstance(n, numbers.Integral) and not isinstance(n, bool) for n in data):
            array = np.zeros(data, dtype=default)
        else:
            value = data[0] if len(data) == 1 else (data or ())
            array = np.array(value._array if isinstance(value, Tensor) else value, dtype=default)
        self._array = array
        self._grad = None
        self._grad_fn = None
        self._requires_grad = False
        self._version_counter = [0]
        self._hooks = None
        self._base = None
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _wrap(cls, array, grad_fn=None, counter=None):
        """Make a Tensor around an existing array without copying or checking it."""
        t = object.__new__(cls)
        t._array = array
        t._grad = None
        t._grad_fn = grad_fn
        t._requires_grad = grad_fn is not None
        t._version_counter = counter or [0]
        t._hooks = None
        t._base = None  # the tensor this one is a view of, if any
        return t

    @property
    def shape(self) -> Size:
        return Size(self._array.shape)

    def size(self, dim: _int | None = None) -> Size | _int:
        if dim is None:
            return Size(self._array.shape)
        return self._array.shape[_dim(dim, self._array.ndim)] if self._array.ndim else 1

    def dim(self) -> _int:
        return self._array.ndim

    ndimension = dim

    @property
    def ndim(self) -> _int:
        return self._array.ndim

    def numel(self) -> _int:
        return self._array.size

    nelement = numel

    def element_size(self) -> _int:
        return self._array.itemsize

    @property
    def dtype(self) -> _dtype.dtype:
        return _dtype.from_numpy(self._array.dtype)

    @property
    def device(self) -> _types.device:
        return _CPU

    @property
    def is_cuda(self) -> _bool:
        return False

    @property
    def is_cpu(self) -> _bool:
        return True

    # minigrad's tensors are dense, strided, on the CPU and of no special kind (torch also has sparse,
    # quantized, nested and meta tensors, and other devices): each of these says no.
    is_sparse = is_sparse_csr = is_quantized = is_nested = is_meta = is_mkldnn = property(_never)
    is_mps = is_xpu = is_ipu = is_vulkan = is_maia = is_mtia = is_xla = property(_never)

    @property
    def layout(self) -> _types.layout:
        return _types.strided

    def is_pinned(self) -> _bool:
        """Whether the tensor lies in page-locked memory for fast copies to a GPU: never, in minigrad."""
        return False

    def pin_memory(self) -> Tensor:
        """Page-locked memory needs an accelerator, which minigrad has not: torch's error without one."""
        raise RuntimeError("Cannot access accelerator device when none is available.")

    def dim_order(self) -> tuple[_int, ...]:
        """The dims from the outermost in memory to the innermost: (0, 1, ..., n-1) for a contiguous
        tensor, (1, 0) for a transposed matrix; where strides leave it open, torch's choice."""
        return dim_order(self._array.shape, self.stride())

    def get_device(self) -> _int:
        """The index of the CUDA device that holds the tensor, -1 for the CPU (minigrad's only device)."""
        return -1

    def is_floating_point(self) -> _bool:
        return self._array.dtype.kind == "f"

    def is_contiguous(self) -> _bool:
        return self._array.flags.c_contiguous

    def stride(self, dim: _int | None = None) -> tuple[_int, ...] | _int:
        """Steps in elements (not bytes) between neighbours along each dim, as in torch."""
        steps = tuple(s // self._array.itemsize for s in self._array.strides)
        return steps if dim is None else steps[_dim(dim, self.ndim)]

    def data_ptr(self) -> _int:
        """The address of the first element: views of one tensor share memory."""
        return self._array.__array_interface__["data"][0]

    const_data_ptr = data_ptr  # (torch's read-only form: the same address)

    def storage_offset(self) -> _int:
        """How many elements into its memory this tensor starts: 0 unless it is a view that starts
        later (x[1] of a 3 x 4 tensor starts 4 elements in)."""
        if self._base is None:
            return 0
        return (self.data_ptr() - self._base.data_ptr()) // self._array.itemsize

    @property
    def itemsize(self) -> _int:
        """The size of one element in bytes."""
        return self._array.itemsize

    @property
    def nbytes(self) -> _int:
        """The size of all the elements in bytes (as if contiguous: an expanded tensor counts each one)."""
        return self._array.size * self._array.itemsize

    def is_signed(self) -> _bool:
        """Whether the dtype holds negative numbers (not bool or uint8)."""
        return self._array.dtype.kind in "if"

    def is_complex(self) -> _bool:
        return False  # minigrad has no complex dtypes

    def is_conj(self) -> _bool:
        return False  # (a lazily conjugated complex tensor, in torch)

    def is_neg(self) -> _bool:
        return False  # (a lazily negated complex tensor, in torch)

    def is_inference(self) -> _bool:
        return False  # minigrad's inference_mode is no_grad: it makes no inference tensors

    def is_same_size(self, other: Tensor) -> _bool:
        return self._array.shape == _tensor_operand(other, "is_same_size")._array.shape

    def is_nonzero(self) -> _bool:
        """Whether the tensor's single element is not zero."""
        if self._array.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with {'no values' if self._array.size == 0 else 'more than one value'} is ambiguous")
        return builtins.bool(self._array.reshape(()) != 0)

    @property
    def data(self) -> Tensor:
        """This tensor's values as a tensor outside the graph (sharing memory, not the version)."""
        return Tensor._wrap(self._array)

    @data.setter
    def data(self, value: Tensor | npt.ArrayLike) -> None:
        self._array = value._array if isinstance(value, Tensor) else np.asarray(value)

    def _version_get(self):
        return self._version_counter[0]

    _version = property(_version_get)

    @property
    def requires_grad(self) -> _bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag: _bool) -> None:
        self.requires_grad_(flag)

    def requires_grad_(self, requires_grad: _bool = True) -> Tensor:
        if self._grad_fn is not None:
            if not requires_grad:
                raise RuntimeError("you can only change requires_grad flags of leaf variables. If you want "
                                   "to use a computed variable in a subgraph that doesn't require "
                                   "differentiation use var_no_grad = var.detach().")
            return self
        if requires_grad and self._array.dtype.kind != "f":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients "
                               f"(this tensor is {self.dtype})")
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def grad(self) -> Tensor | None:
        if self._grad_fn is not None and self._grad_fn.retained is not self:
            warnings.warn("The .grad of a non-leaf tensor is not filled by backward(); call .retain_grad() "
                          "on it first if you want it, or read the .grad of the leaf you meant.",
                          UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got {type(value).__name__}")
            if value.shape != self.shape:
                raise RuntimeError(f"assigned grad has data of a different size: grad {tuple(value.shape)}, "
                                   f"tensor {tuple(self.shape)}")
            if value.dtype is not self.dtype:
                raise RuntimeError(f"assigned grad has data of a different type: grad {value.dtype}, "
                                   f"tensor {self.dtype}")
        self._grad = value

    @property
    def grad_fn(self) -> Node | None:
        return shown(self._grad_fn)

    @property
    def is_leaf(self) -> _bool:
        return self._grad_fn is None

    @property
    def retains_grad(self) -> _bool:
        return self._grad_fn is not None and self._grad_fn.retained is self

    def retain_grad(self) -> None:
        """Keep .grad on this non-leaf tensor after backward (leaves always keep it)."""
        if self._grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        self._grad_fn.retained = self

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> RemovableHandle:
        """Call hook(grad) when this tensor's gradient is computed; a returned tensor replaces it."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        owner = self._grad_fn if self._grad_fn is not None else self
        if owner is self:
            hooks = self._hooks = self._hooks if self._hooks is not None else {}
        else:
            hooks = owner.hooks = owner.hooks if owner.hooks is not None else {}
        handle = RemovableHandle(hooks)
        hooks[handle.id] = _on_gradients(hook)
        return handle

    def register_post_accumulate_grad_hook(self, hook: Callable[[Tensor], None]) -> RemovableHandle:
        """Call hook(tensor) each time backward has accumulated a gradient into this leaf's .grad
        (not for autograd.grad, which leaves .grad alone). The hook gets the tensor itself, and
        may read or change its .grad in place; it returns None."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        hooks = _post_accumulate_grad_hooks.get(id(self))
        if hooks is None:
            hooks = _post_accumulate_grad_hooks[id(self)] = {}
            weakref.finalize(self, _post_accumulate_grad_hooks.pop, id(self), None)
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        return handle

    def _add_grad(self, g):
        """Accumulate a gradient from backward into .grad (an array, or under create_graph a tensor
        in the graph, added out of place so that the sum is recorded too). A new .grad is laid
        out like this tensor, as torch's is. Then the post-accumulate-grad hooks run, if any."""
        if not isinstance(g, Tensor):
            if self._grad is None:
                self._grad = Tensor._wrap(gradient_layout(g, self._array))
            else:  # .grad owns its memory: add in place
                self._grad._array += g
                self._grad._version_counter[0] += 1
        else:
            self._grad = g if self._grad is None else self._grad + g
        if _post_accumulate_grad_hooks and id(self) in _post_accumulate_grad_hooks:
            _run_post_accumulate_grad_hooks(self)

    def backward(self, gradient: Tensor | npt.ArrayLike | None = None, retain_graph: _bool | None = None,
                 create_graph: _bool = False, inputs: Tensor | Iterable[Tensor] | None = None) -> None:
        """Accumulate the gradient of this tensor into the .grad of every leaf it depends on
        (or only into the .grad of `inputs`, when given). With create_graph=True the backward
        pass is recorded too, so that the gradients can be differentiated again. As in torch, the
        gradient may also come in a list or tuple (one gradient per tensor: this one's first)."""
        if isinstance(gradient, (list, tuple)):
            if not gradient:
                raise RuntimeError("got 1 tensors and 0 gradients")
            gradient = gradient[0]
        seed = self._seed(gradient, create_graph)
        if recorder.is_stale_view(self):
            recorder.refuse_stale_view()
        if isinstance(inputs, Tensor):
            inputs = [inputs]
        engine.backward([self], [seed], retain_graph=create_graph if retain_graph is None else retain_graph,
                        inputs=None if inputs is None else list(inputs), create_graph=create_graph)

    def _seed(self, gradient, create_graph=False):
        """The starting gradient of a backward pass from this tensor, checked as torch does: an
        array, or with create_graph a tensor (which may itself require grad). The gradient given
        must be a tensor (or None for a single-element tensor): a number, a list or an array is
        refused with torch's TypeError."""
        if gradient is not None and not isinstance(gradient, Tensor):
            raise TypeError(f"gradients can be either Tensors or None, but got {type(gradient).__name__}")
        if not self._requires_grad:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
        if gradient is None:
            if self._array.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs; pass "
                                   f"gradient= (a tensor of shape {tuple(self.shape)}) to backward()")
            seed = np.array(1, dtype=self._array.dtype)  # (a fifth of np.ones_like's cost for a 0-d loss)
            if self._array.ndim:
                seed = seed.reshape(self._array.shape)
            return Tensor._wrap(seed) if create_graph else seed
        seed = gradient._array
        if seed.shape != self._array.shape:
            raise RuntimeError(f"Mismatch in shape: grad_output[0] has a shape of {tuple(seed.shape)} "
                               f"and output[0] has a shape of {tuple(self.shape)}.")
        if create_graph:
            return gradient if seed.dtype == self._array.dtype else gradient.to(self._array.dtype)
        if seed.dtype != self._array.dtype:  # gradients flow in the dtype of what they are the gradient of
            seed = seed.astype(self._array.dtype)
        return seed

    def detach(self) -> Tensor:
        """The same values outside the graph; shares memory and the version counter."""
        return Tensor._wrap(self._array, None, self._version_counter)

    def detach_(self) -> Tensor:
        self._grad_fn = None
        self._requires_grad = False
        return self

    def numpy(self, force: _bool = False) -> np.ndarray:
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        return self._array

    def __array__(self, dtype: npt.DTypeLike | None = None, copy: _bool | None = None) -> np.ndarray:
        return self._array if dtype is None else self._array.astype(dtype)

    def item(self) -> Number:
        if self._array.size != 1:
            raise RuntimeError(f"a Tensor with {self._array.size} elements cannot be converted to Scalar")
        return self._array.item()

    def tolist(self) -> list[Any] | Number:
        return self._array.tolist()

    def _python_scalar(self):
        """The one element of a tensor, for float(t) and int(t): torch raises ValueError otherwise."""
        if self._array.size != 1:
            raise ValueError(f"only one element tensors can be converted to Python scalars (this one has "
                             f"{self._array.size} elements)")
        return self._array.item()

    def __float__(self) -> _float:
        return float(self._python_scalar())

    def __int__(self) -> _int:
        return int(self._python_scalar())

    def __index__(self) -> _int:
        if self._array.dtype.kind not in "iub" or self._array.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __bool__(self) -> _bool:
        if self._array.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._array)

    def __len__(self) -> _int:
        if self._array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._array.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self._array.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._array.shape[0]))

    __hash__ = object.__hash__  # by identity, as torch; __eq__ is elementwise

    def __format__(self, spec: str) -> str:
        if self._array.ndim == 0:
            return format(self.item(), spec)
        if spec:
            raise TypeError("unsupported format string passed to Tensor.__format__")
        return repr(self)

    def __repr__(self) -> str:
        return format_tensor(self)

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """to(dtype), to(device), to(device, dtype), to(other_tensor); copy=True forces a copy."""
        copy = kwargs.pop("copy", False)
        dtype = to_arguments(args, kwargs)
        if dtype is None or _dtype.as_dtype(dtype).numpy == self._array.dtype:
            return self.clone() if copy else self
        return self._cast(_dtype.as_dtype(dtype).numpy)

    def _cast(self, np_dtype):
        if np_dtype == self._array.dtype:
            return self
        if self._requires_grad and np_dtype.kind == "f":
            return apply(E.to_dtype, self, dtype=np_dtype)
        if self._array.dtype.kind == "f" and np_dtype.kind in "iu":
            with np.errstate(invalid="ignore"):  # nan and inf have no integer: some value, quietly as in torch
                return Tensor._wrap(self._array.astype(np_dtype))
        return Tensor._wrap(self._array.astype(np_dtype))

    def type(self, dtype: DTypeLike | None = None) -> str | Tensor:
        """The legacy type name ('minigrad.FloatTensor'), or a copy cast to `dtype`: a dtype, a
        legacy type (minigrad.LongTensor) or its name ('torch.LongTensor')."""
        if dtype is None:
            name = next(n for n, d in LEGACY_TYPES.items() if d.numpy == self._array.dtype)
            return f"minigrad.{name}Tensor"
        if isinstance(dtype, str) and dtype.endswith("Tensor"):
            dtype = LEGACY_TYPES[dtype.rsplit(".", 1)[-1][:-len("Tensor")]]
        return self.to(getattr(dtype, "dtype", dtype))

    def type_as(self, other: Tensor) -> Tensor:
        return self.to(other.dtype)

    def float(self) -> Tensor:
        return self._cast(np.dtype(np.float32))

    def double(self) -> Tensor:
        return self._cast(np.dtype(np.float64))

    def half(self) -> Tensor:
        return self._cast(np.dtype(np.float16))

    def long(self) -> Tensor:
        return self._cast(np.dtype(np.int64))

    def int(self) -> Tensor:
        return self._cast(np.dtype(np.int32))

    def bool(self) -> Tensor:
        return self._cast(np.dtype(np.bool_))

    def byte(self) -> Tensor:
        return self._cast(np.dtype(np.uint8))

    def char(self) -> Tensor:
        return self._cast(np.dtype(np.int8))

    def short(self) -> Tensor:
        return self._cast(np.dtype(np.int16))

    def cpu(self) -> Tensor:
        return self

    def cuda(self, device: _int | DeviceLike | None = None) -> Tensor:
        """Raises RuntimeError: minigrad runs on the CPU only (use the torch backend for GPUs).

        Annotated as torch's, which returns a copy on the GPU.
        """
        raise _cpu_only("cuda")

    def __deepcopy__(self, memo: dict[int, Any]) -> Tensor:
        """A copy of a leaf: its values, requires_grad and .grad, each copied, as Python's default
        copy of every field would make. A tensor made in a graph is refused, with torch's error:
        its copy would have to copy the graph behind it (before, it did, saved arrays and all)."""
        if self._grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                               "protocol at the moment.  If you were attempting to deepcopy a module, this may be "
                               "because of a torch.nn.utils.weight_norm usage, see "
                               "https://github.com/pytorch/pytorch/pull/103001")
        new = object.__new__(type(self))
        memo[id(self)] = new
        for name in Tensor.__slots__[:-1]:  # (every field but __weakref__)
            if hasattr(self, name):
                object.__setattr__(new, name, copy.deepcopy(getattr(self, name), memo))
        if hasattr(self, "__dict__"):  # a subclass's own attributes
            new.__dict__.update(copy.deepcopy(self.__dict__, memo))
        return new

    def clone(self) -> Tensor:
        return apply(E.clone, self)

    def contiguous(self) -> Tensor:
        if self._array.flags.c_contiguous:
            return self
        return apply(E.clone, self, order="C")

    def new_tensor(self, data: TensorLike, dtype: DTypeLike | None = None, requires_grad: _bool = False) -> Tensor:
        """A new tensor holding a copy of data, by default of this tensor's dtype (torch.tensor's rules)."""
        array = _infer(data, dtype or self.dtype).astype(_dtype.as_dtype(dtype or self.dtype).numpy, copy=False)
        return Tensor._wrap(array).requires_grad_(requires_grad)

    def new_zeros(self, *sizes: _int | SizeLike, size: SizeLike | None = None, dtype: DTypeLike | None = None,
                  requires_grad: _bool = False) -> Tensor:
        return self._new(np.zeros, _sizes(sizes, size, "new_zeros", "size"), dtype, requires_grad)

    def new_ones(self, *sizes: _int | SizeLike, size: SizeLike | None = None, dtype: DTypeLike | None = None,
                 requires_grad: _bool = False) -> Tensor:
        return self._new(np.ones, _sizes(sizes, size, "new_ones", "size"), dtype, requires_grad)

    def new_empty(self, *sizes: _int | SizeLike, size: SizeLike | None = None, dtype: DTypeLike | None = None,
                  requires_grad: _bool = False) -> Tensor:
        return self._new(np.empty, _sizes(sizes, size, "new_empty", "size"), dtype, requires_grad)

    def new_empty_strided(self, size: SizeLike, stride: SizeLike, dtype: DTypeLike | None = None,
                          requires_grad: _bool = False) -> Tensor:
        """empty_strided(size, stride) of this tensor's dtype unless `dtype` is given."""
        np_dtype = _dtype.numpy_dtype(dtype) or self._array.dtype
        return Tensor._wrap(_strided_zeros(size, stride, np_dtype, "new_empty_strided")).requires_grad_(requires_grad)

    def new_full(self, size: SizeLike, fill_value: Number | Tensor, dtype: DTypeLike | None = None,
                 requires_grad: _bool = False) -> Tensor:
        np_dtype = _dtype.numpy_dtype(dtype) or self._array.dtype
        fill_value = _fill_value(fill_value, "new_full")
        return Tensor._wrap(np.full(_shape_args((size,)), fill_value, dtype=np_dtype)).requires_grad_(requires_grad)

    def new(self, *args: Any, size: SizeLike | None = None) -> Tensor:
        """torch's legacy constructor, in this tensor's dtype: new() is empty, new(2, 3) or
        new(size=(2, 3)) of that shape (zeros here, uninitialised in torch), new(data) holds a copy
        of a list, tuple or array, and new(tensor) shares that tensor's memory (its dtype must be
        this one's). New code writes new_empty, new_tensor or torch.tensor."""
        if size is not None or (args and all(isinstance(a, (numbers.Integral, np.integer)) for a in args)) or (
                len(args) == 1 and isinstance(args[0], Size)):
            return self._new(np.zeros, _sizes(args, size), None, False)
        if not args:
            return self._new(np.zeros, (0,), None, False)
        if len(args) > 1:
            bad = next(a for a in args if not isinstance(a, (numbers.Integral, np.integer)))
            raise TypeError(f"new(): the sizes must be ints, got {type(bad).__name__} {bad!r} in {args}")
        data = args[0]
        if isinstance(data, Tensor):
            if data._array.dtype != self._array.dtype:
                raise TypeError(f"new(): a tensor given as data must have this tensor's dtype {self.dtype}, got "
                                f"{data.dtype}")
            return data.detach()
        if not isinstance(data, (list, tuple, np.ndarray)):
            raise TypeError(f"new(): data must be a sequence (got {type(data).__name__})")
        return self.new_tensor(data)

    @property
    def volatile(self) -> _bool:
        """Removed from torch long ago (no_grad replaced it): always False, with torch's warning."""
        warnings.warn("volatile was removed (Variable.volatile is always False)", stacklevel=2)
        return False

    def reinforce(self, reward: Any) -> None:
        raise RuntimeError("reinforce() was removed. Use torch.distributions instead: sample with "
                           "m = Categorical(probs); action = m.sample(), and backward from "
                           "-m.log_prob(action) * reward.")

    def as_subclass(self, cls: type) -> Tensor:
        """This tensor as an instance of `cls`, a subclass of Tensor: the same memory and version
        counter, and, if it requires grad, still in the graph (a view of it, as torch's alias)."""
        if not (isinstance(cls, type) and issubclass(cls, Tensor)):
            raise TypeError("Creating a Tensor subclass from a class that does not inherit from Tensor is not "
                            "possible. Make sure your class inherits from Tensor.")
        alias = self.view_as(self) if self._requires_grad and _grad_mode.enabled else self.detach()
        out = object.__new__(cls)
        for field in ("_array", "_grad", "_grad_fn", "_requires_grad", "_version_counter", "_hooks", "_base"):
            setattr(out, field, getattr(alias, field))
        if alias._base is not None:
            out._view_of = alias._view_of
        return out

    def _new(self, fill, size, dtype, requires_grad):
        np_dtype = _dtype.numpy_dtype(dtype) or self._array.dtype
        return Tensor._wrap(fill(size, dtype=np_dtype)).requires_grad_(requires_grad)


recorder.use_tensor_type(Tensor)


# What the operators and most methods take as their other operand, as in torch: a tensor, a
# Python or NumPy number, or anything else NumPy reads as an array (a list, an ndarray). A hint
# only, for readers and editors: nothing checks it at run time.
TensorLike: TypeAlias = Tensor | npt.ArrayLike
_tensor.use_tensor_type(Tensor, TensorLike)  # the class and the hint, for the method families


# ------------------------------------------------------------------ NumPy's functions on tensors
# The tables that __array_ufunc__ and __array_function__ read; their helpers (_sum, _einsum,
# ...) are in _tensor/numpy_protocol.py.
# Binary ufuncs as (method when the first operand is a tensor, method when only the second is).
_UFUNCS = {
    np.add: (Tensor.__add__, Tensor.__radd__), np.subtract: (Tensor.__sub__, Tensor.__rsub__),
    np.multiply: (Tensor.__mul__, Tensor.__rmul__), np.true_divide: (Tensor.__truediv__, Tensor.__rtruediv__),
    np.power: (Tensor.__pow__, Tensor.__rpow__), np.matmul: (Tensor.__matmul__, Tensor.__rmatmul__),
    np.floor_divide: (Tensor.__floordiv__, Tensor.__rfloordiv__), np.remainder: (Tensor.__mod__, Tensor.__rmod__),
    np.less: (Tensor.__lt__, Tensor.__gt__), np.less_equal: (Tensor.__le__, Tensor.__ge__),
    np.greater: (Tensor.__gt__, Tensor.__lt__), np.greater_equal: (Tensor.__ge__, Tensor.__le__),
    np.equal: (Tensor.__eq__, Tensor.__eq__), np.not_equal: (Tensor.__ne__, Tensor.__ne__),
    np.bitwise_and: (Tensor.__and__, Tensor.__rand__), np.bitwise_or: (Tensor.__or__, Tensor.__ror__),
    np.bitwise_xor: (Tensor.__xor__, Tensor.__rxor__),
    np.logical_and: (Tensor.logical_and, _swapped(Tensor.logical_and)),
    np.logical_or: (Tensor.logical_or, _swapped(Tensor.logical_or)),
    np.maximum: (_maximum, _swapped(_maximum)), np.minimum: (_minimum, _swapped(_minimum)),
    np.arctan2: (lambda y, x: y._floating_binary(E.atan2, x), lambda x, y: _as_tensor(y).atan2(x)),
    np.logaddexp: (lambda a, b: _logaddexp(a, b), lambda b, a: _logaddexp(_as_tensor(a), b)),
    # Unary ufuncs: the method of the same meaning.
    np.negative: Tensor.__neg__, np.positive: Tensor.__pos__, np.absolute: Tensor.abs, np.exp: Tensor.exp,
    np.log: Tensor.log, np.log1p: Tensor.log1p, np.expm1: Tensor.expm1, np.sqrt: Tensor.sqrt,
    np.sin: Tensor.sin, np.cos: Tensor.cos, np.tanh: Tensor.tanh, np.sign: Tensor.sign,
    np.tan: Tensor.tan, np.arcsin: Tensor.asin, np.arccos: Tensor.acos, np.arctan: Tensor.atan,
    np.sinh: Tensor.sinh, np.cosh: Tensor.cosh, np.arcsinh: Tensor.asinh, np.arccosh: Tensor.acosh,
    np.arctanh: Tensor.atanh,
    np.floor: Tensor.floor, np.ceil: Tensor.ceil, np.trunc: Tensor.trunc, np.reciprocal: Tensor.reciprocal,
    np.square: Tensor.square, np.isnan: Tensor.isnan, np.isinf: Tensor.isinf, np.isfinite: Tensor.isfinite,
    np.logical_not: Tensor.logical_not, np.invert: Tensor.__invert__,
}


# NumPy's functions (those the VJP rules call) as recorded minigrad ops.
_FUNCTIONS = {
    np.where: lambda condition, x, y: _where(condition, x, y),
    np.sum: _sum, np.mean: _mean, np.amax: _amax, np.max: _amax, np.amin: _amin, np.min: _amin,
    np.reshape: lambda x, shape, **order: _as_tensor(x).reshape(shape),
    np.broadcast_to: lambda x, shape, subok=False: _as_tensor(x).expand(shape),
    np.expand_dims: _expand_dims,
    np.squeeze: lambda x, axis=None: _as_tensor(x).squeeze(axis) if axis is not None else _as_tensor(x).squeeze(),
    np.transpose: _transpose, np.swapaxes: lambda x, a, b: _as_tensor(x).transpose(a, b),
    np.moveaxis: lambda x, source, destination: _as_tensor(x).movedim(source, destination),
    np.flip: lambda x, axis=None: _as_tensor(x).flip(_all_axes(x, axis) if not isinstance(axis, int) else (axis,)),
    np.cumsum: lambda x, axis=None, dtype=None, out=None: _as_tensor(x).cumsum(axis),
    np.cumprod: lambda x, axis=None, dtype=None, out=None: _as_tensor(x).cumprod(axis),
    np.roll: lambda x, shift, axis=None: _as_tensor(x).roll(shift, axis),
    np.take: lambda x, indices, axis=None: _as_tensor(x).select(axis, indices),
    np.clip: lambda x, a_min=None, a_max=None, **kwargs: _as_tensor(x).clamp(a_min, a_max),
    np.tril: lambda x, k=0: _as_tensor(x).tril(k), np.triu: lambda x, k=0: _as_tensor(x).triu(k),
    np.concatenate: _cat, np.stack: _stack,
    np.zeros_like: _like(np.zeros_like), np.ones_like: _like(np.ones_like), np.full_like: _like(np.full_like),
    np.count_nonzero: lambda x, axis=None, keepdims=False: np.count_nonzero(_raw(x), axis=axis, keepdims=keepdims),
    np.shape: lambda x: _raw(x).shape, np.ndim: lambda x: _raw(x).ndim,
    np.einsum: lambda subscripts, *operands, optimize=False: _einsum(subscripts, *operands),
    np.linalg.solve: lambda a, b: _recorded(L.solve, a, b),
}


# The post-accumulate-grad hooks of leaves, by id of the leaf: a table on the side, so that
# tensors carry no field for these rarely used hooks. An entry goes when its tensor is collected.
_post_accumulate_grad_hooks: dict[int, dict[int, Callable[[Tensor], None]]] = {}


def _run_post_accumulate_grad_hooks(tensor):
    """Call the post-accumulate-grad hooks of `tensor` in order; like torch, refuse a returned value."""
    for hook in tuple(_post_accumulate_grad_hooks[id(tensor)].values()):
        result = hook(tensor)
        if isinstance(result, Tensor):
            raise RuntimeError("Tensor post accumulate grad hooks should return None.")
        if result is not None:
            raise TypeError(f"expected Variable, but hook returned '{type(result).__name__}'")


def _on_gradients(hook):
    """hook(grad) as the engine calls it: on an array (a tensor under create_graph), giving back
    the gradient to use, the same one if the hook returned None."""
    name = getattr(hook, "__name__", type(hook).__name__)

    def run(g):
        given = g if isinstance(g, Tensor) else Tensor._wrap(g)
        result = hook(given)
        if result is None:
            return g
        if not isinstance(result, Tensor):
            raise TypeError(f"expected Variable, but hook returned '{type(result).__name__}'")
        if result.shape != given.shape:  # torch's checks: a hook may change the values only
            raise RuntimeError(f"hook '{name}' has changed the size of value")
        if result.dtype != given.dtype:
            raise RuntimeError(f"hook '{name}' has changed the type of value (was {given.type()} got {result.type()})")
        return result if isinstance(g, Tensor) else result._array
    return run
