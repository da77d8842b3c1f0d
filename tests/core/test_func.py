"""minigrad.func against torch.func in the same test: grad, grad_and_value, vjp, jvp, jacrev,
jacfwd, hessian, vmap, functional_call and stack_module_state, alone and nested (grad of grad,
vmap of grad, jacrev of jacrev), on drawn shapes and values, and the errors torch raises."""

import collections

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.func
from minigrad.testing import assert_raises_like_torch, torch_or_skip
from minigrad.testing import strategies as mst
from minigrad.testing.basics import assert_close, from_torch

torch = torch_or_skip()

# torch's forward-mode AD (its jvp and jacfwd) scripts a helper on first use, and warns that it does
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")

RTOL, ATOL = 1e-10, 1e-12  # float64: the two libraries compute the same sums of the same terms


def _assert_same(mine, theirs, rtol=RTOL, atol=ATOL, where="result"):
    """Nested results agree: the same containers, and per tensor the dtype, shape, values and requires_grad."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(mine, minigrad.Tensor), f"{where}: {type(mine).__name__}, torch gives a Tensor"
        assert_close(mine, theirs, rtol, atol, what=where)
        assert mine.requires_grad == theirs.requires_grad, f"{where}: requires_grad {mine.requires_grad}"
    elif type(theirs).__module__ == "torch.return_types":  # (values, indices) of max(dim) and the like
        assert type(mine).__name__ == type(theirs).__name__, f"{where}: {type(mine).__name__}"
        _assert_same(tuple(mine), tuple(theirs), rtol, atol, where)
    elif isinstance(theirs, (tuple, list, dict)):
        assert type(mine) is type(theirs), f"{where}: {type(mine).__name__}, torch gives {type(theirs).__name__}"
        assert len(mine) == len(theirs), f"{where}: length {len(mine)}, torch {len(theirs)}"
        if isinstance(theirs, dict):
            assert list(mine) == list(theirs), f"{where}: keys {list(mine)}, torch {list(theirs)}"
            for key in theirs:
                _assert_same(mine[key], theirs[key], rtol, atol, f"{where}[{key!r}]")
        else:
            for i, (m, t) in enumerate(zip(mine, theirs)):
                _assert_same(m, t, rtol, atol, f"{where}[{i}]")
    else:
        assert mine == theirs, f"{where}: {mine!r}, torch {theirs!r}"


def _run_both(program, *arrays, rtol=RTOL, atol=ATOL):
    """program(lib, *tensors) on both libraries, the arrays made tensors of each; results compared."""
    mine = program(minigrad, *(minigrad.tensor(a) for a in arrays))
    theirs = program(torch, *(torch.tensor(a) for a in arrays))
    _assert_same(mine, theirs, rtol, atol)
    return mine


def arrays(shape=None, low=-2.0, high=2.0):
    return mst.arrays("float64", shape if shape is not None else mst.shapes(max_dims=3, max_side=3),
                      elements=mst.reals(low, high))


# Scalar functions of one tensor (of any shape), each using the input in a different way.
SCALAR_FUNCTIONS = {
    "sum of sines": lambda lib, x: x.sin().sum(),
    "mean of cubes": lambda lib, x: (x * x * x).mean(),
    "log of a sum of exponentials": lambda lib, x: x.exp().sum().log(),
    "tanh times x": lambda lib, x: (x.tanh() * x).sum(),
}


# ---------------------------------------------------------------- grad
@pytest.mark.parametrize("name", sorted(SCALAR_FUNCTIONS))
@settings(max_examples=6)
@given(x=arrays())
def test_grad_and_grad_and_value(name, x):
    f = SCALAR_FUNCTIONS[name]
    _run_both(lambda lib, x: lib.func.grad(lambda t: f(lib, t))(x), x)
    _run_both(lambda lib, x: lib.func.grad_and_value(lambda t: f(lib, t))(x), x)


@settings(max_examples=10)
@given(x=arrays(shape=()))
def test_grad_of_grad_is_the_second_and_third_derivative(x):
    def program(lib, x):
        def f(t):
            return t.sin() * t * t
        G = lib.func.grad
        return G(f)(x), G(G(f))(x), G(G(G(f)))(x)
    _run_both(program, x)


@settings(max_examples=10)
@given(x=arrays(), data=st.data())
def test_grad_of_a_function_of_a_gradient(x, data):
    """The outer grad differentiates through the inner one's backward pass (a Hessian-vector product)."""
    v = data.draw(arrays(shape=x.shape))

    def program(lib, x, v):
        inner = lib.func.grad(lambda t: (t.sin() * t).sum())
        return lib.func.grad(lambda t: (inner(t) * v).sum())(x)
    _run_both(program, x, v)


