"""Tensor: a NumPy array plus the autograd record of where it came from.

The class is a thin shell. Each differentiable method normalises torch-style arguments
(dims, shapes, dtypes; see _arguments.py) and calls `apply` (autograd's `record`), which
runs a primitive's pure forward rule and, when an input requires grad, records a `Node`
for the backward engine. All of the mathematics lives in `minigrad._ops`.
"""

from __future__ import annotations

import builtins
import collections
import copy
import math
import numbers
import operator
import warnings
import weakref
from builtins import bool as _bool, float as _float, int as _int  # the types, where methods take their names
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from typing import Any, SupportsIndex, TypeAlias

import numpy as np
import numpy.typing as npt

from minigrad import _dtype, _types
from minigrad._data import _infer
from minigrad._format import format_tensor
from minigrad._arguments import (_axes, _basic_then_advanced, _broadcast_message, _broadcast_shape, _check_index_range,
                                 _check_inplace_shape, _dim, _einsum_subscripts, _fill_value, _index, _index_array,
                                 _infer_shape, _mask_array, _matmul_message, _reduced_axes, _shape_args, _sizes)
from minigrad._ops import activation as A
from minigrad._ops import elementwise as E
from minigrad._ops import indexing as I
from minigrad._ops import linalg as L
from minigrad._ops import reduce as R
from minigrad._ops import representation as REP
from minigrad._ops import scatter as W
from minigrad._ops import shape as S
from minigrad._ops import special as SP
from minigrad._ops.layout import c_order, gradient_layout, laid_out_like
from minigrad._ops.registry import ignore_numpy_errors, restore_numpy_errors
from minigrad._types import (_CPU, DeviceLike, Dims, DTypeLike, Number, RemovableHandle, Size, SizeLike, _cpu_only,
                             _return_type, to_arguments)
from minigrad.autograd import engine, recorder
from minigrad.autograd.grad_mode import _State as _grad_mode
from minigrad.autograd.node import Node, shown
from minigrad.autograd.recorder import record, record_with_constant
from minigrad.random import Generator, _bernoulli, _normal, _numpy_rng, _uniform


apply = record  # every op of the shell runs and records its primitive through this one function
# (or, for a tensor with a number, through record_with_constant: the same record, made shorter)


# torch's legacy per-dtype tensor types (torch.FloatTensor, ...), by the name before "Tensor".
LEGACY_TYPES = {"Float": _dtype.float32, "Double": _dtype.float64, "Half": _dtype.float16,
                "Long": _dtype.int64, "Int": _dtype.int32, "Short": _dtype.int16, "Char": _dtype.int8,
                "Byte": _dtype.uint8, "Bool": _dtype.bool}


def _arithmetic(name, primitive):
    """The method self + other (or -, *, / for `primitive`), made once for each operator so that
    x * 0.5 costs one Python call before the op is recorded. A Python float with a float32 or
    float64 tensor, the most common case, needs no promotion: the float becomes a constant of
    the tensor's dtype."""
    def method(self: Tensor, other: TensorLike) -> Tensor:
        if type(other) is float:
            constants = _float_constants.get(self._array.dtype)  # None unless float32 or float64
            if constants is not None:
                constant = constants.get(other)
                if constant is None:
                    constant = _constant(other, self._array.dtype)
                return record_with_constant(primitive, self, constant)
        if primitive is E.sub:
            _check_no_bool_subtraction(self, other)
        return self._binary(primitive, other)

    method.__name__, method.__qualname__ = name, f"Tensor.{name}"
    return method


def _in_place_form(name):
    """The method `name`_ of Tensor: the out-of-place method `name` applied to the old value
    and written back into the tensor (x.sin_() is x.sin() written into x)."""
    def method(self: Tensor) -> Tensor:
        return self._write_back(operator.methodcaller(name))

    method.__name__, method.__qualname__ = f"{name}_", f"Tensor.{name}_"
    method.__doc__ = f"In place: self = self.{name}()."
    return method


