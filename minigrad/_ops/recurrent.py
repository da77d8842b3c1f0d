"""A whole LSTM layer as one primitive: the loop over time in forward, and backpropagation
through time written out in backward.

Forward, for each step t (in reverse order for the backward direction of a
bidirectional layer), with torch's gate order:

    i, f, g, o = split(x_t W_ih^T + b_ih + h W_hh^T + b_hh)
    c = sigmoid(f) * c + sigmoid(i) * tanh(g)
    h = sigmoid(o) * tanh(c)

The output keeps, for every step, what backward needs besides h and c: the activated
gates and tanh(c), as (L, N, 7H) = [h | c | i f g o | tanh(c)]; the layer's users read h
and c from it. Backward then recomputes nothing. It walks the steps the other way,
carrying dh and dc back through the recurrence:

    dc = dc_from_later_steps + dh * o * (1 - tanh(c)^2)
    di, df, dg, do = dc * g, dc * c_prev, dc * i, dh * tanh(c)      (times each gate's derivative)
    dc_prev = dc * f,   dh_prev = d_gates W_hh

after which the weight, bias and input gradients are single matrix products over all
steps at once. One node per layer replaces the ~17 nodes per step of the same
computation built from tensor operations.

Gradients of gradients (create_graph): the backward runs on tensors, in a form that stacks
each step's gradients instead of writing them into buffers, so that it is recorded. The GRU
has that one form for arrays and tensors alike. The LSTM, the benchmarked layer, keeps a
buffer-writing form for arrays beside it. Its recorded backward reads the stored gates and
tanh(c), so the backward of it sends gradients there too: the LSTM's backward takes them
(through each gate's derivative).
"""

import numpy as np

from minigrad._ops.elementwise import logistic
from minigrad._ops.registry import Primitive


def _sigmoid_into(x, out):
    """1 / (1 + exp(-x)) written into `out`, the same operations as logistic, without temporaries."""
    np.negative(x, out=out)
    np.exp(out, out=out)
    out += 1
    np.reciprocal(out, out=out)  # 1 / y, rounded as the division is
    return out


def _times(a, matrix):
    """a @ matrix for a of shape (L, N, K): one matrix product over all L * N rows (NumPy's
    batched matmul would run L small ones)."""
    return (a.reshape(-1, a.shape[-1]) @ matrix).reshape(a.shape[:-1] + (matrix.shape[-1],))


def _steps(length, reverse):
    return range(length - 1, -1, -1) if reverse else range(length)


# The parts of the LSTM layer's output (L, N, 7H), in units of H.
LSTM_H, LSTM_C, LSTM_GATES, LSTM_TANH_C, LSTM_WIDTH = 0, 1, 2, 6, 7


def _part(a, start, width, hidden):
    return a[..., start * hidden:(start + width) * hidden]


def _lstm_layer(x, h0, c0, w_ih, w_hh, b_ih, b_hh, reverse):
    hidden = h0.shape[-1]
    pre = _times(x, w_ih.T)                  # the input's part of every step's gates at once
    if b_ih is not None:
        pre += b_ih + b_hh
    out = np.empty(pre.shape[:-1] + (LSTM_WIDTH * hidden,), dtype=pre.dtype)
    w_hh_t = w_hh.T
    h, c = h0, c0
    with np.errstate(over="ignore"):         # sigmoid's exp(-x) may overflow to inf: the limit 0
        for t in _steps(x.shape[0], reverse):
            step = out[t]
            gates = _part(step, LSTM_GATES, 4, hidden)
            p = pre[t]
            p += h @ w_hh_t
            _sigmoid_into(p, out=gates)
            i, f, g, o = (_part(gates, k, 1, hidden) for k in range(4))
            np.tanh(_part(p, 2, 1, hidden), out=g)
            c = np.multiply(f, c, out=_part(step, LSTM_C, 1, hidden))
            c += i * g
            tanh_c = np.tanh(c, out=_part(step, LSTM_TANH_C, 1, hidden))
            h = np.multiply(o, tanh_c, out=_part(step, LSTM_H, 1, hidden))
    return out


def _previous(sequence, first, reverse):
    """The state each step starts from: the step before it (after it when reversed), or `first`."""
    if reverse:
        return np.concatenate([sequence[1:], first[None]])
    return np.concatenate([first[None], sequence[:-1]])


def _lstm_stored_parts(grad, ans, hidden):
    """What the gradient reaching the stored gates and tanh(c) adds to each step's d pre-activation
    and to its dc (zero in a first backward: the layer's users read only h and c from the output;
    not so in the backward of a recorded backward, which reads them)."""
    i, f, g, o = (_part(ans, LSTM_GATES + k, 1, hidden) for k in range(4))
    tanh_c = _part(ans, LSTM_TANH_C, 1, hidden)
    slopes = np.concatenate([i * (1 - i), f * (1 - f), 1 - g * g, o * (1 - o)], axis=-1)
    return (_part(grad, LSTM_GATES, 4, hidden) * slopes,
            _part(grad, LSTM_TANH_C, 1, hidden) * (1 - tanh_c * tanh_c))


