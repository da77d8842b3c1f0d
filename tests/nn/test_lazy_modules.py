"""Lazy modules against torch: the size inferred at the first forward, the class they become,
initial values from the same random stream as the eager layer, and the uninitialized
parameters' behaviour before that (shape, arithmetic, casts, state_dict, load_state_dict)."""

import copy
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.nn as nn
from minigrad.nn.modules.lazy import LazyModuleMixin
from minigrad.nn.parameter import is_lazy
from minigrad.testing import assert_raises_like_torch, torch_or_skip

torch = torch_or_skip()

# (lazy class, its arguments, the eager class it becomes, spatial dims of its input)
LAZY = [
    ("LazyLinear", (3,), "Linear", None),
    ("LazyConv1d", (4, 3), "Conv1d", 1),
    ("LazyConv2d", (4, 2), "Conv2d", 2),
    ("LazyConv3d", (2, 2), "Conv3d", 3),
    ("LazyConvTranspose1d", (4, 3), "ConvTranspose1d", 1),
    ("LazyConvTranspose2d", (4, 2), "ConvTranspose2d", 2),
    ("LazyConvTranspose3d", (2, 2), "ConvTranspose3d", 3),
    ("LazyBatchNorm1d", (), "BatchNorm1d", 1),
    ("LazyBatchNorm2d", (), "BatchNorm2d", 2),
    ("LazyBatchNorm3d", (), "BatchNorm3d", 3),
    ("LazyInstanceNorm1d", (), "InstanceNorm1d", 1),
    ("LazyInstanceNorm2d", (), "InstanceNorm2d", 2),
    ("LazyInstanceNorm3d", (), "InstanceNorm3d", 3),
]


def _input(spatial, channels, rng):
    shape = (2, 5, channels) if spatial is None else (2, channels) + (4,) * spatial
    return rng.standard_normal(shape)


def _state(module):
    return {k: v.detach().numpy() for k, v in module.state_dict().items()}


