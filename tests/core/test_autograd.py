"""Graph semantics of the engine, each checked by running the same program on torch.

A program takes the library module (torch or minigrad) and returns plain values:
lists of numbers, names, or the type of the exception it raised. The two results must
agree, so every expectation here is torch's own behaviour rather than a copied number.
"""

import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad._ops import elementwise
from minigrad.testing import assert_same_as_torch, torch_or_skip

torch = torch_or_skip()


# ------------------------------------------------------------------ accumulation and leaves
def test_leaf_grads_accumulate_across_backward_calls():
    def program(T):
        x = T.tensor([1.0, -2.0, 3.0], requires_grad=True)
        (x * x).sum().backward()
        first = x.grad.clone()
        (x * 3).sum().backward()
        return first, x.grad, x.is_leaf, x.grad_fn is None
    assert_same_as_torch(program)


def test_zeroed_grad_restarts_accumulation():
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        (x * x).sum().backward()
        x.grad.zero_()
        (x * 5).sum().backward()
        return x.grad
    assert_same_as_torch(program)


def test_a_tensor_used_twice_gets_both_gradients():
    def program(T):
        x = T.tensor([0.5, -1.5], dtype=T.float64, requires_grad=True)
        y = x * x + x.exp() * x - x / (x * x + 1)
        y.sum().backward()
        return x.grad
    assert_same_as_torch(program)


def test_grads_of_two_leaves_are_separate_arrays():
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = T.tensor([3.0, 4.0], requires_grad=True)
        (x + y).sum().backward()
        x.grad.mul_(10)  # must not change y.grad
        return x.grad, y.grad
    assert_same_as_torch(program)


def test_seed_gradient_is_not_aliased_into_grad():
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        seed = T.tensor([1.0, 1.0])
        (x + 0).backward(seed)
        x.grad.mul_(3)
        return seed, x.grad
    assert_same_as_torch(program)


@given(shape=st.lists(st.integers(0, 3), max_size=3).map(tuple), reduction=st.sampled_from(["sum", "mean"]),
       retained=st.booleans())
def test_gradient_of_a_whole_reduction_is_writable_and_its_own(shape, reduction, retained):
    """The gradient of x.sum() or x.mean() is one number spread over x's shape (a read-only view
    with zero strides inside backward): what reaches .grad, of the leaf or of a retained non-leaf,
    is an array of its own that can be changed in place, one element at a time."""
    def program(T):
        x = T.arange(float(np.prod(shape)), dtype=T.float32).reshape(shape).requires_grad_(True)
        y = x * 2
        if retained:
            y.retain_grad()
        getattr(y, reduction)().backward()
        grads = [x.grad, y.grad] if retained else [x.grad]
        for g in grads:
            g.view(-1)[:1].add_(5)  # only the first element: a stride-0 view would change them all
        return grads
    assert_same_as_torch(program)


def test_non_leaf_grad_is_none_unless_retained():
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        z = x * 3
        z.retain_grad()
        (y * z).sum().backward()
        return y.grad is None, z.grad, z.retains_grad, y.retains_grad, y.is_leaf

    for lib in (torch, minigrad):
        with pytest.warns(UserWarning, match="retain_grad"):  # reading a non-leaf .grad is likely a mistake
            program(lib)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        assert_same_as_torch(program)


def test_retained_grad_accumulates_with_retain_graph():
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = x * x
        y.retain_grad()
        out = y.sum() * 2
        out.backward(retain_graph=True)
        out.backward()
        return y.grad, x.grad
    assert_same_as_torch(program)


def test_backward_on_a_leaf():
    def program(T):
        x = T.tensor(2.0, requires_grad=True)
        x.backward()
        return x.grad
    assert_same_as_torch(program)


# ------------------------------------------------------------------ hooks
def test_hooks_observe_and_replace_gradients():
    def program(T):
        x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        seen = []
        y = x * 2
        y.register_hook(lambda g: seen.append(g.tolist()))
        y.register_hook(lambda g: g * 10)
        handle = x.register_hook(lambda g: g + 1)
        (y * y).sum().backward()
        first = x.grad.clone()
        handle.remove()
        x.grad = None
        (x * 1).sum().backward()
        return seen, first, x.grad
    assert_same_as_torch(program)


def test_hook_on_tensor_without_grad_raises():
    assert_same_as_torch(lambda T: T.ones(2).register_hook(lambda g: g))


