"""Pillar 4: train_step in the canonical order, fit's records, early stopping, and exact resumes."""

import dataclasses
import re

import numpy as np
import pytest

from minigrad.testing import torch_or_skip
from pillars.backends import backend
from pillars.evaluation import evaluate
from pillars.models import build_model, get_weights
from pillars.objective import loss_function, make_optimizer
from pillars.persistence import load_checkpoint, restore, save_checkpoint
from pillars.recipe import Config, build
from pillars.training import EpochRecord, StepRecord, TrainingState, fit, train_step

torch = torch_or_skip()


@pytest.mark.parametrize("name", ["minigrad", "torch"])
def test_train_step_is_one_plain_sgd_step_on_this_batch_alone(name):
    chosen = backend(name)
    model = build_model(chosen, "mlp", (3,), 2, hidden=(4,), seed=1, dtype="float64")
    optimizer = make_optimizer(model, "sgd", lr=0.1)
    loss_fn = loss_function(model, "cross_entropy")
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((5, 3)), rng.integers(0, 2, 5)
    # a stale gradient from an earlier batch must not leak into this step (zero_grad comes first)
    loss_fn(model(chosen.torch.tensor(x * 3)), chosen.torch.tensor(y)).backward()
    before = get_weights(model)

    reference = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2)).double()
    reference.load_state_dict({k: torch.tensor(v) for k, v in before.items()})
    expected_loss = torch.nn.functional.cross_entropy(reference(torch.tensor(x)), torch.tensor(y))
    expected_loss.backward()
    grads = [p.grad.numpy() for p in reference.parameters()]

    record = train_step(model, (chosen.torch.tensor(x), chosen.torch.tensor(y)), loss_fn, optimizer)
    after = get_weights(model)
    for (name_, old), grad in zip(before.items(), grads):
        assert np.allclose(after[name_], old - 0.1 * grad, rtol=1e-12, atol=1e-15)
    grad_norm = np.sqrt(sum((g ** 2).sum() for g in grads))
    assert record.loss == pytest.approx(expected_loss.item(), rel=1e-12)   # the loss before the update
    assert record.grad_norm == pytest.approx(grad_norm, rel=1e-10)
    assert record.update_norm == pytest.approx(0.1 * grad_norm, rel=1e-10)
    assert record.batch_size == 5


def _parts(name, **settings):
    config = Config(**{"dataset": "wine", "epochs": 4, "batch_size": 16, "dropout": 0.2, "seed": 3,
                       "scheduler": "step", "dtype": "float64", **settings})
    return build(config, backend(name))


def _fit(parts, **options):
    return fit(parts.model, parts.loaders, parts.loss_fn, parts.optimizer, task=parts.data.task,
               epochs=parts.config.epochs, scheduler=parts.scheduler, **options)


def test_fit_yields_one_record_per_epoch_and_every_step_on_request():
    parts = _parts("minigrad")
    records = list(_fit(parts, every_step=True))
    epochs = [r for r in records if isinstance(r, EpochRecord)]
    steps = [r for r in records if isinstance(r, StepRecord)]
    assert [r.epoch for r in epochs] == [1, 2, 3, 4]
    assert len(steps) == 4 * len(parts.loaders.train)
    assert set(epochs[0].val_metrics) >= {"accuracy", "f1_macro", "precision_weighted", "recall_micro"}
    assert [r.lr for r in epochs] == [0.001] * 1 + [0.0005] * 1 + [0.00025] * 1 + [0.000125] * 1
    assert len(list(_fit(_parts("minigrad")))) == 4


def test_training_loss_is_the_per_row_mean_of_the_epoch():
    parts = _parts("torch", dropout=0.0, epochs=1)
    records = list(_fit(parts, every_step=True))
    steps, epoch = records[:-1], records[-1]
    assert all(isinstance(step, StepRecord) for step in steps) and isinstance(epoch, EpochRecord)
    total = sum(r.loss * r.batch_size for r in steps) / sum(r.batch_size for r in steps)
    assert epoch.train_loss == pytest.approx(total, rel=1e-12)