@settings(max_examples=8)
@given(x=arrays(shape=(3,)), y=arrays(shape=(2, 3)), scale=st.floats(-2, 2))
def test_grad_with_argnums_pytrees_aux_and_passed_through_arguments(x, y, scale):
    def f(lib, d, s, y, scale=1.0):
        value = (d["a"] * y).sum() * s + (d["b"][0] * d["a"]).exp().sum() * scale
        return value, {"double": d["a"] * 2, "pair": (y.sum(), d["b"][1])}

    def program(lib, x, y):
        d = {"a": x, "b": [x.cos(), y]}
        G = lib.func.grad
        return (G(lambda *a, **k: f(lib, *a, **k)[0], argnums=(0, 2))(d, 1.5, y, scale=scale),
                G(lambda *a: f(lib, *a)[0], argnums=-1)(d, 1.5, y),
                G(lambda *a: f(lib, *a), has_aux=True)(d, 1.5, y),
                lib.func.grad_and_value(lambda *a: f(lib, *a), argnums=(2, 0), has_aux=True)(d, 1.5, y))
    _run_both(program, x, y)


Pair = collections.namedtuple("Pair", "first second")


def test_grad_of_a_named_tuple_argument():
    def program(lib, x):
        return lib.func.grad(lambda p: (p.first * p.second.exp()).sum())(Pair(x, x * 3))
    _run_both(program, np.array([0.5, -1.0]))


def test_grad_of_an_argument_used_twice_of_an_unused_one_and_of_constant_outputs():
    def program(lib, x):
        G = lib.func.grad
        return (G(lambda a, b, c: (a * b * b).sum(), argnums=(0, 1, 2))(x, x, x), G(lambda a: lib.tensor(1.0))(x),
                G(lambda a: a.sum().long())(x))
    _run_both(program, np.array([0.5, -1.0, 2.0]))


@settings(max_examples=8)
@given(x=arrays())
def test_grad_of_an_input_that_requires_grad_stays_differentiable_and_leaves_grad_alone(x):
    def program(lib, x):
        x = x.requires_grad_()
        g = lib.func.grad(lambda t: (t.sin() * t).sum())(x)
        untouched = x.grad is None
        (second,) = lib.autograd.grad(g.sum(), x)
        with lib.no_grad():
            under_no_grad = lib.func.grad(lambda t: (t.sin() * t).sum())(x)
        plain = lib.func.grad(lambda t: (t.sin() * t).sum())(x.detach())
        return g, untouched, second, under_no_grad, plain
    _run_both(program, x)


def test_results_for_inputs_that_require_grad_stay_in_the_callers_graph():
    def program(lib, x):
        F, x = lib.func, x.requires_grad_()
        jacobian = F.jacrev(lambda t: t.sin() * t.sum())(x)
        mapped = F.vmap(lambda t: t.exp() * t.sum(), in_dims=1)(x.reshape(2, 2))
        out, vjp_fn = F.vjp(lambda t: t.cos() * t, x)
        (pulled,) = vjp_fn(out.detach())
        products = F.jvp(lambda t: t.tanh() * t, (x,), (x.detach(),))
        results = [jacobian, mapped, out, pulled, products[0], products[1]]
        return results, [lib.autograd.grad((r * r).sum(), x, retain_graph=True)[0] for r in results]
    _run_both(program, np.array([0.5, -1.0, 2.0, 0.25]))


def test_grad_sees_through_closures_over_an_outer_input():
    def program(lib, x, y):
        return lib.func.grad(lambda a: lib.func.grad(lambda b: (a * a * b.sin()).sum())(y).sum())(x)
    _run_both(program, np.array([0.3, -1.2]), np.array([1.0, 2.5]))


