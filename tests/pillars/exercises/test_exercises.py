"""Every exercise both ways: its reference solution passes, the untouched skeleton fails, and
realistic wrong answers fail with the hint that names their mistake.

Grading runs in this process here (runner.run_here) with few drawn cases, to keep the suite quick;
test_command.py runs the real command, whose checks run in a child process.
"""

import pathlib

import pytest
from mutants import MUTANTS

from pillars.exercises import catalog
from pillars.exercises.runner import run_here

SOLUTIONS = pathlib.Path(__file__).parent / "solutions"
EXAMPLES = 12          # the reference solutions' checks: enough to show that they pass
MUTANT_EXAMPLES = 20   # a wrong answer may need a few more cases to show itself (a check draws 40)
NAMES = catalog.names()


def grade(name, text, tmp_path, examples=EXAMPLES):
    path = tmp_path / f"{name}.py"
    path.write_text(text, encoding="utf-8")
    return run_here(name, path, examples)


def mutate(text, old, new):
    olds, news = (old, new) if isinstance(old, tuple) else ((old,), (new,))
    for before, after in zip(olds, news):
        assert before in text, f"the mutant's text is not in the solution: {before!r}"
        text = text.replace(before, after)
    return text


def test_there_are_at_least_thirteen_exercises_each_with_a_solution_and_mutants():
    assert len(NAMES) >= 13
    assert [e.number for e in catalog.all_exercises()] == list(range(1, len(NAMES) + 1))
    for name in NAMES:
        assert (SOLUTIONS / f"{name}.py").is_file()
        assert len(MUTANTS[name]) >= 2


@pytest.mark.parametrize("name", NAMES)
def test_reference_solution_passes(name, tmp_path):
    result = grade(name, (SOLUTIONS / f"{name}.py").read_text(encoding="utf-8"), tmp_path)
    assert result.passed, result.text
    assert "PASS" in result.text.splitlines()[0]


@pytest.mark.parametrize("name", NAMES)
def test_untouched_skeleton_fails(name, tmp_path):
    exercise = catalog.get(name)
    assert exercise.skeleton.startswith(f"# pillars exercise: {name}\n")
    assert exercise.lesson and exercise.goal and len(exercise.hints) >= 2
    result = grade(name, exercise.skeleton, tmp_path)
    assert not result.passed
    assert "FAIL" in result.text.splitlines()[0]
    if name != "quiz":
        assert "NotImplementedError" in exercise.skeleton
        assert "not written yet" in result.text


@pytest.mark.parametrize("name, mistake, old, new, fragment",
                         [(name, *mutant) for name, mutants in MUTANTS.items() for mutant in mutants],
                         ids=[f"{name}-{m[0]}" for name, mutants in MUTANTS.items() for m in mutants])
def test_wrong_answer_fails_with_the_hint_that_names_it(name, mistake, old, new, fragment, tmp_path):
    text = mutate((SOLUTIONS / f"{name}.py").read_text(encoding="utf-8"), old, new)
    result = grade(name, text, tmp_path, MUTANT_EXAMPLES)
    assert not result.passed, f"{mistake}: passed\n{result.text}"
    assert result.hint is not None and fragment in result.hint, f"{mistake}:\n{result.text}"


def test_the_div_hint_names_axes_summed_in_the_wrong_place_when_the_shapes_agree():
    """Summing a (2, 2, 2) gradient over its last axis instead of its first gives y's (2, 2) shape:
    only the values are wrong. Their total is right (summing keeps it), which names the mistake;
    the drawn cases reach such a square case first with some versions of hypothesis."""
    import numpy as np

    from pillars.exercises.grading import diagnose
    from pillars.exercises.vjps import DIV_RULES

    unreduced = np.arange(8.0).reshape(2, 2, 2)
    expected, wrong_axes = unreduced.sum(axis=0), unreduced.sum(axis=2)
    hint = diagnose(DIV_RULES, actual=wrong_axes, expected=expected, shape=(2, 2), which="dL/dy", out_shape=(2, 2, 2))
    assert hint is not None and "summed axis" in hint
    assert "sign" in diagnose(DIV_RULES, actual=-expected, expected=expected, shape=(2, 2), which="dL/dy",
                              out_shape=(2, 2, 2))
