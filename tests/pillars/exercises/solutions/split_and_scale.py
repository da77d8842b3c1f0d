# pillars exercise: split_and_scale
"""Reference solution of exercise 11 (with scikit-learn, as a learner may write it)."""

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


def split_and_scale(X, y, test_fraction, seed):
    train_rows, test_rows = train_test_split(np.arange(len(y)), test_size=test_fraction, random_state=seed,
                                             stratify=y)
    scaler = StandardScaler().fit(X[train_rows])
    return train_rows, test_rows, scaler.transform(X[train_rows]), scaler.transform(X[test_rows])
