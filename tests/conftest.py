"""Hypothesis profiles: `ci` (default; deterministic, sized for the whole suite in a few minutes)
and `thorough` (HYPOTHESIS_PROFILE=thorough) for long local runs."""

import os

from hypothesis import HealthCheck, settings

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