@pytest.mark.parametrize("name, args, eager, spatial", LAZY)
@given(channels=st.integers(1, 4), seed=st.integers(0, 2**31 - 1))
@settings(max_examples=3)
def test_first_forward_infers_the_size_and_becomes_the_eager_class(name, args, eager, spatial, channels, seed):
    x = _input(spatial, channels, np.random.default_rng(seed))
    ours, theirs = getattr(nn, name)(*args).double(), getattr(torch.nn, name)(*args).double()
    assert repr(ours) == repr(theirs)
    assert ours.has_uninitialized_params() and isinstance(ours, LazyModuleMixin)
    ours(minigrad.tensor(x)), theirs(torch.tensor(x))
    assert type(ours) is getattr(nn, eager) and type(theirs) is getattr(torch.nn, eager)
    assert repr(ours) == repr(theirs)
    assert not any(is_lazy(t) for t in ours.state_dict().values())
    assert {k: v.shape for k, v in _state(ours).items()} == {k: v.shape for k, v in _state(theirs).items()}
    assert {k: v.dtype for k, v in _state(ours).items()} == {k: v.dtype for k, v in _state(theirs).items()}
    if "Norm" in name:  # initial weight 1 and bias 0, running statistics of the first batch
        for key, value in _state(theirs).items():
            np.testing.assert_allclose(_state(ours)[key], value, rtol=1e-12, err_msg=key)
    # the two libraries draw different random weights: with torch's, the layers agree
    ours.load_state_dict({k: minigrad.tensor(v) for k, v in _state(theirs).items()})
    np.testing.assert_allclose(ours(minigrad.tensor(x)).detach().numpy(), theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name, args, eager, spatial", [c for c in LAZY if "Norm" not in c[0]])
@given(channels=st.integers(1, 5), seed=st.integers(0, 2**31 - 1))
@settings(max_examples=3)
def test_initial_values_are_those_of_the_eager_layer_from_the_same_seed(name, args, eager, spatial, channels, seed):
    """manual_seed(s) + the lazy layer + its first forward == manual_seed(s) + the eager layer
    of the inferred size, in minigrad as in torch."""
    x = minigrad.tensor(_input(spatial, channels, np.random.default_rng(seed)), dtype=minigrad.float32)
    minigrad.manual_seed(seed)
    lazy = getattr(nn, name)(*args)
    lazy(x)
    minigrad.manual_seed(seed)
    eager_args = (channels,) + args
    eager_module = getattr(nn, eager)(*eager_args)
    for key, value in _state(eager_module).items():
        np.testing.assert_array_equal(_state(lazy)[key], value, err_msg=key)
    # the same statement in torch
    torch.manual_seed(seed)
    lazy_torch = getattr(torch.nn, name)(*args)
    lazy_torch(torch.tensor(x.numpy()))
    torch.manual_seed(seed)
    eager_torch = getattr(torch.nn, eager)(*eager_args)
    for key, value in _state(eager_torch).items():
        np.testing.assert_array_equal(_state(lazy_torch)[key], value, err_msg=key)


def test_uninitialized_parameter_refuses_use_but_allows_casts_and_copies():
    for lib in (minigrad, torch):
        p = lib.nn.UninitializedParameter()
        assert repr(p) == "<UninitializedParameter>"
        assert p.requires_grad and p.grad is None and p.dtype == lib.float32 and p.is_floating_point()
        assert isinstance(p, lib.nn.Parameter)
        assert repr(copy.deepcopy(p)) == repr(pickle.loads(pickle.dumps(p))) == "<UninitializedParameter>"
        assert type(p.double()) is lib.Tensor and p.double().dtype == lib.float64
        b = lib.nn.UninitializedBuffer()
        assert repr(b) == "<UninitializedBuffer>" and not b.requires_grad
        assert type(b.double()) is type(b) and b.double().dtype == lib.float64
    assert_raises_like_torch(lambda lib: lib.nn.UninitializedParameter().shape, same_message=True)
    for use in (lambda p, lib: p + 1, lambda p, lib: p.sum(), lambda p, lib: lib.add(p, 1), lambda p, lib: p.dim(),
                lambda p, lib: p.numel(), lambda p, lib: p.detach(), lambda p, lib: p[0], lambda p, lib: len(p),
                lambda p, lib: lib.nn.functional.linear(lib.ones(2, 3), p)):
        assert_raises_like_torch(lambda lib: use(lib.nn.UninitializedParameter(), lib))
    with pytest.raises(ValueError, match="uninitialized parameter"):
        nn.UninitializedParameter() * 2


@pytest.mark.parametrize("kind", ["UninitializedParameter", "UninitializedBuffer"])
def test_materialize_makes_an_ordinary_tensor(kind):
    for lib, plain in ((minigrad, minigrad.nn.Parameter), (torch, torch.nn.Parameter)):
        t = getattr(lib.nn, kind)(requires_grad=False, dtype=lib.float64)
        assert not t.requires_grad and t.dtype == lib.float64
        t.materialize((2, 3))
        assert t.shape == (2, 3) and t.dtype == lib.float64 and not t.requires_grad
        assert type(t) is (plain if kind == "UninitializedParameter" else lib.Tensor)
        t = getattr(lib.nn, kind)()
        t.materialize((4,), dtype=lib.float64)
        assert t.shape == (4,) and t.dtype == lib.float64
    assert_raises_like_torch(lambda lib: _materialized_twice(lib, kind))


def _materialized_twice(lib, kind):
    t = getattr(lib.nn, kind)()
    t.materialize((2,))
    t.materialize((3,))


def test_lazy_module_before_its_first_forward_against_torch():
    for lib in (minigrad, torch):
        m = lib.nn.LazyLinear(4)
        assert m.in_features == 0 and repr(m) == "LazyLinear(in_features=0, out_features=4, bias=True)"
        assert [repr(v) for v in m.state_dict().values()] == ["<UninitializedParameter>"] * 2
        assert list(m.state_dict()) == ["weight", "bias"]
        assert list(lib.nn.LazyLinear(4, bias=False).state_dict()) == ["weight"]
        assert all(is_lazy_any(p) for p in m.parameters()) and len(list(m.parameters())) == 2
        # an optimizer accepts them (their gradients are None), as torch's does
        optimizer = lib.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
        optimizer.step()
        m.zero_grad()
        m.double()
        assert m.weight.dtype == lib.float64 and m.has_uninitialized_params()
        m2 = copy.deepcopy(m)
        assert m2.has_uninitialized_params() and repr(m2) == repr(m)
        out = m2(lib.ones(2, 3, dtype=lib.float64))
        assert out.shape == (2, 4) and type(m2) is lib.nn.Linear and m.has_uninitialized_params()
        assert m2.weight.dtype == lib.float64 and m2.weight.requires_grad and not hasattr(m2, "_initialize_hook")


def is_lazy_any(t):
    return is_lazy(t) or torch.nn.parameter.is_lazy(t)


def test_initialize_parameters_directly_and_a_second_time():
    shapes = []
    for lib in (minigrad, torch):
        m = lib.nn.LazyLinear(4)
        m.initialize_parameters(lib.ones(2, 3))
        assert type(m) is lib.nn.LazyLinear and not m.has_uninitialized_params()
        m.initialize_parameters(lib.ones(2, 5))  # initialized already: a second call changes nothing
        shapes.append(tuple(m.weight.shape))
        m(lib.ones(1, 3))
        assert type(m) is lib.nn.Linear
    assert shapes == [(4, 3), (4, 3)]
    assert_raises_like_torch(lambda lib: _initialized_then_called_again(lib))
    assert_raises_like_torch(lambda lib: lib.nn.LazyConv2d(4, 3)(lib.ones(5, 5)), same_message=False)
    assert_raises_like_torch(lambda lib: lib.nn.LazyConv2d(4, 3, groups=2)(lib.ones(1, 3, 5, 5)), same_message=True)
    with pytest.raises(RuntimeError, match=r"Expected 3D \(unbatched\) or 4D \(batched\) input to LazyConv2d"):
        nn.LazyConv2d(4, 3)(minigrad.ones(5, 5))
    with pytest.raises(NotImplementedError, match="initialize_parameters is not implemented"):
        type("Lazy", (LazyModuleMixin, nn.Module), {})()(minigrad.ones(1))


def _initialized_then_called_again(lib):
    m = lib.nn.LazyLinear(4)
    m(lib.ones(2, 3))
    m.initialize_parameters(lib.ones(2, 3))  # a Linear now: no such method


def test_the_first_forward_runs_the_users_pre_hooks_after_initialisation():
    seen = {}
    for lib in (minigrad, torch):
        m = lib.nn.LazyLinear(2)

        def hook(module, args, lib=lib):
            seen[lib.__name__] = type(module).__name__

        m.register_forward_pre_hook(hook)
        m(lib.ones(1, 3))
    assert seen == {"minigrad": "Linear", "torch": "Linear"}


def test_state_dict_round_trips_between_lazy_and_initialized_modules():
    for lib in (minigrad, torch):
        trained = lib.nn.Linear(3, 4)
        lazy = lib.nn.LazyLinear(4)
        assert repr(lazy.load_state_dict(trained.state_dict())) == "<All keys matched successfully>"
        assert type(lazy) is lib.nn.LazyLinear and not lazy.has_uninitialized_params()
        assert lazy.weight.shape == (4, 3) and lazy.in_features == 0  # torch leaves in_features as it was
        np.testing.assert_array_equal(lazy.weight.detach().numpy(), trained.weight.detach().numpy())
        x = lib.ones(2, 3)
        np.testing.assert_array_equal(lazy(x).detach().numpy(), trained(x).detach().numpy())
        assert type(lazy) is lib.nn.Linear
        # uninitialized into uninitialized: nothing to copy, still lazy
        other = lib.nn.LazyLinear(4)
        other.load_state_dict(lib.nn.LazyLinear(4).state_dict())
        assert other.has_uninitialized_params()
        bn = lib.nn.LazyBatchNorm1d()
        bn.load_state_dict(lib.nn.BatchNorm1d(3).state_dict())
        assert bn.running_mean.shape == (3,) and not bn.has_uninitialized_params()
    # uninitialized into initialized: torch's RuntimeError about the shape
    assert_raises_like_torch(lambda lib: lib.nn.Linear(3, 4).load_state_dict(lib.nn.LazyLinear(4).state_dict()),
                             same_message=True)
