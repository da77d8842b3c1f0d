"""Recurrent layers: RNN (tanh or relu), LSTM and GRU, mirroring torch.nn.

A recurrent layer reads a sequence one time step at a time, carrying a hidden state:

    RNN:   h' = act(W_ih x + b_ih + W_hh h + b_hh)
    LSTM:  i, f, g, o = split(W_ih x + b_ih + W_hh h + b_hh)          (torch's gate order)
           c' = sigmoid(f) * c + sigmoid(i) * tanh(g),  h' = sigmoid(o) * tanh(c')
    GRU:   r, z, n parts of W_ih x + b_ih and of W_hh h + b_hh         (torch's gate order)
           r = sigmoid(x_r + h_r), z = sigmoid(x_z + h_z),
           n = tanh(x_n + r * h_n),  h' = (1 - z) * n + z * h

An LSTM layer (without projections) and a GRU layer are each one primitive
(minigrad._ops.recurrent), whose backward is backpropagation through time written out in
NumPy; packed sequences and the plain RNN use the per-step cells. Those are
composed of ordinary differentiable tensor operations, so there backpropagation through
time is the autograd engine walking back over the steps. The only loops are over time
steps (and layers and directions). Layers stack: the outputs of one layer are
the inputs of the next, with dropout between them in training. A bidirectional layer
also reads the sequence backwards and concatenates both outputs at each step.

Parameters per layer k (and direction, "_reverse" for the backward one), with torch's
names and shapes: weight_ih_l{k} (gates * hidden, input), weight_hh_l{k} (gates * hidden,
hidden), bias_ih_l{k}, bias_hh_l{k}; all drawn from U(-1/sqrt(hidden), 1/sqrt(hidden)).
"""

import math
import numbers
import warnings

import numpy as np

from minigrad._ops import recurrent
from minigrad.creation import empty, zeros
from minigrad.functions import cat, stack, where
from minigrad.nn import functional, init
from minigrad.nn.modules.module import Module
from minigrad.nn.parameter import Parameter
from minigrad.nn.utils import rnn as rnn_utils
from minigrad.tensor import apply

