"""Hypothesis profiles: a fast one for CI, a slow one an environment variable away.

AISHELLC_HYPOTHESIS_PROFILE=slow python -m pytest tests/property

The fuzz tests (``test_fuzz*.py``) take their example counts from :data:`FUZZ_EXAMPLES`
for the active profile; ``AISHELLC_FUZZ_EXAMPLES=N`` overrides it.
``AISHELLC_FUZZ_STATS=FILE`` writes how many inputs and runs the fuzzers made to FILE.
"""

from __future__ import annotations

import os

import pytest
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
PROFILE = os.environ.get("AISHELLC_HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)

# Examples per fuzz test: CI keeps the whole fuzz suite well under a minute; the slow
# profile makes more than 100,000 inputs across the fuzz tests.
FUZZ_EXAMPLES = int(
    os.environ.get("AISHELLC_FUZZ_EXAMPLES", {"ci": 25, "slow": 7000}.get(PROFILE, 25))
)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    path = os.environ.get("AISHELLC_FUZZ_STATS")
    if path:
        from tests.property.fuzzing import TALLY

        TALLY.write(path)
