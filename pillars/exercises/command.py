"""`pillars exercise list | start | check | hint`: the learner's side of the exercises.

    pillars exercise list                      # the exercises in order, with your state in each
    pillars exercise start sigmoid_vjp         # writes sigmoid_vjp.py: statement, signature, math
    pillars exercise check sigmoid_vjp.py      # exit status 0 (passed) or 1 (failed, with a counterexample)
    pillars exercise hint sigmoid_vjp          # the next hint

Progress (the state of each exercise, the hints shown) is kept in the work folder: the current
folder, or the one given with --work.
"""

import importlib.util
import pathlib

from pillars.arguments import Parser, whole_number
from pillars.errors import BackendError, ConfigError, existing_file
from pillars.exercises import catalog, runner
from pillars.exercises.state import FAILING, PASSED, Progress


def add_parser(commands):
    """Add `exercise` and its four actions to the `pillars` command's subparsers."""
    exercise = commands.add_parser("exercise", help="graded exercises: list, start, check, hint")
    actions = exercise.add_subparsers(dest="action", parser_class=Parser, metavar="ACTION", required=True)

    listed = actions.add_parser("list", help="the exercises in order, with your state in each")
    started = actions.add_parser("start", help="write the skeleton file of an exercise")
    started.add_argument("name", metavar="NAME", help="the exercise (its name or number)")
    started.add_argument("folder", metavar="DIR", nargs="?", default=".", help="where to write it (default: here)")
    started.add_argument("--force", action="store_true", help="overwrite a file of that name")
    checked = actions.add_parser("check", help="grade a file; exit status 0 when it passes, 1 when not")
    checked.add_argument("file", metavar="FILE")
    checked.add_argument("--exercise", metavar="NAME", help="the exercise the file answers (default: the one "
                                                            "named on its first line, else its file name)")
    checked.add_argument("--examples", type=whole_number, metavar="N",
                         help="how many cases to draw (default: the exercise's own number)")
    checked.add_argument("--time-limit", type=whole_number, default=runner.TIME_LIMIT, metavar="SECONDS",
                         help=f"stop a check that runs longer (default {runner.TIME_LIMIT})")
    hinted = actions.add_parser("hint", help="the next hint for an exercise")
    hinted.add_argument("name", metavar="NAME")
    for parser in (listed, started, checked, hinted):
        parser.add_argument("--work", metavar="DIR", default=".",
                            help="the work folder that keeps your progress (default: the current folder)")
    exercise.set_defaults(handler=exercise_command)


def exercise_command(args):
    return {"list": list_exercises, "start": start, "check": check, "hint": hint}[args.action](args)


def list_exercises(args):
    progress = Progress(args.work)
    exercises = catalog.all_exercises()
    width = max(len(exercise.name) for exercise in exercises)
    print(f"{'#':>2}  {'exercise':<{width}}  {'state':<11}  goal (lesson or pillar)")
    for exercise in exercises:
        print(f"{exercise.number:>2}  {exercise.name:<{width}}  {progress.state(exercise.name):<11}  "
              f"{exercise.goal} ({exercise.lesson})")
    return 0


def start(args):
    exercise = catalog.get(args.name)
    progress = Progress(args.work)  # (a bad --work is refused before the skeleton is written)
    folder = pathlib.Path(args.folder)
    path = folder / exercise.file_name
    if path.exists() and not args.force:
        raise ConfigError(f"{path} already exists (your work?); check it with `pillars exercise check {path}`, "
                          f"or pass --force to start over")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(exercise.skeleton, encoding="utf-8")
    except OSError as err:
        raise ConfigError(f"cannot write {path}: {err.strerror}") from None
    if progress.state(exercise.name) != PASSED:
        progress.set_state(exercise.name, FAILING)
    print(f"wrote {path}: exercise {exercise.number}, {exercise.goal} ({exercise.lesson})")
    print(f"check it with: pillars exercise check {path}")
    return 0


def check(args):
    path = existing_file(args.file)
    if importlib.util.find_spec("hypothesis") is None:
        raise BackendError(catalog.NEEDS_HYPOTHESIS)
    exercise = catalog.get(args.exercise or _named(path))
    result = runner.grade_file(exercise.name, path, args.examples, args.time_limit)
    print(result.text)
    Progress(args.work).set_state(exercise.name, PASSED if result.passed else FAILING)
    return 0 if result.passed else 1


def _named(path):
    """The exercise a file answers: the name on its marker line, else the file's name."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    named = catalog.named_in(text) or path.stem
    if named not in catalog.names():
        raise ConfigError(f"{path} does not say which exercise it answers (no '# pillars exercise: NAME' line "
                          f"and no exercise called {path.stem!r}); pass --exercise NAME")
    return named


def hint(args):
    exercise = catalog.get(args.name)
    progress = Progress(args.work)
    shown = progress.hints_shown(exercise.name)
    total = len(exercise.hints)
    if shown >= total:
        print(f"all {total} hints for {exercise.name} are shown; the last one again:")
        print(f"hint {total} of {total}: {exercise.hints[-1]}")
        return 0
    number = progress.show_hint(exercise.name)
    print(f"hint {number} of {total} for {exercise.name}: {exercise.hints[number - 1]}")
    return 0