def _lstm_layer_vjp(grad, ans, x, h0, c0, w_ih, w_hh, b_ih, b_hh, reverse):
    if type(grad) is not np.ndarray:
        return _lstm_layer_recorded_vjp(grad, ans, x, h0, c0, w_ih, w_hh, b_ih, b_hh, reverse)
    hidden = h0.shape[-1]
    stored = _part(grad, LSTM_GATES, 5, hidden)
    extra_gates, extra_dc = _lstm_stored_parts(grad, ans, hidden) if stored.any() else (None, None)
    hs, cs = _part(ans, LSTM_H, 1, hidden), _part(ans, LSTM_C, 1, hidden)
    tanh_c = _part(ans, LSTM_TANH_C, 1, hidden)
    i, f, g, o = (_part(ans, LSTM_GATES + k, 1, hidden) for k in range(4))
    h_prev, c_prev = _previous(hs, h0, reverse), _previous(cs, c0, reverse)
    # d pre-activation = (dc or dh) * scale, with each gate's scale known for all steps at once:
    # i: dc * g * i(1-i)   f: dc * c_prev * f(1-f)   g: dc * i * (1-g^2)   o: dh * tanh(c) * o(1-o)
    scale = np.empty(ans.shape[:-1] + (4 * hidden,), dtype=ans.dtype)
    scale_i, scale_f, scale_g, scale_o = (_part(scale, k, 1, hidden) for k in range(4))
    np.multiply(g * i, 1 - i, out=scale_i)
    np.multiply(c_prev * f, 1 - f, out=scale_f)
    np.multiply(i, 1 - g * g, out=scale_g)
    np.multiply(tanh_c * o, 1 - o, out=scale_o)
    through_h = o * (1 - tanh_c * tanh_c)    # d c / d h's contribution: h = o * tanh(c)
    grad_h, grad_c = _part(grad, LSTM_H, 1, hidden), _part(grad, LSTM_C, 1, hidden)
    d_gates = np.empty_like(scale)
    # i, f and g take dc, o takes dh: the first three as one (..., 3, H) product per step
    scale_ifg = scale[..., :3 * hidden].reshape(scale.shape[:-1] + (3, hidden))
    d_ifg = d_gates[..., :3 * hidden].reshape(scale_ifg.shape)
    d_o = _part(d_gates, 3, 1, hidden)
    dh_next, dc_next = np.zeros_like(h0), np.zeros_like(c0)
    for t in _steps(x.shape[0], not reverse):
        dh = grad_h[t] + dh_next
        dc = grad_c[t] + dc_next
        dc += dh * through_h[t]
        if extra_dc is not None:
            dc += extra_dc[t]
        np.multiply(dc[..., None, :], scale_ifg[t], out=d_ifg[t])
        np.multiply(dh, scale_o[t], out=d_o[t])
        d = d_gates[t]
        if extra_gates is not None:
            d += extra_gates[t]
        dc_next = np.multiply(dc, f[t], out=dc)
        dh_next = d @ w_hh
    rows = d_gates.reshape(-1, d_gates.shape[-1])
    d_bias = None if b_ih is None else rows.sum(axis=0)
    return (_times(d_gates, w_ih),                            # x
            dh_next, dc_next,                                 # h0, c0
            rows.T @ x.reshape(-1, x.shape[-1]),              # w_ih
            rows.T @ h_prev.reshape(-1, hidden),              # w_hh
            d_bias, d_bias)                                   # b_ih, b_hh


def _lstm_layer_recorded_vjp(grad, ans, x, h0, c0, w_ih, w_hh, b_ih, b_hh, reverse):
    """The same backpropagation through time on tensors (create_graph), each step's gradients
    joined by concatenation rather than written into buffers, so that every operation is recorded."""
    hidden = h0.shape[-1]
    hs, cs = _part(ans, LSTM_H, 1, hidden), _part(ans, LSTM_C, 1, hidden)
    tanh_c = _part(ans, LSTM_TANH_C, 1, hidden)
    i, f, g, o = (_part(ans, LSTM_GATES + k, 1, hidden) for k in range(4))
    h_prev, c_prev = _previous(hs, h0, reverse), _previous(cs, c0, reverse)
    scale_i, scale_f, scale_g, scale_o = g * i * (1 - i), c_prev * f * (1 - f), i * (1 - g * g), tanh_c * o * (1 - o)
    through_h = o * (1 - tanh_c * tanh_c)
    extra_gates, extra_dc = _lstm_stored_parts(grad, ans, hidden)
    grad_h, grad_c = _part(grad, LSTM_H, 1, hidden), _part(grad, LSTM_C, 1, hidden)
    d_gates = [None] * x.shape[0]
    dh_next, dc_next = np.zeros_like(h0), np.zeros_like(c0)
    for t in _steps(x.shape[0], not reverse):
        dh = grad_h[t] + dh_next
        dc = grad_c[t] + dc_next + dh * through_h[t] + extra_dc[t]
        d = np.concatenate([dc * scale_i[t], dc * scale_f[t], dc * scale_g[t], dh * scale_o[t]], axis=-1)
        d_gates[t] = d = d + extra_gates[t]
        dc_next = dc * f[t]
        dh_next = d @ w_hh
    d_gates = np.stack(d_gates)
    rows = d_gates.reshape(-1, 4 * hidden)
    d_bias = None if b_ih is None else np.sum(rows, axis=0)
    return (_times(d_gates, w_ih), dh_next, dc_next, rows.T @ x.reshape(-1, x.shape[-1]),
            rows.T @ h_prev.reshape(-1, hidden), d_bias, d_bias)


