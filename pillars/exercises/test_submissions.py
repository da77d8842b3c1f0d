"""One test per submitted file, for `pytest --pyargs pillars.exercises --solutions DIR` (see plugin.py)."""

import pytest

from pillars.exercises.plugin import grade


def test_submission(submission, request):
    learner, name, path = submission
    result = grade(request.config, learner, name, path)
    if not result.passed:
        pytest.fail(f"{path}\n{result.text}", pytrace=False)
