"""Shared pytest configuration: the Hypothesis profiles.

Choose one with the environment variable ``HYPOTHESIS_PROFILE``: ``dev`` (the
default, fast enough for the edit loop) or ``ci`` (thorough, for continuous
integration). Neither has a per-example deadline: no test here is timed.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "dev",
    max_examples=30,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "ci",
    max_examples=300,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
