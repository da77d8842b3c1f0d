"""ASGD, Rprop and Adafactor beyond the shared optimizer tests: their own argument checks, the
shapes Adafactor factors, ASGD's averaging and scalar state, and a torch checkpoint resumed."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_raises_like_torch, tolerances, torch_or_skip
from minigrad.testing.optim import optimizer_state_from_torch

torch = torch_or_skip()


def _both_raise(name, **kwargs):
    return assert_raises_like_torch(lambda lib: getattr(lib.optim, name)([lib.nn.Parameter(lib.ones(2))], **kwargs))


@settings(max_examples=5)
@given(etaminus=st.floats(-1.0, 2.0), etaplus=st.floats(-1.0, 3.0))
def test_rprop_eta_values_are_checked_like_torch(etaminus, etaplus):
    if 0.0 < etaminus < 1.0 < etaplus:
        etaminus = -etaminus
    ours, theirs = _both_raise("Rprop", etas=(etaminus, etaplus))
    assert type(ours) is type(theirs) is ValueError
    assert str(ours) == str(theirs) == f"Invalid eta values: {etaminus}, {etaplus}"


@pytest.mark.parametrize("eps, message", [((-1e-3, 1e-3), "epsilon1 should be >= 0 but is: -0.001"),
                                          ((None, -0.5), "epsilon2 should be >= 0 but is: -0.5")])
def test_adafactor_epsilons_are_checked_like_torch(eps, message):
    ours, theirs = _both_raise("Adafactor", eps=eps)
    assert type(ours) is type(theirs) is ValueError
    assert str(ours) == str(theirs) == message


@pytest.mark.parametrize("name", ["ASGD", "Rprop", "Adafactor"])
def test_a_tensor_lr_must_have_one_element(name):
    ours, theirs = assert_raises_like_torch(
        lambda lib: getattr(lib.optim, name)([lib.nn.Parameter(lib.ones(2))], lr=lib.ones(2)))
    assert type(ours) is type(theirs) is ValueError
    assert str(ours) == str(theirs) == "Tensor lr must be 1-element"


def _steps_alike(name, shape, dtype, hyper, seed, steps):
    """Run the optimizer `name` in minigrad and torch on the same parameter and gradients; compare each step."""
    rng = np.random.default_rng(seed)
    initial = rng.standard_normal(shape).astype(dtype)
    p = minigrad.nn.Parameter(minigrad.from_numpy(initial.copy()))
    tp = torch.nn.Parameter(torch.from_numpy(initial.copy()))
    opt, topt = getattr(minigrad.optim, name)([p], **hyper), getattr(torch.optim, name)([tp], **hyper)
    rtol, atol = (1e-7, 1e-12) if dtype == np.float64 else tolerances(minigrad.float32)
    for _ in range(steps):
        grad = rng.standard_normal(shape).astype(dtype)
        p.grad, tp.grad = minigrad.from_numpy(grad.copy()), torch.from_numpy(grad.copy())
        opt.step()
        topt.step()
        np.testing.assert_allclose(p.detach().numpy(), tp.detach().numpy(), rtol=rtol, atol=atol)
        assert p.detach().numpy().dtype == dtype
        ours, theirs = opt.state[p], topt.state[tp]
        assert list(ours) == list(theirs)
        for key, value in theirs.items():
            assert ours[key].numpy().dtype == value.numpy().dtype, key
            assert ours[key].shape == tuple(value.shape), key
            np.testing.assert_allclose(ours[key].numpy(), value.numpy(), rtol=rtol, atol=atol, err_msg=key)
    return opt, topt


@settings(max_examples=10)
@given(shape=st.lists(st.integers(1, 4), min_size=0, max_size=4).map(tuple),
       dtype=st.sampled_from([np.float64, np.float32]), seed=st.integers(0, 2**31),
       beta2_decay=st.floats(-1.0, 0.0), weight_decay=st.sampled_from([0.0, 0.1]))
def test_adafactor_factors_the_last_two_axes_of_any_shape(shape, dtype, seed, beta2_decay, weight_decay):
    """Scalars and vectors keep a full variance; 2-, 3- and 4-d parameters a row and a column factor per matrix."""
    opt, _ = _steps_alike("Adafactor", shape, dtype, {"lr": 0.05, "beta2_decay": beta2_decay,
                                                      "weight_decay": weight_decay}, seed, steps=4)
    state = next(iter(opt.state.values()))
    assert set(state) == ({"step", "row_var", "col_var"} if len(shape) > 1 else {"step", "variance"})


@settings(max_examples=8)
@given(dtype=st.sampled_from([np.float64, np.float32]), seed=st.integers(0, 2**31), t0=st.floats(0.0, 4.0),
       lambd=st.floats(0.0, 0.5))
def test_asgd_averages_after_t0_steps_like_torch(dtype, seed, t0, lambd):
    """With a small t0 the average ax departs from the parameter; eta and mu stay float32 as torch's."""
    opt, _ = _steps_alike("ASGD", (3, 2), dtype, {"lr": 0.1, "t0": t0, "lambd": lambd}, seed, steps=8)
    state = next(iter(opt.state.values()))
    assert float(state["mu"]) < 1 and state["eta"].dtype == state["mu"].dtype == minigrad.float32