def test_the_transforms_keep_float32():
    def program(lib, x):
        F, x = lib.func, x.float()
        return (F.grad_and_value(lambda t: (t * t.exp()).sum())(x), F.jacrev(lambda t: t.sin() * t.sum())(x),
                F.vmap(F.grad(lambda t: (t * t.exp()).sum()))(x.reshape(3, 1)), F.jvp(lambda t: t.exp(), (x,), (x,)),
                F.vjp(lambda t: t.exp(), x)[1](x))
    _run_both(program, np.array([0.25, -1.5, 2.0]), rtol=1e-6, atol=1e-6)


GRAD_ERRORS = {
    "output not scalar": lambda F, x: F.grad(lambda t: t * 2)(x),
    "output a tuple": lambda F, x: F.grad(lambda t: (t.sum(), t.sum()))(x),
    "output a float": lambda F, x: F.grad(lambda t: 3.0)(x),
    "one element but 2-d": lambda F, x: F.grad(lambda t: t.sum().reshape(1, 1))(x),
    "has_aux without a pair": lambda F, x: F.grad(lambda t: t.sum(), has_aux=True)(x),
    "has_aux with a triple": lambda F, x: F.grad(lambda t: (t.sum(), t, t), has_aux=True)(x),
    "aux not tensors": lambda F, x: F.grad(lambda t: (t.sum(), {"k": 3}), has_aux=True)(x),
    "argnum out of range": lambda F, x: F.grad(lambda t: t.sum(), argnums=1)(x),
    "negative argnum out of range": lambda F, x: F.grad(lambda a, b: a.sum(), argnums=-3)(x, x),
    "argnums a float": lambda F, x: F.grad(lambda t: t.sum(), argnums=1.0)(x),
    "argnums a list": lambda F, x: F.grad(lambda t: t.sum(), argnums=[0])(x),
    "argnums empty": lambda F, x: F.grad(lambda t: t.sum(), argnums=())(x),
    "argnums repeated": lambda F, x: F.grad(lambda a, b: a.sum(), argnums=(0, 0))(x, x),
    "argnums holding a string": lambda F, x: F.grad(lambda t: t.sum(), argnums=(0, "a"))(x),
    "no positional input": lambda F, x: F.grad(lambda: x.sum())(),
    "an integer input": lambda F, x: F.grad(lambda t: t.sum())(x.long()),
    "a float input": lambda F, x: F.grad(lambda t: t)(3.0),
    "a number inside a pytree input": lambda F, x: F.grad(lambda p: p[0].sum())((x, 3)),
}


@pytest.mark.parametrize("case", sorted(GRAD_ERRORS))
def test_grad_errors_are_torchs(case):
    call = GRAD_ERRORS[case]
    mine, theirs = assert_raises_like_torch(
        lambda lib: call(lib.func, lib.tensor([1.0, 2.0], dtype=lib.float64)))
    _assert_same_message(mine, theirs)


def _assert_same_message(mine, theirs):
    """torch's words, but for the error of requires_grad_ on an integer tensor, which is minigrad's
    own wording (it names the dtype too) of the same fact, and for the structures of nests."""
    mine, theirs = str(mine).replace("minigrad", "torch"), str(theirs)
    if "can require gradients" in theirs:
        assert "floating point" in mine and "int64" in mine, mine
    elif "structure" in theirs:  # (torch spells a structure as a TreeSpec, minigrad as a nest of *)
        assert mine.partition("structure")[0] == theirs.partition("structure")[0]
    else:
        assert mine == theirs


# ---------------------------------------------------------------- vjp and jvp
@settings(max_examples=10)
@given(x=arrays(), data=st.data())
def test_vjp_with_several_primals_and_outputs(x, data):
    y = data.draw(arrays(shape=(2,)))
    cotangents = (data.draw(arrays(shape=x.shape + (2,))), data.draw(arrays(shape=x.shape)))

    def program(lib, x, y, c0, c1):
        out, vjp_fn = lib.func.vjp(lambda a, b: (a.unsqueeze(-1) * b.exp(), a.sin() * b.sum()), x, y)
        return out, vjp_fn((c0, c1)), vjp_fn((c0 * 2, c1))
    _run_both(program, x, y, *cotangents)


