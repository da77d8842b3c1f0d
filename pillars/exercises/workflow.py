"""Exercises 11-12, pillars 1 and 6: a leakage-free split, and a checkpoint that resumes exactly."""

import pathlib
import tempfile

import numpy as np
from hypothesis import strategies as st

import minigrad
from pillars.exercises.exercise import Exercise
from pillars.exercises.grading import (
    Failure,
    call,
    compare,
    hinting,
    near,
    required,
    show_inputs,
)

# ------------------------------------------------------------------ 11. the split
SPLIT_SKELETON = '''# pillars exercise: split_and_scale
"""Exercise 11: a leakage-free, stratified split with a scaler (pillar 1, data).

The test rows stand for data the model has never seen. Two things keep them honest:
- stratification: each class has (about) the same share of the test rows as of all rows, so a
  rare class is not missing from one side by chance. For a class of n_c rows, round(f * n_c) of
  them (f = test_fraction) go to the test side;
- no leakage: the scaler learns its mean and standard deviation from the TRAINING rows only,
  then scales the training and the test rows with them:

      mean = X_train.mean(axis=0),   std = X_train.std(axis=0)  (a std of 0 counts as 1)
      scaled = (rows - mean) / std

The split is drawn from `seed` (np.random.default_rng(seed), or scikit-learn's train_test_split
with random_state=seed and stratify=y); the same seed gives the same split. The check draws data
sets with unbalanced classes and checks the rows, the class shares and the scaled values.

    pillars exercise check split_and_scale.py
"""

import numpy as np


def split_and_scale(X, y, test_fraction, seed):
    """(train_rows, test_rows, X_train, X_test): the row indices of each side (integer arrays that
    together hold every row once) and the scaled features of each side."""
    raise NotImplementedError
'''


def _standardize(rows, mean, std):
    return (rows - mean) / np.where(std == 0, 1.0, std)


SPLIT_RULES = [
    (lambda what, actual, X, train_rows, **_: what == "X_train" and
     near(actual, _standardize(X[train_rows], X.mean(0), X.std(0))),
     ("leakage: your scaler was fitted on all the rows, so the test rows shaped the training data; "
     "fit it (mean and std) on X[train_rows] only")),
    (lambda what, actual, X, test_rows, **_: what == "X_test" and
     near(actual, _standardize(X[test_rows], X[test_rows].mean(0), X[test_rows].std(0))),
     ("the test rows were scaled with their own mean and std: use the training rows' (the test rows are "
     "new data, scaled as the model's inputs were)")),
    (lambda what, actual, X, test_rows, **_: what == "X_test" and
     near(actual, _standardize(X[test_rows], X.mean(0), X.std(0))),
     "leakage: your scaler was fitted on all the rows; fit it on X[train_rows] only"),
    (lambda what, **_: what in ("X_train", "X_test"),
     ("scale with the training rows' mean and population std (np.std, ddof=0, as scikit-learn's "
     "StandardScaler), a std of 0 counting as 1")),
]


def _check_rows(name, train_rows, test_rows, y, fraction, inputs):
    n = len(y)
    for side, rows in (("train_rows", train_rows), ("test_rows", test_rows)):
        if rows.dtype.kind not in "iu":
            raise Failure(f"{side} must hold integer row indices, got dtype {rows.dtype}")
    together = np.concatenate([train_rows, test_rows])
    if len(together) != n or set(together.tolist()) != set(range(n)):
        overlap = sorted(set(train_rows.tolist()) & set(test_rows.tolist()))
        detail = f"rows {overlap[:5]} are on both sides" if overlap else "some rows are missing or repeated"
        raise Failure(f"the two sides must hold every row once: {detail}\n  smallest counterexample:\n"
                      f"{show_inputs(inputs)}", "the test rows and the training rows split the rows between them")
    for c in np.unique(y):
        n_c = int(np.sum(y == c))
        share = int(np.sum(y[test_rows] == c))
        if abs(share - fraction * n_c) >= 2:
            raise Failure(f"not stratified: class {c} has {n_c} rows, {share} of them on the test side, but "
                          f"test_fraction {fraction} asks for about {fraction * n_c:g}\n  smallest counterexample:\n"
                          f"{show_inputs(inputs)}",
                          "stratify: draw the test rows class by class, round(test_fraction * n_c) of each "
                          "class (or train_test_split(..., stratify=y))")