# ------------------------------------------------------------------ grad mode
def test_no_grad_context_and_decorator():
    def program(T):
        x = T.ones(2, requires_grad=True)
        with T.no_grad():
            a = x * 2
            with T.enable_grad():
                b = x * 2

        @T.no_grad()
        def f(t):
            return t * 2

        @T.no_grad
        def g(t):
            return t * 2

        return (a.requires_grad, b.requires_grad, f(x).requires_grad, g(x).requires_grad,
                (x * 2).requires_grad, T.is_grad_enabled())
    assert_same_as_torch(program)


def test_set_grad_enabled_as_call_and_context():
    def program(T):
        x = T.ones(2, requires_grad=True)
        with T.set_grad_enabled(False):
            a = x * 2
        b = x * 2
        T.set_grad_enabled(False)
        c = x * 2
        T.set_grad_enabled(True)
        return a.requires_grad, b.requires_grad, c.requires_grad, T.is_grad_enabled()
    assert_same_as_torch(program)


def test_no_grad_update_of_a_leaf_keeps_it_a_leaf():
    def program(T):
        w = T.tensor([1.0, 2.0], requires_grad=True)
        (w * w).sum().backward()
        with T.no_grad():
            w -= 0.1 * w.grad
            w.add_(w.grad, alpha=-0.5)
        return w, w.is_leaf, w.requires_grad, w.grad_fn is None, w._version
    assert_same_as_torch(program)


def test_detach_shares_memory_and_version():
    def program(T):
        x = T.ones(3, requires_grad=True)
        y = x.detach()
        y.add_(1)
        return x, x._version, y.requires_grad, y.is_leaf
    assert_same_as_torch(program)


# ------------------------------------------------------------------ freeing and versions
def test_second_backward_through_freed_graph_raises():
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = x.exp().sum()
        y.backward()
        y.backward()
    assert assert_same_as_torch(program) == ("raised", "RuntimeError")


def test_retain_graph_allows_a_second_backward():
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = x.exp().sum()
        y.backward(retain_graph=True)
        y.backward()
        return x.grad
    assert_same_as_torch(program)


def test_modifying_a_saved_output_raises_at_backward():
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = x.exp()
        y.add_(1)
        y.sum().backward()
    assert assert_same_as_torch(program) == ("raised", "RuntimeError")


def test_modifying_a_saved_input_raises_at_backward():
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        a = x * 1
        b = a * a
        a.mul_(2)
        b.sum().backward()
    assert assert_same_as_torch(program) == ("raised", "RuntimeError")


DIVISIONS = [("tensor", changed, wanting) for changed in ("numerator", "denominator")
             for wanting in ("numerator", "denominator", "both")] + [("number", "numerator", "numerator")]


@pytest.mark.parametrize("denominator, changed, wanting", DIVISIONS)
def test_division_watches_what_its_rules_read_as_torch(denominator, changed, wanting):
    """x / y: x's gradient reads only y, so torch saves x only when y wants a gradient, and y
    always. Changing in place an input the rules read raises; changing one they do not read is
    allowed, and the gradients are right. (A number denominator neither wants a gradient nor
    changes: only the numerator can.)"""
    def program(T):
        x0 = T.tensor([1.0, 2.0, -3.0], requires_grad=wanting in ("numerator", "both"))
        y0 = T.tensor([2.0, -4.0, 0.5], requires_grad=wanting in ("denominator", "both"))
        x, y = x0 * 1.0, y0 * 1.0  # not leaves, so that they may change in place
        quotient = x / (y if denominator == "tensor" else 3.0)
        with T.no_grad():
            (x if changed == "numerator" else y).add_(1.0)
        quotient.sum().backward()
        return x0.grad, y0.grad
    assert_same_as_torch(program)


def test_version_error_names_the_op():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = x.sigmoid()
    y.mul_(2)
    with pytest.raises(RuntimeError, match="SigmoidBackward0.*in-place|inplace"):
        y.sum().backward()


def test_in_place_ops_on_graph_tensors_are_differentiable():
    def program(T):
        a = T.tensor([1.0, -2.0, 3.0], dtype=T.float64, requires_grad=True)
        x = a * 2
        y = x + 1          # does not save x: modifying x later is fine
        x.mul_(3)
        x.add_(a)
        x.clamp_(-4, 7)
        x.sub_(y, alpha=2)
        x.div_(2)
        (x * y).sum().backward()
        return a.grad, x.grad_fn.name()
    assert_same_as_torch(program)


