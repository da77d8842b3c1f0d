"""Optimizer hooks against torch's: step pre/post hooks (global and per optimizer), state_dict and
load_state_dict hooks; the order they run in, what they receive, what their return values do."""

import importlib
import re

import numpy as np
import pytest

import minigrad
from minigrad.testing import torch_or_skip

torch = torch_or_skip()

LIBS = [minigrad, torch]


def _optimizer_module(lib):
    """minigrad.optim.optimizer or torch.optim.optimizer, where the global step hooks are registered."""
    return importlib.import_module(f"{lib.__name__}.optim.optimizer")


def _optimizer(lib, name="SGD"):
    p = lib.nn.Parameter(lib.ones(2))
    p.grad = lib.ones(2)
    return getattr(lib.optim, name)([p], lr=0.5), p


def _step_hook_log(lib):
    """Register global and per-optimizer step hooks, step twice (once with a closure keyword) and log the calls."""
    opt, _ = _optimizer(lib)
    log = []

    def hook(name):
        def record(optimizer, args, kwargs):
            log.append((name, optimizer is opt, len(args), args[0] is opt, sorted(kwargs)))
        return record

    handles = [_optimizer_module(lib).register_optimizer_step_pre_hook(hook("global pre")),
               _optimizer_module(lib).register_optimizer_step_post_hook(hook("global post")),
               opt.register_step_pre_hook(hook("pre 1")), opt.register_step_post_hook(hook("post 1")),
               opt.register_step_pre_hook(hook("pre 2")), opt.register_step_post_hook(hook("post 2"))]
    try:
        opt.step()
        log.append("--")
        opt.step(closure=lambda: 3.0)
        handles[2].remove()
        handles[1].remove()
        log.append("--")
        opt.step()
    finally:
        for handle in handles:
            handle.remove()
    log.append("--")
    opt.step()  # no hooks left
    return log


def test_step_hooks_run_in_torchs_order_with_torchs_arguments():
    ours, theirs = (_step_hook_log(lib) for lib in LIBS)
    assert ours == theirs
    assert ours[0][0] == "global pre" and ours[-2][0] == "post 2"


@pytest.mark.parametrize("lib", LIBS, ids=["minigrad", "torch"])
def test_a_step_pre_hook_may_replace_the_arguments(lib):
    opt, p = _optimizer(lib)
    calls = []

    def closure():
        calls.append("closure")
        return 7.0

    opt.register_step_pre_hook(lambda optimizer, args, kwargs: (args, {"closure": closure}))
    seen = []
    opt.register_step_post_hook(lambda optimizer, args, kwargs: seen.append(kwargs["closure"] is closure))
    assert opt.step() == 7.0 and calls == ["closure"] and seen == [True]
    np.testing.assert_allclose(p.detach().numpy(), [0.5, 0.5])


def test_a_step_pre_hook_returning_something_else_raises_torchs_error():
    errors = []
    for lib in LIBS:
        opt, _ = _optimizer(lib)
        opt.register_step_pre_hook(lambda optimizer, args, kwargs: 5)
        with pytest.raises(RuntimeError) as info:
            opt.step()
        # the message starts with the step function (in torch SGD's, in minigrad the rule optimizers' shared one)
        errors.append(re.sub(r"^<function \w+\.step at 0x[0-9a-f]+>", "step", str(info.value)))
    assert errors[0] == errors[1] == "step must return None or a tuple of (new_args, new_kwargs), but got 5."


def test_every_optimizer_calls_the_global_hooks():
    """The wrapping reaches each optimizer's own step, ASGD to LBFGS."""
    names = ["SGD", "Adam", "ASGD", "Rprop", "Adafactor", "LBFGS"]
    calls = []
    handle = minigrad.optim.optimizer.register_optimizer_step_post_hook(
        lambda optimizer, args, kwargs: calls.append(type(optimizer).__name__))
    try:
        for name in names:
            opt, p = _optimizer(minigrad, name)
            opt.step((lambda: (p * p).sum()) if name == "LBFGS" else None)
    finally:
        handle.remove()
    assert calls == names


def test_a_subclass_calling_super_step_runs_the_hooks_once():
    class Clipped(minigrad.optim.SGD):
        def step(self, closure=None):
            return super().step(closure)

    p = minigrad.nn.Parameter(minigrad.ones(2))
    p.grad = minigrad.ones(2)
    opt = Clipped([p], lr=0.5)
    calls = []
    opt.register_step_pre_hook(lambda optimizer, args, kwargs: calls.append(args[1:]))
    opt.step()
    assert calls == [()]


def _state_dict_hook_log(lib):
    opt, p = _optimizer(lib, "Adam")
    opt.step()
    log = []
    opt.register_state_dict_pre_hook(lambda optimizer: log.append(("pre", optimizer is opt)))
    opt.register_state_dict_pre_hook(lambda optimizer: log.append(("first pre", optimizer is opt)), prepend=True)

    def renames(optimizer, state_dict):
        log.append(("post", sorted(state_dict)))
        return {"renamed": state_dict}

    def marks(optimizer, state_dict):
        log.append(("later post", sorted(state_dict)))
        state_dict["marked"] = True  # changed in place, not returned

    opt.register_state_dict_post_hook(renames)
    opt.register_state_dict_post_hook(marks)
    result = opt.state_dict()
    log.append(sorted(result))
    log.append(sorted(result["renamed"]["state"][0]))
    return log


def test_state_dict_hooks_like_torch():
    ours, theirs = (_state_dict_hook_log(lib) for lib in LIBS)
    assert ours == theirs
    assert ours[:2] == [("first pre", True), ("pre", True)] and ours[4] == ["marked", "renamed"]


def _load_state_dict_hook_log(lib):
    opt, p = _optimizer(lib, "Adam")
    opt.step()
    saved = opt.state_dict()
    fresh, _ = _optimizer(lib, "Adam")
    log = []

    def drops_the_state(optimizer, state_dict):
        log.append(("pre", state_dict is saved, sorted(state_dict)))
        state_dict["state"] = {}  # on the shallow copy: the caller's dict keeps its state

    def lowers_the_lr(optimizer, state_dict):
        log.append(("second pre", sorted(state_dict["state"])))
        groups = [{**group, "lr": 0.125} for group in state_dict["param_groups"]]
        return {"state": state_dict["state"], "param_groups": groups}

    fresh.register_load_state_dict_pre_hook(lowers_the_lr)
    fresh.register_load_state_dict_pre_hook(drops_the_state, prepend=True)
    fresh.register_load_state_dict_post_hook(lambda optimizer: log.append(("post", optimizer.param_groups[0]["lr"])))
    handle = fresh.register_load_state_dict_post_hook(lambda optimizer: log.append("removed"))
    handle.remove()
    assert fresh.load_state_dict(saved) is None
    log.append((len(fresh.state), sorted(saved["state"])))
    return log


def test_load_state_dict_hooks_like_torch():
    ours, theirs = (_load_state_dict_hook_log(lib) for lib in LIBS)
    assert ours == theirs
    assert ours == [("pre", False, ["param_groups", "state"]), ("second pre", []), ("post", 0.125), (0, [0])]