# ------------------------------------------------------------------ the Tensor
class Tensor:
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

    # -------------------------------------------------------------- attributes
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

    # -------------------------------------------------------------- autograd
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

    # -------------------------------------------------------------- conversions
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

    def new_zeros(self, *size: _int | SizeLike, dtype: DTypeLike | None = None, requires_grad: _bool = False) -> Tensor:
        return self._new(np.zeros, size, dtype, requires_grad)

    def new_ones(self, *size: _int | SizeLike, dtype: DTypeLike | None = None, requires_grad: _bool = False) -> Tensor:
        return self._new(np.ones, size, dtype, requires_grad)

    def new_empty(self, *size: _int | SizeLike, dtype: DTypeLike | None = None, requires_grad: _bool = False) -> Tensor:
        return self._new(np.empty, size, dtype, requires_grad)

    def new_full(self, size: SizeLike, fill_value: Number | Tensor, dtype: DTypeLike | None = None,
                 requires_grad: _bool = False) -> Tensor:
        np_dtype = _dtype.numpy_dtype(dtype) or self._array.dtype
        fill_value = _fill_value(fill_value, "new_full")
        return Tensor._wrap(np.full(_shape_args((size,)), fill_value, dtype=np_dtype)).requires_grad_(requires_grad)

    def _new(self, fill, size, dtype, requires_grad):
        np_dtype = _dtype.numpy_dtype(dtype) or self._array.dtype
        return Tensor._wrap(fill(_shape_args(size), dtype=np_dtype)).requires_grad_(requires_grad)

    # -------------------------------------------------------------- arithmetic
    def _binary(self, primitive, other, reverse=False):
        a, b = _promote(self, other, primitive is E.div)
        try:
            if reverse:
                return apply(primitive, b, a)
            if type(b) is float or type(b) is int:
                return _with_number(primitive, a, b)
            return apply(primitive, a, b)
        except ValueError:
            _broadcast_shape(self._array.shape, np.shape(_raw(b)))  # torch's error where the shapes clash
            raise  # any other complaint from NumPy is a bug to see, not a broadcast error

    __add__ = _arithmetic("__add__", E.add)

    def __radd__(self, other: TensorLike) -> Tensor:
        return self._binary(E.add, other, reverse=not _is_scalar(other))  # 1 + x is recorded as x + 1

    __sub__ = _arithmetic("__sub__", E.sub)

    def __rsub__(self, other: TensorLike) -> Tensor:
        _check_no_bool_subtraction(self, other)
        if _is_scalar(other):  # torch's rsub: the number is not an input of the node
            a, b = _promote(self, other)
            return apply(E.rsub, a, other=b)
        return self._binary(E.sub, other, reverse=True)

    __mul__ = _arithmetic("__mul__", E.mul)

    def __rmul__(self, other: TensorLike) -> Tensor:
        return self._binary(E.mul, other, reverse=not _is_scalar(other))  # 2 * x is recorded as x * 2

    __truediv__ = _arithmetic("__truediv__", E.div)

    def __rtruediv__(self, other: TensorLike) -> Tensor:
        if _is_scalar(other):  # as torch records it: c / x = (1 / x) * c
            a, b = _promote(self, other, true_division=True)
            return _with_number(E.mul, apply(E.reciprocal, a), b)
        return self._binary(E.div, other, reverse=True)

    def __pow__(self, exponent: TensorLike) -> Tensor:
        if _is_scalar(exponent):
            if self._array.dtype.kind in "iub" and isinstance(exponent, numbers.Integral):
                if exponent < 0:
                    raise RuntimeError("Integers to negative integer powers are not allowed.")
                if _both_bool(self, exponent):  # x ** True is x, x ** False is True: bool, as torch keeps it
                    return Tensor._wrap(np.logical_or(self._array, not exponent))
            base = self if self.is_floating_point() or isinstance(exponent, numbers.Integral) else self.float()
            return apply(E.pow_scalar, base, exponent=exponent.item() if isinstance(exponent, np.generic) else exponent)
        _refuse_bool_kernel(self, exponent, "pow")
        return self._binary(E.pow, exponent)

    def __rpow__(self, base: TensorLike) -> Tensor:
        if _is_scalar(base) and (self.is_floating_point() or isinstance(base, float)):
            a, b = _promote(self, base)  # c ** x: the number is not an input of the node (torch's PowBackward2)
            return apply(E.pow_scalar_base, a, base=b)
        _refuse_bool_kernel(self, base, "pow")
        return self._binary(E.pow, base, reverse=True)

    def __floordiv__(self, other: TensorLike) -> Tensor:
        return self._integer_division(E.floor_divide, other)

    def __mod__(self, other: TensorLike) -> Tensor:
        return self.remainder(other)

    def __rfloordiv__(self, other: TensorLike) -> Tensor:
        return self._integer_division(E.floor_divide, other, reverse=True)

    def __rmod__(self, other: TensorLike) -> Tensor:
        return self._integer_division(E.number_remainder, other, reverse=True)

    def _integer_division(self, primitive, other, reverse=False, **params):
        """x // y or div(rounding_mode=) on the promoted operands (other // x, other % x with
        reverse), with torch's errors: shapes that do not broadcast, two bools (torch has no
        kernel for them), and integer division by zero. Floats divide by zero silently (inf or
        nan)."""
        a, b = _promote(self, other)
        _broadcast_shape(a._array.shape, np.shape(_raw(b)))
        if a._array.dtype.kind in "iub":
            rounding = params.get("rounding_mode", "floor")
            _refuse_bool_kernel(self, other, "remainder_cpu" if primitive is E.number_remainder else f"div_{rounding}_cpu")
            if np.any(np.asarray(_raw(a if reverse else b)) == 0):
                raise RuntimeError("ZeroDivisionError")  # integer division by zero, as torch reports it
        return apply(primitive, b, a, **params) if reverse else apply(primitive, a, b, **params)

    def __neg__(self) -> Tensor:
        if self._array.dtype == np.bool_:
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
                               "to invert a mask, use the `~` or `logical_not()` operator instead.")
        return apply(E.neg, self)

    def __pos__(self) -> Tensor:
        if self._array.dtype == np.bool_:
            raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
        return self

    positive = __pos__

    def __abs__(self) -> Tensor:
        return self.abs()

    def __matmul__(self, other: TensorLike) -> Tensor:
        return self.matmul(other)

    def __rmatmul__(self, other: TensorLike) -> Tensor:
        return _as_tensor(other).matmul(self)

    def add(self, other: TensorLike, alpha: Number = 1) -> Tensor:
        return self + self._scaled(other, alpha)

    def sub(self, other: TensorLike, alpha: Number = 1) -> Tensor:
        _check_no_bool_subtraction(self, other)
        return self - self._scaled(other, alpha)

    def _scaled(self, other, alpha):
        """other * alpha for add/sub(other, alpha=): as in torch, alpha takes no part in type
        promotion (the result has the dtype of self + other), a bool result adds other where alpha
        is true, and a float alpha needs a floating result."""
        if type(alpha) is int and alpha == 1:
            return other
        target = _promote(self, other)[0]._array.dtype
        if isinstance(alpha, (bool, np.bool_)) and target != np.bool_:
            raise RuntimeError("Boolean alpha only supported for Boolean results.")
        if target.kind in "iub" and isinstance(alpha, (float, np.floating)):
            raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")
        if target == np.bool_:
            return other & builtins.bool(alpha)
        other = other._cast(target) if isinstance(other, Tensor) else other
        return other * alpha

    def mul(self, other: TensorLike) -> Tensor:
        return self * other

    def div(self, other: TensorLike, rounding_mode: str | None = None) -> Tensor:
        if rounding_mode is None:
            return self / other
        if rounding_mode in ("floor", "trunc"):
            return self._integer_division(E.div_rounding, other, rounding_mode=rounding_mode)
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                           f"'{rounding_mode}'")

    multiply, divide, subtract, true_divide = mul, div, sub, div

    def pow(self, exponent: TensorLike) -> Tensor:
        return self ** exponent

    def neg(self) -> Tensor:
        return -self

    negative = neg

    def reciprocal(self) -> Tensor:
        return apply(E.reciprocal, _promote(self, 1, true_division=True)[0])

    def square(self) -> Tensor:
        """pow(self, 2), as torch records it (a bool tensor is squared into int64)."""
        return self ** 2

    def floor_divide(self, other: TensorLike) -> Tensor:
        return self // other

    # -------------------------------------------------------------- comparisons and logic
    def _compare(self, ufunc, other):
        a, b = _promote(self, other)
        try:
            return Tensor._wrap(np.asarray(ufunc(_raw(a), _raw(b))))
        except ValueError as error:
            raise RuntimeError(_broadcast_message(self._array.shape, np.shape(_raw(b)))) from error

    def eq(self, other: TensorLike) -> Tensor:
        return self._compare(np.equal, _comparable(other, "eq"))

    def ne(self, other: TensorLike) -> Tensor:
        return self._compare(np.not_equal, _comparable(other, "ne"))

    def lt(self, other: TensorLike) -> Tensor:
        return self._compare(np.less, _comparable(other, "lt"))

    def le(self, other: TensorLike) -> Tensor:
        return self._compare(np.less_equal, _comparable(other, "le"))

    def gt(self, other: TensorLike) -> Tensor:
        return self._compare(np.greater, _comparable(other, "gt"))

    def ge(self, other: TensorLike) -> Tensor:
        return self._compare(np.greater_equal, _comparable(other, "ge"))

    # The operators compare elementwise with tensors, numbers and arrays. With anything else
    # (None, a list, a string) they answer NotImplemented, as torch's do, so that Python decides:
    # x == None is False, x < None a TypeError, and `x in [None, x]` finds x.
    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(np.equal, other) if _is_operand(other) else NotImplemented

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(np.not_equal, other) if _is_operand(other) else NotImplemented

    def __lt__(self, other: TensorLike) -> Tensor:
        return self._compare(np.less, other) if _is_operand(other) else NotImplemented

    def __le__(self, other: TensorLike) -> Tensor:
        return self._compare(np.less_equal, other) if _is_operand(other) else NotImplemented

    def __gt__(self, other: TensorLike) -> Tensor:
        return self._compare(np.greater, other) if _is_operand(other) else NotImplemented

    def __ge__(self, other: TensorLike) -> Tensor:
        return self._compare(np.greater_equal, other) if _is_operand(other) else NotImplemented

    greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne

    def _logical(self, ufunc, other):
        a, b = _promote(self, other)
        if a._array.dtype.kind not in "iub":  # torch's type for this error
            raise NotImplementedError(f"{ufunc.__name__} needs integer or bool operands, but they promote to {a.dtype}")
        return a._compare(ufunc, b)

    def __and__(self, other: TensorLike) -> Tensor:
        return self._logical(np.bitwise_and, other)

    def __or__(self, other: TensorLike) -> Tensor:
        return self._logical(np.bitwise_or, other)

    def __xor__(self, other: TensorLike) -> Tensor:
        return self._logical(np.bitwise_xor, other)

    __rand__, __ror__, __rxor__ = __and__, __or__, __xor__
    bitwise_and, bitwise_or, bitwise_xor = __and__, __or__, __xor__

    def __invert__(self) -> Tensor:
        if self._array.dtype.kind not in "iub":
            raise TypeError(f"~ (bitwise_not) needs an integer or bool tensor, got {self.dtype}")
        return Tensor._wrap(np.asarray(np.invert(self._array)))

    bitwise_not = __invert__

    def logical_not(self) -> Tensor:
        return Tensor._wrap(np.asarray(np.logical_not(self._array)))

    def logical_and(self, other: Tensor) -> Tensor:
        return self._compare(np.logical_and, _tensor_operand(other, "logical_and"))

    def logical_or(self, other: Tensor) -> Tensor:
        return self._compare(np.logical_or, _tensor_operand(other, "logical_or"))

    def logical_xor(self, other: Tensor) -> Tensor:
        return self._compare(np.logical_xor, _tensor_operand(other, "logical_xor"))

    def equal(self, other: Tensor) -> _bool:
        return self.shape == other.shape and bool(np.array_equal(self._array, other._array))

    def allclose(self, other: TensorLike, rtol: _float = 1e-05, atol: _float = 1e-08,
                 equal_nan: _bool = False) -> _bool:
        return bool(np.allclose(self._array, _raw(other), rtol=rtol, atol=atol, equal_nan=equal_nan))

    def isclose(self, other: TensorLike, rtol: _float = 1e-05, atol: _float = 1e-08,
                equal_nan: _bool = False) -> Tensor:
        return Tensor._wrap(np.asarray(np.isclose(self._array, _raw(other), rtol=rtol, atol=atol, equal_nan=equal_nan)))

    def isnan(self) -> Tensor:
        return Tensor._wrap(np.asarray(np.isnan(self._array)))

    def isinf(self) -> Tensor:
        return Tensor._wrap(np.asarray(np.isinf(self._array)))

    def isfinite(self) -> Tensor:
        return Tensor._wrap(np.asarray(np.isfinite(self._array)))

    def isposinf(self) -> Tensor:
        return Tensor._wrap(np.asarray(np.isposinf(self._array)))

    def isneginf(self) -> Tensor:
        return Tensor._wrap(np.asarray(np.isneginf(self._array)))

    def isreal(self) -> Tensor:
        """Whether each element has no imaginary part: all True, minigrad's tensors being real."""
        return Tensor._wrap(np.ones(self._array.shape, dtype=np.bool_))

    def any(self, dim: Dims | None = None, keepdim: _bool = False) -> Tensor:
        return self._truth(np.any(self._array, axis=_axes(dim, self.ndim), keepdims=keepdim))

    def all(self, dim: Dims | None = None, keepdim: _bool = False) -> Tensor:
        return self._truth(np.all(self._array, axis=_axes(dim, self.ndim), keepdims=keepdim))

    def _truth(self, result):
        """any/all's result: bool, but uint8 for a uint8 tensor (torch's old masks were uint8);
        C-ordered, as torch's reductions are."""
        result = np.asarray(result, dtype=np.uint8 if self._array.dtype == np.uint8 else np.bool_)
        return Tensor._wrap(result if self._array.flags.c_contiguous else c_order(result))

    # -------------------------------------------------------------- unary functions
    def exp(self) -> Tensor:
        return apply(E.exp, self._floating())

    def log(self) -> Tensor:
        return apply(E.log, self._floating())

    def log1p(self) -> Tensor:
        return apply(E.log1p, self._floating())

    def sqrt(self) -> Tensor:
        return apply(E.sqrt, self._floating())

    def rsqrt(self) -> Tensor:
        return apply(E.rsqrt, self._floating())

    def abs(self) -> Tensor:
        if self._array.dtype == np.bool_:
            raise NotImplementedError("\"abs_cpu\" not implemented for 'Bool'")
        return apply(E.abs, self)

    absolute = abs

    def sign(self) -> Tensor:
        return apply(E.sign, self)

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

    def sigmoid(self) -> Tensor:
        return apply(E.sigmoid, self._floating())

    def relu(self) -> Tensor:
        return apply(E.relu, self)

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
        x = self._floating() if isinstance(min, float) or isinstance(max, float) else self
        if x._array.dtype.kind in "iu":
            min, max = (b if type(b) is not int else _integer_bound(b, x._array.dtype) for b in (min, max))
        return apply(E.clamp, x, min, max)

    clip = clamp

    def clamp_min(self, min: Number | Tensor) -> Tensor:
        return self.clamp(min=min)

    def clamp_max(self, max: Number | Tensor) -> Tensor:
        return self.clamp(max=max)

    def maximum(self, other: Tensor) -> Tensor:
        """The elementwise maximum of two tensors (other is a tensor, as in torch: clamp(min=c)
        takes a number)."""
        return _maximum(self, _tensor_operand(other, "maximum"))

    def minimum(self, other: Tensor) -> Tensor:
        return _minimum(self, _tensor_operand(other, "minimum"))

    def floor(self) -> Tensor:
        return apply(E.floor, self) if self._rounds("floor") else self.clone()

    def ceil(self) -> Tensor:
        return apply(E.ceil, self) if self._rounds("ceil") else self.clone()

    def trunc(self) -> Tensor:
        return apply(E.trunc, self) if self._rounds("trunc") else self.clone()

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

    def masked_fill(self, mask: TensorLike, value: Number | Tensor) -> Tensor:
        mask = _mask_array(mask, "masked_fill")
        if isinstance(value, Tensor):
            if value.ndim != 0:
                raise RuntimeError(f"masked_fill only supports a 0-dimensional value tensor, but got tensor "
                                   f"with {value.ndim} dimension(s).")
            value = value._cast(self._array.dtype)
        _broadcast_shape(mask.shape, self._array.shape)
        return apply(I.masked_fill, self, mask, value)

    def softmax(self, dim: _int, dtype: DTypeLike | None = None) -> Tensor:
        return self._along_dim(A.softmax, dim, dtype)

    def log_softmax(self, dim: _int, dtype: DTypeLike | None = None) -> Tensor:
        return self._along_dim(A.log_softmax, dim, dtype)

    def _along_dim(self, primitive, dim, dtype):
        """softmax or log_softmax along dim (cast first when dtype is given); a 0-d tensor is one
        entry along its only axis."""
        x = self if dtype is None else self._cast(_dtype.as_dtype(dtype).numpy)
        if not x.is_floating_point():
            raise RuntimeError(f"softmax is not implemented for {x.dtype}; pass a floating-point tensor")
        axis = _dim(dim, x.ndim)
        if x.ndim == 0:
            return apply(primitive, x.reshape(1), axis=0).reshape(())
        return apply(primitive, x, axis=axis)

    def where(self, condition: TensorLike, other: TensorLike) -> Tensor:
        return _where(condition, self, other)

    def _floating(self):
        """Integer inputs of floating functions (exp, log, ...) compute in the default dtype, as in torch."""
        if self._array.dtype.kind == "f":
            return self
        return Tensor._wrap(self._array.astype(_dtype.get_default_dtype().numpy))

    def expm1(self) -> Tensor:
        return apply(E.expm1, self._floating())

    def exp2(self) -> Tensor:
        return apply(E.exp2, self._floating())

    def deg2rad(self) -> Tensor:
        return apply(E.deg2rad, self._floating())

    def rad2deg(self) -> Tensor:
        return apply(E.rad2deg, self._floating())

    def logaddexp(self, other: Tensor) -> Tensor:
        """log(e^self + e^other), finite where e^self would overflow."""
        return _logaddexp(self, _tensor_operand(other, "logaddexp"))

    def signbit(self) -> Tensor:
        """Whether the sign bit is set: True for negative numbers and for -0.0."""
        return Tensor._wrap(np.signbit(self._array))

    def log2(self) -> Tensor:
        return apply(E.log2, self._floating())

    def log10(self) -> Tensor:
        return apply(E.log10, self._floating())

    # -------------------------------------------------------------- reductions
    def sum(self, dim: Dims | None = None, keepdim: _bool = False, dtype: DTypeLike | None = None, *,
            axis: Dims | None = None, keepdims: _bool | None = None) -> Tensor:
        """The sum over dim (all elements for None); axis and keepdims are NumPy's names, which
        torch accepts too."""
        dim, keepdim = (dim if axis is None else axis), (keepdim if keepdims is None else keepdims)
        x = self if dtype is None else self.to(dtype)
        return _in_int64(x, dtype, lambda x: apply(R.sum, x, axis=_reduced_axes(dim, x.ndim), keepdims=keepdim))

    def mean(self, dim: Dims | None = None, keepdim: _bool = False, dtype: DTypeLike | None = None, *,
             axis: Dims | None = None, keepdims: _bool | None = None) -> Tensor:
        dim, keepdim = (dim if axis is None else axis), (keepdim if keepdims is None else keepdims)
        x = self if dtype is None else self.to(dtype)
        if x._array.dtype.kind != "f":
            raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a floating "
                               f"point or complex dtype. Got: {x.dtype}")
        return apply(R.mean, x, axis=_reduced_axes(dim, x.ndim), keepdims=keepdim)

    def nansum(self, dim: Dims | None = None, keepdim: _bool = False, dtype: DTypeLike | None = None) -> Tensor:
        """The sum with each NaN counted as zero (and sent no gradient)."""
        x = self if dtype is None else self.to(dtype)
        if x._array.dtype.kind != "f":
            return x.sum(dim, keepdim, dtype)  # no NaN to skip
        return apply(R.nansum, x, axis=_reduced_axes(dim, x.ndim), keepdims=keepdim)

    def nanmean(self, dim: Dims | None = None, keepdim: _bool = False, dtype: DTypeLike | None = None) -> Tensor:
        """The mean of the values that are not NaN: nansum / their count (NaN where there is none)."""
        x = self if dtype is None else self.to(dtype)
        if x._array.dtype.kind != "f":
            raise RuntimeError(f"nanmean(): expected input to have floating point or complex dtype but got {x.dtype}")
        counted = ~np.isnan(x._array)
        return x.nansum(dim, keepdim) / Tensor._wrap(counted.astype(x._array.dtype)).sum(dim, keepdim)

    def aminmax(self, *, dim: _int | None = None, keepdim: _bool = False) -> tuple[Tensor, Tensor]:
        """(min, max) over dim, or over all elements, as a named pair."""
        axes = () if dim is None else dim
        if dim is None:
            self._check_not_empty("aminmax")
        return _AMINMAX(self.amin(axes, keepdim), self.amax(axes, keepdim))

    def prod(self, dim: _int | None = None, keepdim: _bool = False, dtype: DTypeLike | None = None) -> Tensor:
        x = self if dtype is None else self.to(dtype)
        return _in_int64(x, dtype, lambda x: apply(R.prod, x, axis=_axes(dim, x.ndim), keepdims=keepdim))

    def sum_to_size(self, *size: _int | SizeLike) -> Tensor:
        """The sum over the axes along which a tensor of shape `size` would be broadcast to this
        one's shape: how a gradient is brought back to a broadcast input's shape."""
        shape = tuple(_shape_args(size))
        lead = self.ndim - len(shape)
        if lead < 0 or builtins.any(n not in (1, m) for n, m in zip(shape, self._array.shape[lead:])):
            raise RuntimeError(f"size {list(shape)} is not expandable to size {list(self._array.shape)}")
        axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape) if n == 1 and self._array.shape[lead + i] != 1)
        return (self.sum(axes, keepdim=True) if axes else self).reshape(shape)

    def amax(self, dim: Dims = (), keepdim: _bool = False) -> Tensor:
        return apply(R.amax, self, axis=self._extremum_axes("amax", dim), keepdims=keepdim)

    def amin(self, dim: Dims = (), keepdim: _bool = False) -> Tensor:
        return apply(R.amin, self, axis=self._extremum_axes("amin", dim), keepdims=keepdim)

    def _extremum_axes(self, name, dim):
        """The axes of amax/amin; an empty tensor may be reduced only over axes of non-zero size."""
        axes = _reduced_axes(dim, self.ndim)
        if len(axes) == self.ndim:
            self._check_not_empty(name)
            return axes
        for axis in axes:
            if self._array.shape[axis] == 0:
                raise IndexError(f"{name}(): Expected reduction dim {axis} to have non-zero size.")
        return axes

    def _check_not_empty(self, name):
        if self._array.size == 0:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                               "Specify the reduction dim with the 'dim' argument.")

    def max(self, dim: _int | Tensor | None = None, keepdim: _bool = False, *,
            other: Tensor | None = None) -> Tensor | tuple[Tensor, Tensor]:
        """max() of all elements; max(dim) -> (values, indices); max(other) -> maximum."""
        if other is not None or isinstance(dim, Tensor):
            return self.maximum(dim if other is None else other)
        if dim is None:
            self._check_not_empty("max")
            return apply(R.max_all, self)
        return self._select_along(np.argmax, dim, keepdim, "max")

    def min(self, dim: _int | Tensor | None = None, keepdim: _bool = False, *,
            other: Tensor | None = None) -> Tensor | tuple[Tensor, Tensor]:
        if other is not None or isinstance(dim, Tensor):
            return self.minimum(dim if other is None else other)
        if dim is None:
            self._check_not_empty("min")
            return apply(R.min_all, self)
        return self._select_along(np.argmin, dim, keepdim, "min")

    def _select_along(self, arg_fn, dim, keepdim, name):
        """Values and indices of an extremum along dim; the gradient goes to the chosen index."""
        axis = _dim(dim, self.ndim)
        if self.ndim == 0:
            return _return_type(name)(self.clone(), Tensor._wrap(np.zeros((), dtype=np.int64)))
        if self._array.shape[axis] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {dim} to have non-zero size.")
        index = np.expand_dims(arg_fn(self._array, axis=axis), axis)
        values = apply(I.gather, self, index=index, axis=axis)
        if not keepdim:
            values, index = values.squeeze(axis), np.squeeze(index, axis)
        return _return_type(name)(values, Tensor._wrap(index.astype(np.int64)))

    def argmax(self, dim: _int | None = None, keepdim: _bool = False) -> Tensor:
        return self._arg(np.argmax, dim, keepdim)

    def argmin(self, dim: _int | None = None, keepdim: _bool = False) -> Tensor:
        return self._arg(np.argmin, dim, keepdim)

    def _arg(self, arg_fn, dim, keepdim):
        name = arg_fn.__name__  # argmax or argmin; an empty range has neither, as torch says
        if self._array.dtype == np.bool_:  # (torch has no bool kernel for them)
            raise RuntimeError(f"{name}(): does not support bool input")
        if dim is None:
            if self._array.size == 0:
                raise IndexError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
            index = np.asarray(arg_fn(self._array))
            return Tensor._wrap(index.reshape((1,) * self.ndim) if keepdim else index.astype(np.int64))
        if self.ndim:
            axis = _dim(dim, self.ndim)
        else:
            _dim(dim, 0)  # a 0-d tensor takes dim 0 or -1, as in torch, and has no axis to reduce
            axis = None
        if axis is not None and self._array.shape[axis] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {axis} to have non-zero size.")
        return Tensor._wrap(np.asarray(arg_fn(self._array, axis=axis, keepdims=keepdim)).astype(np.int64))

    def var(self, dim: Dims | _bool | None = None, unbiased: _bool | None = None, keepdim: _bool = False, *,
            correction: Number | None = None) -> Tensor:
        return self._spread(R.var, dim, unbiased, keepdim, correction)

    def std(self, dim: Dims | _bool | None = None, unbiased: _bool | None = None, keepdim: _bool = False, *,
            correction: Number | None = None) -> Tensor:
        return self._spread(R.std, dim, unbiased, keepdim, correction)

    def _spread(self, primitive, dim, unbiased, keepdim, correction):
        if isinstance(dim, bool):  # var(False): the old positional `unbiased`
            dim, unbiased = None, dim
        if correction is None:
            correction = 0 if unbiased is False else 1
        if self._array.dtype.kind != "f":
            raise RuntimeError(f"std and var only support floating point dtypes, but the tensor is {self.dtype}")
        axis = None if dim is None else _reduced_axes(dim, self.ndim)
        count = self._array.size if axis is None else math.prod(self._array.shape[a] for a in axis)
        if count - correction <= 0:
            warnings.warn(f"{primitive.name.lower()}(): degrees of freedom is <= 0 ({count} values with correction "
                          f"{correction}); the result is inf or nan", UserWarning, stacklevel=3)
        return apply(primitive, self, axis=axis, correction=correction, keepdims=keepdim)

    def logsumexp(self, dim: Dims, keepdim: _bool = False) -> Tensor:
        return apply(R.logsumexp, self._floating(), axis=_axes(dim, self.ndim), keepdims=keepdim)

    def cumsum(self, dim: _int, dtype: DTypeLike | None = None) -> Tensor:
        return self._cumulative(R.cumsum, dim, dtype)

    def cumprod(self, dim: _int, dtype: DTypeLike | None = None) -> Tensor:
        return self._cumulative(R.cumprod, dim, dtype)

    def cumsum_(self, dim: _int, *, dtype: DTypeLike | None = None) -> Tensor:
        return self._cumulative_(Tensor.cumsum, "cumsum_out_cpu", dim, dtype)

    def cumprod_(self, dim: _int, *, dtype: DTypeLike | None = None) -> Tensor:
        return self._cumulative_(Tensor.cumprod, "cumprod_out_cpu", dim, dtype)

    def _cumulative_(self, out_of_place, kernel, dim, dtype):
        """self = out_of_place(self, dim): the running sum or product along dim, in self's dtype
        (an integer one accumulates in int64 and is cast back, as in torch). dtype, if given,
        must be self's own: the result is not converted."""
        _dim(dim, self.ndim)  # (torch checks dim first)
        if dtype is not None and _dtype.as_dtype(dtype).numpy != self._array.dtype:
            raise RuntimeError(f"Bad in-place call: input tensor dtype {self.dtype} and output tensor dtype "
                               f"{_dtype.as_dtype(dtype)} should match")
        if self._array.dtype == np.bool_:
            raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')
        return self._write_back(lambda old: out_of_place(old, dim))

    def cummax(self, dim: _int) -> tuple[Tensor, Tensor]:
        return self._running_extreme("cummax", dim, I.cummax, largest=True)

    def cummin(self, dim: _int) -> tuple[Tensor, Tensor]:
        return self._running_extreme("cummin", dim, I.cummin, largest=False)

    def _running_extreme(self, name, dim, primitive, largest):
        """(values, indices) of the running maximum or minimum along dim, as torch's cummax/cummin."""
        axis = _dim(dim, self.ndim)
        if self.ndim == 0:
            return _return_type(name)(self.clone(), Tensor._wrap(np.zeros((), dtype=np.int64)))
        index = I.running_extreme_index(self._array, axis, largest).astype(np.int64)
        indices = Tensor._wrap(index if self._array.flags.c_contiguous else c_order(index))  # (C-ordered, as torch's)
        return _return_type(name)(apply(primitive, self, index=index, axis=axis), indices)

    def logcumsumexp(self, dim: _int) -> Tensor:
        if self._array.dtype.kind != "f":
            raise NotImplementedError(f'"logcumsumexp_out_cpu" not implemented for '
                                      f"'{_dtype.scalar_type_name(self._array.dtype)}'")
        if self.ndim == 0:
            _dim(dim, 0)
            return self.clone()
        return apply(R.logcumsumexp, self, axis=_dim(dim, self.ndim))

    def _cumulative(self, primitive, dim, dtype):
        x = self if dtype is None else self.to(dtype)
        if x.ndim == 0:
            _dim(dim, 0)
            return _in_int64(x, dtype, Tensor.clone)
        return _in_int64(x, dtype, lambda x: apply(primitive, x, axis=_dim(dim, x.ndim)))

    def norm(self, p: _float | str = "fro", dim: Dims | None = None, keepdim: _bool = False,
             dtype: DTypeLike | None = None) -> Tensor:
        """The p-norm over dim (all elements by default); its gradient at a zero norm is 0, as in torch."""
        if self._array.dtype.kind != "f":  # even with a floating dtype= given, as in torch
            raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as input. "
                               f"Got {_dtype.scalar_type_name(self._array.dtype)}")
        x = self if dtype is None else self.to(dtype)
        if isinstance(p, str) and p != "fro":  # "nuc" and other names are matrix norms, which minigrad has not
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
        if p == "fro":
            p = 2
        if p == 1:
            return x.abs().sum(dim, keepdim)
        if p in (float("inf"), -float("inf")):
            axis = x._extremum_axes("amax" if p > 0 else "amin", () if dim is None else dim)
            return apply(R.norm_inf, x, largest=p > 0, axis=axis, keepdims=keepdim)
        if p == 0:
            return apply(R.norm_zero, x, axis=_reduced_axes(dim, x.ndim), keepdims=keepdim)
        return apply(R.norm, x, p=p, axis=_reduced_axes(dim, x.ndim), keepdims=keepdim)

    def count_nonzero(self, dim: Dims | None = None) -> Tensor:
        counts = np.asarray(np.count_nonzero(self._array, axis=_reduced_axes(dim, self.ndim) if dim is not None
                                             else None)).astype(np.int64)
        return Tensor._wrap(counts if self._array.flags.c_contiguous else c_order(counts))  # (C-ordered, as torch's)

    def nonzero(self, as_tuple: _bool = False) -> Tensor | tuple[Tensor, ...]:
        """The indices of the non-zero elements: an (n, ndim) tensor, or one index tensor per dim.
        A 0-d tensor counts as one of shape (1,) for as_tuple (torch's choice) and has no dims otherwise."""
        array = self._array
        if array.ndim == 0:
            if as_tuple:
                return (Tensor._wrap(np.flatnonzero(array).astype(np.int64)),)
            return Tensor._wrap(np.zeros((int(array != 0), 0), dtype=np.int64))
        indices = np.nonzero(array)
        if as_tuple:
            return tuple(Tensor._wrap(i.astype(np.int64)) for i in indices)
        # (n, ndim) as torch lays it out: the transpose of one row of n indices per dim, stride (1, n)
        return Tensor._wrap(np.stack(indices).astype(np.int64).T)

    def unique(self, sorted: _bool = True, return_inverse: _bool = False, return_counts: _bool = False,
               dim: _int | None = None) -> Tensor | tuple[Tensor, ...]:
        """The distinct values, sorted (not differentiable, as in torch); each NaN counts as a value
        of its own, as in torch. With dim, the distinct slices along dim, in lexicographic order."""
        if dim is None:
            values, inverse, counts = np.unique(self._array, return_inverse=True, return_counts=True,
                                                equal_nan=False)
            inverse = inverse.reshape(self._array.shape)
        else:
            axis = _dim(dim, self.ndim)
            values, inverse, counts = np.unique(self._array, return_inverse=True, return_counts=True, axis=axis)
            inverse = inverse.reshape(-1)
        out = [Tensor._wrap(values)]
        if return_inverse:
            out.append(Tensor._wrap(inverse.astype(np.int64)))
        if return_counts:
            out.append(Tensor._wrap(counts.astype(np.int64)))
        return out[0] if len(out) == 1 else tuple(out)

    def unique_consecutive(self, return_inverse: _bool = False, return_counts: _bool = False,
                           dim: _int | None = None) -> Tensor | tuple[Tensor, ...]:
        """The first element of every run of equal consecutive elements (of the flattened tensor;
        with dim, of the slices along dim). return_inverse: which run each element (slice) belongs
        to; return_counts: how long each run is. NaN equals nothing, so each NaN is a run of its own."""
        if dim is None:
            values = self._array.reshape(-1)
            starts = np.ones(values.shape, dtype=bool)
            starts[1:] = values[1:] != values[:-1]
            inverse_shape = self._array.shape
        else:
            if self.ndim == 0:
                raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
            axis = _dim(dim, self.ndim)
            if builtins.any(n == 0 for d, n in enumerate(self._array.shape) if d != axis):
                raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so unique cannot be "
                                   "applied")
            values = np.moveaxis(self._array, axis, 0)
            starts = np.ones(values.shape[:1], dtype=bool)
            starts[1:] = (values[1:] != values[:-1]).any(axis=tuple(builtins.range(1, values.ndim)))
            inverse_shape = values.shape[:1]
        firsts = values[starts] if dim is None else np.moveaxis(values[starts], 0, axis)
        out = [Tensor._wrap(firsts)]
        if return_inverse:
            out.append(Tensor._wrap((np.cumsum(starts) - 1).reshape(inverse_shape)))
        if return_counts:
            out.append(Tensor._wrap(np.diff(np.append(np.flatnonzero(starts), len(starts)))))
        return out[0] if len(out) == 1 else tuple(out)

    def histc(self, bins: _int = 100, min: Number = 0, max: Number = 0) -> Tensor:
        """How many elements fall in each of `bins` equal bins spanning [min, max] (elements
        outside are not counted; the last bin includes max). min = max means the range of the
        elements (widened by 1 each way if they are all equal)."""
        self._check_histogram_input("histogram_cpu")
        if bins <= 0:
            raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
        low, high = self._histogram_range(min, max, "torch.histc", widen=1, of_elements=min == max)
        if low > high:
            raise RuntimeError("torch.histc: max must be larger than min")
        values = self._array.reshape(-1)
        inside = (values >= low) & (values <= high)
        # torch's placement for histc: the fraction of the range times bins, rounded down, in the input's dtype
        position = ((values[inside] - low) / (high - low) * bins).astype(np.int64)
        return Tensor._wrap(_bin_counts(np.minimum(position, bins - 1), None, bins, self._array.dtype))

    def histogram(self, bins: _int | Tensor, *, range: tuple[_float, _float] | None = None,
                  weight: Tensor | None = None, density: _bool = False) -> tuple[Tensor, Tensor]:
        """(hist, bin_edges): how many elements (or how much weight) fall in each bin, the bins
        given by their edges or as a number of equal bins over `range` (by default the range of
        the elements, widened by 0.5 each way if they are all equal). Each bin holds its left
        edge, the last one its right edge too. density=True divides by the total and by each
        bin's width, so that the histogram integrates to 1."""
        self._check_histogram_input("histogramdd")
        if isinstance(bins, Tensor):
            if bins.ndim != 1:
                raise RuntimeError(f"torch.histogramdd: bins tensor should have one dimension, but got {bins.ndim} "
                                   f"dimensions in the bins tensor for dimension 0")
            if bins.numel() == 0:
                raise RuntimeError("torch.histogramdd: bins tensor should have at least 1 element, but got 0 elements "
                                   "in the bins tensor for dimension 0")
            if bins.numel() == 1:
                raise RuntimeError("torch.histogram(): bins must be > 0, but got 0 for dimension 0")
            edges = bins._array.astype(self._array.dtype)
        else:
            if bins <= 0:
                raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
            low, high = self._histogram_range(*(range or (0, 0)), "torch.histogramdd", widen=0.5,
                                              of_elements=range is None)
            if low > high:
                raise RuntimeError(f"torch.histogramdd: min should not exceed max, but got min {low} max {high} for "
                                   f"dimension 0")
            edges = np.linspace(low, high, bins + 1, dtype=self._array.dtype)
        values = self._array.reshape(-1)
        weights = None
        if weight is not None:
            if weight._array.shape != self._array.shape:
                raise RuntimeError(f"torch.histogramdd: if weight tensor is provided it should have the same shape as "
                                   f"the input tensor, but got input with shape {list(self.shape)} and weight with "
                                   f"shape {list(weight.shape)}")
            if weight._array.dtype != self._array.dtype:
                raise RuntimeError(f"torch.histogramdd: if weight tensor is provided, input tensor and weight tensor "
                                   f"should have the same dtype, but got input({self.dtype}), and "
                                   f"weight({weight.dtype})")
            weights = weight._array.reshape(-1)
        inside = (values >= edges[0]) & (values <= edges[-1])
        # the bin of v: the last edge <= v, and the last bin for the right edge itself
        position = np.minimum(np.searchsorted(edges, values[inside], side="right") - 1, len(edges) - 2)
        hist = _bin_counts(position, None if weights is None else weights[inside], len(edges) - 1,
                           self._array.dtype)
        if density:
            hist = hist / (hist.sum() * np.diff(edges))
        return _return_type("histogram", ("hist", "bin_edges"))(Tensor._wrap(hist), Tensor._wrap(edges))

    def _check_histogram_input(self, kernel):
        if not self.is_floating_point():
            raise NotImplementedError(f"\"{kernel}\" not implemented for '{_scalar_type(self)}'")

    def _histogram_range(self, low, high, name, widen, of_elements):
        """The range of a histogram: [low, high] as given, or (of_elements) that of the elements
        ([0, 1] for none), widened by `widen` each way where it is a single point."""
        if of_elements:
            low, high = (self._array.min().item(), self._array.max().item()) if self._array.size else (0, 1)
        if low == high:
            low, high = low - widen, high + widen
        if not (math.isfinite(low) and math.isfinite(high)):
            raise RuntimeError(f"{name}: range of [{low}, {high}] is not finite")
        return self._array.dtype.type(low), self._array.dtype.type(high)

    def bincount(self, weights: TensorLike | None = None, minlength: _int = 0) -> Tensor:
        if self.ndim != 1 or self._array.dtype.kind not in "iu":
            raise RuntimeError(f"bincount only supports 1-d non-negative integral inputs, got shape "
                               f"{list(self.shape)} and dtype {self.dtype}")
        if self._array.size and self._array.min() < 0:
            raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
        counts = np.bincount(self._array, weights=None if weights is None else _raw(weights), minlength=minlength)
        dtype = np.int64 if weights is None else _raw(weights).dtype
        return Tensor._wrap(counts.astype(dtype))

    # -------------------------------------------------------------- sorting
    def sort(self, dim: _int = -1, descending: _bool = False, stable: _bool = False) -> tuple[Tensor, Tensor]:
        axis = _dim(dim, self.ndim)
        if self.ndim == 0:
            return _return_type("sort")(self.clone(), Tensor._wrap(np.zeros((), dtype=np.int64)))
        index = _sort_order(self._array, axis, descending)
        values = apply(I.sort, self, index=index, axis=axis)  # values and indices laid out like self, as torch's
        return _return_type("sort")(values, Tensor._wrap(laid_out_like(index.astype(np.int64), self._array)))

    def argsort(self, dim: _int = -1, descending: _bool = False, stable: _bool = False) -> Tensor:
        return self.sort(dim, descending, stable).indices

    def topk(self, k: _int, dim: _int = -1, largest: _bool = True, sorted: _bool = True) -> tuple[Tensor, Tensor]:
        if self._array.dtype == np.bool_:
            raise RuntimeError("topk does not support bool dtypes on CPU")
        axis = _dim(dim, self.ndim)
        size = self._array.shape[axis] if self.ndim else 1
        if not 0 <= k <= size:
            raise RuntimeError(f"selected index k out of range: k={k} but dimension {dim} has size {size}")
        if self.ndim:
            index = np.take(_sort_order(self._array, axis, largest), np.arange(k), axis=axis)
        else:
            index = np.zeros((), np.int64)
        values = apply(I.topk, self, index=index, axis=axis) if self.ndim else self.clone()
        return _return_type("topk")(values, Tensor._wrap(np.asarray(index, dtype=np.int64)))

    # -------------------------------------------------------------- shape
    def reshape(self, *sizes: _int | SizeLike, shape: SizeLike | None = None) -> Tensor:
        return self._reshape(S.reshape, _sizes(sizes, shape))

    def view(self, *shape: _int | SizeLike | DTypeLike, size: SizeLike | None = None) -> Tensor:
        if len(shape) == 1 and not isinstance(shape[0], (tuple, list, Size, numbers.Integral)):
            return self._view_as_dtype(shape[0])
        shape = _infer_shape(_sizes(shape, size), self._array.size)
        try:
            np.reshape(self._array, shape, copy=False)
        except ValueError:
            raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one "
                               "dimension spans across two contiguous subspaces). Use .reshape(...) instead.") from None
        return apply(S.view, self, shape=shape)

    def _view_as_dtype(self, dtype):
        """view(dtype): the same bytes read as another dtype, no value converted (1.0 as int32 is
        1065353216). With another element size the last dim grows or shrinks by the ratio, so it
        must be contiguous (and divisible, for a wider dtype). Not differentiable, as in torch."""
        target = np.dtype(_dtype.as_dtype(dtype).numpy)
        old, new = self._array.itemsize, target.itemsize
        if old != new:
            what = f"view {self.dtype} as {_dtype.from_numpy(target)} (different element sizes)"
            if self.ndim == 0:
                raise RuntimeError(f"self.dim() cannot be 0 to {what}")
            if self._array.shape[-1] != 1 and self._array.strides[-1] != old:
                raise RuntimeError(f"self.stride(-1) must be 1 to {what}, but got {self.stride(-1)}")
            if new > old and self._array.shape[-1] % (new // old):
                raise RuntimeError(f"self.size(-1) must be divisible by {new // old} to {what}, but got "
                                   f"{self._array.shape[-1]}")
        out = Tensor._wrap(self._array.view(target), None, self._version_counter)
        out._base = self._base if self._base is not None else self
        out._view_of = out._base._grad_fn
        return out

    def view_as(self, other: Tensor) -> Tensor:
        return self.view(other.shape)

    def reshape_as(self, other: Tensor) -> Tensor:
        return self.reshape(other.shape)

    def _reshape(self, primitive, shape):
        return apply(primitive, self, shape=_infer_shape(shape, self._array.size))

    def flatten(self, start_dim: _int = 0, end_dim: _int = -1) -> Tensor:
        if self.ndim == 0:
            return self.reshape(1)
        start, end = _dim(start_dim, self.ndim), _dim(end_dim, self.ndim)
        if start > end:
            raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
        shape = self._array.shape
        return self.reshape(shape[:start] + (-1,) + shape[end + 1:]) if self._array.size else self.reshape(
            shape[:start] + (math.prod(shape[start:end + 1]),) + shape[end + 1:])

    def unfold(self, dimension: _int, size: _int, step: _int) -> Tensor:
        """The slices of `size` elements every `step` elements along `dimension`, as a new last
        dimension: x.unfold(-1, 3, 1) holds each element's neighbourhood, as a convolution reads it."""
        axis = _dim(dimension, self.ndim)
        length = self._array.shape[axis] if self.ndim else 1
        if size < 0:
            raise RuntimeError(f"size is {size} but must be >= 0")
        if size > length:
            raise RuntimeError(f"maximum size for tensor at dimension {axis} is {length} but size is {size}")
        if step <= 0:
            raise RuntimeError(f"step is {step} but must be > 0")
        return apply(S.unfold, self, dim=axis, size=size, step=step)

    def unflatten(self, dim: _int, sizes: SizeLike) -> Tensor:
        axis = _dim(dim, self.ndim)
        shape = self._array.shape
        sizes = tuple(sizes)
        known = math.prod(n for n in sizes if n != -1)
        if (-1 not in sizes and known != shape[axis]) or (-1 in sizes and (known == 0 or shape[axis] % known)):
            raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} "
                               f"({shape[axis]}) in the input tensor")
        return self.reshape(shape[:axis] + sizes + shape[axis + 1:])

    def squeeze(self, dim: Dims | None = None) -> Tensor:
        axes = _axes(dim, self.ndim)
        shape = tuple(n for i, n in enumerate(self._array.shape) if not (i in axes and n == 1))
        return apply(S.squeeze, self, shape=shape)

    def unsqueeze(self, dim: _int) -> Tensor:
        axis = _dim(dim, self.ndim + 1)
        shape = self._array.shape
        return apply(S.unsqueeze, self, shape=shape[:axis] + (1,) + shape[axis:])

    def permute(self, *order: _int | Sequence[_int], dims: Sequence[_int] | None = None) -> Tensor:
        dims = _sizes(order, dims)
        if len(dims) != self.ndim:
            raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match "
                               f"the length of the desired ordering of dimensions i.e. input.dim() = {self.ndim} "
                               f"is not equal to len(dims) = {len(dims)}")
        axes = tuple(_dim(d, self.ndim) for d in dims)
        if len(set(axes)) != len(axes):
            raise RuntimeError(f"permute(): duplicate dims are not allowed: {list(dims)} names dim "
                               f"{next(a for a in axes if axes.count(a) > 1)} twice")
        return apply(S.permute, self, axes=axes)

    def transpose(self, dim0: _int, dim1: _int) -> Tensor:
        axes = list(range(self.ndim))
        if self.ndim == 0:
            _dim(dim0, 0), _dim(dim1, 0)
            return self
        a, b = _dim(dim0, self.ndim), _dim(dim1, self.ndim)
        axes[a], axes[b] = axes[b], axes[a]
        return apply(S.transpose, self, axes=tuple(axes))

    def swapaxes(self, axis0: _int, axis1: _int) -> Tensor:
        """transpose under NumPy's name, with its argument names."""
        return self.transpose(axis0, axis1)

    swapdims = transpose

    def t(self) -> Tensor:
        if self.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D")
        return self.transpose(0, 1) if self.ndim == 2 else self

    @property
    def T(self) -> Tensor:
        return apply(S.permute, self, axes=tuple(reversed(range(self.ndim)))) if self.ndim > 1 else self

    @property
    def mT(self) -> Tensor:
        return self.transpose(-2, -1)

    def expand(self, *sizes: _int | SizeLike, size: SizeLike | None = None) -> Tensor:
        sizes = _sizes(sizes, size)
        if len(sizes) < self.ndim:
            raise RuntimeError(f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal "
                               f"to the number of dimensions in the tensor ({self.ndim})")
        lead = len(sizes) - self.ndim
        if -1 in sizes[:lead]:
            raise RuntimeError(f"The expanded size of the tensor (-1) isn't allowed in a leading, non-existing "
                               f"dimension {sizes.index(-1)}")
        shape = tuple(self._array.shape[i - lead] if n == -1 and i >= lead else n for i, n in enumerate(sizes))
        for i, n in enumerate(self._array.shape):
            if n != 1 and n != shape[lead + i]:
                raise RuntimeError(f"The expanded size of the tensor ({shape[lead + i]}) must match the existing "
                                   f"size ({n}) at non-singleton dimension {lead + i}.  Target sizes: {list(sizes)}.  "
                                   f"Tensor sizes: {list(self._array.shape)}")
        if builtins.min(shape, default=0) < 0:
            raise RuntimeError(f"expand: sizes must be non-negative (or -1 to keep a dim's size), but got "
                               f"{builtins.min(shape)}.  Target sizes: {list(sizes)}.  "
                               f"Tensor sizes: {list(self._array.shape)}")
        return apply(S.expand, self, shape=shape)

    def expand_as(self, other: Tensor) -> Tensor:
        return self.expand(other.shape)

    def broadcast_to(self, shape: SizeLike) -> Tensor:
        return self.expand(shape)

    def repeat(self, *sizes: _int | SizeLike, repeats: SizeLike | None = None) -> Tensor:
        sizes = _sizes(sizes, repeats)
        if len(sizes) < self.ndim:
            raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of "
                               f"dimensions of tensor (got {len(sizes)} for a {self.ndim}-d tensor)")
        if builtins.min(sizes, default=0) < 0:
            padded = (1,) * (len(sizes) - self.ndim) + self._array.shape
            shape = [n * r for n, r in zip(padded, sizes)]
            raise RuntimeError(f"Trying to create tensor with negative dimension {builtins.min(shape)}: {shape} "
                               f"(repeat sizes {list(sizes)} of a tensor of shape {list(self._array.shape)})")
        return apply(S.repeat, self, reps=sizes)

    def flip(self, *axes: _int | Sequence[_int], dims: Sequence[_int] | None = None) -> Tensor:
        return apply(S.flip, self, axis=_axes(_sizes(axes, dims), self.ndim))

    def fliplr(self) -> Tensor:
        """Reverse the columns (dim 1)."""
        if self.ndim < 2:
            raise RuntimeError("Input must be >= 2-d.")
        return self.flip(1)

    def flipud(self) -> Tensor:
        """Reverse the rows (dim 0)."""
        if self.ndim < 1:
            raise RuntimeError("Input must be >= 1-d.")
        return self.flip(0)

    def ravel(self) -> Tensor:
        """The elements as one dim, in row-major order (a view when the memory allows it)."""
        return self.reshape(-1)

    def hsplit(self, indices_or_sections: _int | Sequence[_int] | None = None, *,
               sections: _int | None = None, indices: Sequence[_int] | None = None) -> tuple[Tensor, ...]:
        """tensor_split along dim 1 (dim 0 of a 1-D tensor), into equal pieces or at indices."""
        return self._split_along("hsplit", 1 if self.ndim > 1 else 0, 1, indices_or_sections, sections, indices)

    def vsplit(self, indices_or_sections: _int | Sequence[_int] | None = None, *,
               sections: _int | None = None, indices: Sequence[_int] | None = None) -> tuple[Tensor, ...]:
        """tensor_split along dim 0 of a tensor of at least 2 dims."""
        return self._split_along("vsplit", 0, 2, indices_or_sections, sections, indices)

    def dsplit(self, indices_or_sections: _int | Sequence[_int] | None = None, *,
               sections: _int | None = None, indices: Sequence[_int] | None = None) -> tuple[Tensor, ...]:
        """tensor_split along dim 2 of a tensor of at least 3 dims."""
        return self._split_along("dsplit", 2, 3, indices_or_sections, sections, indices)

    def _split_along(self, name, dim, min_dims, split, sections, indices):
        """hsplit, vsplit, dsplit: tensor_split along `dim`, where a number of sections must divide
        the dim's size exactly (tensor_split would make the first pieces longer)."""
        if isinstance(split, Tensor):  # (unlike tensor_split)
            raise TypeError(f"{name}() received an invalid combination of arguments - got (Tensor), but expected "
                            "an int or a sequence of ints")
        if self.ndim < min_dims:
            raise RuntimeError(f"torch.{name} requires a tensor with at least {min_dims} dimension, but got a "
                               f"tensor with {self.ndim} dimensions!")
        count = sections if sections is not None else split
        if isinstance(count, numbers.Integral) and (count == 0 or self._array.shape[dim] % count):
            raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but the size of the "
                               f"dimension {self._array.shape[dim]} is not divisible by the split_size {count}!")
        return self.tensor_split(split, dim, sections=sections, indices=indices)

    def split(self, split_size_or_sections: _int | Sequence[_int] | None = None, dim: _int = 0, *,
              split_size: _int | Sequence[_int] | None = None) -> tuple[Tensor, ...]:
        """Pieces of split_size elements along dim (the last one shorter), or of the sizes listed;
        `split_size` is the name the method's argument has in torch."""
        split_size_or_sections = _one_of(split_size_or_sections, split_size, "split", "split_size")
        axis = _dim(dim, self.ndim)
        size = self._array.shape[axis]
        if isinstance(split_size_or_sections, numbers.Integral):
            step = split_size_or_sections
            if step <= 0 and size:
                raise RuntimeError(f"split expects split_size be non-negative, but got split_size={step}")
            sections = [builtins.min(step, size - start) for start in range(0, size, step)] if size else [0]
        else:
            sections = list(split_size_or_sections)
            if builtins.sum(sections) != size:
                raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} "
                                   f"(input tensor's size at dimension {dim}), but got split_sizes={sections}")
        pieces, start = [], 0
        for n in sections:
            index = (slice(None),) * axis + (slice(start, start + n),)
            pieces.append(self[index])
            start += n
        return tuple(pieces)

    def chunk(self, chunks: _int, dim: _int = 0) -> tuple[Tensor, ...]:
        """`chunks` pieces of ceil(size / chunks) elements (fewer when they run out); an empty dim
        gives `chunks` empty pieces, as in torch."""
        if self.ndim == 0:
            raise RuntimeError("chunk expects at least a 1-dimensional tensor")
        if chunks <= 0:
            raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
        size = self._array.shape[_dim(dim, self.ndim)]
        if size == 0:
            return self.split([0] * chunks, dim)
        return self.split(-(-size // chunks), dim)

    def unbind(self, dim: _int = 0) -> tuple[Tensor, ...]:
        axis = _dim(dim, self.ndim)
        return tuple(self[(slice(None),) * axis + (i,)] for i in range(self._array.shape[axis]))

    def narrow(self, dim: _int, start: SupportsIndex, length: SupportsIndex) -> Tensor:
        """The `length` elements from `start` along dim (a negative start counts from the end).
        Unlike a slice, a range that does not fit raises, as in torch."""
        if self.ndim == 0:
            raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
        axis = _dim(dim, self.ndim)
        size = self._array.shape[axis]
        start, length = operator.index(start), operator.index(length)
        if length < 0:
            raise RuntimeError(f"narrow(): length must be non-negative, got {length}.")
        if not -size <= start <= size:
            raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], but got {start})")
        start = start + size if start < 0 else start
        if start + length > size:
            raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
        return self[(slice(None),) * axis + (slice(start, start + length),)]

    def select(self, dim: _int, index: _int) -> Tensor:
        axis = _dim(dim, self.ndim)
        return self[(slice(None),) * axis + (index,)]

    def roll(self, shifts: _int | Sequence[_int], dims: _int | Sequence[_int] | None = None) -> Tensor:
        if dims is None:
            return self.flatten().roll(shifts, 0).view(self.shape)
        shifts = (shifts,) if isinstance(shifts, numbers.Integral) else tuple(shifts)
        dims = (dims,) if isinstance(dims, numbers.Integral) else tuple(dims)
        if len(shifts) != len(dims):
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
        return apply(S.roll, self, shifts=shifts, axes=tuple(_dim(d, self.ndim) for d in dims))

    def repeat_interleave(self, repeats: _int | TensorLike | None = None, dim: _int | None = None, *,
                          output_size: _int | None = None) -> Tensor:
        """Each element (or slice along dim) repeated `repeats` times; with no repeats, self holds the
        counts and the result repeats their positions (repeat_interleave(tensor([1, 0, 3])) is
        [0, 2, 2, 2]), as in torch. output_size, the result's length, is checked if given."""
        if repeats is None:
            if self._array.dtype.kind not in "iu":
                raise NotImplementedError(f"\"repeat_interleave\" not implemented for "
                                          f"'{_dtype.scalar_type_name(self._array.dtype)}'")
            if self.ndim > 1:
                raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
            positions = Tensor._wrap(np.arange(self._array.size, dtype=np.int64))
            return positions.repeat_interleave(self, output_size=output_size)
        result = self._repeated(repeats, dim)
        if output_size is not None and result.shape[0 if dim is None else _dim(dim, result.ndim)] != output_size:
            raise RuntimeError(f"allocated size does not match required size: output_size={output_size}")
        return result

    def _repeated(self, repeats, dim):
        x = self.flatten() if dim is None else self
        axis = 0 if dim is None else _dim(dim, x.ndim)
        size = x._array.shape[axis] if x.ndim else 1
        counts = np.asarray(_raw(repeats))
        if counts.ndim and counts.shape not in ((size,), (1,)):  # one count per element, or one for all
            raise RuntimeError(f"repeats must have the same size as input along dim, but got repeats.size(0) = "
                               f"{counts.shape[0]} and input.size({dim or 0}) = {size}")
        if counts.size and counts.min() < 0:
            raise RuntimeError("Repeats must be non-negative" if counts.ndim == 0 else "repeats can not be negative")
        return x.index_select(axis, np.repeat(np.arange(size), np.broadcast_to(counts, (size,))))

    def tensor_split(self, indices_or_sections: _int | Sequence[_int] | Tensor | None = None, dim: _int = 0, *,
                     sections: _int | None = None, indices: Sequence[_int] | None = None) -> tuple[Tensor, ...]:
        """Split into n nearly equal pieces (the first size % n one longer), or at the given indices
        (by position, or by name as `sections=` or `indices=`, torch's other forms).

        The piece between two indices i and j is x[i:j] along dim, with Python's slice rules
        as in torch: negative indices count from the end, and j before i gives an empty piece.
        """
        if sections is not None or indices is not None:
            named = sections if sections is not None else list(indices)
            indices_or_sections = _one_of(indices_or_sections, named, "tensor_split", "sections or indices")
        elif indices_or_sections is None:
            raise TypeError("tensor_split() missing required argument 'indices_or_sections'")
        if self.ndim == 0:
            raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims")
        axis = _dim(dim, self.ndim)
        size = self._array.shape[axis]
        split = indices_or_sections
        if isinstance(split, Tensor):
            if split._array.dtype != np.int64:
                raise RuntimeError("tensor_split expected tensor_indices_or_sections to have dtype of long, but "
                                   f"got {split.dtype}")
            if split.ndim > 1:
                raise RuntimeError("tensor_split expected tensor_indices_or_sections to be a zero-dimensional or "
                                   f"one-dimensional tensor, but got a tensor with {split.ndim} dims")
            split = split.item() if split.ndim == 0 else split.tolist()
        if isinstance(split, numbers.Integral):
            if split <= 0:
                raise RuntimeError(f"number of sections must be larger than 0, got {split}")
            bounds = [i * (size // split) + builtins.min(i, size % split) for i in range(split + 1)]
            starts, ends = bounds[:-1], bounds[1:]
        else:
            indices = [operator.index(i) for i in split]
            starts, ends = [None, *indices], [*indices, None]
        before = (slice(None),) * axis
        return tuple(self[before + (slice(start, end),)] for start, end in zip(starts, ends))

    def diag_embed(self, offset: _int = 0, dim1: _int = -2, dim2: _int = -1) -> Tensor:
        """Matrices with self's last dim on their diagonal `offset`, in the new dims dim1 and dim2
        of the result (which has one dim more than self), zeros elsewhere."""
        ndim = self.ndim + 1
        a, b = _dim(dim1, ndim), _dim(dim2, ndim)
        if a == b:
            raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
        source = self.unsqueeze(0) if self.ndim == 0 else self
        return apply(L.diag_embed, source, offset=offset, axis1=a, axis2=b)

    def diagflat(self, offset: _int = 0) -> Tensor:
        """The square matrix with all of self's elements, flattened, on its diagonal `offset`."""
        return self.reshape(-1).diag_embed(offset)

    def kron(self, other: Tensor) -> Tensor:
        """The Kronecker product: every element of self times the whole of other, laid out in
        blocks. Along each dim (the shorter shape padded with leading 1s), element (i, j) of
        the (size(self) x size(other)) grid sits at i * size(other) + j."""
        other = _as_tensor(other)
        ndim = builtins.max(self.ndim, other.ndim)
        a_shape = (1,) * (ndim - self.ndim) + tuple(self._array.shape)
        b_shape = (1,) * (ndim - other.ndim) + tuple(other._array.shape)
        interleaved_a = [size for side in a_shape for size in (side, 1)]
        interleaved_b = [size for side in b_shape for size in (1, side)]
        product = self.reshape(interleaved_a) * other.reshape(interleaved_b)
        return product.reshape([a * b for a, b in zip(a_shape, b_shape)])

    # -------------------------------------------------------------- linear algebra
    def matmul(self, other: TensorLike) -> Tensor:
        other = _as_tensor(other)
        if self.ndim == 0 or other.ndim == 0:
            raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {self.ndim}D "
                               f"and {other.ndim}D")
        _check_matmul(self, other)
        try:
            return apply(L.matmul, self, other)
        except ValueError as error:
            raise RuntimeError(_matmul_message(self._array.shape, other._array.shape)) from error

    def mm(self, other: Tensor) -> Tensor:
        if self.ndim != 2 or other.ndim != 2:
            raise RuntimeError(f"mm: expected 2-D tensors, got {self.ndim}-D and {other.ndim}-D")
        return self.matmul(other)

    def bmm(self, other: Tensor) -> Tensor:
        _check_batches(self, other)
        return self.matmul(other)

    def mv(self, vec: TensorLike) -> Tensor:
        return self.matmul(vec)

    def dot(self, other: Tensor) -> Tensor:
        """The sum of the products of two vectors' elements."""
        return apply(L.dot, *self._vectors_to_dot(other))

    def _vectors_to_dot(self, other):
        """self and other, checked as torch's dot and vdot check them."""
        if self.ndim != 1 or other.ndim != 1:
            raise RuntimeError(f"1D tensors expected, but got {self.ndim}D and {other.ndim}D tensors")
        if self._array.shape != other._array.shape:
            raise RuntimeError(f"inconsistent tensor size, expected tensor [{self._array.shape[0]}] and src "
                               f"[{other._array.shape[0]}] to have the same number of elements, but got "
                               f"{self._array.shape[0]} and {other._array.shape[0]} elements respectively")
        _check_same_dtype("dot : expected both vectors to have same dtype, but found", self, other)
        return self, other

    def outer(self, other: Tensor) -> Tensor:
        for name, vector in (("self", self), ("vec2", other)):
            if vector.ndim != 1:
                raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {vector.ndim}-D")
        return self.unsqueeze(1) * other.unsqueeze(0)

    def tril(self, diagonal: _int = 0) -> Tensor:
        if self.ndim < 2:
            raise RuntimeError(f"tril: input tensor must have at least 2 dimensions, got {self.ndim}")
        return apply(I.tril, self, k=diagonal)

    def triu(self, diagonal: _int = 0) -> Tensor:
        if self.ndim < 2:
            raise RuntimeError(f"triu: input tensor must have at least 2 dimensions, got {self.ndim}")
        return apply(I.triu, self, k=diagonal)

    def diagonal(self, offset: _int = 0, dim1: _int = 0, dim2: _int = 1) -> Tensor:
        a, b = _dim(dim1, self.ndim), _dim(dim2, self.ndim)
        if a == b:
            raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
        return apply(S.diagonal, self, offset=offset, axis1=a, axis2=b)

    def diag(self, diagonal: _int = 0) -> Tensor:
        if self.ndim == 2:
            return self.diagonal(diagonal).clone()  # diag copies, unlike diagonal
        if self.ndim != 1:
            raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {self.ndim}D")
        n = self._array.shape[0] + abs(diagonal)
        index = np.arange(self._array.shape[0])
        rows, cols = index + max(-diagonal, 0), index + max(diagonal, 0)
        out = Tensor._wrap(np.zeros((n, n), dtype=self._array.dtype))
        out[rows, cols] = self
        return out

    def trace(self) -> Tensor:
        if self.ndim != 2:
            raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {self.ndim}")
        return self.diagonal().sum()

    # -------------------------------------------------------------- linear algebra
    def _check_square(self, name: str, floating: _bool = True) -> None:
        """torch's checks, in its order, that self is a batch of square matrices (..., n, n),
        of a floating dtype where the routine needs one; `name` is how torch's message names it."""
        if self.ndim < 2:
            raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
        rows, columns = self._array.shape[-2:]
        if rows != columns:
            raise RuntimeError(f"{name}: A must be batches of square matrices, "
                               f"but they are {rows} by {columns} matrices")
        if floating and self._array.dtype.kind != "f":
            raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. "
                               f"Got {_dtype.scalar_type_name(self._array.dtype)}")

    def det(self) -> Tensor:
        """The determinant of each square matrix of self (..., n, n)."""
        self._check_square("linalg.det")
        return apply(L.det, self)

    def slogdet(self) -> tuple[Tensor, Tensor]:
        """(sign, log|det|) of each square matrix: the determinant as sign * exp(logabsdet), which
        neither overflows nor underflows where det itself would; a singular matrix gives (0, -inf)."""
        self._check_square("linalg.slogdet")
        factors = L.slogdet_factors(self._array)  # LAPACK once, for both outputs
        return _SLOGDET(apply(L.slogdet_sign, self, factors=factors), apply(L.logabsdet, self, factors=factors))

    def logdet(self) -> Tensor:
        """log(det(A)): nan where the determinant is negative, -inf where it is 0, as torch's."""
        self._check_square("logdet")
        sign, logabsdet = self.slogdet()
        return _where(sign._array < 0, math.nan, logabsdet)

    def inverse(self) -> Tensor:
        """The inverse of each square matrix (..., n, n); torch.linalg.LinAlgError if one is singular."""
        self._check_square("linalg.inv")
        try:
            return apply(L.inv, self)
        except np.linalg.LinAlgError:
            raise _singular("linalg.inv", self, L.lu_info(self._array)) from None

    def matrix_power(self, n: _int) -> Tensor:
        """self @ self @ ... (n factors) for each square matrix; n = 0 gives the identity and a
        negative n the power of the inverse. The product is built by repeated squaring: the
        factors A, A^2, A^4, ... that n's binary digits pick."""
        if not isinstance(n, numbers.Integral) or isinstance(n, _bool):
            raise TypeError(f"linalg_matrix_power(): argument 'n' (position 2) must be int, not {type(n).__name__}")
        self._check_square("linalg.matrix_power", floating=False)
        if n == 0:  # the identity, picked by where so that self gets a zero gradient, as in torch
            identity = np.broadcast_to(np.eye(self._array.shape[-1], dtype=self._array.dtype), self._array.shape)
            return _where(np.ones(self._array.shape, dtype=bool), identity.copy(), self)
        base = self.inverse() if n < 0 else self
        n = abs(n)
        result = None
        while True:
            if n & 1:
                result = base if result is None else result @ base
            n >>= 1
            if not n:
                return result.clone() if result is self else result
            base = base @ base

    def matrix_exp(self) -> Tensor:
        """exp(A) = I + A + A^2 / 2! + ... for each square matrix of self."""
        self._check_square("linalg.matrix_exp")
        return apply(L.matrix_exp, self)

    def cross(self, other: Tensor, dim: _int | None = None) -> Tensor:
        """The cross product of 3-vectors along `dim`. Without dim, torch.cross takes self's first
        dim of length 3 (torch warns that this default will become -1, linalg.cross's)."""
        other = _as_tensor(other)
        if dim is None:
            lengths = self._array.shape
            if 3 not in lengths:
                raise RuntimeError("no dimension of size 3 in input")
            warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass the "
                          "dim explicitly or simply use torch.linalg.cross.\nThe default value of dim will change to "
                          "agree with that of linalg.cross in a future release.", UserWarning, stacklevel=2)
            dim = lengths.index(3)
        return _cross(self, other, dim)

    # -------------------------------------------------------------- indexing
    def __getitem__(self, index: Any) -> Tensor:
        index = _index(index, self)
        steps = _basic_then_advanced(index)
        if steps is not None:  # torch applies ints and None before the integer tensors
            return apply(I.getitem, apply(I.basic_index(steps[0]), self, index=steps[0]), index=steps[1])
        if builtins.any(isinstance(i, np.ndarray) for i in index):
            return apply(I.getitem, self, index=index)
        return apply(I.basic_index(index), self, index=index)

    def __setitem__(self, index: Any, value: Tensor | Number) -> None:
        if not isinstance(value, (Tensor, numbers.Number)):  # a list, an array, None, np.bool_: torch refuses them
            kind = type(value)
            shown = kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__.partition('.')[0]}.{kind.__name__}"
            raise TypeError(f"can't assign a {shown} to a {self.type()}")
        index = _index(index, self)
        steps = _basic_then_advanced(index)
        value = self._fit_setitem_value(value, index, steps)
        if isinstance(value, numbers.Number):
            value = _fitted_number(value, self._array.dtype)
        if isinstance(value, Tensor) and value._array.dtype != self._array.dtype and _puts_values(index, value):
            raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                               f"{_dtype.scalar_type_name(self._array.dtype)} for the destination and "
                               f"{_dtype.scalar_type_name(value._array.dtype)} for the source.")
        if _grad_mode.enabled and (self._requires_grad or isinstance(value, Tensor) and value._requires_grad):
            if isinstance(value, Tensor):
                value = value._cast(self._array.dtype)
            if steps is not None:  # one NumPy index for torch's order: the positions that x[index] reads
                positions = np.arange(self._array.size).reshape(self._array.shape)[steps[0]][steps[1]]
                index = np.unravel_index(positions, self._array.shape)
            self._inplace(I.index_put, value, index=index)  # recorded, like torch's CopySlices
            return
        self._check_inplace()
        if steps is not None:
            self._array[steps[0]][steps[1]] = _raw(value)  # the basic step is a view: this writes into self
        else:
            self._array[index] = _raw(value)
        self._version_counter[0] += 1

    def _fit_setitem_value(self, value, index, steps):
        """The value of self[index] = value, checked against the shape of self[index] as torch checks
        it: it must broadcast to that shape, and extra leading dims of size 1 are dropped
        (x[0] = tensor([v]) writes v)."""
        shape = np.shape(_raw(value))
        if not shape:
            return value  # a number or a 0-d tensor fits anywhere
        slots = np.broadcast_to(np.empty((), dtype=np.bool_), self._array.shape)  # no memory: only its shape
        target = (slots[steps[0]][steps[1]] if steps is not None else slots[index]).shape
        extra = len(shape) - len(target)
        if extra > 0 and builtins.all(n == 1 for n in shape[:extra]):
            shape = shape[extra:]
            value = value.reshape(shape) if isinstance(value, Tensor) else np.reshape(value, shape)
        fits = len(shape) <= len(target) and builtins.all(
            n in (1, m) for n, m in zip(shape, target[len(target) - len(shape):]))
        if not fits:
            raise RuntimeError(f"shape mismatch: value tensor of shape {list(np.shape(_raw(value)))} cannot be "
                               f"broadcast to indexing result of shape {list(target)}")
        return value

    def gather(self, dim: _int, index: TensorLike) -> Tensor:
        axis = _dim(dim, self.ndim)
        index = _index_array(index, "gather")
        if index.ndim != self.ndim:
            raise RuntimeError(f"Index tensor must have the same number of dimensions as input tensor "
                               f"({index.ndim} and {self.ndim})")
        _check_index_range(index, self._array.shape[axis] if self.ndim else 1, "gather", dim)
        if _larger_apart_from(index.shape, self._array.shape, axis):
            raise RuntimeError(f"Size does not match at dimension {axis} expected index {list(index.shape)} to be no "
                               f"larger than self {list(self._array.shape)} apart from dimension {axis}")
        if self.ndim == 0:
            return apply(I.gather, self.reshape(1), index=index.reshape(1), axis=0).reshape(())
        return apply(I.gather, self, index=index, axis=axis)

    def rot90(self, k: _int = 1, dims: Sequence[_int] = (0, 1)) -> Tensor:
        """The tensor turned k quarter turns in the plane of `dims`, from the first dim towards the
        second: a flip and a transpose, so its gradient is theirs."""
        if len(dims) != 2:
            raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
        if self.ndim < 2:
            raise RuntimeError(f"expected total dims >= 2, but got total dims = {self.ndim}")
        first, second = _dim(dims[0], self.ndim), _dim(dims[1], self.ndim)
        if first == second:
            raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {first} and dim1 = {second}")
        turns = k % 4
        if turns == 1:
            return self.flip(second).transpose(first, second)
        if turns == 2:
            return self.flip((first, second))
        if turns == 3:
            return self.flip(first).transpose(first, second)
        return self.clone()

    def take(self, index: TensorLike) -> Tensor:
        """The elements at `index` of the flattened tensor, in the index's shape; a negative index
        counts from the end, as in torch."""
        index = _index_array(index, "take")
        size = self._array.size
        if index.size and (index.min() < -size or index.max() >= size):
            bad = index[(index >= size) | (index < -size)].ravel()[0]
            raise IndexError(f"out of range: tried to access index {bad} on a tensor of {size} elements.")
        return self.reshape(-1)[Tensor._wrap(np.where(index < 0, index + size, index).astype(np.int64))]

    def argwhere(self) -> Tensor:
        """The indices of the nonzero elements, one row each: nonzero() under its NumPy name."""
        return self.nonzero()

    def msort(self) -> Tensor:
        """The values sorted along the first dim."""
        return self.sort(dim=0).values

    def fmax(self, other: Tensor) -> Tensor:
        """The elementwise maximum that ignores a NaN where the other value is a number; the
        gradient goes to the value taken (to self on a tie), as in torch."""
        return self._nan_ignoring_extreme(other, np.greater_equal, "fmax")

    def fmin(self, other: Tensor) -> Tensor:
        return self._nan_ignoring_extreme(other, np.less_equal, "fmin")

    def _nan_ignoring_extreme(self, other, prefers_self, name):
        if not isinstance(other, Tensor):
            raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not {type(other).__name__}")
        a, b = _promote(self, other)
        pick_self = prefers_self(a._array, b._array) | np.isnan(b._array)  # (a NaN in both: self's NaN)
        return _where(Tensor._wrap(np.asarray(pick_self)), a, b)

    def take_along_dim(self, indices: TensorLike, dim: _int | None = None) -> Tensor:
        """The elements at `indices` along dim, where x and indices broadcast against each other on
        every other dim (gather does not broadcast); with no dim, positions in the flattened x."""
        index = _index_array(indices, "take_along_dim")
        if dim is None:
            return self.reshape(-1).gather(0, index.reshape(-1))
        if index.ndim != self.ndim:
            raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same number of "
                               f"dimensions, but got {self.ndim} dimensions for input, and {index.ndim} "
                               f"dimensions for indices")
        if self.ndim == 0:
            return self.gather(dim, index)
        axis = _dim(dim, self.ndim)

        def with_axis(shape, n):
            return shape[:axis] + (n,) + shape[axis + 1:]

        try:
            common = np.broadcast_shapes(with_axis(self._array.shape, 1), with_axis(index.shape, 1))
        except ValueError:
            raise RuntimeError(_broadcast_message(self._array.shape, index.shape)) from None
        x = self.expand(with_axis(common, self._array.shape[axis]))
        return x.gather(axis, np.broadcast_to(index, with_axis(common, index.shape[axis])))

    def scatter(self, dim: _int, index: TensorLike, src: TensorLike | None = None, value: Number | None = None,
                reduce: str | None = None) -> Tensor:
        src = src if src is not None else value
        if reduce is None:
            return self._scatter(I.scatter, dim, index, src)
        return self._scatter(_reduce_primitive(reduce), dim, index, self._reduction_source(src, index))

    def scatter_add(self, dim: _int, index: TensorLike, src: Tensor) -> Tensor:
        return self._scatter(I.scatter_add, dim, index, src)

    def _scatter(self, primitive, dim, index, src):
        axis, index, src = self._scatter_arguments(dim, index, src)
        return apply(primitive, self, index, src, axis=axis)

    def _scatter_arguments(self, dim, index, src):
        """The checked axis, index array and source of scatter(dim, index, src), as torch checks them."""
        axis = _dim(dim, self.ndim)
        index = _index_array(index, "scatter")
        if index.ndim != self.ndim:
            raise RuntimeError(f"Index tensor must have the same number of dimensions as self tensor "
                               f"({index.ndim} and {self.ndim})")
        _check_index_range(index, self._array.shape[axis] if self.ndim else 1, "scatter", dim)
        if isinstance(src, Tensor) and src._array.dtype != self._array.dtype:  # torch casts numbers only
            raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
        source_shape = np.shape(_raw(src)) if isinstance(src, (Tensor, np.ndarray)) else None
        if (_larger_apart_from(index.shape, self._array.shape, axis)
                or source_shape and _larger_apart_from(index.shape, source_shape, None)):
            raise RuntimeError(f"Expected index {list(index.shape)} to be no larger than self "
                               f"{list(self._array.shape)} apart from dimension {axis}"
                               + (f" and to be no larger size than src {list(source_shape)}" if source_shape else ""))
        return axis, index, src

    def index_select(self, dim: _int, index: TensorLike) -> Tensor:
        axis = _dim(dim, self.ndim)
        index = _index_array(index, "index_select")
        if index.ndim > 1:
            raise IndexError("index_select(): Index is supposed to be a vector")
        _check_index_range(index, self._array.shape[axis] if self.ndim else 1, "index_select", dim)
        if self.ndim == 0:  # a scalar is a vector of one element here, and gives a scalar back, as in torch
            if index.size != 1:
                raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got {index.size} value(s)")
            return self.reshape(1).index_select(0, index).reshape(())
        return apply(I.index_select, self, index=(slice(None),) * axis + (index.reshape(-1),))

    def masked_select(self, mask: TensorLike) -> Tensor:
        mask = _mask_array(mask, "masked_select")
        shape = _broadcast_shape(mask.shape, self._array.shape)
        x = self if self._array.shape == shape else self.expand(shape)
        return x[np.broadcast_to(mask, shape)]

    def index_add_(self, dim: _int, index: TensorLike, source: Tensor, alpha: Number = 1) -> Tensor:
        axis = _dim(dim, self.ndim)
        index = _index_array(index, "index_add_").reshape(-1)  # (a 0-d index is one index, as in torch)
        _check_index_range(index, self._array.shape[axis], "index_add", dim)
        sources = (source._array.shape[axis if source.ndim > axis else 0]  # how many slices the source holds
                   if isinstance(source, Tensor) and source.ndim else index.size)
        if sources != index.size:
            raise RuntimeError(f"index_add_(): Number of indices ({index.size}) should be equal to source.size(dim): "
                               f"({sources}), for dim: {axis}")
        if isinstance(source, Tensor) and source._array.dtype != self._array.dtype:
            raise RuntimeError(f"index_add_(): self ({_dtype.scalar_type_name(self._array.dtype)}) and source "
                               f"({_dtype.scalar_type_name(source._array.dtype)}) must have the same scalar type")
        return self._inplace(I.index_add, source, index=index, axis=axis, alpha=alpha)

    def index_add(self, dim: _int, index: TensorLike, source: Tensor, alpha: Number = 1) -> Tensor:
        return apply(E.clone, self, order="C").index_add_(dim, index, source, alpha)  # C-ordered, as torch's

    # ---------------------------------------------- writing into a copy (see _ops/scatter.py)
    def index_fill(self, dim: _int, index: TensorLike, value: Number | Tensor) -> Tensor:
        """A copy whose slices along dim at the positions in index (negative ones count from the
        end) are all set to value; a 0-d tensor value takes the gradient of those positions."""
        return self._write(*self._index_fill_arguments(dim, index, value, "index_fill"))

    def index_fill_(self, dim: _int, index: TensorLike, value: Number | Tensor) -> Tensor:
        return self._write(*self._index_fill_arguments(dim, index, value, "index_fill_"), in_place=True)

    def _index_fill_arguments(self, dim, index, value, name):
        axis = _dim(dim, self.ndim)
        array = np.asarray(_raw(index))
        if array.dtype != np.int64:
            raise IndexError(f"{name}(): Expected dtype int64 for index.")
        if array.ndim > 1:
            raise RuntimeError("Index has to be a vector/scalar")
        size = self._array.shape[axis] if self.ndim else 1
        if array.size and (array.min() < -size or array.max() >= size):
            bad = array[(array >= size) | (array < -size)].ravel()[0]
            raise IndexError(f"index {bad} is out of bounds for dimension {axis} with size {size}")
        where = self._slices_at(axis, np.where(array < 0, array + size, array).reshape(-1))
        if isinstance(value, Tensor):
            if value.ndim:
                raise RuntimeError(f"{name} only supports a 0-dimensional value tensor, but got tensor with "
                                   f"{value.ndim} dimension(s).")
            return W.index_fill_tensor, value._cast(self._array.dtype), {"where": where}
        return W.index_fill, _fitted_number(_fill_value(value, name, "value", 3), self._array.dtype), {"where": where}

    def _slices_at(self, axis, index):
        """The NumPy index of the slices along axis at the positions in the 1-d `index`; for a 0-d
        tensor, whose only element any in-range index names, a 0-d mask."""
        if self.ndim == 0:
            return np.asarray(index.size > 0)
        return (slice(None),) * axis + (index,)

    def _write(self, primitive, values, params, in_place=False):
        """primitive(self, values, **params), a write into a copy of self, or into self in place."""
        if in_place:
            return self._inplace(primitive, values, **params)
        return apply(primitive, self, values, **params)

    def index_copy(self, dim: _int, index: TensorLike, source: Tensor) -> Tensor:
        """A copy whose slices along dim at the positions in index are source's slices, in order."""
        return self._write(*self._index_copy_arguments(dim, index, source))

    def index_copy_(self, dim: _int, index: TensorLike, source: Tensor) -> Tensor:
        return self._write(*self._index_copy_arguments(dim, index, source), in_place=True)

    def _index_copy_arguments(self, dim, index, source):
        axis = _dim(dim, self.ndim)
        array = np.asarray(_raw(index))
        if array.dtype != np.int64:
            raise RuntimeError(f"index_copy_(): Expected a long tensor for index, but got "
                               f"{_dtype.scalar_type_name(array.dtype)}")
        if array.ndim > 1:
            raise IndexError(f"index_copy_(): Index should have dimension 1 or 0 (got {array.ndim})")
        source = _tensor_argument(source, "index_copy", "source", 4)
        if source.ndim != self.ndim and source.ndim and self.ndim:
            raise IndexError(f"index_copy_(): When source and destination are not scalars, their dimensionality "
                             f"must match. Source dimensionality ({source.ndim}), destination dimensionality "
                             f"({self.ndim})")
        array = array.reshape(-1)
        slices = source._array.shape[axis] if source.ndim else 1
        if slices != array.size:
            raise IndexError(f"index_copy_(): Number of indices ({array.size}) should be equal to source.size(dim) "
                             f"({slices})")
        slice_shape, source_slice_shape = _without(self._array.shape, axis), _without(source._array.shape, axis)
        if slice_shape != source_slice_shape:
            raise RuntimeError(f"index_copy_(): Source/destination tensor must have same slice shapes. Destination "
                               f"slice shape: {list(slice_shape)} at dimension {axis} and source slice shape: "
                               f"{list(source_slice_shape)} at dimension {axis}.")
        _check_index_range(array, self._array.shape[axis] if self.ndim else 1, "index_copy_", axis)
        if source._array.dtype != self._array.dtype:
            raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, but got (self) "
                               f"{_scalar_type(self)} and (source) {_scalar_type(source)}")
        return W.index_copy, source, {"where": self._slices_at(axis, array)}

    def masked_scatter(self, mask: TensorLike, source: Tensor) -> Tensor:
        """A copy in which the positions where mask (broadcast with self) is true take source's
        elements, in order: the first true position the first element, and so on."""
        array = _mask_array(mask, "masked_scatter_")
        shape = _broadcast_shape(array.shape, self._array.shape)
        x = self if self._array.shape == shape else self.expand(shape)
        return x._write(*x._masked_scatter_arguments(np.broadcast_to(array, shape), source))

    def masked_scatter_(self, mask: TensorLike, source: Tensor) -> Tensor:
        array = _mask_array(mask, "masked_scatter_")
        if array.shape != self._array.shape:
            _check_inplace_shape(self._array.shape, array.shape)
            array = np.broadcast_to(array, self._array.shape)
        return self._write(*self._masked_scatter_arguments(array, source), in_place=True)

    def _masked_scatter_arguments(self, mask, source):
        source = _tensor_argument(source, "masked_scatter", "source", 2)
        if source._array.dtype != self._array.dtype:
            raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but got "
                               f"{_scalar_type(self)} and {_scalar_type(source)}")
        if source._array.size < np.count_nonzero(mask):
            raise RuntimeError(f"Number of elements of source < number of ones in mask ({source._array.size} < "
                               f"{np.count_nonzero(mask)})")
        return W.masked_scatter, source, {"mask": mask}

    def scatter_reduce(self, dim: _int, index: TensorLike, src: Tensor, reduce: str, *,
                       include_self: _bool = True) -> Tensor:
        """A copy with each src[i, j, ...] combined into the position scatter would write it to, by
        reduce ("sum", "prod", "mean", "amax" or "amin"); include_self=False leaves the element
        already there out of the combination."""
        return self._reduced_into("scatter_reduce", dim, index, src, reduce, include_self, in_place=False)

    def scatter_reduce_(self, dim: _int, index: TensorLike, src: Tensor, reduce: str, *,
                        include_self: _bool = True) -> Tensor:
        return self._reduced_into("scatter_reduce", dim, index, src, reduce, include_self, in_place=True)

    def index_reduce(self, dim: _int, index: TensorLike, source: Tensor, reduce: str, *,
                     include_self: _bool = True) -> Tensor:
        """A copy with source's i-th slice along dim combined into the index[i]-th slice by reduce
        ("prod", "mean", "amax" or "amin"); include_self=False leaves self's slice out."""
        return self._reduced_into("index_reduce", dim, index, source, reduce, include_self, in_place=False)

    def index_reduce_(self, dim: _int, index: TensorLike, source: Tensor, reduce: str, *,
                      include_self: _bool = True) -> Tensor:
        return self._reduced_into("index_reduce", dim, index, source, reduce, include_self, in_place=True)

    def _reduced_into(self, name, dim, index, source, reduce, include_self, in_place):
        source = _tensor_argument(source, name, "src" if name == "scatter_reduce" else "source", 4)
        params = {"reduce": reduce, "include_self": include_self}
        if name == "scatter_reduce":
            if reduce not in ("sum", "prod", "mean", "amax", "amin"):
                raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
            axis, index, source = self._scatter_arguments(dim, index, source)
            if self.ndim == 0:  # one element: reduced as the 1-d tensor that holds it
                one = self.reshape(1).scatter_reduce(0, index.reshape(1), source.reshape(1), reduce,
                                                     include_self=include_self).reshape(())
                return self.copy_(one) if in_place else one
            primitive, operands = W.scatter_reduce, (index, source)
        else:
            axis, index = self._index_reduce_arguments(dim, index, source, reduce)
            primitive, operands, params = W.index_reduce, (source,), dict(params, index=index)
        if in_place:
            return self._inplace(primitive, *operands, axis=axis, **params)
        return apply(primitive, self, *operands, axis=axis, **params)

    def _index_reduce_arguments(self, dim, index, source, reduce):
        """The checked axis and index vector of index_reduce(dim, index, source, reduce)."""
        if reduce not in ("prod", "mean", "amax", "amin"):
            raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got "
                               f"{reduce}.")
        axis = _dim(dim, self.ndim)
        if self.ndim == 0 or source.ndim != self.ndim or builtins.any(
                n != m for d, (n, m) in enumerate(zip(self._array.shape, source._array.shape)) if d != axis):
            raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the specified "
                               f"dimension. Got self.shape = {list(self.shape)} source.shape = {list(source.shape)}")
        array = np.asarray(_raw(index))
        if array.dtype not in (np.int32, np.int64):
            raise RuntimeError(f"index_reduce_(): Expected dtype int32/int64 for index but got: "
                               f"{_dtype.scalar_type_name(array.dtype)}")
        if array.ndim > 1:
            raise IndexError(f"index_reduce_(): Index is supposed to be a vector, but got dim: {array.ndim} with "
                             f"type: {_dtype.scalar_type_name(array.dtype)} and size: {list(array.shape)}")
        array = array.reshape(-1)
        slices = source._array.shape[axis] if source.ndim else 1
        if slices != array.size:
            raise RuntimeError(f"index_reduce_(): Number of indices ({array.size}) should be equal to "
                               f"source.size(dim): ({slices}), for dim: {axis}")
        if source._array.dtype != self._array.dtype:
            raise RuntimeError(f"index_reduce_(): self ({_scalar_type(self)}) and source ({_scalar_type(source)}) "
                               f"must have the same scalar type")
        size = self._array.shape[axis]
        if array.size and (array.min() < 0 or array.max() >= size):
            raise IndexError(f"index out of range in self: index {array[(array < 0) | (array >= size)][0]} is "
                             f"out of bounds for dimension {axis} with size {size}")
        return axis, array

    def put(self, index: TensorLike, source: Tensor, accumulate: _bool = False) -> Tensor:
        """A copy with source's elements written (or, with accumulate, added) at the positions
        in index of the flattened tensor; a negative position counts from the end."""
        return self._write(*self._put_arguments(index, source, accumulate))

    def put_(self, index: TensorLike, source: Tensor, accumulate: _bool = False) -> Tensor:
        return self._write(*self._put_arguments(index, source, accumulate), in_place=True)

    def _put_arguments(self, index, source, accumulate):
        source = _tensor_argument(source, "put", "source", 2)
        array = np.asarray(_raw(index))
        if array.dtype != np.int64:
            raise RuntimeError(f"put_(): Expected a long tensor for index, but got {_dtype.scalar_type_name(array.dtype)}")
        if source._array.dtype != self._array.dtype:
            raise RuntimeError(f"put_(): self and source expected to have the same dtype, but got self.dtype = "
                               f"{_scalar_type(self)} and source.dtype = {_scalar_type(source)}")
        if source._array.size != array.size:
            raise IndexError(f"put_(): Expected source and index to have the same number of elements, but got "
                             f"source.numel() = {source._array.size}, index.numel() = {array.size}")
        size = self._array.size
        if array.size and size == 0:
            raise IndexError("put_(): Tried to put elements into an empty tensor")
        if array.size and (array.min() < -size or array.max() >= size):
            bad = array[(array >= size) | (array < -size)].ravel()[0]
            raise IndexError(f"out of range: tried to access index {bad} on a tensor of {size} elements.")
        return W.put_accumulate if accumulate else W.put, source.reshape(array.shape), {"index": array}

    def select_scatter(self, src: Tensor, dim: _int, index: _int) -> Tensor:
        """A copy whose slice self.select(dim, index) is src."""
        if self.ndim == 0:
            raise IndexError("select() cannot be applied to a 0-dim tensor.")
        axis = _dim(dim, self.ndim)
        size = self._array.shape[axis]
        if not -size <= index < size:
            raise IndexError(f"select(): index {index} out of range for tensor of size {list(self.shape)} at "
                             f"dimension {axis}")
        return self._scattered_into(W.select_scatter, "select_scatter", src, (slice(None),) * axis + (index % size,))

    def slice_scatter(self, src: Tensor, dim: _int = 0, start: _int | None = None, end: _int | None = None,
                      step: _int = 1) -> Tensor:
        """A copy whose slice start:end:step along dim (clipped to the tensor, as Python slices are) is src."""
        if step <= 0:
            raise RuntimeError("slice step must be positive")
        axis = _dim(dim, self.ndim)
        return self._scattered_into(W.slice_scatter, "slice_scatter", src,
                                    (slice(None),) * axis + (slice(start, end, step),))

    def diagonal_scatter(self, src: Tensor, offset: _int = 0, dim1: _int = 0, dim2: _int = 1) -> Tensor:
        """A copy whose diagonal self.diagonal(offset, dim1, dim2) is src (its last dim runs along
        the diagonal, as diagonal's does)."""
        first, second = _dim(dim1, self.ndim), _dim(dim2, self.ndim)
        if first == second:
            raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
        return self._scattered_into(W.diagonal_scatter, "diagonal_scatter", src,
                                    _diagonal_positions(self._array.shape, offset, first, second))

    def _scattered_into(self, primitive, name, src, where):
        """primitive(self, src) writing src, cast to self's dtype, at self[where], which src must match in shape."""
        src = _tensor_argument(src, name, "src", 2)
        slots = np.broadcast_to(np.empty((), dtype=np.bool_), self._array.shape)[where]  # no memory: only its shape
        if src._array.shape != slots.shape:
            raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = "
                               f"{list(src.shape)}, slice size = {list(slots.shape)}")
        return apply(primitive, self, src._cast(self._array.dtype), where=where)

    def scatter_(self, dim: _int, index: TensorLike, src: TensorLike | None = None, value: Number | None = None,
                 reduce: str | None = None) -> Tensor:
        src = src if src is not None else value
        if reduce is None:
            return self._scatter_inplace(I.scatter, dim, index, src)
        return self._scatter_inplace(_reduce_primitive(reduce), dim, index, self._reduction_source(src, index))

    def scatter_add_(self, dim: _int, index: TensorLike, src: Tensor) -> Tensor:
        return self._scatter_inplace(I.scatter_add, dim, index, src)

    def _reduction_source(self, src, index):
        """scatter's source for a reduction: a tensor as it is, a number spread over the index's
        shape in self's dtype (2.5 multiplies an integer tensor by 2, as in torch)."""
        if isinstance(src, Tensor):
            return src
        return np.full(_index_array(index, "scatter").shape, src, dtype=self._array.dtype)

    def _scatter_inplace(self, primitive, dim, index, src):
        axis, index, src = self._scatter_arguments(dim, index, src)
        return self._inplace(primitive, index, src, axis=axis)

    # -------------------------------------------------------------- in place
    def _check_inplace(self):
        if self._grad_fn is None and self._requires_grad and _grad_mode.enabled:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
        if not self._array.flags.writeable:
            self._refuse_write()

    def _refuse_write(self):
        """torch's error for writing into an expanded tensor (several elements share one place in
        memory), or the plain reason for a tensor made from a read-only NumPy array."""
        if builtins.any(stride == 0 and n > 1 for stride, n in zip(self._array.strides, self._array.shape)):
            raise RuntimeError("unsupported operation: more than one element of the written-to tensor refers to a "
                               "single memory location. Please clone() the tensor before performing the operation.")
        raise RuntimeError("the tensor's memory is read-only (it was made from a NumPy array that is not "
                           "writeable); clone() it before writing into it")

    def _inplace(self, primitive, *args, **params):
        """Apply primitive(self, *args) and write the result into self's memory (see _write_back)."""
        return self._write_back(lambda old: apply(primitive, old, *args, **params), args)

    def _write_back(self, compute, operands=()):
        """Write compute(self), an out-of-place result, into self's memory: x.log2_() is x.log2()
        written back. `operands` are compute's other inputs, which may require grad.

        On a tensor in the graph the in-place op is recorded like its out-of-place form:
        the old value becomes the op's input and self takes over the new grad_fn.
        """
        self._check_inplace()
        tracking = _grad_mode.enabled and (self._requires_grad or builtins.any(
            isinstance(a, Tensor) and a._requires_grad for a in operands))
        source = self
        if tracking:
            if self._base is not None:
                raise RuntimeError("minigrad does not record in-place operations on a view (a result of view, "
                                   "reshape, transpose, indexing, ...) when gradients are tracked; use the "
                                   "out-of-place form, e.g. y = y * 2 instead of y.mul_(2)")
            source = Tensor._wrap(self._array.copy(), self._grad_fn)  # the old value, never modified
            source._requires_grad = self._requires_grad
        result = compute(source)
        if result._array.shape != self._array.shape:  # the result may not widen the tensor, as in torch
            _check_inplace_shape(self._array.shape, result._array.shape)
        if not _dtype.can_cast(result._array.dtype, self._array.dtype):
            # an integer tensor's math (sqrt_, div_ by a number) gives torch's default float dtype
            result_dtype = (_dtype.get_default_dtype().numpy if result._array.dtype.kind == "f" else
                            result._array.dtype)
            _refuse_cast(result_dtype, self._array.dtype)
        if tracking:  # only now, with the result known to fit: self takes over the new grad_fn
            self._grad_fn, self._requires_grad = result._grad_fn, True
        self._array[...] = result._array
        self._version_counter[0] += 1
        return self

    def _inplace_floating(self, primitive, *args, **params):
        """An in-place op whose result is floating (exp_, sqrt_): refused on an integer or bool tensor."""
        if self._array.dtype.kind != "f":
            _refuse_cast(_dtype.get_default_dtype().numpy, self._array.dtype)
        return self._inplace(primitive, *args, **params)

    def _inplace_binary(self, primitive, other):
        if isinstance(other, Tensor):
            if other._array.shape != self._array.shape:
                _check_inplace_shape(self._array.shape, other._array.shape)
            if other._array.dtype != self._array.dtype:
                result_dtype = _dtype.result_type(self._array.dtype, self.ndim == 0, other._array.dtype,
                                                  other.ndim == 0)
                if not _dtype.can_cast(result_dtype, self._array.dtype):  # int_tensor *= float_tensor
                    _refuse_cast(result_dtype, self._array.dtype)
                other = other._cast(self._array.dtype)
        elif _is_scalar(other) and isinstance(other, float) and self._array.dtype.kind != "f":
            _refuse_cast(_dtype.get_default_dtype().numpy, self._array.dtype)
        elif type(other) is int and self._array.dtype.kind in "iu":
            other = _wrapped(other, self._array.dtype)
        elif type(other) is float or type(other) is int:
            primitive, other = _number_operand(primitive, self._array.dtype, other)
        return self._inplace(primitive, other)

    def add_(self, other: TensorLike, alpha: Number = 1) -> Tensor:
        return self._inplace_binary(E.add, self._scaled(other, alpha))

    def sub_(self, other: TensorLike, alpha: Number = 1) -> Tensor:
        _check_no_bool_subtraction(self, other)
        return self._inplace_binary(E.sub, self._scaled(other, alpha))

    def mul_(self, other: TensorLike) -> Tensor:
        return self._inplace_binary(E.mul, other)

    def div_(self, other: TensorLike, *, rounding_mode: str | None = None) -> Tensor:
        if rounding_mode is None:
            return self._inplace_binary(E.div, other)
        result = self.div(other, rounding_mode=rounding_mode)  # (trunc or floor of the quotient)
        if not _dtype.can_cast(result._array.dtype, self._array.dtype):
            _refuse_cast(result._array.dtype, self._array.dtype)
        return self.copy_(result)

    def pow_(self, exponent: TensorLike) -> Tensor:
        if _is_scalar(exponent):
            if _both_bool(self, exponent):
                return self.copy_(self ** exponent)
            return self._inplace(E.pow_scalar, exponent=exponent)
        _refuse_bool_kernel(self, exponent, "pow", in_place=True)
        return self._inplace_binary(E.pow, exponent)

    def true_divide_(self, other: TensorLike) -> Tensor:
        return self.div_(other)

    subtract_, multiply_, divide_ = sub_, mul_, div_

    def floor_divide_(self, other: TensorLike) -> Tensor:
        if self._array.dtype.kind in "iub":
            _refuse_bool_kernel(self, other, "div_floor_cpu", in_place=True)
            if np.any(np.asarray(_raw(other)) == 0):
                raise RuntimeError("ZeroDivisionError")  # integer division by zero, as torch reports it
        return self._inplace_binary(E.floor_divide, other)

    def _inplace_logical(self, ufunc, other):
        """self &= other (|=, ^=): the out-of-place result written into self, which it must fit
        without widening self's shape or dtype (bool &= int is refused, as in torch)."""
        result = self._logical(ufunc, other)
        if result._array.shape != self._array.shape:
            _check_inplace_shape(self._array.shape, result._array.shape)
        if not _dtype.can_cast(result._array.dtype, self._array.dtype):
            _refuse_cast(result._array.dtype, self._array.dtype)
        return self._overwrite(result._array)

    def _compare_(self, ufunc, other, name):
        """self = (self ufunc other), as 1 and 0 in self's dtype; recorded with a zero gradient."""
        other = _comparable(other, name)
        result_shape = self._compare(ufunc, other)._array.shape  # (torch's error where the shapes clash)
        if result_shape != self._array.shape:
            _check_inplace_shape(self._array.shape, result_shape)
        operand = "tensor" if isinstance(other, Tensor) else "number"
        return self._inplace(E.comparisons_written_back[ufunc, operand], _raw(other) if operand == "number" else other)

    def eq_(self, other: TensorLike) -> Tensor:
        return self._compare_(np.equal, other, "eq_")

    def ne_(self, other: TensorLike) -> Tensor:
        return self._compare_(np.not_equal, other, "ne_")

    def lt_(self, other: TensorLike) -> Tensor:
        return self._compare_(np.less, other, "lt_")

    def le_(self, other: TensorLike) -> Tensor:
        return self._compare_(np.less_equal, other, "le_")

    def gt_(self, other: TensorLike) -> Tensor:
        return self._compare_(np.greater, other, "gt_")

    def ge_(self, other: TensorLike) -> Tensor:
        return self._compare_(np.greater_equal, other, "ge_")

    greater_, greater_equal_, less_, less_equal_, not_equal_ = gt_, ge_, lt_, le_, ne_

    def _logical_(self, out_of_place, other):
        """self = out_of_place(self, other) (logical_and, ...), as 1 and 0 in self's dtype. Not
        recorded, as in torch: a tensor in the graph keeps its grad_fn."""
        result = out_of_place(self, other)
        if result._array.shape != self._array.shape:
            _check_inplace_shape(self._array.shape, result._array.shape)
        return self._overwrite(result._array)

    def logical_and_(self, other: Tensor) -> Tensor:
        return self._logical_(Tensor.logical_and, other)

    def logical_or_(self, other: Tensor) -> Tensor:
        return self._logical_(Tensor.logical_or, other)

    def logical_xor_(self, other: Tensor) -> Tensor:
        return self._logical_(Tensor.logical_xor, other)

    def bitwise_and_(self, other: TensorLike) -> Tensor:
        return self._inplace_logical(np.bitwise_and, other)

    def bitwise_or_(self, other: TensorLike) -> Tensor:
        return self._inplace_logical(np.bitwise_or, other)

    def bitwise_xor_(self, other: TensorLike) -> Tensor:
        return self._inplace_logical(np.bitwise_xor, other)

    # Python falls back to x = x op y for an augmented operator a class does not define: each one
    # is the in-place op, as in torch, so views and aliases see the change and leaves are guarded.
    __iadd__, __isub__, __imul__, __itruediv__ = add_, sub_, mul_, div_
    __ipow__, __ifloordiv__ = pow_, floor_divide_
    __iand__, __ior__, __ixor__ = bitwise_and_, bitwise_or_, bitwise_xor_

    def __imod__(self, other: TensorLike) -> Tensor:
        return self.remainder_(other)  # (remainder_ is defined further down)

    # The in-place forms of unary math: x.log_() is x.log() written back into x (see _write_back),
    # so each keeps its out-of-place form's checks, gradient and grad_fn, and a floating result
    # is refused by an integer or bool tensor, as in torch.
    neg_, abs_, relu_, square_, reciprocal_ = map(_in_place_form, ("neg", "abs", "relu", "square", "reciprocal"))
    exp_, exp2_, expm1_, sqrt_, rsqrt_ = map(_in_place_form, ("exp", "exp2", "expm1", "sqrt", "rsqrt"))
    log_, log2_, log10_, log1p_ = map(_in_place_form, ("log", "log2", "log10", "log1p"))
    sin_, cos_, tan_, asin_, acos_, atan_ = map(_in_place_form, ("sin", "cos", "tan", "asin", "acos", "atan"))
    sinh_, cosh_, tanh_, asinh_, acosh_, atanh_ = map(_in_place_form,
                                                      ("sinh", "cosh", "tanh", "asinh", "acosh", "atanh"))
    sigmoid_, erf_, erfc_, sinc_ = map(_in_place_form, ("sigmoid", "erf", "erfc", "sinc"))
    deg2rad_, rad2deg_ = map(_in_place_form, ("deg2rad", "rad2deg"))
    arcsin_, arccos_, arctan_, arcsinh_, arccosh_, arctanh_ = asin_, acos_, atan_, asinh_, acosh_, atanh_
    negative_, absolute_ = neg_, abs_

    def logit_(self, eps: _float | None = None) -> Tensor:
        return self._write_back(lambda old: old.logit(eps))

    def bitwise_not_(self) -> Tensor:
        if self._array.dtype.kind not in "iub":
            raise NotImplementedError(f'"bitwise_not_cpu" not implemented for {_scalar_type(self)!r}')
        return self._overwrite(np.invert(self._array))

    erfinv_, lgamma_, digamma_, i0_ = map(_in_place_form, ("erfinv", "lgamma", "digamma", "i0"))

    def polygamma_(self, n: _int) -> Tensor:
        n = _polygamma_order(n, "polygamma_")
        return self._write_back(lambda old: old.polygamma(n))

    def mvlgamma_(self, p: _int) -> Tensor:
        self._mvlgamma_input()  # (a bool tensor is refused before p is read, as in torch)
        p = _mvlgamma_dimension(p)
        if self._array.dtype.kind != "f":
            raise RuntimeError(f"mvlgamma: result type {_scalar_type(self)} can't be cast to the desired output "
                               f"type {_dtype.scalar_type_name(_dtype.get_default_dtype().numpy)}")
        return self._inplace(SP.mvlgamma_primitive, p=p)

    def logical_not_(self) -> Tensor:
        """self = not self, as 1 and 0 in self's dtype. Not recorded, as in torch: a tensor in the
        graph keeps its grad_fn."""
        return self._overwrite(np.logical_not(self._array))

    # -------------------------------------------------------------- shape in place
    # t_, transpose_, squeeze_, unsqueeze_ change the tensor's dims, not its values: self takes
    # the out-of-place view's shape and strides (and, in the graph, its grad_fn), so a view of
    # another tensor may be reshaped so too. As in torch the version counter moves, so that a
    # graph that saved the old tensor refuses to run backward.
    def _reshape_in_place(self, view):
        if self._grad_fn is None and self._requires_grad and _grad_mode.enabled:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
        result = view(self)
        self._array = result._array
        if result._grad_fn is not None:
            self._grad_fn = result._grad_fn
        self._version_counter[0] += 1
        return self

    def t_(self) -> Tensor:
        if self.ndim > 2:
            raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is {self.ndim}D")
        return self._reshape_in_place(Tensor.t)

    def transpose_(self, dim0: _int, dim1: _int) -> Tensor:
        return self._reshape_in_place(lambda x: x.transpose(dim0, dim1))

    def swapaxes_(self, axis0: _int, axis1: _int) -> Tensor:
        return self.transpose_(axis0, axis1)

    def swapdims_(self, dim0: _int, dim1: _int) -> Tensor:
        return self.transpose_(dim0, dim1)

    def squeeze_(self, dim: Dims | None = None) -> Tensor:
        return self._reshape_in_place(lambda x: x.squeeze(dim))

    def unsqueeze_(self, dim: _int) -> Tensor:
        return self._reshape_in_place(lambda x: x.unsqueeze(dim))

    def tril_(self, diagonal: _int = 0) -> Tensor:
        return self._write_back(lambda old: old.tril(diagonal))

    def triu_(self, diagonal: _int = 0) -> Tensor:
        return self._write_back(lambda old: old.triu(diagonal))

    def fill_diagonal_(self, fill_value: Number | Tensor, wrap: _bool = False) -> Tensor:
        """Write fill_value on the main diagonal, the elements whose indices are all equal. A 2-D
        tensor taller than wide has its diagonal end at the last column; with wrap it starts again
        one row below, every (width + 1)-th element in row-major order, as torch (and NumPy's
        fill_diagonal) do. A tensor of more dims must have all its dims of one size."""
        if self.ndim < 2:
            raise RuntimeError("dimensions must larger than 1")
        if len(set(self._array.shape)) > 1 and self.ndim > 2:
            raise RuntimeError(f"all dimensions of input must be of equal length, got {list(self._array.shape)}")
        value = _fitted_number(_fill_value(fill_value, "fill_diagonal_"), self._array.dtype)
        positions = self._diagonal_positions(wrap)
        values = np.full(positions[0].shape, value, dtype=self._array.dtype)
        if self._grad_fn is not None and _grad_mode.enabled:  # in the graph: a zero gradient on the diagonal
            return self._inplace(I.index_put, values, index=positions)
        self._check_inplace()
        self._array[positions] = values
        self._version_counter[0] += 1
        return self

    def _diagonal_positions(self, wrap):
        """The indices, one array per dim, of the elements fill_diagonal_ writes."""
        if self.ndim > 2:
            return (np.arange(self._array.shape[0]),) * self.ndim
        rows, columns = self._array.shape
        flat = np.arange(0, rows * columns, columns + 1)  # row-major: one row down and one column right
        if not wrap:
            flat = flat[:builtins.min(rows, columns)]
        return np.divmod(flat, columns) if columns else (flat, flat)

    def _overwrite(self, values):
        """Write values (broadcast, cast to self's dtype) into self, outside the graph: the ops
        that torch does not record (logical_not_, bitwise_not_, logical_and_, ...)."""
        self._check_inplace()
        self._array[...] = values
        self._version_counter[0] += 1
        return self

    def clamp_(self, min: Number | Tensor | None = None, max: Number | Tensor | None = None) -> Tensor:
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        _check_inplace_shape(self._array.shape, *(np.shape(_raw(b)) for b in (min, max) if b is not None))
        return self._inplace(E.clamp, min, max)

    clip_ = clamp_

    def clamp_min_(self, min: Number | Tensor) -> Tensor:
        return self.clamp_(min=min)

    def clamp_max_(self, max: Number | Tensor) -> Tensor:
        return self.clamp_(max=max)

    def masked_fill_(self, mask: TensorLike, value: Number | Tensor) -> Tensor:
        mask = _mask_array(mask, "masked_fill_")
        _check_inplace_shape(self._array.shape, mask.shape)
        if isinstance(value, Tensor):
            value = value._cast(self._array.dtype)
        return self._inplace(I.masked_fill, mask, value)

    def addcmul(self, tensor1: Tensor, tensor2: Tensor, *, value: Number = 1) -> Tensor:
        """self + value * tensor1 * tensor2, as Adam updates its second moment."""
        return self + tensor1 * tensor2 * value

    def addcdiv(self, tensor1: Tensor, tensor2: Tensor, *, value: Number = 1) -> Tensor:
        """self + value * tensor1 / tensor2, as Adam takes its step."""
        return self + tensor1 / tensor2 * value

    def lerp(self, end: Tensor, weight: Number | Tensor) -> Tensor:
        """self + weight * (end - self): the point `weight` of the way from self to end (an
        exponential moving average moves so). Its gradients: 1 - weight for self, weight for
        end, end - self for a tensor weight."""
        return self + _lerp_step(self, end, weight, "lerp")

    def lerp_(self, end: Tensor, weight: Number | Tensor) -> Tensor:
        return self.add_(_lerp_step(self, end, weight, "lerp_"))

    def addcmul_(self, tensor1: Tensor, tensor2: Tensor, value: Number = 1) -> Tensor:
        return self.add_(tensor1 * tensor2 * value)

    def addcdiv_(self, tensor1: Tensor, tensor2: Tensor, value: Number = 1) -> Tensor:
        return self.add_(tensor1 / tensor2 * value)

    def _fill_raw(self, values):
        """Overwrite every element (zero_, fill_, uniform_, ...) with values that carry no gradient."""
        self._check_inplace()
        if self._grad_fn is not None and _grad_mode.enabled:
            # On a graph tensor, as in torch, the result stays in the graph (requires_grad, a
            # grad_fn) and sends a zero gradient back: self[...] = constant values.
            values = np.asarray(values, dtype=self._array.dtype)
            return self._inplace(I.index_put, values, index=Ellipsis)
        self._array[...] = values
        self._version_counter[0] += 1
        return self

    def zero_(self) -> Tensor:
        return self._fill_raw(0)

    def fill_(self, value: Number | Tensor) -> Tensor:
        if isinstance(value, Tensor) and value.ndim:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with {value.ndim} "
                               "dimensions.")
        return self._fill_raw(_fitted_number(_fill_value(value, "fill_", "value", 1), self._array.dtype))

    def copy_(self, src: TensorLike, non_blocking: _bool = False) -> Tensor:
        src_array = _raw(src)
        _check_inplace_shape(self._array.shape, np.shape(src_array))
        if isinstance(src, Tensor) and src._requires_grad and _grad_mode.enabled:
            self._check_inplace()
            # self[...] = src; broadcast before casting, so src's gradient is summed in its own dtype
            source = src if src._array.shape == self._array.shape else src.expand(self.shape)
            return self._inplace(I.index_put, source._cast(self._array.dtype), index=Ellipsis)
        return self._fill_raw(src_array)

    def uniform_(self, a: _float = 0.0, b: _float = 1.0, generator: Generator | None = None) -> Tensor:
        self._refuse_non_floating("check_uniform_bounds")  # (integers would keep the draws' integer parts only)
        return self._fill_raw(_uniform(a, b, self._array.shape, generator))

    def normal_(self, mean: _float = 0.0, std: _float = 1.0, generator: Generator | None = None) -> Tensor:
        self._refuse_non_floating("normal_kernel_cpu")
        return self._fill_raw(_normal(mean, std, self._array.shape, generator))

    def _refuse_non_floating(self, kernel):
        """torch's NotImplementedError, naming its kernel, for an op it has for floating tensors only."""
        if self._array.dtype.kind != "f":
            raise NotImplementedError(f'"{kernel}" not implemented for \'{_dtype.scalar_type_name(self._array.dtype)}\'')

    def bernoulli_(self, p: _float | Tensor = 0.5, generator: Generator | None = None) -> Tensor:
        return self._fill_raw(_bernoulli(_raw(p), self._array.shape, generator))

    def random_(self, low: _int = 0, high: _int | None = None, generator: Generator | None = None) -> Tensor:
        if high is None:
            low, high = 0, low if low else 2 ** 24
        return self._fill_raw(_numpy_rng(generator).integers(low, high, self._array.shape))

    def apply_(self, fn: Callable[[Any], Number]) -> Tensor:
        return self._fill_raw(np.vectorize(fn)(self._array))

    # -------------------------------------------------------------- more of torch's vocabulary
    def _floating_binary(self, primitive, other):
        """primitive(self, other) on floats (integers promote as in true division), with torch's
        error where the shapes do not broadcast."""
        a, b = _promote(self, other, true_division=True)
        b = b if isinstance(b, Tensor) else Tensor._wrap(np.asarray(b, dtype=a._array.dtype))
        _broadcast_shape(a._array.shape, b._array.shape)
        return apply(primitive, a, b)

    def atan2(self, other: TensorLike) -> Tensor:
        """The angle of the point (other, self) in (-pi, pi]: atan(self / other) in the right quadrant."""
        return self._floating_binary(E.atan2, _tensor_operand(other, "atan2"))

    arctan2 = atan2

    def hypot(self, other: TensorLike) -> Tensor:
        """sqrt(self^2 + other^2), the length of the vector (self, other), finite where the squares overflow."""
        other = _tensor_operand(other, "hypot")
        result_dtype = _promote(self, other)[0]._array.dtype
        if result_dtype.kind != "f":  # torch has no integer kernel for it
            raise NotImplementedError(f'"hypot_cpu" not implemented for {_dtype.scalar_type_name(result_dtype)!r}')
        return self._floating_binary(E.hypot, other)

    def xlogy(self, other: TensorLike) -> Tensor:
        """self * log(other), and 0 where self is 0 (unless other is NaN)."""
        return self._floating_binary(E.xlogy, other)

    def atan2_(self, other: Tensor) -> Tensor:
        return self._floating_binary_(Tensor.atan2, _tensor_operand(other, "atan2_"))

    arctan2_ = atan2_

    def hypot_(self, other: Tensor) -> Tensor:
        other = _tensor_operand(other, "hypot_")
        result_dtype = _promote(self, other)[0]._array.dtype
        if result_dtype.kind != "f" and not _dtype.can_cast(result_dtype, self._array.dtype):
            _refuse_cast(result_dtype, self._array.dtype)  # (torch checks this before its kernel)
        return self._floating_binary_(Tensor.hypot, other)

    def xlogy_(self, other: TensorLike) -> Tensor:
        return self._floating_binary_(Tensor.xlogy, other)

    def _floating_binary_(self, out_of_place, other):
        """self = out_of_place(self, other) for atan2_, hypot_, xlogy_: a floating tensor computes
        in its own dtype (other is cast to it); an integer or bool one refuses the float result."""
        if self.is_floating_point() and isinstance(other, Tensor):
            other = other._cast(self._array.dtype)
        return self._write_back(lambda old: out_of_place(old, other), (other,))

    def logit(self, eps: _float | None = None) -> Tensor:
        """log(p / (1 - p)), the inverse of sigmoid; with eps, p is first clamped to [eps, 1 - eps]
        (its gradient is then zero outside)."""
        return apply(SP.logit_primitive, self._floating(), eps=eps)

    def copysign(self, other: TensorLike) -> Tensor:
        """|self| with the sign of other (the sign bit: -0.0 counts as negative); integers compute
        in floats."""
        if _is_scalar(other):
            return apply(REP.copysign_scalar, self._floating(), float(other))
        return self._floating_binary(REP.copysign, other)

    def copysign_(self, other: TensorLike) -> Tensor:
        if _is_scalar(other):
            return self._inplace_floating(REP.copysign_scalar, float(other))
        return self._inplace_floating(REP.copysign, _tensor_operand(other, "copysign_")._cast(self._array.dtype))

    def float_power(self, exponent: TensorLike) -> Tensor:
        """self ** exponent computed in float64, whatever the dtypes of self and exponent."""
        if isinstance(exponent, Tensor):
            exponent = exponent._cast(np.dtype(np.float64))
        return self._cast(np.dtype(np.float64)).pow(exponent)

    def float_power_(self, exponent: TensorLike) -> Tensor:
        if self._array.dtype != np.float64:
            raise RuntimeError(f"the base given to float_power_ has dtype {_scalar_type(self)} but the operation's "
                               "result requires dtype Double")
        return self.pow_(exponent._cast(np.dtype(np.float64)) if isinstance(exponent, Tensor) else exponent)

    def ldexp(self, other: Tensor) -> Tensor:
        """self * 2 ** other."""
        return self._floating_binary(REP.ldexp, _tensor_operand(other, "ldexp"))

    def ldexp_(self, other: Tensor) -> Tensor:
        if self._array.dtype.kind != "f":
            raise RuntimeError(f"ldexp can't be cast to the desired output type {_scalar_type(self)}")
        return self._inplace(REP.ldexp, _tensor_operand(other, "ldexp_")._cast(self._array.dtype))

    def frexp(self) -> tuple[Tensor, Tensor]:
        """(mantissa, exponent) with self = mantissa * 2 ** exponent and 1/2 <= |mantissa| < 1
        (0 and 0 at 0); the exponent is int32 and carries no gradient."""
        if self._array.dtype.kind != "f":
            raise RuntimeError("torch.frexp() only supports floating-point dtypes")
        exponent = np.frexp(self._array)[1].astype(np.int32)
        return _FREXP(apply(REP.frexp_mantissa, self), Tensor._wrap(exponent))

    def nextafter(self, other: Tensor) -> Tensor:
        """The next floating-point number after self in the direction of other."""
        a, b = self._float_operands(other, "nextafter")
        return apply(REP.nextafter, a, b)

    def nextafter_(self, other: Tensor) -> Tensor:
        self._float_operands(other, "nextafter")
        return self._inplace_floating(REP.nextafter, _tensor_operand(other, "nextafter_")._cast(self._array.dtype))

    def logaddexp2(self, other: Tensor) -> Tensor:
        """log2(2 ** self + 2 ** other), finite where the powers would overflow."""
        a, b = self._float_operands(other, "logaddexp2")
        return apply(REP.logaddexp2, a, b)

    def _float_operands(self, other, name):
        """self and the tensor other, promoted together, for an op torch has for floating dtypes only."""
        a, b = _promote(self, _tensor_operand(other, name))
        if a._array.dtype.kind != "f":
            raise NotImplementedError(f'"{name}_cpu" not implemented for {_scalar_type(a)!r}')
        _broadcast_shape(a._array.shape, b._array.shape)
        return a, b

    def gcd(self, other: Tensor) -> Tensor:
        """The greatest common divisor of integer tensors (non-negative, 0 for gcd(0, 0))."""
        return Tensor._wrap(np.asarray(np.gcd(*self._integer_operands(other, "gcd"))))

    def lcm(self, other: Tensor) -> Tensor:
        """The least common multiple of integer tensors (non-negative, 0 where either is 0)."""
        return Tensor._wrap(np.asarray(np.lcm(*self._integer_operands(other, "lcm"))))

    def gcd_(self, other: Tensor) -> Tensor:
        return self._write_back(lambda old: old.gcd(other))

    def lcm_(self, other: Tensor) -> Tensor:
        return self._write_back(lambda old: old.lcm(other))

    def _integer_operands(self, other, name):
        """The arrays of self and the tensor other, promoted together, for an integer-only op."""
        a, b = _promote(self, _tensor_operand(other, name))
        if a._array.dtype.kind not in "iu":
            raise NotImplementedError(f'"{name}_cpu" not implemented for {_scalar_type(a)!r}')
        _broadcast_shape(a._array.shape, b._array.shape)
        return a._array, b._array

    def nan_to_num(self, nan: _float = 0.0, posinf: _float | None = None, neginf: _float | None = None) -> Tensor:
        """nan, inf and -inf replaced by `nan` and by the largest and smallest finite numbers of
        the dtype (or posinf and neginf); the gradient passes only where self is finite."""
        replaced = np.nan_to_num(self._array, nan=nan, posinf=posinf, neginf=neginf)
        if self._array.dtype.kind != "f":
            return Tensor._wrap(replaced)
        return _where(np.isfinite(self._array), self, Tensor._wrap(replaced))

    def nan_to_num_(self, nan: _float = 0.0, posinf: _float | None = None, neginf: _float | None = None) -> Tensor:
        return self.copy_(self.nan_to_num(nan, posinf, neginf))

    def remainder(self, other: TensorLike) -> Tensor:
        """self - floor(self / other) * other: the remainder with the sign of other, as Python's %."""
        a, b = _promote(self, other)
        if a._array.dtype.kind in "iub":
            _refuse_bool_kernel(self, other, "remainder_cpu")
            if np.any(np.asarray(_raw(b)) == 0):
                raise RuntimeError("ZeroDivisionError")  # integer division by zero, as torch reports it
        try:
            return apply(E.remainder if isinstance(b, Tensor) else E.remainder_scalar, a, b)
        except ValueError as error:
            raise RuntimeError(_broadcast_message(a._array.shape, np.shape(_raw(b)))) from error

    def movedim(self, source: Dims, destination: Dims) -> Tensor:
        """Move the dims `source` to the positions `destination`; the others keep their order."""
        source = [source] if isinstance(source, numbers.Integral) else list(source)
        destination = [destination] if isinstance(destination, numbers.Integral) else list(destination)
        if len(source) != len(destination):
            raise RuntimeError(f"movedim: Invalid source or destination dims: source ({source} dims) should "
                               f"contain the same number of dims as destination ({destination} dims)")
        ndim = builtins.max(self.ndim, 1)
        src, dst = [_dim(d, ndim) for d in source], [_dim(d, ndim) for d in destination]
        for name, dims, given in (("source", src, source), ("destination", dst, destination)):
            if len(set(dims)) != len(dims):
                raise RuntimeError(f"movedim: repeated dim in `{name}` ({given})")
        if self.ndim == 0:
            return self.clone()
        order = [d for d in range(self.ndim) if d not in src]  # the dims that stay, in their order
        for position, d in sorted(zip(dst, src)):
            order.insert(position, d)
        return self.permute(*order)

    moveaxis = movedim

    def tile(self, *dims: _int | SizeLike) -> Tensor:
        """Repeat the tensor dims[i] times along dim i; missing leading dims count as 1."""
        dims = _shape_args(dims)
        return self.repeat(*((1,) * (self.ndim - len(dims)) + tuple(dims)))

    def cov(self, *, correction: _int = 1, fweights: Tensor | None = None, aweights: Tensor | None = None) -> Tensor:
        """The covariance matrix of the variables in the rows of self (observations in the columns;
        a 1-D self is one variable), as torch computes it: the weighted mean of each row is taken
        out, and the products of the rows are summed with the weights fweights * aweights and
        divided by sum(w) - correction (sum(w) - correction * sum(w * aweights) / sum(w) with
        aweights). Where that is not above 0, torch's warning, and inf or nan."""
        if self.ndim > 2:
            raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an input with "
                               f"{self.ndim} dimensions")
        if self._array.dtype == np.bool_:
            raise RuntimeError("cov(): bool dtype is not supported for input")
        x = self.reshape(1, -1) if self.ndim < 2 else self
        observations = x.shape[1]
        weights = None
        for name, w, wanted in (("fweights", fweights, "integral"), ("aweights", aweights, "floating point")):
            if w is None:
                continue
            _check_cov_weights(name, w, wanted, observations)
            weights = w if weights is None else weights * w
        total = observations if weights is None else weights.sum()
        if weights is not None and float(total) == 0:
            raise RuntimeError("cov(): weights sum to zero, can't be normalized")
        mean = (x if weights is None else x * weights).sum(1) / total
        if weights is not None and correction != 0 and aweights is not None:
            norm = total - correction * (weights * aweights).sum() / total
        else:
            norm = total - correction
        if float(norm) <= 0:
            warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less than the number "
                          "of observations.", UserWarning, stacklevel=2)
            norm = abs(norm * 0)  # +0.0, as torch's zero_(): a tiny negative norm times 0 is -0.0, and +inf would be -inf
        centred = x - mean.unsqueeze(1)
        products = centred.mm((centred if weights is None else centred * weights).t())
        return (products / norm).squeeze()

    def corrcoef(self) -> Tensor:
        """Pearson's correlation coefficients of the rows of self: cov(self) with each entry
        divided by the two standard deviations, clipped to [-1, 1] (c / c for one variable)."""
        if self.ndim > 2:
            raise RuntimeError(f"corrcoef(): expected input to have two or fewer dimensions but got an input with "
                               f"{self.ndim} dimensions")
        c = self.cov()
        if c.ndim == 0:
            return c / c  # (nan for a variance of 0, inf or nan, as in torch)
        deviation = c.diagonal().sqrt()
        c = c / deviation.reshape(-1, 1)
        c = c / deviation.reshape(1, -1)
        return c.clip(-1, 1)

    def diff(self, n: _int = 1, dim: _int = -1, prepend: Tensor | None = None, append: Tensor | None = None) -> Tensor:
        """The n-th forward difference along dim: x[i + 1] - x[i] (for bool tensors x[i + 1] != x[i])."""
        axis = _dim(dim, self.ndim)
        if self.ndim == 0:
            raise RuntimeError("diff expects input to be at least one-dimensional")
        x = _cat([t for t in (prepend, self, append) if t is not None], axis) if prepend is not None or \
            append is not None else self
        before = (slice(None),) * axis
        for _ in range(n):
            later, earlier = x[before + (slice(1, None),)], x[before + (slice(None, -1),)]
            x = later != earlier if x.dtype is _dtype.bool else later - earlier
        return x

    def _picked(self, name, primitive, dim, keepdim, pick):
        """The (values, indices) of median or mode: pick(array, axis) gives each row's position."""
        axis = _dim(dim, self.ndim)
        if self.ndim == 0:
            index = np.zeros((), dtype=np.int64)
        elif self._array.shape[axis] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {axis} to have non-zero size.")
        else:
            index = pick(self._array, axis)
        values = apply(primitive, self, index=index, axis=axis, keepdim=keepdim)
        indices = index if keepdim or self.ndim == 0 else np.squeeze(index, axis)
        return _return_type(name)(values, Tensor._wrap(indices.astype(np.int64)))

    def median(self, dim: _int | None = None, keepdim: _bool = False) -> Tensor | tuple[Tensor, Tensor]:
        """The lower median (the middle value; of two middles the smaller), nan if a nan is there.
        With dim, (values, indices) along it; without, the median of all elements. torch has no
        bool kernel for it (nor for kthvalue and topk)."""
        if self._array.dtype == np.bool_:
            raise NotImplementedError(f"\"{'median_cpu' if dim is None else 'median_out'}\" not implemented for 'Bool'")
        if dim is None:
            if self._array.size == 0:
                return Tensor._wrap(np.asarray(np.nan, dtype=self._array.dtype))
            return apply(I.median_all, self)
        return self._picked("median", I.median, dim, keepdim, I._median_position)

    def nanmedian(self, dim: _int | None = None, keepdim: _bool = False) -> Tensor | tuple[Tensor, Tensor]:
        """median ignoring NaNs: the lower median of the other values (NaN where there are none).
        With dim, (values, indices) along it; without, the nanmedian of all elements."""
        if self._array.dtype == np.bool_:
            raise NotImplementedError(f"\"{'median_cpu' if dim is None else 'median_out'}\" not implemented for 'Bool'")
        if dim is None:
            if self._array.size == 0:
                return Tensor._wrap(np.asarray(np.nan, dtype=self._array.dtype))
            return apply(I.nanmedian_all, self)
        return self._picked("nanmedian", I.nanmedian, dim, keepdim, I.nanmedian_position)

    def quantile(self, q: _float | Tensor, dim: _int | None = None, keepdim: _bool = False, *,
                 interpolation: str = "linear") -> Tensor:
        """The q-th quantiles along dim (of all elements without dim), NaN for a row holding a NaN.

        Each row is sorted and q picks the point q * (n - 1) of it; between two elements,
        interpolation says what to take: "linear" (their lerp), "lower", "higher", "nearest"
        (rounding half to even) or "midpoint". A 1-d q gives its quantiles along a new first dim.
        The gradient flows back through the sort to the elements picked, as in torch.
        """
        return self._quantile("quantile", q, dim, keepdim, interpolation, ignore_nan=False)

    def nanquantile(self, q: _float | Tensor, dim: _int | None = None, keepdim: _bool = False, *,
                    interpolation: str = "linear") -> Tensor:
        """quantile of the values that are not NaN (NaN for a row of NaNs only)."""
        return self._quantile("nanquantile", q, dim, keepdim, interpolation, ignore_nan=True)

    def _quantile(self, name, q, dim, keepdim, interpolation, ignore_nan):
        q = self._quantile_levels(name, q, interpolation)
        if dim is None:
            rows, kept_shape = self.reshape(-1), (1,) * self.ndim
        else:
            axis = _dim(dim, self.ndim)
            rows = self.movedim(axis, -1) if self.ndim else self.reshape(1)
            kept_shape = self.shape[:axis] + (1,) + self.shape[axis + 1:] if self.ndim else ()
        ordered = rows.sort(-1).values  # NaN last
        ranks = _quantile_ranks(ordered._array, q.reshape(-1), ignore_nan, interpolation)
        values = ordered.gather(-1, np.floor(ranks).astype(np.int64))
        if interpolation in ("linear", "midpoint"):
            weights = np.full_like(ranks, 0.5) if interpolation == "midpoint" else ranks - np.floor(ranks)
            values = values.lerp(ordered.gather(-1, np.ceil(ranks).astype(np.int64)), Tensor._wrap(weights))
        values = values.movedim(-1, 0)  # one quantile per q, along the first dim
        if keepdim:
            values = values.reshape(values.shape[:1] + kept_shape)
        return values.squeeze(0) if q.ndim == 0 else values

    def _quantile_levels(self, name, q, interpolation):
        """q as an array of self's dtype, checked as torch checks it (and self and interpolation with it)."""
        if not self.is_floating_point():
            raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
        if interpolation not in ("linear", "lower", "higher", "midpoint", "nearest"):
            raise RuntimeError(f"{name}() interpolation must be one of linear, lower, higher, midpoint or nearest, "
                               f"but got {interpolation}")
        if self._array.size == 0:
            raise RuntimeError(f"{name}() input tensor must be non-empty")
        if isinstance(q, Tensor):
            if q.ndim > 1:
                raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
            if q._array.dtype != self._array.dtype:
                raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
            if q._array.size and not ((q._array >= 0) & (q._array <= 1)).all():
                raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
            return q._array
        if not 0 <= q <= 1:
            raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {q}")
        return np.asarray(q, dtype=self._array.dtype)

    def kthvalue(self, k: _int, dim: _int = -1, keepdim: _bool = False) -> tuple[Tensor, Tensor]:
        """(values, indices): the k-th smallest element along dim (k from 1) and its position."""
        if self._array.dtype == np.bool_:
            raise NotImplementedError("\"kthvalue_cpu\" not implemented for 'Bool'")
        axis = _dim(dim, self.ndim)
        if self.ndim and self._array.shape[axis] == 0:
            raise IndexError(f"kthvalue(): Expected reduction dim {axis} to have non-zero size.")
        if not 1 <= k <= (self._array.shape[axis] if self.ndim else 1):
            raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {axis}")
        return self._picked("kthvalue", I.kthvalue, dim, keepdim,
                            lambda array, axis: I.kth_smallest_position(array, axis, k))

    def mode(self, dim: _int = -1, keepdim: _bool = False) -> tuple[Tensor, Tensor]:
        """(values, indices): the most frequent value along dim (the smallest of equally frequent
        ones) and the last position where it occurs, as torch reports it."""
        return self._picked("mode", I.mode, dim, keepdim, _mode_position)

    def index_put(self, indices: tuple[Tensor, ...] | list[Tensor], values: TensorLike,
                  accumulate: _bool = False) -> Tensor:
        """A copy with values written (or, with accumulate, added) at self[indices]."""
        return self.clone()._index_put(indices, values, accumulate)

    def index_put_(self, indices: tuple[Tensor, ...] | list[Tensor], values: TensorLike,
                   accumulate: _bool = False) -> Tensor:
        return self._index_put(indices, values, accumulate)

    def _index_put(self, indices, values, accumulate):
        if not isinstance(indices, (tuple, list)):
            raise TypeError(f"index_put(): argument 'indices' must be tuple of Tensors, not {type(indices).__name__}")
        values = _as_tensor(values)
        if values._array.dtype != self._array.dtype:
            raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                               f"{self.dtype.name.capitalize()} for the destination and "
                               f"{values.dtype.name.capitalize()} for the source.")
        if not accumulate:
            self[tuple(indices)] = values
            return self
        index = _index(tuple(indices), self)
        return self._inplace(I.index_put_accumulate, values, index=index)

    def addmm(self, mat1: Tensor, mat2: Tensor, *, beta: Number = 1, alpha: Number = 1) -> Tensor:
        """beta * self + alpha * (mat1 @ mat2), with self broadcast to the product's shape."""
        if mat1.ndim != 2 or mat2.ndim != 2:
            raise RuntimeError(f"mm: expected 2-D tensors, got {mat1.ndim}-D and {mat2.ndim}-D")
        _check_matmul(mat1, mat2)
        shape = (mat1._array.shape[0], mat2._array.shape[1])
        return _scaled_sum(L.addmm, self, mat1, mat2, shape, beta, alpha)

    def baddbmm(self, batch1: Tensor, batch2: Tensor, *, beta: Number = 1, alpha: Number = 1) -> Tensor:
        """beta * self + alpha * (batch1 @ batch2) for batches of matrices."""
        _check_batches(batch1, batch2)
        shape = batch1._array.shape[:2] + batch2._array.shape[2:]
        return _scaled_sum(L.baddbmm, self, batch1, batch2, shape, beta, alpha)

    def addmv(self, mat: Tensor, vec: Tensor, *, beta: Number = 1, alpha: Number = 1) -> Tensor:
        """beta * self + alpha * (mat @ vec), with self broadcast to the product's length."""
        _check_same_dtype("addmv input tensors must have the same dtype, but got", self, mat, vec)
        if self.ndim > 1 or mat.ndim != 2 or vec.ndim != 1:
            raise RuntimeError(f"vector + matrix @ vector expected, got {self.ndim}, {mat.ndim}, {vec.ndim}")
        rows, columns = mat._array.shape
        if columns != vec._array.shape[0] or self._array.shape not in ((), (1,), (rows,)):
            raise RuntimeError(f"size mismatch, got input ({', '.join(map(str, self._array.shape))}), "
                               f"mat ({rows}x{columns}), vec ({vec._array.shape[0]})")
        if self._array.dtype == np.bool_:
            raise NotImplementedError("\"addmv_impl_cpu\" not implemented for 'Bool'")
        return _scaled_sum(L.addmv, self, mat, vec, (rows,), beta, alpha)

    def addr(self, vec1: Tensor, vec2: Tensor, *, beta: Number = 1, alpha: Number = 1) -> Tensor:
        """beta * self + alpha * outer(vec1, vec2), with self broadcast to the product's shape.
        For bool tensors, (beta and self) or (alpha and outer(vec1, vec2)), as in torch."""
        for name, vector in (("vec1", vec1), ("vec2", vec2)):
            if vector.ndim != 1:
                raise RuntimeError(f"addr: Expected 1-D argument {name}, but got {vector.ndim}-D")
        result_dtype = _dtype.result_type(self._array.dtype, False, _promote(vec1, vec2)[0]._array.dtype, False)
        for name, scale in (("beta", beta), ("alpha", alpha)):
            if isinstance(scale, (bool, np.bool_)) and result_dtype != np.bool_:
                raise RuntimeError(f"Boolean {name} only supported for Boolean results.")
            if result_dtype.kind in "iub" and isinstance(scale, (float, np.floating)):
                raise RuntimeError(f"For integral input tensors, argument {name} must not be a floating point number.")
        shape = vec1._array.shape + vec2._array.shape
        if result_dtype == np.bool_:
            _check_broadcasts_to(self, shape)
            return (self & builtins.bool(beta)) | (vec1.outer(vec2) & builtins.bool(alpha))
        input, vec1, vec2 = (t._cast(result_dtype) for t in (self, vec1, vec2))  # (addr promotes, unlike addmm)
        return _scaled_sum(L.addr, input, vec1, vec2, shape, beta, alpha)

    def addbmm(self, batch1: Tensor, batch2: Tensor, *, beta: Number = 1, alpha: Number = 1) -> Tensor:
        """beta * self + alpha * the sum over the batch of batch1[i] @ batch2[i]: one matrix."""
        _check_batches(batch1, batch2)
        shape = (batch1._array.shape[1], batch2._array.shape[2])
        return _scaled_sum(L.addbmm, self, batch1, batch2, shape, beta, alpha)

    def addmm_(self, mat1: Tensor, mat2: Tensor, *, beta: Number = 1, alpha: Number = 1) -> Tensor:
        return self._product_in_place(Tensor.addmm, mat1, mat2, beta=beta, alpha=alpha)

    def baddbmm_(self, batch1: Tensor, batch2: Tensor, *, beta: Number = 1, alpha: Number = 1) -> Tensor:
        return self._product_in_place(Tensor.baddbmm, batch1, batch2, beta=beta, alpha=alpha)

    def addmv_(self, mat: Tensor, vec: Tensor, *, beta: Number = 1, alpha: Number = 1) -> Tensor:
        return self._product_in_place(Tensor.addmv, mat, vec, beta=beta, alpha=alpha)

    def addr_(self, vec1: Tensor, vec2: Tensor, *, beta: Number = 1, alpha: Number = 1) -> Tensor:
        return self._product_in_place(Tensor.addr, vec1, vec2, beta=beta, alpha=alpha)

    def addbmm_(self, batch1: Tensor, batch2: Tensor, *, beta: Number = 1, alpha: Number = 1) -> Tensor:
        return self._product_in_place(Tensor.addbmm, batch1, batch2, beta=beta, alpha=alpha)

    def _product_in_place(self, out_of_place, a, b, **scales):
        """self = out_of_place(self, a, b, beta=, alpha=) (addmm_, addmv_, ...): the product must
        have self's shape, which the in-place form cannot widen."""
        def compute(old):
            result = out_of_place(old, a, b, **scales)
            if result._array.shape != self._array.shape:
                raise RuntimeError(f"Bad in-place call: input tensor size {list(self._array.shape)} and output "
                                   f"tensor size {list(result._array.shape)} should match")
            return result
        return self._write_back(compute, (a, b))

    def ger(self, vec2: Tensor) -> Tensor:
        """outer under its old name."""
        return self.outer(vec2)

    def inner(self, other: Tensor) -> Tensor:
        """The sum of products over the last dim of both: shape self.shape[:-1] + other.shape[:-1]
        (a plain product when either is a number-like 0-d tensor)."""
        other = _tensor_operand(other, "inner")
        if self.ndim == 0 or other.ndim == 0:
            return self * other
        if self._array.dtype != other._array.dtype:
            raise RuntimeError("both inputs should have same dtype")
        length = self._array.shape[-1]
        if other._array.shape[-1] != length:
            raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                               f"{list(self._array.shape)} and {list(other._array.shape)}")
        products = self.reshape(-1, length).matmul(other.reshape(-1, length).t())
        return products.reshape(self._array.shape[:-1] + other._array.shape[:-1])

    def vdot(self, other: Tensor) -> Tensor:
        """The dot product of two vectors (for real tensors, dot)."""
        return apply(L.vdot, *self._vectors_to_dot(_tensor_operand(other, "vdot")))

    def dist(self, other: Tensor, p: Number = 2) -> Tensor:
        """The p-norm of self - other (broadcast), over all its elements."""
        difference = self - _tensor_operand(other, "dist")
        if difference._array.dtype.kind != "f":
            raise RuntimeError(f"norm(): input dtype should be either floating point or complex. Got "
                               f"{_scalar_type(difference)} instead.")
        return difference.norm(p)

    # -------------------------------------------------------------- fmod, sgn, fix, heaviside; rounding in place
    def fmod(self, other: TensorLike) -> Tensor:
        """self - trunc(self / other) * other: the remainder with the sign of self, as C's fmod."""
        a, b = _promote(self, other)
        _broadcast_shape(a._array.shape, np.shape(_raw(b)))
        result_type = np.result_type(a._array, _raw(b))
        if result_type == np.bool_:
            raise NotImplementedError("\"fmod_cpu\" not implemented for 'Bool'")
        if result_type.kind in "iu" and np.any(np.asarray(_raw(b)) == 0):
            raise RuntimeError("ZeroDivisionError")  # integer division by zero, as torch reports it
        return apply(E.fmod if isinstance(b, Tensor) else E.fmod_scalar, a, b)

    def fmod_(self, other: TensorLike) -> Tensor:
        if self._array.dtype == np.bool_:
            raise NotImplementedError("\"fmod_cpu\" not implemented for 'Bool'")
        if self._array.dtype.kind in "iu" and np.any(np.asarray(_raw(other)) == 0):
            raise RuntimeError("ZeroDivisionError")
        return self._inplace_binary(E.fmod if isinstance(other, Tensor) else E.fmod_scalar, other)

    def remainder_(self, other: TensorLike) -> Tensor:
        if self._array.dtype.kind in "iub":
            _refuse_bool_kernel(self, other, "remainder_cpu", in_place=True)
            if np.any(np.asarray(_raw(other)) == 0):
                raise RuntimeError("ZeroDivisionError")
        return self._inplace_binary(E.remainder if isinstance(other, Tensor) else E.remainder_scalar, other)

    def sgn(self) -> Tensor:
        """sign(self) for real tensors (torch's sgn also takes complex ones), under its own node name."""
        return apply(E.sgn, self)

    fix = trunc

    def heaviside(self, values: Tensor) -> Tensor:
        """values where self == 0, 1 where self > 0 and 0 where self < 0 (also at nan); no derivative."""
        return apply(E.heaviside, *self._heaviside_operands(values))

    def heaviside_(self, values: Tensor) -> Tensor:
        return self._inplace_binary(E.heaviside_inplace, self._heaviside_operands(values)[1])

    def _heaviside_operands(self, values):
        if not isinstance(values, Tensor):
            raise TypeError(f"heaviside(): argument 'values' (position 2) must be Tensor, not {type(values).__name__}")
        if values._array.dtype != self._array.dtype:
            raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
        _broadcast_shape(self._array.shape, values._array.shape)
        return self, values

    def floor_(self) -> Tensor:
        return self._inplace(E.floor) if self._rounds("floor") else self

    def ceil_(self) -> Tensor:
        return self._inplace(E.ceil) if self._rounds("ceil") else self

    def trunc_(self) -> Tensor:
        return self._inplace(E.trunc) if self._rounds("trunc") else self

    fix_ = trunc_

    def round_(self, decimals: _int | None = None) -> Tensor:
        return self._inplace(E.round, decimals=decimals or 0) if self._rounds("round", decimals) else self

    def frac_(self) -> Tensor:
        if not self.is_floating_point():
            raise NotImplementedError(f'"frac_cpu" not implemented for {_scalar_type(self)!r}')
        return self._inplace(E.frac)

    def sign_(self) -> Tensor:
        return self._inplace(E.sign)

    def sgn_(self) -> Tensor:
        return self._inplace(E.sgn)


