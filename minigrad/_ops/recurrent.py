"""A whole LSTM or GRU layer as one primitive: the loop over time in forward, and
backpropagation through time written out in backward.

Forward, for each step t (in reverse order for the backward direction of a
bidirectional layer), with torch's gate order:

    i, f, g, o = split(x_t W_ih^T + b_ih + h W_hh^T + b_hh)
    c = sigmoid(f) * c + sigmoid(i) * tanh(g)
    h = sigmoid(o) * tanh(c)

The output is h and c of every step, (2, L, N, H). It is a view of the start of one buffer
that also keeps, for every step, what backward needs besides h and c: the activated gates
(L, N, 4H) and tanh(c) (L, N, H). Backward reads them through the output's `.base`, so it
recomputes nothing, and the gradient reaching the layer covers h and c only (the layer's
users read nothing else). It walks the steps the other way, carrying dh and dc back
through the recurrence:

    dc = dc_from_later_steps + dh * o * (1 - tanh(c)^2)
    di, df, dg, do = dc * g, dc * c_prev, dc * i, dh * tanh(c)      (times each gate's derivative)
    dc_prev = dc * f,   dh_prev = d_gates W_hh

after which the weight, bias and input gradients are single matrix products over all
steps at once. One node per layer replaces the ~17 nodes per step of the same
computation built from tensor operations.

Gradients of gradients (create_graph): the backward runs on tensors, in a form that stacks
each step's gradients instead of writing them into buffers, so that it is recorded. A
recorded tensor has no buffer behind it, so that form recomputes the gates and tanh(c) from
the inputs and the output [h, c] with recorded operations: they are then functions of the
inputs in the graph, and the backward of the backward follows them.

The GRU is built the same way: its output h is a view of a buffer that also keeps r, z, n
and the hidden part of n's pre-activation for every step, which its backward reads, and a
recorded form of its backward for tensors. The buffers and the arrays a backward uses only
inside itself come from the workspace, so that a step does not hand megabytes back to the
system and fault them in again at the next one.
"""

import numpy as np

from minigrad._ops import workspace
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


def _part(a, start, width, hidden):
    return a[..., start * hidden:(start + width) * hidden]


# An LSTM layer's buffer, in units of L * N * H: [h, c] of every step (the output), then the
# activated gates i, f, g, o and tanh(c), which only backward reads.
LSTM_OUTPUT, LSTM_GATES, LSTM_TANH_C, LSTM_BUFFER = 2, 4, 1, 7


def _lstm_parts(buffer, length, batch, hidden):
    """The views of an LSTM layer's flat buffer: the output [h, c] (2, L, N, H), the gates
    (L, N, 4H) and tanh(c) (L, N, H)."""
    size = length * batch * hidden
    gates_at, tanh_c_at = LSTM_OUTPUT * size, (LSTM_OUTPUT + LSTM_GATES) * size
    return (buffer[:gates_at].reshape(LSTM_OUTPUT, length, batch, hidden),
            buffer[gates_at:tanh_c_at].reshape(length, batch, LSTM_GATES * hidden),
            buffer[tanh_c_at:].reshape(length, batch, hidden))


def _lstm_layer(x, h0, c0, w_ih, w_hh, b_ih, b_hh, reverse):
    length, batch, hidden = x.shape[0], x.shape[1], h0.shape[-1]
    # (kept from step to step, as the step's largest array: see workspace)
    buffer = workspace.empty((LSTM_BUFFER * length * batch * hidden,), np.result_type(x, w_ih))
    out, gates, tanh_c = _lstm_parts(buffer, length, batch, hidden)
    hs, cs = out
    # The input's part of every step's pre-activations at once, written where the gates go:
    # each step adds its hidden part there and activates them in place.
    np.matmul(x.reshape(-1, x.shape[-1]), w_ih.T, out=gates.reshape(-1, LSTM_GATES * hidden))
    if b_ih is not None:
        gates += b_ih + b_hh
    w_hh_t = w_hh.T
    h, c = h0, c0
    with np.errstate(over="ignore"):         # sigmoid's exp(-x) may overflow to inf: the limit 0
        for t in _steps(length, reverse):
            p = gates[t]
            p += h @ w_hh_t
            i, f, g, o = (_part(p, k, 1, hidden) for k in range(4))
            tanh_g = np.tanh(g)              # kept aside while the sigmoid runs over all four
            _sigmoid_into(p, out=p)
            g[...] = tanh_g
            c = np.multiply(f, c, out=cs[t])
            c += i * g
            np.tanh(c, out=tanh_c[t])
            h = np.multiply(o, tanh_c[t], out=hs[t])
    return out


