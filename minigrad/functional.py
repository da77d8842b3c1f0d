"""torch.functional: the module where torch defines some of its top-level functions
(einsum, meshgrid, norm, split, ...). Scripts that import from it get the same functions
as minigrad's top level."""

from minigrad.functions import (broadcast_shapes, broadcast_tensors, cdist, einsum, meshgrid, norm, split,  # noqa: F401
                                unique)