def test_vjp_with_aux_a_pytree_primal_and_a_scalar_output():
    def program(lib, x):
        out, vjp_fn, aux = lib.func.vjp(lambda d: ((d["w"] * d["w"]).sum(), {"k": d["w"] * 3}), {"w": x},
                                        has_aux=True)
        _, unused_fn = lib.func.vjp(lambda a, b: a * 2, x, x)
        return out, vjp_fn(lib.tensor(2.0, dtype=lib.float64)), vjp_fn(None), aux, unused_fn(x)
    _run_both(program, np.array([1.0, -2.0, 0.5]))


def test_vjp_results_are_differentiable_in_the_cotangent():
    def program(lib, x, c):
        c = c.requires_grad_()
        _, vjp_fn = lib.func.vjp(lambda a: a.sin() * a, x)
        (g,) = vjp_fn(c)
        return g, lib.autograd.grad((g * g).sum(), c)
    _run_both(program, np.array([1.0, -2.0]), np.array([0.5, 3.0]))


VJP_ERRORS = {
    "cotangent of another structure": lambda F, x: F.vjp(lambda a: (a, a), x)[1](x),
    "cotangents as a list": lambda F, x: F.vjp(lambda a: (a, a), x)[1]([x, x]),
    "cotangent of another shape": lambda F, x: F.vjp(lambda a: a * 2, x)[1](x[:1]),
    "None for a vector output": lambda F, x: F.vjp(lambda a: a * 2, x)[1](None),
    "has_aux without a pair": lambda F, x: F.vjp(lambda a: a * 2, x, has_aux=True),
    "output not a tensor": lambda F, x: F.vjp(lambda a: 3, x),
    "integer output": lambda F, x: F.vjp(lambda a: (a * 2).long(), x),
    "a float primal": lambda F, x: F.vjp(lambda a: a, 3.0),
    "an integer primal": lambda F, x: F.vjp(lambda a: a * 2, x.long()),
}


@pytest.mark.parametrize("case", sorted(VJP_ERRORS))
def test_vjp_errors_are_torchs(case):
    call = VJP_ERRORS[case]
    mine, theirs = assert_raises_like_torch(lambda lib: call(lib.func, lib.tensor([1.0, 2.0], dtype=lib.float64)))
    _assert_same_message(mine, theirs)


@settings(max_examples=10)
@given(x=arrays(), data=st.data())
def test_jvp_is_the_directional_derivative(x, data):
    y = data.draw(arrays(shape=(2,)))
    tx, ty = data.draw(arrays(shape=x.shape)), data.draw(arrays(shape=(2,)))

    def program(lib, x, y, tx, ty):
        f = lambda a, b: (a.unsqueeze(-1) * b.exp(), (a * a).sum() * b)  # noqa: E731
        return (lib.func.jvp(f, (x, y), (tx, ty)),
                lib.func.jvp(lambda a: (a.sin(), {"k": a * a}), (x,), (tx,), has_aux=True),
                lib.func.jvp(lambda d: {"s": d["a"].tanh(), "c": lib.ones(2, dtype=lib.float64)}, ({"a": x},),
                             ({"a": tx},)))
    _run_both(program, x, y, tx, ty)


def test_grad_of_a_jvp_and_jvp_of_a_grad():
    """Reverse over forward and forward over reverse: both the Hessian-vector product."""
    def program(lib, x, v):
        F = lib.func
        f = lambda b: (b.sin() * b).sum()  # noqa: E731
        return F.grad(lambda a: F.jvp(f, (a,), (v,))[1])(x), F.jvp(F.grad(f), (x,), (v,))
    _run_both(program, np.array([0.5, -1.5, 2.0]), np.array([1.0, 0.25, -2.0]))


