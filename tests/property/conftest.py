"""Hypothesis profiles: a fast one for CI, a slow one an environment variable away.

AISHELLC_HYPOTHESIS_PROFILE=slow python -m pytest tests/property
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "slow",
    max_examples=5000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("AISHELLC_HYPOTHESIS_PROFILE", "ci"))
