"""The ``pillars`` command: run, compare, predict, swap and exercise.

    pillars run                                  # an MLP on digits with minigrad, the six pillars shown
    pillars run --backend torch --model cnn --epochs 10 --baseline
    pillars compare --backends minigrad torch --dtype float64
    pillars predict --checkpoint runs/digits-mlp/best.ckpt
    pillars swap my_torch_script.py
    pillars exercise list                       # graded exercises: list, start, check, hint

A mistake on the command line is one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import io
import json
import math
import os
import pathlib
import signal
import sys
from collections.abc import Sequence

from pillars import swap
from pillars.arguments import Parser, fractions, number, positive_number, sizes, whole_number
from pillars.backends import ENVIRONMENT_VARIABLE, NAMES as BACKENDS, backend
from pillars.baseline import baseline
from pillars.compare import compare
from pillars.console import KEY_METRIC, Reporter
from pillars.data import Preprocessor, Task, split_indices
from pillars.datasets import NAMES as DATASETS, file_sha256, read_features
from pillars.errors import ConfigError, DataError, PillarsError, existing_file
from pillars.evaluation import evaluate, predict
from pillars.exercises.command import add_parser as add_exercise_parser
from pillars.models import ACTIVATIONS, DTYPES, KINDS, SETTINGS_OF_KIND, build_model, summary
from pillars.objective import LOSSES, OPTIMIZERS, SCHEDULERS
from pillars.persistence import export_torch, load_checkpoint, restore, save_checkpoint, save_weights
from pillars.plots import plot_confusion, plot_history
from pillars.process import keep_freed_memory
from pillars.recipe import Config, build, load_table
from pillars.training import StepRecord, TrainingState, check_monitor, fit

INTERRUPTED = 130    # the shell's status for a run stopped by Ctrl-C
# the options a resumed run may change; every other one is fixed by the checkpoint
FREE_ON_RESUME = {"epochs", "patience"}


def command() -> None:
    """The ``pillars`` command (and ``python -m pillars``): main() in a process of its own, whose
    allocator it may tune for training (see process.keep_freed_memory)."""
    keep_freed_memory()
    sys.exit(main())


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args) or 0
    except PillarsError as err:
        print(f"pillars {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"pillars {args.command}: interrupted", file=sys.stderr)
        return INTERRUPTED
    except BrokenPipeError:  # the reader stopped early (pillars predict | head): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # (Python's flush at exit would raise)
        return 0


# ------------------------------------------------------------------ arguments
def _parser():
    parser = Parser(prog="pillars", description="The six-pillar training workflow on minigrad or torch.")
    commands = parser.add_subparsers(dest="command", parser_class=Parser, metavar="COMMAND", required=True)

    run = commands.add_parser("run", help="train, evaluate and save a model, showing each pillar")
    _backend_options(run)
    _run_options(run)
    run.add_argument("--out", help="the folder for weights, checkpoints, history, plots and report "
                                   "(default runs/DATASET-MODEL)")
    run.add_argument("--resume", metavar="CKPT", help="carry on from a checkpoint (its settings are kept)")
    run.add_argument("--baseline", action="store_true", help="also fit scikit-learn's logistic/linear regression")
    run.add_argument("--export-torch", action="store_true", help="also write the weights as a torch .pt file")
    loudness = run.add_mutually_exclusive_group()
    loudness.add_argument("--quiet", action="store_true", help="print only the final result")
    loudness.add_argument("--json", action="store_true", help="print one JSON document with the results")
    run.set_defaults(handler=run_command)

    compared = commands.add_parser("compare", help="the same run on two backends, step by step")
    compared.add_argument("--backends", nargs=2, default=["minigrad", "torch"], metavar="BACKEND",
                          choices=[name for name in BACKENDS if name != "auto"])
    compared.add_argument("--rtol", type=positive_number, help="the relative tolerance (default 1e-9 in "
                                                               "float64, 1e-4 in float32)")
    _run_options(compared, epochs_default=3)
    compared.set_defaults(handler=compare_command)

    predicted = commands.add_parser("predict", help="predict with a saved checkpoint")
    predicted.add_argument("--checkpoint", required=True, metavar="CKPT")
    predicted.add_argument("--csv", metavar="PATH", help="new rows with the training columns (the target column may "
                                                        "be absent); default: the run's own test rows")
    predicted.add_argument("--output", metavar="PATH", help="write the predictions as CSV here instead of stdout")
    _backend_options(predicted)
    predicted.set_defaults(handler=predict_command)

    swapped = commands.add_parser("swap", help="run a torch script with `import torch` giving minigrad")
    swap.add_arguments(swapped)
    swapped.set_defaults(handler=swap_command)

    add_exercise_parser(commands)
    return parser


def _backend_options(parser):
    parser.add_argument("--backend", choices=BACKENDS,
                        help=f"minigrad, torch, torch:cuda or auto (default: ${ENVIRONMENT_VARIABLE}, else minigrad)")
    parser.add_argument("--device", choices=["cpu", "cuda"], help="where torch runs (torch:cuda is the same as "
                                                                   "--backend torch --device cuda)")


def _run_options(parser, epochs_default=None):
    """The options that make a Config; None means 'the Config's default' (or the checkpoint's)."""
    parser.add_argument("--dataset", choices=DATASETS)
    parser.add_argument("--csv", metavar="PATH", help="a CSV file with a header line (implies --dataset csv)")
    parser.add_argument("--target", metavar="COLUMN", help="the CSV column to predict")
    parser.add_argument("--task", choices=["regression", "classification", "binary", "multiclass"],
                        help="what the CSV target is (default: guessed from its values)")
    parser.add_argument("--model", choices=KINDS)
    parser.add_argument("--hidden", type=sizes, metavar="N[,N...]", help="hidden sizes (channels for cnn)")
    parser.add_argument("--activation", choices=list(ACTIVATIONS))
    parser.add_argument("--dropout", type=number)
    parser.add_argument("--loss", choices=list(LOSSES))
    parser.add_argument("--optimizer", choices=list(OPTIMIZERS))
    parser.add_argument("--lr", type=positive_number, help="learning rate (> 0)")
    parser.add_argument("--weight-decay", type=number)
    parser.add_argument("--scheduler", choices=SCHEDULERS)
    parser.add_argument("--epochs", type=whole_number, default=epochs_default)
    parser.add_argument("--batch-size", type=whole_number)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--dtype", choices=DTYPES)
    parser.add_argument("--split", dest="fractions", type=fractions, metavar="TRAIN,VAL,TEST",
                        help="three fractions that sum to 1 (default 0.7,0.15,0.15)")
    parser.add_argument("--monitor", help="the quantity that picks the best epoch (default val_loss)")
    parser.add_argument("--patience", type=whole_number, help="stop after this many epochs without a new best")


def _config(args, saved=None):
    """The Config the options describe: the defaults (or a checkpoint's settings) plus what was given."""
    given = {field.name: getattr(args, field.name) for field in dataclasses.fields(Config)
             if getattr(args, field.name, None) is not None}
    if given.get("csv") and "dataset" not in given:
        given["dataset"] = "csv"
    if saved is None:
        _refuse_ignored(given, given.get("model", Config.model))
        return Config(**given).check()
    config = Config.from_dict(saved)
    clashes = [name for name, value in given.items() if name not in FREE_ON_RESUME and getattr(config, name) != value]
    if clashes:
        name = clashes[0]
        raise ConfigError(f"the checkpoint was made with --{name.replace('_', '-')} {_shown(getattr(config, name))}; "
                          f"a resumed run keeps its settings (only --epochs and --patience may change)")
    return dataclasses.replace(config, **given).check()


def _refuse_ignored(given, model):
    """Refuse model options that a new run would ignore without a word: --hidden, --activation or
    --dropout where the model has no place for it (a linear model has none; an LSTM takes hidden
    sizes only), and an LSTM's sizes that differ (its layers all have the first one's width).

    Only what was given is checked, and only for a new run: a checkpoint's settings rebuild the
    model it was trained with, as they always did.
    """
    unused = [name for name in ("hidden", "activation", "dropout") if name in given
              and name not in SETTINGS_OF_KIND[model]]
    if unused:
        takes = ", ".join(f"--{name}" for name in SETTINGS_OF_KIND[model])
        reason = f"it takes {takes} only" if takes else "it has no hidden layers"
        raise ConfigError(f"--{unused[0]} does not apply to --model {model} ({reason}); "
                          "leave it out or choose another model")
    hidden = given.get("hidden", ())
    if model == "lstm" and len(set(hidden)) > 1:
        raise ConfigError(f"--hidden {_shown(hidden)}: an LSTM's layers all have the same size; give one size per "
                          f"layer, all equal (such as {hidden[0]} or {hidden[0]},{hidden[0]})")


def _shown(value):
    return ",".join(map(str, value)) if isinstance(value, tuple) else value


# ------------------------------------------------------------------ pillars run
def run_command(args: argparse.Namespace) -> int:
    verbosity = "json" if args.json else "quiet" if args.quiet else "normal"
    reporter = Reporter(verbosity)
    checkpoint = load_checkpoint(args.resume) if args.resume else None
    config = _config(args, checkpoint["run"]["config"] if checkpoint else None)
    if checkpoint:
        config = _with_training_csv(checkpoint["run"], config, "put back the file it was trained on, or start a "
                                                               "new run instead of resuming")
    chosen = backend(args.backend, args.device)
    if args.export_torch:
        backend("torch")  # torch must be there to write the .pt file: refused now, not after training
    parts = build(config, chosen)
    check_monitor(config.monitor, parts.data.task)
    out = pathlib.Path(args.out or (pathlib.Path(args.resume).parent if args.resume else
                                    pathlib.Path("runs") / f"{parts.data.name}-{config.model}"))
    _make_folder(out)
    state = restore(checkpoint, parts.model, parts.optimizer, parts.scheduler) if checkpoint else TrainingState()

    reporter.data(config, parts.data, chosen)
    reporter.model(config, summary(parts.model, parts.data.input_shape), chosen.device)
    reporter.objective(parts)
    reporter.training_starts(config, parts.data, state.epoch)
    run_description = _run_description(parts)
    try:
        stopped = _train(parts, state, reporter, out, run_description)
    except KeyboardInterrupt:
        stopped = out / "last.ckpt"
    if stopped is not None:
        reporter.final(_resume_message(stopped, args, state))
        return INTERRUPTED

    test = evaluate(parts.model, parts.loaders.test, parts.loss_fn, parts.data.task)
    classic = baseline(parts.data) if args.baseline else None
    reporter.evaluation(test, parts.data.task, state.best_epoch, classic)
    files = _save_results(parts, state, test, classic, out, args.export_torch)
    reporter.saved(files)
    key = KEY_METRIC[parts.data.task.kind]
    diverged = "" if math.isfinite(test.loss) else " (the loss is not a number: training diverged; try a smaller --lr)"
    reporter.final(f"test {key} {test.metrics[key]:.4f} (loss {test.loss:.4f}) with the weights of epoch "
                   f"{state.best_epoch} of {state.epoch}; results in {out}{diverged}")
    if verbosity == "json":
        print(_json_text(_json_result(config, chosen, state, test, classic, files)))
    return 0


def _json_text(value):
    """JSON that any reader parses: a NaN or infinite number (a diverged run's loss) is null."""
    def finite(item):
        if isinstance(item, float) and not math.isfinite(item):
            return None
        if isinstance(item, dict):
            return {key: finite(entry) for key, entry in item.items()}
        if isinstance(item, (list, tuple)):
            return [finite(entry) for entry in item]
        return item
    return json.dumps(finite(value), indent=2, allow_nan=False, default=str)


def _make_folder(out):
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ConfigError(f"cannot make the output folder {out}: {err.strerror}") from None


def _run_description(parts):
    """What a checkpoint needs besides the states to rebuild the model and read new rows. For a CSV
    run also the file's absolute path and fingerprint, for `_with_training_csv` to find it again."""
    description = {"config": parts.config.as_dict(), "task": dataclasses.asdict(parts.data.task),
                   "preprocessing": parts.data.preprocessor.state(), "input_shape": list(parts.data.input_shape),
                   "feature_names": list(parts.data.feature_names)}
    if parts.config.csv is not None:
        description["csv"] = {"path": str(pathlib.Path(parts.config.csv).resolve()),
                              "sha256": file_sha256(parts.config.csv)}
    return description


def _with_training_csv(run, config, advice):
    """The config of a checkpoint's run, to read its CSV file again (for its test rows, or to resume).

    The file is the one at the absolute path recorded at training time, so the command may run from
    any folder, and it must still have the recorded SHA-256: the same split of a changed file picks
    other rows without a word, so a change is refused, with ``advice`` on what to do instead.
    Checkpoints from before the fingerprint was kept read the path as it was given, as before.
    """
    recorded = run.get("csv")
    if recorded is None:
        return config
    if file_sha256(recorded["path"]) != recorded["sha256"]:
        raise DataError(f"{recorded['path']} has changed since the model was trained (its SHA-256 differs), so its "
                        f"split no longer gives the run's rows; {advice}")
    return dataclasses.replace(config, csv=recorded["path"])


class _StopRequest:
    """Turns the first Ctrl-C into a request to stop after the current batch; a second one stops at once."""

    def __enter__(self):
        self.requested = False
        self.previous = signal.signal(signal.SIGINT, self._ask)
        return self

    def _ask(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __exit__(self, *exc):
        signal.signal(signal.SIGINT, self.previous)


def _train(parts, state, reporter, out, run_description):
    """Train while saving checkpoints from the record stream; the checkpoint to resume from if stopped."""
    def checkpoint(path):
        save_checkpoint(path, model=parts.model, optimizer=parts.optimizer, scheduler=parts.scheduler,
                        state=state, run=run_description)
        return path

    n_batches = math.ceil(len(parts.loaders.train.dataset) / parts.config.batch_size)
    records = fit(parts.model, parts.loaders, parts.loss_fn, parts.optimizer, task=parts.data.task,
                  epochs=parts.config.epochs, scheduler=parts.scheduler, monitor=parts.config.monitor,
                  patience=parts.config.patience, state=state, every_step=True)
    with _StopRequest() as stop, reporter.batches():
        for record in records:
            if isinstance(record, StepRecord):
                reporter.step(record, n_batches, state.loss_sum / max(state.rows, 1))
                if stop.requested:
                    return checkpoint(out / "interrupted.ckpt")
                continue
            reporter.epoch(record)
            checkpoint(out / "last.ckpt")
            if record.best:
                checkpoint(out / "best.ckpt")
            if stop.requested:  # Ctrl-C during the epoch's validation
                return out / "last.ckpt"
    # Checked once the handler is restored, so that no Ctrl-C falls between this check and that:
    # one after the last record (while the progress bar closes, say) stops the run all the same.
    if stop.requested:
        return out / "last.ckpt"
    return None


def _resume_message(path, args, state):
    where = f"epoch {state.epoch + 1}, batch {state.step}" if state.step else f"the end of epoch {state.epoch}"
    options = f" --backend {args.backend}" if args.backend else ""
    if not path.exists():
        return "interrupted before the first checkpoint; nothing to resume"
    return f"interrupted at {where}; the checkpoint {path} is complete. Resume with: pillars run --resume {path}{options}"


def _save_results(parts, state, test, classic, out, torch_export):
    files = {"weights": out / "model.weights", "best checkpoint": out / "best.ckpt",
             "last checkpoint": out / "last.ckpt", "history": out / "history.json",
             "learning curves": out / "curves.png"}
    save_weights(parts.model, files["weights"])
    history = [record.as_dict() for record in state.history]
    _write_text(files["history"], _json_text(history))
    plot_history(state.history, files["learning curves"])
    if test.confusion is not None:
        files["confusion matrix"] = out / "confusion.png"
        plot_confusion(test.confusion, parts.data.task.class_names, files["confusion matrix"])
    if torch_export:
        files["torch weights"] = out / "model.pt"
        export_torch(parts.model, files["torch weights"])
    files["report"] = out / "report.md"
    _write_text(files["report"], _report(parts, state, test, classic))
    # (a resumed run that had no epochs left to train wrote no checkpoints: they are not listed)
    return {what: str(path) for what, path in files.items() if path.exists()}


def _write_text(path, text):
    """Write a text file whole or not at all (through a temporary file renamed into place); a path
    that cannot be written is a ConfigError naming it, and leaves nothing behind."""
    if path.is_dir():
        raise ConfigError(f"cannot write {path}: it is a folder; give a file name")
    temporary = path.with_name(f".{path.name}.partial")
    try:
        temporary.write_text(text + "\n", encoding="utf-8")
        os.replace(temporary, path)
    except OSError as err:
        temporary.unlink(missing_ok=True)
        raise ConfigError(f"cannot write {path}: {err.strerror}") from None


def _report(parts, state, test, classic):
    config, data = parts.config, parts.data
    settings = [f"- {name}: {_shown(value)}" for name, value in config.as_dict().items() if value is not None]
    lines = [f"# pillars run: {data.name}, {config.model} on {parts.backend}", "", "## Settings", "", *settings,
             "", "## Split", ""]
    lines += [f"- {part}: {size} rows" for part, size in data.split.sizes().items()]
    lines += ["", f"## Test rows (weights of epoch {state.best_epoch} of {state.epoch}, best by {config.monitor})",
              "", f"- loss per row: {test.loss:.4f}"]
    lines += [f"- {name}: {value:.4f}" for name, value in test.metrics.items()]
    if classic is not None:
        lines += ["", f"## Baseline: {classic.name}", ""]
        lines += [f"- {name}: {value:.4f}" for name, value in classic.evaluation.metrics.items()]
    if test.report:
        lines += ["", "## Classification report", "", "```", test.report.rstrip(), "```"]
    return "\n".join(lines)


def _json_result(config, chosen, state, test, classic, files):
    result = {"backend": chosen.label, "config": config.as_dict(), "epochs_run": state.epoch,
              "best_epoch": state.best_epoch, "history": [record.as_dict() for record in state.history],
              "test": {"loss": test.loss, "metrics": test.metrics}, "files": files}
    if test.confusion is not None:
        result["test"]["confusion_matrix"] = test.confusion.tolist()
    if classic is not None:
        result["baseline"] = {"name": classic.name, "metrics": classic.evaluation.metrics}
    return result


# ------------------------------------------------------------------ pillars compare
def compare_command(args: argparse.Namespace) -> int:
    config = _config(args)
    names = tuple(args.backends)
    print(f"comparing {names[0]} and {names[1]}: {config.dataset}, {config.model}, {config.dtype}, "
          f"{config.epochs} epochs, seed {config.seed}")
    result = compare(config, names, rtol=args.rtol)
    first, second = result.histories
    print(f"{'epoch':>5}  {'train loss ' + names[0]:>22}  {'train loss ' + names[1]:>22}  "
          f"{'val loss ' + names[0]:>22}  {'val loss ' + names[1]:>22}  {'largest rel. diff':>17}")
    for one, other in zip(first, second):
        largest = max(d.size for d in result.differences if d.epoch == one.epoch)
        print(f"{one.epoch:>5}  {one.train_loss:>22.15g}  {other.train_loss:>22.15g}  "
              f"{one.val_loss:>22.15g}  {other.val_loss:>22.15g}  {largest:>17.2e}")
    largest = result.largest
    print(f"largest relative difference: {largest.size:.2e} ({largest.quantity}, {largest.where()}) "
          f"over {len(result.differences)} quantities; tolerance {result.rtol:g}")
    diverged = result.first_divergence
    if diverged is None:
        print(f"agree: every step's loss, gradient norm and update norm, every epoch's metrics and the final "
              f"weights are within {result.rtol:g}")
        return 0
    print(f"diverged first at {diverged.where()}: {diverged.quantity} is {diverged.values[0]!r} on {names[0]} "
          f"and {diverged.values[1]!r} on {names[1]} (relative difference {diverged.size:.2e} > {result.rtol:g})")
    return 1


# ------------------------------------------------------------------ pillars predict
def predict_command(args: argparse.Namespace) -> int:
    checkpoint = load_checkpoint(args.checkpoint)
    run = checkpoint["run"]
    config = Config.from_dict(run["config"])
    task = Task(**run["task"])
    chosen = backend(args.backend, args.device)
    model = build_model(chosen, config.model, tuple(run["input_shape"]), task.n_outputs, **config.model_settings(),
                        dtype=config.dtype)
    restore(checkpoint, model)
    preprocessor = Preprocessor.from_state(run["preprocessing"])
    if args.csv:
        features = read_features(args.csv, run["feature_names"], preprocessor.categorical)
        names = [str(i) for i in range(1, len(features) + 1)]
        targets = None
    else:
        table = load_table(_with_training_csv(run, config, "to predict the rows it holds now, give it with --csv"))
        labels = table.target if task.is_classification else None
        rows = split_indices(len(table), config.fractions, config.seed, stratify=labels).test
        features, names, targets = table.features[rows], [str(i) for i in rows], table.target[rows]
    shaped = preprocessor.transform(features).astype(config.dtype).reshape((len(features), *run["input_shape"]))
    predictions, probabilities = predict(model, shaped, task)
    _write_predictions(args.output, names, predictions, probabilities, task, "row" if args.csv else "dataset row")
    if targets is not None and args.output is None:
        hits = (predictions == targets).mean() if task.is_classification else None
        note = f"accuracy {hits:.4f}" if hits is not None else f"mean absolute error {abs(predictions - targets).mean():.4f}"
        print(f"# {len(targets)} test rows of {config.dataset}: {note}", file=sys.stderr)
    return 0


def _write_predictions(output, names, predictions, probabilities, task, row_label):
    """Predictions as CSV: the row, the prediction (a class name or a value) and each class's probability."""
    header = [row_label, "prediction"]
    if probabilities is not None:
        header += [f"p({name})" for name in task.class_names]
    rows = [header]
    for index, name in enumerate(names):
        cells = [name, task.class_names[predictions[index]] if task.is_classification else f"{predictions[index]:.6g}"]
        if probabilities is not None:
            cells += [f"{p:.4f}" for p in probabilities[index]]
        rows.append(cells)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)  # (quoted where a class name holds a comma)
    text = buffer.getvalue().rstrip("\n")
    if output is None:
        print(text)
    else:
        _write_text(pathlib.Path(output), text)


# ------------------------------------------------------------------ pillars swap
def swap_command(args: argparse.Namespace) -> int:
    existing_file(args.script, "no such script")
    swap.run_script(args.script, args.args, args.backend)
    return 0


if __name__ == "__main__":
    sys.exit(main())
