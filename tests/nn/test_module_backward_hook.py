"""Module.register_backward_hook and nn.modules.module.register_module_backward_hook, the non-full
backward hooks torch deprecates, against torch: the hook sees the gradients of the module's last
op (the node of its first output), may replace them, is refused beside full hooks, and torch's
FutureWarnings say when it misses gradients.

The modules here end in an op that both libraries record alike (elementwise products, sums,
activations), since the hook's grad_input is that op's: a module ending in an op the two build
differently (Linear is one node in minigrad, addmm of a transposed weight in torch) gives other
tuples."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_close, torch_or_skip

torch = torch_or_skip()


@pytest.fixture(autouse=True)
def _torchs_global_hook_kind_is_unset():
    """torch remembers for good which kind of global backward hook was ever registered (and then
    refuses the other kind), so each test starts from a torch that has seen none, and leaves it so."""
    module = torch.nn.modules.module
    saved, module._global_is_full_backward_hook = module._global_is_full_backward_hook, None
    yield
    module._global_is_full_backward_hook = saved


def _scaled(lib):
    class Scaled(lib.nn.Module):
        """sin(x) * w: the last op, a product, has the module's parameter and a computed input."""

        def __init__(self):
            super().__init__()
            self.w = lib.nn.Parameter(lib.tensor([0.5, -2.0, 3.0], dtype=lib.float64))

        def forward(self, x):
            return x.sin() * self.w
    return Scaled()


def _product(lib):
    class Product(lib.nn.Module):
        def forward(self, x, y):  # one op of two inputs: the hook sees the module's own gradients
            return x * y
    return Product()


MODULES = {
    "sin times a weight": (_scaled, 1),
    "a product of two inputs": (_product, 2),
    "tanh": (lambda lib: lib.nn.Tanh(), 1),
    "relu": (lambda lib: lib.nn.ReLU(), 1),
    "softplus": (lambda lib: lib.nn.Softplus(beta=2.0), 1),
}


def _run(lib, name, arrays, upstream, replace):
    """Call the module with a non-full hook that records (and, with replace, scales) what it sees;
    return the hook's arguments, the warnings forward gave, and the inputs' and parameters' gradients."""
    make, _ = MODULES[name]
    module, seen = make(lib), []

    def hook(mod, grad_input, grad_output):
        assert mod is module
        seen.append([None if g is None else g.detach().numpy().copy() for g in grad_input + grad_output])
        if replace:
            return tuple(None if g is None else g * 3 for g in grad_input)

    module.register_backward_hook(hook)
    inputs = [lib.tensor(a, requires_grad=True) for a in arrays]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = module(*inputs)
    out.backward(lib.tensor(upstream))
    messages = [str(w.message) for w in caught if issubclass(w.category, FutureWarning)]
    grads = [t.grad for t in inputs] + [p.grad for p in module.parameters()]
    return seen, messages, grads


@given(name=st.sampled_from(sorted(MODULES)), replace=st.booleans(), seed=st.integers(0, 2 ** 16))
def test_the_hook_sees_and_may_replace_the_gradients_of_the_last_op_as_in_torch(name, replace, seed):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(3) for _ in range(MODULES[name][1])]
    upstream = rng.standard_normal(3)
    (our_seen, our_warnings, our_grads), (their_seen, their_warnings, their_grads) = (
        _run(lib, name, arrays, upstream, replace) for lib in (minigrad, torch))
    assert our_warnings == their_warnings
    assert len(our_seen) == len(their_seen) == 1
    for mine, reference in zip(our_seen[0], their_seen[0], strict=True):
        assert (mine is None) == (reference is None)
        if mine is not None:
            assert_close(mine, reference, what="what the hook sees")
    for mine, reference in zip(our_grads, their_grads, strict=True):
        assert (mine is None) == (reference is None)
        if mine is not None:
            assert_close(mine, reference, what="gradient after the hook")


def test_a_global_hook_runs_for_every_module_before_its_own():
    for lib in (minigrad, torch):
        order = []
        module = lib.nn.Tanh()
        module.register_backward_hook(lambda mod, gi, go: order.append("own"))
        handle = lib.nn.modules.module.register_module_backward_hook(
            lambda mod, gi, go: order.append(type(mod).__name__))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FutureWarning)
                module(lib.ones(2, requires_grad=True)).sum().backward()
                lib.nn.Sigmoid()(lib.ones(2, requires_grad=True))  # never backward: its hook does not run
        finally:
            handle.remove()
        assert order == ["Tanh", "own"], lib.__name__


@pytest.mark.parametrize("call", [
    lambda lib, m: (m.register_full_backward_hook(lambda *a: None), m.register_backward_hook(lambda *a: None)),
    lambda lib, m: (m.register_backward_hook(lambda *a: None), m.register_full_backward_hook(lambda *a: None)),
])
def test_both_kinds_on_one_module_are_refused_as_in_torch(call):
    messages = []
    for lib in (minigrad, torch):
        with pytest.raises(RuntimeError) as error:
            call(lib, lib.nn.Tanh())
        messages.append(str(error.value))
    assert messages[0] == messages[1]


def test_both_kinds_of_global_hooks_are_refused_as_in_torch():
    messages = []
    for lib in (minigrad, torch):
        hooks = lib.nn.modules.module
        handle = hooks.register_module_backward_hook(lambda *a: None)
        try:
            with pytest.raises(RuntimeError) as error:
                hooks.register_module_full_backward_hook(lambda *a: None)
        finally:
            handle.remove()
        messages.append(str(error.value))
    assert messages[0] == messages[1]


@pytest.mark.parametrize("result", [lambda gi: (gi[0],), lambda gi: list(gi), lambda gi: (gi[0][:1], gi[1]),
                                    lambda gi: 5])
def test_what_a_hook_returns_is_checked_as_in_torch(result):
    errors = []
    for lib in (minigrad, torch):
        module = _scaled(lib)
        module.register_backward_hook(lambda mod, gi, go: result(gi))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            out = module(lib.ones(3, dtype=lib.float64, requires_grad=True)).sum()
        with pytest.raises((RuntimeError, TypeError)) as error:
            out.backward()
        errors.append((type(error.value), str(error.value)))
    assert errors[0] == errors[1]


def test_a_module_gone_before_backward_is_an_error_as_in_torch():
    errors = []
    for lib in (minigrad, torch):
        module = lib.nn.Tanh()
        module.register_backward_hook(lambda *a: None)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            out = module(lib.ones(2, requires_grad=True)).sum()
        del module
        with pytest.raises(RuntimeError) as error:
            out.backward()
        errors.append(str(error.value))
    assert errors[0] == errors[1]


@pytest.mark.parametrize("forward", [
    lambda lib, x: [x * 2],                      # not a tensor or a tuple of tensors
    lambda lib, x: (x * 2, x.exp()),             # outputs of two nodes
    lambda lib, x: (x * 2).sin(),                # one node, but not the inputs' next
])
def test_torchs_warnings_say_when_the_hook_misses_gradients(forward):
    messages = []
    for lib in (minigrad, torch):
        class Module(lib.nn.Module):
            def forward(self, x):
                return forward(lib, x)
        module = Module()
        module.register_backward_hook(lambda *a: None)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            module(lib.ones(2, requires_grad=True) * 1)
        messages.append([str(w.message) for w in caught if issubclass(w.category, FutureWarning)])
    assert messages[0] == messages[1] and messages[0]
