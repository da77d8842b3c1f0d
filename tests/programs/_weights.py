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
