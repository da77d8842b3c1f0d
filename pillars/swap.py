"""Run torch code on minigrad, unchanged: ``import torch`` gets minigrad.

    pillars swap script.py [args...]                    # run a torch script on minigrad
    pillars swap --backend torch script.py              # the same script on real torch
    python -m pillars.swap script.py                    # the same as pillars swap

In Python:

    from pillars.swap import torch_is_minigrad
    with torch_is_minigrad():
        import torch            # minigrad
        import torch.nn as nn   # minigrad.nn

Nothing happens at import time; the aliases exist only inside the context (or for the
script run by the command line): an import hook maps every `torch.x` to `minigrad.x`,
and the previous modules are restored afterwards.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.abc
import importlib.util
import runpy
import sys
from collections.abc import Iterator, Sequence

from pillars.arguments import Parser
from pillars.errors import PillarsError, existing_file


class _MinigradAsTorch(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Resolves `torch` and every `torch.x.y` to the already-built `minigrad.x.y` module."""

    def find_spec(self, name, path=None, target=None):
        if name != "torch" and not name.startswith("torch."):
            return None
        stand_in = "minigrad" + name[len("torch"):]
        if importlib.util.find_spec(stand_in) is None:
            raise ModuleNotFoundError(f"minigrad has no counterpart of {name!r} (looked for {stand_in!r})", name=name)
        return importlib.util.spec_from_loader(name, self)

    def create_module(self, spec):
        return importlib.import_module("minigrad" + spec.name[len("torch"):])

    def exec_module(self, module):
        """Nothing to run: the minigrad module is already imported."""


@contextlib.contextmanager
def torch_is_minigrad() -> Iterator[None]:
    """Within this context, importing torch (or torch.nn, torch.utils.data.dataloader, ...) gives minigrad's."""
    hidden = {name: module for name, module in sys.modules.items() if name == "torch" or name.startswith("torch.")}
    for name in hidden:
        del sys.modules[name]
    finder = _MinigradAsTorch()
    sys.meta_path.insert(0, finder)
    try:
        yield importlib.import_module("torch")
    finally:
        sys.meta_path.remove(finder)
        for name in [n for n in sys.modules if n == "torch" or n.startswith("torch.")]:
            del sys.modules[name]
        sys.modules.update(hidden)


def run_script(script: str, args: Sequence[str] = (), backend: str = "minigrad") -> None:
    """Run a Python script as __main__ with its own argv, on minigrad (torch imports give minigrad) or torch."""
    sys.argv = [script, *args]
    context = torch_is_minigrad() if backend == "minigrad" else contextlib.nullcontext()
    with context:
        runpy.run_path(script, run_name="__main__")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``pillars swap`` (and ``python -m pillars.swap``)."""
    parser.add_argument("--backend", choices=["minigrad", "torch"], default="minigrad")
    parser.add_argument("script", help="the Python script to run")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="arguments for the script")


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m pillars.swap``: the same as ``pillars swap``."""
    parser = Parser(prog="python -m pillars.swap", description="Run a torch script on a backend.")
    add_arguments(parser)
    options = parser.parse_args(argv)
    try:
        existing_file(options.script, "no such script")
    except PillarsError as err:
        parser.error(str(err))
    run_script(options.script, options.args, options.backend)


if __name__ == "__main__":
    main()
