"""Pillar 6, saving, loading and inference: weights and checkpoints that any backend can read back.

    save_weights(model, "model.weights")            # the state dict as NumPy arrays
    save_checkpoint("last.ckpt", model=model, optimizer=optimizer, scheduler=scheduler, state=state)
    state = restore(load_checkpoint("last.ckpt"), model, optimizer, scheduler)   # and fit(..., state=state)

Files are written in minigrad's pickle-free format (a zip of a JSON manifest and .npy arrays),
so loading one cannot run code, and every tensor is stored as a NumPy array, so a file written
from a torch run loads into minigrad and the other way round. Writes are atomic: a crash leaves
the previous file whole. ``export_torch`` writes a torch-native ``.pt`` state dict for those who
move on to torch alone.
"""

from __future__ import annotations

import dataclasses
import json
import os
import pathlib
import tempfile
from typing import Any

import numpy as np
from minigrad import serialization

from pillars.backends import Module, Optimizer, Scheduler, backend, backend_of
from pillars.errors import CheckpointError, MissingFileError, existing_file
from pillars.models import dropout_states, get_weights, set_dropout_states, set_weights
from pillars.training import EpochRecord, TrainingState

WEIGHTS_FORMAT = "pillars-weights"
CHECKPOINT_FORMAT = "pillars-checkpoint"
VERSION = 1


def save_weights(model: Module, path: str | os.PathLike) -> None:
    """Write the model's state dict (parameters and buffers) as NumPy arrays."""
    serialization.save({"format": WEIGHTS_FORMAT, "version": VERSION, "weights": get_weights(model)}, path)


def load_weights(model: Module, path: str | os.PathLike) -> Module:
    """Load weights written by save_weights, or the model part of a checkpoint, into the model."""
    contents = _read(path, (WEIGHTS_FORMAT, CHECKPOINT_FORMAT))
    set_weights(model, contents["weights"] if contents["format"] == WEIGHTS_FORMAT else contents["model"])
    return model


def save_checkpoint(path: str | os.PathLike, *, model: Module, optimizer: Optimizer, state: TrainingState,
                    scheduler: Scheduler | None = None, run: dict[str, Any] | None = None) -> None:
    """Write everything needed to resume a run exactly: the model, optimizer and scheduler states,
    the TrainingState (epoch, batch position, history, best weights) and the dropout generators.

    ``run`` is any further JSON-like description of the run (its configuration, the task, the
    preprocessing), kept as it is.
    """
    checkpoint = {
        "format": CHECKPOINT_FORMAT, "version": VERSION,
        "model": get_weights(model),
        "optimizer": _as_arrays(optimizer.state_dict()),
        "scheduler": None if scheduler is None else _as_arrays(scheduler.state_dict()),
        "training": _state_as_dict(state),
        "rng": {name: json.dumps(value) for name, value in dropout_states(model).items()},
        "run": run or {},
    }
    serialization.save(checkpoint, path)


def load_checkpoint(path: str | os.PathLike) -> dict[str, Any]:
    """The checkpoint at path as a dict; CheckpointError when the file is missing or is something else."""
    return _read(path, (CHECKPOINT_FORMAT,))


def restore(checkpoint: dict[str, Any], model: Module, optimizer: Optimizer | None = None,
            scheduler: Scheduler | None = None) -> TrainingState:
    """Put a checkpoint's states into the model, optimizer and scheduler; return its TrainingState."""
    set_weights(model, checkpoint["model"])
    set_dropout_states(model, {name: json.loads(value) for name, value in checkpoint["rng"].items()})
    backend = backend_of(model)
    if optimizer is not None:
        optimizer.load_state_dict(_as_tensors(checkpoint["optimizer"], backend))
    if scheduler is not None and checkpoint["scheduler"] is not None:
        scheduler.load_state_dict(checkpoint["scheduler"])
    return _state_from_dict(checkpoint["training"])


def _read(path, formats):
    path = existing_file(path)
    try:
        contents = serialization.load(path)
    except serialization.SerializationError as err:
        raise CheckpointError(f"{path} is not a pillars file: {err}") from None
    if not isinstance(contents, dict) or contents.get("format") not in formats:
        raise CheckpointError(f"{path} is not a {' or '.join(formats)} file")
    if contents.get("version") != VERSION:
        raise CheckpointError(f"{path} is version {contents.get('version')} of its format; this pillars reads {VERSION}")
    return contents


def _state_as_dict(state):
    fields = dataclasses.asdict(state)
    fields["history"] = [record.as_dict() for record in state.history]
    return fields


def _state_from_dict(fields):
    fields = dict(fields)
    fields["history"] = [EpochRecord(**record) for record in fields["history"]]
    return TrainingState(**fields)


def _as_arrays(value):
    """A copy of a (nested) state dict with every tensor replaced by a NumPy array."""
    if hasattr(value, "detach"):
        return value.detach().cpu().numpy()
    if isinstance(value, dict):
        return {key: _as_arrays(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_as_arrays(item) for item in value)
    return value


def _as_tensors(value, backend):
    """The inverse of _as_arrays: every NumPy array becomes a tensor of the backend (on the CPU)."""
    if isinstance(value, np.ndarray):
        return backend.torch.tensor(value)
    if isinstance(value, dict):
        return {key: _as_tensors(item, backend) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_as_tensors(item, backend) for item in value)
    return value


def export_torch(model: Module, path: str | os.PathLike) -> None:
    """Write the model's state dict as a torch-native file that ``torch.load`` opens (needs torch).

    The file is written beside its final name under a temporary one, then renamed; a folder that is
    not there is refused by the name the caller gave, not by that temporary file's.
    """
    torch = backend("torch").torch
    weights = {name: torch.from_numpy(np.ascontiguousarray(array)) for name, array in get_weights(model).items()}
    path = pathlib.Path(path)
    if not path.parent.is_dir():
        raise MissingFileError(f"cannot write {path}: there is no folder {path.parent}")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            torch.save(weights, file)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