# ------------------------------------------------------------------ mode, addmm
recorder.use_tensor_type(Tensor)

# What the operators and most methods take as their other operand, as in torch: a tensor, a
# Python or NumPy number, or anything else NumPy reads as an array (a list, an ndarray). A hint
# only, for readers and editors: nothing checks it at run time.
TensorLike: TypeAlias = Tensor | npt.ArrayLike


# ------------------------------------------------------------------ NumPy's functions on tensors
def _maximum(a, b):
    """The elementwise maximum of the tensor a and of b, a tensor, an array or a number. NumPy's
    np.maximum on tensors comes here (the VJP rules call it on tensors when backward is recorded,
    np.maximum(x, 0) say), where Tensor.maximum takes a tensor only, as torch's does."""
    return a._binary(E.maximum, _as_tensor(b))


def _minimum(a, b):
    return a._binary(E.minimum, _as_tensor(b))


def _tensor_operand(other, name):
    """other, for a binary function that torch defines between two tensors only: a number (or an
    array) raises torch's TypeError, where most binary ops would take it."""
    if not isinstance(other, Tensor):
        raise TypeError(f"{name}(): argument 'other' must be Tensor, not {type(other).__name__}")
    return other


def _bin_counts(position, weights, bins, dtype):
    """How many positions (or how much weight) fall in each of the bins 0 .. bins - 1, in `dtype`."""
    return np.bincount(position, weights=weights, minlength=bins).astype(dtype)


