"""Exercises 9-10, pillars 4 and 5: the training loop and the evaluation loop.

The learner's loop runs on minigrad and on torch, on models that start from the same weights and
see the same batches, next to the canonical loop run by the grader. While it runs, the grader
records the order of the calls (zero_grad, the loss, backward, step), so that a loss that differs
comes with the misplaced call named.
"""

import numpy as np
from hypothesis import strategies as st

import minigrad
from pillars.exercises.exercise import Exercise
from pillars.exercises.grading import Failure, call, compare, hinting, near, required

IN, HIDDEN, CLASSES = 4, 6, 3


def _weights(seed):
    rng = np.random.default_rng(seed)
    return {"0.weight": rng.normal(0, 0.5, (HIDDEN, IN)), "0.bias": rng.normal(0, 0.1, HIDDEN),
            "3.weight": rng.normal(0, 0.5, (CLASSES, HIDDEN)), "3.bias": rng.normal(0, 0.1, CLASSES)}


def _model(library, weights):
    """Linear, tanh, dropout, linear in float64, with the given weights (keys as torch names them)."""
    nn = library.nn
    model = nn.Sequential(nn.Linear(IN, HIDDEN), nn.Tanh(), nn.Dropout(0.5), nn.Linear(HIDDEN, CLASSES)).double()
    model.load_state_dict({name: library.tensor(value.copy(), dtype=library.float64)
                           for name, value in weights.items()})
    return model


def _batches(library, rows):
    return [(library.tensor(x.copy(), dtype=library.float64), library.tensor(y.copy())) for x, y in rows]


def _numpy(tensor):
    tensor = tensor.detach()
    return (tensor.cpu() if hasattr(tensor, "cpu") else tensor).numpy()


@st.composite
def _data(draw, short_last=False):
    """(seed of the weights, a list of (x, y) batches as NumPy arrays)."""
    seed = draw(st.integers(0, 2 ** 16))
    size = draw(st.integers(2, 4))
    full = draw(st.integers(1, 3))
    last = draw(st.integers(1, size - 1)) if short_last else size
    rng = np.random.default_rng(seed + 1)
    sizes = [size] * full + [last]
    rows = [(rng.normal(0, 1, (n, IN)), rng.integers(0, CLASSES, n)) for n in sizes]
    return seed, rows


def _libraries(grader):
    libraries = [("minigrad", minigrad)]
    if grader.torch is not None:
        libraries.append(("torch", grader.torch))
    else:
        grader.without_torch("the grader's loop on minigrad, and the learner's on minigrad only")
    return libraries


def _floats(values, name, count):
    if not isinstance(values, (list, tuple)) or len(values) != count:
        raise Failure(f"{name} must return a list of {count} losses (one per batch), got {values!r:.80}",
                      "append loss.item() for every batch and return the list")
    try:
        return np.array([float(v) for v in values], dtype=np.float64)
    except (TypeError, ValueError):
        raise Failure(f"{name} must return plain numbers, got {values!r:.80}", "use loss.item()") from None


# ------------------------------------------------------------------ 9. the training loop
TRAIN_SKELETON = '''# pillars exercise: train_epoch
"""Exercise 9: the training loop, in the canonical order (pillar 4, training).

One pass over the batches. For each batch, in this order:

    1. optimizer.zero_grad()          forget the previous batch's gradients (they add up otherwise)
    2. outputs = model(x)             forward
    3. loss = loss_fn(outputs, y)     how wrong, as one number
    4. loss.backward()                d loss / d parameter, into every parameter's .grad
    5. optimizer.step()               move each parameter against its gradient

Put the model in training mode first (model.train()). Return the losses as plain numbers
(loss.item()), one per batch. Write it with the methods that torch and minigrad share, and it
runs on both: the check runs your loop on minigrad and on torch, from the same starting weights
on the same batches, next to the canonical loop, and compares every step's loss and the final
weights.

    pillars exercise check train_epoch.py
"""


def train_epoch(model, batches, loss_fn, optimizer):
    """Train `model` for one pass over `batches` (a list of (x, y) pairs); the list of the losses."""
    raise NotImplementedError
'''


class _Watched:
    """An optimizer (or loss function) that records its calls in `log` and otherwise is itself."""

    def __init__(self, inner, log, calls):
        self._inner, self._log, self._calls = inner, log, calls

    def __getattr__(self, name):
        attribute = getattr(self._inner, name)
        if name in self._calls:
            def recorded(*args, **kwargs):
                self._log.append(name)
                return attribute(*args, **kwargs)
            return recorded
        return attribute

    def __call__(self, *args, **kwargs):
        self._log.append("loss")
        return self._inner(*args, **kwargs)


