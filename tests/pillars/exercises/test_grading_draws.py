"""The grader's draws depend on its fixed seed alone: not on which of the project's modules are
loaded (hypothesis also draws numbers it finds in their source), so that a check gives the same
verdict whatever the learner's file holds and whatever else was imported first."""

import importlib
import sys

from hypothesis import strategies as st

from pillars.exercises.grading import Grader


def _drawn(examples=30):
    cases = []
    Grader(examples).search(st.tuples(st.floats(-1e6, 1e6), st.integers(-10**9, 10**9)), cases.append)
    return cases


def test_a_newly_loaded_module_full_of_numbers_does_not_change_the_draws(tmp_path, monkeypatch):
    before = _drawn()
    numbers = ", ".join(f"{k * 7919.123456:.6f}, {k * 104729}" for k in range(1, 60))
    (tmp_path / "numbers_in_source.py").write_text(f"CONSTANTS = [{numbers}]\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.import_module("numbers_in_source")
    try:
        assert _drawn() == before
    finally:
        sys.modules.pop("numbers_in_source", None)
