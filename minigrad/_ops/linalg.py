"""Matrix products.

For C = A @ B the gradients are dA = dC @ B^T and dB = A^T @ dC. matmul also accepts
vectors (a 1-D operand is a row on the left, a column on the right) and broadcasts batch
axes; the VJPs turn vectors into matrices, apply the matrix rule, and let the engine sum
the gradient back over broadcast batch axes.
"""

import numpy as np

from minigrad._ops.layout import c_order
from minigrad._ops.registry import Primitive


def _mT(a):
    return np.swapaxes(a, -1, -2)


def _matmul_vjp_a(g, ans, a, b):
    if b.ndim == 1:
        g = g[..., None]           # the product had its trailing column axis removed
        b = b[None, :]             # (k,) as a row so that g @ b is an outer product
    else:
        b = _mT(b)
    if a.ndim == 1:
        g = g[..., None, :]        # the product had its leading row axis removed
    grad = g @ b
    return grad[..., 0, :] if a.ndim == 1 else grad


def _matmul_vjp_b(g, ans, a, b):
    if b.ndim == 1:
        g = g[..., None]           # the product had its trailing column axis removed
    if a.ndim == 1:
        g = g[..., None, :]        # the product had its leading row axis removed
        a = a[:, None]             # (k,) as a column so that a @ g is an outer product
    else:
        a = _mT(a)
    grad = a @ g
    return grad[..., 0] if b.ndim == 1 else grad


def _matmul(a, b):
    """a @ b, C-ordered as torch's product is: NumPy's batched product follows the order of
    the batch axes of a transposed or permuted input."""
    ans = np.matmul(a, b)
    return ans if ans.flags.c_contiguous else c_order(ans)


# inf * 0 inside a product gives nan, quietly as in torch.
matmul = Primitive("Mm", _matmul, _matmul_vjp_a, _matmul_vjp_b, saves="others")


def _dot(a, b):
    return np.asarray(np.dot(a, b))


# dot(a, b) = sum_i a_i b_i of two vectors: da = g * b and db = g * a, g being a number. vdot
# (which conjugates a complex a) is the same for real tensors, under its own node name.
dot = Primitive("Dot", _dot, lambda g, ans, a, b: g * b, lambda g, ans, a, b: g * a, saves="others",
                fused_for="a @ b for vectors")
vdot = Primitive("Vdot", _dot, lambda g, ans, a, b: g * b, lambda g, ans, a, b: g * a, saves="others",
                 fused_for="dot(a, b) for real vectors")


def _einsum(*operands, inputs, output):
    spec = f"{','.join(inputs)}->{output}"
    with np.errstate(all="ignore"):  # inf * 0 gives nan, quietly as in torch
        return np.einsum(spec, *operands, optimize=len(operands) > 2)


def _einsum_vjp(i, g, ans, *operands, inputs, output):
    """The gradient of operand i: contract g with the other operands back onto i's letters.

    A letter that only operand i carries was summed away, so the gradient is the same
    along it (a broadcast); a letter repeated inside one operand (a diagonal) is not
    supported.
    """
    own = inputs[i]
    if len(set(own)) != len(own):
        raise NotImplementedError(f"einsum's gradient for an operand with a repeated index ({own!r}) "
                                  "is not supported")
    others = [s for j, s in enumerate(inputs) if j != i]
    available = set(output).union(*others)
    kept = "".join(c for c in own if c in available)
    grad = np.einsum(f"{','.join([output, *others])}->{kept}", g, *(op for j, op in enumerate(operands) if j != i))
    for axis, c in enumerate(own):
        if c not in available:
            grad = np.expand_dims(grad, axis)
    # Broadcast back along the dropped letters and any size-1 letter of another operand;
    # where operand i itself was broadcast (size 1), the engine sums the gradient.
    return np.broadcast_to(grad, np.broadcast_shapes(grad.shape, operands[i].shape))