__all__ = ["GRU", "GRUCell", "LSTM", "LSTMCell", "RNN", "RNNBase", "RNNCell", "RNNCellBase"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _affine(x, weight_t, bias):
    """x W^T + b, given W^T (transposed once per layer rather than at every step)."""
    out = x.matmul(weight_t)
    return out if bias is None else out + bias


def _rnn_tanh_cell(x, state, w_ih_t, w_hh_t, b_ih, b_hh, w_hr_t):
    return ((_affine(x, w_ih_t, b_ih) + _affine(state[0], w_hh_t, b_hh)).tanh(),)


def _rnn_relu_cell(x, state, w_ih_t, w_hh_t, b_ih, b_hh, w_hr_t):
    return ((_affine(x, w_ih_t, b_ih) + _affine(state[0], w_hh_t, b_hh)).relu(),)


def _lstm_cell(x, state, w_ih_t, w_hh_t, b_ih, b_hh, w_hr_t):
    h, c = state
    i, f, g, o = (_affine(x, w_ih_t, b_ih) + _affine(h, w_hh_t, b_hh)).chunk(4, 1)
    c = f.sigmoid() * c + i.sigmoid() * g.tanh()
    h = o.sigmoid() * c.tanh()
    if w_hr_t is not None:  # LSTM with projections: the hidden state is projected to proj_size
        h = h.matmul(w_hr_t)
    return h, c


def _gru_cell(x, state, w_ih_t, w_hh_t, b_ih, b_hh, w_hr_t):
    h = state[0]
    x_r, x_z, x_n = _affine(x, w_ih_t, b_ih).chunk(3, 1)
    h_r, h_z, h_n = _affine(h, w_hh_t, b_hh).chunk(3, 1)
    r = (x_r + h_r).sigmoid()
    z = (x_z + h_z).sigmoid()
    n = (x_n + r * h_n).tanh()
    return ((1 - z) * n + z * h,)


_CELLS = {"RNN_TANH": _rnn_tanh_cell, "RNN_RELU": _rnn_relu_cell, "LSTM": _lstm_cell, "GRU": _gru_cell}


class RNNBase(Module):
    """What RNN, LSTM and GRU share: parameters, argument checks, and the loop over time.

    forward(input, hx=None) takes input of shape (L, N, input_size), or (N, L, input_size)
    with batch_first, or (L, input_size) unbatched; hx defaults to zeros of shape
    (num_layers * num_directions, N, hidden_size). It returns (output, h_n), where output
    holds the last layer's hidden state at every step, (L, N, num_directions * hidden_size).
    """

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        if isinstance(dropout, bool) or not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1:
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an "
                             "element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                          f"expects num_layers greater than 1, but got dropout={dropout} and "
                          f"num_layers={num_layers}", stacklevel=3)
        if not isinstance(bias, bool):
            raise TypeError(f"bias should be of type bool, got: {type(bias).__name__}")
        if not isinstance(batch_first, bool):
            raise TypeError(f"batch_first should be of type bool, got: {type(batch_first).__name__}")
        for name, value in (("input_size", input_size), ("hidden_size", hidden_size)):
            if not isinstance(value, int):
                raise TypeError(f"{name} should be of type int, got: {type(value).__name__}")
            if value <= 0:
                raise ValueError(f"{name} must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        gate_size = _GATES[mode] * hidden_size
        state_size = proj_size or hidden_size
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(self._directions):
                layer_input_size = input_size if layer == 0 else state_size * self._directions
                suffix = "_reverse" if direction == 1 else ""
                shapes = {"weight_ih": (gate_size, layer_input_size), "weight_hh": (gate_size, state_size)}
                if bias:
                    shapes.update(bias_ih=(gate_size,), bias_hh=(gate_size,))
                if proj_size > 0:
                    shapes["weight_hr"] = (proj_size, hidden_size)
                names = []
                for kind, shape in shapes.items():
                    name = f"{kind}_l{layer}{suffix}"
                    setattr(self, name, Parameter(empty(shape, device=device, dtype=dtype)))
                    names.append(name)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _directions(self):
        return 2 if self.bidirectional else 1

    @property
    def _flat_weights_names(self):
        return [name for names in self._all_weights for name in names]

    @property
    def all_weights(self):
        """The parameters of each layer and direction, as lists in torch's order."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def reset_parameters(self):
        bound = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    def _layer_weights(self, layer, direction):
        """(W_ih, W_hh, b_ih, b_hh, W_hr) of one layer and direction; absent ones are None."""
        suffix = f"_l{layer}" + ("_reverse" if direction == 1 else "")
        return tuple(getattr(self, kind + suffix, None)
                     for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr"))

    def _step_weights(self, layer, direction):
        """(W_ih^T, W_hh^T, b_ih, b_hh, W_hr^T) for the per-step cells (transposed once per layer)."""
        w_ih, w_hh, b_ih, b_hh, w_hr = self._layer_weights(layer, direction)
        return w_ih.t(), w_hh.t(), b_ih, b_hh, None if w_hr is None else w_hr.t()

    # --------------------------------------------------------------------- checks
    def _check_input(self, input):
        if input.dim() not in (2, 3):
            raise ValueError(f"{self._get_name()}: Expected input to be 2D or 3D, got {input.dim()}D tensor instead")
        weight = self.weight_ih_l0
        if input.dtype != weight.dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype ({weight.dtype}). "
                             f"Convert input: input.to({weight.dtype}), or convert model: model.to({input.dtype})")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                               f"got {input.shape[-1]}")

    def _check_hidden(self, hx, expected, dtype, what="hidden"):
        if tuple(hx.shape) != expected:
            raise RuntimeError(f"Expected {what} size {expected}, got {list(hx.shape)}")
        if hx.dtype != dtype:
            raise RuntimeError(f"Expected {what} to have the input's dtype {dtype}, but got {hx.dtype}")

    def _initial_states(self, input, hx, batch):
        """The initial state tensors, each (num_layers * num_directions, N, size)."""
        layers = self.num_layers * self._directions
        state_size = self.proj_size or self.hidden_size
        if self.mode == "LSTM":
            if hx is None:
                return (zeros(layers, batch, state_size, dtype=input.dtype),
                        zeros(layers, batch, self.hidden_size, dtype=input.dtype))
            self._check_hidden(hx[0], (layers, batch, state_size), input.dtype, "hidden[0]")
            self._check_hidden(hx[1], (layers, batch, self.hidden_size), input.dtype, "hidden[1]")
            return tuple(hx)
        if hx is None:
            return (zeros(layers, batch, self.hidden_size, dtype=input.dtype),)
        self._check_hidden(hx, (layers, batch, self.hidden_size), input.dtype)
        return (hx,)

    def _batched_hx(self, hx, batched):
        """hx for an unbatched input gets a batch axis; its rank must match the input's."""
        if hx is None:
            return None
        states = tuple(hx) if self.mode == "LSTM" else (hx,)
        want = 3 if batched else 2
        if any(s.dim() != want for s in states):
            ranks = ", ".join(f"{s.dim()}-D" for s in states)
            kind = "batched 3-D" if batched else "unbatched 2-D"
            names = "hx and cx" if self.mode == "LSTM" else "hx"
            shown = f"({ranks}) tensors" if self.mode == "LSTM" else f"{ranks} tensor"
            raise RuntimeError(f"For {kind} input, {names} should also be {want}-D but got {shown}")
        if not batched:
            states = tuple(s.unsqueeze(1) for s in states)
        return states if self.mode == "LSTM" else states[0]

    # -------------------------------------------------------------------- forward
    def forward(self, input, hx=None):
        # A PackedSequence, recognised by its fields (in case a second copy of its module exists).
        if isinstance(input, tuple) and hasattr(input, "batch_sizes"):
            return self._forward_packed(input, hx)
        self._check_input(input)
        batched = input.dim() == 3
        hx = self._batched_hx(hx, batched)
        if not batched:
            input = input.unsqueeze(1)
        elif self.batch_first:
            input = input.transpose(0, 1)
        states = self._initial_states(input, hx, input.shape[1])
        output, final = self._run_layers(input, states)
        if not batched:
            output, final = output.squeeze(1), tuple(s.squeeze(1) for s in final)
        elif self.batch_first:
            output = output.transpose(0, 1)
        return output, (final if self.mode == "LSTM" else final[0])

    def _forward_packed(self, packed, hx):
        """Variable-length sequences: each stops at its own length (its state is carried
        unchanged past it), and outputs and states come back in the caller's order."""
        padded, lengths = rnn_utils.padded_in_sorted_order(packed)
        self._check_input(padded)
        if hx is not None and packed.sorted_indices is not None:  # into the packed (longest-first) order
            hx = tuple(h.index_select(1, packed.sorted_indices) for h in hx) if self.mode == "LSTM" else \
                hx.index_select(1, packed.sorted_indices)
        states = self._initial_states(padded, hx, padded.shape[1])
        running = np.arange(padded.shape[0])[:, None, None] < lengths[None, :, None]  # (L, N, 1)
        output, final = self._run_layers(padded, states, running)
        if packed.unsorted_indices is not None:
            final = tuple(h.index_select(1, packed.unsorted_indices) for h in final)
        output = rnn_utils.PackedSequence(rnn_utils.pack_steps(output, packed.batch_sizes), packed.batch_sizes,
                                          packed.sorted_indices, packed.unsorted_indices)
        return output, (final if self.mode == "LSTM" else final[0])

    def _run_layers(self, input, states, running=None):
        """Run every layer and direction over the time-major input (L, N, features).

        `running` (L, N, 1), for packed input, says which sequences are still running at
        each step; the others keep their state and output zeros.
        """
        sequence = input
        finals = [[] for _ in states]
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(self._directions):
                index = layer * self._directions + direction
                output, final = self._run_direction(sequence, tuple(s[index] for s in states), layer, direction,
                                                    running)
                outputs.append(output)
                for kept, value in zip(finals, final):
                    kept.append(value)
            sequence = outputs[0] if len(outputs) == 1 else cat(outputs, 2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                sequence = functional.dropout(sequence, self.dropout, training=True)
        return sequence, tuple(stack(kept) for kept in finals)

    def _run_direction(self, sequence, state, layer, direction, running=None):
        """One layer in one direction: the hidden state at every step (L, N, H) and the final state."""
        reverse = direction == 1
        if self.mode == "LSTM" and self.proj_size == 0 and running is None:
            # One node for the whole layer: the loop and its backpropagation through time in NumPy.
            w_ih, w_hh, b_ih, b_hh, _ = self._layer_weights(layer, direction)
            states = apply(recurrent.lstm_layer, sequence, state[0], state[1], w_ih, w_hh, b_ih, b_hh,
                           reverse=reverse)
            last = 0 if reverse else -1
            # states (2, L, N, H): h and c of every step (see recurrent.py)
            return states[0], (states[0, last], states[1, last])
        if self.mode == "GRU" and running is None:
            w_ih, w_hh, b_ih, b_hh, _ = self._layer_weights(layer, direction)
            hs = apply(recurrent.gru_layer, sequence, state[0], w_ih, w_hh, b_ih, b_hh, reverse=reverse)
            return hs, (hs[0 if reverse else -1],)
        cell, weights = _CELLS[self.mode], self._step_weights(layer, direction)
        steps = sequence.unbind(0)
        outputs = [None] * len(steps)
        for t in (reversed(range(len(steps))) if reverse else range(len(steps))):
            new = cell(steps[t], state, *weights)
            if running is not None:  # finished sequences keep their state and output zeros
                new = tuple(where(running[t], n, old) for n, old in zip(new, state))
                outputs[t] = where(running[t], new[0], 0.0)
            else:
                outputs[t] = new[0]
            state = new
        return stack(outputs), state

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s


class RNN(RNNBase):
    """Elman RNN: h' = tanh(W_ih x + b_ih + W_hh h + b_hh), or relu with nonlinearity='relu'.

    Arguments as torch: RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh',
    bias=True, batch_first=False, dropout=0.0, bidirectional=False).
    """

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(mode, *args, **kwargs)


class LSTM(RNNBase):
    """Long short-term memory: forward(input, (h_0, c_0)) returns (output, (h_n, c_n)).

    Arguments as torch: LSTM(input_size, hidden_size, num_layers=1, bias=True,
    batch_first=False, dropout=0.0, bidirectional=False, proj_size=0).
    """

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)


class GRU(RNNBase):
    """Gated recurrent unit: forward(input, h_0) returns (output, h_n).

    Arguments as torch: GRU(input_size, hidden_size, num_layers=1, bias=True,
    batch_first=False, dropout=0.0, bidirectional=False).
    """

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)


