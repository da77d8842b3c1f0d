"""`pillars exercise` as a learner and an instructor use it: the command, its state, its errors,
the child process's time limit, the checks without torch, and the pytest plugin's table."""

import json
import os
import pathlib
import subprocess
import sys

import pytest

from pillars.cli import main
from pillars.exercises import catalog
from pillars.exercises.state import FILE_NAME

ROOT = pathlib.Path(__file__).resolve().parents[3]
SOLUTIONS = pathlib.Path(__file__).parent / "solutions"


def pillars(*args, cwd, env=None):
    """Run the real command in a child process: (exit status, stdout, stderr)."""
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT)] + ([env["PYTHONPATH"]] if env and "PYTHONPATH" in env else [])))
    done = subprocess.run([sys.executable, "-m", "pillars", "exercise", *args], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=120, check=False)
    return done.returncode, done.stdout, done.stderr


@pytest.fixture
def work(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_list_names_every_exercise_in_order_with_its_lesson_and_state(work, capsys):
    assert main(["exercise", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()[1:]
    assert [line.split()[1] for line in lines] == catalog.names()
    for line, exercise in zip(lines, catalog.all_exercises()):
        assert "not started" in line and exercise.lesson in line


def test_start_writes_the_skeleton_and_keeps_the_state_in_the_work_folder(work, capsys):
    assert main(["exercise", "start", "adam_step", "mine"]) == 0
    written = (work / "mine" / "adam_step.py").read_text(encoding="utf-8")
    assert written == catalog.get("adam_step").skeleton
    assert "def adam_step(" in written and "raise NotImplementedError" in written and "1 - beta1 ** t" in written
    assert json.loads((work / FILE_NAME).read_text())["adam_step"]["state"] == "failing"
    capsys.readouterr()
    main(["exercise", "list"])
    assert "adam_step        failing" in capsys.readouterr().out


def test_hints_come_one_at_a_time_and_the_count_is_saved(work, capsys):
    hints = catalog.get("matmul_vjp").hints
    for number in range(1, len(hints) + 1):
        assert main(["exercise", "hint", "matmul_vjp"]) == 0
        assert capsys.readouterr().out.strip() == f"hint {number} of {len(hints)} for matmul_vjp: {hints[number - 1]}"
    assert json.loads((work / FILE_NAME).read_text())["matmul_vjp"]["hints"] == len(hints)
    main(["exercise", "hint", "3"])   # by number, all shown: the last again
    assert f"all {len(hints)} hints" in capsys.readouterr().out


@pytest.mark.parametrize("argv, words", [
    (["start", "sigmoid"], "no exercise called 'sigmoid'"),
    (["hint", "nope"], "no exercise called 'nope'"),
    (["check", "missing.py"], "no such file: missing.py"),
    (["check"], "the following arguments are required: FILE"),
    (["frobnicate"], "invalid choice"),
])
def test_mistakes_are_one_line_with_exit_status_2(work, capsys, argv, words):
    try:
        status = main(["exercise", *argv])
    except SystemExit as stop:
        status = stop.code
    err = capsys.readouterr().err
    assert status == 2 and words in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_start_does_not_overwrite_work(work, capsys):
    (work / "quiz.py").write_text("ANSWERS = {}  # my work\n")
    assert main(["exercise", "start", "quiz"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert "my work" in (work / "quiz.py").read_text()


def test_a_learner_starts_fails_reads_the_feedback_fixes_and_passes(work):
    tmp_path = work
    assert main(["exercise", "start", "sigmoid_vjp"]) == 0   # the untouched skeleton fails: test_exercises.py
    skeleton = (tmp_path / "sigmoid_vjp.py").read_text()
    (tmp_path / "sigmoid_vjp.py").write_text(skeleton.replace("raise NotImplementedError", "return g * ans * (ans - 1)"))
    status, out, _ = pillars("check", "sigmoid_vjp.py", "--examples", "5", cwd=tmp_path)
    assert status == 1
    for words in ("FAIL", "smallest counterexample", "x = shape", "expected (torch)", "yours",
                  "first difference at index", "hint: the sign is flipped"):
        assert words in out, out
    (tmp_path / "sigmoid_vjp.py").write_text(skeleton.replace("raise NotImplementedError", "return g * ans * (1 - ans)"))
    status, out, _ = pillars("check", "sigmoid_vjp.py", "--examples", "5", cwd=tmp_path)
    assert status == 0 and "PASS" in out
    assert json.loads((tmp_path / FILE_NAME).read_text())["sigmoid_vjp"]["state"] == "passed"


def test_an_endless_loop_fails_the_check_instead_of_hanging_it(tmp_path):
    (tmp_path / "quiz.py").write_text("while True:\n    pass\n")
    status, out, _ = pillars("check", "quiz.py", "--time-limit", "3", cwd=tmp_path)
    assert status == 1 and "longer than 3 s" in out


def test_without_torch_the_check_says_so_and_still_uses_central_differences(tmp_path):
    hidden = tmp_path / "no_torch"
    (hidden / "torch").mkdir(parents=True)
    (hidden / "torch" / "__init__.py").write_text("raise ImportError('torch is hidden for this test')\n")
    (tmp_path / "sigmoid_vjp.py").write_text((SOLUTIONS / "sigmoid_vjp.py").read_text())
    status, out, _ = pillars("check", "sigmoid_vjp.py", "--examples", "5", cwd=tmp_path,
                             env={"PYTHONPATH": str(hidden)})
    assert status == 0 and "agree with central differences" in out and "torch is not installed" in out
    (tmp_path / "sigmoid_vjp.py").write_text("def sigmoid_vjp(g, ans, x):\n    return g * ans * (ans - 1)\n")
    status, out, _ = pillars("check", "sigmoid_vjp.py", "--examples", "5", cwd=tmp_path,
                             env={"PYTHONPATH": str(hidden)})
    assert status == 1 and "expected (central differences)" in out and "torch is not installed" in out


def test_an_instructor_grades_a_folder_with_pytest_and_gets_a_table(tmp_path):
    quiz = (SOLUTIONS / "quiz.py").read_text()
    (tmp_path / "alice").mkdir()
    (tmp_path / "bob").mkdir()
    (tmp_path / "alice" / "quiz.py").write_text(quiz)
    (tmp_path / "alice" / "split_and_scale.py").write_text((SOLUTIONS / "split_and_scale.py").read_text())
    (tmp_path / "bob" / "my_quiz.py").write_text(quiz.replace('"after_the_loss": 4', '"after_the_loss": 5'))
    (tmp_path / "bob" / "notes.py").write_text("# not an exercise\n")
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "pillars.exercises.plugin", "--pyargs",
                           "pillars.exercises", "--solutions", str(tmp_path), "--exercise-examples", "5",
                           "-p", "no:cacheprovider"], cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    out = done.stdout
    assert done.returncode == 1, out
    assert "2 passed" in out and "1 failed" in out and "after_the_loss: 5 is not right" in out
    table = out[out.index("submissions graded"):].splitlines()
    assert table[1].split() == ["learner", "split_and_scale", "quiz", "passed"]   # the exercises' order
    assert table[2].split() == ["alice", "pass", "pass", "2/2"]
    assert table[3].split() == ["bob", "-", "FAIL", "0/1"]


# hypothesis is an optional extra (`exercises`): without it, `import hypothesis` fails as here.
WITHOUT_HYPOTHESIS = "import sys; sys.modules['hypothesis'] = None\n"


@pytest.mark.parametrize("args", [["run", "--help"], ["exercise", "list"], ["exercise", "start", "sigmoid_vjp"],
                                  ["exercise", "hint", "sigmoid_vjp"]])
def test_without_hypothesis_the_command_starts_and_the_exercises_say_what_they_need(args, tmp_path):
    """`pip install .` alone: the pillars command runs, and an exercise action says in one line
    which extra it needs (never a traceback)."""
    script = WITHOUT_HYPOTHESIS + f"from pillars.cli import main\nsys.exit(main({args!r}))\n"
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120, check=False)
    if args[0] == "run":
        assert done.returncode == 0 and "usage: pillars run" in done.stdout
        return
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == f"pillars exercise: error: {catalog.NEEDS_HYPOTHESIS}"


@pytest.mark.parametrize("argv", [["hint", "div_vjp", "--work", "afile"], ["start", "sigmoid_vjp", "--work", "afile"],
                                  ["list", "--work", "afile"]])
def test_a_work_folder_that_is_a_file_is_a_one_line_mistake(work, capsys, argv):
    (work / "afile").write_text("")
    assert main(["exercise", *argv]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "pillars exercise: error: the work folder afile is a file; give a folder with --work"
    assert not (work / "sigmoid_vjp.py").exists()  # refused before the skeleton is written


def test_a_progress_file_that_is_not_progress_is_started_afresh(work, capsys):
    (work / FILE_NAME).write_text("[1, 2]")
    assert main(["exercise", "list"]) == 0
    assert main(["exercise", "hint", "div_vjp"]) == 0
    assert json.loads((work / FILE_NAME).read_text())["div_vjp"]["hints"] == 1
