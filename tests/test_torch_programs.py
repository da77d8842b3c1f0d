"""Whole torch programs, unchanged, run on torch and on minigrad: the results must agree.

Each file in tests/programs is plain torch code with a main() returning numbers, names
and strings. It runs once with the real torch and once with `import torch` pointed at
minigrad (pillars.swap), starting from the same NumPy-seeded weights, in float64.
"""

import pathlib
import runpy
import sys

import numpy as np
import pytest

from pillars.swap import torch_is_minigrad

PROGRAMS = sorted(p for p in (pathlib.Path(__file__).parent / "programs").glob("*.py") if not p.name.startswith("_"))


def run_program(path):
    sys.path.insert(0, str(path.parent))
    try:
        return runpy.run_path(str(path))["main"]()
    finally:
        sys.path.remove(str(path.parent))
        sys.modules.pop("_weights", None)  # it imported one backend's torch


def assert_same(ours, theirs, where="result"):
    if isinstance(theirs, dict):
        assert list(ours) == list(theirs), f"{where}: keys {list(ours)} != {list(theirs)}"
        for key in theirs:
            assert_same(ours[key], theirs[key], f"{where}[{key!r}]")
    elif isinstance(theirs, (float, list)) and not (isinstance(theirs, list) and theirs and isinstance(theirs[0], str)):
        np.testing.assert_allclose(np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float),
                                   rtol=1e-6, atol=1e-9, err_msg=where)
    else:
        assert ours == theirs, f"{where}: {ours!r} != {theirs!r}"


@pytest.mark.parametrize("path", PROGRAMS, ids=[p.stem for p in PROGRAMS])
def test_program_gives_torch_numbers(path):
    expected = run_program(path)
    with torch_is_minigrad():
        actual = run_program(path)
    assert_same(actual, expected)