JVP_ERRORS = {
    "primals not a tuple": lambda F, x: F.jvp(lambda a: a.sin(), x, (x,)),
    "primals a list": lambda F, x: F.jvp(lambda a: a.sin(), [x], [x]),
    "more tangents than primals": lambda F, x: F.jvp(lambda a: a.sin(), (x,), (x, x)),
    "tangents not a tuple": lambda F, x: F.jvp(lambda a: a.sin(), (x,), x),
    "tangent of another shape": lambda F, x: F.jvp(lambda a: a.sin(), (x,), (x[:1],)),
    "no primals": lambda F, x: F.jvp(lambda: x, (), ()),
    "output not a tensor": lambda F, x: F.jvp(lambda a: 1.0, (x,), (x,)),
    "has_aux without a pair": lambda F, x: F.jvp(lambda a: a, (x,), (x,), has_aux=True),
    "a float tangent": lambda F, x: F.jvp(lambda a: a, (x,), (1.0,)),
    "an integer primal": lambda F, x: F.jvp(lambda a: a * 2, (x.long(),), (x.long(),)),
}


@pytest.mark.parametrize("case", sorted(JVP_ERRORS))
def test_jvp_errors_are_torchs(case):
    call = JVP_ERRORS[case]
    mine, theirs = assert_raises_like_torch(lambda lib: call(lib.func, lib.tensor([1.0, 2.0], dtype=lib.float64)))
    _assert_same_message(mine, theirs)


# ---------------------------------------------------------------- Jacobians and Hessians
@pytest.mark.parametrize("jac", ["jacrev", "jacfwd"])
@settings(max_examples=5)
@given(x=arrays(), y=arrays(shape=(2, 1)))
def test_jacobians_are_nested_as_torchs(jac, x, y):
    def program(lib, x, y):
        J = getattr(lib.func, jac)

        def f(a, b):
            return (a.sum() * b, a.sin())
        return (J(lambda a: a.exp() * a)(x),
                J(f, argnums=(0, 1))(x, y),
                J(lambda a, b: {"p": a.sum() * b, "q": [a * 2]})(x, y),
                J(lambda d: d["a"].sum() * d["b"])({"a": x, "b": y}),
                J(lambda a: (a.cos(), a * 3), has_aux=True)(x),
                J(lambda a: lib.ones(2, dtype=lib.float64))(x))
    _run_both(program, x, y)


@settings(max_examples=6)
@given(x=arrays(shape=mst.shapes(max_dims=2, max_side=3)), y=arrays(shape=(2,)))
def test_hessian_and_jacobians_of_jacobians(x, y):
    def program(lib, x, y):
        F = lib.func

        def f(a, b):
            return (a.sin() * a).sum() * b.exp().sum()
        return (F.hessian(f)(x, y), F.hessian(f, argnums=(0, 1))(x, y), F.jacrev(F.jacrev(f))(x, y),
                F.jacfwd(F.jacrev(f, argnums=1), argnums=0)(x, y), F.hessian(lambda a: a.sin() * a.sum())(x))
    _run_both(program, x, y)


def test_jacobian_arguments_checked_as_torch_checks_them():
    for call in [lambda F, x: F.jacrev(lambda a: a, chunk_size=0),
                 lambda F, x: F.jacrev(lambda a: a.sin(), has_aux=True)(x),
                 lambda F, x: F.jacfwd(lambda a: a.sin(), has_aux=True)(x),
                 lambda F, x: F.jacrev(lambda a: 1.0)(x),
                 lambda F, x: F.jacfwd(lambda a: [a, 1.0])(x),
                 lambda F, x: F.jacrev(lambda a: a, argnums=2)(x),
                 lambda F, x: F.jacrev(lambda a: a * 2)(x.long()),
                 lambda F, x: F.jacfwd(lambda a: a * 2)(x.long()),
                 lambda F, x: F.jacfwd(lambda a: a.sin(), randomness="sometimes")(x),
                 lambda F, x: F.hessian(lambda a: 1.0)(x)]:
        mine, theirs = assert_raises_like_torch(lambda lib: call(lib.func, lib.tensor([1.0, 2.0], dtype=lib.float64)))
        _assert_same_message(mine, theirs)


def test_jacfwd_refuses_random_draws_unless_told_otherwise():
    def draw(F, lib, x):
        return F.jacfwd(lambda a: a * lib.rand(2, dtype=lib.float64))(x)
    assert_raises_like_torch(lambda lib: draw(lib.func, lib, lib.ones(2, dtype=lib.float64)), same_message=True)
    x = minigrad.ones(2, dtype=minigrad.float64)
    noise = minigrad.func.jacfwd(lambda a: a * minigrad.rand(2, dtype=minigrad.float64), randomness="different")(x)
    assert noise.shape == (2, 2) and (noise.diagonal() > 0).all() and (noise - noise.diagonal().diag() == 0).all()


