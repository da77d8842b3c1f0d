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


# Whether anomaly mode checks for nan when it is on (torch keeps the setting while the mode is off).
_check_nan = [True]


def is_anomaly_enabled():
    return recorder.forward_stacks is not None


def is_anomaly_check_nan_enabled():
    return _check_nan[0]


def set_anomaly_enabled(enabled, check_nan=True):
    """Switch anomaly mode on or off for good: on, each backward failure shows the forward line
    that made its node, and, with check_nan, a step that produces nan raises."""
    _switch(bool(enabled), bool(check_nan))


class set_detect_anomaly:
    """Switch anomaly detection on or off: at once when called, and back when used with `with`."""

    def __init__(self, mode, check_nan=True):
        self._previous = is_anomaly_enabled(), is_anomaly_check_nan_enabled()
        _switch(bool(mode), bool(check_nan))

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        _switch(*self._previous)
        return False


class detect_anomaly(set_detect_anomaly):
    """`with detect_anomaly():` checks every backward step inside for nan."""

    def __init__(self, check_nan=True):
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and should only be "
                      "enabled for debugging.", stacklevel=2)
        super().__init__(True, check_nan)


def _switch(on, check_nan=True):
    _check_nan[0] = check_nan
    if on and recorder.forward_stacks is None:
        recorder.forward_stacks = weakref.WeakKeyDictionary()  # record keeps each new node's stack
    elif not on:
        recorder.forward_stacks = None
    checking = on and check_nan
    if checking and _check_for_nan not in engine.observers:
        engine.observers.append(_check_for_nan)
    elif not checking and _check_for_nan in engine.observers:
        engine.observers.remove(_check_for_nan)
