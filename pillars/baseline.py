"""Machine learning before deep learning: a scikit-learn model on the same split, for scale.

A logistic regression (classification) or least-squares line (regression) on the same
training rows, scaled the same way, scored on the same test rows. If a network cannot beat
it, the network is not yet earning its keep.
"""

from __future__ import annotations

import dataclasses
import warnings

from pillars.data import Prepared
from pillars.evaluation import Evaluation, score


@dataclasses.dataclass
class Baseline:
    name: str
    evaluation: Evaluation


def baseline(data: Prepared, part: str = "test") -> Baseline:
    """Fit the classic model on ``data``'s training rows (flattened) and score it on ``part``."""
    from sklearn.exceptions import ConvergenceWarning  # (here, not at the top: see pillars/__init__.py)
    from sklearn.linear_model import LinearRegression, LogisticRegression

    task = data.task
    train_rows, train_targets = data.part("train")
    rows, targets = data.part(part)
    if task.is_classification:
        model = LogisticRegression(max_iter=2000)
        with warnings.catch_warnings():  # a hard problem may stop short of convergence; the score says so
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(_flat(train_rows), task.decode(train_targets))
        return Baseline("logistic regression",
                        score(task, task.decode(targets), model.predict(_flat(rows)), model.predict_proba(_flat(rows))))
    model = LinearRegression().fit(_flat(train_rows), task.decode(train_targets))
    return Baseline("linear regression", score(task, task.decode(targets), model.predict(_flat(rows))))


def _flat(array):
    """Images and sequences as flat rows, which is all a linear model can read."""
    return array.reshape(len(array), -1)