def _quantile_ranks(ordered, q, ignore_nan, interpolation):
    """Where each quantile lies in each sorted row of `ordered` (shape (..., n)): q * (n - 1), with one
    q per entry of the last axis of the result, computed in the rows' dtype as torch computes it.
    A row holding a NaN points at its last element, a NaN (quantile); nanquantile counts only the
    values that are not NaN (and a row of NaNs points at its first). lower, higher and nearest
    round the point down, up or to the nearest (half to even)."""
    dtype = ordered.dtype
    if ignore_nan:
        counted = np.count_nonzero(~np.isnan(ordered), axis=-1, keepdims=True)
        ranks = np.maximum(q * (counted - 1).astype(dtype), 0)
    else:
        last = ordered.shape[-1] - 1
        ranks = np.where(np.isnan(ordered).any(axis=-1, keepdims=True), dtype.type(last), q * dtype.type(last))
    rounding = {"lower": np.floor, "higher": np.ceil, "nearest": np.round}.get(interpolation)
    return ranks if rounding is None else rounding(ranks)


def _diagonal_positions(shape, offset, first, second):
    """The index of the diagonal of the dims first and second, laid out as diagonal() lays it out:
    the other dims in order, then one along the diagonal (whose i-th element is at row i - offset
    and column i for a negative offset, at row i and column i + offset otherwise)."""
    length = max(0, min(shape[first] + min(offset, 0), shape[second] - max(offset, 0)))
    others = [d for d in range(len(shape)) if d not in (first, second)]
    along = np.arange(length).reshape((1,) * len(others) + (-1,))
    where = [None] * len(shape)
    for position, d in enumerate(others):  # each other dim is an axis of its own in the result
        where[d] = np.arange(shape[d]).reshape((1,) * position + (-1,) + (1,) * (len(others) - position))
    where[first], where[second] = along - min(offset, 0), along + max(offset, 0)
    return tuple(where)