# ---------------------------------------------------------------- vmap
@settings(max_examples=10)
@given(n=st.integers(1, 3), x=arrays(shape=mst.shapes(min_dims=1, max_dims=3, max_side=3)), data=st.data())
def test_vmap_over_drawn_dimensions(n, x, data):
    in_dim = data.draw(st.integers(-x.ndim, x.ndim - 1), label="in_dim")
    out_dim = data.draw(st.integers(-x.ndim, x.ndim - 1), label="out_dim")
    y = data.draw(arrays(shape=(n, 2)))
    z = data.draw(arrays(shape=(2,)))

    def program(lib, x, y, z):
        V = lib.vmap
        return (V(lambda a: a.sin() * a.sum(), in_dims=in_dim, out_dims=out_dim)(x),
                V(lambda b, c, s: (b * c * s).sum(), in_dims=(0, None, None))(y, z, 2.0),
                V(lambda d, b: {"out": d["w"] * b[0], "pair": (b[0] + b[1], b[0].sum())},
                  in_dims=({"w": 0}, [None, 0]), out_dims={"out": 1, "pair": (0, None)})({"w": y}, [z, y]),
                V(V(lambda b, c: b * c), in_dims=(0, None))(y, z),
                V(lambda b, s=1.0: b * s)(y, s=3.0))
    _run_both(program, x, y, z)


@settings(max_examples=6)
@given(xs=arrays(shape=(3, 2)), w=arrays(shape=(2,)))
def test_vmap_of_grad_is_the_per_sample_gradient(xs, w):
    def program(lib, xs, w):
        F = lib.func
        loss = lambda w, x: (w * x).sin().sum() * (w * w).sum()  # noqa: E731
        return (F.vmap(F.grad(loss), in_dims=(None, 0))(w, xs), F.vmap(F.grad(loss, argnums=1), in_dims=(None, 0))(w, xs),
                F.vmap(F.hessian(lambda x: (x.exp() * x).sum()))(xs),
                F.vmap(F.jacrev(lambda x: x.sin() * x.sum()))(xs))
    _run_both(program, xs, w)


def _torch_and_minigrad_models(make, seed=0):
    """The same small model in both libraries: torch's made by make(torch) with a seed, minigrad's
    made by make(minigrad) and given torch's state."""
    torch.manual_seed(seed)
    theirs = make(torch).double()
    mine = make(minigrad).double()
    mine.load_state_dict({k: from_torch(v) for k, v in theirs.state_dict().items()})
    return mine, theirs


def _mlp(lib):
    return lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 2))


@settings(max_examples=4)
@given(xs=arrays(shape=(5, 3)), targets=st.lists(st.integers(0, 1), min_size=5, max_size=5))
def test_per_sample_gradients_of_a_model_through_functional_call(xs, targets):
    models = _torch_and_minigrad_models(_mlp)

    def program(lib, xs, targets):
        model = models[0] if lib is minigrad else models[1]
        params = {k: v.detach() for k, v in model.named_parameters()}

        def loss(params, x, target):
            logits = lib.func.functional_call(model, params, (x.unsqueeze(0),))
            return lib.nn.functional.cross_entropy(logits, target.unsqueeze(0))
        per_sample = lib.func.vmap(lib.func.grad(loss), in_dims=(None, 0, 0))(params, xs, targets)
        return per_sample, [p.grad for p in model.parameters()]
    _run_both(program, xs, np.array(targets))