# inputs: x (L, N, I), h0 and c0 (N, H), w_ih (4H, I), w_hh (4H, H), b_ih and b_hh (4H,) or None
lstm_layer = Primitive("LstmLayer", _lstm_layer, vjp_all=_lstm_layer_vjp, saves="both")


# ---------------------------------------------------------------------------------- GRU
# Forward, per step (torch's gate order r, z, n; the input and hidden parts kept apart):
#     r = sigmoid(xr + hr),  z = sigmoid(xz + hz),  n = tanh(xn + r * hn),  h = (1 - z) * n + z * h_prev
# where x* = x W_ih^T + b_ih and h* = h_prev W_hh^T + b_hh. Backward, per step:
#     dn = dh (1 - z),  dz = dh (h_prev - n),  dh_prev = dh z + d_hgates W_hh
#     dxn = dn (1 - n^2),  dr = dxn hn,  dhn = dxn r,  dxr = dhr = dr r (1 - r),  dxz = dhz = dz z (1 - z)

def _gru_gates(pre_x, pre_h, hidden):
    """r, z, n from the input part and the hidden part of the pre-activations (..., 3H)."""
    r = logistic(pre_x[..., :hidden] + pre_h[..., :hidden])
    z = logistic(pre_x[..., hidden:2 * hidden] + pre_h[..., hidden:2 * hidden])
    n = np.tanh(pre_x[..., 2 * hidden:] + r * pre_h[..., 2 * hidden:])
    return r, z, n


def _gru_layer(x, h0, w_ih, w_hh, b_ih, b_hh, reverse):
    hidden = h0.shape[-1]
    pre_x = _times(x, w_ih.T)
    if b_ih is not None:
        pre_x += b_ih
    hs = np.empty((x.shape[0],) + h0.shape, dtype=pre_x.dtype)
    h = h0
    for t in _steps(x.shape[0], reverse):
        pre_h = h @ w_hh.T
        if b_hh is not None:
            pre_h += b_hh
        r, z, n = _gru_gates(pre_x[t], pre_h, hidden)
        h = (1 - z) * n + z * h
        hs[t] = h
    return hs


def _gru_layer_vjp(grad, ans, x, h0, w_ih, w_hh, b_ih, b_hh, reverse):
    """Backpropagation through time. Each step's gate gradients are joined by concatenation
    rather than written into buffers, so the same rule runs on arrays and, under create_graph,
    on recorded tensors."""
    hidden = h0.shape[-1]
    h_prev = _previous(ans, h0, reverse)
    pre_x, pre_h = _times(x, w_ih.T), _times(h_prev, w_hh.T)
    if b_ih is not None:
        pre_x, pre_h = pre_x + b_ih, pre_h + b_hh
    r, z, n = _gru_gates(pre_x, pre_h, hidden)
    hn = pre_h[..., 2 * hidden:]
    d_xgates, d_hgates = [None] * x.shape[0], [None] * x.shape[0]
    dh_next = np.zeros_like(h0)
    for t in _steps(x.shape[0], not reverse):
        dh = grad[t] + dh_next
        dxn = dh * (1 - z[t]) * (1 - n[t] * n[t])
        dr = dxn * hn[t] * r[t] * (1 - r[t])
        dz = dh * (h_prev[t] - n[t]) * z[t] * (1 - z[t])
        d_xgates[t] = np.concatenate([dr, dz, dxn], axis=-1)
        d_hgates[t] = np.concatenate([dr, dz, dxn * r[t]], axis=-1)
        dh_next = dh * z[t] + d_hgates[t] @ w_hh
    d_xgates, d_hgates = np.stack(d_xgates), np.stack(d_hgates)
    x_rows, h_rows = d_xgates.reshape(-1, 3 * hidden), d_hgates.reshape(-1, 3 * hidden)
    return (_times(d_xgates, w_ih), dh_next, x_rows.T @ x.reshape(-1, x.shape[-1]),
            h_rows.T @ h_prev.reshape(-1, hidden),
            None if b_ih is None else np.sum(x_rows, axis=0), None if b_hh is None else np.sum(h_rows, axis=0))


# inputs: x (L, N, I), h0 (N, H), w_ih (3H, I), w_hh (3H, H), b_ih and b_hh (3H,) or None; output (L, N, H)
gru_layer = Primitive("GruLayer", _gru_layer, vjp_all=_gru_layer_vjp, saves="both")
