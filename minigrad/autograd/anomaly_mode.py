"""Anomaly detection, as torch.autograd.detect_anomaly: stop at the first backward step
that produces nan, naming the operation, instead of letting nan spread to every weight;
and when a backward step fails, show the line of the forward pass that made its node."""

import warnings
import weakref

import numpy as np

from minigrad.autograd import engine, recorder


def _check_for_nan(node, g, grads):
    for i, grad in enumerate(grads):
        if grad is not None and np.isnan(grad).any():
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")


def is_anomaly_enabled():
    return _check_for_nan in engine.observers


class set_detect_anomaly:
    """Switch anomaly detection on or off: at once when called, and back when used with `with`."""

    def __init__(self, mode, check_nan=True):
        self._previous = is_anomaly_enabled()
        _switch(bool(mode) and check_nan)

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        _switch(self._previous)
        return False


class detect_anomaly(set_detect_anomaly):
    """`with detect_anomaly():` checks every backward step inside for nan."""

    def __init__(self, check_nan=True):
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and should only be "
                      "enabled for debugging.", stacklevel=2)
        super().__init__(True, check_nan)


def _switch(on):
    if on and _check_for_nan not in engine.observers:
        engine.observers.append(_check_for_nan)
        recorder.forward_stacks = weakref.WeakKeyDictionary()  # record keeps each new node's stack
    elif not on and _check_for_nan in engine.observers:
        engine.observers.remove(_check_for_nan)
        recorder.forward_stacks = None
