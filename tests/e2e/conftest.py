"""Fixtures for the end-to-end tests, which build and run images on a real Docker engine.

Start the engine with ``scripts/docker-sandbox start`` (or point ``DOCKER_HOST`` at one that
has the stand-in base images). Without an engine these tests skip, unless
``AISHELLC_REQUIRE_DOCKER=1`` (for CI) turns the skip into a failure.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator

import pytest

from tests.e2e import dockerutil


def _unavailable(reason: str) -> None:
    if os.environ.get("AISHELLC_REQUIRE_DOCKER") == "1":
        pytest.fail(f"AISHELLC_REQUIRE_DOCKER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def docker_host() -> str:
    """The ``DOCKER_HOST`` of an engine that answers; skips the test when there is none."""
    problem = dockerutil.engine_problem()
    if problem is not None:
        _unavailable(problem)
    return dockerutil.docker_host()


@pytest.fixture(scope="session")
def stand_in_images(docker_host: str) -> tuple[str, ...]:
    """The local base images (debian:trixie-slim, node:24-trixie-slim, debian:bookworm-slim),
    checked present."""
    missing = [tag for tag in dockerutil.STAND_IN_IMAGES if dockerutil.image_id(tag) is None]
    if missing:
        _unavailable(
            f"the engine at {docker_host} lacks {', '.join(missing)}; "
            "run scripts/docker-sandbox start"
        )
    return dockerutil.STAND_IN_IMAGES


@pytest.fixture
def new_tag(docker_host: str) -> Iterator[Callable[[str], str]]:
    """Make unique image tags for one test; the images are removed when the test ends."""
    run_id = uuid.uuid4().hex[:12]
    made: list[str] = []

    def make(name: str) -> str:
        tag = f"aishellc-e2e/{name}:{run_id}"
        made.append(tag)
        return tag

    yield make
    dockerutil.remove_images(*made)


@pytest.fixture(scope="session")
def registry_binary() -> str:
    """Debian's ``docker-registry`` (``.ci/run`` installs it); skips the test without it."""
    found = shutil.which("docker-registry")
    if found is None:
        _unavailable("docker-registry is not installed (apt-get install docker-registry)")
    assert found is not None
    return found
