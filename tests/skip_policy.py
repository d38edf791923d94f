"""In CI a skipped test is a failure: with ``AISHELLC_FORBID_SKIPS=1`` (set by ``.ci/run``)
a run that skipped anything exits 1, naming what was skipped.

A skip there means a missing tool or service that CI is supposed to install (shellcheck,
the Docker engine, the corpus), so the suite would pass while checking less than it says.
Loaded by ``tests/conftest.py``; a plugin module of its own so a test can load it into a
pytest run of a scratch file.
"""

from __future__ import annotations

import os

import pytest

ENV = "AISHELLC_FORBID_SKIPS"


def _skipped(config: pytest.Config) -> list[pytest.TestReport]:
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    return list(reporter.stats.get("skipped", [])) if reporter is not None else []


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get(ENV) == "1" and exitstatus == 0 and _skipped(session.config):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    skipped = _skipped(terminalreporter.config)
    if os.environ.get(ENV) == "1" and skipped:
        terminalreporter.write_line(
            f"{ENV}=1: {len(skipped)} test(s) skipped, and a skip is a failure here "
            "(install what they need; see the skip reasons above)",
            red=True,
        )
