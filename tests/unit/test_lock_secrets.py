"""When the runtime build gets the user's ``.npmrc`` as a BuildKit secret, and how the
build command names it (:mod:`aishellc.lock.secrets`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aishellc.config.model import Config
from aishellc.emit.runtime import InstalledHarness
from aishellc.lock.secrets import npmrc_secret_source, portable_path
from tests.compile_cases import GOLDEN

CLAUDE = InstalledHarness("claude", "claude", "@anthropic-ai/claude-code", "2.1.3")
PRIVATE = "https://npm.example.com/team/"
TOKEN = "npm_TESTTOKEN0123456789"

# (the .npmrc, the config's [npm] registry, the secret's src or None)
CASES = [
    (None, PRIVATE, None),
    ("registry=https://npm.example.com/team/\n", PRIVATE, None),
    (f"//other.example.com/:_authToken={TOKEN}\n", PRIVATE, None),
    (f"//npm.example.com/team/:_authToken={TOKEN}\n", PRIVATE, "~/.npmrc"),
    (f"//npm.example.com/:_authToken={TOKEN}\n", PRIVATE, "~/.npmrc"),  # npm's walk up
    (f"//npm.example.com/team/:_auth={TOKEN}\n", PRIVATE, "~/.npmrc"),
    # no [npm] registry: the .npmrc's own registry= is the one the install reads
    (f"registry={PRIVATE}\n//npm.example.com/team/:_authToken={TOKEN}\n", None, "~/.npmrc"),
    # the harness's scope has a registry of its own, with a token
    (
        "@anthropic-ai:registry=https://corp.example.com/\n"
        f"//corp.example.com/:_authToken={TOKEN}\n",
        None,
        "~/.npmrc",
    ),
    (f"//registry.npmjs.org/:_authToken={TOKEN}\n", None, "~/.npmrc"),
    (f"//registry.npmjs.org/:_authToken={TOKEN}\n", PRIVATE, None),
]


@pytest.mark.parametrize(("npmrc", "registry", "expected"), CASES)
def test_the_secret_is_passed_only_when_the_registry_needs_auth(
    tmp_path: Path, npmrc: str | None, registry: str | None, expected: str | None
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    if npmrc is not None:
        (home / ".npmrc").write_text(npmrc)
    config = Config(foundation=Config.default().foundation, npm_registry=registry)
    assert npmrc_secret_source(config, (CLAUDE,), env={}, home=home) == expected


def test_no_harness_needs_no_secret(tmp_path: Path) -> None:
    (tmp_path / ".npmrc").write_text(f"//npm.example.com/team/:_authToken={TOKEN}\n")
    config = Config(foundation=Config.default().foundation, npm_registry=PRIVATE)
    assert npmrc_secret_source(config, (), env={}, home=tmp_path) is None


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/home/dev/.npmrc", "~/.npmrc"),
        ("/home/dev/conf/npmrc", "~/conf/npmrc"),
        ("/home/dev/../other/.npmrc", "/home/other/.npmrc"),
        ("/etc/npmrc", "/etc/npmrc"),
        ("ci/npmrc", "ci/npmrc"),
    ],
)
def test_the_source_is_spelled_for_every_machine(path: str, expected: str) -> None:
    assert portable_path(path, Path("/home/dev")) == expected


def test_a_token_changes_no_tag_and_reaches_no_output() -> None:
    # the same project compiled by a machine with the token and by one without it
    with_token = GOLDEN / "private-registry-token" / "expected"
    without = GOLDEN / "private-registry" / "expected"
    tiers = [
        json.loads((folder / "manifest.json").read_text())["tiers"]
        for folder in (with_token, without)
    ]
    assert {name: tier["tag"] for name, tier in tiers[0].items()} == {
        name: tier["tag"] for name, tier in tiers[1].items()
    }
    assert tiers[0]["runtime"]["secrets"] == {"npmrc": "~/.npmrc"}
    assert "secrets" not in tiers[1]["runtime"]
    for path in with_token.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path
