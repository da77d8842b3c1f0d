"""F.ctc_loss and nn.CTCLoss against torch: values and gradients over drawn lengths, blanks,
repeated labels (which need the blank between them), impossible alignments (inf, or 0 with
zero_infinity), padded and concatenated targets, lengths as tensors, lists or tuples, batched and
unbatched log_probs; grad_fn names; and torch's errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad.testing import assert_close, assert_raises_like_torch, check_parity, torch_or_skip

torch = torch_or_skip()

REDUCTIONS = st.sampled_from(["none", "mean", "sum"])


@st.composite
def ctc_problems(draw, batched=True):
    """(log_probs, targets, input_lengths, target_lengths, blank, layout) with short label alphabets,
    so that repeated labels are common, and target lengths that sometimes exceed what the input
    length allows (an impossible alignment)."""
    steps, classes = draw(st.integers(1, 7)), draw(st.integers(2, 4))
    batch = draw(st.integers(1, 3)) if batched else 1
    blank = draw(st.integers(0, classes - 1))
    labels = [c for c in range(classes) if c != blank]
    target_lengths = draw(st.lists(st.integers(0, 4), min_size=batch, max_size=batch))
    input_lengths = draw(st.lists(st.integers(0, steps), min_size=batch, max_size=batch))
    rows = [draw(st.lists(st.sampled_from(labels), min_size=n, max_size=n)) for n in target_lengths]
    seed = draw(st.integers(0, 2**32 - 1))
    logits = np.random.default_rng(seed).standard_normal((steps, batch, classes)) * 2
    log_probs = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    layout = draw(st.sampled_from(["padded", "concatenated"]))
    width = max(target_lengths) + draw(st.integers(0, 2))
    if layout == "padded":  # padding of any class, even out-of-range ones, is never read
        targets = np.array([row + [draw(st.integers(-1, classes))] * (width - len(row)) for row in rows],
                           dtype=np.int64).reshape(batch, width)
    else:
        targets = np.array(sum(rows, []), dtype=np.int64)
    if not batched:  # (T, C); a 1-D target is the whole target, a 2-D one a padded row
        log_probs = log_probs[:, 0]
    return log_probs, targets, input_lengths, target_lengths, blank


def _lengths(data, input_lengths, target_lengths):
    """The lengths as both libraries take them: int64 arrays (tensors), lists or tuples."""
    kind = data.draw(st.sampled_from([np.array, list, tuple]), label="lengths as")
    if kind is np.array:
        return np.array(input_lengths, dtype=np.int64), np.array(target_lengths, dtype=np.int64)
    return kind(input_lengths), kind(target_lengths)


@given(st.data(), ctc_problems(), REDUCTIONS, st.booleans())
@settings(max_examples=60)
def test_ctc_loss_matches_torch_in_float64(data, problem, reduction, zero_infinity):
    log_probs, targets, input_lengths, target_lengths, blank = problem
    lengths = _lengths(data, input_lengths, target_lengths)

    def loss(lib, x, t, il, tl):
        return lib.nn.functional.ctc_loss(x, t, il, tl, blank=blank, reduction=reduction,
                                          zero_infinity=zero_infinity)

    check_parity(data, loss, [log_probs, targets, *lengths], requires_grad=[True, False, False, False])


@given(st.data(), ctc_problems(batched=False), REDUCTIONS, st.booleans())
@settings(max_examples=25)
def test_unbatched_ctc_loss_matches_torch(data, problem, reduction, zero_infinity):
    log_probs, targets, input_lengths, target_lengths, blank = problem
    # one sequence: 0-d tensors or one-element lists
    lengths = data.draw(st.sampled_from([(np.array(input_lengths[0]), np.array(target_lengths[0])),
                                         (input_lengths, target_lengths)]))
    check_parity(data, lambda lib, x, t, il, tl: lib.nn.functional.ctc_loss(x, t, il, tl, blank, reduction,
                                                                          zero_infinity),
                 [log_probs, targets, *lengths], requires_grad=[True, False, False, False])


@given(st.data(), ctc_problems(), REDUCTIONS)
@settings(max_examples=25)
def test_ctc_loss_matches_torch_in_float32_through_log_softmax(data, problem, reduction):
    """The usual use: the logits are the leaf, log_softmax makes the log_probs, float32 throughout."""
    log_probs, targets, input_lengths, target_lengths, blank = problem
    lengths = _lengths(data, input_lengths, target_lengths)
    loss = minigrad.nn.CTCLoss(blank=blank, reduction=reduction, zero_infinity=True)
    reference = torch.nn.CTCLoss(blank=blank, reduction=reduction, zero_infinity=True)
    assert repr(loss) == repr(reference)
    check_parity(data, lambda lib, x, t, il, tl: (loss if lib is minigrad else reference)(x.log_softmax(2), t, il, tl),
                 [log_probs, targets, *lengths], requires_grad=[True, False, False, False], dtype=np.float32)


def _problem(lib, steps=6, dtype=None):
    """A fixed batch of two: 'aab' over 6 steps (the repeated a needs a blank between) and 'ba' over 5."""
    x = lib.tensor(np.random.default_rng(0).standard_normal((steps, 2, 3)), dtype=dtype or lib.float64)
    return x.log_softmax(2).detach().requires_grad_(), lib.tensor([[1, 1, 2], [2, 1, 0]]), [6, 5], [3, 2]


def test_repeated_labels_need_a_blank_between_them():
    # 'aa' needs at least 3 steps (a, blank, a): over 2 steps it is impossible, over 3 it is one path
    for lib in (minigrad, torch):
        log_probs = lib.zeros(3, 1, 2, dtype=lib.float64)  # every class with probability 1 (log 0)
        over_two = lib.nn.functional.ctc_loss(log_probs[:2], lib.tensor([[1, 1]]), [2], [2], reduction="none")
        over_three = lib.nn.functional.ctc_loss(log_probs, lib.tensor([[1, 1]]), [3], [2], reduction="none")
        assert over_two.item() == float("inf") and over_three.item() == 0.0
    # with classes (blank, a) of probability 1/2 at each of 3 steps, the paths spelling 'a' are
    # aaa aa- a-- -aa -a- --a: 6 of 8 (a-a spells 'aa')
    uniform = minigrad.full((3, 1, 2), np.log(0.5), dtype=minigrad.float64)
    loss = F.ctc_loss(uniform, minigrad.tensor([[1]]), [3], [1], blank=0, reduction="none")
    assert_close(loss, np.array([-np.log(6 / 8)]))
    # with (blank, a, b) of probability 1/3, the paths spelling 'ab' are aab abb ab- a-b -ab: 5 of 27
    loss_ab = F.ctc_loss(minigrad.full((3, 1, 3), np.log(1 / 3), dtype=minigrad.float64), minigrad.tensor([[1, 2]]),
                         [3], [2], blank=0, reduction="none")
    assert_close(loss_ab, np.array([-np.log(5 / 27)]))


def test_grad_fn_names_and_dtypes_are_torch_s():
    for reduction, zero_infinity, name in [("none", False, "CtcLossBackward0"), ("none", True, "WhereBackward0"),
                                           ("mean", False, "MeanBackward0"), ("sum", True, "SumBackward0")]:
        x, t, il, tl = _problem(minigrad)
        assert F.ctc_loss(x, t, il, tl, reduction=reduction, zero_infinity=zero_infinity).grad_fn.name() == name
    x, t, il, tl = _problem(minigrad, dtype=minigrad.float32)
    assert F.ctc_loss(x, t, il, tl).dtype == minigrad.float32
    assert F.ctc_loss(x[:, 0], t[0], il[:1], tl[:1], reduction="none").shape == ()
    # the top-level form takes torch's integer reduction, and leaves the loss unreduced by default
    assert_close(minigrad.ctc_loss(x, t, il, tl), torch.ctc_loss(*_problem(torch, dtype=torch.float32)))
    assert_close(minigrad.ctc_loss(x, t, il, tl, 0, 2, False),
                 torch.ctc_loss(*_problem(torch, dtype=torch.float32), 0, 2, False))


def test_the_gradient_is_not_differentiated_again_as_in_torch():
    def second_derivative(lib):
        x, t, il, tl = _problem(lib)
        (g,) = lib.autograd.grad(lib.nn.functional.ctc_loss(x, t, il, tl), x, create_graph=True)
        g.sum().backward()

    assert_raises_like_torch(second_derivative, same_message=True)


@pytest.mark.parametrize("call, same_message", [
    (lambda lib, x, t, il, tl: lib.nn.functional.ctc_loss(x, t, il, tl, blank=3), True),
    (lambda lib, x, t, il, tl: lib.nn.functional.ctc_loss(x, t, il, tl, blank=-1), True),
    (lambda lib, x, t, il, tl: lib.nn.functional.ctc_loss(x, t, [7, 5], tl), True),
    (lambda lib, x, t, il, tl: lib.nn.functional.ctc_loss(x, t, [-1, 5], tl), True),
    (lambda lib, x, t, il, tl: lib.nn.functional.ctc_loss(x, t, il, [4, 2]), True),
    (lambda lib, x, t, il, tl: lib.nn.functional.ctc_loss(x, t, il, [-1, 2]), True),
    (lambda lib, x, t, il, tl: lib.nn.functional.ctc_loss(x, t, il, [3]), True),
    (lambda lib, x, t, il, tl: lib.nn.functional.ctc_loss(x, t, [6], tl), True),
    (lambda lib, x, t, il, tl: lib.nn.functional.ctc_loss(x, lib.tensor([1, 1, 2, 2]), il, tl), True),
    (lambda lib, x, t, il, tl: lib.nn.functional.ctc_loss(x, t.reshape(2, 3, 1), il, tl), True),
    (lambda lib, x, t, il, tl: lib.nn.functional.ctc_loss(x, t, lib.tensor(il, dtype=lib.float32),
                                                          lib.tensor(tl)), True),
    (lambda lib, x, t, il, tl: lib.nn.functional.ctc_loss(x, t, lib.tensor(il), lib.tensor(tl, dtype=lib.float64)),
     True),
    (lambda lib, x, t, il, tl: lib.nn.functional.ctc_loss(x, t, lib.tensor(il), tl), False),
    (lambda lib, x, t, il, tl: lib.nn.functional.ctc_loss(x[:, 0], t[0], 6, 3), False),
    (lambda lib, x, t, il, tl: lib.nn.functional.ctc_loss(x.unsqueeze(0), t, il, tl), False),
    (lambda lib, x, t, il, tl: lib.nn.functional.ctc_loss(x.long(), t, il, tl), True),
    (lambda lib, x, t, il, tl: lib.nn.functional.ctc_loss(x, t, il, tl, reduction="avg"), True),
])
def test_errors_are_torch_s(call, same_message):
    assert_raises_like_torch(lambda lib: call(lib, *_problem(lib)), same_message=same_message)


def test_the_error_for_a_log_probs_of_the_wrong_rank_names_it():
    x, t, il, tl = _problem(minigrad)
    with pytest.raises(RuntimeError, match="Expected 3-dimensional tensor .* but got 4-dimensional tensor for "
                                           "argument #1 'log_probs'"):
        F.ctc_loss(x.unsqueeze(0), t, il, tl)
    with pytest.raises(IndexError, match="Target 3 is out of bounds"):  # torch reads past its array here
        F.ctc_loss(x, minigrad.tensor([[1, 3, 2], [2, 1, 0]]), il, tl)