def _without(shape, axis):
    """The shape of a slice along axis: `shape` without that axis (a 0-d shape stays empty)."""
    return shape[:axis] + shape[axis + 1:]


def _tensor_argument(value, function, name, position):
    """value, checked to be a tensor as torch checks an argument it types as Tensor."""
    if not isinstance(value, Tensor):
        raise TypeError(f"{function}(): argument '{name}' (position {position}) must be Tensor, not "
                        f"{type(value).__name__}")
    return value


def _swapped(method):
    """For a ufunc whose first operand is not a tensor: the reflected method, as Python calls it."""
    return lambda b, a: method(a, b)


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


def _binary_ufunc(methods, a, b):
    return methods[0](a, b) if isinstance(a, Tensor) else methods[1](b, a)


def _logaddexp(a, b):
    """log(e^a + e^b) = max(a, b) + log1p(e^-|a - b|), finite for any finite a and b. Where a == b
    the gap is taken as 0 (log 2 is added), also for two equal infinities, whose difference is NaN:
    logaddexp(-inf, -inf) is -inf, as in torch."""
    gap = (a - b).abs().masked_fill(_as_tensor(a) == b, 0.0)
    return _maximum(a, b) + (-gap).exp().log1p()


def _any_tensor(args, test):
    return builtins.any(isinstance(a, Tensor) and test(a) or isinstance(a, (list, tuple)) and _any_tensor(a, test)
                        for a in args)


