"""User-defined differentiable operations, as with torch.autograd.Function.

    class Cube(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x ** 2

    y = Cube.apply(x)

forward runs without recording; the engine later calls backward with the upstream
gradient, exactly where it would call a primitive's VJP rules.
"""

import math

import numpy as np

from minigrad.autograd import grad_mode, recorder


class FunctionCtx:
    """The `ctx` passed to forward and backward: a place to keep what backward needs."""

    def __init__(self, needs_input_grad):
        self.needs_input_grad = needs_input_grad
        self.saved_tensors = ()

    def save_for_backward(self, *tensors):
        self.saved_tensors = tensors

    def mark_non_differentiable(self, *tensors):
        pass

    def set_materialize_grads(self, value):
        pass


class _UserRule:
    """Stands where a Primitive stands in a Node. Its forward hands back the output the
    user's forward already computed; its vjp is the user's backward, called once per
    backward pass with tensors (which, under create_graph, are in the graph: the user's
    backward is then recorded like any other computation).

    With several outputs the node's output is all of them flattened and joined (each
    returned tensor is a slice of it), so `g` arrives as one array and is split back
    into one gradient per output.
    """

    saves_inputs = False
    saves_output = False
    saves_others = False
    reads = None
    view = False

    def __init__(self, function, ctx, output, output_shapes, tensor_inputs):
        self.name = function.__name__
        self.grad_fn_name = f"{function.__name__}Backward"  # as torch names a custom Function's node
        self.function = function
        self.ctx = ctx
        self.output = output
        self.output_shapes = output_shapes  # None: a single output, passed through unpacked
        self.tensor_inputs = tensor_inputs  # per argument of apply: whether it was a tensor
        self.saves_anything = bool(ctx.saved_tensors)  # freed after backward, as torch frees them

    def forward(self, *arrays):
        return self.output

    def vjp(self, g, ans, inputs, params, edges):
        recorded = isinstance(g, recorder.Tensor)  # under create_graph: keep the gradients in the graph
        g = g if recorded else recorder.Tensor._wrap(g)
        if self.output_shapes is None:
            upstream = (g,)
        else:
            bounds = np.cumsum([0] + [math.prod(shape) for shape in self.output_shapes])
            upstream = tuple(g[int(start):int(stop)].reshape(shape)
                             for start, stop, shape in zip(bounds[:-1], bounds[1:], self.output_shapes))
        grads = self.function.backward(self.ctx, *upstream)
        grads = grads if isinstance(grads, tuple) else (grads,)
        if len(grads) != len(inputs):
            raise RuntimeError(f"function {self.name}Backward returned an incorrect number of gradients "
                               f"(expected {len(inputs)}, got {len(grads)})")
        grads = [self._checked(i, grad, inputs[i], edge) for i, (grad, edge) in enumerate(zip(grads, edges))]
        return grads if recorded else [None if grad is None else grad._array for grad in grads]

    def _checked(self, i, grad, like, edge):
        """The gradient the user's backward returned for argument i, checked as torch checks it.

        None means "no gradient": nothing flows to that input. Anything else must be a tensor,
        returned only for an argument that was a tensor; it is dropped where that tensor wants
        no gradient. Its shape must be the input's or one the input's shape broadcasts to (the
        engine then sums it back over the broadcast axes, and casts it to the input's dtype): a
        gradient that would itself have to be broadcast is a mistake in backward, and is refused
        here rather than failing later inside the engine.
        """
        if grad is None:
            return None
        if not isinstance(grad, recorder.Tensor):
            raise RuntimeError(f"expected Variable or None (got {_type_name(grad)}): {self.grad_fn_name} must "
                               "return a tensor or None for each input of forward")
        if not self.tensor_inputs[i]:
            raise RuntimeError(f"function {self.grad_fn_name} returned a gradient different than None at position "
                               f"{i + 1}, but the corresponding forward input was not a Variable")
        if edge is None:
            return None
        if not _broadcasts_to(like.shape, grad.shape):
            raise RuntimeError(f"Function {self.grad_fn_name} returned an invalid gradient at index {i} - got "
                               f"{list(grad.shape)} but expected shape compatible with {list(like.shape)}")
        return grad


def _broadcasts_to(shape, target):
    """Whether an array of `shape` broadcasts to `target` (each axis, from the right, equal or 1)."""
    return len(shape) <= len(target) and all(n == m or n == 1 for n, m in zip(reversed(shape), reversed(target)))


def _type_name(value):
    """The name of value's type as torch's messages give it: `float`, `numpy.ndarray`."""
    cls = type(value)
    return cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"


class Function:
    """Subclass with static forward(ctx, *args) and backward(ctx, *grads); call Sub.apply(*args)."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError

    @classmethod
    def apply(cls, *args):
        Tensor = recorder.Tensor
        needs = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        ctx = FunctionCtx(needs)
        with grad_mode.no_grad():
            out = cls.forward(ctx, *args)
        outputs = out if isinstance(out, tuple) else (out,)
        if not outputs or not all(isinstance(o, Tensor) for o in outputs):
            raise TypeError(f"{cls.__name__}.forward must return a Tensor or a tuple of Tensors, got {out!r}")
        if not (any(needs) and grad_mode.is_grad_enabled()):
            return out
        tensors = tuple(isinstance(a, Tensor) for a in args)
        if not isinstance(out, tuple):
            return recorder.record(_UserRule(cls, ctx, out._array, None, tensors), *args)
        dtypes = {o._array.dtype for o in outputs}
        if len(dtypes) != 1:
            raise NotImplementedError(f"{cls.__name__}.forward returned outputs of several dtypes {sorted(map(str, dtypes))}; "
                                      "minigrad records functions whose outputs share one dtype")
        shapes = [o._array.shape for o in outputs]
        packed = np.concatenate([o._array.ravel() for o in outputs])
        whole = recorder.record(_UserRule(cls, ctx, packed, shapes, tensors), *args)
        bounds = np.cumsum([0] + [o._array.size for o in outputs])
        return tuple(whole[int(start):int(stop)].reshape(shape)
                     for start, stop, shape in zip(bounds[:-1], bounds[1:], shapes))
