"""RNN, LSTM and GRU against torch: outputs, final states, every gradient, repr, state_dict, errors."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad import nn
from minigrad.testing import assert_close, assert_module_matches_torch, assert_same_structure, torch_or_skip

torch = torch_or_skip()


@st.composite
def rnn_cases(draw):
    """A recurrent layer's constructor arguments, an input and (maybe) initial states."""
    kind = draw(st.sampled_from(["RNN", "LSTM", "GRU"]))
    input_size, hidden_size = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    kwargs = dict(num_layers=draw(st.integers(1, 2)), bias=draw(st.booleans()), batch_first=draw(st.booleans()),
                  bidirectional=draw(st.booleans()))
    if kind == "RNN":
        kwargs["nonlinearity"] = draw(st.sampled_from(["tanh", "relu"]))
    if kind == "LSTM" and hidden_size > 1 and draw(st.booleans()):
        kwargs["proj_size"] = draw(st.integers(1, hidden_size - 1))
    length, batch = draw(st.integers(1, 4)), draw(st.sampled_from([None, 1, 3]))  # None: unbatched
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    if batch is None:
        x = rng.standard_normal((length, input_size))
    else:
        x = rng.standard_normal((batch, length, input_size) if kwargs["batch_first"] else
                                (length, batch, input_size))
    layers = kwargs["num_layers"] * (2 if kwargs["bidirectional"] else 1)
    lead = (layers,) if batch is None else (layers, batch)
    hidden = kwargs.get("proj_size") or hidden_size
    inputs = [x]
    if draw(st.booleans()):  # explicit initial states
        h0 = rng.standard_normal(lead + (hidden,))
        inputs.append((h0, rng.standard_normal(lead + (hidden_size,))) if kind == "LSTM" else h0)
    return kind, (input_size, hidden_size), kwargs, inputs, seed


@settings(max_examples=40)
@given(rnn_cases())
def test_recurrent_layer_matches_torch(case):
    kind, sizes, kwargs, inputs, seed = case
    torch_layer, layer = getattr(torch.nn, kind)(*sizes, **kwargs), getattr(nn, kind)(*sizes, **kwargs)
    assert_same_structure(layer, torch_layer)
    assert_module_matches_torch(layer, torch_layer, inputs, seed=seed, dtype="float64")


@settings(max_examples=10)
@given(st.sampled_from(["RNN", "LSTM", "GRU"]), st.integers(0, 2**16))
def test_dropout_between_layers_is_off_in_eval(kind, seed):
    torch_layer, layer = getattr(torch.nn, kind)(3, 4, 3, dropout=0.5), getattr(nn, kind)(3, 4, 3, dropout=0.5)
    assert_same_structure(layer, torch_layer)
    x = np.random.default_rng(seed).standard_normal((4, 2, 3))
    assert_module_matches_torch(layer, torch_layer, [x], seed=seed, training=False, dtype="float64")


def test_dropout_between_layers_drops_in_training():
    minigrad.manual_seed(0)
    layer = nn.GRU(3, 4, 2, dropout=0.999)
    x = minigrad.randn(5, 2, 3)
    trained, _ = layer(x)
    layer.eval()
    evaluated, _ = layer(x)
    assert not np.allclose(trained.detach().numpy(), evaluated.detach().numpy())


def test_lstm_returns_torch_structure():
    layer = nn.LSTM(3, 5, num_layers=2, batch_first=True)
    output, (h_n, c_n) = layer(minigrad.randn(4, 7, 3))
    assert tuple(output.shape) == (4, 7, 5)
    assert tuple(h_n.shape) == tuple(c_n.shape) == (2, 4, 5)
    np.testing.assert_array_equal(output[:, -1].detach().numpy(), h_n[-1].detach().numpy())


def _torch_lstm_steps(x, h, c, w_ih, w_hh, b_ih, b_hh, reverse):
    """h and c of every step (2, L, N, H), by torch's LSTM cell one step at a time."""
    hs, cs = [None] * len(x), [None] * len(x)
    for t in (reversed(range(len(x))) if reverse else range(len(x))):
        h, c = torch.lstm_cell(x[t], (h, c), w_ih, w_hh, b_ih, b_hh)
        hs[t], cs[t] = h, c
    return torch.stack([torch.stack(hs), torch.stack(cs)])


