"""The pillars command end to end: run, compare, predict, swap, resume after Ctrl-C, and one-line errors."""

import csv
import json
import os
import pathlib
import re
import signal
import subprocess
import sys

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer

import minigrad
import pillars
from pillars.cli import main

REPO = pathlib.Path(pillars.__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PILLARS_BACKEND", raising=False)


def pillars_command(*args, **options):
    """Run ``python -m pillars ARGS`` in a subprocess, as a user would."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "pillars", *args], capture_output=True, text=True, env=env,
                          **options)


def breast_cancer_csv(path, rows=None, target="diagnosis"):
    data = load_breast_cancer()
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow([*data.feature_names, *([target] if target else [])])
        for features, label in list(zip(data.data, data.target))[:rows]:
            writer.writerow([*features, *([data.target_names[label]] if target else [])])
    return path


@pytest.mark.parametrize("backend", ["minigrad", "torch"])
def test_run_trains_evaluates_and_saves_everything(backend, capsys):
    assert main(["run", "--backend", backend, "--epochs", "3", "--out", "out", "--baseline"]) == 0
    shown = capsys.readouterr().out
    for pillar in ("1 data", "2 model", "3 objective", "4 training", "5 evaluation", "6 saved"):
        assert pillar in shown
    assert "logistic regression on the same split" in shown and "macro avg" in shown
    out = pathlib.Path("out")
    assert {p.name for p in out.iterdir()} == {"model.weights", "best.ckpt", "last.ckpt", "history.json",
                                               "curves.png", "confusion.png", "report.md"}
    history = json.loads((out / "history.json").read_text())
    assert [record["epoch"] for record in history] == [1, 2, 3]
    assert (out / "curves.png").read_bytes().startswith(b"\x89PNG")
    assert "## Classification report" in (out / "report.md").read_text()
    assert shown.strip().splitlines()[-1].startswith("test accuracy ")


def test_json_prints_one_document_and_quiet_one_line(capsys):
    assert main(["run", "--epochs", "2", "--json", "--dataset", "wine", "--out", "w"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["backend"] == "minigrad" and result["epochs_run"] == 2 and len(result["history"]) == 2
    assert set(result["test"]["metrics"]) >= {"accuracy", "f1_macro", "recall_weighted"}
    assert np.array(result["test"]["confusion_matrix"]).shape == (3, 3)
    assert main(["run", "--epochs", "1", "--quiet", "--dataset", "wine", "--out", "w"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 1


@pytest.mark.parametrize("arguments, metric", [
    (["--dataset", "diabetes", "--model", "linear"], "test r2"),
    (["--dataset", "breast_cancer", "--loss", "bce_with_logits", "--optimizer", "sgd"], "test accuracy"),
    (["--dataset", "breast_cancer", "--loss", "cross_entropy", "--optimizer", "rmsprop"], "test accuracy"),
    (["--model", "cnn", "--backend", "torch", "--scheduler", "cosine"], "test accuracy"),
    (["--model", "lstm", "--optimizer", "adamw", "--batch-size", "64"], "test accuracy"),
    (["--model", "lstm", "--hidden", "8,8"], "test accuracy"),             # two layers of 8
    (["--dataset", "linear", "--loss", "smooth_l1", "--optimizer", "adagrad"], "test r2"),
    (["--dataset", "wine", "--dropout", "0.2", "--patience", "1", "--optimizer", "adadelta",
      "--scheduler", "plateau", "--monitor", "val_f1_macro"], "test accuracy"),
])
def test_run_with_other_datasets_models_and_optimizers(arguments, metric, capsys):
    assert main(["run", "--epochs", "2", "--quiet", "--out", "o", *arguments]) == 0
    assert capsys.readouterr().out.startswith(metric)


def test_the_default_run_reaches_95_percent_on_digits(capsys):
    assert main(["run", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["config"]["dataset"] == "digits" and result["config"]["model"] == "mlp"
    assert result["test"]["metrics"]["accuracy"] >= 0.95


def test_a_csv_run_and_predictions_for_new_rows(tmp_path, capsys):
    breast_cancer_csv("cells.csv")
    breast_cancer_csv("new.csv", rows=6, target=None)
    assert main(["run", "--csv", "cells.csv", "--target", "diagnosis", "--epochs", "5", "--quiet", "--out", "c"]) == 0
    capsys.readouterr()
    assert main(["predict", "--checkpoint", "c/best.ckpt", "--csv", "new.csv"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "row,prediction,p(benign),p(malignant)" and len(lines) == 7
    assert all(line.split(",")[1] in ("benign", "malignant") for line in lines[1:])
    assert main(["predict", "--checkpoint", "c/best.ckpt", "--csv", "new.csv", "--backend", "torch",
                 "--output", "p.csv"]) == 0
    assert pathlib.Path("p.csv").read_text().strip().splitlines() == lines    # the same on torch


def test_predict_without_new_rows_predicts_the_runs_test_rows(capsys):
    assert main(["run", "--epochs", "2", "--quiet", "--out", "d"]) == 0
    reported = capsys.readouterr().out
    assert main(["predict", "--checkpoint", "d/best.ckpt"]) == 0
    captured = capsys.readouterr()
    assert len(captured.out.strip().splitlines()) == 1 + 270
    accuracy = reported.split()[2]
    assert f"accuracy {accuracy}" in captured.err


def test_a_training_csv_changed_since_training_is_refused_by_predict_and_resume():
    """Without --csv, predict reads the training file again and splits it again to find the test rows;
    a changed file (here one cell of one row) would give other rows without a word, so the checkpoint
    keeps the file's SHA-256 and a change is refused."""
    path = breast_cancer_csv("cells.csv")
    assert main(["run", "--csv", path, "--target", "diagnosis", "--epochs", "1", "--quiet", "--out", "c"]) == 0
    assert pillars_command("predict", "--checkpoint", "c/best.ckpt").returncode == 0
    lines = pathlib.Path(path).read_text().splitlines(keepends=True)
    lines[1] = "1" + lines[1]                                 # 17.99 becomes 117.99
    pathlib.Path(path).write_text("".join(lines))
    changed = f"{pathlib.Path(path).resolve()} has changed since the model was trained (its SHA-256 differs)"
    assert_one_line_error(pillars_command("predict", "--checkpoint", "c/best.ckpt"), changed)
    assert_one_line_error(pillars_command("predict", "--checkpoint", "c/best.ckpt"), "give it with --csv")
    assert_one_line_error(pillars_command("run", "--resume", "c/last.ckpt", "--epochs", "2"), changed)
    # its rows as they are now, given as new rows, are no mistake
    assert pillars_command("predict", "--checkpoint", "c/best.ckpt", "--csv", path).returncode == 0


def test_predict_finds_the_training_csv_from_another_folder(tmp_path, monkeypatch, capsys):
    """The CSV path given to `pillars run` is relative to where it ran; the checkpoint keeps it absolute."""
    breast_cancer_csv("cells.csv")
    assert main(["run", "--csv", "cells.csv", "--target", "diagnosis", "--epochs", "1", "--quiet", "--out", "c"]) == 0
    capsys.readouterr()
    assert main(["predict", "--checkpoint", "c/best.ckpt"]) == 0
    here = capsys.readouterr()
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert main(["predict", "--checkpoint", "../c/best.ckpt"]) == 0
    assert capsys.readouterr() == here                          # the same test rows, the same predictions
    assert main(["run", "--resume", "../c/last.ckpt", "--epochs", "2", "--quiet"]) == 0


def test_a_checkpoint_from_before_the_csv_fingerprint_still_predicts(capsys):
    breast_cancer_csv("cells.csv")
    assert main(["run", "--csv", "cells.csv", "--target", "diagnosis", "--epochs", "1", "--quiet", "--out", "c"]) == 0
    capsys.readouterr()
    assert main(["predict", "--checkpoint", "c/best.ckpt"]) == 0
    expected = capsys.readouterr()
    checkpoint = minigrad.load("c/best.ckpt")
    del checkpoint["run"]["csv"]                                # as checkpoints were written before
    minigrad.save(checkpoint, "c/old.ckpt")
    assert main(["predict", "--checkpoint", "c/old.ckpt"]) == 0
    assert capsys.readouterr() == expected


def test_compare_agrees_in_float64_and_names_the_first_divergence(capsys):
    assert main(["compare", "--dtype", "float64", "--epochs", "2", "--dataset", "wine", "--dropout", "0.3"]) == 0
    shown = capsys.readouterr().out
    assert "agree" in shown and "tolerance 1e-09" in shown
    assert main(["compare", "--epochs", "1", "--dataset", "wine", "--rtol", "1e-15"]) == 1
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("diverged first at epoch 1, step 1: ") and "> 1e-15" in last


def test_swap_runs_a_torch_script_on_either_backend(tmp_path):
    script = tmp_path / "script.py"
    script.write_text("import sys, torch\nprint(torch.__name__, torch.tensor([1.0, 2.0]).sum().item(), sys.argv[1:])\n")
    assert pillars_command("swap", str(script), "--flag").stdout == "minigrad 3.0 ['--flag']\n"
    assert pillars_command("swap", "--backend", "torch", str(script)).stdout == "torch 3.0 []\n"


def test_ctrl_c_saves_a_checkpoint_that_resumes_to_the_uninterrupted_result(tmp_path):
    settings = ["--model", "lstm", "--epochs", "3", "--batch-size", "16"]
    assert main(["run", *settings, "--quiet", "--out", "whole"]) == 0
    process = _start_pillars("run", *settings, "--out", "cut")
    for line in process.stdout:             # wait until the first epoch's row has been shown, then press Ctrl-C
        if re.match(r"\s+1\s+\d+\.\d+", line):
            process.send_signal(signal.SIGINT)
            break
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    message = out.strip().splitlines()[-1]
    # the request is seen at the next batch of epoch 2, or at once if it came while epoch 1 was being finished
    assert message.startswith(("interrupted at epoch 2, batch ", "interrupted at the end of epoch 1; "))
    assert "Resume with: pillars run --resume" in message
    assert "Traceback" not in err
    resume = message.split("Resume with: pillars ")[1].split()
    assert main([*resume, "--quiet"]) == 0
    whole = minigrad.load("whole/model.weights")["weights"]
    resumed = minigrad.load("cut/model.weights")["weights"]
    assert all(np.array_equal(whole[key], resumed[key]) for key in whole)


def test_ctrl_c_during_the_last_validation_still_stops_the_run(monkeypatch, capsys):
    """A Ctrl-C that comes after the last batch (here: while the final epoch's row is shown)
    stops the run too, instead of being forgotten while the test set is evaluated."""
    from pillars.console import Reporter
    show_epoch = Reporter.epoch

    def epoch_then_ctrl_c(self, record):
        show_epoch(self, record)
        os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(Reporter, "epoch", epoch_then_ctrl_c)
    assert main(["run", "--epochs", "1", "--out", "cut"]) == 130
    message = capsys.readouterr().out.strip().splitlines()[-1]
    assert message.startswith("interrupted at the end of epoch 1; the checkpoint cut/last.ckpt is complete")


def test_ctrl_c_while_the_progress_bar_closes_still_stops_the_run(monkeypatch, capsys):
    """The last moment a Ctrl-C is a stop request: after the last record, while the batches'
    progress bar closes and before the usual handler is back. It must not be forgotten."""
    import contextlib

    from pillars.console import Reporter
    show_batches = Reporter.batches

    @contextlib.contextmanager
    def batches_then_ctrl_c(self):
        with show_batches(self):
            yield
        os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(Reporter, "batches", batches_then_ctrl_c)
    assert main(["run", "--epochs", "1", "--out", "cut"]) == 130
    message = capsys.readouterr().out.strip().splitlines()[-1]
    assert message.startswith("interrupted at the end of epoch 1; the checkpoint cut/last.ckpt is complete")


# ------------------------------------------------------------------ mistakes: one line, exit status 2
def assert_one_line_error(result, expected):
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert expected in result.stderr, result.stderr


@pytest.mark.parametrize("arguments, expected", [
    (["--dataset", "mnist"], "argument --dataset: invalid choice: 'mnist'"),
    (["--model", "resnet"], "argument --model: invalid choice: 'resnet'"),
    (["--optimizer", "lion"], "argument --optimizer: invalid choice: 'lion'"),
    (["--lr", "0"], "argument --lr: must be > 0, got 0"),
    (["--lr", "-0.1"], "argument --lr: must be > 0, got -0.1"),
    (["--epochs", "0"], "argument --epochs: must be >= 1, got 0"),
    (["--batch-size", "0"], "argument --batch-size: must be >= 1, got 0"),
    (["--batch-size", "2.5"], "argument --batch-size: not a whole number: '2.5'"),
    (["--split", "0.5,0.3,0.3"], "argument --split: must be three positive fractions that sum to 1"),
    (["--csv", "absent.csv", "--target", "y"], "CSV file not found: absent.csv"),
    (["--backend", "torch:cuda"], "torch finds no CUDA device here"),
    (["--model", "cnn", "--dataset", "wine"], "a CNN needs an image dataset"),
    (["--dataset", "digits", "--loss", "mse"], "loss 'mse' does not fit a multiclass task"),
    (["--resume", "absent.ckpt"], "no such file: absent.ckpt"),
    (["--monitor", "foo"], "cannot monitor 'foo' on a multiclass task; choose one of val_loss,"),
    (["--target", "y"], "--target and --task go with --csv: the digits dataset has its own target and task"),
    (["--dataset", "diabetes", "--task", "multiclass"], "--target and --task go with --csv: the diabetes dataset"),
    (["--monitor", "val_r2"], "cannot monitor 'val_r2' on a multiclass task"),
    (["--dataset", "diabetes", "--monitor", "val_accuracy"], "cannot monitor 'val_accuracy' on a regression task"),
    # options the model has no place for, refused rather than ignored
    (["--model", "linear", "--hidden", "8"], "--hidden does not apply to --model linear (it has no hidden layers)"),
    (["--model", "linear", "--activation", "relu"], "--activation does not apply to --model linear"),
    (["--model", "linear", "--dropout", "0"], "--dropout does not apply to --model linear"),
    (["--model", "lstm", "--dropout", "0.2"], "--dropout does not apply to --model lstm (it takes --hidden only)"),
    (["--model", "lstm", "--activation", "tanh"], "--activation does not apply to --model lstm"),
    (["--model", "lstm", "--hidden", "16,8"], "--hidden 16,8: an LSTM's layers all have the same size"),
    (["--hidden", ""], "argument --hidden: an empty size in ''"),
    (["--hidden", "8,,"], "argument --hidden: an empty size in '8,,'"),
])
def test_bad_arguments(arguments, expected):
    assert_one_line_error(pillars_command("run", *arguments, "--epochs", "1") if "--epochs" not in arguments
                          else pillars_command("run", *arguments), expected)


@pytest.mark.parametrize("content, expected", [
    ("x,y\n1,0\n2,1\n", "no column 'label'; its columns are x, y"),
    ("x,label\n1,0\nabc,1\n", "line 3, column 'x': 'abc' is not a number"),
    ("x,label\n1,0\nNaN,1\n", "line 3, column 'x': missing value 'NaN'"),
    ("x,label\n1,0\n,1\n", "line 3, column 'x': empty cell"),
    ("x,label\n1,1\n2,1\n", "target 'label' has a single class, 1; nothing to learn"),
    ("x,label\n1,yes\n2,yes\n", "target 'label' has a single class, 'yes'; nothing to learn"),
])
def test_bad_csv_files(tmp_path, content, expected):
    (tmp_path / "bad.csv").write_text(content)
    assert_one_line_error(pillars_command("run", "--csv", "bad.csv", "--target", "label"), expected)


def test_missing_torch_backend(tmp_path):
    (tmp_path / "torch.py").write_text("raise ImportError('No module named torch')\n")
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{REPO}"}
    result = subprocess.run([sys.executable, "-m", "pillars", "run", "--backend", "torch"], capture_output=True,
                            text=True, env=env)
    assert_one_line_error(result, "torch is not installed; install it with: pip install 'minigrad-pillars[torch]'")


def test_a_mistake_found_before_training_leaves_no_output_folder(tmp_path):
    """An unknown --monitor, or --export-torch without torch, is refused before any training:
    nothing is written (they used to fail after the first epoch, or after the whole run)."""
    assert_one_line_error(pillars_command("run", "--monitor", "foo", "--out", "m"), "cannot monitor 'foo'")
    (tmp_path / "torch.py").write_text("raise ImportError('No module named torch')\n")
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{REPO}"}
    result = subprocess.run([sys.executable, "-m", "pillars", "run", "--export-torch", "--out", "t"],
                            capture_output=True, text=True, env=env)
    assert_one_line_error(result, "torch is not installed")
    assert not (tmp_path / "m").exists() and not (tmp_path / "t").exists()
    assert_one_line_error(pillars_command("compare", "--dataset", "wine", "--monitor", "foo", "--epochs", "1"),
                          "cannot monitor 'foo'")


def test_a_checkpoint_from_another_model(capsys):
    assert main(["run", "--epochs", "1", "--quiet", "--out", "m"]) == 0
    assert_one_line_error(pillars_command("run", "--resume", "m/last.ckpt", "--model", "cnn"),
                          "the checkpoint was made with --model mlp")
    assert_one_line_error(pillars_command("predict", "--checkpoint", "m/model.weights"),
                          "is not a pillars-checkpoint file")
    checkpoint = minigrad.load("m/last.ckpt")
    checkpoint["run"]["config"]["hidden"] = [32]        # weights of one model under the settings of another
    minigrad.save(checkpoint, "m/other.ckpt")
    assert_one_line_error(pillars_command("run", "--resume", "m/other.ckpt"),
                          "the weights are for another model: 0.weight has shape (128, 64), the model's has (32, 64)")


def test_swap_of_a_missing_script():
    assert_one_line_error(pillars_command("swap", "absent.py"), "no such script: absent.py")


def test_no_command_is_a_one_line_error_on_stderr():
    """As argparse does for a missing required subcommand (and `pillars exercise` for its action):
    nothing on stdout, a line on stderr that points to --help, exit status 2."""
    result = pillars_command()
    assert_one_line_error(result, "the following arguments are required: COMMAND (see pillars --help)")
    assert result.stdout == ""


def test_a_mistake_is_reported_before_scikit_learn_matplotlib_or_torch_is_imported():
    """They take over a second to import: a mistake on the command line is found without them, as
    is everything that importing pillars does (they are imported where they are used)."""
    check = ("import atexit, sys, pillars, pillars.cli\n"
             "atexit.register(lambda: print(sorted(name for name in ('sklearn', 'scipy', 'matplotlib', 'torch')\n"
             "                                     if name in sys.modules)))\n"
             "pillars.cli.main(['run', '--epochs', '0'])")
    result = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert_one_line_error(result, "argument --epochs: must be >= 1, got 0")
    assert result.stdout == "[]\n"


def test_a_checkpoint_saved_with_options_its_model_ignores_still_loads():
    """Such options are refused when given to a new run; a checkpoint made before that keeps working."""
    assert main(["run", "--dataset", "wine", "--model", "linear", "--epochs", "1", "--quiet", "--out", "w"]) == 0
    checkpoint = minigrad.load("w/last.ckpt")
    checkpoint["run"]["config"].update(activation="tanh", dropout=0.3)    # as an older pillars let them be
    minigrad.save(checkpoint, "w/old.ckpt")
    assert pillars_command("predict", "--checkpoint", "w/old.ckpt").returncode == 0
    resumed = pillars_command("run", "--resume", "w/old.ckpt", "--epochs", "2", "--quiet")
    assert resumed.returncode == 0, resumed.stderr


def test_compare_refuses_an_option_the_model_ignores():
    assert_one_line_error(pillars_command("compare", "--model", "linear", "--dropout", "0.3", "--epochs", "1"),
                          "--dropout does not apply to --model linear")


def test_an_unknown_backend_in_the_environment_names_the_variable(monkeypatch):
    monkeypatch.setenv("PILLARS_BACKEND", "foo")
    assert_one_line_error(pillars_command("run", "--epochs", "1"),
                          "unknown backend 'foo' (from the environment variable PILLARS_BACKEND)")


@pytest.mark.parametrize("command", [["run", "--csv", "folder", "--target", "y"], ["run", "--resume", "folder"],
                                     ["predict", "--checkpoint", "folder"], ["swap", "folder"],
                                     ["exercise", "check", "folder"]])
def test_a_folder_where_a_file_is_expected_is_named_as_a_folder(tmp_path, command):
    (tmp_path / "folder").mkdir()
    assert_one_line_error(pillars_command(*command), "folder is a folder, not a file")


def test_python_m_pillars_swap_names_a_folder_as_a_folder(tmp_path):
    (tmp_path / "folder").mkdir()
    result = subprocess.run([sys.executable, "-m", "pillars.swap", "folder"], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert_one_line_error(result, "python -m pillars.swap: error: folder is a folder, not a file")


def test_ctrl_c_before_training_is_one_line_too(tmp_path):
    process = _start_pillars("run", "--epochs", "1")
    process.stdout.readline()              # the first line is shown: pillars has started
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130 and "Traceback" not in err, (process.returncode, err)


def _start_pillars(*args):
    """`python -m pillars *args` started with Ctrl-C handled as usual, whatever this process does with it
    (a program started with SIGINT ignored keeps it ignored, and pytest run as a shell's background job is)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    inherited = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return subprocess.Popen([sys.executable, "-m", "pillars", *args], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    finally:
        signal.signal(signal.SIGINT, inherited)


def test_predictions_to_a_path_that_cannot_be_written_are_one_line_errors(tmp_path):
    assert main(["run", "--epochs", "1", "--quiet", "--out", "r"]) == 0
    (tmp_path / "folder").mkdir()
    assert_one_line_error(pillars_command("predict", "--checkpoint", "r/best.ckpt", "--output", "folder"),
                          "cannot write folder: it is a folder")
    assert_one_line_error(pillars_command("predict", "--checkpoint", "r/best.ckpt", "--output", "absent/x.csv"),
                          "cannot write absent/x.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder", "r"]  # no partial file left behind


def test_predictions_quote_a_class_name_with_a_comma(tmp_path):
    rng = np.random.default_rng(0)
    with open(tmp_path / "pets.csv", "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["weight", "height", "kind"])
        for i in range(60):
            writer.writerow([rng.normal(), rng.normal(), "cat, big" if i % 2 else "dog"])
    assert main(["run", "--csv", "pets.csv", "--target", "kind", "--epochs", "1", "--quiet", "--out", "p"]) == 0
    result = pillars_command("predict", "--checkpoint", "p/best.ckpt", "--output", "out.csv")
    assert result.returncode == 0, result.stderr
    with open(tmp_path / "out.csv", newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0][2:] == ["p(cat, big)", "p(dog)"]
    assert all(len(row) == len(rows[0]) for row in rows)


def test_a_diverged_run_says_so_and_writes_json_any_reader_parses(tmp_path):
    """A learning rate of 1e30 makes the loss NaN: no NumPy warning leaks, the last line says the run
    diverged, and the JSON (printed and history.json) holds null where Python's json would write NaN."""
    result = pillars_command("run", "--lr", "1e30", "--optimizer", "sgd", "--epochs", "1", "--json", "--out", "d")
    assert result.returncode == 0 and result.stderr == ""
    printed = json.loads(result.stdout, parse_constant=lambda name: pytest.fail(f"{name} in the JSON"))
    assert printed["test"]["loss"] is None
    history = json.loads((tmp_path / "d" / "history.json").read_text(),
                         parse_constant=lambda name: pytest.fail(f"{name} in history.json"))
    assert history[0]["train_loss"] is None
    quiet = pillars_command("run", "--lr", "1e30", "--optimizer", "sgd", "--epochs", "1", "--quiet", "--out", "q")
    assert "training diverged; try a smaller --lr" in quiet.stdout.strip().splitlines()[-1]


def test_a_resumed_run_with_no_epochs_left_lists_only_the_files_it_wrote(tmp_path):
    assert main(["run", "--epochs", "1", "--quiet", "--out", "a"]) == 0
    result = pillars_command("run", "--resume", "a/last.ckpt", "--epochs", "1", "--json", "--out", "b")
    assert result.returncode == 0, result.stderr
    listed = json.loads(result.stdout)["files"]
    assert listed and all((tmp_path / path).exists() for path in listed.values())
    assert "best checkpoint" not in listed


def test_predictions_into_a_closed_pipe_end_quietly(tmp_path):
    """pillars predict | head: once the reader has gone, the rest is dropped without a traceback."""
    assert main(["run", "--epochs", "1", "--quiet", "--out", "r"]) == 0
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    try:
        result = subprocess.run([sys.executable, "-m", "pillars", "predict", "--checkpoint", "r/best.ckpt"],
                                stdout=write_end, stderr=subprocess.PIPE, text=True, env=env)
    finally:
        os.close(write_end)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr


def test_a_seed_out_of_range_is_named():
    assert_one_line_error(pillars_command("run", "--seed", "-1", "--epochs", "1"),
                          "seed must be between 0 and 4294967295, got -1")
