"""Hypothesis profiles: `ci` (default; deterministic, sized for the whole suite in a few minutes)
and `thorough` (HYPOTHESIS_PROFILE=thorough) for long local runs; and a check that no test leaves a
process-wide setting changed.

Deterministic means the same examples for the same set of imported modules: hypothesis also draws
constants found in the project's imported source (minigrad, pillars), so a whole-suite run, which
imports more of it, may draw examples that a run of one file does not. A failure seen only in a
whole run is then a real failure on an example worth pinning in a test of its own."""

import os
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

import minigrad

settings.register_profile("ci", max_examples=40, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("thorough", max_examples=500, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Warnings the tests cause on purpose, from both libraries, which nobody needs to act on: parity tests
# draw shapes where var/std have no degrees of freedom left (both warn, by design), and the anomaly-mode
# tests turn the mode on and trigger the error it reports. Tests that check a warning use pytest.warns,
# which sees it regardless of these filters.
EXPECTED_WARNINGS = [  # "action:message regex:category"; a message's own ':' is matched by '.'
    r"ignore:(var|std|var_mean|std_mean)\(\). degrees of freedom is <= 0:UserWarning",
    r"ignore:Anomaly Detection has been enabled:UserWarning",
    r"ignore:Error detected in \w+Backward\d*:UserWarning",
]


def pytest_configure(config):
    for line in EXPECTED_WARNINGS:
        config.addinivalue_line("filterwarnings", line)


# ---------------------------------------------------------------- process-wide state
# A test that changes a process-wide setting of either library and leaves it changed makes every
# later test run under it, so a failure then depends on which tests ran first. One did: torch's
# set_default_device installs a TorchFunctionMode for the rest of the process, under which
# torch.nn.functional.l1_loss (torch 2.13) silently drops its `weight`, and the weighted-loss
# parity test failed in whole-suite runs only. Each test must leave these settings as it found them.
def _global_settings():
    settings = {"minigrad default dtype": minigrad.get_default_dtype(),
                "minigrad grad mode": minigrad.is_grad_enabled(),
                "minigrad anomaly mode": (minigrad.is_anomaly_enabled(), minigrad.is_anomaly_check_nan_enabled()),
                "minigrad deterministic algorithms": minigrad.get_deterministic_debug_mode(),
                "numpy error handling": np.geterr()}
    torch = sys.modules.get("torch")  # only once a test has imported it: the suite also runs without torch
    if torch is not None:
        settings.update({"torch default dtype": torch.get_default_dtype(),
                         "torch function modes (set_default_device)": torch._C._len_torch_function_stack(),
                         "torch grad mode": torch.is_grad_enabled(),
                         "torch anomaly mode": torch.is_anomaly_enabled()})
    return settings


@pytest.fixture(autouse=True)
def leaves_process_settings_unchanged():
    before = _global_settings()
    yield
    after = _global_settings()
    changed = {k: (before[k], after[k]) for k in before.keys() & after.keys() if before[k] != after[k]}
    if changed:
        _restore(before)
        pytest.fail(f"the test left process-wide settings changed (before, after): {changed}", pytrace=False)


def _restore(settings):
    minigrad.set_default_dtype(settings["minigrad default dtype"])
    minigrad.set_grad_enabled(settings["minigrad grad mode"])
    minigrad.set_anomaly_enabled(*settings["minigrad anomaly mode"])
    minigrad.set_deterministic_debug_mode(settings["minigrad deterministic algorithms"])
    np.seterr(**settings["numpy error handling"])
    torch = sys.modules.get("torch")
    if torch is None or "torch default dtype" not in settings:
        return
    while torch._C._len_torch_function_stack() > settings["torch function modes (set_default_device)"]:
        torch.set_default_device(None)
        if torch._C._len_torch_function_stack() > settings["torch function modes (set_default_device)"]:
            break  # some other mode: nothing more this guard can undo
    torch.set_default_dtype(settings["torch default dtype"])
    torch.set_grad_enabled(settings["torch grad mode"])
    torch.set_anomaly_enabled(settings["torch anomaly mode"])