@settings(max_examples=25)
@given(data=st.data())
def test_lstm_layer_rule_with_and_without_its_buffer_matches_torch(data):
    """The fused LSTM layer's backward on arrays reads the gates and tanh(c) that forward kept
    in the buffer behind its output [h, c]; handed an output without that buffer (a copy), it
    recomputes them as its recorded form does. Both give torch's gradients, for a gradient on h
    and c at every step, in either direction, with and without biases."""
    from minigrad._ops import recurrent

    length, batch, inputs, hidden = (data.draw(st.integers(1, 4)) for _ in range(4))
    reverse, bias = data.draw(st.booleans(), label="reverse"), data.draw(st.booleans(), label="bias")
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16), label="seed"))
    shapes = [(length, batch, inputs), (batch, hidden), (batch, hidden), (4 * hidden, inputs), (4 * hidden, hidden)]
    shapes += [(4 * hidden,)] * 2 if bias else []
    arrays = [rng.standard_normal(shape) for shape in shapes] + [None] * (0 if bias else 2)
    upstream = rng.standard_normal((2, length, batch, hidden))
    ans = recurrent.lstm_layer.forward(*arrays, reverse=reverse)
    tensors = [None if a is None else torch.tensor(a, requires_grad=True) for a in arrays]
    expected = _torch_lstm_steps(*tensors, reverse=reverse)
    assert_close(ans, expected)
    wanted = [t for t in tensors if t is not None]
    expected_grads = torch.autograd.grad(expected, wanted, torch.tensor(upstream))
    for form, output in (("buffer", ans), ("recomputed", ans.copy())):
        grads = recurrent.lstm_layer.vjp(upstream, output, arrays, {"reverse": reverse}, [True] * len(arrays))
        for i, (mine, theirs) in enumerate(zip(grads, expected_grads)):
            assert_close(mine, theirs, what=f"{form}: gradient of input {i}")


def test_default_init_is_torch_distribution():
    layer = nn.LSTM(3, 16)
    bound = 1 / 4
    values = np.concatenate([p.detach().numpy().ravel() for p in layer.parameters()])
    assert values.dtype == np.float32 and np.abs(values).max() <= bound and np.abs(values).max() > 0.9 * bound


def test_keeps_float32():
    torch_layer, layer = torch.nn.LSTM(3, 4), nn.LSTM(3, 4)
    x = np.random.default_rng(0).standard_normal((5, 2, 3)).astype("float32")
    output, (h_n, c_n) = layer(minigrad.tensor(x))
    assert output.dtype == h_n.dtype == c_n.dtype == minigrad.float32
    assert_module_matches_torch(layer, torch_layer, [x], dtype="float32")


def test_reprs_match_torch():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for build in (lambda m: m.RNN(3, 4), lambda m: m.LSTM(3, 4, proj_size=2), lambda m: m.GRU(3, 4, 2),
                      lambda m: m.RNN(3, 4, 2, "relu", False, True, 0.5, True)):
            assert repr(build(nn)) == repr(build(torch.nn))


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.LSTM(3, 4)(lib.randn(5, 2, 6)),                                   # input size
    lambda lib: lib.nn.GRU(3, 4)(lib.randn(5, 2, 3), lib.randn(1, 3, 4)),                # hidden size
    lambda lib: lib.nn.LSTM(3, 4)(lib.randn(5, 2, 3), (lib.randn(1, 2, 4), lib.randn(1, 2, 5))),
    lambda lib: lib.nn.RNN(3, 4)(lib.randn(5, 2, 3), lib.randn(2, 4)),                   # hx rank
    lambda lib: lib.nn.RNN(3, 4)(lib.randn(5, 3), lib.randn(1, 2, 4)),
    lambda lib: lib.nn.RNN(3, 4, nonlinearity="sigmoid"),
    lambda lib: lib.nn.GRU(3, 4, dropout=1.5),
])
def test_errors_match_torch(call):
    with pytest.raises(Exception) as expected:
        call(torch)
    with pytest.raises(type(expected.value)) as actual:
        call(minigrad)
    assert str(actual.value) == str(expected.value)