def _arrays_of(args):
    """args with every tensor (also inside lists and tuples) replaced by its array."""
    return [a._array if isinstance(a, Tensor) else type(a)(_arrays_of(a)) if isinstance(a, (list, tuple)) else a
            for a in args]


def _sum(x, axis=None, dtype=None, out=None, keepdims=False):
    x = _as_tensor(x)
    return x.sum() if axis is None and not keepdims else x.sum(_all_axes(x, axis), keepdim=keepdims)


def _mean(x, axis=None, dtype=None, out=None, keepdims=False):
    x = _as_tensor(x)
    return x.mean() if axis is None and not keepdims else x.mean(_all_axes(x, axis), keepdim=keepdims)


def _amax(x, axis=None, out=None, keepdims=False, initial=None, where=None):
    return _as_tensor(x).amax(_all_axes(x, axis), keepdim=keepdims)


def _amin(x, axis=None, out=None, keepdims=False, initial=None, where=None):
    return _as_tensor(x).amin(_all_axes(x, axis), keepdim=keepdims)


def _all_axes(x, axis):
    return tuple(range(np.ndim(_raw(x)))) if axis is None else axis


def _expand_dims(x, axis):
    axes = axis if isinstance(axis, tuple) else (axis,)
    shape = list(np.shape(_raw(x)))
    ndim = len(shape) + len(axes)
    for a in sorted(a % ndim for a in axes):
        shape.insert(a, 1)
    return _as_tensor(x).reshape(shape)


