"""Optimizer checkpoints: torch's layout and names, and state that moves between torch and minigrad."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import OptimizerPair, assert_optimizer_matches_torch, torch_or_skip
from minigrad.testing.optim import OPTIMIZERS, optimizer_state_from_torch, optimizer_state_to_torch
from minigrad.testing.strategies import optimizer_problems

torch = torch_or_skip()

RTOL, ATOL = 1e-7, 1e-12


def _without_tensors(state_dict):
    """The state_dict with each tensor replaced by (dtype name, shape): its structure."""
    def describe(v):
        if isinstance(v, minigrad.Tensor) or torch.is_tensor(v):
            return str(v.dtype).split(".")[-1], tuple(v.shape)
        return v
    return {"state": {i: {k: describe(v) for k, v in entries.items()} for i, entries in state_dict["state"].items()},
            "param_groups": state_dict["param_groups"]}


# optimizers with 0-d state in torch's scalar dtype (NAdam's mu_product, ASGD's eta and mu), which
# load_state_dict casts to the parameter's dtype, in torch as in minigrad
CAST_ON_LOAD = ("NAdam", "ASGD")


@pytest.mark.parametrize("name", OPTIMIZERS)
@settings(max_examples=10)
@given(data=st.data())
def test_state_dict_has_torchs_structure(name, data):
    problem = data.draw(optimizer_problems(name, max_steps=4))
    pair = OptimizerPair(name, problem)
    assert _without_tensors(pair.mg.state_dict()) == _without_tensors(pair.t.state_dict())
    for grads in problem["grads"]:
        pair.step(grads)
        assert _without_tensors(pair.mg.state_dict()) == _without_tensors(pair.t.state_dict())


def _continue_both(pair, problem, start):
    for k, grads in enumerate(problem["grads"][start:], start):
        pair.step(grads)
        assert_optimizer_matches_torch(pair, RTOL, ATOL, where=f"after step {k + 1}")


def _split(data, problem):
    return data.draw(st.integers(0, len(problem["grads"])), label="steps before the checkpoint")


@pytest.mark.parametrize("name", OPTIMIZERS)
@settings(max_examples=10)
@given(data=st.data(), as_arrays=st.booleans())
def test_load_torch_state_into_minigrad_and_continue(name, data, as_arrays):
    problem = data.draw(optimizer_problems(name, max_steps=8))
    split = _split(data, problem)
    pair = OptimizerPair(name, problem)
    for grads in problem["grads"][:split]:
        pair.step(grads)
    # a fresh minigrad optimizer, at torch's parameters, gets torch's state and continues in step
    for mp, tp in zip(pair.mg_params, pair.t_params):
        mp.data = minigrad.from_numpy(tp.detach().numpy().copy())
    pair.mg = getattr(minigrad.optim, name)(OptimizerPair.groups(pair.mg_params, {**problem, "hypers": [{}, {}]}))
    pair.mg.load_state_dict(optimizer_state_from_torch(pair.t.state_dict(), as_arrays=as_arrays))
    if name in CAST_ON_LOAD:  # loading casts that state to the parameter's dtype: torch reloads too, alike
        pair.t.load_state_dict(pair.t.state_dict())
    assert pair.mg.param_groups[1]["lr"] == problem["hypers"][1]["lr"]
    _continue_both(pair, problem, split)


@pytest.mark.parametrize("name", OPTIMIZERS)
@settings(max_examples=10)
@given(data=st.data())
def test_load_minigrad_state_into_torch_and_continue(name, data):
    problem = data.draw(optimizer_problems(name, max_steps=8))
    _resume_minigrad_state_in_torch(name, problem, _split(data, problem))


def _resume_minigrad_state_in_torch(name, problem, split):
    pair = OptimizerPair(name, problem)
    for grads in problem["grads"][:split]:
        pair.step(grads)
    for mp, tp in zip(pair.mg_params, pair.t_params):
        tp.data = torch.from_numpy(mp.detach().numpy().copy())
    pair.t = getattr(torch.optim, name)(OptimizerPair.groups(pair.t_params, {**problem, "hypers": [{}, {}]}))
    pair.t.load_state_dict(optimizer_state_to_torch(pair.mg.state_dict()))
    if name in CAST_ON_LOAD:  # loading casts that state to the parameter's dtype: minigrad reloads too, alike
        pair.mg.load_state_dict(pair.mg.state_dict())
    _continue_both(pair, problem, split)


def test_nadam_resumed_in_torch_continues_like_minigrad_resumed():
    """A case hypothesis once drew: torch, given minigrad's float32 mu_product for float64
    parameters, continues in float64 as any reloaded NAdam does (minigrad's too); an optimizer
    that was never reloaded keeps float32 and drifts 1.7e-7 apart within three steps."""
    hypers = {"lr": 0.5, "eps": 0.0078125, "weight_decay": 0.0, "maximize": False, "momentum_decay": 0.004,
              "decoupled_weight_decay": False}
    problem = {"group_sizes": [1, 2], "hypers": [{**hypers, "betas": (0.0, 0.0)}, {**hypers, "betas": (0.5, 0.0)}],
               "initial": [np.array(0.12573022), np.array(-0.13210486), np.array(0.64042265)],
               "grads": [[np.array(g) for g in step] for step in
                         [[0.0001049, -0.00053567, 0.0003616], [0.001304, 0.00094708, -0.00070374],
                          [-0.00126542, -0.00062327, 4.13259793e-05], [-0.00232503, -0.00021879, -0.00124591]]]}
    _resume_minigrad_state_in_torch("NAdam", problem, split=1)


def test_step_given_as_a_number_becomes_a_float32_tensor():
    p = minigrad.nn.Parameter(minigrad.ones(2, dtype=minigrad.float64))
    opt = minigrad.optim.Adam([p], lr=0.1)
    opt.load_state_dict({"state": {0: {"step": 3, "exp_avg": np.full(2, 0.5), "exp_avg_sq": np.full(2, 0.25)}},
                         "param_groups": [{**opt.state_dict()["param_groups"][0]}]})
    step = opt.state[p]["step"]
    assert isinstance(step, minigrad.Tensor) and step.dtype == minigrad.float32 and float(step) == 3.0
    assert opt.state[p]["exp_avg"].dtype == minigrad.float64


@pytest.mark.parametrize("name", OPTIMIZERS)
@settings(max_examples=5)
@given(data=st.data())
def test_state_dict_holds_the_live_state_like_torch(name, data):
    """torch's state_dict() hands out the optimizer's own state, whose tensors later steps update in
    place: both the saved dict and a state tensor held on its own show the new values."""
    problem = data.draw(optimizer_problems(name, max_steps=6))
    pair = OptimizerPair(name, problem)
    pair.step(problem["grads"][0])
    saved_mg, saved_t = pair.mg.state_dict()["state"], pair.t.state_dict()["state"]
    held_mg = {(i, k): v for i, entries in saved_mg.items() for k, v in entries.items()}
    held_t = {(i, k): v for i, entries in saved_t.items() for k, v in entries.items()}
    for grads in problem["grads"][1:]:
        pair.step(grads)
    assert saved_mg.keys() == saved_t.keys() and held_mg.keys() == held_t.keys()
    for index, t_entries in saved_t.items():
        assert list(saved_mg[index]) == list(t_entries)
        for key, t_value in t_entries.items():
            np.testing.assert_allclose(saved_mg[index][key].numpy(), t_value.numpy(), rtol=RTOL, atol=ATOL,
                                       err_msg=f"{name} state[{index}][{key!r}]")
    for where, t_value in held_t.items():
        np.testing.assert_allclose(held_mg[where].numpy(), t_value.numpy(), rtol=RTOL, atol=ATOL,
                                   err_msg=f"{name} state tensor {where} held across steps")


def test_loading_copies_the_state():
    """Unlike torch, which may share the loaded tensors, loading copies: two optimizers never share state."""
    p = minigrad.nn.Parameter(minigrad.ones(2))
    opt = minigrad.optim.SGD([p], lr=0.1, momentum=0.9)
    p.grad = minigrad.ones(2)
    opt.step()
    saved = opt.state_dict()
    other = minigrad.optim.SGD([p], lr=0.1, momentum=0.9)
    other.load_state_dict(saved)
    assert other.state[p]["momentum_buffer"] is not saved["state"][0]["momentum_buffer"]
    other.step()
    np.testing.assert_array_equal(saved["state"][0]["momentum_buffer"].numpy(), np.ones(2, np.float32))


@pytest.mark.parametrize("name", OPTIMIZERS)
@settings(max_examples=8)
@given(data=st.data())
def test_a_group_added_later_steps_and_resumes_like_torch(name, data):
    """The second group joins through add_param_group (Adagrad then makes its state at its first step,
    from the constructor's initial_accumulator_value, not the group's); the checkpoint then resumes in
    a fresh optimizer built the same way."""
    problem = data.draw(optimizer_problems(name, max_steps=8))
    split = _split(data, problem)
    pair = OptimizerPair(name, problem, late_groups=True)
    for k, grads in enumerate(problem["grads"][:split]):
        pair.step(grads)
        assert_optimizer_matches_torch(pair, RTOL, ATOL, where=f"after step {k + 1}")
    resumed = OptimizerPair.build(minigrad, name, pair.mg_params, problem, late_groups=True)
    resumed.load_state_dict(pair.mg.state_dict())
    pair.mg = resumed
    if name in CAST_ON_LOAD:  # loading casts that state to the parameter's dtype: torch reloads too, alike
        pair.t.load_state_dict(pair.t.state_dict())
    _continue_both(pair, problem, split)


def test_mismatched_state_dicts_raise_torchs_errors():
    params = [minigrad.nn.Parameter(minigrad.ones(2)) for _ in range(3)]
    t_params = [torch.nn.Parameter(torch.ones(2)) for _ in range(3)]
    cases = [([{"params": params[:1]}, {"params": params[1:]}], [{"params": t_params[:1]}, {"params": t_params[1:]}]),
             ([{"params": params[:2]}], [{"params": t_params[:2]}])]
    saved_mg = minigrad.optim.SGD(params, lr=0.1).state_dict()
    saved_t = torch.optim.SGD(t_params, lr=0.1).state_dict()
    for mg_groups, t_groups in cases:
        with pytest.raises(ValueError) as ours:
            minigrad.optim.SGD(mg_groups, lr=0.1).load_state_dict(saved_mg)
        with pytest.raises(ValueError) as theirs:
            torch.optim.SGD(t_groups, lr=0.1).load_state_dict(saved_t)
        assert str(ours.value) == str(theirs.value)


def test_nadam_mu_product_dtype_before_and_after_loading_as_torch():
    dtypes = []
    for lib in (minigrad, torch):
        p = lib.nn.Parameter(lib.ones(2, dtype=lib.float64))
        optimizer = lib.optim.NAdam([p])
        p.grad = lib.ones(2, dtype=lib.float64)
        optimizer.step()
        saved = optimizer.state_dict()
        fresh = lib.nn.Parameter(lib.ones(2, dtype=lib.float64))
        reloaded = lib.optim.NAdam([fresh])
        reloaded.load_state_dict(saved)
        dtypes.append([str(optimizer.state[p]["mu_product"].dtype).split(".")[-1],
                       str(reloaded.state[fresh]["mu_product"].dtype).split(".")[-1]])
    assert dtypes[0] == dtypes[1] == ["float32", "float64"]