def _kept_parts(ans):
    """The gates and tanh(c) that forward kept in the buffer behind its output `ans`, or None
    when `ans` is not such a view (a recorded tensor, or an array made some other way).

    The memory behind `ans` (its `.base`) is the buffer itself, or the workspace's block of
    bytes that holds it: read either as a flat array of ans's dtype."""
    if type(ans) is not np.ndarray or ans.base is None or ans.base.nbytes * LSTM_OUTPUT != ans.nbytes * LSTM_BUFFER:
        return None
    buffer = ans.base.view(ans.dtype)
    _, gates, tanh_c = _lstm_parts(buffer, *ans.shape[1:])
    return gates, tanh_c


def _previous(sequence, first, reverse, out=None):
    """The state each step starts from: the step before it (after it when reversed), or `first`
    (written into `out` when given: on recorded tensors there is none)."""
    parts = [sequence[1:], first[None]] if reverse else [first[None], sequence[:-1]]
    return np.concatenate(parts) if out is None else np.concatenate(parts, out=out)


def _lstm_layer_vjp(wanted, grad, ans, x, h0, c0, w_ih, w_hh, b_ih, b_hh, reverse):
    kept = _kept_parts(ans) if type(grad) is np.ndarray else None
    if kept is None:
        return _lstm_layer_recorded_vjp(grad, ans, x, h0, c0, w_ih, w_hh, b_ih, b_hh, reverse)
    gates, tanh_c = kept
    hidden = h0.shape[-1]
    hs, cs = ans
    i, f, g, o = (_part(gates, k, 1, hidden) for k in range(4))
    # (the arrays of this rule's own, which it does not return, are kept from step to step: see workspace)
    h_prev = _previous(hs, h0, reverse, out=workspace.empty(hs.shape, hs.dtype))
    c_prev = _previous(cs, c0, reverse, out=workspace.empty(cs.shape, cs.dtype))
    # d pre-activation = (dc or dh) * scale, with each gate's scale known for all steps at once:
    # i: dc * g * i(1-i)   f: dc * c_prev * f(1-f)   g: dc * i * (1-g^2)   o: dh * tanh(c) * o(1-o)
    # (written into buffers: 1 - gate for all four at once, then each scale's other factors)
    scale = np.subtract(1, gates, out=workspace.empty(gates.shape, gates.dtype))
    scale_i, scale_f, scale_g, scale_o = (_part(scale, k, 1, hidden) for k in range(4))
    product = workspace.empty(tanh_c.shape, tanh_c.dtype)
    scale_i *= np.multiply(g, i, out=product)
    scale_f *= np.multiply(c_prev, f, out=product)
    np.subtract(1, np.multiply(g, g, out=scale_g), out=scale_g)
    scale_g *= i
    scale_o *= np.multiply(tanh_c, o, out=product)
    through_h = np.subtract(1, np.multiply(tanh_c, tanh_c, out=product), out=product)
    through_h *= o                           # d c / d h's contribution: h = o * tanh(c)
    grad_h, grad_c = grad
    # Each step's d pre-activation is written over its scale: d_gates takes scale's place.
    # i, f and g take dc, o takes dh: the first three as one (..., 3, H) product per step
    d_gates = scale
    d_ifg = scale[..., :3 * hidden].reshape(scale.shape[:-1] + (3, hidden))
    dh_next, dc_next = np.zeros_like(h0), np.zeros_like(c0)
    for t in _steps(x.shape[0], not reverse):
        dh = grad_h[t] + dh_next
        dc = grad_c[t] + dc_next
        dc += dh * through_h[t]
        d_ifg[t] *= dc[..., None, :]
        scale_o[t] *= dh
        dc_next = np.multiply(dc, f[t], out=dc)
        dh_next = d_gates[t] @ w_hh
    rows = d_gates.reshape(-1, d_gates.shape[-1])
    d_bias = None if b_ih is None else rows.sum(axis=0)
    return (_times(d_gates, w_ih) if wanted[0] else None,                      # x
            dh_next, dc_next,                                                  # h0, c0
            rows.T @ x.reshape(-1, x.shape[-1]) if wanted[3] else None,        # w_ih
            rows.T @ h_prev.reshape(-1, hidden) if wanted[4] else None,        # w_hh
            d_bias, d_bias)                                                    # b_ih, b_hh


