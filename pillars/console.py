"""What ``pillars run`` shows as each pillar happens, drawn with rich.

The reporter only reads: the prepared data, the model summary, and the records that ``fit``
yields. Quiet mode prints the final result alone; JSON mode prints nothing until the one JSON
document at the end.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator, Mapping

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from pillars.backends import Backend
from pillars.baseline import Baseline
from pillars.data import Prepared, Task
from pillars.evaluation import Evaluation
from pillars.models import Summary, shape_text
from pillars.recipe import Config, Parts
from pillars.training import EpochRecord, StepRecord

KEY_METRIC = {"regression": "r2", "binary": "accuracy", "multiclass": "accuracy"}
SHORT_NAME = {"accuracy": "acc"}


class Reporter:
    """Prints the run pillar by pillar: ``verbosity`` is "normal", "quiet" or "json" (silent)."""

    def __init__(self, verbosity: str = "normal", console: Console | None = None) -> None:
        self.verbosity = verbosity
        self.console = console or Console(highlight=False)
        if verbosity != "normal":  # the per-pillar story is swallowed; only final() speaks
            self.story = Console(file=io.StringIO())
        else:
            self.story = self.console
        self.progress = None

    # -- pillar 1
    def data(self, config: Config, data: Prepared, backend: Backend) -> None:
        task = data.task
        what = f"{len(task.class_names)} classes" if task.is_classification else "one value per row"
        self.story.rule(f"[bold]pillars[/] on {backend}")
        self.story.print(f"[bold]1 data[/]       {data.name}: {task.kind}, {what}, rows of shape {data.input_shape}")
        sizes = data.split.sizes()
        total = sum(sizes.values())
        parts = ", ".join(f"{part} {size} ({100 * size / total:.0f}%)" for part, size in sizes.items())
        self.story.print(f"             split {parts}, seed {config.seed}")
        self.story.print("             scaling fitted on the training rows only")

    # -- pillar 2
    def model(self, config: Config, model_summary: Summary, device: str) -> None:
        table = Table(title=None, show_edge=False, box=None, padding=(0, 2))
        for column in ("layer", "type", "output shape", "parameters"):
            table.add_column(column, justify="right" if column == "parameters" else "left")
        for row in model_summary.rows:
            table.add_row(row.name, row.layer, shape_text(row.output_shape), f"{row.parameters:,}")
        self.story.print(f"[bold]2 model[/]      {config.model} on {device}, {config.dtype}, "
                         f"{model_summary.total:,} parameters ({model_summary.trainable:,} trainable)")
        self.story.print(table)

    # -- pillar 3
    def objective(self, parts: Parts) -> None:
        group = parts.optimizer.param_groups[0]
        schedule = "" if parts.scheduler is None else f", schedule {parts.config.scheduler}"
        self.story.print(f"[bold]3 objective[/]  loss {parts.loss_name}; optimizer {parts.config.optimizer} "
                         f"(lr {group['lr']:g}, weight decay {group.get('weight_decay', 0):g}){schedule}")

    # -- pillar 4
    def training_starts(self, config: Config, data: Prepared, start_epoch: int) -> None:
        self.key = KEY_METRIC[data.task.kind]
        label = SHORT_NAME.get(self.key, self.key)
        resumed = f", resumed after epoch {start_epoch}" if start_epoch else ""
        self.story.print(f"[bold]4 training[/]   {config.epochs} epochs, batches of {config.batch_size}"
                         f"{resumed}; best epoch by {config.monitor}")
        self.story.print(f"  {'epoch':>5}  {'train loss':>10}  {'val loss':>9}  {'train ' + label:>9}  "
                         f"{'val ' + label:>7}  {'lr':>8}  {'time':>6}")

    @contextlib.contextmanager
    def batches(self) -> Iterator[None]:
        """A progress bar over each epoch's batches, showing the running loss; gone when the epoch ends."""
        columns = [TextColumn("  epoch {task.fields[epoch]}"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("loss {task.fields[loss]:.4f}"), TimeElapsedColumn()]
        with Progress(*columns, console=self.story, transient=True,
                      disable=not self.story.is_terminal) as self.progress:
            yield

    def step(self, record: StepRecord, n_batches: int, running_loss: float) -> None:
        if self.progress is None:
            return
        if not self.progress.tasks or self.progress.tasks[-1].fields["epoch"] != record.epoch:
            for task in self.progress.tasks:
                self.progress.remove_task(task.id)
            self.progress.add_task("", total=n_batches, epoch=record.epoch, loss=running_loss, completed=record.step - 1)
        self.progress.update(self.progress.tasks[-1].id, completed=record.step, loss=running_loss)

    def epoch(self, record: EpochRecord) -> None:
        mark = "  [green]best[/]" if record.best else ""
        self.story.print(f"  {record.epoch:>5}  {record.train_loss:>10.4f}  {record.val_loss:>9.4f}  "
                         f"{record.train_metrics[self.key]:>9.4f}  {record.val_metrics[self.key]:>7.4f}  "
                         f"{record.lr:>8.2g}  {record.seconds:>5.2f}s{mark}")

    # -- pillar 5
    def evaluation(self, result: Evaluation, task: Task, best_epoch: int, baseline: Baseline | None = None) -> None:
        self.story.print(f"[bold]5 evaluation[/] the test rows, with the weights of epoch {best_epoch}")
        metrics = result.metrics
        if task.is_classification:
            self.story.print(f"             accuracy {metrics['accuracy']:.4f}, loss per row {result.loss:.4f}")
            table = Table(show_edge=False, box=None, padding=(0, 2))
            table.add_column("")
            for column in ("macro", "micro", "weighted", *(["positive class"] if "f1" in metrics else [])):
                table.add_column(column, justify="right")
            for name in ("precision", "recall", "f1"):
                cells = [f"{metrics[f'{name}_{average}']:.4f}" for average in ("macro", "micro", "weighted")]
                table.add_row(name, *cells, *([f"{metrics[name]:.4f}"] if name in metrics else []))
            self.story.print(table)
        else:
            self.story.print("             " + ", ".join(f"{name} {value:.4g}" for name, value in metrics.items())
                             + f", loss per row {result.loss:.4f}")
        if baseline is not None:
            key = KEY_METRIC[task.kind]
            gap = metrics[key] - baseline.evaluation.metrics[key]
            self.story.print(f"             {baseline.name} on the same split: {key} "
                             f"{baseline.evaluation.metrics[key]:.4f}")
            self.story.print(f"             the network is {abs(gap):.4f} {'ahead' if gap >= 0 else 'behind'}")
        if result.report:
            self.story.print(result.report, markup=False)

    # -- pillar 6
    def saved(self, files: Mapping[str, str]) -> None:
        self.story.print("[bold]6 saved[/]")
        for what, path in files.items():
            self.story.print(f"  {what:<22} {path}")

    def final(self, text: str) -> None:
        """The closing line(s): shown in normal and quiet mode, not in JSON mode."""
        if self.verbosity != "json":
            print(text)