def test_in_place_on_a_leaf_that_requires_grad_raises():
    assert_same_as_torch(lambda T: T.ones(2, requires_grad=True).add_(1))


def test_in_place_with_a_float_into_an_int_tensor_raises():
    assert_same_as_torch(lambda T: T.tensor([1, 2]).add_(0.5))


# ------------------------------------------------------------------ errors
@pytest.mark.parametrize("case", ["int_requires_grad", "non_scalar", "no_grad_fn", "non_leaf_flag", "bad_seed"])
def test_errors_match_torch(case):
    programs = {
        "int_requires_grad": lambda T: T.tensor([1, 2], requires_grad=True),
        "non_scalar": lambda T: (T.ones(2, requires_grad=True) * 2).backward(),
        "no_grad_fn": lambda T: T.ones(2).sum().backward(),
        "non_leaf_flag": lambda T: (T.ones(2, requires_grad=True) * 2).requires_grad_(False),
        "bad_seed": lambda T: (T.ones(2, requires_grad=True) * 2).backward(T.ones(3)),
    }
    assert assert_same_as_torch(programs[case])[0] == "raised"


def test_error_messages_say_what_to_do():
    with pytest.raises(RuntimeError, match="scalar outputs.*gradient="):
        (minigrad.ones(2, requires_grad=True) * 2).backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y = minigrad.ones(2, requires_grad=True).exp().sum()
        y.backward()
        y.backward()
    with pytest.raises(RuntimeError, match="floating point"):
        minigrad.zeros(2, dtype=minigrad.int64).requires_grad_()


def test_a_second_backward_names_the_op_whose_saved_values_are_gone():
    y = minigrad.ones(2, requires_grad=True).exp().sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True.*freed are those of ExpBackward0"):
        y.backward()


# ------------------------------------------------------------------ the graph as data
def test_grad_fn_names_and_next_functions():
    def program(T):
        x = T.ones(2, 3, requires_grad=True)
        w = T.ones(3, 4, requires_grad=True)
        y = (x @ w).relu().sum()
        def name(f):
            return f.name().split("::")[-1]  # torch says torch::autograd::AccumulateGrad

        nodes, node = [], y.grad_fn
        while node is not None:
            nodes.append(name(node))
            node = next((f for f, _ in node.next_functions if name(f) != "AccumulateGrad"), None)
        leaves = [name(f) for f, _ in (x @ w).grad_fn.next_functions]
        return nodes, leaves
    assert_same_as_torch(program)


def test_function_with_custom_backward():
    def program(T):
        class Cube(T.autograd.Function):
            @staticmethod
            def forward(ctx, x, k):
                ctx.save_for_backward(x)
                ctx.k = k
                return x ** 3 * k

            @staticmethod
            def backward(ctx, grad):
                (x,) = ctx.saved_tensors
                return grad * 3 * x ** 2 * ctx.k, None

        x = T.tensor([1.0, -2.0], dtype=T.float64, requires_grad=True)
        y = Cube.apply(x, 2.0)
        (y * x).sum().backward()
        return y, x.grad
    assert_same_as_torch(program)


def test_gradients_only_for_inputs_that_need_them(monkeypatch):
    """A first layer's data gets no dx: the VJP for the input that needs none never runs."""
    calls = []
    from minigrad._ops import linalg
    from minigrad._ops.registry import one_rule
    rule_a, rule_b = linalg._matmul_vjp_a, linalg._matmul_vjp_b
    monkeypatch.setattr(linalg.matmul, "vjp",
                        one_rule((lambda *a: calls.append("a") or rule_a(*a), lambda *a: calls.append("b") or rule_b(*a))))
    data = minigrad.randn(4, 3)
    weight = minigrad.randn(3, 2, requires_grad=True)
    (data @ weight).sum().backward()
    assert calls == ["b"]
    assert data.grad is None and weight.grad is not None


def test_a_long_chain_does_not_recurse():
    x = minigrad.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y + 0
    y.sum().backward()
    assert x.grad.tolist() == [1.0]


def test_backward_frees_what_it_saved():
    x = minigrad.ones(3, requires_grad=True)
    y = x.exp()
    node = y.grad_fn
    y.sum().backward()
    assert node.ans is None and node.inputs is None


