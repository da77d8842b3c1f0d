"""Pillar 5: eval mode and no_grad restored afterwards; metrics and loss exact whatever the batches."""

import functools
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as sk

from minigrad.testing import torch_or_skip
from pillars import datasets
from pillars.backends import backend
from pillars.data import Task, prepare, tensor_dataset
from pillars.evaluation import classification_metrics, evaluate, evaluating, predict, regression_metrics
from pillars.models import build_model
from pillars.objective import loss_function

torch = torch_or_skip()


@st.composite
def labelled(draw, max_classes=5):
    n_classes = draw(st.integers(2, max_classes))
    n = draw(st.integers(1, 60))
    targets = draw(st.lists(st.integers(0, n_classes - 1), min_size=n, max_size=n))
    predictions = draw(st.lists(st.integers(0, n_classes - 1), min_size=n, max_size=n))
    return np.array(targets), np.array(predictions), list(range(n_classes))


@given(labelled())
def test_classification_metrics_are_scikit_learns(case):
    targets, predictions, labels = case
    found = classification_metrics(targets, predictions, labels)
    assert found["accuracy"] == sk.accuracy_score(targets, predictions)
    for average in ("macro", "micro", "weighted"):
        expected = sk.precision_recall_fscore_support(targets, predictions, labels=labels, average=average,
                                                      zero_division=0)
        assert (found[f"precision_{average}"], found[f"recall_{average}"], found[f"f1_{average}"]) == expected[:3]
    assert ("f1" in found) == (len(labels) == 2)


@given(st.lists(st.tuples(st.floats(-1e3, 1e3), st.floats(-1e3, 1e3)), min_size=2, max_size=50))
def test_regression_metrics_are_scikit_learns(pairs):
    targets, predictions = map(np.array, zip(*pairs))
    found = regression_metrics(targets, predictions)
    assert found["mse"] == sk.mean_squared_error(targets, predictions)
    assert found["rmse"] == pytest.approx(np.sqrt(found["mse"]))
    assert found["mae"] == sk.mean_absolute_error(targets, predictions)
    assert found["r2"] == sk.r2_score(targets, predictions)


@functools.cache
def _model_and_data(name, task="classification"):
    table = datasets.load("diabetes" if task == "regression" else "wine")
    data = prepare(table, seed=2, dtype="float64")
    chosen = backend(name)
    model = build_model(chosen, "mlp", data.input_shape, data.task.n_outputs, seed=5, dtype="float64")
    return chosen, data, model


@pytest.mark.parametrize("name", ["minigrad", "torch"])
@pytest.mark.parametrize("task", ["classification", "regression"])
@settings(max_examples=10)
@given(batch_sizes=st.lists(st.integers(1, 40), min_size=2, max_size=4))
def test_loss_and_metrics_do_not_depend_on_the_batch_size(name, task, batch_sizes):
    chosen, data, model = _model_and_data(name, task)
    loss_fn = loss_function(model, "cross_entropy" if task == "classification" else "mse")
    results = []
    for size in batch_sizes:
        loader = chosen.data.DataLoader(tensor_dataset(chosen, *data.part("test")), batch_size=size)
        results.append(evaluate(model, loader, loss_fn, data.task))
    for result in results[1:]:
        assert result.loss == pytest.approx(results[0].loss, rel=1e-12)
        assert result.metrics == pytest.approx(results[0].metrics, rel=1e-12)


def test_loss_is_averaged_per_row_not_per_batch():
    chosen, data, model = _model_and_data("torch")
    loss_fn = loss_function(model, "cross_entropy")
    features, targets = data.part("test")
    with torch.no_grad():
        whole = torch.nn.functional.cross_entropy(model(torch.tensor(features)), torch.tensor(targets)).item()
    loader = chosen.data.DataLoader(tensor_dataset(chosen, features, targets), batch_size=len(targets) - 1)
    assert evaluate(model, loader, loss_fn, data.task).loss == pytest.approx(whole, rel=1e-12)