class _WatchedLoss(_Watched):
    """The loss function, which also notes a loss computed while the model was in eval mode."""

    def __init__(self, inner, log, model):
        super().__init__(inner, log, ())
        self._model = model

    def __call__(self, *args, **kwargs):
        if not self._model.training:
            self._log.append("eval mode")
        return super().__call__(*args, **kwargs)


def _watch_backward(model, log):
    def hook(grad):
        if not log or log[-1] != "backward":
            log.append("backward")
    for parameter in model.parameters():
        parameter.register_hook(hook)


def _order_mistake(log):
    """The hint for a misplaced call, read from the recorded order of calls; None if none is seen."""
    if "zero_grad" not in log:
        return ("missing zero_grad: without optimizer.zero_grad() each batch's gradient is added to the "
                "previous ones; call it first in every iteration")
    last = None   # the latest of loss / backward / zero_grad before each step
    for event in log:
        if event == "step":
            if last == "loss" or last is None:
                return ("step before backward: optimizer.step() ran before loss.backward() had filled the "
                        "gradients; the order is zero_grad, forward, loss, backward, step")
            if last == "zero_grad":
                return ("zero_grad in the wrong place: called between backward and step it erases the "
                        "gradients step needs; call it at the start of the iteration")
        elif event in ("loss", "backward", "zero_grad"):
            last = event
    return None


def _canonical_epoch(model, batches, loss_fn, optimizer):
    """The loop the learner's must match, run by the grader as the oracle."""
    model.train()
    losses = []
    for x, y in batches:
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def grade_train(module, grader):
    (train,) = required(module, "train_epoch")
    libraries = _libraries(grader)
    oracle = libraries[-1][1]

    def setup(library, seed, rows):
        library.manual_seed(0)
        model = _model(library, _weights(seed))
        model[2].p = 0.0   # no dropout here: the two libraries draw different masks
        optimizer = library.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        return model, _batches(library, rows), library.nn.CrossEntropyLoss(), optimizer

    def test(case):
        seed, rows = case
        inputs = {"starting weights": f"seed {seed}", **{f"batch {i + 1} x": x for i, (x, _) in enumerate(rows)},
                  **{f"batch {i + 1} y": y for i, (_, y) in enumerate(rows)}}
        model, batches, loss_fn, optimizer = setup(oracle, seed, rows)
        expected = np.array(_canonical_epoch(model, batches, loss_fn, optimizer))
        expected_weights = {name: _numpy(value) for name, value in model.state_dict().items()}
        for name, library in libraries:
            model, batches, loss_fn, optimizer = setup(library, seed, rows)
            log = []
            _watch_backward(model, log)
            watched = _Watched(optimizer, log, {"zero_grad", "step"})
            try:
                model.eval()   # as evaluation leaves it: the loop must switch it back to training mode
                returned = call("train_epoch", train, model, batches, _WatchedLoss(loss_fn, log, model), watched,
                                inputs=inputs)
                if "eval mode" in log:
                    raise Failure(f"on {name}, the model trained in eval mode (dropout and batch norm behave "
                                  f"as at inference)", "call model.train() before the loop")
                losses = _floats(returned, "train_epoch", len(rows))
                compare(f"the losses of the steps on {name}", inputs, expected, losses,
                        f"the canonical loop on {oracle.__name__}", rtol=1e-7, atol=1e-10)
                for key, value in model.state_dict().items():
                    compare(f"the final {key} on {name}", inputs, expected_weights[key], _numpy(value),
                            f"the canonical loop on {oracle.__name__}", rtol=1e-7, atol=1e-10)
            except Failure as failure:
                failure.hint = _order_mistake(log) or failure.hint
                raise

    grader.search(_data(), test, examples=min(grader.examples, 20), shrink_calls=25)


TRAIN = Exercise(
    9, "train_epoch", "pillar 4, training",
    "the training loop in canonical order, the same lines on minigrad and torch", TRAIN_SKELETON,
    ("model.train() once, then for x, y in batches: the five steps of the docstring, in that order.",
     "zero_grad comes first: gradients add up in .grad until something clears them.",
     "step comes after backward: it reads the gradients that backward just wrote. losses.append(loss.item())."),
    grade_train, fallback="the grader's canonical loop on minigrad")