class RNNCellBase(Module):
    """One step of a recurrent layer: what RNNCell, LSTMCell and GRUCell share.

    Parameters, as torch names them: weight_ih (gates * hidden, input), weight_hh
    (gates * hidden, hidden), bias_ih and bias_hh (gates * hidden), all drawn from
    U(-1/sqrt(hidden), 1/sqrt(hidden)). Input is (N, input_size) or unbatched (input_size,).
    """

    def __init__(self, mode, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        gates = _GATES[mode] * hidden_size
        self.weight_ih = Parameter(empty(gates, input_size, device=device, dtype=dtype))
        self.weight_hh = Parameter(empty(gates, hidden_size, device=device, dtype=dtype))
        self.register_parameter("bias_ih", Parameter(empty(gates, device=device, dtype=dtype)) if bias else None)
        self.register_parameter("bias_hh", Parameter(empty(gates, device=device, dtype=dtype)) if bias else None)
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    def _step(self, input, state):
        if input.dim() not in (1, 2):
            raise ValueError(f"{type(self).__name__}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[-1]} expected {self.input_size}")
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
            state = None if state is None else tuple(s.unsqueeze(0) for s in state)
        if state is None:
            zero = zeros(input.shape[0], self.hidden_size, dtype=input.dtype)
            state = (zero, zero) if self.mode == "LSTM" else (zero,)
        new = _CELLS[self.mode](input, state, self.weight_ih.t(), self.weight_hh.t(), self.bias_ih, self.bias_hh,
                                None)
        return new if batched else tuple(s.squeeze(0) for s in new)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s


class RNNCell(RNNCellBase):
    """h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or relu); forward(input, hx=None) returns h'."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity: {nonlinearity}")
        self.nonlinearity = nonlinearity
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size, hidden_size, bias,
                         device, dtype)

    def forward(self, input, hx=None):
        return self._step(input, None if hx is None else (hx,))[0]


class LSTMCell(RNNCellBase):
    """One LSTM step; forward(input, (h, c)=None) returns (h', c')."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, bias, device, dtype)

    def forward(self, input, hx=None):
        return self._step(input, None if hx is None else tuple(hx))


class GRUCell(RNNCellBase):
    """One GRU step; forward(input, hx=None) returns h'."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, bias, device, dtype)

    def forward(self, input, hx=None):
        return self._step(input, None if hx is None else (hx,))[0]
