"""minigrad.optim.swa_utils against torch.optim.swa_utils: AveragedModel with every averaging
rule, update_bn, SWALR's schedule, and their errors."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_raises_like_torch, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()

LIBS = (minigrad, torch)

# averaging rules by name: (keyword of AveragedModel, factory name, factory arguments)
RULES = {"default": (None, None, ()), "ema": ("avg_fn", "get_ema_avg_fn", (0.75,)),
         "swa": ("avg_fn", "get_swa_avg_fn", ()), "ema multi": ("multi_avg_fn", "get_ema_multi_avg_fn", (0.6,)),
         "swa multi": ("multi_avg_fn", "get_swa_multi_avg_fn", ())}


def _model(lib):
    return lib.nn.Sequential(lib.nn.Linear(3, 2, dtype=lib.float64), lib.nn.BatchNorm1d(2, dtype=lib.float64))


def _load(lib, model, snapshot):
    """Set the model's parameters and buffers to the snapshot's arrays."""
    model.load_state_dict({key: lib.tensor(value) for key, value in snapshot.items()})


@st.composite
def _snapshots(draw):
    """Two to four states of the model: its weights, running statistics and batch counter."""
    def state():
        return {"0.weight": draw(mst.arrays("float64", (2, 3))), "0.bias": draw(mst.arrays("float64", (2,))),
                "1.weight": draw(mst.arrays("float64", (2,))), "1.bias": draw(mst.arrays("float64", (2,))),
                "1.running_mean": draw(mst.arrays("float64", (2,))),
                "1.running_var": draw(mst.arrays("float64", (2,), mst.reals(0.1, 3.0))),
                "1.num_batches_tracked": np.array(draw(st.integers(0, 50)), dtype=np.int64)}
    return [state() for _ in range(draw(st.integers(2, 4)))]


def _averaged_states(lib, rule, use_buffers, snapshots):
    keyword, factory, arguments = RULES[rule]
    options = {} if keyword is None else {keyword: getattr(lib.optim.swa_utils, factory)(*arguments)}
    model = _model(lib)
    averaged = lib.optim.swa_utils.AveragedModel(model, use_buffers=use_buffers, **options)
    states = []
    for snapshot in snapshots:
        _load(lib, model, snapshot)
        averaged.update_parameters(model)
        states.append({key: value.detach().numpy().copy() for key, value in averaged.state_dict().items()})
    return states


@pytest.mark.parametrize("rule", ["default", "ema", "swa", "ema multi", "swa multi"])
@settings(max_examples=6)
@given(snapshots=_snapshots(), use_buffers=st.booleans())
def test_averaged_model_matches_torch(rule, snapshots, use_buffers):
    if rule == "swa multi" and use_buffers:
        use_buffers = False  # the integer counter cannot be averaged in place: tested below
    ours, theirs = (_averaged_states(lib, rule, use_buffers, snapshots) for lib in LIBS)
    for k, (mine, torchs) in enumerate(zip(ours, theirs)):
        assert list(mine) == list(torchs)
        for key in torchs:
            assert mine[key].dtype == torchs[key].dtype, key
            np.testing.assert_allclose(mine[key], torchs[key], rtol=1e-12, atol=1e-12, err_msg=f"{key} update {k}")
    assert ours[-1]["n_averaged"] == len(snapshots)


def test_averaged_model_errors_like_torch():
    ours, theirs = assert_raises_like_torch(lambda lib: lib.optim.swa_utils.AveragedModel(
        _model(lib), avg_fn=lib.optim.swa_utils.get_swa_avg_fn(),
        multi_avg_fn=lib.optim.swa_utils.get_swa_multi_avg_fn()))
    assert type(ours) is type(theirs) is AssertionError and str(ours) == str(theirs)
    for factory in ("get_ema_avg_fn", "get_ema_multi_avg_fn"):
        ours, theirs = assert_raises_like_torch(lambda lib: getattr(lib.optim.swa_utils, factory)(1.5))
        assert type(ours) is type(theirs) is ValueError and str(ours) == str(theirs)
        assert "1.5" in str(ours)

    def averages_integers(lib):
        model = _model(lib)
        averaged = lib.optim.swa_utils.AveragedModel(model, multi_avg_fn=lib.optim.swa_utils.get_swa_multi_avg_fn(),
                                                     use_buffers=True)
        averaged.update_parameters(model)
        averaged.update_parameters(model)
    ours, theirs = assert_raises_like_torch(averages_integers)
    assert type(ours) is type(theirs) is RuntimeError and "nteger" in str(ours)


@settings(max_examples=5)
@given(batches=st.lists(mst.arrays("float64", st.tuples(st.integers(2, 4), st.just(3))), min_size=1, max_size=3),
       momentum=st.sampled_from([0.1, 0.5]), training=st.booleans())
def test_update_bn_recomputes_the_statistics_like_torch(batches, momentum, training):
    results = []
    for lib in LIBS:
        model = lib.nn.Sequential(lib.nn.Linear(3, 2, dtype=lib.float64),
                                  lib.nn.BatchNorm1d(2, momentum=momentum, dtype=lib.float64))
        with lib.no_grad():
            model[0].weight.copy_(lib.tensor(np.arange(6.0).reshape(2, 3) / 5))
            model[0].bias.copy_(lib.tensor([0.5, -1.0]))
        model.train(training)
        loader = [(lib.tensor(x), lib.zeros(len(x))) for x in batches]  # the input is a batch's first entry
        lib.optim.swa_utils.update_bn(loader, model)
        bn = model[1]
        results.append((bn.running_mean.numpy().copy(), bn.running_var.numpy().copy(),
                        int(bn.num_batches_tracked), bn.momentum, model.training))
    ours, theirs = results
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-12, atol=1e-12)
    assert ours[2:] == theirs[2:] == (len(batches), momentum, training)


def _swalr_lrs(lib, swa_lr, anneal_epochs, anneal_strategy, steps, resume_at=None):
    p, q = lib.nn.Parameter(lib.ones(1)), lib.nn.Parameter(lib.ones(1))
    optimizer = lib.optim.SGD([{"params": [p]}, {"params": [q], "lr": 0.3}], lr=0.9)
    scheduler = lib.optim.swa_utils.SWALR(optimizer, swa_lr, anneal_epochs=anneal_epochs,
                                          anneal_strategy=anneal_strategy)
    lrs = [scheduler.get_last_lr()]
    for step in range(steps):
        optimizer.step()
        scheduler.step()
        if step == resume_at:  # a fresh scheduler continues from the saved one's state
            state = scheduler.state_dict()
            scheduler = lib.optim.swa_utils.SWALR(optimizer, 1.0, anneal_strategy="linear")
            scheduler.load_state_dict(state)
        lrs.append(scheduler.get_last_lr())
    return lrs


@settings(max_examples=10)
@given(swa_lr=st.one_of(st.floats(1e-3, 1.0), st.lists(st.floats(1e-3, 1.0), min_size=2, max_size=2)),
       anneal_epochs=st.integers(0, 5), anneal_strategy=st.sampled_from(["cos", "linear"]),
       steps=st.integers(1, 8), resume_at=st.one_of(st.none(), st.integers(0, 7)))
def test_swalr_anneals_like_torch(swa_lr, anneal_epochs, anneal_strategy, steps, resume_at):
    ours, theirs = (_swalr_lrs(lib, swa_lr, anneal_epochs, anneal_strategy, steps, resume_at) for lib in LIBS)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("kwargs", [{"anneal_strategy": "exp"}, {"anneal_epochs": -1}, {"anneal_epochs": 2.5},
                                    {"swa_lr": [0.1, 0.2, 0.3]}])
def test_swalr_errors_like_torch(kwargs):
    def build(lib):
        optimizer = lib.optim.SGD([lib.nn.Parameter(lib.ones(1))], lr=0.1)
        lib.optim.swa_utils.SWALR(optimizer, **{"swa_lr": 0.05, **kwargs})
    ours, theirs = assert_raises_like_torch(build)
    assert type(ours) is type(theirs) is ValueError and str(ours) == str(theirs)


def test_swalr_get_lr_outside_step_warns_like_torch():
    for lib in LIBS:
        optimizer = lib.optim.SGD([lib.nn.Parameter(lib.ones(1))], lr=0.1)
        scheduler = lib.optim.swa_utils.SWALR(optimizer, swa_lr=0.05)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            scheduler.get_lr()
        assert any("get_last_lr()" in str(w.message) for w in caught)