def test_dtype_mismatches_are_refused():
    with pytest.raises(ValueError) as expected:
        torch.nn.LSTM(3, 4)(torch.randn(5, 2, 3, dtype=torch.float64))
    with pytest.raises(ValueError) as actual:
        nn.LSTM(3, 4)(minigrad.randn(5, 2, 3, dtype=minigrad.float64))
    assert str(actual.value) == str(expected.value).replace("torch.", "minigrad.")
    with pytest.raises(RuntimeError, match="dtype"):
        nn.GRU(3, 4)(minigrad.randn(5, 2, 3), minigrad.zeros(1, 2, 4, dtype=minigrad.float64))


def test_rank_error():
    with pytest.raises(ValueError, match="LSTM: Expected input to be 2D or 3D, got 4D"):
        nn.LSTM(3, 4)(minigrad.randn(1, 5, 2, 3))


def _classifier(lib):
    nn = lib.nn

    class Classifier(nn.Module):
        """Embedding + two-layer LSTM + linear head on the last hidden state, as in the tutorials."""

        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(20, 6)
            self.lstm = nn.LSTM(6, 8, num_layers=2, batch_first=True)
            self.head = nn.Linear(8, 3)

        def forward(self, tokens):
            _, (h_n, _) = self.lstm(self.embedding(tokens))
            return self.head(h_n[-1])

    return Classifier()


def test_sequence_classifier_trains_like_torch():
    torch_model, model = _classifier(torch).double(), _classifier(minigrad).double()
    model.load_state_dict({k: minigrad.tensor(v.numpy()) for k, v in torch_model.state_dict().items()})
    torch_optimizer = torch.optim.Adam(torch_model.parameters(), lr=0.01)
    optimizer = minigrad.optim.Adam(model.parameters(), lr=0.01)
    rng = np.random.default_rng(0)
    for _ in range(10):
        tokens, labels = rng.integers(0, 20, (8, 7)), rng.integers(0, 3, 8)
        for lib, net, opt in ((torch, torch_model, torch_optimizer), (minigrad, model, optimizer)):
            loss = lib.nn.functional.cross_entropy(net(lib.tensor(tokens)), lib.tensor(labels))
            opt.zero_grad()
            loss.backward()
            opt.step()
    for (name, value), (_, expected) in zip(model.state_dict().items(), torch_model.state_dict().items()):
        np.testing.assert_allclose(value.numpy(), expected.numpy(), rtol=1e-6, atol=1e-10, err_msg=name)


@settings(max_examples=20)
@given(st.sampled_from(["LSTM", "GRU"]), st.booleans(), st.lists(st.booleans(), min_size=5, max_size=5),
       st.integers(0, 2**16))
def test_gradients_only_of_what_wants_them_match_torch(kind, bias, frozen, seed):
    """The fused layers' backward skips the gradients nobody asked for (a constant input's, a
    frozen weight's): those that are wanted are torch's, the others stay None as in torch."""
    from minigrad.testing.modules import load_torch_state

    torch_layer = getattr(torch.nn, kind)(3, 4, bias=bias).double()
    layer = getattr(nn, kind)(3, 4, bias=bias).double()
    load_torch_state(layer, torch_layer)
    for (name, p), torch_p, freeze in zip(layer.named_parameters(), torch_layer.parameters(), frozen):
        p.requires_grad_(not freeze)
        torch_p.requires_grad_(not freeze)
    rng = np.random.default_rng(seed)
    x, upstream = rng.standard_normal((5, 2, 3)), rng.standard_normal((5, 2, 4))
    out, torch_out = layer(minigrad.tensor(x))[0], torch_layer(torch.tensor(x))[0]
    assert_close(out, torch_out)
    if not torch_out.requires_grad:
        return
    (out * minigrad.tensor(upstream)).sum().backward()
    (torch_out * torch.tensor(upstream)).sum().backward()
    for (name, p), torch_p in zip(layer.named_parameters(), torch_layer.parameters()):
        if torch_p.grad is None:
            assert p.grad is None, name
        else:
            assert_close(p.grad, torch_p.grad, what=f"gradient of {name}")
