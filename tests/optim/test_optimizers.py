"""Every optimizer against torch.optim, step by step: parameters and every state entry agree."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import OptimizerPair, assert_optimizer_matches_torch, tolerances, torch_or_skip
from minigrad.testing.optim import OPTIMIZERS
from minigrad.testing.strategies import optimizer_problems

torch = torch_or_skip()

RTOL, ATOL = 1e-7, 1e-12


@pytest.mark.parametrize("name", OPTIMIZERS)
@settings(max_examples=30)
@given(data=st.data())
def test_trajectory_matches_torch_float64(name, data):
    """Two groups with their own drawn hyperparameters, K steps, some gradients None."""
    problem = data.draw(optimizer_problems(name))
    pair = OptimizerPair(name, problem)
    for k, grads in enumerate(problem["grads"]):
        pair.step(grads)
        assert_optimizer_matches_torch(pair, RTOL, ATOL, where=f"after step {k + 1}")


@pytest.mark.parametrize("name", OPTIMIZERS)
@settings(max_examples=8)
@given(data=st.data())
def test_float32_stays_float32_and_matches_torch(name, data):
    problem = data.draw(optimizer_problems(name, max_steps=5))
    pair = OptimizerPair(name, problem, dtype=np.float32)
    rtol, atol = tolerances(minigrad.float32)
    for grads in problem["grads"]:
        pair.step(grads, dtype=np.float32)
        # also checks every dtype, e.g. float32 state and a float32 step
        assert_optimizer_matches_torch(pair, rtol, atol)


def _as_numpy_scalars(hyper):
    """Float hyperparameters (betas too) as np.float64 scalars, as a sweep over np.logspace would give them."""
    def convert(value):
        if isinstance(value, tuple):
            return tuple(convert(v) for v in value)
        return np.float64(value) if isinstance(value, float) else value
    return {key: convert(value) for key, value in hyper.items()}


@pytest.mark.parametrize("name", OPTIMIZERS)
@settings(max_examples=5)
@given(data=st.data())
def test_numpy_scalar_hyperparameters_keep_float32_like_torch(name, data):
    """torch reads a np.float64 hyperparameter as a Python number: float32 parameters and state stay float32."""
    problem = data.draw(optimizer_problems(name, max_steps=4))
    problem = {**problem, "hypers": [_as_numpy_scalars(hyper) for hyper in problem["hypers"]]}
    pair = OptimizerPair(name, problem, dtype=np.float32)
    rtol, atol = tolerances(minigrad.float32)
    for grads in problem["grads"]:
        pair.step(grads, dtype=np.float32)
        assert_optimizer_matches_torch(pair, rtol, atol)  # checks the dtype of every state entry too


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_parameter_is_updated_in_place(name):
    p = minigrad.nn.Parameter(minigrad.ones(3, dtype=minigrad.float64))
    array, version = p._array, p._version
    opt = getattr(minigrad.optim, name)([p], lr=0.1)
    p.grad = minigrad.ones(3, dtype=minigrad.float64)
    opt.step()
    assert p._array is array and p._version == version + 1
    assert not np.allclose(array, 1.0)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_parameters_without_grad_are_skipped(name):
    p, q = (minigrad.nn.Parameter(minigrad.ones(2)) for _ in range(2))
    opt = getattr(minigrad.optim, name)([p, q], lr=0.1)
    tp, tq = (torch.nn.Parameter(torch.ones(2)) for _ in range(2))
    topt = getattr(torch.optim, name)([tp, tq], lr=0.1)
    p.grad, tp.grad = minigrad.ones(2), torch.ones(2)
    opt.step()
    topt.step()
    np.testing.assert_array_equal(q.detach().numpy(), np.ones(2, np.float32))
    assert opt.state_dict()["state"].keys() == topt.state_dict()["state"].keys()


def test_step_returns_the_closure_loss_computed_with_grad_enabled():
    w = minigrad.nn.Parameter(minigrad.tensor([1.0, -2.0]))
    opt = minigrad.optim.SGD([w], lr=0.5)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with minigrad.no_grad():
        loss = opt.step(closure)
    assert float(loss) == 5.0
    np.testing.assert_allclose(w.detach().numpy(), [0.0, 0.0])
    assert opt.step() is None


def test_zero_grad_sets_to_none_or_zero():
    w = minigrad.nn.Parameter(minigrad.ones(3))
    opt = minigrad.optim.Adam([w])
    w.grad = minigrad.ones(3)
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(w.grad.numpy(), np.zeros(3, np.float32))
    opt.zero_grad()
    assert w.grad is None


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_param_groups_and_repr_match_torch(name):
    p = minigrad.nn.Parameter(minigrad.ones(2))
    tp = torch.nn.Parameter(torch.ones(2))
    opt = getattr(minigrad.optim, name)([{"params": [p], "lr": 0.25}], lr=0.1)
    topt = getattr(torch.optim, name)([{"params": [tp], "lr": 0.25}], lr=0.1)
    assert opt.defaults == topt.defaults
    assert [{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups] == \
           [{k: v for k, v in g.items() if k != "params"} for g in topt.param_groups]
    assert repr(opt) == repr(topt)


def test_add_param_group_then_step_like_torch():
    p, q = minigrad.nn.Parameter(minigrad.ones(2, dtype=minigrad.float64)), \
        minigrad.nn.Parameter(minigrad.ones(3, dtype=minigrad.float64))
    tp, tq = torch.nn.Parameter(torch.ones(2, dtype=torch.float64)), \
        torch.nn.Parameter(torch.ones(3, dtype=torch.float64))
    opt, topt = minigrad.optim.SGD([p], lr=0.1, momentum=0.9), torch.optim.SGD([tp], lr=0.1, momentum=0.9)
    opt.add_param_group({"params": q, "lr": 0.01, "nesterov": True})
    topt.add_param_group({"params": tq, "lr": 0.01, "nesterov": True})
    for _ in range(3):
        for a, b in ((p, tp), (q, tq)):
            a.grad = minigrad.from_numpy(np.arange(a.numel(), dtype=np.float64))
            b.grad = torch.arange(b.numel(), dtype=torch.float64)
        opt.step()
        topt.step()
    np.testing.assert_allclose(q.detach().numpy(), tq.detach().numpy(), rtol=RTOL)
    assert opt.param_groups[1]["momentum"] == 0.9 and len(opt.param_groups) == 2


def test_named_parameters_are_accepted():
    p = minigrad.nn.Parameter(minigrad.ones(2))
    opt = minigrad.optim.SGD([("weight", p)], lr=0.1)
    assert opt.param_groups[0]["params"] == [p] and opt.param_groups[0]["param_names"] == ["weight"]
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["weight"]


@pytest.mark.parametrize("name", OPTIMIZERS)
@settings(max_examples=5)
@given(lr=st.floats(1e-3, 1.0), gamma=st.floats(0.1, 1.0), seed=st.integers(0, 2**31))
def test_tensor_learning_rate_matches_torch(name, lr, gamma, seed):
    """A 0-d float32 tensor lr (here decayed by a scheduler, which fills it in place) computes like torch's."""
    rng = np.random.default_rng(seed)
    p = minigrad.nn.Parameter(minigrad.from_numpy(rng.standard_normal(3)))
    tp = torch.nn.Parameter(torch.from_numpy(p.detach().numpy().copy()))
    opt = getattr(minigrad.optim, name)([p], lr=minigrad.tensor(lr))
    topt = getattr(torch.optim, name)([tp], lr=torch.tensor(lr))
    sched = minigrad.optim.lr_scheduler.ExponentialLR(opt, gamma)
    tsched = torch.optim.lr_scheduler.ExponentialLR(topt, gamma)
    for _ in range(4):
        grad = rng.standard_normal(3)
        p.grad, tp.grad = minigrad.from_numpy(grad.copy()), torch.from_numpy(grad.copy())
        opt.step()
        topt.step()
        sched.step()
        tsched.step()
        np.testing.assert_allclose(p.detach().numpy(), tp.detach().numpy(), rtol=RTOL, atol=ATOL)
        assert float(opt.param_groups[0]["lr"]) == float(topt.param_groups[0]["lr"])
