"""The global tier in a real engine: ``aishellc build`` with a ``~/.aishell/Dockerfile``.

The global file has the shapes upstream documents for it: an extra apt package, a line
appended to ``/etc/bash.bashrc`` (from a file of ``~/.aishell``, its build context) and a
development tool installed. The project says ``FROM aishell:base``. HOME points at a home
folder made for the test (docker keeps the real ``~/.docker`` through ``DOCKER_CONFIG``).
Every image tagged with this run's prefix is removed at the end.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e import dockerutil
from tests.e2e.tiers import aishellc, write_project

pytestmark = pytest.mark.docker

PREFIX = f"aishellc-e2e-global-{uuid.uuid4().hex[:8]}"
CONFIG = f"""\
tag_prefix = "{PREFIX}"

[foundation]
base_image = "debian:trixie-slim"
node_image = "node:24-trixie-slim"
tools = []
sqlite = false
apt_packages = ["bash", "gosu"]

[foundation.user]
sudo = false

[harnesses.extra.semver]
binary = "semver"
package = "semver"
"""
GLOBAL = """\
FROM aishell:foundation
RUN apt-get update && apt-get install -y --no-install-recommends jq \\
 && rm -rf /var/lib/apt/lists/*
COPY bashrc.extra /tmp/bashrc.extra
RUN cat /tmp/bashrc.extra >> /etc/bash.bashrc && rm /tmp/bashrc.extra
COPY --chmod=0755 hello-tool /usr/local/bin/hello-tool
"""
PROJECT = "FROM aishell:base\nRUN echo project > /project.txt\n"
# Each shape of global customisation, as the runtime container sees it
PROBE = (
    "grep -q 'export GLOBAL_MARK=1' /etc/bash.bashrc && jq --version >/dev/null "
    "&& hello-tool && cat /project.txt"
)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "home" / ".aishell"
    folder.mkdir(parents=True)
    (folder / "Dockerfile").write_text(GLOBAL)
    (folder / "bashrc.extra").write_text("export GLOBAL_MARK=1\n")
    (folder / "hello-tool").write_text("#!/bin/sh\necho hello from the global tier\n")
    return folder.parent


@pytest.fixture
def env(docker_host: str, stand_in_images: tuple[str, ...], home: Path) -> Iterator[dict[str, str]]:
    values = {
        "DOCKER_HOST": docker_host,
        "PATH": f"/usr/bin:{os.environ['PATH']}",
        "HOME": str(home),
        "DOCKER_CONFIG": os.environ.get("DOCKER_CONFIG", str(Path.home() / ".docker")),
    }
    try:
        yield values
    finally:
        tags = dockerutil.docker("image", "ls", "--format", "{{.Repository}}:{{.Tag}}").stdout
        dockerutil.remove_images(*(tag for tag in tags.split() if tag.startswith(PREFIX)))


def build(project: Path, env: dict[str, str], harness: str) -> dict[str, Any]:
    done = aishellc(
        project,
        "build",
        ".aishell/Dockerfile",
        "-o",
        "build",
        "--harness",
        f"semver@{harness}",
        "--format",
        "json",
        "--network",
        "host",
        env=env,
    )
    assert done.returncode == 0, done.stderr
    table = json.loads(done.stdout)
    assert isinstance(table, dict)
    return table


def actions(table: dict[str, Any]) -> dict[str, str]:
    return {row["tier"]: row["action"] for row in table["tiers"]}


def test_the_runtime_has_the_global_customisations_and_a_global_edit_keeps_the_foundation(
    tmp_path: Path, home: Path, env: dict[str, str]
) -> None:
    project = write_project(tmp_path / "project", PROJECT, CONFIG)
    first = build(project, env, "7.6.3")
    assert actions(first) == dict.fromkeys(("foundation", "base", "extension", "runtime"), "built")
    probe = ("--entrypoint", "sh")
    out = dockerutil.run(first["final"], "-c", PROBE, extra=probe)
    assert out == "hello from the global tier\nproject\n"
    foundation_id = dockerutil.image_id(project_tag(project, "foundation"))

    (home / ".aishell" / "Dockerfile").write_text(GLOBAL + "RUN echo edited > /edited\n")
    second = build(project, env, "7.6.3")
    assert actions(second) == {
        "foundation": "up to date",
        "base": "built",
        "extension": "built",
        "runtime": "built",
    }
    assert dockerutil.image_id(project_tag(project, "foundation")) == foundation_id
    assert dockerutil.run(second["final"], "-c", "cat /edited", extra=probe) == "edited\n"

    bumped = build(project, env, "7.6.2")
    assert actions(bumped) == {
        "foundation": "up to date",
        "base": "up to date",
        "extension": "up to date",
        "runtime": "built",
    }


def project_tag(project: Path, tier: str) -> str:
    manifest = json.loads((project / "build" / "manifest.json").read_text())
    return str(manifest["tiers"][tier]["tag"])