# inputs: the subscripts of each operand; output: those of the result (ellipses already spelled out).
einsum = Primitive("Einsum", _einsum, vjp_argnum=_einsum_vjp)


# inv(A): from d(A A^-1) = 0, d(A^-1) = -A^-1 dA A^-1, so the gradient is -A^-T g A^-T.
inv = Primitive("LinalgInv", np.linalg.inv, lambda g, ans, a: -_mT(ans) @ g @ _mT(ans), saves="output",
                grad_fn_name="LinalgInvExBackward0")


def _solve_vjp_b(g, ans, a, b):
    # X = A^-1 B is linear in B: dB = A^-T g.
    return np.linalg.solve(_mT(a), g)


def _solve_vjp_a(g, ans, a, b):
    # dA = -dB X^T, with dB the gradient of B above.
    return -_solve_vjp_b(g, ans, a, b) @ _mT(ans)


# solve(A, B) for matrices B (the shell turns a vector B into a one-column matrix).
solve = Primitive("LinalgSolve", np.linalg.solve, _solve_vjp_a, _solve_vjp_b, saves="both",
                  grad_fn_name="LinalgSolveExBackward0", fused_for="inv(a) @ b")


# ---------------------------------------------------------------- beta * input + alpha * product
# addmm, baddbmm, addmv, addr and addbmm add a scaled product of a and b to a scaled input
# (broadcast to the product's shape). The input's gradient is beta * g; a's and b's are the
# product's own gradients times alpha.
def _outer(a, b):
    return a[:, None] * b[None, :]


def _batch_sum(a, b):
    """The sum over the batch of a[i] @ b[i], in their dtype (NumPy would sum int32 in int64)."""
    return _matmul(a, b).sum(axis=0, dtype=a.dtype)


def _scaled_sum(name, product, product_vjp_a, product_vjp_b, composite):
    """The primitive `name`: beta * input + alpha * product(a, b), `composite` in other primitives."""
    def forward(input, a, b, beta, alpha):
        scaled = product(a, b) if alpha == 1 else product(a, b) * alpha
        if beta == 0:  # input is not read, so that nan or inf there do not show, as in torch
            return scaled
        return scaled + (input if beta == 1 else input * beta)

    def input_vjp(g, ans, input, a, b, beta, alpha):
        return g if beta == 1 else g * beta

    def a_vjp(g, ans, input, a, b, beta, alpha):
        grad = product_vjp_a(g, ans, a, b)
        return grad if alpha == 1 else grad * alpha

    def b_vjp(g, ans, input, a, b, beta, alpha):
        grad = product_vjp_b(g, ans, a, b)
        return grad if alpha == 1 else grad * alpha

    # (a's rule reads b and b's reads a; input's reads neither)
    return Primitive(name, forward, input_vjp, a_vjp, b_vjp, saves="inputs", reads=((), (2,), (1,)),
                     fused_for=composite)


addmm = _scaled_sum("Addmm", _matmul, _matmul_vjp_a, _matmul_vjp_b, "beta * input + alpha * mm(a, b)")
baddbmm = _scaled_sum("Baddbmm", _matmul, _matmul_vjp_a, _matmul_vjp_b, "beta * input + alpha * bmm(a, b)")
addmv = _scaled_sum("Addmv", _matmul, _matmul_vjp_a, _matmul_vjp_b, "beta * input + alpha * mv(a, b)")
# outer(a, b): da = g @ b, db = a @ g (g^T a)
addr = _scaled_sum("Addr", _outer, lambda g, ans, a, b: g @ b, lambda g, ans, a, b: a @ g,
                   "beta * input + alpha * outer(a, b)")
# the sum over the batch of a[i] @ b[i]: every a[i] sees the same g (the matmul rules broadcast it)
addbmm = _scaled_sum("Addbmm", _batch_sum, _matmul_vjp_a, _matmul_vjp_b, "beta * input + alpha * bmm(a, b).sum(0)")
