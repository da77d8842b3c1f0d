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

import numpy as np

from minigrad.autograd import grad_mode
from minigrad.autograd.engine import node_type
from minigrad.tensor import Tensor


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
    """Stands where a Primitive stands in a Node: its one rule for all inputs (vjp_all) is
    the user's backward, called once per backward pass.

    With several outputs the node's output is all of them flattened and joined (each
    returned tensor is a slice of it), so `g` arrives as one array and is split back
    into one gradient per output.
    """

    saves_inputs = False
    saves_output = False
    saves_others = False
    vjps = None
    vjp_argnum = None

    def __init__(self, function, ctx, output_shapes):
        self.name = function.__name__
        self.grad_fn_name = f"{function.__name__}Backward"  # as torch names a custom Function's node
        self.function = function
        self.ctx = ctx
        self.output_shapes = output_shapes  # None: a single output, passed through unpacked
        self.saves_anything = bool(ctx.saved_tensors)  # freed after backward, as torch frees them

    def vjp_all(self, g, ans, *inputs):
        if self.output_shapes is None:
            upstream = (Tensor._wrap(g),)
        else:
            bounds = np.cumsum([0] + [int(np.prod(shape)) for shape in self.output_shapes])
            upstream = tuple(Tensor._wrap(g[start:stop].reshape(shape))
                             for start, stop, shape in zip(bounds[:-1], bounds[1:], self.output_shapes))
        with grad_mode.no_grad():
            grads = self.function.backward(self.ctx, *upstream)
        grads = grads if isinstance(grads, tuple) else (grads,)
        if len(grads) != len(inputs):
            raise RuntimeError(f"function {self.name}Backward returned an incorrect number of gradients "
                               f"(expected {len(inputs)}, got {len(grads)})")
        # None means "no gradient": nothing flows to that input, as in torch.
        return [None if grad is None else grad._array if isinstance(grad, Tensor) else np.asarray(grad)
                for grad in grads]


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
        needs = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        ctx = FunctionCtx(needs)
        with grad_mode.no_grad():
            out = cls.forward(ctx, *args)
        outputs = out if isinstance(out, tuple) else (out,)
        if not outputs or not all(isinstance(o, Tensor) for o in outputs):
            raise TypeError(f"{cls.__name__}.forward must return a Tensor or a tuple of Tensors, got {out!r}")
        if not (any(needs) and grad_mode.is_grad_enabled()):
            return out
        edges = [(a._grad_fn or a) if need else None for a, need in zip(args, needs)]
        arrays = [a._array if isinstance(a, Tensor) else a for a in args]
        if not isinstance(out, tuple):
            rule = _UserRule(cls, ctx, None)
            return Tensor._wrap(out._array, node_type(rule.grad_fn_name)(rule, arrays, {}, None, edges, ()))
        dtypes = {o._array.dtype for o in outputs}
        if len(dtypes) != 1:
            raise NotImplementedError(f"{cls.__name__}.forward returned outputs of several dtypes {sorted(map(str, dtypes))}; "
                                      "minigrad records functions whose outputs share one dtype")
        shapes = [o._array.shape for o in outputs]
        packed = np.concatenate([o._array.ravel() for o in outputs])
        rule = _UserRule(cls, ctx, shapes)
        node = node_type(rule.grad_fn_name)(rule, arrays, {}, None, edges, ())
        whole = Tensor._wrap(packed, node)
        bounds = np.cumsum([0] + [o._array.size for o in outputs])
        return tuple(whole[int(start):int(stop)].reshape(shape)
                     for start, stop, shape in zip(bounds[:-1], bounds[1:], shapes))
