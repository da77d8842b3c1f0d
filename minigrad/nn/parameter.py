"""Parameter: a tensor that a Module learns.

A Parameter is an ordinary leaf tensor with two differences: it requires grad by
default, and assigning one to an attribute of a Module registers it, so that
``module.parameters()`` finds it for the optimizer.
"""

import numpy as np

from minigrad import _dtype
from minigrad.tensor import Tensor

__all__ = ["Parameter"]


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
