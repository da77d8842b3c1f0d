"""The exercises, in the order a learner meets them, and what each one is made of."""

import dataclasses
import re
from collections.abc import Callable

from pillars.errors import ConfigError

MARKER = re.compile(r"^# pillars exercise: (\w+)\s*$", re.MULTILINE)


@dataclasses.dataclass(frozen=True)
class Exercise:
    """One graded exercise.

    skeleton: the file `pillars exercise start` writes: the statement, the signature, a docstring
    with the math and a body that raises NotImplementedError. Its first line names the exercise.
    grade(module, grader): raises grading.Failure on the smallest case that fails.
    """

    number: int
    name: str
    lesson: str          # the lesson or pillar the exercise belongs to
    goal: str            # one line, shown by `pillars exercise list`
    skeleton: str
    hints: tuple         # shown one at a time by `pillars exercise hint NAME`
    grade: Callable
    uses_torch: bool = True
    drawn: bool = True   # False: a fixed set of questions, not drawn cases
    examples: int = 40
    fallback: str = "central differences"   # what a check compares with when torch is missing

    @property
    def file_name(self):
        return f"{self.name}.py"

    def oracle_name(self, grader):
        if not self.uses_torch:
            return "the exercise's rules"
        return "torch" if grader.torch is not None else self.fallback


def all_exercises():
    """Every exercise, in order."""
    from pillars.exercises import functions, loops, optimizers, quiz, vjps, workflow

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