def test_early_stopping_stops_after_patience_and_restores_the_best_weights():
    parts = _parts("minigrad", optimizer="sgd", lr=5.0, epochs=12, scheduler="none", dropout=0.0)
    records = list(_fit(parts, patience=2))
    best = [r for r in records if r.best]
    assert len(records) < 12
    assert records[-1].epoch - best[-1].epoch == 2
    assert best[-1].val_loss == min(r.val_loss for r in records)


def test_the_best_weights_are_put_back_at_the_end():
    parts = _parts("torch", optimizer="sgd", lr=5.0, epochs=5, scheduler="none", dropout=0.0)
    keeps = list(_fit(parts, monitor="val_accuracy"))
    final = evaluate(parts.model, parts.loaders.val, parts.loss_fn, parts.data.task)
    best = max(r.val_metrics["accuracy"] for r in keeps)
    assert final.metrics["accuracy"] == best


def _without_time(history):
    return [dataclasses.replace(record, seconds=0.0) for record in history]


@pytest.mark.parametrize("name", ["minigrad", "torch"])
@pytest.mark.parametrize("stop_after", [3, 8, 17])   # steps: mid-epoch, at the first epoch's end, mid-epoch later
def test_a_run_resumed_from_a_checkpoint_ends_exactly_as_an_uninterrupted_one(name, stop_after, tmp_path):
    whole = _parts(name, epochs=3)
    uninterrupted = list(_fit(whole))

    first = _parts(name, epochs=3)
    state = TrainingState()
    records = _fit(first, every_step=True, state=state)
    for _ in range(stop_after + stop_after // len(first.loaders.train)):   # the steps, and the epochs ended
        next(records)
    assert len(state.history) * len(first.loaders.train) + state.step == stop_after
    save_checkpoint(tmp_path / "run.ckpt", model=first.model, optimizer=first.optimizer,
                    scheduler=first.scheduler, state=state)
    del first, records

    second = _parts(name, epochs=3)
    state = restore(load_checkpoint(tmp_path / "run.ckpt"), second.model, second.optimizer, second.scheduler)
    list(_fit(second, state=state))
    expected, found = get_weights(whole.model), get_weights(second.model)
    assert all(np.array_equal(expected[key], found[key]) for key in expected)
    assert _without_time(state.history) == _without_time(uninterrupted)


@pytest.mark.parametrize("settings, message", [
    ({"monitor": "val_r2"}, "cannot monitor 'val_r2' on a multiclass task"),
    ({"epochs": 0}, "epochs must be a whole number >= 1, got 0"),
    ({"epochs": -1}, "epochs must be a whole number >= 1, got -1"),
    ({"epochs": 2, "patience": 0}, "patience must be a whole number >= 1, got 0"),
])
def test_fit_refuses_settings_it_could_not_follow_before_training(settings, message):
    """As a ConfigError at the first step of the loop, before any batch is trained."""
    from pillars.errors import ConfigError
    parts = build(Config(dataset="wine", epochs=1), backend("minigrad"))
    before = {name: array.copy() for name, array in get_weights(parts.model).items()}
    arguments = {"epochs": 1, **settings}
    with pytest.raises(ConfigError, match=message):
        next(fit(parts.model, parts.loaders, parts.loss_fn, parts.optimizer, task=parts.data.task, **arguments))
    assert all(np.array_equal(before[name], array) for name, array in get_weights(parts.model).items())


@pytest.mark.parametrize("lr, message", [
    ("abc", "learning rate must be a number, got 'abc'"),
    (True, "learning rate must be a number, got True"),
    (-1.0, "learning rate must be a finite number > 0, got -1.0"),
    (0, "learning rate must be a finite number > 0, got 0"),
    (float("inf"), "learning rate must be a finite number > 0, got inf"),
    (float("nan"), "learning rate must be a finite number > 0, got nan"),
])
def test_make_optimizer_refuses_a_learning_rate_that_is_not_a_positive_number(lr, message):
    model = build_model(backend("minigrad"), "mlp", (3,), 2)
    with pytest.raises(ValueError, match=re.escape(message)):
        make_optimizer(model, "sgd", lr=lr)