# ------------------------------------------------------------------ 10. the evaluation loop
EVALUATE_SKELETON = '''# pillars exercise: evaluate
"""Exercise 10: the evaluation loop (pillar 5, evaluation).

Scoring a model on held-out rows changes nothing in it, and takes two switches:
- model.eval(): layers that behave differently in training (dropout, batch norm) switch to
  their inference behaviour;
- torch.no_grad() (here `no_grad`, given to you: torch's or minigrad's): no graph is recorded,
  since nothing will be backpropagated.

The loss and the accuracy are means over the ROWS, not over the batches. A last batch is often
short, and its mean counts for fewer rows:

    mean loss = sum over batches of (batch mean loss * rows in the batch) / total rows
    accuracy  = (rows whose argmax output equals the target) / total rows

The check runs your loop on minigrad and on torch, with a model that has dropout and batches
whose last one is short, and compares with the loss and accuracy over all rows at once.

    pillars exercise check evaluate.py
"""


def evaluate(model, batches, loss_fn, no_grad):
    """(mean loss per row, accuracy) of `model` on `batches` (a list of (x, y) pairs); `loss_fn`
    returns a batch's mean loss. Use `with no_grad():` around the forward passes."""
    raise NotImplementedError
'''


class _Spy:
    """A model that records, at every forward, whether it was in training mode and whether a graph
    was being recorded."""

    def __init__(self, model, library, seen):
        self._model, self._library, self._seen = model, library, seen

    def __getattr__(self, name):
        return getattr(self._model, name)

    def __call__(self, *args, **kwargs):
        self._seen.append((self._model.training, self._library.is_grad_enabled()))
        return self._model(*args, **kwargs)


EVALUATE_RULES = [
    (lambda actual, per_batch, **_: near(actual, per_batch),
     ("averaged per batch: the short last batch then counts as much as a full one; weight each batch's "
     "mean by its number of rows and divide the sum by the total number of rows")),
]


def grade_evaluate(module, grader):
    (evaluate,) = required(module, "evaluate")
    libraries = _libraries(grader)

    def reference(library, seed, rows):
        """The loss and accuracy over all rows in one forward, and the per-batch averages (a mistake)."""
        model = _model(library, _weights(seed)).eval()
        loss_fn = library.nn.CrossEntropyLoss()
        x = library.tensor(np.concatenate([x for x, _ in rows]), dtype=library.float64)
        y = np.concatenate([y for _, y in rows])
        with library.no_grad():
            out = model(x)
            loss = loss_fn(out, library.tensor(y)).item()
            batch_losses = [loss_fn(model(library.tensor(bx, dtype=library.float64)), library.tensor(by)).item()
                            for bx, by in rows]
        hits = _numpy(out).argmax(axis=1) == y
        batch_accuracies = [np.mean(_numpy(model(library.tensor(bx, dtype=library.float64))).argmax(axis=1) == by)
                            for bx, by in rows]
        return loss, float(hits.mean()), float(np.mean(batch_losses)), float(np.mean(batch_accuracies))

    def test(case):
        seed, rows = case
        inputs = {"batch sizes": [len(y) for _, y in rows], "weights": f"seed {seed}"}
        for name, library in libraries:
            loss, accuracy, loss_per_batch, accuracy_per_batch = reference(library, seed, rows)
            library.manual_seed(0)
            model = _model(library, _weights(seed)).train()   # the learner must switch it to eval
            seen = []
            result = call("evaluate", evaluate, _Spy(model, library, seen), _batches(library, rows),
                          library.nn.CrossEntropyLoss(), library.no_grad, inputs=inputs)
            if any(training for training, _ in seen):
                raise Failure(f"on {name}, the model ran in training mode, so dropout was active",
                              "call model.eval() before the loop")
            if any(recording for _, recording in seen):
                raise Failure(f"on {name}, the forward passes recorded a graph for backward",
                              "wrap the forward passes in `with no_grad():`")
            if not (isinstance(result, (tuple, list)) and len(result) == 2):
                raise Failure("evaluate must return a pair (mean loss, accuracy)")
            got = [np.asarray(float(value)) for value in result]
            with hinting(EVALUATE_RULES) as facts:
                facts.update(actual=got[0], per_batch=np.asarray(loss_per_batch))
                compare(f"the mean loss on {name}", inputs, np.asarray(loss), got[0],
                        "all rows at once", rtol=1e-7, atol=1e-10)
                facts.update(actual=got[1], per_batch=np.asarray(accuracy_per_batch))
                compare(f"the accuracy on {name}", inputs, np.asarray(accuracy), got[1],
                        "all rows at once", rtol=1e-7, atol=1e-10)

    grader.search(_data(short_last=True), test, examples=min(grader.examples, 20), shrink_calls=25)


EVALUATE = Exercise(
    10, "evaluate", "pillar 5, evaluation",
    "the evaluation loop: eval mode, no_grad, loss and accuracy averaged per row", EVALUATE_SKELETON,
    ("model.eval() first, then `with no_grad():` around the loop.",
     "Keep three sums: loss.item() * len(y), the number of correct rows, and the number of rows.",
     "A row is correct when outputs.argmax(dim=1) equals its target: (outputs.argmax(dim=1) == y).sum().item()."),
    grade_evaluate, uses_torch=True, fallback="the same model on minigrad, all rows at once")


EXERCISES = [TRAIN, EVALUATE]
