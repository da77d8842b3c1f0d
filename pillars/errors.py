"""The mistakes a user can make, as exception classes the command line turns into one line.

Each is also a standard Python exception (ValueError, RuntimeError, FileNotFoundError), so code
that calls the pillars as a library can catch what it would expect to catch.
"""


class PillarsError(Exception):
    """A mistake in what was asked of pillars: the message says what was wrong and what to do."""


class ConfigError(PillarsError, ValueError):
    """An unknown name or an out-of-range setting: a dataset, model, optimizer, lr, epochs ..."""


class DataError(PillarsError, ValueError):
    """Data that cannot be used as given: a missing column, a cell that is not a number ..."""


class MissingFileError(PillarsError, FileNotFoundError):
    """A file named by the user that is not there."""


class BackendError(PillarsError, RuntimeError):
    """A backend that cannot run here: torch not installed, no CUDA device."""


class CheckpointError(PillarsError, ValueError):
    """A checkpoint that does not fit: another model's weights, a file that is not a checkpoint."""