def test_a_node_keeps_only_the_shape_of_a_large_input_its_rules_do_not_read():
    # ReLU's rule reads its output: the node must not keep the (large) input alive, only
    # its shape and dtype, and the gradient must not change.
    x = minigrad.randn(64, 1024, requires_grad=True)
    h = x * 2
    y = h.relu()
    kept = y.grad_fn.inputs[0]
    assert kept.shape == h.shape and kept.dtype == h._array.dtype
    assert not np.may_share_memory(kept, h._array)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.where(x.detach().numpy() > 0, 2.0, 0.0).astype(np.float32))


def test_import_does_not_import_torch():
    code = "import sys, minigrad, minigrad.nn, minigrad.optim, minigrad.utils.data; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ------------------------------------------------------------------ random graphs
_BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (b * b + 1),
    "max": lambda a, b: a.maximum(b) if hasattr(a, "maximum") else a,
    "mix": lambda a, b: (a * 0.5).tanh() * b.sigmoid(),
    "pow": lambda a, b: (a * a + 1) ** 0.5 - b,
    "sum_back": lambda a, b: a.sum(0, keepdim=True) * 0.1 + b,
}


@given(program=st.lists(st.tuples(st.sampled_from(sorted(_BINARY)), st.integers(0, 50), st.integers(0, 50)),
                        min_size=1, max_size=12),
       seed=st.integers(0, 2 ** 16))
