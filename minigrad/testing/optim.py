"""Step a minigrad optimizer and the same torch.optim optimizer side by side; compare trajectories.

    pair = OptimizerPair("Adam", problem)          # problem: strategies.optimizer_problems("Adam")
    for grads in problem["grads"]:
        pair.step(grads)
        assert_optimizer_matches_torch(pair)      # parameters and every state entry

A problem is a dict with "group_sizes" (parameters per group), "hypers" (one dict of
hyperparameters per group), "initial" (one NumPy array per parameter) and "grads" (one
list per step, with a NumPy array or None per parameter). torch is imported on first
use, never when this module is imported.
"""

import numpy as np

OPTIMIZERS = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam", "ASGD", "Rprop",
              "Adafactor"]


class OptimizerPair:
    """The same optimizer built in minigrad and in torch over copies of the same parameters."""

    def __init__(self, name, problem, dtype=np.float64, late_groups=False):
        import minigrad
        from minigrad.testing.basics import torch

        self.name = name
        self.mg_params = [minigrad.nn.Parameter(minigrad.from_numpy(a.astype(dtype))) for a in problem["initial"]]
        self.t_params = [torch().nn.Parameter(torch().from_numpy(a.astype(dtype))) for a in problem["initial"]]
        self.mg = self.build(minigrad, name, self.mg_params, problem, late_groups)
        self.t = self.build(torch(), name, self.t_params, problem, late_groups)

    @staticmethod
    def build(lib, name, params, problem, late_groups=False):
        """The optimizer over the problem's groups; with late_groups, all but the first join via add_param_group."""
        groups = OptimizerPair.groups(params, problem)
        if not late_groups:
            return getattr(lib.optim, name)(groups)
        optimizer = getattr(lib.optim, name)(groups[:1])
        for group in groups[1:]:
            optimizer.add_param_group(group)
        return optimizer

    @staticmethod
    def groups(params, problem):
        """The problem's parameter groups (dicts with "params" and hyperparameters) over `params`."""
        groups, start = [], 0
        for size, hyper in zip(problem["group_sizes"], problem["hypers"]):
            groups.append({"params": params[start:start + size], **hyper})
            start += size
        return groups

    def step(self, grads, dtype=np.float64):
        """Give both sides the same gradients (None: no gradient for that parameter) and step both."""
        import minigrad
        from minigrad.testing.basics import torch

        for mp, tp, g in zip(self.mg_params, self.t_params, grads):
            mp.grad = None if g is None else minigrad.from_numpy(g.astype(dtype))
            tp.grad = None if g is None else torch().from_numpy(g.astype(dtype))
        self.mg.step()
        self.t.step()


def assert_optimizer_matches_torch(pair, rtol=1e-6, atol=1e-10, where=""):
    """Parameters, and every state entry under the same names, agree with torch's."""
    import minigrad

    for i, (mp, tp) in enumerate(zip(pair.mg_params, pair.t_params)):
        np.testing.assert_allclose(mp.detach().numpy(), tp.detach().numpy(), rtol=rtol, atol=atol,
                                   err_msg=f"{pair.name} parameter {i} {where}")
        assert mp.dtype == getattr(minigrad, str(tp.dtype).split(".")[-1])
    mg_state, t_state = pair.mg.state_dict()["state"], pair.t.state_dict()["state"]
    assert mg_state.keys() == t_state.keys(), f"{pair.name}: state for params {mg_state.keys()} vs {t_state.keys()}"
    for index, t_entries in t_state.items():
        mg_entries = mg_state[index]
        assert list(mg_entries) == list(t_entries), f"{pair.name}: state keys {list(mg_entries)} vs {list(t_entries)}"
        for key, t_value in t_entries.items():
            assert isinstance(mg_entries[key]._array, np.ndarray), f"{key} holds a {type(mg_entries[key]._array)}"
            actual, expected = mg_entries[key].numpy(), t_value.numpy()
            # NAdam's mu_product and ASGD's eta and mu are made in torch's scalar dtype but, like every
            # entry but step, cast to the parameter's dtype by load_state_dict (in torch too: test_state_dict
            # checks that), so after one side reloads the two dtypes may differ while the values agree.
            if key not in ("mu_product", "eta", "mu"):
                assert (actual.dtype, actual.shape) == (expected.dtype, expected.shape), key
            np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol,
                                       err_msg=f"{pair.name} state[{index}][{key!r}] {where}")


def optimizer_state_to_torch(state_dict):
    """A minigrad optimizer state_dict with its tensors turned into torch tensors (through NumPy copies)."""
    import minigrad
    from minigrad.testing.basics import torch

    return {"state": {i: {k: torch().from_numpy(np.array(v.numpy())) if isinstance(v, minigrad.Tensor) else v
                          for k, v in entries.items()} for i, entries in state_dict["state"].items()},
            "param_groups": [dict(g) for g in state_dict["param_groups"]]}


def optimizer_state_from_torch(state_dict, as_arrays=False):
    """A torch optimizer state_dict with its tensors as minigrad tensors (or NumPy arrays), copied."""
    import minigrad
    from minigrad.testing.basics import torch

    def convert(v):
        if not torch().is_tensor(v):
            return v
        array = v.detach().numpy().copy()
        return array if as_arrays else minigrad.from_numpy(array)
    return {"state": {i: {k: convert(v) for k, v in entries.items()} for i, entries in state_dict["state"].items()},
            "param_groups": [dict(g) for g in state_dict["param_groups"]]}
