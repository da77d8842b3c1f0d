"""Hand-written NumPy training steps: the floor for any autograd library built on NumPy.

Each workload is written out forward, backward and update, the way a careful person
would write it by hand for this one computation: float32 throughout, one matrix product
where one will do, the work done in place (``out=``) where that saves a temporary, and
no graph, no dispatch, no argument checks. A NumPy autograd can at best match these; how
far it stays behind is the cost of being general.

Every ``*_gradients`` function returns the loss and the gradient of every parameter, in
the order torch's ``model.parameters()`` lists them, so that the tests can check the
floor against torch and minigrad: a fast floor that computed something else would prove
nothing.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

F32 = np.float32


def sgd_update(params, grads, lr):
    """p <- p - lr * g for every parameter, in place (the gradient's memory is reused)."""
    for p, g in zip(params, grads):
        g *= F32(lr)
        p -= g


def cross_entropy(z, y):
    """Mean cross-entropy of logits z (batch, classes) against labels y, and d loss / d z.

    z is overwritten (it becomes the gradient): softmax(z) - onehot(y), divided by the batch.
    """
    batch, rows = z.shape[0], np.arange(z.shape[0])
    z -= z.max(axis=1, keepdims=True)                  # shifted: exp cannot overflow
    picked = z[rows, y]                                # a copy (fancy indexing)
    np.exp(z, out=z)
    total = z.sum(axis=1)
    loss = (np.log(total) - picked).mean(dtype=F32)
    z /= total[:, None]                                # softmax
    z[rows, y] -= 1
    z *= F32(1 / batch)
    return loss, z


# ----------------------------------------------------------------------------- MLP
def mlp_gradients(params, x, y):
    """Linear(784, H) - ReLU - Linear(H, 10) - cross-entropy. params: w1, b1, w2, b2 (torch's layout)."""
    w1, b1, w2, b2 = params
    a = x @ w1.T
    a += b1
    np.maximum(a, 0, out=a)                             # ReLU in place: a > 0 exactly where h > 0
    z = a @ w2.T
    z += b2
    loss, dz = cross_entropy(z, y)
    dw2, db2 = dz.T @ a, dz.sum(axis=0)
    da = dz @ w2
    da *= a > 0
    dw1, db1 = da.T @ x, da.sum(axis=0)
    return loss, [dw1, db1, dw2, db2]


# ----------------------------------------------------------------------------- CNN
def cnn_gradients(params, x, y):
    """Conv2d(1, 8, 3, padding=1) - ReLU - MaxPool2d(2) - Flatten - Linear(8 * 14 * 14, 10).

    params: kernel (8, 1, 3, 3), kernel bias (8,), w (10, 8 * 14 * 14), b (10,).

    The convolution is im2col plus one matrix product per sample: the 3x3 windows of the
    zero-padded images are a strided view (no copy), copied once as (B, 9, 28 * 28) columns,
    and (8, 9) @ (B, 9, 784) gives the output directly in (B, 8, 28, 28) layout, which also
    makes the flattening before the linear layer free. Max pooling takes the pairwise
    maximum of the four strided views of the 2x2 windows; its gradient goes to the first
    element of each window that equals the maximum (torch's choice on ties), found by
    comparison, with no argmax and no scatter.
    """
    kernel, kernel_bias, w, b = params
    batch, (height, width) = x.shape[0], x.shape[2:]
    channels = kernel.shape[0]
    padded = np.zeros((batch, height + 2, width + 2), dtype=F32)
    padded[:, 1:-1, 1:-1] = x[:, 0]
    windows = sliding_window_view(padded, (3, 3), axis=(1, 2))              # (B, 28, 28, 3, 3), a view
    cols = windows.transpose(0, 3, 4, 1, 2).reshape(batch, 9, height * width)  # one copy
    act = kernel.reshape(channels, 9) @ cols                                # (B, 8, 784)
    act += kernel_bias[:, None]
    np.maximum(act, 0, out=act)                                             # ReLU in place
    blocks = act.reshape(batch, channels, height // 2, 2, width // 2, 2)
    quarters = [blocks[:, :, :, r, :, c] for r in (0, 1) for c in (0, 1)]  # (B, 8, 14, 14) views
    pooled = np.maximum(quarters[0], quarters[1])
    np.maximum(pooled, quarters[2], out=pooled)
    np.maximum(pooled, quarters[3], out=pooled)
    flat = pooled.reshape(batch, -1)                                        # channel-major, as torch flattens
    z = flat @ w.T
    z += b
    loss, dz = cross_entropy(z, y)
    dw, db = dz.T @ flat, dz.sum(axis=0)
    dpooled = (dz @ w).reshape(pooled.shape)
    dpooled *= pooled > 0                        # ReLU's gradient: a winner of 0 passes nothing back
    dact = np.empty_like(blocks)
    taken = None                                 # windows whose maximum has been routed already
    for (r, c), quarter in zip(((0, 0), (0, 1), (1, 0), (1, 1)), quarters):
        first = quarter == pooled
        if taken is None:
            taken = first.copy()
        else:
            np.greater(first, taken, out=first)  # equal here and not before
            taken |= first
        np.multiply(dpooled, first, out=dact[:, :, :, r, :, c])
    dact = dact.reshape(batch, channels, height * width)
    dkernel = (dact @ cols.transpose(0, 2, 1)).sum(axis=0).reshape(kernel.shape)
    return loss, [dkernel, dact.sum(axis=(0, 2)), dw, db]


# ----------------------------------------------------------------------------- chain
def chain_gradient(x, ops):
    """Forward ``ops // 2`` times (y * 1.0001 + 0.1), then d sum(y) / d x by hand."""
    y = x
    for _ in range(ops // 2):
        y = y * F32(1.0001)
        y = y + F32(0.1)
    g = np.ones_like(y)
    for _ in range(ops // 2):
        g = g * F32(1.0001)                      # the additions pass the gradient on unchanged
    return y.sum(), g


# ----------------------------------------------------------------------------- LSTM
def _sigmoid(x, out):
    np.negative(x, out=out)
    np.exp(out, out=out)
    out += 1
    np.reciprocal(out, out=out)
    return out


def lstm_gradients(params, tokens, y):
    """Embedding(V, E) - LSTM(E, H), batch first - Linear(H, 10) on the last step - cross-entropy.

    params: embedding (V, E), w_ih (4H, E), w_hh (4H, H), b_ih, b_hh (4H,), w (10, H), b (10,),
    with torch's gate order i, f, g, o. The input's part of every step's gates is one product
    over all steps before the loop; backward walks the steps back carrying dh and dc, then
    gets the weight gradients as one product each over all steps.
    """
    emb, w_ih, w_hh, b_ih, b_hh, w, b = params
    batch, steps = tokens.shape
    hidden = w_hh.shape[1]
    xs = emb[tokens.T]                                                      # (T, B, E), time major
    pre = (xs.reshape(steps * batch, -1) @ w_ih.T).reshape(steps, batch, 4 * hidden)
    pre += b_ih + b_hh
    gates = np.empty_like(pre)
    cs = np.empty((steps, batch, hidden), dtype=F32)
    hs = np.empty_like(cs)
    tanh_cs = np.empty_like(cs)
    h = np.zeros((batch, hidden), dtype=F32)
    c = np.zeros_like(h)
    for t in range(steps):
        p = pre[t]
        p += h @ w_hh.T
        gate = gates[t]
        _sigmoid(p, out=gate)
        np.tanh(p[:, 2 * hidden:3 * hidden], out=gate[:, 2 * hidden:3 * hidden])
        i, f, g, o = (gate[:, k * hidden:(k + 1) * hidden] for k in range(4))
        c = np.multiply(f, c, out=cs[t])
        c += i * g
        np.tanh(c, out=tanh_cs[t])
        h = np.multiply(o, tanh_cs[t], out=hs[t])
    z = h @ w.T
    z += b
    loss, dz = cross_entropy(z, y)
    dw, db = dz.T @ h, dz.sum(axis=0)
    dpre = np.empty_like(pre)
    dh, dc = dz @ w, np.zeros_like(h)
    for t in range(steps - 1, -1, -1):
        i, f, g, o = (gates[t][:, k * hidden:(k + 1) * hidden] for k in range(4))
        tc = tanh_cs[t]
        d = dpre[t]
        di, df, dg, do = (d[:, k * hidden:(k + 1) * hidden] for k in range(4))
        np.multiply(dh, tc, out=do)
        do *= o * (1 - o)
        dc += dh * o * (1 - tc * tc)
        np.multiply(dc, g, out=di)
        di *= i * (1 - i)
        if t:
            np.multiply(dc, cs[t - 1], out=df)
            df *= f * (1 - f)
        else:
            df[...] = 0                                                     # c0 is zero
        np.multiply(dc, i, out=dg)
        dg *= 1 - g * g
        dc *= f
        dh = d @ w_hh
    flat = dpre.reshape(steps * batch, -1)
    dw_ih = flat.T @ xs.reshape(steps * batch, -1)
    dw_hh = dpre[1:].reshape(-1, 4 * hidden).T @ hs[:-1].reshape(-1, hidden)  # h0 is zero
    dbias = flat.sum(axis=0)
    demb = np.zeros_like(emb)
    np.add.at(demb, tokens.T.reshape(-1), flat @ w_ih)
    return loss, [demb, dw_ih, dw_hh, dbias, dbias.copy(), dw, db]
