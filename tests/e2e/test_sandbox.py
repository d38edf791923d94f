"""Smoke tests of the Docker sandbox: the engine builds with BuildKit, cache mounts persist
between builds, and the stand-in base images have the official images' layout."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.dockerutil import (
    DEBIAN_IMAGE,
    NODE_IMAGE,
    OLD_DEBIAN_IMAGE,
    build,
    cached_steps,
    image_id,
    run,
)

pytestmark = pytest.mark.docker

# Each token changes the RUN line, so each build runs the step; only the cache mount carries
# the earlier tokens over.
CACHE_SMOKE = (
    "FROM debian:trixie-slim\n"
    "RUN --mount=type=cache,id={cache_id},target=/root/.npm"
    " echo {token} >> /root/.npm/log && cp /root/.npm/log /log\n"
    'CMD ["cat", "/log"]\n'
)


def test_cache_mount_persists_between_builds(
    stand_in_images: tuple[str, ...], new_tag: Callable[[str], str], tmp_path: Path
) -> None:
    cache_id = f"aishellc-e2e-{uuid.uuid4().hex}"
    # One tag per image, so that teardown removes every image the test made.
    first, second = new_tag("cache-first"), new_tag("cache-second")

    build(CACHE_SMOKE.format(cache_id=cache_id, token="first"), first, tmp_path)
    assert run(first) == "first\n"

    dockerfile = CACHE_SMOKE.format(cache_id=cache_id, token="second")
    build(dockerfile, second, tmp_path)
    assert run(second) == "first\nsecond\n"
    # The cache lives outside the image's layers.
    probe = "test -e /root/.npm/log && echo in-image || echo absent"
    assert run(second, "bash", "-c", probe) == "absent\n"

    built = image_id(second)
    output = build(dockerfile, second, tmp_path)
    assert any("RUN --mount=type=cache" in title for title in cached_steps(output)), output
    assert image_id(second) == built


@pytest.mark.parametrize(
    ("image", "command", "expected"),
    [
        pytest.param(DEBIAN_IMAGE, ("bash", "-c", ". /etc/os-release; echo $VERSION_CODENAME"),
                     "trixie", id="debian-suite"),
        pytest.param(OLD_DEBIAN_IMAGE, ("bash", "-c", ". /etc/os-release; echo $VERSION_CODENAME"),
                     "bookworm", id="old-debian-suite"),
        pytest.param(DEBIAN_IMAGE, ("getconf", "GNU_LIBC_VERSION"), "glibc 2.41",
                     id="debian-glibc"),
        pytest.param(OLD_DEBIAN_IMAGE, ("getconf", "GNU_LIBC_VERSION"), "glibc 2.36",
                     id="old-debian-glibc"),
        pytest.param(DEBIAN_IMAGE, ("printenv", "NODE_EXTRA_CA_CERTS"),
                     "/etc/ssl/certs/ca-certificates.crt", id="debian-node-ca-env"),
        pytest.param(DEBIAN_IMAGE, ("stat", "-c", "%a", "/", "/tmp"),
                     "755\n1777", id="debian-modes"),
        pytest.param(NODE_IMAGE, ("node", "--version"), "v24.21.0", id="node-version"),
        pytest.param(NODE_IMAGE, ("npm", "--version"), "11.21.2", id="npm-version"),
        pytest.param(NODE_IMAGE, ("npx", "--version"), "11.21.2", id="npx-version"),
        # The entrypoint hands options to node, as the official image's does.
        pytest.param(NODE_IMAGE, ("-p", "1 + 1"), "2", id="node-entrypoint"),
        pytest.param(NODE_IMAGE, ("id", "node"),
                     "uid=1000(node) gid=1000(node) groups=1000(node)", id="node-user"),
        pytest.param(NODE_IMAGE, ("readlink", "/usr/local/bin/npm"),
                     "../lib/node_modules/npm/bin/npm-cli.js", id="npm-symlink"),
    ],
)  # fmt: skip
def test_stand_in_image(
    stand_in_images: tuple[str, ...], image: str, command: tuple[str, ...], expected: str
) -> None:
    assert run(image, *command).strip() == expected


COPY_NODE = """\
FROM debian:trixie-slim
COPY --from=node:24-trixie-slim /usr/local/bin/node /usr/local/bin/node
COPY --from=node:24-trixie-slim /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm
"""


def test_node_layout_serves_copy_from(
    stand_in_images: tuple[str, ...], new_tag: Callable[[str], str], tmp_path: Path
) -> None:
    tag = new_tag("copy-node")
    build(COPY_NODE, tag, tmp_path)
    assert run(tag, "npm", "--version", user="nobody").strip() == "11.21.2"


def test_containers_trust_this_networks_tls(stand_in_images: tuple[str, ...]) -> None:
    # npm ignores the system store; NODE_EXTRA_CA_CERTS must bring in the network's CAs.
    version = run(NODE_IMAGE, "npm", "view", "npm@11.21.2", "version", timeout=120)
    assert re.fullmatch(r"11\.21\.2\n", version)


APT_INSTALL = """\
FROM debian:trixie-slim
RUN apt-get update && apt-get install -y --no-install-recommends jq && rm -rf /var/lib/apt/lists/*
"""


@pytest.mark.slow
def test_debian_stand_in_installs_packages(
    stand_in_images: tuple[str, ...], new_tag: Callable[[str], str], tmp_path: Path
) -> None:
    # The extension tier's apt-get steps rely on the stand-in's apt sources and keys.
    tag = new_tag("apt-install")
    build(APT_INSTALL, tag, tmp_path, timeout=600)
    assert run(tag, "jq", "-n", "1 + 1").strip() == "2"
    # The slim image's dpkg filter keeps manuals out of installed packages.
    assert run(tag, "bash", "-c", "ls /usr/share/man/man1 2>/dev/null | wc -l").strip() == "0"
