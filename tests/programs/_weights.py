"""Shared by the torch programs: identical starting weights on any backend, from NumPy."""

import numpy as np


def seeded_state(model, torch, seed=0):
    """A state dict with the model's keys and shapes, filled from one NumPy seed (float64)."""
    rng = np.random.default_rng(seed)
    state = {}
    for key, value in model.state_dict().items():
        if value.dtype == torch.int64:  # num_batches_tracked
            state[key] = torch.tensor(0)
        elif key.endswith("running_var"):
            state[key] = torch.tensor(rng.uniform(0.5, 1.5, tuple(value.shape)))
        else:
            state[key] = torch.tensor(rng.uniform(-0.3, 0.3, tuple(value.shape)))
    return state


def fan_in_state(model, torch, seed=0):
    """Like seeded_state, but each weight and its bias drawn in +-1/sqrt(fan_in), as torch's default
    initialisation scales them, so that wide layers (MNIST's 9216 -> 128) keep activations moderate."""
    rng = np.random.default_rng(seed)
    state, bound = {}, 0.3
    for key, value in model.state_dict().items():
        shape = tuple(value.shape)
        if value.dtype == torch.int64:  # num_batches_tracked
            state[key] = torch.tensor(0)
            continue
        if key.endswith("running_var"):
            array = rng.uniform(0.5, 1.5, shape)
        elif key.endswith("running_mean"):
            array = rng.uniform(-0.3, 0.3, shape)
        else:
            if len(shape) >= 2:
                bound = 1.0 / np.sqrt(np.prod(shape[1:]))
            array = rng.uniform(-bound, bound, shape)
        state[key] = torch.tensor(array)
    return state
