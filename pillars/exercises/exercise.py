"""What an exercise is made of: the record every exercise module fills in and the catalog lists."""

import dataclasses
from collections.abc import Callable


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