VMAP_ERRORS = {
    "mapped sizes differ": lambda F, x: F.vmap(lambda a, b: a * b.sum())(x, x[:1]),
    "in_dim out of range": lambda F, x: F.vmap(lambda a: a, in_dims=2)(x),
    "negative in_dim out of range": lambda F, x: F.vmap(lambda a: a, in_dims=-3)(x),
    "in_dims shorter than the inputs": lambda F, x: F.vmap(lambda a, b: a, in_dims=(0,))(x, x),
    "in_dims a list": lambda F, x: F.vmap(lambda a, b: a, in_dims=[0, 0])(x, x),
    "in_dims a float": lambda F, x: F.vmap(lambda a: a, in_dims=0.0)(x),
    "in_dims None": lambda F, x: F.vmap(lambda a: a, in_dims=None)(x),
    "in_dims holding a string": lambda F, x: F.vmap(lambda a: a, in_dims=("a",))(x),
    "in_dims of a dict with a key missing": lambda F, x: F.vmap(lambda d: d["a"], in_dims=({"a": 0},))(
        {"a": x, "b": x}),
    "in_dims a tuple for a list argument": lambda F, x: F.vmap(lambda p: p[0], in_dims=((0,),))([x]),
    "nothing mapped": lambda F, x: F.vmap(lambda a, b: a, in_dims=(None, None))(x, x),
    "no inputs": lambda F, x: F.vmap(lambda: x)(),
    "mapping a number": lambda F, x: F.vmap(lambda a, s: a * s)(x, 2.0),
    "mapping a 0-d tensor": lambda F, x: F.vmap(lambda a: a)(x.sum()),
    "returning a float": lambda F, x: F.vmap(lambda a: 1.0)(x),
    "returning None": lambda F, x: F.vmap(lambda a: None)(x),
    "returning a tensor and an int": lambda F, x: F.vmap(lambda a: (a, 3))(x),
    "out_dim out of range": lambda F, x: F.vmap(lambda a: a, out_dims=2)(x),
    "out_dims a float": lambda F, x: F.vmap(lambda a: a, out_dims=1.0)(x),
    "out_dims longer than the outputs": lambda F, x: F.vmap(lambda a: (a, a), out_dims=(0, 0, 0))(x),
    "out_dims a list for a tuple output": lambda F, x: F.vmap(lambda a: (a, a), out_dims=[0, 1])(x),
    "out_dim None for a mapped output": lambda F, x: F.vmap(lambda a: a * 2, out_dims=None)(x),
    "randomness unknown": lambda F, x: F.vmap(lambda a: a, randomness="sometimes"),
    "chunk_size 0": lambda F, x: F.vmap(lambda a: a, chunk_size=0),
    "a random draw in error mode": lambda F, x: F.vmap(lambda a: a * F_rand(F)(2))(x),
}


def F_rand(F):
    """The rand of the library whose func namespace F is."""
    return minigrad.rand if F is minigrad.func else torch.rand


@pytest.mark.parametrize("case", sorted(VMAP_ERRORS))
def test_vmap_errors_are_torchs(case):
    call = VMAP_ERRORS[case]
    mine, theirs = assert_raises_like_torch(lambda lib: call(lib.func, lib.arange(4.0).reshape(2, 2)))
    _assert_same_message(mine, theirs)


def test_vmap_unmapped_outputs_and_randomness():
    def program(lib, x):
        V = lib.func.vmap
        return (V(lambda a: (a * 2, 3, lib.ones(1)), out_dims=(0, None, None))(x),
                V(lambda a: a + 1, out_dims=(1,))(x),
                V(lambda a: a.reshape(2, 1).max(0), out_dims=1)(x))
    _run_both(program, np.arange(6.0).reshape(3, 2))
    same = minigrad.vmap(lambda a: minigrad.rand(2) + 0 * a, randomness="same")(minigrad.ones(4, 1))
    assert (same == same[0]).all()
    different = minigrad.vmap(lambda a: minigrad.rand(2) + 0 * a, randomness="different")(minigrad.ones(4, 1))
    assert (different != different[0]).any(dim=1)[1:].all()


def test_vmap_is_torchs_name_too():
    assert minigrad.vmap is minigrad.func.vmap and torch.vmap is torch.func.vmap


