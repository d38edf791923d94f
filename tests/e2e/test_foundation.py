"""The default foundation (upstream aishell v4.0.0's) in a real engine, air-gapped: its apt
list and its glibc floor on the trixie stand-in, and the floor failing a bookworm build.
The default list's image is large (688 MB, a JRE among it): its build cache is pruned when
the module ends, so CI's small disk does not keep it.

Only what this machine can reach is downloaded: Debian packages. The GitHub tools and
SQLite's source (sqlite.org) are left out with ``tools = []`` and ``sqlite = false``; gosu
comes from Debian instead. Images are tagged ``aishellc-e2e...`` and removed at the end.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from aishellc.config.model import Config
from tests.e2e import dockerutil
from tests.e2e.dockerutil import (
    DEBIAN_IMAGE,
    NODE_IMAGE,
    OLD_DEBIAN_IMAGE,
    DockerError,
    cached_steps,
    executed_steps,
    run,
)
from tests.e2e.tiers import Compiled, build_tier, compile_project, write_project

pytestmark = pytest.mark.docker

TAG_PREFIX = f"aishellc-e2e-{uuid.uuid4().hex[:12]}"
DEFAULT = Config.default().foundation

# The default foundation without its downloads: every apt package of the default list.
AIR_GAPPED = """\
tag_prefix = "{prefix}"

[foundation]
base_image = "{base}"
node_image = "{node}"
tools = []
sqlite = false
apt_packages = [{packages}]
"""

PROJECT = "FROM aishell:base\n"


def compile_foundation(root: Path, base: str, packages: tuple[str, ...]) -> Compiled:
    config = AIR_GAPPED.format(
        prefix=TAG_PREFIX,
        base=base,
        node=NODE_IMAGE,
        packages=", ".join(f'"{p}"' for p in packages),
    )
    return compile_project(write_project(root, PROJECT, config))


@pytest.fixture(scope="module", autouse=True)
def prune_build_cache(docker_host: str) -> Iterator[None]:
    """The default list's layers leave the build cache when the module ends."""
    yield
    dockerutil.docker("builder", "prune", "--all", "--force")


@pytest.fixture
def compiled_tags(docker_host: str) -> Iterator[list[str]]:
    tags: list[str] = []
    yield tags
    dockerutil.remove_images(*tags)


def test_default_foundation_builds_on_trixie_and_checks_the_glibc_floor(
    stand_in_images: tuple[str, ...], compiled_tags: list[str], tmp_path: Path
) -> None:
    packages = (*DEFAULT.apt_packages, "gosu")
    compiled = compile_foundation(tmp_path / "project", DEBIAN_IMAGE, packages)
    compiled_tags.append(compiled.tag("foundation"))
    built = build_tier(compiled, "foundation", timeout=900)
    # The floor step passed on this base image (now, or in an earlier build the cache keeps).
    steps = executed_steps(built.output) + cached_steps(built.output)
    assert any("getconf GNU_LIBC_VERSION" in step for step in steps), steps
    image = built.tag
    # The whole list installed; these are trixie's names (bookworm had libreadline8 and
    # openjdk-17-jre-headless, which trixie lacks).
    renamed = ("libreadline8t64", "openjdk-21-jre-headless")
    status = run(image, "dpkg-query", "-W", "-f=${Package} ${Status}\\n", *renamed)
    assert sorted(status.splitlines()) == [f"{p} install ok installed" for p in renamed]
    assert run(image, "sh", "-c", "java -version 2>&1").startswith('openjdk version "21.')
    assert run(image, "node", "--version").startswith("v24.")
    # the fd symlink to Debian's fdfind
    assert run(image, "fd", "--version").startswith("fdfind ")
    # Debian's sqlite3 is not in the default list (SQLite comes from source)
    assert run(image, "sh", "-c", "command -v sqlite3 || echo none") == "none\n"


def test_glibc_floor_fails_a_bookworm_build_saying_why(
    stand_in_images: tuple[str, ...], compiled_tags: list[str], tmp_path: Path
) -> None:
    compiled = compile_foundation(tmp_path / "project", OLD_DEBIAN_IMAGE, ("gosu", "sudo"))
    compiled_tags.append(compiled.tag("foundation"))
    with pytest.raises(DockerError) as failed:
        build_tier(compiled, "foundation", timeout=300)
    assert (
        "glibc 2.36 is below the foundation's floor 2.39: use a newer base_image "
        "(debian:trixie-slim has 2.41) or set glibc_floor in [foundation] of aishellc.toml"
    ) in failed.value.output
    # The check is the first step: nothing was installed before it failed.
    assert not any("apt-get" in step for step in executed_steps(failed.value.output))
    assert dockerutil.image_id(compiled.tag("foundation")) is None
