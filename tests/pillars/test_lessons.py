"""The lessons run on minigrad and on torch, teach what they say, and compute the same numbers on both.

Each lesson's ``main(argv)`` runs in this process with a few epochs and returns what it found;
one run per lesson and backend is shared by the tests below. One test runs a lesson the way a
learner does, as ``python -m`` in a fresh interpreter.
"""

import functools
import importlib
import importlib.util
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from minigrad.testing import torch_or_skip

REPO = pathlib.Path(__file__).resolve().parents[2]
EPOCHS = {"linear_regression": 10, "digits_pipeline": 3, "tabular_csv": 3, "ml_vs_dl": 3, "sequence_lstm": 3}
BACKENDS = ["minigrad", pytest.param("torch", marks=pytest.mark.skipif(
    importlib.util.find_spec("torch") is None, reason="torch is not installed"))]


@functools.cache
def lesson_result(lesson, backend, *options):
    """What a lesson's main returns after a short run on a backend (run once per arguments)."""
    module = importlib.import_module(f"pillars.lessons.{lesson}")
    return module.main(["--backend", backend, "--epochs", str(EPOCHS[lesson]), *options])


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("lesson", EPOCHS)
def test_every_lesson_trains(lesson, backend):
    history = lesson_result(lesson, backend)["history"]
    assert len(history) == EPOCHS[lesson]
    assert all(np.isfinite(history)) and history[-1] < history[0]


@pytest.mark.parametrize("lesson", EPOCHS)
def test_both_backends_give_the_same_losses(lesson):
    torch_or_skip()
    minigrad, torch = lesson_result(lesson, "minigrad"), lesson_result(lesson, "torch")
    np.testing.assert_allclose(minigrad["history"], torch["history"], rtol=1e-4)


@pytest.mark.parametrize("backend", BACKENDS)
def test_linear_regression_finds_the_true_line_and_reloads_it(backend):
    result = lesson_result("linear_regression", backend)
    assert result["weight"] == pytest.approx(result["truth"]["weight"][0], abs=0.1)
    assert result["bias"] == pytest.approx(result["truth"]["bias"], abs=0.1)
    assert result["test"]["r2"] > 0.95
    assert result["reloaded_same"]


def test_digits_pipeline_beats_chance_and_its_reloaded_model_predicts():
    result = lesson_result("digits_pipeline", "minigrad")
    assert result["test"]["accuracy"] > 0.8                  # chance is 0.1
    assert 1 <= result["best_epoch"] <= EPOCHS["digits_pipeline"]
    agree = np.equal(result["predicted"], result["targets"])
    assert len(agree) == 5 and agree.sum() >= 4


def test_tabular_csv_finds_malignant_tumours():
    result = lesson_result("tabular_csv", "minigrad")
    assert result["class_names"] == ["benign", "malignant"]
    assert result["test"]["accuracy"] > 0.85
    assert result["test"]["precision"] > 0.7 and result["test"]["recall"] > 0.7


def test_tabular_csv_reads_a_file_it_is_given(tmp_path):
    from pillars.lessons.tabular_csv import write_breast_cancer_csv

    path = tmp_path / "tumours.csv"
    write_breast_cancer_csv(path)
    given = lesson_result("tabular_csv", "minigrad", "--csv", str(path), "--target", "diagnosis")
    assert given["history"] == lesson_result("tabular_csv", "minigrad")["history"]


def test_ml_vs_dl_scores_both_models_on_the_test_rows():
    result = lesson_result("ml_vs_dl", "minigrad")
    assert result["ml_accuracy"] > 0.9
    assert result["dl_accuracy"] > 0.8


def test_sequence_lstm_learns_digits_row_by_row():
    assert lesson_result("sequence_lstm", "minigrad")["test"]["accuracy"] > 0.6


def test_a_lesson_runs_as_a_module():
    environment = dict(os.environ, PYTHONPATH=str(REPO))
    finished = subprocess.run([sys.executable, "-m", "pillars.lessons.linear_regression", "--backend", "minigrad",
                               "--epochs", "2"], capture_output=True, text=True, env=environment, timeout=120)
    assert finished.returncode == 0, finished.stderr
    assert "true    learned" in finished.stdout
    assert "largest difference in predictions 0" in finished.stdout


@pytest.mark.parametrize("lesson", ["linear_regression", "digits_pipeline", "tabular_csv", "sequence_lstm", "ml_vs_dl"])
def test_a_lesson_names_a_backend_mistake_in_one_line(lesson, tmp_path):
    """As the pillars command does: one line on stderr and exit status 2, not a traceback."""
    env = {**os.environ, "PILLARS_BACKEND": "no-such-backend", "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-m", f"pillars.lessons.{lesson}"], capture_output=True, text=True,
                            env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"python -m pillars.lessons.{lesson}: error: unknown backend 'no-such-backend' (from the environment "
        "variable PILLARS_BACKEND); choose one of minigrad, torch, torch:cuda, auto"]