# ---------------------------------------------------------------- functional_call and stack_module_state
class _Net:
    """A model whose forward reads an optional attribute `scale` (set by functional_call as an unknown key)."""

    @staticmethod
    def make(lib):
        class Net(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.a = lib.nn.Linear(2, 2, bias=False)
                self.b = lib.nn.Linear(2, 2, bias=False)
                self.b.weight = self.a.weight  # tied
                self.norm = lib.nn.BatchNorm1d(2)

            def forward(self, x, fail=False):
                if fail:
                    raise ValueError("forward failed")
                return self.norm(self.b(self.a(x))) * getattr(self, "scale", 1.0)
        return Net()


def test_functional_call_substitutes_and_restores():
    models = _torch_and_minigrad_models(_Net.make)

    def program(lib, x, w):
        model = models[0] if lib is minigrad else models[1]
        before = model.a.weight
        S = lib.nn.utils.stateless
        out = [lib.func.functional_call(model, {"a.weight": w}, (x,)),
               lib.func.functional_call(model, [{"a.weight": w}, {"scale": lib.tensor(3.0, dtype=lib.float64)}], x),
               lib.func.functional_call(model, {"a.weight": w, "b.weight": w * 2}, (), {"x": x}, tie_weights=False),
               lib.func.functional_call(model, {"b.weight": w}, (x,), strict=False)]
        with pytest.warns(FutureWarning, match="func.functional_call"):  # (the older name, deprecated in both)
            out.append(S.functional_call(model, {"b.weight": w}, (x,)))
        try:
            lib.func.functional_call(model, {"a.weight": w}, (x,), {"fail": True})
        except ValueError:
            pass
        out.append([model.a.weight is before, model.b.weight is before, hasattr(model, "scale")])
        model.eval()  # (torch refuses a running statistic's in-place update inside a transform)
        out.append(lib.func.grad(lambda w: lib.func.functional_call(model, {"a.weight": w}, (x,)).sum())(w))
        model.train()
        return out
    _run_both(program, np.array([[1.0, 2.0], [-0.5, 3.0], [0.0, 1.0]]), np.array([[0.5, -1.0], [2.0, 0.25]]))


def test_functional_call_errors_are_torchs():
    models = _torch_and_minigrad_models(_Net.make)
    x = np.ones((3, 2))
    for call in [lambda F, m, x: F.functional_call(m, {"a.weight": x[:2]}, (x,), strict=True, tie_weights=False),
                 lambda F, m, x: F.functional_call(m, {"a.weight": x[:2], "c": x}, (x,), strict=True),
                 lambda F, m, x: F.functional_call(m, {"a.weight": x[:2], "b.weight": x[:2]}, (x,)),
                 lambda F, m, x: F.functional_call(m, [{"a.weight": x[:2]}, {"a.weight": x[:2]}], (x,)),
                 lambda F, m, x: F.functional_call(m, 3, (x,)),
                 lambda F, m, x: F.functional_call(m, [{}, 3], (x,))]:
        mine, theirs = assert_raises_like_torch(
            lambda lib: call(lib.func, models[0] if lib is minigrad else models[1], lib.tensor(x)))
        _assert_same_message(mine, theirs)


def test_stack_module_state_and_an_ensemble_through_vmap():
    ensembles = [_torch_and_minigrad_models(_mlp, seed) for seed in range(3)]
    x = np.linspace(-1, 1, 12).reshape(4, 3)

    def program(lib, x):
        models = [pair[0] if lib is minigrad else pair[1] for pair in ensembles]
        params, buffers = lib.func.stack_module_state(models)

        def run(params, buffers, x):
            return lib.func.functional_call(models[0], (params, buffers), (x,))
        per_model = lib.func.vmap(run, in_dims=(0, 0, None))(params, buffers, x)
        norms = lib.func.stack_module_state([lib.nn.BatchNorm1d(2).double(), lib.nn.BatchNorm1d(2).double()])
        return params, [p.is_leaf for p in params.values()], buffers, per_model, norms
    _run_both(program, x)


def test_stack_module_state_errors_are_torchs():
    for make in [lambda lib: [], lambda lib: [lib.nn.Linear(3, 2), lib.nn.Linear(3, 2).eval()],
                 lambda lib: [lib.nn.Linear(3, 2), lib.nn.Linear(3, 3)],
                 lambda lib: [lib.nn.Linear(3, 2), lib.nn.Linear(3, 2, bias=False)]]:
        assert_raises_like_torch(lambda lib: lib.func.stack_module_state(make(lib)))
