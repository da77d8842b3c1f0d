"""Variable: torch's old name for a tensor that records gradients, kept because old scripts
and tutorials still write ``Variable(x, requires_grad=True)``."""

from minigrad.autograd import recorder


class _VariableMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, recorder.Tensor)  # every tensor is a Variable, as in torch


class Variable(metaclass=_VariableMeta):
    """Variable(t, requires_grad=False): a tensor sharing t's memory, a leaf of its own."""

    def __new__(cls, data=None, requires_grad=False, volatile=False):
        if data is None:
            return recorder.Tensor()
        if not isinstance(data, recorder.Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        return data.detach().requires_grad_(requires_grad)
