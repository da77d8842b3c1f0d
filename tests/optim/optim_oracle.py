"""Shared pieces of the optim suite: hyperparameter strategies and a side-by-side runner against torch.optim."""

import numpy as np
from hypothesis import strategies as st

import minigrad
from minigrad.testing import torch

OPTIMIZERS = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam"]


def _lr(high=1.0):
    return st.floats(1e-4, high)


def _weight_decay():
    return st.one_of(st.just(0.0), st.floats(1e-4, 0.5))


@st.composite
def sgd_hyper(draw):
    momentum = draw(st.one_of(st.just(0.0), st.floats(0.01, 0.99)))
    nesterov = momentum > 0 and draw(st.booleans())
    dampening = 0.0 if nesterov else draw(st.one_of(st.just(0.0), st.floats(0.0, 0.9)))
    return {"lr": draw(_lr()), "momentum": momentum, "dampening": dampening, "weight_decay": draw(_weight_decay()),
            "nesterov": nesterov, "maximize": draw(st.booleans())}


@st.composite
def adam_hyper(draw):
    return {"lr": draw(_lr(0.5)), "betas": (draw(st.floats(0.0, 0.99)), draw(st.floats(0.0, 0.9999))),
            "eps": draw(st.floats(1e-10, 1e-2)), "weight_decay": draw(_weight_decay()),
            "amsgrad": draw(st.booleans()), "maximize": draw(st.booleans())}


@st.composite
def rmsprop_hyper(draw):
    centered = draw(st.booleans())
    # alpha may be anything in [0, 1); for the centered variant it stays away from 0, where
    # square_avg - grad_avg**2 is a difference of two equal numbers and torch's fused
    # multiply-add leaves a rounding error of either sign under the square root (NaN in torch).
    alpha = draw(st.floats(0.3 if centered else 0.0, 0.999))
    return {"lr": draw(_lr(0.1)), "alpha": alpha, "eps": draw(st.floats(1e-10, 1e-2)),
            "weight_decay": draw(_weight_decay()), "momentum": draw(st.one_of(st.just(0.0), st.floats(0.01, 0.99))),
            "centered": centered, "maximize": draw(st.booleans())}


@st.composite
def adagrad_hyper(draw):
    return {"lr": draw(_lr()), "lr_decay": draw(st.one_of(st.just(0.0), st.floats(1e-3, 1.0))),
            "weight_decay": draw(_weight_decay()),
            "initial_accumulator_value": draw(st.one_of(st.just(0.0), st.floats(1e-3, 1.0))),
            "eps": draw(st.floats(1e-10, 1e-3)), "maximize": draw(st.booleans())}


@st.composite
def adadelta_hyper(draw):
    return {"lr": draw(st.floats(1e-2, 2.0)), "rho": draw(st.floats(0.0, 1.0)), "eps": draw(st.floats(1e-8, 1e-3)),
            "weight_decay": draw(_weight_decay()), "maximize": draw(st.booleans())}


@st.composite
def adamax_hyper(draw):
    return {"lr": draw(_lr(0.5)), "betas": (draw(st.floats(0.0, 0.99)), draw(st.floats(0.0, 0.9999))),
            "eps": draw(st.floats(1e-10, 1e-2)), "weight_decay": draw(_weight_decay()),
            "maximize": draw(st.booleans())}


@st.composite
def nadam_hyper(draw):
    return {**draw(adamax_hyper()), "momentum_decay": draw(st.one_of(st.just(4e-3), st.floats(0.0, 0.1))),
            "decoupled_weight_decay": draw(st.booleans())}


@st.composite
def radam_hyper(draw):
    # beta2 up to 0.9999, so that both of RAdam's regimes (rho_t <= 5 and > 5) are reached
    return {**draw(adamax_hyper()), "decoupled_weight_decay": draw(st.booleans())}


HYPER = {"SGD": sgd_hyper(), "Adam": adam_hyper(), "AdamW": adam_hyper(), "RMSprop": rmsprop_hyper(),
         "Adagrad": adagrad_hyper(), "Adadelta": adadelta_hyper(), "Adamax": adamax_hyper(), "NAdam": nadam_hyper(),
         "RAdam": radam_hyper()}

shapes = st.lists(st.integers(1, 4), min_size=0, max_size=2).map(tuple)