def grade_split(module, grader):
    (split,) = required(module, "split_and_scale")

    @st.composite
    def cases(draw):
        counts = draw(st.lists(st.integers(10, 40), min_size=2, max_size=3))
        y = np.repeat(np.arange(len(counts)), counts)
        rng = np.random.default_rng(draw(st.integers(0, 1000)))
        y = y[rng.permutation(len(y))]
        X = rng.normal(0, 2, (len(y), draw(st.integers(1, 3))))   # from a seed: quick to shrink
        fraction = draw(st.sampled_from([0.2, 0.25, 0.3, 0.5]))
        seed = draw(st.integers(0, 2 ** 16))
        return X, y, fraction, seed

    def test(case):
        X, y, fraction, seed = case
        inputs = {"X": X, "y": y, "test_fraction": fraction, "seed": seed}
        result = call("split_and_scale", split, X.copy(), y.copy(), fraction, seed, inputs=inputs)
        if not (isinstance(result, (tuple, list)) and len(result) == 4):
            raise Failure("split_and_scale must return four things: train_rows, test_rows, X_train, X_test")
        train_rows, test_rows = (np.asarray(r).reshape(-1) for r in result[:2])
        X_train, X_test = (np.asarray(a, dtype=np.float64) for a in result[2:])
        _check_rows("split_and_scale", train_rows, test_rows, y, fraction, inputs)
        again = call("split_and_scale", split, X.copy(), y.copy(), fraction, seed, inputs=inputs)
        if not np.array_equal(np.asarray(again[1]).reshape(-1), test_rows):
            raise Failure(f"the same seed gave another split\n  smallest counterexample:\n{show_inputs(inputs)}",
                          "draw the split from the seed: np.random.default_rng(seed), or random_state=seed")
        mean, std = X[train_rows].mean(axis=0), X[train_rows].std(axis=0)
        with hinting(SPLIT_RULES, X=X, train_rows=train_rows, test_rows=test_rows) as facts:
            facts.update(what="X_train", actual=X_train)
            compare("X_train", inputs, _standardize(X[train_rows], mean, std), X_train,
                    "the training rows scaled with their own statistics", rtol=1e-7, atol=1e-9)
            facts.update(what="X_test", actual=X_test)
            compare("X_test", inputs, _standardize(X[test_rows], mean, std), X_test,
                    "the test rows scaled with the training rows' statistics", rtol=1e-7, atol=1e-9)

    grader.search(cases(), test, shrink_calls=40)   # each case splits and scales a whole data set


SPLIT = Exercise(
    11, "split_and_scale", "pillar 1, data",
    "a leakage-free stratified split, the scaler fitted on the training rows only", SPLIT_SKELETON,
    (("rng = np.random.default_rng(seed); for each class c: rows = rng.permutation(np.flatnonzero(y == c)), "
     "and the first round(test_fraction * len(rows)) of them are test rows."),
     ("Or use scikit-learn: train_test_split(np.arange(len(y)), test_size=test_fraction, random_state=seed, "
     "stratify=y)."),
     "Fit the scaler after the split: mean and std of X[train_rows] only; scale both sides with them."),
    grade_split, uses_torch=False)


# ------------------------------------------------------------------ 12. the checkpoint
CHECKPOINT_SKELETON = '''# pillars exercise: checkpoint
"""Exercise 12: saving and resuming a run exactly (pillar 6, saving).

A run that stops (a crash, a time limit, Ctrl-C) should carry on as if it never had. A
checkpoint therefore holds everything the next step depends on:
- the model's weights: model.state_dict(), restored with model.load_state_dict(...);
- the optimizer's state: optimizer.state_dict() (Adam's step count and moments, momentum
  buffers), restored with optimizer.load_state_dict(...). Without it Adam starts over;
- where the run stands: the epoch.

`torch` is the library, torch or minigrad (both have torch.save(obj, path) and torch.load(path)),
so the same lines work on both. The check trains a model with Adam, saves in the middle, goes on,
then resumes from your checkpoint into a fresh model and optimizer and demands the very same losses
and weights; it runs on minigrad and on torch.

    pillars exercise check checkpoint.py
"""


def save_checkpoint(torch, path, model, optimizer, epoch):
    """Write a checkpoint of the run (model, optimizer, epoch) to `path`."""
    raise NotImplementedError


def load_checkpoint(torch, path, model, optimizer):
    """Restore `model` and `optimizer` from the checkpoint at `path`; return the saved epoch."""
    raise NotImplementedError
'''


def _numpy(tensor):
    tensor = tensor.detach()
    return (tensor.cpu() if hasattr(tensor, "cpu") else tensor).numpy()


def _net(library, seed):
    rng = np.random.default_rng(seed)
    nn = library.nn
    model = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2)).double()
    model.load_state_dict({name: library.tensor(rng.normal(0, 0.5, tuple(value.shape)), dtype=library.float64)
                           for name, value in model.state_dict().items()})
    return model


