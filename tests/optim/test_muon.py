"""Muon against torch.optim.Muon: its steps, its state and checkpoints, and its argument checks.

torch orthogonalises Muon's update in bfloat16. minigrad rounds each result to bfloat16 as
torch's kernels do, but its float32 sums run in another order, so a sum that lands next to a
rounding boundary can round the other way: a step may differ from torch's by a few units in
the last bfloat16 place (2**-8 of the update's size). The tests hold each step to that, and
everything computed outside the bfloat16 part (the momentum buffer) to float tolerances.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.optim import functional as F
from minigrad.testing import assert_raises_like_torch, tolerances, torch_or_skip
from minigrad.testing.optim import optimizer_state_from_torch

torch = torch_or_skip()

BFLOAT16_UNIT = 2.0 ** -8  # the spacing of bfloat16 numbers in [1, 2)


def _pair(initial, **hyper):
    p = minigrad.nn.Parameter(minigrad.from_numpy(initial.copy()))
    tp = torch.nn.Parameter(torch.from_numpy(initial.copy()))
    return p, minigrad.optim.Muon([p], **hyper), tp, torch.optim.Muon([tp], **hyper)


@settings(max_examples=25, deadline=None)
@given(rows=st.integers(1, 12), columns=st.integers(1, 12), dtype=st.sampled_from([np.float32, np.float64]),
       nesterov=st.booleans(), adjust_lr_fn=st.sampled_from([None, "original", "match_rms_adamw"]),
       momentum=st.floats(0.0, 0.99), weight_decay=st.sampled_from([0.0, 0.1]), seed=st.integers(0, 2**31))
def test_each_step_matches_torch(rows, columns, dtype, nesterov, adjust_lr_fn, momentum, weight_decay, seed):
    rng = np.random.default_rng(seed)
    p, opt, tp, topt = _pair(rng.standard_normal((rows, columns)).astype(dtype), lr=0.02, nesterov=nesterov,
                             adjust_lr_fn=adjust_lr_fn, momentum=momentum, weight_decay=weight_decay)
    rtol, atol = (1e-12, 1e-15) if dtype == np.float64 else tolerances(minigrad.float32)
    for _ in range(4):
        with torch.no_grad():  # each step from the same parameter: a step's difference does not carry over
            p.data = minigrad.from_numpy(tp.detach().numpy().copy())
        before = tp.detach().numpy().copy()
        grad = rng.standard_normal((rows, columns)).astype(dtype)
        p.grad, tp.grad = minigrad.from_numpy(grad.copy()), torch.from_numpy(grad.copy())
        opt.step()
        topt.step()
        ours, theirs = p.detach().numpy(), tp.detach().numpy()
        assert ours.dtype == dtype
        step = np.abs(theirs - before).max()
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=4 * BFLOAT16_UNIT * step + atol)
        buffer, torch_buffer = opt.state[p]["momentum_buffer"], topt.state[tp]["momentum_buffer"]
        assert buffer.dtype == minigrad.float32 if dtype == np.float32 else minigrad.float64
        np.testing.assert_allclose(buffer.numpy(), torch_buffer.numpy(), rtol=rtol, atol=atol)


@settings(max_examples=15, deadline=None)
@given(rows=st.integers(1, 10), columns=st.integers(1, 10), seed=st.integers(0, 2**31),
       ns_steps=st.integers(0, 8))
def test_orthogonalize_matches_torchs_newton_schulz(rows, columns, seed, ns_steps):
    """The core alone: Muon with no momentum, decay or lr adjustment steps by exactly -lr * orthogonalize(g)."""
    grad = np.random.default_rng(seed).standard_normal((rows, columns)).astype(np.float32)
    tp = torch.nn.Parameter(torch.zeros(rows, columns))
    topt = torch.optim.Muon([tp], lr=1.0, momentum=0.0, nesterov=False, weight_decay=0.0, ns_steps=ns_steps)
    tp.grad = torch.from_numpy(grad.copy())
    topt.step()
    theirs = -tp.detach().numpy() / max(1.0, np.sqrt(rows / columns))
    ours = F.orthogonalize(grad, ns_steps=ns_steps)
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=4 * BFLOAT16_UNIT * np.abs(theirs).max() + 1e-30)


def test_orthogonalize_evens_out_the_singular_values():
    """What the update is for: a gradient dominated by one direction comes out with all its
    directions at about the same size (singular values near 1)."""
    rng = np.random.default_rng(0)
    u, _ = np.linalg.qr(rng.standard_normal((16, 16)))
    v, _ = np.linalg.qr(rng.standard_normal((8, 8)))
    spread = np.diag([100.0, 10.0, 3.0, 1.0, 1.0, 0.5, 0.3, 0.2])
    grad = (u[:, :8] @ spread @ v.T).astype(np.float32)
    singular = np.linalg.svd(F.orthogonalize(grad, ns_steps=10), compute_uv=False)
    assert singular.max() < 1.3 and singular.min() > 0.6


def test_state_dict_resumes_from_a_torch_checkpoint():
    rng = np.random.default_rng(1)
    initial, grads = rng.standard_normal((3, 5)), rng.standard_normal((6, 3, 5))
    tp = torch.nn.Parameter(torch.from_numpy(initial.copy()))
    topt = torch.optim.Muon([tp], lr=0.05)
    for grad in grads[:3]:
        tp.grad = torch.from_numpy(grad.copy())
        topt.step()
    p = minigrad.nn.Parameter(minigrad.from_numpy(tp.detach().numpy().copy()))
    opt = minigrad.optim.Muon([p])
    opt.load_state_dict(optimizer_state_from_torch(topt.state_dict(), as_arrays=True))
    assert opt.param_groups[0]["lr"] == 0.05
    assert list(opt.state_dict()["state"][0]) == list(topt.state_dict()["state"][0]) == ["momentum_buffer"]
    for grad in grads[3:]:
        tp.grad, p.grad = torch.from_numpy(grad.copy()), minigrad.from_numpy(grad.copy())
        before = tp.detach().numpy().copy()
        topt.step()
        opt.step()
        step = np.abs(tp.detach().numpy() - before).max()
        np.testing.assert_allclose(p.detach().numpy(), tp.detach().numpy(), rtol=0, atol=4 * BFLOAT16_UNIT * step)
        with torch.no_grad():
            p.data = minigrad.from_numpy(tp.detach().numpy().copy())
    np.testing.assert_allclose(opt.state[p]["momentum_buffer"].numpy(), topt.state[tp]["momentum_buffer"].numpy(),
                               rtol=1e-12)


@pytest.mark.parametrize("hyper", [{"lr": -0.1}, {"momentum": -0.5}, {"weight_decay": -1e-3},
                                   {"adjust_lr_fn": "scale_by_two"}])
def test_hyperparameters_are_checked_like_torch(hyper):
    ours, theirs = assert_raises_like_torch(lambda lib: lib.optim.Muon([lib.nn.Parameter(lib.ones(2, 2))], **hyper))
    assert type(ours) is type(theirs) is ValueError
    assert str(ours) == str(theirs)


def test_a_tensor_lr_must_have_one_element():
    ours, theirs = assert_raises_like_torch(lambda lib: lib.optim.Muon([lib.nn.Parameter(lib.ones(2, 2))],
                                                                       lr=lib.ones(2)))
    assert str(ours) == str(theirs) == "Tensor lr must be 1-element"


@pytest.mark.parametrize("shape", [(3,), (2, 3, 4), ()])
def test_only_matrices_are_taken(shape):
    ours, theirs = assert_raises_like_torch(lambda lib: lib.optim.Muon([lib.nn.Parameter(lib.ones(shape))]))
    assert type(ours) is type(theirs) is ValueError
    assert str(ours).replace("minigrad.Size", "torch.Size") == str(theirs)


@pytest.mark.parametrize("hyper", [{"ns_steps": 100}, {"ns_coefficients": (3.4, -4.7)}])
def test_newton_schulz_settings_are_checked_at_the_step_like_torch(hyper):
    def step(lib):
        p = lib.nn.Parameter(lib.ones(2, 3))
        opt = lib.optim.Muon([p], **hyper)
        p.grad = lib.ones(2, 3)
        opt.step()
    ours, theirs = assert_raises_like_torch(step)
    assert type(ours) is type(theirs) is ValueError
    assert str(ours) == str(theirs)


def test_the_rule_is_pure():
    """functional.muon returns a new parameter and state and leaves its arguments as they were."""
    rng = np.random.default_rng(2)
    param, grad = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    state = F.MuonState(momentum_buffer=rng.standard_normal((3, 4)))
    copies = param.copy(), grad.copy(), state.momentum_buffer.copy()
    new_param, new_state = F.muon(param, grad, state, lr=0.1)
    for before, after in zip(copies, (param, grad, state.momentum_buffer)):
        np.testing.assert_array_equal(before, after)
    assert not np.array_equal(new_param, param) and not np.array_equal(new_state.momentum_buffer, copies[2])
