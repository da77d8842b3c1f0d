"""A run's recipe: every choice in one Config, and the six pillars built from it in order.

    config = Config(dataset="digits", model="cnn", epochs=10)
    parts = build(config, backend("torch"))
    for record in fit(parts.model, parts.loaders, parts.loss_fn, parts.optimizer,
                      task=parts.data.task, epochs=config.epochs):
        ...

The command line, ``pillars compare`` and ``predict`` all go through here, so the same
Config gives the same split, batches and starting weights on every backend. A Config is
plain data: it is saved in every checkpoint and read back to rebuild the model.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from pillars import datasets
from pillars.backends import Backend, LossFunction, Module, Optimizer, Scheduler
from pillars.data import Loaders, Prepared, check_fractions, make_loaders, prepare
from pillars.errors import ConfigError
from pillars.models import DTYPES, KINDS, LAYOUT_OF_KIND, SETTINGS_OF_KIND, build_model
from pillars.objective import (OPTIMIZERS, SCHEDULERS, check_loss_for_task, default_loss, loss_function,
                               make_optimizer, make_scheduler)


@dataclasses.dataclass
class Config:
    """Every choice a run makes, with the defaults of ``pillars run``."""

    dataset: str = "digits"
    csv: str | None = None
    target: str | None = None
    task: str | None = None                 # override the task read from the data (e.g. "regression")
    model: str = "mlp"
    hidden: tuple[int, ...] | None = None             # None: the model kind's default sizes
    activation: str = "relu"
    dropout: float = 0.0
    loss: str | None = None                 # None: the task's usual loss
    optimizer: str = "adam"
    lr: float | None = None                 # None: the optimizer's usual rate
    weight_decay: float = 0.0
    scheduler: str = "none"
    epochs: int = 30
    batch_size: int = 32
    seed: int = 0
    dtype: str = "float32"
    fractions: tuple[float, float, float] = (0.7, 0.15, 0.15)
    monitor: str = "val_loss"
    patience: int | None = None

    def check(self) -> Config:
        """Refuse out-of-range settings before any work is done; return self."""
        if self.dataset not in datasets.NAMES:
            raise ConfigError(f"unknown dataset {self.dataset!r}; choose one of {', '.join(datasets.NAMES)}")
        if (self.csv is None) != (self.dataset != "csv"):
            raise ConfigError("a CSV file goes with --dataset csv (or give --csv alone)")
        if self.csv is None and (self.target is not None or self.task is not None):
            raise ConfigError(f"--target and --task go with --csv: the {self.dataset} dataset has its own target "
                              "and task")
        if self.model not in KINDS:
            raise ConfigError(f"unknown model {self.model!r}; choose one of {', '.join(KINDS)}")
        if self.optimizer not in OPTIMIZERS:
            raise ConfigError(f"unknown optimizer {self.optimizer!r}; choose one of {', '.join(OPTIMIZERS)}")
        if self.scheduler not in SCHEDULERS:
            raise ConfigError(f"unknown scheduler {self.scheduler!r}; choose one of {', '.join(SCHEDULERS)}")
        if self.dtype not in DTYPES:
            raise ConfigError(f"unknown dtype {self.dtype!r}; choose float32 or float64")
        if self.lr is not None and not self.lr > 0:
            raise ConfigError(f"learning rate must be > 0, got {self.lr}")
        for name in ("epochs", "batch_size"):
            value = getattr(self, name)
            if int(value) != value or value < 1:
                raise ConfigError(f"{name.replace('_', ' ')} must be a whole number >= 1, got {value}")
        if not 0 <= self.seed < 2 ** 32:  # (NumPy's and scikit-learn's seeds)
            raise ConfigError(f"seed must be between 0 and {2 ** 32 - 1}, got {self.seed}")
        if self.patience is not None and self.patience < 1:
            raise ConfigError(f"patience must be >= 1, got {self.patience}")
        if not 0 <= self.dropout < 1:
            raise ConfigError(f"dropout must be in [0, 1), got {self.dropout}")
        if self.weight_decay < 0:
            raise ConfigError(f"weight decay must be >= 0, got {self.weight_decay}")
        check_fractions(self.fractions)
        return self

    def model_settings(self) -> dict[str, Any]:
        """hidden, activation and dropout, as far as the model kind has a place for them: a checkpoint
        made by an older pillars may hold others, which its model ignored (build_model refuses them)."""
        settings = {"hidden": self.hidden, "activation": self.activation, "dropout": self.dropout}
        return {name: value for name, value in settings.items() if name in SETTINGS_OF_KIND[self.model]}

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Config:
        known = {field.name for field in dataclasses.fields(cls)}
        config = cls(**{key: value for key, value in values.items() if key in known})
        config.fractions = tuple(config.fractions)
        config.hidden = None if config.hidden is None else tuple(config.hidden)
        return config


@dataclasses.dataclass
class Parts:
    """The six pillars of one run, built: data, loaders, model, loss, optimizer and schedule."""

    config: Config
    backend: Backend
    table: datasets.Table
    data: Prepared
    loaders: Loaders
    model: Module
    loss_fn: LossFunction
    optimizer: Optimizer
    scheduler: Scheduler | None

    @property
    def loss_name(self) -> str:
        return self.config.loss or default_loss(self.data.task.kind)


def load_table(config: Config) -> datasets.Table:
    return datasets.load(config.dataset, csv_path=config.csv, target=config.target,
                         task=config.task, seed=config.seed)


def build(config: Config, backend: Backend, table: datasets.Table | None = None) -> Parts:
    """Build every pillar of a run on a backend, from the config alone (plus an already-read table)."""
    config.check()
    table = table if table is not None else load_table(config)
    loss = config.loss or default_loss(table.task)
    check_loss_for_task(loss, table.task)
    as_classes = "multiclass" if (table.task == "binary" and loss == "cross_entropy") else None
    data = prepare(table, config.fractions, config.seed, layout=LAYOUT_OF_KIND[config.model],
                   task=as_classes, dtype=config.dtype)
    loaders = make_loaders(data, backend, config.batch_size, config.seed)
    model = build_model(backend, config.model, data.input_shape, data.task.n_outputs, **config.model_settings(),
                        seed=config.seed, dtype=config.dtype)
    loss_fn = loss_function(model, loss)
    optimizer = make_optimizer(model, config.optimizer, config.lr, weight_decay=config.weight_decay)
    scheduler = make_scheduler(optimizer, config.scheduler, epochs=config.epochs)
    return Parts(config, backend, table, data, loaders, model, loss_fn, optimizer, scheduler)
