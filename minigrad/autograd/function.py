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

from minigrad.autograd import grad_mode


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
    """Stands where a Primitive stands in a Node, calling the user's backward once per pass."""

    saves_inputs = False
    saves_output = False
    vjps = None  # one rule for all inputs: vjp_argnum

    def __init__(self, function, ctx, n_inputs):
        self.name = function.__name__
        self.function = function
        self.ctx = ctx
        self.n_inputs = n_inputs
        self._pending = None

    def vjp_argnum(self, argnum, g, ans, *inputs):
        from minigrad.tensor import Tensor

        if self._pending is None:
            with grad_mode.no_grad():
                grads = self.function.backward(self.ctx, Tensor._wrap(g))
            grads = grads if isinstance(grads, tuple) else (grads,)
            if len(grads) < self.n_inputs:
                raise RuntimeError(f"function {self.name}Backward returned an incorrect number of gradients "
                                   f"(expected {self.n_inputs}, got {len(grads)})")
            self._pending = list(grads)
        grad = self._pending[argnum]
        self._pending[argnum] = None
        if all(x is None for x in self._pending):
            self._pending = None
        if grad is None:
            return g * 0
        return grad._array if isinstance(grad, Tensor) else grad


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
        from minigrad.autograd.engine import Node
        from minigrad.tensor import Tensor

        needs = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        ctx = FunctionCtx(needs)
        with grad_mode.no_grad():
            out = cls.forward(ctx, *args)
        if not isinstance(out, Tensor):
            raise TypeError(f"{cls.__name__}.forward must return a single Tensor, got {type(out).__name__}")
        if not (any(needs) and grad_mode.is_grad_enabled()):
            return out
        edges = [(a._grad_fn or a) if need else None for a, need in zip(args, needs)]
        arrays = [a._array if isinstance(a, Tensor) else a for a in args]
        node = Node(_UserRule(cls, ctx, len(args)), arrays, {}, None, edges, ())
        return Tensor._wrap(out._array, node)