def test_random_graphs_match_torch(program, seed):
    """Any DAG of broadcasting ops over shared leaves: every leaf gradient equals torch's."""
    def build(T):
        rng = np.random.default_rng(seed)
        leaves = [T.tensor(rng.standard_normal(shape), requires_grad=True) for shape in [(3, 1), (1, 4), (3, 4), ()]]
        pool = list(leaves)
        for name, i, j in program:
            pool.append(_BINARY[name](pool[i % len(pool)], pool[j % len(pool)]))
        (pool[-1] * T.tensor(rng.standard_normal(pool[-1].shape))).sum().backward()
        return [np.zeros(leaf.shape) if leaf.grad is None else leaf.grad.numpy() for leaf in leaves]

    for ours, theirs in zip(build(minigrad), build(torch)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


def test_float32_stays_float32_through_backward():
    x = minigrad.randn(3, 4, requires_grad=True)
    w = minigrad.randn(4, dtype=minigrad.float64, requires_grad=True)
    y = (x * 2.5 + 1).tanh() * 3
    (y.sum(1) ** 2).mean().backward()
    z = (x * w).sum()  # float32 with float64 promotes to float64, as in torch
    assert y.dtype is minigrad.float32 and x.grad.dtype is minigrad.float32
    assert z.dtype is minigrad.float64
    z.backward()
    assert x.grad.dtype is minigrad.float32 and w.grad.dtype is minigrad.float64


def test_mixed_precision_gradients_match_torch():
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        w = T.tensor([0.5, -0.25], dtype=T.float64, requires_grad=True)
        (x * w).sum().backward()
        return x.grad, w.grad, str(x.grad.dtype).split(".")[-1], str(w.grad.dtype).split(".")[-1]
    assert_same_as_torch(program)


def test_primitive_names_are_registered_once():
    assert minigrad._ops.REGISTRY["Mul"] is elementwise.mul
    with pytest.raises(ValueError, match="registered twice"):
        minigrad._ops.Primitive("Mul", np.multiply)


# ------------------------------------------------------------------ autograd.grad and backward(inputs=)
def test_autograd_grad_returns_gradients_without_touching_grad():
    def program(T):
        x = T.tensor([1.0, 2.0], dtype=T.float64, requires_grad=True)
        w = T.tensor([0.5, -1.0], dtype=T.float64, requires_grad=True)
        h = x * w
        y = (h.exp() * x).sum()
        gx, gh = T.autograd.grad(y, [x, h], retain_graph=True)
        (gw,) = T.autograd.grad([y, (w * w).sum()], w)
        return gx, gh, gw, x.grad is None, w.grad is None
    assert_same_as_torch(program)


def test_autograd_grad_of_an_unused_input():
    def unused(T):
        x, z = T.ones(2, requires_grad=True), T.ones(2, requires_grad=True)
        return T.autograd.grad((x * 2).sum(), [x, z])
    assert_same_as_torch(unused)

    def allowed(T):
        x, z = T.ones(2, requires_grad=True), T.ones(2, requires_grad=True)
        gx, gz = T.autograd.grad((x * 2).sum(), [x, z], allow_unused=True)
        return gx, gz is None
    assert_same_as_torch(allowed)


def test_backward_with_inputs_fills_only_those():
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        w = T.tensor([3.0, 4.0], requires_grad=True)
        (x * w).sum().backward(inputs=[w])
        T.autograd.backward([(x * x).sum(), (w * x).sum()], inputs=[x])
        return x.grad, w.grad
    assert_same_as_torch(program)


# ------------------------------------------------------------------ views and item assignment
def test_setitem_on_a_graph_tensor_is_recorded():
    def program(T):
        x = T.tensor([1.0, 2.0, 3.0, 4.0], dtype=T.float64, requires_grad=True)
        h = T.tensor([0.5, -0.5], dtype=T.float64, requires_grad=True)
        y = x * 2
        y[1:3] = h * 3           # the overwritten elements get no gradient from y's past
        out = T.zeros(2, 4, dtype=T.float64)
        out[0] = y               # a buffer that does not require grad becomes part of the graph
        out[1, ::2] = x[:2] ** 2
        (out * T.arange(8, dtype=T.float64).reshape(2, 4)).sum().backward()
        return x.grad, h.grad, out.requires_grad
    assert_same_as_torch(program)


def test_modifying_a_view_of_a_saved_tensor_raises():
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = x.exp()
        v = y.detach().view(2, 1)
        v.add_(1)                # changes y's memory: exp's saved output is stale
        y.sum().backward()
    assert assert_same_as_torch(program) == ("raised", "RuntimeError")


def test_views_share_the_version_counter():
    def program(T):
        x = T.zeros(2, 3)
        v = x[0]
        t = x.t()
        v.add_(1)
        return x._version, v._version, t._version
    assert_same_as_torch(program)


def test_function_with_two_outputs_and_no_gradient_for_an_input():
    def program(T):
        class SplitScale(T.autograd.Function):
            @staticmethod
            def forward(ctx, a, b):
                ctx.save_for_backward(a)
                return a * 2, (a * b).sum()

            @staticmethod
            def backward(ctx, grad_double, grad_total):
                (a,) = ctx.saved_tensors
                return grad_double * 2, None  # no gradient for b: its .grad stays None

        a = T.tensor([1.0, -2.0, 3.0], dtype=T.float64, requires_grad=True)
        b = T.tensor([0.5, 0.5, 0.5], dtype=T.float64, requires_grad=True)
        doubled, total = SplitScale.apply(a, b)
        loss = (doubled * doubled).sum() + 3 * total
        loss.backward(retain_graph=True)
        first = a.grad.clone()
        loss.backward()  # the user's backward runs again: nothing cached from the first pass
        return doubled, total, first, a.grad, b.grad
    assert_same_as_torch(program)


def test_functional_jacobian_and_vjp_match_torch():
    def program(T):
        x = T.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], dtype=T.float64)
        w = T.tensor([[1.0, 2.0], [0.5, -1.0], [-0.3, 0.7]], dtype=T.float64)
        jx, jw = T.autograd.functional.jacobian(lambda a, b: (a @ b).tanh(), (x, w))
        out, vx = T.autograd.functional.vjp(lambda a: (a ** 3).sum(1), x, T.tensor([1.0, -2.0], dtype=T.float64))
        return jx, jw, out, vx
    assert_same_as_torch(program)


