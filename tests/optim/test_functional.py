"""The pure update rules on their own: NumPy in, NumPy out, no Tensor, inputs untouched, torch's numbers."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minigrad.optim import functional as F
from minigrad.testing import torch_or_skip
from minigrad.testing.optim import OPTIMIZERS
from minigrad.testing.strategies import optimizer_hyperparameters

torch = torch_or_skip()

RULES = {"SGD": (F.sgd, F.init_sgd), "Adam": (F.adam, F.init_adam), "AdamW": (F.adamw, F.init_adamw),
         "RMSprop": (F.rmsprop, F.init_rmsprop), "Adagrad": (F.adagrad, F.init_adagrad),
         "Adadelta": (F.adadelta, F.init_adadelta), "Adamax": (F.adamax, F.init_adamax),
         "NAdam": (F.nadam, F.init_nadam), "RAdam": (F.radam, F.init_radam), "ASGD": (F.asgd, F.init_asgd),
         "Rprop": (F.rprop, F.init_rprop), "Adafactor": (F.adafactor, F.init_adafactor)}
INIT_OPTIONS = {"Adam": ("amsgrad",), "AdamW": ("amsgrad",), "RMSprop": ("momentum", "centered"),
                "Adagrad": ("initial_accumulator_value",), "ASGD": ("lr",), "Rprop": ("lr",)}
# hyperparameters that only shape the initial state, which the rule itself does not take
INIT_ONLY = {"Adagrad": ("initial_accumulator_value",), "Rprop": ("lr",)}


def _run_rule(name, hyper, param, grads):
    """Apply the pure rule K times; returns the states after each step and checks the inputs stay untouched."""
    rule, init = RULES[name]
    state = init(param, **{k: hyper[k] for k in INIT_OPTIONS.get(name, ())})
    hyper = {k: v for k, v in hyper.items() if k not in INIT_ONLY.get(name, ())}
    history = []
    for grad in grads:
        before = (param.copy(), grad.copy(), [None if v is None else np.copy(v) for v in state])
        new_param, new_state = rule(param, grad, state, **hyper)
        np.testing.assert_array_equal(param, before[0])
        np.testing.assert_array_equal(grad, before[1])
        for old, kept in zip(state, before[2]):
            assert (old is None and kept is None) or np.array_equal(old, kept)
        assert isinstance(new_param, np.ndarray) and new_param.dtype == param.dtype
        param, state = new_param, new_state
        history.append((param, state))
    return history


@pytest.mark.parametrize("name", OPTIMIZERS)
@settings(max_examples=15)
@given(data=st.data(), dtype=st.sampled_from([np.float64, np.float32]),
       shape=st.lists(st.integers(1, 4), max_size=2).map(tuple), steps=st.integers(1, 8), seed=st.integers(0, 2**31))
def test_rule_matches_torch_optimizer(name, data, dtype, shape, steps, seed):
    hyper = data.draw(optimizer_hyperparameters(name))
    rng = np.random.default_rng(seed)
    param = np.asarray(rng.standard_normal(shape), dtype=dtype)
    grads = [np.asarray(rng.standard_normal(shape), dtype=dtype) for _ in range(steps)]
    history = _run_rule(name, hyper, param, grads)

    t_param = torch.nn.Parameter(torch.from_numpy(param.copy()))
    t_opt = getattr(torch.optim, name)([t_param], **hyper)
    rtol, atol = (1e-7, 1e-12) if dtype == np.float64 else (1e-4, 1e-5)
    for grad, (new_param, state) in zip(grads, history):
        t_param.grad = torch.from_numpy(grad.copy())
        t_opt.step()
        np.testing.assert_allclose(new_param, t_param.detach().numpy(), rtol=rtol, atol=atol)
        t_state = t_opt.state[t_param]
        assert [k for k, v in state._asdict().items() if v is not None] == list(t_state)
        for key, t_value in t_state.items():
            value = getattr(state, key)
            if key == "step":
                assert value == t_value.item()
            elif key in ("mu_product", "eta", "mu"):  # 0-d tensors in torch's scalar dtype, whatever the parameter's
                assert value.dtype == t_value.numpy().dtype and value == t_value.item()
            else:
                assert value.dtype == dtype
                np.testing.assert_allclose(value, t_value.numpy(), rtol=rtol, atol=atol, err_msg=key)


def test_state_records_are_immutable_and_use_torchs_names():
    state = F.init_adam(np.zeros(2), amsgrad=True)
    assert state._fields == ("step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq")
    with pytest.raises(AttributeError):
        state.step = 1.0
    assert F.RMSpropState._fields == ("step", "square_avg", "momentum_buffer", "grad_avg")
    assert F.AdagradState._fields == ("step", "sum") and F.AdadeltaState._fields == ("step", "square_avg", "acc_delta")
    assert F.SGDState._fields == ("momentum_buffer",)


def test_first_momentum_step_stores_the_raw_gradient():
    grad = np.array([1.0, -2.0])
    _, state = F.sgd(np.zeros(2), grad, F.init_sgd(np.zeros(2)), lr=0.1, momentum=0.9, dampening=0.5)
    np.testing.assert_array_equal(state.momentum_buffer, grad)
    assert state.momentum_buffer is not grad
