"""Shared fixtures: golden files under ``tests/golden/`` and ``pytest --update-goldens``.

A golden test renders something and hands it to the ``golden`` fixture with the path of its
expected file. Normally the two must be equal; with ``--update-goldens`` the expected file
is (re)written instead, and the change is reviewed as a diff.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

pytest_plugins = ["tests.skip_policy"]

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
# Hashes depend on the platform built for: tests compile for one fixed platform, so golden
# files and hashes are the same on every machine.
TEST_PLATFORM = "linux/amd64"

Golden = Callable[[Path, str], None]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite the expected files under tests/golden/ instead of comparing with them",
    )


NO_NPMRC = "/nonexistent/aishellc-tests/.npmrc"


@pytest.fixture(autouse=True)
def no_user_npmrc(monkeypatch: pytest.MonkeyPatch) -> None:
    """Compiles read the user's .npmrc (does the registry need its token?): tests see none
    and no npm variable of this machine, unless they set their own."""
    for name in list(os.environ):
        if name.lower().startswith("npm_config_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("NPM_CONFIG_USERCONFIG", NO_NPMRC)


@pytest.fixture(autouse=True)
def no_user_global_file(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Compiles read ``~/.aishell/Dockerfile`` (the global tier): tests outside tests/e2e
    (whose docker needs the real home) run with an empty home folder of their own, unless
    they set their own."""
    if "e2e" in request.path.parts:
        return
    monkeypatch.setenv("HOME", str(tmp_path_factory.mktemp("home")))


@pytest.fixture(autouse=True)
def fixed_platform(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test (and every aishellc it starts) compiles for ``TEST_PLATFORM``."""
    monkeypatch.setenv("DOCKER_DEFAULT_PLATFORM", TEST_PLATFORM)


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    """True when the run should rewrite golden files rather than compare with them."""
    return bool(request.config.getoption("--update-goldens"))


@pytest.fixture
def golden(update_goldens: bool) -> Golden:
    """``golden(expected_path, actual_text)``: compare with (or rewrite) a golden file.

    Files are read and written as UTF-8 with no newline translation.
    """

    def check(expected_path: Path, actual: str) -> None:
        if update_goldens:
            expected_path.parent.mkdir(parents=True, exist_ok=True)
            expected_path.write_bytes(actual.encode("utf-8"))
            return
        if not expected_path.is_file():
            pytest.fail(f"{expected_path} is missing; create it with `pytest --update-goldens`")
        expected = expected_path.read_bytes().decode("utf-8")
        assert actual == expected, (
            f"output differs from {expected_path}; if the change is intended, "
            "run `pytest --update-goldens` and review the diff"
        )

    return check