@st.composite
def problems(draw, name, max_steps=25):
    """Two parameter groups with their own hyperparameters, initial values and K steps of gradients.

    Each gradient is None with some probability (the optimizer must skip that parameter).
    """
    group_shapes = [draw(st.lists(shapes, min_size=1, max_size=2)) for _ in range(2)]
    hypers = [draw(HYPER[name]) for _ in range(2)]
    steps = draw(st.integers(1, max_steps))
    scale = draw(st.sampled_from([1e-3, 1.0, 1e2]))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n_params = sum(len(s) for s in group_shapes)
    has_grad = st.sampled_from([True, True, True, False])
    present = draw(st.lists(st.lists(has_grad, min_size=n_params, max_size=n_params), min_size=steps, max_size=steps))
    flat_shapes = [s for g in group_shapes for s in g]
    initial = [rng.standard_normal(s) for s in flat_shapes]
    grads = [[np.asarray(scale * rng.standard_normal(s)) if present[k][i] else None for i, s in enumerate(flat_shapes)]
             for k in range(steps)]
    return {"group_sizes": [len(s) for s in group_shapes], "hypers": hypers, "initial": initial, "grads": grads}


class Pair:
    """The same optimizer built in minigrad and in torch over copies of the same parameters."""

    def __init__(self, name, problem, dtype=np.float64, late_groups=False):
        self.name = name
        self.mg_params = [minigrad.nn.Parameter(minigrad.from_numpy(a.astype(dtype))) for a in problem["initial"]]
        self.t_params = [torch().nn.Parameter(torch().from_numpy(a.astype(dtype))) for a in problem["initial"]]
        self.mg = self.build(minigrad, name, self.mg_params, problem, late_groups)
        self.t = self.build(torch(), name, self.t_params, problem, late_groups)

    @staticmethod
    def build(lib, name, params, problem, late_groups=False):
        """The optimizer over the problem's groups; with late_groups, all but the first join via add_param_group."""
        groups = Pair._groups(params, problem)
        if not late_groups:
            return getattr(lib.optim, name)(groups)
        optimizer = getattr(lib.optim, name)(groups[:1])
        for group in groups[1:]:
            optimizer.add_param_group(group)
        return optimizer

    @staticmethod
    def _groups(params, problem):
        groups, start = [], 0
        for size, hyper in zip(problem["group_sizes"], problem["hypers"]):
            groups.append({"params": params[start:start + size], **hyper})
            start += size
        return groups

    def step(self, grads, dtype=np.float64):
        for mp, tp, g in zip(self.mg_params, self.t_params, grads):
            mp.grad = None if g is None else minigrad.from_numpy(g.astype(dtype))
            tp.grad = None if g is None else torch().from_numpy(g.astype(dtype))
        self.mg.step()
        self.t.step()


def assert_same_state(pair, rtol, atol, where=""):
    """Parameters, and every state entry under the same names, agree with torch's."""
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
            # NAdam's mu_product is made in torch's scalar dtype but, like every entry but step, cast to
            # the parameter's dtype by load_state_dict (in torch too: test_state_dict checks that), so
            # after one side reloads the two dtypes may differ while the values agree.
            if key != "mu_product":
                assert (actual.dtype, actual.shape) == (expected.dtype, expected.shape), key
            np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol,
                                       err_msg=f"{pair.name} state[{index}][{key!r}] {where}")


def to_torch_state_dict(state_dict):
    """A minigrad optimizer state_dict with its tensors turned into torch tensors (through NumPy copies)."""
    return {"state": {i: {k: torch().from_numpy(np.array(v.numpy())) if isinstance(v, minigrad.Tensor) else v
                          for k, v in entries.items()} for i, entries in state_dict["state"].items()},
            "param_groups": [dict(g) for g in state_dict["param_groups"]]}


def to_minigrad_state_dict(state_dict, as_arrays=False):
    """A torch optimizer state_dict with its tensors as minigrad tensors (or NumPy arrays), copied."""
    def convert(v):
        if not torch().is_tensor(v):
            return v
        array = v.detach().numpy().copy()
        return array if as_arrays else minigrad.from_numpy(array)
    return {"state": {i: {k: convert(v) for k, v in entries.items()} for i, entries in state_dict["state"].items()},
            "param_groups": [dict(g) for g in state_dict["param_groups"]]}