def _transpose(x, axes=None):
    x = _as_tensor(x)
    return x.permute(*(reversed(range(x.ndim)) if axes is None else axes))


def _like(fill):
    def make(x, dtype=None, order="K", subok=True, shape=None, **value):
        return Tensor._wrap(fill(_raw(x), dtype=dtype, shape=shape, **value))
    return make


def _cat(tensors, axis=0):
    tensors = [_as_tensor(t) for t in tensors]
    target = np.result_type(*(t._array.dtype for t in tensors))
    return apply(S.cat, *[t._cast(target) for t in tensors], axis=axis)


def _stack(tensors, axis=0):
    return _cat([_as_tensor(t).unsqueeze(axis) for t in tensors], axis)


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


def _recorded(primitive, *operands, **params):
    """`primitive` on operands that may be arrays or tensors, cast to their common dtype."""
    operands = [_as_tensor(x) for x in operands]
    target = np.result_type(*(x._array.dtype for x in operands))
    return apply(primitive, *[x._cast(target) for x in operands], **params)


def _einsum(subscripts, *operands):
    """np.einsum on tensors (the gradient rules of einsum and bilinear use it), recorded."""
    inputs, output = _einsum_subscripts(subscripts, [np.ndim(_raw(x)) for x in operands])
    return _recorded(L.einsum, *operands, inputs=inputs, output=output)