def _lstm_layer_recorded_vjp(grad, ans, x, h0, c0, w_ih, w_hh, b_ih, b_hh, reverse):
    """The same backpropagation through time on tensors (create_graph), each step's gradients
    joined by concatenation rather than written into buffers, so that every operation is recorded.
    The gates and tanh(c) are recomputed from the inputs and the output [h, c], as recorded
    operations: the backward of this backward then reaches the inputs through them too."""
    hidden = h0.shape[-1]
    hs, cs = ans[0], ans[1]
    h_prev, c_prev = _previous(hs, h0, reverse), _previous(cs, c0, reverse)
    pre = _times(x, w_ih.T) + _times(h_prev, w_hh.T)
    if b_ih is not None:
        pre = pre + (b_ih + b_hh)
    i, f, o = (logistic(_part(pre, k, 1, hidden)) for k in (0, 1, 3))
    g, tanh_c = np.tanh(_part(pre, 2, 1, hidden)), np.tanh(cs)
    scale_i, scale_f, scale_g, scale_o = g * i * (1 - i), c_prev * f * (1 - f), i * (1 - g * g), tanh_c * o * (1 - o)
    through_h = o * (1 - tanh_c * tanh_c)
    grad_h, grad_c = grad[0], grad[1]
    d_gates = [None] * x.shape[0]
    dh_next, dc_next = np.zeros_like(h0), np.zeros_like(c0)
    for t in _steps(x.shape[0], not reverse):
        dh = grad_h[t] + dh_next
        dc = grad_c[t] + dc_next + dh * through_h[t]
        d_gates[t] = d = np.concatenate([dc * scale_i[t], dc * scale_f[t], dc * scale_g[t], dh * scale_o[t]], axis=-1)
        dc_next = dc * f[t]
        dh_next = d @ w_hh
    d_gates = np.stack(d_gates)
    rows = d_gates.reshape(-1, 4 * hidden)
    d_bias = None if b_ih is None else np.sum(rows, axis=0)
    return (_times(d_gates, w_ih), dh_next, dc_next, rows.T @ x.reshape(-1, x.shape[-1]),
            rows.T @ h_prev.reshape(-1, hidden), d_bias, d_bias)


# inputs: x (L, N, I), h0 and c0 (N, H), w_ih (4H, I), w_hh (4H, H), b_ih and b_hh (4H,) or None;
# output: h and c of every step (2, L, N, H)
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


# A GRU layer's buffer, in units of L * N * H: h of every step (the output), then r, z, n and
# hn = (h_prev W_hh^T + b_hh)'s n part of every step, which only backward reads.
GRU_OUTPUT, GRU_KEPT, GRU_BUFFER = 1, 4, 5


def _gru_parts(buffer, length, batch, hidden):
    """The views of a GRU layer's flat buffer: the output h (L, N, H) and r, z, n, hn (4, L, N, H)."""
    size = length * batch * hidden
    return (buffer[:size].reshape(length, batch, hidden),
            buffer[size:].reshape(GRU_KEPT, length, batch, hidden))


def _gru_layer(x, h0, w_ih, w_hh, b_ih, b_hh, reverse):
    length, batch, hidden = x.shape[0], x.shape[1], h0.shape[-1]
    dtype = np.result_type(x, w_ih)
    # (the step's largest arrays are kept from step to step: see workspace)
    pre_x = workspace.empty((length, batch, 3 * hidden), dtype)  # the input's part of every step at once
    np.matmul(x.reshape(-1, x.shape[-1]), w_ih.T, out=pre_x.reshape(-1, 3 * hidden))
    if b_ih is not None:
        pre_x += b_ih
    buffer = workspace.empty((GRU_BUFFER * length * batch * hidden,), dtype)
    hs, (rs, zs, ns, hns) = _gru_parts(buffer, length, batch, hidden)
    h = h0
    for t in _steps(length, reverse):
        pre_h = h @ w_hh.T
        if b_hh is not None:
            pre_h += b_hh
        r, z, n = _gru_gates(pre_x[t], pre_h, hidden)
        h = (1 - z) * n + z * h
        hs[t], rs[t], zs[t], ns[t], hns[t] = h, r, z, n, pre_h[..., 2 * hidden:]
    return hs


