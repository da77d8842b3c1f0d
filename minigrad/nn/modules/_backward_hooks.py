"""Module backward hooks (register_full_backward_hook / _pre_hook), built as torch builds them.

A module with such hooks passes its tensor arguments, and later its outputs, through an
identity node (BackwardHookFunctionBackward in the graph). In backward, the node after the
outputs receives the gradients with respect to the outputs (grad_output): the pre-hooks see
them first and may replace them. The node before the inputs receives the gradients with
respect to the inputs (grad_input): the full hooks see both and may replace grad_input.

The older, non-full hooks (register_backward_hook, deprecated in torch) are simpler and see
less: they are hooks on the node that made the module's first output tensor, the last op of
its forward, run after that node's backward with its own grad_input (the gradients of that op's
inputs, which are the module's inputs only when the module is that one op) and grad_output.
"""

import warnings
import weakref

from minigrad.autograd.function import Function
from minigrad.autograd.node import after_hooks
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


# ---------------------------------------------------------------- the non-full hooks
def hook_last_node(module, hooks, args, output):
    """Register the non-full backward hooks of one call on the node that made the first tensor of
    the output (looked for as torch looks: first item of a sequence, first tensor of a dict), and
    warn, as torch warns, where that node's gradients are not the module's."""
    first = output
    while not isinstance(first, Tensor):
        first = next(v for v in first.values() if isinstance(v, Tensor)) if isinstance(first, dict) else first[0]
    node = first.grad_fn
    if node is None:
        return
    registered = after_hooks.setdefault(node, {})
    for hook in hooks:
        registered[len(registered)] = _on_node(module, hook)
    _warn_where_gradients_go_missing(args, output, node)


def _on_node(module, hook):
    """hook(module, grad_input, grad_output) as a hook on a node (see autograd.node.after_hooks): on
    tensors, checked as torch checks what it returns (a tuple of as many gradients, of their sizes).
    As in torch, the node holds the module weakly: a module gone by backward is an error."""
    name = getattr(hook, "__name__", type(hook).__name__)
    module = weakref.ref(module)

    def as_tensors(grads):
        return tuple(None if g is None or isinstance(g, Tensor) else Tensor._wrap(g) for g in grads)

    def run(grad_inputs, grad_outputs):
        if module() is None:
            raise RuntimeError("You are trying to call the hook of a dead Module!")
        given = as_tensors(grad_inputs)
        result = hook(module(), given, as_tensors(grad_outputs))
        if result is None:
            return None
        if not isinstance(result, tuple):
            raise TypeError(f"expected tuple, but hook returned '{type(result).__name__}'")
        if len(result) != len(given):
            raise RuntimeError(f"hook '{name}' has returned an incorrect number of values (got {len(result)}, but "
                               f"expected {len(given)})")
        replaced = []
        for new, old, raw in zip(result, given, grad_inputs):
            if new is not None and old is not None and new.shape != old.shape:
                raise RuntimeError(f"hook '{name}' has changed the size of value")
            # a gradient the node did not compute stays absent; an array pass keeps arrays
            replaced.append(None if new is None or old is None else new if isinstance(raw, Tensor) else new._array)
        return replaced
    return run


def _warn_where_gradients_go_missing(args, output, node):
    """torch's FutureWarnings for a non-full hook that will miss gradients: a module whose output or
    inputs are not tensors, whose outputs come from several nodes (or not from `node`), or whose
    forward runs more than one op (the node's inputs are not the module's)."""
    advice = " Please use register_full_backward_hook to get the documented behavior."
    outputs = (output,) if isinstance(output, Tensor) else output
    if not (isinstance(outputs, tuple) and all(isinstance(t, Tensor) for t in outputs)):
        warnings.warn("Using non-full backward hooks on a Module that does not return a single Tensor or a tuple of "
                      "Tensors is deprecated and will be removed in future versions. This hook will be missing some of "
                      "the grad_output." + advice, FutureWarning, stacklevel=5)
        return
    if not all(isinstance(a, Tensor) for a in args):
        warnings.warn("Using non-full backward hooks on a Module that does not take as input a single Tensor or a "
                      "tuple of Tensors is deprecated and will be removed in future versions. This hook will be "
                      "missing some of the grad_input." + advice, FutureWarning, stacklevel=5)
        return
    output_nodes = {t.grad_fn for t in outputs if t.grad_fn is not None}
    if not output_nodes or (len(output_nodes) == 1 and node not in output_nodes):
        warnings.warn("Using a non-full backward hook when outputs are nested in python data structure is deprecated "
                      "and will be removed in future versions. This hook will be missing some grad_output.",
                      FutureWarning, stacklevel=5)
    elif len(output_nodes) > 1:
        warnings.warn("Using a non-full backward hook when outputs are generated by different autograd Nodes is "
                      "deprecated and will be removed in future versions. This hook will be missing some "
                      "grad_output." + advice, FutureWarning, stacklevel=5)
    elif {a.grad_fn for a in args if a.grad_fn is not None} != {edge for edge, _ in node.next_functions}:
        warnings.warn("Using a non-full backward hook when the forward contains multiple autograd Nodes is "
                      "deprecated and will be removed in future versions. This hook will be missing some "
                      "grad_input." + advice, FutureWarning, stacklevel=5)
