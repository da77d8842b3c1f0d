"""Run torch code on minigrad, unchanged: ``import torch`` gets minigrad.

    python -m pillars.swap script.py [args...]          # run a torch script on minigrad
    python -m pillars.swap --backend torch script.py    # the same script on real torch

In Python:

    from pillars.swap import torch_is_minigrad
    with torch_is_minigrad():
        import torch            # minigrad
        import torch.nn as nn   # minigrad.nn

Nothing happens at import time; the aliases exist only inside the context (or for the
script run by the command line) and the previous modules are restored afterwards.
"""

import argparse
import contextlib
import importlib
import runpy
import sys

# torch module name -> the minigrad module that stands in for it
ALIASES = {
    "torch": "minigrad",
    "torch.nn": "minigrad.nn",
    "torch.nn.functional": "minigrad.nn.functional",
    "torch.nn.init": "minigrad.nn.init",
    "torch.nn.utils": "minigrad.nn.utils",
    "torch.optim": "minigrad.optim",
    "torch.optim.lr_scheduler": "minigrad.optim.lr_scheduler",
    "torch.utils": "minigrad.utils",
    "torch.utils.data": "minigrad.utils.data",
    "torch.autograd": "minigrad.autograd",
    "torch.cuda": "minigrad.cuda",
    "torch.testing": "minigrad.testing",
}


@contextlib.contextmanager
def torch_is_minigrad():
    """Within this context, importing torch (or torch.nn, torch.optim, ...) gives minigrad's."""
    saved = {name: sys.modules.get(name) for name in ALIASES}
    try:
        for name, target in ALIASES.items():
            sys.modules[name] = importlib.import_module(target)
        yield sys.modules["torch"]
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m pillars.swap", description="Run a torch script on a backend.")
    parser.add_argument("--backend", choices=["minigrad", "torch"], default="minigrad")
    parser.add_argument("script", help="path of the Python script to run")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="arguments passed to the script")
    options = parser.parse_args(argv)
    sys.argv = [options.script, *options.args]
    context = torch_is_minigrad() if options.backend == "minigrad" else contextlib.nullcontext()
    with context:
        runpy.run_path(options.script, run_name="__main__")


if __name__ == "__main__":
    main()
