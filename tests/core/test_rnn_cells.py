"""Torch parity of the functional recurrent cells torch.rnn_tanh_cell, rnn_relu_cell, lstm_cell and
gru_cell (input, hx, w_ih, w_hh, b_ih=None, b_hh=None): values, the gradients of every input and
weight, grad_fn names and errors."""

import numpy as np
import pytest
from hypothesis import strategies as st
from parity import Cases

import minigrad
from minigrad.testing import assert_raises_like_torch, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()
cases = Cases()

GATES = {"rnn_tanh_cell": 1, "rnn_relu_cell": 1, "lstm_cell": 4, "gru_cell": 3}


def _cell_arguments(draw, name):
    """input (N, I), the hidden states (N, H) and the weights, each bias present or None (drawn)."""
    n, inputs, hidden = draw(st.integers(1, 3)), draw(st.integers(1, 4)), draw(st.integers(1, 3))
    gates = GATES[name] * hidden
    x = draw(mst.arrays("float64", (n, inputs)))
    states = [draw(mst.arrays("float64", (n, hidden))) for _ in range(2 if name == "lstm_cell" else 1)]
    weights = [draw(mst.arrays("float64", shape, elements=mst.reals(-1, 1))) for shape in ((gates, inputs),
                                                                                           (gates, hidden))]
    biases = [draw(st.none() | mst.arrays("float64", (gates,), elements=mst.reals(-1, 1))) for _ in range(2)]
    return x, states, weights, biases


def _case(name):
    def build(draw):
        x, states, weights, biases = _cell_arguments(draw, name)
        present = [b for b in biases if b is not None]
        as_list, short = draw(st.booleans()), draw(st.booleans())  # (hx a list; the biases left out)

        def cell(lib, x, *rest):
            hx, (w_ih, w_hh), given = rest[:len(states)], rest[len(states):len(states) + 2], list(rest[len(states) + 2:])
            b_ih, b_hh = (given.pop(0) if b is not None else None for b in biases)
            if name == "lstm_cell":
                hx = list(hx) if as_list else tuple(hx)
            else:
                (hx,) = hx
            if b_ih is None and b_hh is None and short:
                return getattr(lib, name)(x, hx, w_ih, w_hh)
            return getattr(lib, name)(x, hx, w_ih, w_hh, b_ih, b_hh)
        return cell, [x, *states, *weights, *present]
    build.__name__ = name
    return build


for _name in GATES:
    cases.add(_case(_name))

test_parity = cases.test(max_examples=5)


def test_grad_fn_names_are_torch_s():
    rng = np.random.default_rng(0)
    x, h, c = (rng.standard_normal((2, 3)) for _ in range(3))
    for lib in (minigrad, torch):
        xs = lib.tensor(x, requires_grad=True)
        hs, cs = lib.tensor(h), lib.tensor(c)
        w = {gates: (lib.tensor(rng.standard_normal((3 * gates, 3))),) * 2 for gates in (1, 3, 4)}
        names = [lib.rnn_tanh_cell(xs, hs, *w[1]).grad_fn.name(), lib.rnn_relu_cell(xs, hs, *w[1]).grad_fn.name(),
                 *(t.grad_fn.name() for t in lib.lstm_cell(xs, (hs, cs), *w[4])),
                 lib.gru_cell(xs, hs, *w[3]).grad_fn.name()]
        assert names == ["TanhBackward0", "ReluBackward0", "MulBackward0", "AddBackward0", "AddBackward0"], lib.__name__


def _weights(lib, gates, inputs=3, hidden=4):
    return lib.ones(gates * hidden, inputs), lib.ones(gates * hidden, hidden)


BAD_CALLS = [
    lambda lib: lib.rnn_tanh_cell(lib.ones(2, 3), lib.ones(2, 4), lib.ones(5, 3), lib.ones(4, 4)),
    lambda lib: lib.rnn_relu_cell(lib.ones(2, 3), lib.ones(2, 4), lib.ones(4, 2), lib.ones(4, 4)),
    lambda lib: lib.gru_cell(lib.ones(2, 3), lib.ones(2, 4), lib.ones(12, 3), lib.ones(9, 4)),
    lambda lib: lib.rnn_tanh_cell(lib.ones(2, 3), lib.ones(1, 4), *_weights(lib, 1)),
    lambda lib: lib.rnn_tanh_cell(lib.ones(2, 3), None, *_weights(lib, 1)),
    lambda lib: lib.rnn_tanh_cell(lib.ones(3), lib.ones(4), *_weights(lib, 1)),
    lambda lib: lib.lstm_cell(lib.ones(2, 3), (lib.ones(2, 4),), *_weights(lib, 4)),
    lambda lib: lib.lstm_cell(lib.ones(2, 3), lib.ones(2, 4), *_weights(lib, 4)),
    lambda lib: lib.lstm_cell(lib.ones(2, 3), (lib.ones(2, 4), lib.ones(2, 3)), *_weights(lib, 4)),
    lambda lib: lib.lstm_cell(lib.ones(2, 3), (lib.ones(2, 4), lib.ones(1, 4)), *_weights(lib, 4)),
    lambda lib: lib.gru_cell(lib.ones(2, 3), lib.ones(2, 5), *_weights(lib, 3)),
]


@pytest.mark.parametrize("call", BAD_CALLS)
def test_errors_are_torch_s(call):
    assert_raises_like_torch(call, same_message=True)


def test_mixed_dtypes_are_refused_as_in_torch():
    """(the message names the dtypes in each library's own terms)"""
    assert_raises_like_torch(lambda lib: lib.rnn_tanh_cell(lib.ones(2, 3, dtype=lib.float64), lib.ones(2, 4),
                                                           *_weights(lib, 1)))
