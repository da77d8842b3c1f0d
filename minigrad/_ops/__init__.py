"""The functional core of minigrad: every differentiable primitive as pure NumPy rules.

Nothing in this package knows about Tensor. Each family module creates its primitives,
and each primitive registers itself in ``REGISTRY`` (see ``registry.py``).
"""

from minigrad._ops import (  # noqa: F401  (importing a family registers its primitives)
    activation, bessel, conv, elementwise, indexing, linalg, linear_cross_entropy, linear_layers, loss, normalization,
    polynomials, pooling, recurrent, reduce, representation, reparameterised, resize, sampling, scatter, shape, special,
    strided)
from minigrad._ops.registry import REGISTRY, Primitive

__all__ = ["REGISTRY", "Primitive"]