# ------------------------------------------------------------------ what a product saves
def test_a_product_checks_only_the_operand_the_other_gradient_reads():
    def scalar_product(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = x * 1
        z = y * 2          # y's gradient reads only the 2, so y may change afterwards
        y.add_(1)
        z.sum().backward()
        return x.grad

    def constant_weight(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        w = T.tensor([3.0, 4.0])
        y = x * 1
        z = y @ w          # y's gradient reads w: changing y is fine
        y.mul_(5)
        z.backward()
        return x.grad

    def modified_weight(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        w = T.tensor([3.0, 4.0])
        z = (x * w).sum()  # x's gradient reads w: changing w is caught
        w.add_(1)
        z.backward()

    def assignment_from_itself(T):
        x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 1
        y[1] = y[0] * 2
        y.sum().backward()
        return x.grad

    def second_backward(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        z = (x * 2).sum()
        z.backward()
        z.backward()

    for program in (scalar_product, constant_weight, assignment_from_itself):
        assert_same_as_torch(program)
    for program in (modified_weight, second_backward):
        assert assert_same_as_torch(program) == ("raised", "RuntimeError")



def test_retained_grads_fill_in_every_kind_of_backward():
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        y.retain_grad()
        (y * y).sum().backward(inputs=[x], retain_graph=True)
        first = y.grad.clone()
        (gx,) = T.autograd.grad((y * y).sum(), [x])
        return first, y.grad, x.grad, gx
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        result = assert_same_as_torch(program)
    assert result[0] != "raised"


@pytest.mark.parametrize("hook", [lambda g: g.sum(), lambda g: g.double(), lambda g: g.int(), lambda g: 2.0,
                                  lambda g: g * 3, lambda g: None])
@pytest.mark.parametrize("on", ["leaf", "non-leaf"])
def test_a_tensor_hook_may_change_the_values_of_a_gradient_only_as_torch(hook, on):
    """A hook that returns another shape, another dtype or no tensor at all raises, as in torch,
    instead of leaving a .grad that does not fit its tensor."""
    def program(T):
        x = T.ones(2, requires_grad=True)
        if on == "leaf":
            x.register_hook(hook)
            (x * 2).sum().backward()
        else:
            z = x * 2
            z.register_hook(hook)
            z.sum().backward()
        return x.grad
    assert_same_as_torch(program)


def test_grad_mode_decorators_reach_the_body_of_a_generator_as_torch():
    """@no_grad on a generator function switches recording off while its body runs (at each
    resume, send and throw included), and the caller's own mode holds between its values."""
    def program(T):
        x = T.ones(2, requires_grad=True)

        @T.no_grad()
        def quiet():
            sent = yield (x * 2).requires_grad
            yield [(x * 3).requires_grad, sent]
            return "done"

        steps = quiet()
        seen = [next(steps), steps.send("sent"), (x * 4).requires_grad]
        try:
            next(steps)
        except StopIteration as stop:
            seen.append(stop.value)

        @T.enable_grad()
        def recording():
            try:
                yield (x * 2).requires_grad
            except ValueError:
                yield ("caught", (x * 2).requires_grad)

        with T.no_grad():
            steps = recording()
            seen += [next(steps), steps.throw(ValueError("v")), (x * 2).requires_grad]

        @T.no_grad
        def bare():
            yield (x * 2).requires_grad

        return seen + [list(bare())]
    assert_same_as_torch(program)


_VIEWS = [lambda y: y[:2], lambda y: y.view(3), lambda y: y.reshape(3, 1), lambda y: y.unsqueeze(0),
          lambda y: y.narrow(0, 0, 2), lambda y: y[1], lambda y: y.expand(2, 3)]
_IN_PLACE = [lambda y: y.mul_(3), lambda y: y.add_(1), lambda y: y.exp_(), lambda y: y.__setitem__(0, 5.0),
             lambda y: y.zero_()]


@pytest.mark.parametrize("view", _VIEWS)
@pytest.mark.parametrize("in_place", _IN_PLACE)
def test_a_view_made_before_a_recorded_in_place_op_on_its_base_refuses_to_be_used(view, in_place):
    """torch rebases the view on the base's new graph; minigrad cannot, and the view's gradient
    would skip the in-place op (x.grad came out [6, 12, 0] for torch's [18, 36, 0]): it raises,
    in an op and in backward, rather than give that wrong gradient."""
    x = minigrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    v = view(y)
    in_place(y)
    with pytest.raises(RuntimeError, match="in-place operation on that tensor"):
        (v * v).sum()
    with pytest.raises(RuntimeError, match="in-place operation on that tensor"):
        v.backward(minigrad.ones_like(v))


def _view_taken_after_the_in_place_op(T):
    x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    y.mul_(3)
    v = y[:2]
    (v * v).sum().backward()
    return x.grad


def _view_of_a_leaf_changed_under_no_grad(T):
    w = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
    v = w[:2]
    with T.no_grad():
        w.add_(1)
    (v * v).sum().backward()
    return w.grad


@pytest.mark.parametrize("program", [_view_taken_after_the_in_place_op, _view_of_a_leaf_changed_under_no_grad])
def test_views_whose_graph_is_still_right_work_as_torch(program):
    assert_same_as_torch(program)


def test_a_stale_view_still_reads_its_new_values_without_grad():
    x = minigrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    v = y[:2]
    y.mul_(3)
    with minigrad.no_grad():
        assert (v * 2).tolist() == [6.0, 12.0]
    assert v.detach().tolist() == [3.0, 6.0]
