"""Module backward hooks (register_full_backward_hook / _pre_hook), built as torch builds them.

A module with such hooks passes its tensor arguments, and later its outputs, through an
identity node (BackwardHookFunctionBackward in the graph). In backward, the node after the
outputs receives the gradients with respect to the outputs (grad_output): the pre-hooks see
them first and may replace them. The node before the inputs receives the gradients with
respect to the inputs (grad_input): the full hooks see both and may replace grad_input.
"""

import warnings

from minigrad.autograd.function import Function
from minigrad.tensor import Tensor


class BackwardHookFunction(Function):
    """Identity on its tensors; its backward hands their gradients to `on_backward`, whose
    result (if not None) replaces them."""

    @staticmethod
    def forward(ctx, on_backward, *tensors):
        ctx.on_backward = on_backward
        return tensors if len(tensors) > 1 else tensors[0]

    @staticmethod
    def backward(ctx, *grads):
        replaced = ctx.on_backward(grads)
        return (None, *(grads if replaced is None else replaced))


def _wrap(values, on_backward):
    """`values` (a tuple) with its floating tensors passed through one BackwardHookFunction."""
    positions = [i for i, v in enumerate(values) if isinstance(v, Tensor) and v.is_floating_point()]
    if not positions:
        return values, 0
    wrapped = BackwardHookFunction.apply(on_backward, *(values[i] for i in positions))
    wrapped = wrapped if isinstance(wrapped, tuple) else (wrapped,)
    values = list(values)
    for i, w in zip(positions, wrapped):
        values[i] = w
    return tuple(values), len(positions)


class BackwardHooks:
    """The backward hooks of one call of a module: set up around its inputs and its outputs."""

    def __init__(self, module, pre_hooks, full_hooks):
        """`pre_hooks` and `full_hooks`: the module's backward hooks of this call (the global ones
        first), fixed when forward runs, as in torch."""
        self.module = module
        self.pre_hooks = pre_hooks
        self.full_hooks = full_hooks
        self.grad_output = None
        self.inputs_seen = False  # whether an input wanted a gradient (else hooks fire at the outputs)
        self.n_inputs = 0

    def wrap_inputs(self, args):
        wanted = any(isinstance(a, Tensor) and a.requires_grad for a in args)
        args, self.n_inputs = _wrap(args, self._at_inputs)
        self.inputs_seen = wanted
        return args

    def wrap_outputs(self, output):
        single = not isinstance(output, tuple)
        outputs, _ = _wrap((output,) if single else output, self._at_outputs)
        return outputs[0] if single else outputs

    def _at_outputs(self, grads):
        for hook in self.pre_hooks:
            result = hook(self.module, grads)
            if result is not None:
                grads = tuple(result) if isinstance(result, (tuple, list)) else (result,)
        self.grad_output = grads
        if not self.inputs_seen and self.full_hooks:
            warnings.warn("Full backward hook is firing when gradients are computed with respect to module outputs "
                          "since no inputs require gradients.", stacklevel=2)
            self._call_full_hooks((None,) * self.n_inputs)
        return grads

    def _at_inputs(self, grads):
        return self._call_full_hooks(grads)

    def _call_full_hooks(self, grad_input):
        replaced = None
        for hook in self.full_hooks:
            result = hook(self.module, grad_input if replaced is None else replaced, self.grad_output)
            if result is not None:
                replaced = tuple(result) if isinstance(result, (tuple, list)) else (result,)
                if len(replaced) != len(grad_input):
                    raise RuntimeError(f"Backward hook returned an invalid number of grad_input, got "
                                       f"{len(replaced)}, but expected {len(grad_input)}")
        return replaced