def _gru_kept_parts(ans):
    """r, z, n and hn as forward kept them in the buffer behind its output `ans`, or None when
    `ans` is not such a view (a recorded tensor, or an array made some other way). The memory
    behind `ans` is the buffer itself, or the workspace's block of bytes that holds it."""
    if type(ans) is not np.ndarray or ans.base is None or ans.base.nbytes != ans.nbytes * GRU_BUFFER:
        return None
    return _gru_parts(ans.base.view(ans.dtype), *ans.shape)[1]


def _gru_layer_vjp(wanted, grad, ans, x, h0, w_ih, w_hh, b_ih, b_hh, reverse):
    """Backpropagation through time, reading the gates that forward kept, and writing each step's
    gate gradients into buffers (on recorded tensors: `_gru_layer_recorded_vjp`)."""
    kept = _gru_kept_parts(ans) if type(grad) is np.ndarray else None
    if kept is None:
        return _gru_layer_recorded_vjp(wanted, grad, ans, x, h0, w_ih, w_hh, b_ih, b_hh, reverse)
    r, z, n, hn = kept
    hidden = h0.shape[-1]
    # (the arrays of this rule's own, which it does not return, are kept from step to step: see workspace)
    h_prev = _previous(ans, h0, reverse, out=workspace.empty(ans.shape, ans.dtype))
    gates_shape = ans.shape[:-1] + (3 * hidden,)
    d_xgates, d_hgates = workspace.empty(gates_shape, ans.dtype), workspace.empty(gates_shape, ans.dtype)
    dh_next = np.zeros_like(h0)
    for t in _steps(x.shape[0], not reverse):
        dh = grad[t] + dh_next
        dxn = dh * (1 - z[t]) * (1 - n[t] * n[t])
        dr = dxn * hn[t] * r[t] * (1 - r[t])
        dz = dh * (h_prev[t] - n[t]) * z[t] * (1 - z[t])
        d_xgates[t, :, :hidden], d_xgates[t, :, hidden:2 * hidden], d_xgates[t, :, 2 * hidden:] = dr, dz, dxn
        d_hgates[t, :, :2 * hidden] = d_xgates[t, :, :2 * hidden]
        np.multiply(dxn, r[t], out=d_hgates[t, :, 2 * hidden:])
        dh_next = dh * z[t] + d_hgates[t] @ w_hh
    return _gru_weight_gradients(wanted, d_xgates, d_hgates, dh_next, x, h_prev, w_ih, b_ih, b_hh)


def _gru_layer_recorded_vjp(wanted, grad, ans, x, h0, w_ih, w_hh, b_ih, b_hh, reverse):
    """The same backpropagation through time on tensors (create_graph), each step's gate gradients
    joined by concatenation rather than written into buffers, so that every operation is recorded.
    The gates are recomputed from the inputs and the output, as recorded operations: the backward
    of this backward then reaches the inputs through them too."""
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
    return _gru_weight_gradients(wanted, np.stack(d_xgates), np.stack(d_hgates), dh_next, x, h_prev, w_ih,
                                 b_ih, b_hh)


def _gru_weight_gradients(wanted, d_xgates, d_hgates, dh_next, x, h_prev, w_ih, b_ih, b_hh):
    """Every input's gradient from the gate gradients of all steps: single matrix products."""
    hidden = h_prev.shape[-1]
    x_rows, h_rows = d_xgates.reshape(-1, 3 * hidden), d_hgates.reshape(-1, 3 * hidden)
    return (_times(d_xgates, w_ih) if wanted[0] else None, dh_next,
            x_rows.T @ x.reshape(-1, x.shape[-1]) if wanted[2] else None,
            h_rows.T @ h_prev.reshape(-1, hidden) if wanted[3] else None,
            None if b_ih is None else np.sum(x_rows, axis=0), None if b_hh is None else np.sum(h_rows, axis=0))


# inputs: x (L, N, I), h0 (N, H), w_ih (3H, I), w_hh (3H, H), b_ih and b_hh (3H,) or None; output (L, N, H)
gru_layer = Primitive("GruLayer", _gru_layer, vjp_all=_gru_layer_vjp, saves="both")
