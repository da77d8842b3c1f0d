"""The global module hooks of minigrad.nn.modules.module against torch.nn.modules.module's:
forward and backward hooks that every module runs before its own, and the hooks that see every
parameter, buffer and submodule registered; the order, the arguments and the replaced values."""

import importlib

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()

LIBS = (minigrad, torch)


def _hooks_module(lib):
    return importlib.import_module(f"{lib.__name__}.nn.modules.module")


def _network(lib, w, b):
    linear = lib.nn.Linear(3, 2, dtype=lib.float64)
    with lib.no_grad():
        linear.weight.copy_(lib.tensor(w))
        linear.bias.copy_(lib.tensor(b))
    return lib.nn.Sequential(linear, lib.nn.Tanh())


def _run_with_global_hooks(lib, w, b, x, scale):
    """Forward and backward through Linear then Tanh with global and own hooks that log and replace values."""
    hooks = _hooks_module(lib)
    net = _network(lib, w, b)
    linear = net[0]
    log = []

    def name(module):
        return type(module).__name__

    def global_pre(module, args):
        log.append(("global pre", name(module)))
        return args[0] * scale if isinstance(module, lib.nn.Linear) else None  # a single value: made a 1-tuple

    def global_forward(module, args, kwargs, output):
        log.append(("global forward", name(module), sorted(kwargs)))
        return output + 1 if isinstance(module, lib.nn.Tanh) else None

    def global_backward_pre(module, grad_output):
        log.append(("global backward pre", name(module)))
        return (grad_output[0] * scale,) if isinstance(module, lib.nn.Tanh) else None

    def global_backward(module, grad_input, grad_output):
        log.append(("global backward", name(module), len(grad_input)))
        return (grad_input[0] * 3,) if isinstance(module, lib.nn.Linear) else None

    linear.register_forward_pre_hook(lambda module, args: log.append("own pre"))
    linear.register_forward_hook(lambda module, args, output: log.append("own forward"))
    linear.register_full_backward_pre_hook(lambda module, grad_output: log.append("own backward pre"))
    linear.register_full_backward_hook(lambda module, grad_input, grad_output: log.append("own backward"))
    handles = [hooks.register_module_forward_pre_hook(global_pre),
               hooks.register_module_forward_hook(global_forward, with_kwargs=True),
               hooks.register_module_full_backward_pre_hook(global_backward_pre),
               hooks.register_module_full_backward_hook(global_backward)]
    try:
        xt = lib.tensor(x, requires_grad=True)
        out = net(xt)
        out.sum().backward()
    finally:
        for handle in handles:
            handle.remove()
    after = net(lib.tensor(x))  # the global hooks are gone, the module's own remain
    log.append("removed")
    return log, out.detach().numpy(), xt.grad.numpy(), after.detach().numpy()


@settings(max_examples=10)
@given(data=st.data(), scale=st.sampled_from([0.5, 2.0]))
def test_global_hooks_run_before_the_modules_own_and_replace_values_like_torch(data, scale):
    w, b = data.draw(mst.arrays("float64", (2, 3))), data.draw(mst.arrays("float64", (2,)))
    x = data.draw(mst.arrays("float64", (data.draw(st.integers(1, 3)), 3)))
    ours, theirs = (_run_with_global_hooks(lib, w, b, x, scale) for lib in LIBS)
    assert ours[0] == theirs[0]
    assert ours[0][:3] == [("global pre", "Sequential"), ("global pre", "Linear"), "own pre"]
    for mine, torchs in zip(ours[1:], theirs[1:]):
        np.testing.assert_allclose(mine, torchs, rtol=1e-7, atol=1e-12)


def _registration_log(lib):
    hooks = _hooks_module(lib)
    log = []

    def seen(kind, replace=None):
        def hook(module, name, value):
            log.append((kind, type(module).__name__, name, type(value).__name__))
            return replace(value) if replace is not None and value is not None else None
        return hook

    handles = [hooks.register_module_parameter_registration_hook(seen("parameter")),
               hooks.register_module_buffer_registration_hook(seen("buffer")),
               hooks.register_module_module_registration_hook(seen("module")),
               hooks.register_module_buffer_registration_hook(seen("buffer, doubled", lambda t: t * 2))]
    try:
        net = lib.nn.Sequential(lib.nn.Linear(2, 3, bias=False), lib.nn.BatchNorm1d(3))
        net.add_module("last", lib.nn.Identity())
        net.last = None
        net[0].bias = None
        net[1].register_buffer("extra", lib.ones(3))
        net[1].running_mean = lib.ones(3)
    finally:
        for handle in handles:
            handle.remove()
    net.add_module("unseen", lib.nn.Identity())
    return log, net[1].extra.numpy(), net[1].running_mean.numpy(), net[1].running_var.numpy()


def test_registration_hooks_see_and_replace_what_modules_register_like_torch():
    ours, theirs = (_registration_log(lib) for lib in LIBS)
    assert ours[0] == theirs[0]
    assert ("module", "Sequential", "last", "NoneType") in ours[0]
    assert ("parameter", "Linear", "weight", "Parameter") in ours[0] and ("parameter", "Linear", "bias", "NoneType") not in ours[0]
    for mine, torchs in zip(ours[1:], theirs[1:]):
        np.testing.assert_array_equal(mine, torchs)
    np.testing.assert_array_equal(ours[1], np.full(3, 2.0, np.float32))


def test_a_module_without_hooks_calls_forward_directly():
    """The fast path: no hook anywhere, forward is all that runs (and a hook registered then removed leaves none)."""
    handle = minigrad.nn.modules.module.register_module_forward_hook(lambda module, args, output: output * 0)
    layer = minigrad.nn.Identity()
    x = minigrad.ones(2)
    assert float(layer(x).sum()) == 0.0
    handle.remove()
    assert layer(x) is x


def _container_log(lib):
    """What the registration hooks see as containers are built and changed (renumbering is not registering)."""
    hooks = _hooks_module(lib)
    log = []
    handles = [hooks.register_module_module_registration_hook(lambda m, name, v: log.append((type(m).__name__, name))),
               hooks.register_module_parameter_registration_hook(
                   lambda m, name, v: log.append((type(m).__name__, "parameter", name)))]
    try:
        modules = lib.nn.ModuleList([lib.nn.Identity(), lib.nn.Identity()])
        modules.append(lib.nn.Identity())
        modules.extend([lib.nn.Identity()])
        modules[0] = lib.nn.ReLU()
        del modules[0]
        modules.insert(0, lib.nn.Tanh())
        named = lib.nn.ModuleDict({"a": lib.nn.Identity()})
        named["b"] = lib.nn.Identity()
        named.update({"c": lib.nn.Identity()})
        sequence = lib.nn.Sequential(lib.nn.Identity())
        sequence.append(lib.nn.Identity())
        parameters = lib.nn.ParameterList([lib.nn.Parameter(lib.ones(1))])
        parameters.append(lib.nn.Parameter(lib.ones(1)))
        lib.nn.ParameterDict({"x": lib.nn.Parameter(lib.ones(1))})["y"] = lib.nn.Parameter(lib.ones(1))
    finally:
        for handle in handles:
            handle.remove()
    return log


def test_registration_hooks_see_what_containers_register_like_torch():
    ours, theirs = (_container_log(lib) for lib in LIBS)
    assert ours == theirs
    assert ("ModuleList", "3") in ours and ("ParameterDict", "parameter", "y") in ours