def test_asgd_scalar_state_follows_a_float64_default_dtype_like_torch():
    previous = minigrad.get_default_dtype(), torch.get_default_dtype()
    minigrad.set_default_dtype(minigrad.float64)
    torch.set_default_dtype(torch.float64)
    try:
        opt, _ = _steps_alike("ASGD", (3,), np.float32, {"lr": 0.1, "t0": 1.0}, seed=0, steps=3)
    finally:
        minigrad.set_default_dtype(previous[0])
        torch.set_default_dtype(previous[1])
    assert next(iter(opt.state.values()))["eta"].dtype == minigrad.float64


@settings(max_examples=8)
@given(dtype=st.sampled_from([np.float64, np.float32]), seed=st.integers(0, 2**31),
       step_sizes=st.sampled_from([(1e-6, 50), (1e-2, 0.05)]))
def test_rprop_step_sizes_grow_shrink_and_clamp_like_torch(dtype, seed, step_sizes):
    _steps_alike("Rprop", (4, 3), dtype, {"lr": 0.03, "step_sizes": step_sizes}, seed, steps=6)


@pytest.mark.parametrize("name, hyper", [("ASGD", {"lr": 0.1, "t0": 2.0}), ("Rprop", {"lr": 0.05}),
                                         ("Adafactor", {"lr": 0.05})])
def test_a_torch_checkpoint_resumes_in_minigrad(name, hyper):
    """torch's state_dict (its tensors as NumPy arrays) loads into a fresh minigrad optimizer, which continues as torch."""
    rng = np.random.default_rng(1)
    initial, grads = rng.standard_normal((2, 3)), rng.standard_normal((6, 2, 3))
    tp = torch.nn.Parameter(torch.from_numpy(initial.copy()))
    topt = getattr(torch.optim, name)([tp], **hyper)
    for grad in grads[:3]:
        tp.grad = torch.from_numpy(grad.copy())
        topt.step()
    p = minigrad.nn.Parameter(minigrad.from_numpy(tp.detach().numpy().copy()))
    opt = getattr(minigrad.optim, name)([p])
    opt.load_state_dict(optimizer_state_from_torch(topt.state_dict(), as_arrays=True))
    assert opt.param_groups[0]["lr"] == hyper["lr"]
    for grad in grads[3:]:
        tp.grad, p.grad = torch.from_numpy(grad.copy()), minigrad.from_numpy(grad.copy())
        topt.step()
        opt.step()
        np.testing.assert_allclose(p.detach().numpy(), tp.detach().numpy(), rtol=1e-7, atol=1e-12)
    for key, value in topt.state[tp].items():
        np.testing.assert_allclose(opt.state[p][key].numpy(), value.numpy(), rtol=1e-7, atol=1e-12, err_msg=key)
