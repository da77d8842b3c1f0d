"""The pytest plugin that grades a folder of submissions, for instructors.

    pytest --pyargs pillars.exercises --solutions DIR [--exercise-examples N] [--exercise-time-limit S]

DIR holds either one learner's files (sigmoid_vjp.py, div_vjp.py, ...) or one folder per learner,
each with their files. A file answers the exercise named on its first line
(`# pillars exercise: NAME`, as `pillars exercise start` writes it), else the one its name gives;
other files are left out. Each file is one test, graded as `pillars exercise check` grades it (in
a child process with a time limit), and the session ends with a table: a row per learner, a column
per exercise.

Installing the package registers this plugin with pytest (an entry point); in a source checkout
that is not installed, add `-p pillars.exercises.plugin`.
"""

import pathlib

import pytest

from pillars.exercises import catalog, runner

RESULTS = pytest.StashKey[dict]()


def pytest_addoption(parser):
    group = parser.getgroup("pillars exercises", "grading a folder of submissions")
    group.addoption("--solutions", metavar="DIR", default=None,
                    help="a folder of submissions to grade: files named after the exercises, or a folder "
                         "of them per learner")
    group.addoption("--exercise-examples", metavar="N", type=int, default=None,
                    help="cases each check draws (default: each exercise's own number)")
    group.addoption("--exercise-time-limit", metavar="SECONDS", type=int, default=runner.TIME_LIMIT,
                    help=f"stop a check that runs longer (default {runner.TIME_LIMIT})")


def pytest_configure(config):
    config.stash[RESULTS] = {}


def submissions(folder):
    """(learner, exercise name, path) for every file in `folder` that answers an exercise."""
    folder = pathlib.Path(folder)
    if not folder.is_dir():
        raise pytest.UsageError(f"--solutions: no such folder: {folder}")
    learners = [(folder.resolve().name, folder)] + [(sub.name, sub) for sub in sorted(folder.iterdir())
                                                    if sub.is_dir() and not sub.name.startswith((".", "_"))]
    found = []
    for learner, place in learners:
        for path in sorted(place.glob("*.py")):
            name = _exercise_of(path)
            if name is not None:
                found.append((learner, name, path))
    return found


def _exercise_of(path):
    try:
        named = catalog.named_in(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        named = None
    name = named or path.stem
    return name if name in catalog.names() else None


def pytest_generate_tests(metafunc):
    if "submission" not in metafunc.fixturenames:
        return
    folder = metafunc.config.getoption("solutions")
    if not folder:
        metafunc.parametrize("submission", [pytest.param(None, marks=pytest.mark.skip(
            reason="pass --solutions DIR to grade a folder of submissions"))], ids=["no-solutions"])
        return
    found = submissions(folder)
    metafunc.parametrize("submission", found, ids=[f"{learner}-{name}" for learner, name, _ in found])


def grade(config, learner, name, path):
    """Grade one file; the result is kept for the table."""
    result = runner.grade_file(name, path, config.getoption("exercise_examples"),
                                config.getoption("exercise_time_limit"))
    config.stash[RESULTS][(learner, name)] = result.passed
    return result


def pytest_terminal_summary(terminalreporter, config):
    results = config.stash.get(RESULTS, {})
    if not results:
        return
    learners = sorted({learner for learner, _ in results})
    names = [name for name in catalog.names() if any(name == n for _, n in results)]
    width = max(len(learner) for learner in learners + ["learner"])
    widths = [max(len(name), 4) for name in names]
    terminalreporter.write_sep("=", "pillars exercises: submissions graded")
    header = "  ".join([f"{'learner':<{width}}"] + [f"{name:<{w}}" for name, w in zip(names, widths)] + ["passed"])
    terminalreporter.write_line(header)
    for learner in learners:
        cells = []
        for name, w in zip(names, widths):
            passed = results.get((learner, name))
            cells.append(f"{'-' if passed is None else 'pass' if passed else 'FAIL':<{w}}")
        count = sum(1 for (who, _), passed in results.items() if who == learner and passed)
        tried = sum(1 for who, _ in results if who == learner)
        terminalreporter.write_line("  ".join([f"{learner:<{width}}"] + cells + [f"{count}/{tried}"]))