_AMINMAX = collections.namedtuple("aminmax", ["min", "max"])  # torch.return_types.aminmax's fields
_FREXP = collections.namedtuple("frexp", ["mantissa", "exponent"])  # torch.return_types.frexp's


_FLOAT32_MAX = float(np.finfo(np.float32).max)


def _fitted_number(number, dtype):
    """A Python number as torch writes it into a tensor of `dtype` (fill_, x[i] = number): into an
    integer dtype a float loses its fraction, and NaN, inf or a number out of the dtype's range
    raise torch's error (NumPy would raise its own OverflowError or ValueError), as does a finite
    number beyond float32's range for a float32 tensor (NumPy would warn and write inf)."""
    if dtype == np.float32 and isinstance(number, (int, float)) and math.isfinite(number) \
            and abs(number) > _FLOAT32_MAX:  # (torch checks float32 only: float16 becomes inf)
        raise RuntimeError("value cannot be converted to type float without overflow")
    if dtype == np.float16:
        with np.errstate(over="ignore"):  # beyond float16's range: inf, quietly as in torch
            return np.float16(number)
    if dtype.kind not in "iu" or isinstance(number, (bool, np.bool_)):
        return number
    if isinstance(number, (float, np.floating)):
        if not math.isfinite(number):
            raise RuntimeError(f"value cannot be converted to type {dtype.name}_t without overflow")
        number = int(number)
    return _integer_bound(int(number), dtype)


def _one_of(positional, keyword, function, name):
    """The argument given by position or by keyword (not both), as torch's overloads take it."""
    if positional is not None and keyword is not None:
        raise TypeError(f"{function}() got multiple values for argument '{name}'")
    if positional is None and keyword is None:
        raise TypeError(f"{function}() missing required argument '{name}'")
    return positional if keyword is None else keyword


def _integer_bound(bound, integer_dtype):
    """A Python int bound of clamp as torch takes it for an integer tensor: it must fit the dtype
    (for an unsigned one, a negative bound down to -max wraps around: -1 is 255 in uint8)."""
    info = np.iinfo(integer_dtype)
    lowest = -int(info.max) if integer_dtype.kind == "u" else int(info.min)
    if not lowest <= bound <= info.max:
        raise RuntimeError(f"value cannot be converted to type {integer_dtype.name}_t without overflow")
    return _wrapped(bound, integer_dtype)


def _lerp_step(start, end, weight, name):
    """weight * (end - start), the step lerp adds to start. As in torch, `end` must be a tensor of
    start's dtype, a tensor weight too, and that dtype a floating one."""
    if not isinstance(end, Tensor):
        raise TypeError(f"{name}(): argument 'end' must be Tensor, not {type(end).__name__}")
    dtype = start._array.dtype
    for argument, value in (("end", end), ("weight", weight)):
        if isinstance(value, Tensor) and value._array.dtype != dtype:
            raise RuntimeError(f"expected dtype {_C_TYPE_NAMES.get(dtype.name, dtype.name)} for `{argument}` but got "
                               f"dtype {_C_TYPE_NAMES.get(value._array.dtype.name, value._array.dtype.name)}")
    if dtype.kind != "f":
        kernel = "lerp_kernel_tensor" if isinstance(weight, Tensor) else "lerp_kernel_scalar"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_dtype.scalar_type_name(dtype)}'")
    return (end - start) * weight


# The C++ names of the dtypes, as some of torch's messages give them.
_C_TYPE_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int", "int32": "int",
                 "int16": "short int", "int8": "signed char", "uint8": "unsigned char", "bool": "bool"}


def _where(condition, x, y):
    """x where condition holds, else y: torch.where(condition, x, y) for a tensor x or y."""
    cond = np.asarray(_raw(condition))
    if cond.dtype != np.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                           f"{_dtype.from_numpy(cond.dtype)}")
    if isinstance(x, Tensor):
        x, y = _promote(x, y)
    else:
        y, x = _promote(_as_tensor(y), x)
    try:
        return apply(E.where, x, y, condition=cond)
    except ValueError as error:
        shapes = [np.shape(_raw(a)) for a in (cond, x, y)]
        try:
            joined = np.broadcast_shapes(shapes[0], shapes[1])
        except ValueError:
            raise RuntimeError(_broadcast_message(shapes[0], shapes[1])) from error
        raise RuntimeError(_broadcast_message(joined, shapes[2])) from error


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


def _mode_position(array, axis):
    """Per row along axis: the last position of the most frequent value (the smallest of ties).

    Sorted (stably), equal values form runs; the run length at each sorted position is that
    position minus the start of its run, plus one. The first longest run is the smallest mode,
    and its last element, with a stable sort, is the value's last position in the row.
    """
    order = np.argsort(array, axis=axis, kind="stable")
    ordered = np.moveaxis(np.take_along_axis(array, order, axis=axis), axis, -1)
    steps = np.arange(ordered.shape[-1])
    starts = np.concatenate([np.ones(ordered.shape[:-1] + (1,), dtype=bool),
                             ordered[..., 1:] != ordered[..., :-1]], axis=-1)
    run_start = np.maximum.accumulate(np.where(starts, steps, 0), axis=-1)
    end = np.argmax(steps - run_start, axis=-1)[..., None]
    return np.take_along_axis(order, np.moveaxis(end, -1, axis), axis=axis)


def _check_same_dtype(message, *tensors):
    """torch's error for a product of tensors of different dtypes: `message`, then their dtypes' names."""
    if len({t._array.dtype for t in tensors}) > 1:
        names = [_scalar_type(t) for t in tensors]
        listed = " and ".join(names) if len(names) == 2 else ", ".join(names[:-1]) + f", and {names[-1]}"
        raise RuntimeError(f"{message} {listed}")


def _check_matmul(a, b):
    """torch's errors for a @ b of two tensors of at least one dim: mixed dtypes, inner sizes that differ."""
    if a._array.dtype != b._array.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {a.dtype} != {b.dtype}")
    if a._array.shape[-1] != b._array.shape[-2 if b.ndim > 1 else -1]:
        raise RuntimeError(_matmul_message(a._array.shape, b._array.shape))


def _check_batches(batch1, batch2):
    """torch's errors for batch1 @ batch2 (bmm, baddbmm)."""
    if batch1.ndim != 3 or batch2.ndim != 3:
        raise RuntimeError(f"batch1 must be a 3D tensor and batch2 must be a 3D tensor, got {batch1.ndim}-D "
                           f"and {batch2.ndim}-D")
    if batch1._array.shape[0] != batch2._array.shape[0]:
        raise RuntimeError(f"batch1 and batch2 must have same number of batches, got "
                           f"{batch1._array.shape[0]} and {batch2._array.shape[0]}")
    _check_matmul(batch1, batch2)


def _check_broadcasts_to(input, shape):
    try:
        fits = np.broadcast_shapes(input._array.shape, shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise RuntimeError(f"The input of shape {list(input.shape)} does not broadcast to the product's shape "
                           f"{list(shape)}")


def _scaled_sum(primitive, input, a, b, shape, beta, alpha):
    """beta * input + alpha * product(a, b), the product (of the checked a and b) having `shape`:
    addmm, baddbmm, addmv, addr, addbmm. With beta = 0 input is not read, nan included. On
    integer tensors beta and alpha are taken as integers (0.5 is 0), as in torch."""
    _check_broadcasts_to(input, shape)
    if input._array.dtype != a._array.dtype:
        raise RuntimeError(f"{primitive.name.lower()}: input and the product must have the same dtype, but got "
                           f"{_scalar_type(input)} and {_scalar_type(a)}")
    beta, alpha = (x.item() if isinstance(x, np.generic) else x for x in (beta, alpha))  # (a NumPy float64 would widen float32)
    if a._array.dtype.kind in "iu":
        beta, alpha = int(beta), int(alpha)
    return apply(primitive, input, a, b, beta=beta, alpha=alpha)


# ------------------------------------------------------------------ operand helpers
def _in_int64(x, dtype, reduce):
    """reduce(x), a sum or product, with bools and integers accumulated in int64 as torch does
    (a uint8 sum is int64, not NumPy's uint64), then cast to `dtype` where one was asked for
    (int8 wraps around, bool is whether it is nonzero, as torch's own arithmetic in them gives)."""
    if x._array.dtype.kind not in "biu" or x._array.dtype == np.int64:
        return reduce(x)
    out = reduce(x.long())
    return out if dtype is None else out.to(dtype)


def _sort_order(array, axis, descending):
    """The stable order that sorts `array` along `axis`; NaN counts as the largest value, as in torch.

    Descending, it is the ascending order of the reversed array, reversed and read back as
    positions of `array`: largest first, and equal values (NaNs too) in their order in `array`.
    Negating the values instead would wrap around for unsigned integers and the smallest
    signed one, and reverse the order of ties among bools.
    """
    if not descending:
        return np.argsort(array, axis=axis, kind="stable")  # NumPy already puts NaN last
    reversed_order = np.argsort(np.flip(array, axis), axis=axis, kind="stable")
    return (array.shape[axis] - 1) - np.flip(reversed_order, axis)


def _reduce_primitive(reduce):
    """The primitive of scatter(..., reduce=...): scatter_add's for "add", a product for "multiply"."""
    if reduce == "add":
        return I.scatter_add
    if reduce == "multiply":
        return I.scatter_multiply
    raise RuntimeError(f"reduce argument must be either add or multiply, got {reduce!r}")


def _both_bool(a, b):
    """Whether the tensor a and the operand b (a tensor or a Python bool) are both bool."""
    return a._array.dtype == np.bool_ and (type(b) is bool or isinstance(b, Tensor) and b._array.dtype == np.bool_)


def _refuse_bool_kernel(a, b, kernel, in_place=False):
    """torch has no bool kernel for //, % and ** (nor div with a rounding mode): between two bools
    they raise NotImplementedError naming torch's kernel, where NumPy would compute in int8. A bool
    with an integer or a float promotes first and is computed. In place, a result that would not
    fit a's shape is reported first, as torch checks that before the kernel."""
    if _both_bool(a, b):
        if in_place and isinstance(b, Tensor) and b._array.shape != a._array.shape:
            _check_inplace_shape(a._array.shape, b._array.shape)
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def _check_cov_weights(name, weights, wanted, observations):
    """cov's fweights (integers) or aweights (floats): torch's checks, one weight per observation, none negative."""
    if weights.ndim > 1:
        raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions but got {name} with "
                           f"{weights.ndim} dimensions")
    kind = weights._array.dtype.kind
    if (kind not in "iu") if wanted == "integral" else (kind != "f"):
        raise RuntimeError(f"cov(): expected {name} to have {wanted} dtype but got {name} with "
                           f"{_scalar_type(weights)} dtype")
    if weights.numel() != observations:
        raise RuntimeError(f"cov(): expected {name} to have the same numel as there are observations in the input "
                           f"but got {weights.numel()} != {observations}")
    if observations and weights._array.min() < 0:
        raise RuntimeError(f"cov(): {name} cannot be negative")


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


def _refuse_cast(result_dtype, own_dtype):
    """torch's error for an in-place op whose result would lose its kind in the tensor's dtype."""
    raise RuntimeError(f"result type {_dtype.scalar_type_name(np.dtype(result_dtype))} can't be cast to the "
                       f"desired output type {_dtype.scalar_type_name(own_dtype)}")


def _scalar_type(tensor):
    """torch's name of the tensor's dtype in its messages: 'Long', 'Float', ..."""
    return _dtype.scalar_type_name(tensor._array.dtype)


def _raw(x):
    return x._array if isinstance(x, Tensor) else x


def _cross(a, b, dim):
    """linalg.cross(a, b, dim=dim): a x b for 3-vectors along dim, the other dims broadcast."""
    if a.ndim != b.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    if a._array.dtype != b._array.dtype:
        raise RuntimeError(f"expected scalar type {_dtype.scalar_type_name(a._array.dtype)} but found "
                           f"{_dtype.scalar_type_name(b._array.dtype)}")
    axis = _dim(dim, a.ndim)
    if a._array.shape[axis] != 3 or b._array.shape[axis] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. "
                           f"Got {a._array.shape[axis]} and {b._array.shape[axis]}")
    _broadcast_shape(a._array.shape, b._array.shape)  # torch's error where the other dims clash
    return apply(L.cross, a, b, axis=axis)


def _singular(name, A, info):
    """torch's error for the first singular matrix of A (info: LAPACK's, from its LU factorization)."""
    failed = np.flatnonzero(info)
    where = f"(Batch element {failed[0]}): " if A.ndim > 2 else ""
    return LinAlgError(f"{name}: {where}The diagonal element {info.reshape(-1)[failed[0]]} is zero, the inversion "
                       "could not be completed because the input matrix is singular.")


class LinAlgError(RuntimeError):
    """A linear-algebra routine met a matrix it cannot handle (a singular one), as torch.linalg.LinAlgError."""

    __module__ = "minigrad.linalg"


_SLOGDET = collections.namedtuple("slogdet", ["sign", "logabsdet"])  # torch.return_types.slogdet's fields


def _as_tensor(x):
    if isinstance(x, Tensor):
        return x
    return Tensor._wrap(_infer(x))


def _promote(a, b, true_division=False):
    """Cast the operands of a binary op (a is a Tensor) to torch's result dtype.

    Python numbers stay Python numbers, so NumPy treats them as weakly typed exactly
    as torch does (float32 * 2.0 is float32). Only the cases where NumPy and torch
    disagree cost a cast.
    """
    if isinstance(b, Tensor):
        da, db = a._array.dtype, b._array.dtype
        if da is not db and da != db:
            target = _dtype.result_type(da, a._array.ndim == 0, db, b._array.ndim == 0)
            a, b = a._cast(target), b._cast(target)
    elif _is_scalar(b):
        if isinstance(b, np.generic):
            b = b.item()
        if isinstance(b, (float, np.floating)) and a._array.dtype.kind != "f":
            a = a._cast(_dtype.get_default_dtype().numpy)
        elif isinstance(b, complex):
            raise TypeError("minigrad does not support complex numbers")
        elif type(b) is int and a._array.dtype.kind in "iu" and not true_division:
            b = _wrapped(b, a._array.dtype)
    else:
        b = _as_tensor(b)
        return _promote(a, b, true_division)
    if true_division and a._array.dtype.kind != "f":
        default = _dtype.get_default_dtype().numpy
        a = a._cast(default)
        b = b._cast(default) if isinstance(b, Tensor) else b
    return a, b


def _wrapped(number, integer_dtype):
    """A Python int as torch uses it with a narrower integer tensor: wrapped around into the
    dtype's range (uint8 + 300 adds 44), as the tensor's own arithmetic wraps."""
    info = np.iinfo(integer_dtype)
    if info.min <= number <= info.max:
        return number
    return int(np.array(number, dtype=np.int64).astype(integer_dtype))


# Python floats met as operands of float32 and float64 tensors, as read-only 0-d arrays: one
# table per dtype, so that finding one costs two dictionary lookups (see _constant).
_FLOAT16, _FLOAT32 = np.dtype(np.float16), np.dtype(np.float32)
_float_constants = {_FLOAT32: {}, np.dtype(np.float64): {}}
CONSTANTS_KEPT = 4096
# float16 times or over a number: computed in float32 and rounded once, as torch computes it.
_IN_FLOAT32 = {E.mul: E.mul_in_float32, E.div: E.div_in_float32}


def _with_number(primitive, a, number):
    """primitive applied to the tensor `a` and a Python number (after promotion), as torch computes it."""
    primitive, operand = _number_operand(primitive, a._array.dtype, number)
    return record_with_constant(primitive, a, operand)


def _number_operand(primitive, dtype, number):
    """The primitive and the operand for a tensor of `dtype` and a Python number: on a floating
    tensor the number is a ready constant of its dtype (see _constant), except that a float16
    tensor is multiplied or divided in float32 and the result rounded once."""
    if dtype is _FLOAT16 and primitive in _IN_FLOAT32:
        return _IN_FLOAT32[primitive], _constant(number, _FLOAT32)
    if type(number) is float and dtype.kind == "f":
        return primitive, _constant(number, dtype)
    return primitive, number


def _constant(number, dtype):
    """The Python number `number` as a read-only 0-d array of the floating `dtype`, made once per
    value for float32 and float64.

    NumPy computes float32_array * 0.5 exactly as float32_array * float32(0.5) (NumPy 2 casts a
    Python float to the array's dtype), but it converts the Python number again at every call:
    on the small arrays of a long chain of ops, a ready operand of the right dtype makes the
    multiplication faster (0.36 us against 0.6 on 16 elements), here and again in its gradient
    (g * 0.5). Zero (0.0 == -0.0) and NaN (never equal to itself) are made afresh rather than kept.
    """
    constants = _float_constants.get(dtype)
    array = None if constants is None else constants.get(number)
    if array is None:
        token = ignore_numpy_errors()  # 1e40 in float32 is inf, silently, as in the op itself
        try:
            array = np.array(number, dtype=dtype)
        finally:
            restore_numpy_errors(token)
        array.flags.writeable = False
        if constants is not None and number and number == number:
            if len(constants) >= CONSTANTS_KEPT:
                constants.clear()
            constants[number] = array
    return array


def _larger_apart_from(index_shape, shape, axis):
    """Whether an index of gather or scatter is longer than `shape` along some dim but `axis`, as
    torch forbids (None: along any dim)."""
    return builtins.any(n > m for d, (n, m) in enumerate(zip(index_shape, shape)) if d != axis)


def _puts_values(index, value):
    """Whether self[index] = value is torch's index_put, which refuses a value of another dtype: an
    index holding a tensor, except one boolean mask with a single value (a masked fill). Slices
    and integers copy into a view, which casts."""
    arrays = [part for part in index if isinstance(part, np.ndarray)]
    masked_fill = len(index) == 1 and len(arrays) == 1 and arrays[0].dtype == np.bool_ and value._array.size == 1
    return bool(arrays) and not masked_fill


def _is_operand(x):
    """Whether a comparison operator takes x: a tensor, a number or a NumPy array."""
    return isinstance(x, (Tensor, numbers.Number, np.generic, np.ndarray))


def _comparable(x, name):
    """x, checked as torch's comparison functions check their other argument."""
    if not _is_operand(x):
        raise TypeError(f"{name}() received an invalid combination of arguments - got (Tensor, {type(x).__name__})")
    return x


def _is_scalar(x):
    if type(x) is float or type(x) is int:
        return True
    return isinstance(x, (numbers.Number, np.generic)) and not isinstance(x, np.ndarray)


def _check_no_bool_subtraction(a, b):
    """torch refuses - with a bool operand: a mask is inverted with ~ or logical_not()."""
    def is_bool(x):
        return type(x) is builtins.bool or (isinstance(x, Tensor) and x._array.dtype == np.bool_)

    if is_bool(a) and is_bool(b):
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                           "Use the `^` or `logical_xor()` operator instead.")
    if is_bool(a) or is_bool(b):
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.")
