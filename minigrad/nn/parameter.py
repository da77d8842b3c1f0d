"""Parameter: a tensor that a Module learns.

A Parameter is an ordinary leaf tensor with two differences: it requires grad by
default, and assigning one to an attribute of a Module registers it, so that
``module.parameters()`` finds it for the optimizer.
"""

import numpy as np

from minigrad import _dtype
from minigrad.tensor import Tensor

__all__ = ["Buffer", "Parameter", "UninitializedBuffer", "UninitializedParameter", "UninitializedTensorMixin", "is_lazy"]


class Parameter(Tensor):
    """A leaf tensor that is a learnable weight of a Module.

    ``Parameter(data)`` shares the memory of `data` (like ``data.detach()``); with no
    data it is an empty tensor of the default dtype.
    """

    __slots__ = ()

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = Tensor._wrap(np.empty(0, dtype=_dtype.get_default_dtype().numpy))
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter data must be a Tensor, but got {type(data).__name__}")
        # A new leaf around the same memory (and version counter), like data.detach().
        param = cls._wrap(data._array, None, data._version_counter)
        return param.requires_grad_(requires_grad)

    def __init__(self, data=None, requires_grad=True):
        pass  # __new__ has built the parameter; Tensor.__init__ would copy the data

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        # Like torch, the copy has the values and requires_grad but not the gradient.
        copy = Parameter(Tensor._wrap(self._array.copy()), self._requires_grad)
        memo[id(self)] = copy
        return copy

    def __reduce_ex__(self, protocol):
        return Parameter, (Tensor._wrap(self._array), self._requires_grad)


class Buffer(Tensor):
    """A tensor that is module state but not learned (running statistics, a mask, a lookup table).

    Assigning one to an attribute of a Module registers it as a buffer, as register_buffer does:
    ``self.mask = nn.Buffer(t)``. A persistent buffer (the default) is part of state_dict(); a
    non-persistent one is not. Like Parameter, it shares the memory of `data`.
    """

    __slots__ = ("persistent",)

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            data = Tensor._wrap(np.empty(0, dtype=_dtype.get_default_dtype().numpy))
        if not isinstance(data, Tensor):
            raise TypeError(f"Buffer data must be a Tensor, but got {type(data).__name__}")
        buffer = cls._wrap(data._array, None, data._version_counter)  # like data.detach()
        buffer._requires_grad = data._requires_grad
        buffer.persistent = persistent
        return buffer

    def __init__(self, data=None, *, persistent=True):
        pass  # __new__ has built the buffer; Tensor.__init__ would copy the data

    def __deepcopy__(self, memo):
        copy = super().__deepcopy__(memo)
        copy.persistent = self.persistent
        return copy


_UNINITIALIZED_USE = ("Attempted to use an uninitialized parameter or buffer. This error happens when you are using "
                      "a `LazyModule` or explicitly manipulating `minigrad.nn.parameter.{name}` objects. When using "
                      "LazyModules Call `forward` with a dummy batch to initialize the parameters before calling "
                      "minigrad functions")
_UNINITIALIZED_SHAPE = ("Can't access the shape of an uninitialized parameter or buffer. This error usually happens "
                        "in `load_state_dict` when trying to load an uninitialized parameter into an initialized one. "
                        "Call `forward` to initialize the parameters before accessing their attributes.")


class UninitializedTensorMixin:
    """A tensor whose shape is not known yet: the parameters and buffers of a lazy module
    before its first forward.

    It keeps only a dtype (in an empty placeholder array) and requires_grad. Its values are
    guarded: every operation that reads them raises ValueError, and `.shape` raises
    RuntimeError, because a computation with a tensor of unknown shape can only be a
    mistake. What stays allowed is what a module does before its first forward: cast it
    (``.to``, ``.double()``, ``module.double()``), ask its dtype, copy it, print it, and
    `materialize` it into an ordinary tensor of a given shape.
    """

    __slots__ = ()
    cls_to_become = None  # the class the tensor takes once materialized

    # The placeholder lives in Tensor's `_array` slot; this property stands in front of it so
    # that the ops, which all read `_array`, refuse an uninitialized tensor.
    @property
    def _array(self):
        raise ValueError(_UNINITIALIZED_USE.format(name=type(self).__name__))

    @_array.setter
    def _array(self, array):
        Tensor._array.__set__(self, array)

    def _placeholder(self):
        """The empty array that holds the dtype until the tensor is materialized."""
        return Tensor._array.__get__(self)

    def materialize(self, shape, device=None, dtype=None):
        """Become an ordinary tensor (a Parameter, or a plain Tensor for a buffer) of `shape`,
        uninitialised memory of this tensor's dtype unless `dtype` is given; the lazy module
        then fills it (reset_parameters)."""
        np_dtype = self._placeholder().dtype if dtype is None else _dtype.as_dtype(dtype).numpy
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        Tensor._array.__set__(self, np.empty(shape, dtype=np_dtype))
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        raise RuntimeError(_UNINITIALIZED_SHAPE)

    @property
    def data(self):
        return Tensor._wrap(self._placeholder())

    @data.setter
    def data(self, value):
        """What module.to(dtype) does to every parameter: only the dtype can change here."""
        self._array = value._array if isinstance(value, Tensor) else np.asarray(value)

    @property
    def dtype(self):
        return _dtype.from_numpy(self._placeholder().dtype)

    def size(self, dim=None):
        return self.data.size(dim)

    def is_floating_point(self):
        return self._placeholder().dtype.kind == "f"

    def _cast(self, np_dtype):
        """A cast gives a plain empty tensor of the new dtype (as in torch); module.to() then
        puts its dtype into this one through `data`."""
        return self.data._cast(np_dtype)

    def __repr__(self):
        return f"<{type(self).__name__}>"

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = type(self)(self._requires_grad, dtype=self.dtype)
        return memo[id(self)]

    def __reduce_ex__(self, protocol):
        return type(self), (self._requires_grad,)


def is_lazy(param):
    """Whether `param` is an UninitializedParameter or an UninitializedBuffer."""
    return isinstance(param, UninitializedTensorMixin)


def _uninitialized(cls, requires_grad, dtype):
    """An uninitialized tensor of class `cls` whose placeholder has the given (or default) dtype."""
    np_dtype = (_dtype.get_default_dtype() if dtype is None else _dtype.as_dtype(dtype)).numpy
    tensor = cls._wrap(np.empty(0, dtype=np_dtype))
    tensor._requires_grad = bool(requires_grad)
    return tensor


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A Parameter whose shape is not known yet (the weight of a LazyLinear before its
    first forward); `materialize(shape)` turns it into an ordinary Parameter."""

    __slots__ = ()
    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        return _uninitialized(cls, requires_grad, dtype)

    def __init__(self, requires_grad=True, device=None, dtype=None):
        pass  # __new__ has built it


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A buffer whose shape is not known yet (the running_mean of a LazyBatchNorm1d before
    its first forward); `materialize(shape)` turns it into an ordinary Tensor."""

    __slots__ = ()
    cls_to_become = Tensor

    def __new__(cls, requires_grad=False, device=None, dtype=None):
        return _uninitialized(cls, requires_grad, dtype)

    def __init__(self, requires_grad=False, device=None, dtype=None):
        pass  # __new__ has built it

    def _cast(self, np_dtype):
        """A cast buffer is still uninitialized (module.to() puts the cast buffer in its place)."""
        return UninitializedBuffer(self._requires_grad, dtype=_dtype.from_numpy(np_dtype))
