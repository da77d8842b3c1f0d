"""Packed variable-length sequences through RNN, LSTM and GRU, against torch."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.nn.utils import rnn as mrnn
from minigrad.testing import assert_close, torch_or_skip

torch = torch_or_skip()

MODES = {"RNN": (torch.nn.RNN, minigrad.nn.RNN), "LSTM": (torch.nn.LSTM, minigrad.nn.LSTM),
         "GRU": (torch.nn.GRU, minigrad.nn.GRU)}


@settings(max_examples=25)
@given(mode=st.sampled_from(sorted(MODES)), lengths=st.lists(st.integers(1, 5), min_size=1, max_size=4),
       layers=st.integers(1, 2), bidirectional=st.booleans(), batch_first=st.booleans(),
       enforce_sorted=st.booleans(), with_hx=st.booleans(), seed=st.integers(0, 2 ** 16))
def test_packed_sequences_match_torch(mode, lengths, layers, bidirectional, batch_first, enforce_sorted, with_hx,
                                      seed):
    if enforce_sorted:
        lengths = sorted(lengths, reverse=True)
    rng = np.random.default_rng(seed)
    theirs_cls, ours_cls = MODES[mode]
    theirs = theirs_cls(3, 4, num_layers=layers, bidirectional=bidirectional, batch_first=batch_first).double()
    ours = ours_cls(3, 4, num_layers=layers, bidirectional=bidirectional, batch_first=batch_first).double()
    ours.load_state_dict({k: minigrad.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    batch, steps = len(lengths), max(lengths)
    shape = (batch, steps, 3) if batch_first else (steps, batch, 3)
    x = rng.standard_normal(shape)
    x_t, x_m = torch.tensor(x, requires_grad=True), minigrad.tensor(x, requires_grad=True)
    packed_t = torch.nn.utils.rnn.pack_padded_sequence(x_t, torch.tensor(lengths), batch_first=batch_first,
                                                       enforce_sorted=enforce_sorted)
    packed_m = mrnn.pack_padded_sequence(x_m, minigrad.tensor(lengths), batch_first=batch_first,
                                         enforce_sorted=enforce_sorted)
    assert_close(packed_m.data, packed_t.data, what="packed data")
    hx_t = hx_m = None
    if with_hx:
        h = rng.standard_normal((layers * (2 if bidirectional else 1), batch, 4))
        hx_t, hx_m = torch.tensor(h), minigrad.tensor(h)
        if mode == "LSTM":
            hx_t, hx_m = (hx_t, hx_t * 0.5), (hx_m, hx_m * 0.5)
    out_t, state_t = theirs(packed_t, hx_t)
    out_m, state_m = ours(packed_m, hx_m)
    assert_close(out_m.data, out_t.data, what="output")
    states_t = state_t if mode == "LSTM" else (state_t,)
    states_m = state_m if mode == "LSTM" else (state_m,)
    for a, b in zip(states_m, states_t):
        assert_close(a, b, what="final state")
    padded_t, lengths_t = torch.nn.utils.rnn.pad_packed_sequence(out_t, batch_first=batch_first)
    padded_m, lengths_m = mrnn.pad_packed_sequence(out_m, batch_first=batch_first)
    assert_close(padded_m, padded_t, what="padded output")
    assert lengths_m.tolist() == lengths_t.tolist()
    upstream = rng.standard_normal(tuple(padded_t.shape))
    ((padded_t * torch.tensor(upstream)).sum() + sum(s.sum() for s in states_t)).backward()
    ((padded_m * minigrad.tensor(upstream)).sum() + sum(s.sum() for s in states_m)).backward()
    assert_close(x_m.grad, x_t.grad, what="input gradient")
    for (name, p_t), p_m in zip(theirs.named_parameters(), ours.parameters()):
        assert_close(p_m.grad, p_t.grad, what=f"gradient of {name}")


CELLS = {"RNNCell": (torch.nn.RNNCell, minigrad.nn.RNNCell), "LSTMCell": (torch.nn.LSTMCell, minigrad.nn.LSTMCell),
         "GRUCell": (torch.nn.GRUCell, minigrad.nn.GRUCell)}


@settings(max_examples=25)
@given(name=st.sampled_from(sorted(CELLS)), batched=st.booleans(), bias=st.booleans(), with_state=st.booleans(),
       steps=st.integers(1, 3), seed=st.integers(0, 2 ** 16))
def test_cells_match_torch(name, batched, bias, with_state, steps, seed):
    """A loop of cell steps, as hand-written sequence models use them: outputs, states, gradients, repr."""
    rng = np.random.default_rng(seed)
    theirs_cls, ours_cls = CELLS[name]
    theirs = theirs_cls(3, 4, bias=bias).double()
    ours = ours_cls(3, 4, bias=bias).double()
    ours.load_state_dict({k: minigrad.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    assert repr(ours) == repr(theirs) and list(ours.state_dict()) == list(theirs.state_dict())
    shape = (2, 3) if batched else (3,)
    xs = [rng.standard_normal(shape) for _ in range(steps)]
    state_shape = (2, 4) if batched else (4,)
    start = rng.standard_normal(state_shape)

    def run(lib, module):
        state = None
        if with_state:
            state = (lib.tensor(start), lib.tensor(start * 0.5)) if name == "LSTMCell" else lib.tensor(start)
        total = 0
        for x in xs:
            state = module(lib.tensor(x), state)
            h = state[0] if name == "LSTMCell" else state
            total = total + (h * h).sum()
        total.backward()
        return h

    assert_close(run(minigrad, ours), run(torch, theirs), what="last hidden state")
    for (pname, p_t), p_m in zip(theirs.named_parameters(), ours.parameters()):
        assert_close(p_m.grad, p_t.grad, what=f"gradient of {pname}")
