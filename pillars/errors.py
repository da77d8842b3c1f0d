"""The mistakes a user can make, as exception classes the command line turns into one line.

Each is also a standard Python exception (ValueError, RuntimeError, FileNotFoundError), so code
that calls the pillars as a library can catch what it would expect to catch. ``existing_file`` is
the one check that every file named by the user goes through.
"""

from __future__ import annotations

import os
import pathlib


class PillarsError(Exception):
    """A mistake in what was asked of pillars: the message says what was wrong and what to do."""


class ConfigError(PillarsError, ValueError):
    """An unknown name or an out-of-range setting: a dataset, model, optimizer, lr, epochs ..."""


class DataError(PillarsError, ValueError):
    """Data that cannot be used as given: a missing column, a cell that is not a number ..."""


class MissingFileError(PillarsError, FileNotFoundError):
    """A file named by the user that is not there."""


class NotAFileError(PillarsError, IsADirectoryError):
    """A folder named by the user where a file is expected."""


class BackendError(PillarsError, RuntimeError):
    """A backend that cannot run here: torch not installed, no CUDA device."""


class CheckpointError(PillarsError, ValueError):
    """A checkpoint that does not fit: another model's weights, a file that is not a checkpoint."""


def existing_file(path: str | os.PathLike, not_found: str = "no such file") -> pathlib.Path:
    """``path`` as a Path when it names a file. Else MissingFileError ("{not_found}: {path}"), or
    NotAFileError when it names a folder: something is there, so "not found" would mislead."""
    path = pathlib.Path(path)
    if path.is_dir():
        raise NotAFileError(f"{path} is a folder, not a file")
    if not path.is_file():
        raise MissingFileError(f"{not_found}: {path}")
    return path
