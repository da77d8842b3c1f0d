"""Learning-rate schedulers against torch.optim.lr_scheduler: the same lr (and momentum) at every step."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.optim import lr_scheduler
from minigrad.testing import torch_or_skip
from minigrad.testing.optim import optimizer_state_from_torch

torch = torch_or_skip()

gammas = st.floats(0.05, 1.0)


@st.composite
def lambda_factors(draw):
    """A few families of lr_lambda, each drawn with its own constants (built the same way for both libraries)."""
    a = draw(st.floats(0.5, 1.0))
    kind = draw(st.sampled_from(["power", "inverse", "warmup"]))
    if kind == "power":
        return lambda epoch: a ** epoch
    if kind == "inverse":
        return lambda epoch: 1.0 / (1.0 + a * epoch)
    return lambda epoch: min(1.0, (epoch + 1) * a / 3)


@st.composite
def one_cycle_kwargs(draw):
    kwargs = {"max_lr": draw(st.one_of(st.floats(0.01, 1.0), st.lists(st.floats(0.01, 1.0), min_size=2, max_size=2))),
              "pct_start": draw(st.floats(0.05, 0.95)), "anneal_strategy": draw(st.sampled_from(["cos", "linear"])),
              "cycle_momentum": draw(st.booleans()), "base_momentum": draw(st.floats(0.5, 0.85)),
              "max_momentum": draw(st.floats(0.86, 0.99)), "div_factor": draw(st.floats(2.0, 100.0)),
              "final_div_factor": draw(st.floats(10.0, 1e4)), "three_phase": draw(st.booleans())}
    if draw(st.booleans()):
        kwargs["total_steps"] = draw(st.integers(5, 40))
    else:
        kwargs["epochs"], kwargs["steps_per_epoch"] = draw(st.integers(1, 5)), draw(st.integers(2, 8))
    return kwargs


SCHEDULERS = {
    "StepLR": st.fixed_dictionaries({"step_size": st.integers(1, 5), "gamma": gammas}),
    "MultiStepLR": st.fixed_dictionaries({"milestones": st.lists(st.integers(0, 20), max_size=5), "gamma": gammas}),
    "ExponentialLR": st.fixed_dictionaries({"gamma": st.floats(0.5, 1.0)}),
    "CosineAnnealingLR": st.fixed_dictionaries({"T_max": st.integers(1, 10), "eta_min": st.floats(0.0, 1e-2)}),
    "LinearLR": st.fixed_dictionaries({"start_factor": st.floats(0.01, 1.0), "end_factor": st.floats(0.0, 1.0),
                                       "total_iters": st.integers(1, 10)}),
    "LambdaLR": st.fixed_dictionaries({"lr_lambda": st.one_of(lambda_factors(),
                                                              st.lists(lambda_factors(), min_size=2, max_size=2))}),
    "OneCycleLR": one_cycle_kwargs(),
    "MultiplicativeLR": st.fixed_dictionaries({"lr_lambda": st.one_of(lambda_factors(),
                                                                      st.lists(lambda_factors(), min_size=2,
                                                                               max_size=2))}),
    "ConstantLR": st.fixed_dictionaries({"factor": st.floats(0.01, 1.0), "total_iters": st.integers(0, 8)}),
    "PolynomialLR": st.fixed_dictionaries({"total_iters": st.integers(1, 10), "power": st.floats(0.5, 3.0)}),
    "CyclicLR": st.fixed_dictionaries(
        {"base_lr": st.one_of(st.floats(1e-4, 0.01), st.lists(st.floats(1e-4, 0.01), min_size=2, max_size=2)),
         "max_lr": st.floats(0.02, 1.0), "step_size_up": st.integers(1, 6),
         "step_size_down": st.none() | st.integers(1, 6), "mode": st.sampled_from(["triangular", "triangular2", "exp_range"]),
         "gamma": st.floats(0.8, 1.0), "cycle_momentum": st.booleans(), "base_momentum": st.floats(0.5, 0.85),
         "max_momentum": st.floats(0.86, 0.99)}),
}


def _optimizers(name, lrs):
    """The same two-group optimizer in minigrad and torch (the groups only differ in lr)."""
    mg_params = [minigrad.nn.Parameter(minigrad.ones(2)) for _ in lrs]
    t_params = [torch.nn.Parameter(torch.ones(2)) for _ in lrs]
    kwargs = {"momentum": 0.9} if name == "SGD" else {}
    mg = getattr(minigrad.optim, name)([{"params": [p], "lr": lr} for p, lr in zip(mg_params, lrs)], **kwargs)
    t = getattr(torch.optim, name)([{"params": [p], "lr": lr} for p, lr in zip(t_params, lrs)], **kwargs)
    return mg, t


def _outcome(action):
    """What an action gives: ("ok", value) or ("error", exception type) - torch may legitimately raise."""
    try:
        return "ok", action()
    except (ValueError, ZeroDivisionError) as error:
        return "error", type(error)


def _momenta(optimizer):
    return [(g.get("momentum"), g.get("betas")) for g in optimizer.param_groups]


@pytest.mark.parametrize("name", list(SCHEDULERS))
@settings(max_examples=25)
@given(data=st.data(), lrs=st.lists(st.floats(1e-3, 1.0), min_size=2, max_size=2), steps=st.integers(1, 30),
       optimizer=st.sampled_from(["SGD", "Adam"]))
def test_lr_sequence_matches_torch(name, data, lrs, steps, optimizer):
    kwargs = data.draw(SCHEDULERS[name], label="scheduler arguments")
    mg_opt, t_opt = _optimizers(optimizer, lrs)
    ours = _outcome(lambda: getattr(lr_scheduler, name)(mg_opt, **kwargs))
    theirs = _outcome(lambda: getattr(torch.optim.lr_scheduler, name)(t_opt, **kwargs))
    assert ours[0] == theirs[0] and (ours[0] == "ok" or ours[1] is theirs[1])
    if ours[0] == "error":
        return
    mg_sched, t_sched = ours[1], theirs[1]
    for step in range(steps + 1):
        assert mg_sched.get_last_lr() == t_sched.get_last_lr(), f"step {step}"
        assert [g["lr"] for g in mg_opt.param_groups] == [g["lr"] for g in t_opt.param_groups]
        assert _momenta(mg_opt) == _momenta(t_opt)
        assert mg_sched.state_dict() == t_sched.state_dict()
        mg_opt.step()
        t_opt.step()
        ours, theirs = _outcome(mg_sched.step), _outcome(t_sched.step)
        assert ours == theirs
        if ours[0] == "error":  # OneCycleLR stepped past total_steps
            return


@settings(max_examples=40)
@given(mode=st.sampled_from(["min", "max"]), threshold_mode=st.sampled_from(["rel", "abs"]),
       factor=st.floats(0.01, 0.9), patience=st.integers(0, 3), threshold=st.floats(0.0, 0.1),
       cooldown=st.integers(0, 3), min_lr=st.one_of(st.floats(0.0, 1e-2), st.lists(st.floats(0.0, 1e-2),
                                                                                     min_size=2, max_size=2)),
       eps=st.floats(0.0, 1e-3), lrs=st.lists(st.floats(1e-3, 1.0), min_size=2, max_size=2),
       metrics=st.lists(st.one_of(st.sampled_from([1.0, 0.5, 0.9999]), st.floats(-2.0, 2.0)), min_size=1,
                        max_size=30))
def test_reduce_lr_on_plateau_matches_torch(mode, threshold_mode, factor, patience, threshold, cooldown, min_lr, eps,
                                            lrs, metrics):
    kwargs = {"mode": mode, "factor": factor, "patience": patience, "threshold": threshold,
              "threshold_mode": threshold_mode, "cooldown": cooldown, "min_lr": min_lr, "eps": eps}
    mg_opt, t_opt = _optimizers("SGD", lrs)
    mg_sched = lr_scheduler.ReduceLROnPlateau(mg_opt, **kwargs)
    t_sched = torch.optim.lr_scheduler.ReduceLROnPlateau(t_opt, **kwargs)
    for metric in metrics:
        mg_sched.step(minigrad.tensor(metric, dtype=minigrad.float64))  # a 0-d tensor, as from a loss
        t_sched.step(torch.tensor(metric, dtype=torch.float64))
        assert mg_sched.get_last_lr() == t_sched.get_last_lr()
        assert mg_sched.state_dict() == t_sched.state_dict()


@pytest.mark.parametrize("name", list(SCHEDULERS))
@settings(max_examples=10)
@given(data=st.data(), before=st.integers(0, 6), after=st.integers(1, 6))
def test_resume_from_a_torch_checkpoint(name, data, before, after):
    """torch trains `before` epochs; minigrad loads the optimizer's and the scheduler's state and continues."""
    kwargs = data.draw(SCHEDULERS[name])
    if name == "OneCycleLR":
        kwargs = {**kwargs, "total_steps": before + after + 5, "epochs": None, "steps_per_epoch": None,
                  "pct_start": 0.5, "three_phase": False}
    mg_opt, t_opt = _optimizers("SGD", [0.1, 0.02])
    t_sched = getattr(torch.optim.lr_scheduler, name)(t_opt, **kwargs)
    mg_sched = getattr(lr_scheduler, name)(mg_opt, **kwargs)
    for _ in range(before):
        t_opt.step()
        t_sched.step()
    mg_opt.load_state_dict(optimizer_state_from_torch(t_opt.state_dict()))
    mg_sched.load_state_dict(t_sched.state_dict())
    for _ in range(after):
        mg_opt.step()
        t_opt.step()
        mg_sched.step()
        t_sched.step()
        assert mg_sched.get_last_lr() == t_sched.get_last_lr()


@pytest.mark.parametrize("optimizer, scheduler, kwargs", [
    ("Adam", "OneCycleLR", {"max_lr": 0.05, "total_steps": 12}),
    ("SGD", "OneCycleLR", {"max_lr": [0.05, 0.2], "total_steps": 12, "three_phase": True}),
    ("RMSprop", "CosineAnnealingLR", {"T_max": 4}),
    ("AdamW", "LinearLR", {"total_iters": 6}),
    ("Adagrad", "StepLR", {"step_size": 2, "gamma": 0.5}),
])
def test_training_with_a_scheduler_matches_torch(optimizer, scheduler, kwargs):
    rng = np.random.default_rng(7)
    mg_opt, t_opt = _optimizers(optimizer, [0.01, 0.03])
    mg_params = [p for g in mg_opt.param_groups for p in g["params"]]
    t_params = [p for g in t_opt.param_groups for p in g["params"]]
    mg_sched = getattr(lr_scheduler, scheduler)(mg_opt, **kwargs)
    t_sched = getattr(torch.optim.lr_scheduler, scheduler)(t_opt, **kwargs)
    for _ in range(11):
        for mp, tp in zip(mg_params, t_params):
            grad = rng.standard_normal(2).astype(np.float32)
            mp.grad, tp.grad = minigrad.from_numpy(grad.copy()), torch.from_numpy(grad.copy())
        mg_opt.step()
        t_opt.step()
        mg_sched.step()
        t_sched.step()
        for mp, tp in zip(mg_params, t_params):
            np.testing.assert_allclose(mp.detach().numpy(), tp.detach().numpy(), rtol=1e-5, atol=1e-6)


@settings(max_examples=10)
@given(epochs=st.lists(st.integers(0, 30), min_size=1, max_size=5),
       name=st.sampled_from(["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR", "ConstantLR",
                             "PolynomialLR"]))
def test_step_with_an_explicit_epoch_uses_the_closed_form(epochs, name):
    kwargs = {"StepLR": {"step_size": 3}, "MultiStepLR": {"milestones": [2, 5, 5]}, "ExponentialLR": {"gamma": 0.9},
              "CosineAnnealingLR": {"T_max": 7}, "LinearLR": {}, "ConstantLR": {"factor": 0.5},
              "PolynomialLR": {"total_iters": 8, "power": 2.0}}[name]
    mg_opt, t_opt = _optimizers("SGD", [0.1, 0.3])
    mg_sched = getattr(lr_scheduler, name)(mg_opt, **kwargs)
    t_sched = getattr(torch.optim.lr_scheduler, name)(t_opt, **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in epochs:
            mg_sched.step(epoch)
            t_sched.step(epoch)
            assert mg_sched.get_last_lr() == t_sched.get_last_lr()


def test_stepping_the_scheduler_before_the_optimizer_warns():
    mg_opt, _ = _optimizers("SGD", [0.1, 0.1])
    sched = lr_scheduler.StepLR(mg_opt, step_size=1)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()
    mg_opt, _ = _optimizers("SGD", [0.1, 0.1])
    sched = lr_scheduler.StepLR(mg_opt, step_size=1)
    mg_opt.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched.step()


def test_lambda_state_dict_keeps_only_callable_objects():
    class Decay:
        def __init__(self, rate):
            self.rate = rate

        def __call__(self, epoch):
            return math.exp(-self.rate * epoch)

    mg_opt, t_opt = _optimizers("SGD", [0.1, 0.2])
    mg_sched = lr_scheduler.LambdaLR(mg_opt, [Decay(0.5), lambda e: 1.0])
    t_sched = torch.optim.lr_scheduler.LambdaLR(t_opt, [Decay(0.5), lambda e: 1.0])
    assert mg_sched.state_dict() == t_sched.state_dict()
    assert mg_sched.state_dict()["lr_lambdas"] == [{"rate": 0.5}, None]
    fresh = lr_scheduler.LambdaLR(_optimizers("SGD", [0.1, 0.2])[0], [Decay(0.1), lambda e: 1.0])
    fresh.load_state_dict(mg_sched.state_dict())
    assert fresh.lr_lambdas[0].rate == 0.5


@pytest.mark.parametrize("make", [
    lambda opt, L: L.LinearLR(opt, start_factor=0.0),
    lambda opt, L: L.LinearLR(opt, end_factor=1.5),
    lambda opt, L: L.OneCycleLR(opt, max_lr=0.1),
    lambda opt, L: L.OneCycleLR(opt, max_lr=0.1, total_steps=0),
    lambda opt, L: L.OneCycleLR(opt, max_lr=0.1, total_steps=10, anneal_strategy="step"),
    lambda opt, L: L.OneCycleLR(opt, max_lr=[0.1], total_steps=10),
    lambda opt, L: L.ReduceLROnPlateau(opt, factor=1.0),
    lambda opt, L: L.ReduceLROnPlateau(opt, mode="up"),
    lambda opt, L: L.LambdaLR(opt, [lambda e: 1.0]),
])
def test_bad_scheduler_arguments_raise_like_torch(make):
    mg_opt, t_opt = _optimizers("SGD", [0.1, 0.2])
    with pytest.raises(Exception) as ours:
        make(mg_opt, lr_scheduler)
    with pytest.raises(Exception) as theirs:
        make(t_opt, torch.optim.lr_scheduler)
    assert type(ours.value) is type(theirs.value)


@settings(max_examples=25)
@given(data=st.data(), lrs=st.lists(st.floats(1e-3, 1.0), min_size=2, max_size=2), steps=st.integers(1, 25),
       chained=st.booleans())
def test_sequential_and_chained_schedulers_match_torch(data, lrs, steps, chained):
    """A warm-up (LinearLR) combined with a decay: one after the other at a milestone, or both at once."""
    warmup = data.draw(SCHEDULERS["LinearLR"])
    decay_name = data.draw(st.sampled_from(["CosineAnnealingLR", "ExponentialLR", "StepLR"]))
    decay = data.draw(SCHEDULERS[decay_name])
    milestone = data.draw(st.integers(1, 10))

    def build(opt, lib):
        parts = [lib.LinearLR(opt, **warmup), getattr(lib, decay_name)(opt, **decay)]
        return lib.ChainedScheduler(parts) if chained else lib.SequentialLR(opt, parts, milestones=[milestone])

    mg_opt, t_opt = _optimizers("SGD", lrs)
    mg_sched, t_sched = build(mg_opt, lr_scheduler), build(t_opt, torch.optim.lr_scheduler)
    for step in range(steps + 1):
        assert mg_sched.get_last_lr() == t_sched.get_last_lr(), f"step {step}"
        assert mg_sched.state_dict() == t_sched.state_dict()
        mg_opt.step()
        t_opt.step()
        mg_sched.step()
        t_sched.step()


CHAINABLE = ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR", "MultiplicativeLR",
             "ConstantLR", "PolynomialLR"]


@settings(max_examples=25)
@given(data=st.data(), lrs=st.lists(st.floats(1e-3, 1.0), min_size=2, max_size=2), steps=st.integers(1, 25),
       names=st.lists(st.sampled_from(CHAINABLE), min_size=2, max_size=2))
def test_two_schedulers_on_one_optimizer_compound_like_torch(data, lrs, steps, names):
    """Two schedulers built on the same optimizer and stepped one after the other, without ChainedScheduler."""
    kwargs = [data.draw(SCHEDULERS[name], label=name) for name in names]
    mg_opt, t_opt = _optimizers("SGD", lrs)
    mg_scheds = [getattr(lr_scheduler, name)(mg_opt, **kw) for name, kw in zip(names, kwargs)]
    t_scheds = [getattr(torch.optim.lr_scheduler, name)(t_opt, **kw) for name, kw in zip(names, kwargs)]
    for step in range(steps + 1):
        assert [g["lr"] for g in mg_opt.param_groups] == [g["lr"] for g in t_opt.param_groups], f"step {step}"
        assert [s.get_last_lr() for s in mg_scheds] == [s.get_last_lr() for s in t_scheds]
        mg_opt.step()
        t_opt.step()
        for mg_sched, t_sched in zip(mg_scheds, t_scheds):
            mg_sched.step()
            t_sched.step()


def test_scheduler_and_optimizer_state_survive_minigrad_save(tmp_path):
    """A checkpoint written with minigrad.save (no pickle: a Counter comes back as a dict) resumes exactly."""
    def build():
        p = minigrad.nn.Parameter(minigrad.ones(2))
        opt = minigrad.optim.Adam([p], lr=0.1)
        return p, opt, lr_scheduler.MultiStepLR(opt, [1, 3, 3], gamma=0.5)

    p, opt, sched = build()
    for _ in range(2):
        p.grad = minigrad.ones(2)
        opt.step()
        sched.step()
    minigrad.save({"optimizer": opt.state_dict(), "scheduler": sched.state_dict()}, tmp_path / "checkpoint.pt")
    checkpoint = minigrad.load(tmp_path / "checkpoint.pt")
    q, resumed_opt, resumed = build()
    resumed_opt.load_state_dict(checkpoint["optimizer"])
    resumed.load_state_dict(checkpoint["scheduler"])
    q.data = p.detach().clone()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in range(2, 6):
            for param, o, s in ((p, opt, sched), (q, resumed_opt, resumed)):
                param.grad = minigrad.ones(2)
                o.step()
                s.step(epoch if epoch == 5 else None)  # the closed form reads the milestones' counts
            assert resumed.get_last_lr() == sched.get_last_lr()
            np.testing.assert_array_equal(q.detach().numpy(), p.detach().numpy())


@given(t_0=st.integers(1, 6), t_mult=st.integers(1, 3), eta_min=st.sampled_from([0.0, 0.001]),
       lr=st.floats(0.01, 1.0), steps=st.integers(1, 30))
def test_cosine_annealing_warm_restarts_matches_torch(t_0, t_mult, eta_min, lr, steps):
    T = torch
    ours_param = minigrad.nn.Parameter(minigrad.zeros(2))
    theirs_param = T.nn.Parameter(T.zeros(2))
    ours_opt, theirs_opt = minigrad.optim.SGD([ours_param], lr=lr), T.optim.SGD([theirs_param], lr=lr)
    ours = lr_scheduler.CosineAnnealingWarmRestarts(ours_opt, t_0, t_mult, eta_min)
    theirs = T.optim.lr_scheduler.CosineAnnealingWarmRestarts(theirs_opt, t_0, t_mult, eta_min)
    for _ in range(steps):
        ours_opt.step()
        theirs_opt.step()
        ours.step()
        theirs.step()
        np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), rtol=1e-12)
    assert ours.T_i == theirs.T_i and ours.T_cur == theirs.T_cur
