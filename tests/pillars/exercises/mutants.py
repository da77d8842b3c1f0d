"""Realistic wrong answers to each exercise, made by editing its reference solution, with the words
the hint must contain: (what the mistake is, text in the solution, its replacement, hint fragment).
Several edits are given as tuples of texts and of replacements."""

MUTANTS = {
    "sigmoid_vjp": [
        ("sign flip", "g * ans * (1 - ans)", "g * ans * (ans - 1)", "sign is flipped"),
        ("no upstream gradient", "g * ans * (1 - ans)", "ans * (1 - ans)", "chain rule"),
        ("the input instead of the output", "g * ans * (1 - ans)", "g * x * (1 - x)", "not the input x"),
    ],
    "div_vjp": [
        ("missing unbroadcast", "return unbroadcast(g / y, np.shape(x)), unbroadcast(-g * x / y ** 2, np.shape(y))",
         "return g / y, -g * x / y ** 2", "missing unbroadcast"),
        ("size-1 axes not summed", "axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)",
         "axes = ()", "size 1"),
        ("sign flip in dL/dy", "-g * x / y ** 2", "g * x / y ** 2", "sign"),
        ("the trailing axes summed instead of the leading ones", "grad = grad.sum(axis=tuple(range(grad.ndim - len(shape))))",
         "grad = grad.sum(axis=tuple(range(len(shape), grad.ndim)))", "summed axis"),
    ],
    "matmul_vjp": [
        (".T on batches", "np.swapaxes(b2, -1, -2)", "b2.T", "swapaxes"),
        ("batch axes not summed", "return _unbroadcast(ga, a.shape), _unbroadcast(gb, b.shape)", "return ga, gb",
         "batch axes"),
        ("1-D operands ignored", "a2 = a[np.newaxis, :] if a.ndim == 1 else a", "a2 = a", "1-D operand"),
        ("size-1 batch axes not summed", "axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)",
         "axes = ()", "batch axes"),
    ],
    "cross_entropy": [
        ("no max subtracted", "shifted = logits - logits.max(axis=1, keepdims=True)", "shifted = logits",
         "subtract each row's maximum"),
        ("log of an underflowed softmax", "loss = np.mean(np.log(sums[:, 0]) - shifted[rows, targets])",
         "loss = np.mean(-np.log((exps / sums)[rows, targets]))", "log-sum-exp"),
        ("sum instead of mean", "return float(loss), grad / n", "return float(loss) * n, grad", "MEAN"),
        ("sign flip", "return float(loss), grad / n", "return float(loss), -grad / n", "sign is flipped"),
    ],
    "max_pool2d_vjp": [
        ("assign instead of accumulate", "+= g[n, c, i, j]", "= g[n, c, i, j]", "accumulate with +="),
        ("the last tied maximum", "np.argmax(window)", "window.size - 1 - np.argmax(window.ravel()[::-1])",
         "FIRST"),
        ("every tied maximum", "gx[n, c, i * s + r, j * s + q] += g[n, c, i, j]",
         "gx[n, c, i * s:i * s + k, j * s:j * s + k] += (window == window.max()) * g[n, c, i, j]", "FIRST"),
    ],
    "silu_function": [
        ("no grad_output", "return grad_output * (s + x * s * (1 - s))", "return s + x * s * (1 - s)",
         "chain rule"),
        ("no product rule", "return grad_output * (s + x * s * (1 - s))", "return grad_output * s", "product rule"),
        ("minigrad inside", "return x * x.sigmoid()", "import minigrad\n            return x * minigrad.sigmoid(x)",
         "not on torch"),
    ],
    "sgd_step": [
        ("dampened first step", "buffer = np.array(g, copy=True)", "buffer = (1 - dampening) * g", "first step"),
        ("weight decay after momentum", "    g = grad + weight_decay * param\n", "    g = grad\n",
         "weight decay"),
        ("nesterov along the buffer", "g + momentum * buffer if nesterov else buffer", "buffer",
         "nesterov"),
    ],
    "adam_step": [
        ("bias correction at t - 1", "m_hat = m / (1 - beta1 ** t)\n    v_hat = v / (1 - beta2 ** t)",
         "m_hat = m / (1 - beta1 ** (t - 1))\n    v_hat = v / (1 - beta2 ** (t - 1))", "off by one"),
        ("bias correction at t + 1", "m_hat = m / (1 - beta1 ** t)\n    v_hat = v / (1 - beta2 ** t)",
         "m_hat = m / (1 - beta1 ** (t + 1))\n    v_hat = v / (1 - beta2 ** (t + 1))", "off by one"),
        ("AdamW's decay coupled", ("    if decoupled:\n        param = param * (1 - lr * weight_decay)\n    else:\n"
         "        g = grad + weight_decay * param\n"), "    g = grad + weight_decay * param\n", "decoupled"),
        ("eps inside the square root", "np.sqrt(v_hat) + eps", "np.sqrt(v_hat + eps)", "outside the square root"),
    ],
    "train_epoch": [
        ("missing zero_grad", "        optimizer.zero_grad()\n", "", "missing zero_grad"),
        ("zero_grad after backward", ("        optimizer.zero_grad()\n        loss = loss_fn(model(x), y)\n"
         "        loss.backward()\n"), ("        loss = loss_fn(model(x), y)\n        loss.backward()\n"
         "        optimizer.zero_grad()\n"), "zero_grad in the wrong place"),
        ("step before backward", "        loss.backward()\n        optimizer.step()\n",
         "        optimizer.step()\n        loss.backward()\n", "step before backward"),
        ("no training mode", "    model.train()\n", "", "model.train()"),
    ],
    "evaluate": [
        ("averaged per batch", ("loss_sum += loss_fn(outputs, y).item() * len(y)", "return loss_sum / rows,"),
         ("loss_sum += loss_fn(outputs, y).item()", "return loss_sum / len(batches),"), "averaged per batch"),
        ("no eval mode", "    model.eval()\n", "", "model.eval()"),
        ("no no_grad", "with no_grad():", "if True:", "no_grad"),
    ],
    "split_and_scale": [
        ("scaler fitted on all rows", "StandardScaler().fit(X[train_rows])", "StandardScaler().fit(X)", "leakage"),
        ("not stratified", "stratify=y", "stratify=None", "stratify"),
        ("test rows scaled on their own", "scaler.transform(X[test_rows])",
         "StandardScaler().fit_transform(X[test_rows])", "their own mean"),
    ],
    "checkpoint": [
        ("optimizer not restored", "    optimizer.load_state_dict(checkpoint[\"optimizer\"])\n", "",
         "optimizer.load_state_dict"),
        ("epoch not returned", "return checkpoint[\"epoch\"]", "return 0", "epoch"),
        ("model not restored", "    model.load_state_dict(checkpoint[\"model\"])\n", "", "model.load_state_dict"),
    ],
    "quiz": [
        ("backward before the loss", "(\"loss\", \"backward\", \"step\")", "(\"backward\", \"loss\", \"step\")",
         "backward needs a loss"),
        ("the evaluation pillar after the loss", "\"after_the_loss\": 4", "\"after_the_loss\": 5",
         "the next pillar"),
    ],
}
