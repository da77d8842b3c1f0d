# pillars exercise: sgd_step
"""Reference solution of exercise 7."""

import numpy as np


def sgd_step(param, grad, momentum_buffer, *, lr, momentum=0.0, dampening=0.0, weight_decay=0.0,
             nesterov=False):
    g = grad + weight_decay * param
    buffer = None
    if momentum != 0:
        if momentum_buffer is None:
            buffer = np.array(g, copy=True)
        else:
            buffer = momentum * momentum_buffer + (1 - dampening) * g
        g = g + momentum * buffer if nesterov else buffer
    return param - lr * g, buffer