@pytest.mark.parametrize("name", ["minigrad", "torch"])
def test_evaluation_runs_in_eval_mode_without_a_graph_and_restores_each_layers_mode(name):
    chosen = backend(name)
    model = build_model(chosen, "mlp", (4,), 2, hidden=(8,), dropout=0.5)
    model.train()
    model[0].eval()                               # a mixed state must come back as it was
    seen = []
    model.register_forward_hook(lambda module, args, output: seen.append((module.training, output.requires_grad)))
    with evaluating(model):
        model(chosen.torch.zeros((3, 4)))
    assert seen == [(False, False)]
    assert [m.training for m in model.modules()] == [True, False, True, True, True]


def test_binary_task_reads_logits_and_decodes_codes():
    task = Task("binary", ["no", "yes"])
    outputs = np.array([[-2.0], [0.5], [3.0]])
    assert task.predictions(outputs).tolist() == [0, 1, 1]
    assert np.allclose(task.probabilities(outputs)[:, 1], 1 / (1 + np.exp(-outputs[:, 0])))
    assert task.decode(task.encode(np.array([1, 0, 1]))).tolist() == [1, 0, 1]


THREE_CLASSES = Task("multiclass", ["a", "b", "c"])


@pytest.mark.parametrize("rows, message", [
    (np.zeros(4), "expected a batch of rows (an array of 2 or more axes, the first counting the rows), "
                  "got an array of shape (4,); give a single row as row[None]"),
    (np.array([[0.0, np.nan, 0.0, 0.0]]), "the input holds NaN or infinity (first in row 0)"),
    (np.array([[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, -np.inf, 0.0]]), "the input holds NaN or infinity (first in row 1)"),
])
def test_predict_refuses_a_row_without_its_batch_axis_and_rows_holding_nan(rows, message):
    """As scikit-learn's predict does, with a ValueError: not an AxisError from deep inside, nor a
    made-up class with NaN probabilities."""
    model = build_model(backend("minigrad"), "mlp", (4,), 3)
    with pytest.raises(ValueError, match=re.escape(message)):
        predict(model, rows, THREE_CLASSES)


@pytest.mark.parametrize("name", ["minigrad", "torch"])
def test_predict_names_the_row_shape_when_one_image_comes_without_its_batch_axis(name):
    """An image of shape (1, 8, 8) given alone reads as a batch of one row of shape (8, 8): the
    error says so, where it used to be the model's matrix-product error about shapes (32x4 and
    128x3) far from the mistake. The model's error stays attached as the cause."""
    model = build_model(backend(name), "cnn", (1, 8, 8), 3)
    assert predict(model, np.zeros((2, 1, 8, 8)), THREE_CLASSES)[0].shape == (2,)
    with pytest.raises(ValueError, match=re.escape("the model cannot take rows of shape (8, 8) (the first axis of "
                                                   "the input counts the rows; give a single row as row[None])")) as caught:
        predict(model, np.zeros((1, 8, 8)), THREE_CLASSES)
    assert isinstance(caught.value.__cause__, RuntimeError)


@pytest.mark.parametrize("batch_size", [0, -1, 2.5, True])
def test_predict_refuses_a_batch_size_below_one(batch_size):
    """0 used to raise range()'s error, and -1 to return no predictions at all."""
    model = build_model(backend("minigrad"), "mlp", (4,), 3)
    with pytest.raises(ValueError, match=re.escape(f"batch_size must be a whole number >= 1, got {batch_size!r}")):
        predict(model, np.zeros((5, 4)), THREE_CLASSES, batch_size=batch_size)


@pytest.mark.parametrize("name", ["minigrad", "torch"])
def test_evaluating_an_empty_loader_says_there_is_nothing_to_evaluate(name):
    chosen = backend(name)
    model = build_model(chosen, "mlp", (4,), 3)
    rows = tensor_dataset(chosen, np.zeros((0, 4), dtype=np.float32), np.zeros(0, dtype=np.int64))
    with pytest.raises(ValueError, match="the loader gave no rows: there is nothing to evaluate"):
        evaluate(model, chosen.data.DataLoader(rows, batch_size=8), loss_function(model, "cross_entropy"),
                 THREE_CLASSES)
