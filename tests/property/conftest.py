"""Hypothesis profiles: ``ci`` (the default, few examples) and ``slow`` (many).

Select with ``AISHELLC_HYPOTHESIS_PROFILE=slow``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "slow", max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("AISHELLC_HYPOTHESIS_PROFILE", "ci"))
