"""LazyModuleMixin: layers that learn the size of their input from the first batch they see.

``nn.LazyLinear(10)`` is a Linear whose in_features is not given: until its first forward
its weight and bias are UninitializedParameters (shape unknown). The first call runs a
forward pre-hook that reads the input's size, materializes the parameters at the right
shape, initialises them exactly as the eager layer would (same random stream), and then
turns the module into an ordinary ``Linear`` (its class becomes ``cls_to_become``), so
that afterwards nothing about it is lazy any more.

A lazy module can be printed, cast (``.double()``), saved and loaded before its first
forward; loading a checkpoint of initialized parameters materializes it from the
checkpoint's shapes.
"""

import itertools

from minigrad.autograd.grad_mode import no_grad
from minigrad.nn.parameter import is_lazy

__all__ = ["LazyModuleMixin"]


class LazyModuleMixin:
    """Mixed in before a layer class (``class LazyLinear(LazyModuleMixin, Linear)``).

    The layer provides ``initialize_parameters(*args, **kwargs)``, which takes the first
    forward's arguments and materializes every uninitialized parameter and buffer, and sets
    ``cls_to_become`` to the eager class the module becomes after it.
    """

    cls_to_become = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._initialize_hook = self.register_forward_pre_hook(self._infer_parameters, with_kwargs=True)

    def initialize_parameters(self, *args, **kwargs):
        """Materialize the parameters from the first batch (each lazy layer defines it)."""
        raise NotImplementedError(f"initialize_parameters is not implemented for {type(self).__name__}")

    def has_uninitialized_params(self):
        """Whether some parameter or buffer of this module (not its children) is still uninitialized."""
        return any(is_lazy(t) for t in itertools.chain(self._parameters.values(), self._buffers.values()))

    def _infer_parameters(self, module, args, kwargs):
        """The forward pre-hook of the first call: initialize, then stop being lazy."""
        self.initialize_parameters(*args, **kwargs)
        if self.has_uninitialized_params():
            raise RuntimeError(f"module {self._get_name()} has not been fully initialized")
        self._initialize_hook.remove()
        del self._initialize_hook
        if self.cls_to_become is not None:
            self.__class__ = self.cls_to_become

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                              error_msgs):
        """An uninitialized entry of ours that the checkpoint has initialized takes the checkpoint's
        shape first, so that its values can then be copied in as usual."""
        for name, tensor in itertools.chain(self._parameters.items(), self._buffers.items()):
            key = prefix + name
            if is_lazy(tensor) and key in state_dict and not is_lazy(state_dict[key]):
                with no_grad():
                    tensor.materialize(state_dict[key].shape)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                                      error_msgs)
