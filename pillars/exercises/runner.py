"""Running a check: the learner's file is graded in a child process with a time limit (so that an
endless loop fails the check instead of hanging it), and the verdict comes back as a Result.

    result = grade_file("sigmoid_vjp", "sigmoid_vjp.py")
    print(result.text); result.passed
"""

import dataclasses
import json
import os
import pathlib
import subprocess
import sys
import tempfile

import numpy as np

from minigrad.testing.oracles import torch_or_none
from pillars.exercises.catalog import get
from pillars.exercises.grading import Failure, Grader, load_learner_file

TIME_LIMIT = 60  # seconds a check may take before it fails (an endless loop in the learner's code)


@dataclasses.dataclass
class Result:
    """A verdict: passed or not, the text to show the learner, and the hint (also in the text)."""

    passed: bool
    text: str
    hint: str | None = None

    def as_dict(self):
        return dataclasses.asdict(self)


def run_here(name, path, examples=None):
    """Grade `path` as exercise `name` in this process: the Result."""
    exercise = get(name)
    grader = Grader(examples or exercise.examples, torch_or_none() if exercise.uses_torch else None)
    try:
        module = load_learner_file(path)
        with np.errstate(all="ignore"):
            exercise.grade(module, grader)
    except Failure as failure:
        return Result(False, _text(exercise, False, failure.message, failure.hint, grader.notes), failure.hint)
    if exercise.drawn:
        summary = f"all {grader.drawn} drawn cases agree with {exercise.oracle_name(grader)}"
    else:
        summary = "every answer is right"
    return Result(True, _text(exercise, True, summary, None, grader.notes))


def _text(exercise, passed, message, hint, notes):
    lines = [f"{exercise.name} ({exercise.lesson}): {'PASS' if passed else 'FAIL'}", message]
    if hint:
        lines.append(f"hint: {hint}")
    lines += [f"note: {note}" for note in notes]
    return "\n".join(lines)


def grade_file(name, path, examples=None, time_limit=TIME_LIMIT):
    """Grade `path` as exercise `name` in a child process that may run `time_limit` seconds."""
    with tempfile.TemporaryDirectory() as folder:
        report = pathlib.Path(folder) / "result.json"
        command = [sys.executable, "-m", "pillars.exercises.runner", name, str(path), str(report)]
        if examples:
            command.append(str(examples))
        environment = dict(os.environ, PYTHONHASHSEED="0")
        try:
            finished = subprocess.run(command, capture_output=True, text=True, timeout=time_limit,
                                      env=environment, stdin=subprocess.DEVNULL, check=False)
        except subprocess.TimeoutExpired:
            return Result(False, _text(get(name), False, f"the check took longer than {time_limit:g} s and was "
                                       f"stopped", "look for a loop that never ends", []),
                          "look for a loop that never ends")
        if not report.exists():
            tail = "\n".join((finished.stderr or "").strip().splitlines()[-5:])
            return Result(False, f"{name}: FAIL\nthe check stopped before it finished (exit status "
                                 f"{finished.returncode})\n{tail}")
        return Result(**json.loads(report.read_text(encoding="utf-8")))


def main(argv):
    name, path, report = argv[:3]
    examples = int(argv[3]) if len(argv) > 3 else None
    result = run_here(name, path, examples)
    pathlib.Path(report).write_text(json.dumps(result.as_dict()), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
