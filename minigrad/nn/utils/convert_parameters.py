"""Parameters as one flat vector and back (for optimisers and analyses that work on vectors)."""

from minigrad.functions import cat
from minigrad.tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters):
    """All parameters flattened and joined into one 1-D tensor (differentiable)."""
    return cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec, parameters):
    """Make each parameter's data the matching slice of `vec` (the inverse of parameters_to_vector).

    As in torch, the parameters then share memory with `vec`.
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected minigrad.Tensor, but got: {type(vec).__name__}")
    parameters = list(parameters)
    needed = sum(p.numel() for p in parameters)
    if vec.ndim != 1 or vec.numel() != needed:
        raise RuntimeError(f"vector_to_parameters: expected a 1-D vector of {needed} elements, got shape "
                           f"{list(vec.shape)}")
    start = 0
    for param in parameters:
        count = param.numel()
        param.data = vec._array[start:start + count].reshape(param.shape)
        start += count
