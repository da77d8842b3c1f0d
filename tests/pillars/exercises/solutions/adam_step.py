# pillars exercise: adam_step
"""Reference solution of exercise 8."""

import numpy as np


def adam_step(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
              decoupled=False):
    beta1, beta2 = betas
    t = state["step"] + 1
    g = grad
    if decoupled:
        param = param * (1 - lr * weight_decay)
    else:
        g = grad + weight_decay * param
    m = beta1 * state["exp_avg"] + (1 - beta1) * g
    v = beta2 * state["exp_avg_sq"] + (1 - beta2) * g * g
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), {"step": t, "exp_avg": m, "exp_avg_sq": v}
