"""The exercises in the order a learner meets them: all of them, one by name or number, and the one
a file names on its marker line."""

import re

from pillars.errors import BackendError, ConfigError

MARKER = re.compile(r"^# pillars exercise: (\w+)\s*$", re.MULTILINE)


NEEDS_HYPOTHESIS = "the exercises need hypothesis: pip install 'minigrad-pillars[exercises]'"


def all_exercises():
    """Every exercise, in order.

    The exercise modules are imported here, not at the top: their graders draw cases with
    hypothesis, an optional extra, and the pillars command must start without it.
    """
    try:
        from pillars.exercises import functions, loops, optimizers, quiz, vjps, workflow
    except ModuleNotFoundError as missing:
        if missing.name != "hypothesis":
            raise
        raise BackendError(NEEDS_HYPOTHESIS) from None
    found = [*vjps.EXERCISES, *functions.EXERCISES, *optimizers.EXERCISES, *loops.EXERCISES,
             *workflow.EXERCISES, *quiz.EXERCISES]
    return sorted(found, key=lambda exercise: exercise.number)


def names():
    return [exercise.name for exercise in all_exercises()]


def get(name):
    """The exercise called `name` (its number works too), or a ConfigError that lists the names."""
    for exercise in all_exercises():
        if name in (exercise.name, str(exercise.number)):
            return exercise
    raise ConfigError(f"no exercise called {name!r}; the exercises are: {', '.join(names())}")


def named_in(text):
    """The exercise a file's text names on its marker line (`# pillars exercise: NAME`), or None."""
    found = MARKER.search(text)
    return found.group(1) if found else None
