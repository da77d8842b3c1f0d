"""Pillar 6: weights and checkpoints that round-trip, cross backends, refuse other models, and export to torch."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minigrad.testing import torch_or_skip
from pillars.backends import backend
from pillars.errors import CheckpointError, MissingFileError
from pillars.models import build_model, get_weights
from pillars.objective import make_optimizer, make_scheduler
from pillars.persistence import (export_torch, load_checkpoint, load_weights, restore, save_checkpoint,
                                 save_weights)
from pillars.training import EpochRecord, TrainingState

torch = torch_or_skip()

finite = st.floats(-1e6, 1e6, allow_nan=False)


@st.composite
def training_states(draw):
    history = [EpochRecord(epoch, draw(finite), draw(st.floats(allow_nan=True)), {"accuracy": draw(finite)},
                           {"accuracy": draw(finite), "f1_macro": draw(finite)}, draw(finite), draw(finite),
                           draw(st.booleans()))
               for epoch in range(1, draw(st.integers(0, 3)) + 1)]
    rows = draw(st.integers(0, 5))
    return TrainingState(epoch=len(history), step=draw(st.integers(0, 10)), history=history,
                         best_score=draw(st.none() | finite), best_epoch=draw(st.integers(0, 3)),
                         best_weights=None, epochs_without_gain=draw(st.integers(0, 4)),
                         loss_sum=draw(finite), rows=rows,
                         outputs=[np.full((rows, 3), draw(finite))], targets=[np.arange(rows)],
                         seconds=draw(st.floats(0, 100)), stopped_early=draw(st.booleans()))


@pytest.mark.parametrize("saved_on, loaded_on", [("minigrad", "torch"), ("torch", "minigrad"), ("torch", "torch")])
@settings(max_examples=10)
@given(state=training_states(), steps=st.integers(0, 3))
def test_a_checkpoint_round_trips_across_backends(saved_on, loaded_on, state, steps, tmp_path_factory):
    path = tmp_path_factory.mktemp("ckpt") / "run.ckpt"
    model = build_model(backend(saved_on), "mlp", (4,), 3, hidden=(5,), dropout=0.3, seed=2)
    optimizer = make_optimizer(model, "adam", lr=0.01)
    scheduler = make_scheduler(optimizer, "step", epochs=6)
    for _ in range(steps):
        optimizer.zero_grad()
        model(backend(saved_on).torch.ones((2, 4))).sum().backward()    # also draws dropout masks
        optimizer.step()
        scheduler.step()
    state.best_weights = get_weights(model)
    save_checkpoint(path, model=model, optimizer=optimizer, scheduler=scheduler, state=state, run={"note": "x"})

    other = build_model(backend(loaded_on), "mlp", (4,), 3, hidden=(5,), dropout=0.3, seed=9)
    other_optimizer = make_optimizer(other, "adam", lr=0.5)
    other_scheduler = make_scheduler(other_optimizer, "step", epochs=6)
    checkpoint = load_checkpoint(path)
    loaded = restore(checkpoint, other, other_optimizer, other_scheduler)

    assert checkpoint["run"] == {"note": "x"}
    for key, value in get_weights(model).items():
        assert np.array_equal(get_weights(other)[key], value)
    assert _comparable(loaded) == _comparable(state)
    assert other_optimizer.param_groups[0]["lr"] == optimizer.param_groups[0]["lr"]
    assert other_scheduler.state_dict() == scheduler.state_dict()
    for mine, theirs in zip(optimizer.state.values(), other_optimizer.state.values()):
        for name in mine:
            assert np.array_equal(np.asarray(mine[name].detach().cpu()), np.asarray(theirs[name].detach().cpu()))
    # the dropout generators carry on where they were: the next masks agree (float32 arithmetic may not, to an ulp)
    next_mine = backend(saved_on).numpy(model(backend(saved_on).torch.ones((2, 4))))
    next_theirs = backend(loaded_on).numpy(other(backend(loaded_on).torch.ones((2, 4))))
    assert np.allclose(next_mine, next_theirs, rtol=1e-6, atol=1e-7)


def _comparable(state):
    fields = vars(state).copy()
    fields["outputs"] = [a.tolist() for a in fields["outputs"]]
    fields["targets"] = [a.tolist() for a in fields["targets"]]
    fields["best_weights"] = {k: v.tolist() for k, v in (fields["best_weights"] or {}).items()}
    fields["history"] = [repr(record) for record in fields["history"]]   # repr: NaN equals NaN
    return fields


@pytest.mark.parametrize("saved_on, loaded_on", [("torch", "minigrad"), ("minigrad", "torch")])
def test_weights_saved_on_one_backend_load_into_the_other(saved_on, loaded_on, tmp_path):
    model = build_model(backend(saved_on), "cnn", (1, 8, 8), 10, seed=1)
    save_weights(model, tmp_path / "model.weights")
    other = load_weights(build_model(backend(loaded_on), "cnn", (1, 8, 8), 10, seed=2), tmp_path / "model.weights")
    x = np.random.default_rng(0).standard_normal((3, 1, 8, 8)).astype(np.float32)
    first = backend(saved_on).numpy(model(backend(saved_on).tensor(x)))
    second = backend(loaded_on).numpy(other(backend(loaded_on).tensor(x)))
    assert np.allclose(first, second, rtol=1e-5, atol=1e-6)


def test_weights_of_another_model_are_refused_naming_what_differs(tmp_path):
    save_weights(build_model(backend("minigrad"), "mlp", (4,), 3, hidden=(5,)), tmp_path / "a.weights")
    with pytest.raises(CheckpointError, match=r"0.weight has shape \(5, 4\), the model's has \(6, 4\)"):
        load_weights(build_model(backend("minigrad"), "mlp", (4,), 3, hidden=(6,)), tmp_path / "a.weights")
    with pytest.raises(CheckpointError, match="another model: missing 4.bias, 4.weight"):
        load_weights(build_model(backend("minigrad"), "mlp", (4,), 3, hidden=(5, 5)), tmp_path / "a.weights")


def test_files_that_are_not_checkpoints_are_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(CheckpointError, match="is not a pillars file"):
        load_checkpoint(tmp_path / "notes.txt")
    save_weights(build_model(backend("minigrad"), "linear", (2,), 1), tmp_path / "only.weights")
    with pytest.raises(CheckpointError, match="is not a pillars-checkpoint file"):
        load_checkpoint(tmp_path / "only.weights")
    with pytest.raises(MissingFileError):
        load_checkpoint(tmp_path / "absent.ckpt")


def test_a_failed_save_leaves_the_previous_checkpoint_whole(tmp_path):
    model = build_model(backend("minigrad"), "linear", (2,), 1)
    optimizer = make_optimizer(model, "sgd")
    path = tmp_path / "run.ckpt"
    save_checkpoint(path, model=model, optimizer=optimizer, state=TrainingState(epoch=1))
    with pytest.raises(TypeError):
        save_checkpoint(path, model=model, optimizer=optimizer, state=TrainingState(epoch=2), run={"bad": {1, 2}})
    assert load_checkpoint(path)["training"]["epoch"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["run.ckpt"]


@pytest.mark.parametrize("name", ["minigrad", "torch"])
def test_export_torch_writes_a_state_dict_torch_loads_safely(name, tmp_path):
    model = build_model(backend(name), "lstm", (8, 8), 10, seed=4)
    export_torch(model, tmp_path / "model.pt")
    state = torch.load(tmp_path / "model.pt", weights_only=True)
    reference = get_weights(model)
    assert list(state) == list(reference)
    assert all(np.array_equal(state[key].numpy(), reference[key]) for key in reference)


def test_export_torch_into_a_missing_folder_names_that_folder(tmp_path):
    """Not the temporary file it would have written first."""
    target = tmp_path / "absent" / "model.pt"
    with pytest.raises(MissingFileError) as caught:
        export_torch(build_model(backend("minigrad"), "linear", (2,), 1), target)
    assert str(caught.value) == f"cannot write {target}: there is no folder {target.parent}"
    assert not target.parent.exists()
