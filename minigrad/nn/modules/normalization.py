"""Per-sample normalisation layers: LayerNorm and GroupNorm, mirroring torch.nn.

Unlike batch norm they use the statistics of each sample alone, so they behave the
same in training and eval mode and keep no running statistics.
"""

import numbers

from minigrad.creation import empty
from minigrad.nn import init
from minigrad.nn._functional import normalization as F
from minigrad.nn.modules.module import Module
from minigrad.nn.parameter import Parameter

__all__ = ["GroupNorm", "LayerNorm"]


def _affine_parameters(module, shape, affine, bias, device, dtype):
    """The scale (weight) and shift (bias) of `shape`, or None where they are switched off."""
    module.register_parameter("weight", Parameter(empty(shape, device=device, dtype=dtype)) if affine else None)
    module.register_parameter("bias", Parameter(empty(shape, device=device, dtype=dtype)) if affine and bias else None)
    _reset_affine(module)


def _reset_affine(module):
    """Start as the identity: weight 1, bias 0."""
    if module.weight is not None:
        init.ones_(module.weight)
    if module.bias is not None:
        init.zeros_(module.bias)


class LayerNorm(Module):
    """Normalise over the trailing normalized_shape axes of each sample, then scale and shift.

    With elementwise_affine, weight (initialised to 1) and bias (0) have normalized_shape.
    """

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None, dtype=None):
        super().__init__()
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        _affine_parameters(self, self.normalized_shape, elementwise_affine, bias, device, dtype)

    def reset_parameters(self):
        _reset_affine(self)

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")


class GroupNorm(Module):
    """Split the C channels of (N, C, *) into num_groups groups and normalise each group of each
    sample; then scale and shift each channel (weight initialised to 1, bias to 0)."""

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        if num_channels % num_groups != 0:
            raise ValueError("num_channels must be divisible by num_groups")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        _affine_parameters(self, (num_channels,), affine, bias, device, dtype)

    def reset_parameters(self):
        _reset_affine(self)

    def forward(self, input):
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")
