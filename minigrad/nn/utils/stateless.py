"""minigrad.nn.utils.stateless ~ torch.nn.utils.stateless: functional_call, the older home of
minigrad.func.functional_call, which warns (FutureWarning) as torch's does since PyTorch 2.0."""

import warnings

from minigrad.func import functional_call as _functional_call

__all__ = ["functional_call"]


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights=True, strict=False):
    """minigrad.func.functional_call, after a FutureWarning naming it as the function to use."""
    warnings.warn("`minigrad.nn.utils.stateless.functional_call` is deprecated, as torch's is since PyTorch 2.0: use "
                  "`minigrad.func.functional_call` instead, which takes the same arguments.", FutureWarning,
                  stacklevel=2)
    return _functional_call(module, parameter_and_buffer_dicts, args, kwargs, tie_weights=tie_weights, strict=strict)