def _train(library, model, optimizer, batches):
    loss_fn = library.nn.CrossEntropyLoss()
    losses = []
    for x, y in batches:
        optimizer.zero_grad()
        loss = loss_fn(model(library.tensor(x, dtype=library.float64)), library.tensor(y))
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return np.array(losses)


def _state_arrays(optimizer):
    """The optimizer's per-parameter state as NumPy arrays, in a fixed order."""
    found = []
    for _, entries in sorted(optimizer.state_dict()["state"].items()):
        for key in sorted(entries):
            value = _numpy(entries[key]) if hasattr(entries[key], "detach") else entries[key]
            found.append((key, np.array(value, dtype=np.float64, copy=True)))  # a copy: steps change it in place
    return found


def grade_checkpoint(module, grader):
    save, load = required(module, "save_checkpoint", "load_checkpoint")
    libraries = [("minigrad", minigrad)]
    if grader.torch is not None:
        libraries.append(("torch", grader.torch))
    else:
        grader.without_torch("an uninterrupted run on minigrad")

    @st.composite
    def cases(draw):
        seed = draw(st.integers(0, 2 ** 16))
        rng = np.random.default_rng(seed)
        batches = [(rng.normal(0, 1, (4, 3)), rng.integers(0, 2, 4)) for _ in range(4)]
        return seed, draw(st.integers(1, 9)), batches

    def test(case):
        seed, epoch, batches = case
        inputs = {"weights": f"seed {seed}", "epoch saved": epoch}
        for name, library in libraries:
            with tempfile.TemporaryDirectory() as folder:
                path = str(pathlib.Path(folder) / "run.ckpt")
                model = _net(library, seed)
                optimizer = library.optim.Adam(model.parameters(), lr=0.05)
                _train(library, model, optimizer, batches[:2])
                call("save_checkpoint", save, library, path, model, optimizer, epoch, inputs=inputs)
                if not pathlib.Path(path).exists():
                    raise Failure("save_checkpoint wrote nothing at `path`", "torch.save(checkpoint, path)")
                saved_weights = {k: _numpy(v).copy() for k, v in model.state_dict().items()}
                saved_state = _state_arrays(optimizer)
                expected = _train(library, model, optimizer, batches[2:])
                expected_weights = {k: _numpy(v) for k, v in model.state_dict().items()}

                fresh = _net(library, seed + 1)
                fresh_optimizer = library.optim.Adam(fresh.parameters(), lr=0.05)
                returned = call("load_checkpoint", load, library, path, fresh, fresh_optimizer, inputs=inputs)
            if returned != epoch:
                raise Failure(f"on {name}, load_checkpoint returned {returned!r}; the epoch saved was {epoch}",
                              "keep the epoch in the checkpoint and return it from load_checkpoint")
            for key, value in fresh.state_dict().items():
                compare(f"{key} after loading, on {name}", inputs, saved_weights[key], _numpy(value),
                        "the saved model", rtol=0, atol=0,
                        hint="save model.state_dict() and restore it with model.load_state_dict(...)")
            state = _state_arrays(fresh_optimizer)
            if [key for key, _ in state] != [key for key, _ in saved_state]:
                raise Failure(f"on {name}, the optimizer resumed without its state (Adam's step count and moments)",
                              "save optimizer.state_dict() in the checkpoint and restore it with "
                              "optimizer.load_state_dict(...), or Adam starts over")
            for (key, value), (_, saved) in zip(state, saved_state):
                compare(f"the optimizer's {key} after loading, on {name}", inputs, saved, value,
                        "the saved optimizer", rtol=0, atol=0)
            resumed = _train(library, fresh, fresh_optimizer, batches[2:])
            compare(f"the losses after resuming, on {name}", inputs, expected, resumed,
                    "the run that never stopped", rtol=0, atol=0)
            for key, value in fresh.state_dict().items():
                compare(f"the final {key}, on {name}", inputs, expected_weights[key], _numpy(value),
                        "the run that never stopped", rtol=0, atol=0)

    grader.search(cases(), test, examples=min(grader.examples, 8), shrink_calls=10)


CHECKPOINT = Exercise(
    12, "checkpoint", "pillar 6, saving",
    "a checkpoint (model, optimizer, epoch) that resumes a run exactly", CHECKPOINT_SKELETON,
    (("A checkpoint is a dict: {'model': model.state_dict(), 'optimizer': optimizer.state_dict(), "
     "'epoch': epoch}, written with torch.save(checkpoint, path)."),
     ("Loading: checkpoint = torch.load(path); then model.load_state_dict(checkpoint['model']) and the same "
     "for the optimizer."),
     "Return checkpoint['epoch']."),
    grade_checkpoint, fallback="an uninterrupted run on minigrad")


EXERCISES = [SPLIT, CHECKPOINT]
