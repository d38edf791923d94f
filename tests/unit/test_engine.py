"""``aishellc/engine`` without an engine: the per-tier decision, the build argv, what
``prune`` removes, and the command line's refusals (exit 2, a reason, no traceback).

The same code against real engines and a real registry: ``tests/e2e/test_build.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aishellc.engine.buildkit import BuildOptions, build_argv
from aishellc.engine.client import TierImage
from aishellc.engine.commands import choose_removals
from aishellc.engine.decide import PullPolicy, TierState, asks_registry, decide
from tests.compile_cases import OFFLINE_CONFIG, run_cli_in

H = "a" * 64
OTHER = "b" * 64

# (local image, its hash label, registry has the tag, policy, registry configured) -> action, warned
DECISIONS = [
    (True, H, None, "missing", True, "up to date", False),
    (True, H, None, "never", True, "up to date", False),
    (True, H, True, "always", True, "pull", False),
    (True, H, False, "always", True, "up to date", False),
    (False, None, True, "missing", True, "pull", False),
    (False, None, False, "missing", True, "build", False),
    (False, None, None, "missing", False, "build", False),
    (False, None, None, "never", True, "build", False),
    (True, OTHER, True, "missing", True, "pull", True),
    (True, OTHER, False, "missing", True, "build", True),
    (True, "", None, "never", True, "build", True),
    (True, OTHER, None, "missing", False, "build", True),
]


@pytest.mark.parametrize(
    ("local", "label", "remote", "policy", "registry", "action", "warned"), DECISIONS
)
def test_decide(
    local: bool,
    label: str | None,
    remote: bool | None,
    policy: PullPolicy,
    registry: bool,
    action: str,
    warned: bool,
) -> None:
    state = TierState("runtime", "r/aishell:runtime-aaaaaaaaaaaa", H, label, local, remote)
    decision = decide(state, policy, registry)
    assert (decision.action, decision.warning is not None) == (action, warned)
    if warned:
        assert f"aishell.runtime.hash={label or 'none'}, not {H}" in str(decision.warning)


# (local image up to date, policy, registry configured) -> the registry is asked
ASKS = [
    (True, "missing", True, False),
    (False, "missing", True, True),
    (True, "always", True, True),
    (False, "never", True, False),
    (False, "missing", False, False),
    (False, "always", False, False),
]


@pytest.mark.parametrize(("local_ok", "policy", "registry", "asked"), ASKS)
def test_the_registry_is_asked_only_when_its_answer_matters(
    local_ok: bool, policy: PullPolicy, registry: bool, asked: bool
) -> None:
    assert asks_registry(local_ok, policy, registry) is asked


COMMAND = [
    "docker",
    "build",
    "-f",
    "build/runtime.Dockerfile",
    "-t",
    "r/aishell:runtime-x",
    "--platform",
    "linux/amd64",
    "--label",
    "aishell.tier=runtime",
    "build",
]
FLAGS = [
    "-f",
    "build/runtime.Dockerfile",
    "--platform",
    "linux/amd64",
    "--label",
    "aishell.tier=runtime",
    "--iidfile",
    "/t/iid",
]
CACHE = (
    ["type=registry,ref=r/aishell:buildcache-runtime"],
    ["type=registry,ref=r/aishell:buildcache-runtime,mode=max"],
)

# (options, cache refs given) -> argv: never -t (the tag comes after the label check)
ARGVS = [
    (BuildOptions(buildx=False), False, ["docker", "build", *FLAGS, "build"]),
    (
        BuildOptions(buildx=False, progress="plain", network="host"),
        True,
        ["docker", "build", *FLAGS, "--progress", "plain", "--network", "host", "build"],
    ),
    (
        BuildOptions(buildx=True),
        True,
        ["docker", "buildx", "build", "--load", *FLAGS, "--cache-from", CACHE[0][0], "build"],
    ),
    (
        BuildOptions(buildx=True, push=True),
        True,
        [
            "docker",
            "buildx",
            "build",
            "--load",
            *FLAGS,
            "--cache-from",
            CACHE[0][0],
            "--cache-to",
            CACHE[1][0],
            "build",
        ],
    ),
    (
        BuildOptions(buildx=True, push=True),
        False,
        ["docker", "buildx", "build", "--load", *FLAGS, "build"],
    ),
]


@pytest.mark.parametrize(("options", "cached", "argv"), ARGVS)
def test_build_argv(options: BuildOptions, cached: bool, argv: list[str]) -> None:
    cache_from, cache_to = CACHE if cached else ([], [])
    assert build_argv(COMMAND, "/t/iid", options, cache_from, cache_to) == argv


# A --secret value from the manifest -> what docker gets: docker does not expand `~`, so
# a file below the home folder is given with the home written out.
SECRETS = [
    ("id=npmrc,src=~/.npmrc", "id=npmrc,src=/home/me/.npmrc"),
    ("id=npmrc,src=~/config/npm/rc", "id=npmrc,src=/home/me/config/npm/rc"),
    ("id=npmrc,src=.npmrc", "id=npmrc,src=.npmrc"),
    ("id=npmrc,src=/etc/npmrc", "id=npmrc,src=/etc/npmrc"),
]


@pytest.mark.parametrize(("secret", "given"), SECRETS)
def test_a_secret_below_home_is_given_with_the_home_written_out(secret: str, given: str) -> None:
    command = [*COMMAND[:-1], "--secret", secret, COMMAND[-1]]
    argv = build_argv(command, "/t/iid", BuildOptions(buildx=False, home="/home/me"))
    assert argv == ["docker", "build", *FLAGS[:-2], "--secret", given, *FLAGS[-2:], "build"]


def image(id_: str, tier: str, created: int, *tags: str) -> TierImage:
    return TierImage(id_, tags, tier, created, 100)


OLD, MID, NEW = (
    image("sha256:1", "runtime", 1, "p/aishell:runtime-1"),
    image("sha256:2", "runtime", 2, "p/aishell:runtime-2"),
    image("sha256:3", "runtime", 3, "p/aishell:runtime-3"),
)
OTHER_PROJECT = image("sha256:4", "runtime", 0, "q/aishell:runtime-4")
FOUNDATION = image("sha256:5", "foundation", 0, "p/aishell:foundation-5")
UNTAGGED = image("sha256:6", "runtime", 9)

# (images, in use, keep) -> removed, in order
REMOVALS = [
    ((OLD, MID, NEW), (), 1, [MID, OLD]),
    ((OLD, MID, NEW), ("sha256:1",), 1, [MID]),
    ((OLD, MID, NEW), (), 2, [OLD]),
    ((NEW, OLD, MID), (), 0, [NEW, MID, OLD]),
    ((OLD, NEW, OTHER_PROJECT, FOUNDATION), (), 1, [OLD]),
    ((NEW, UNTAGGED), (), 1, [UNTAGGED]),
    ((NEW, UNTAGGED), ("sha256:6",), 1, []),
]


@pytest.mark.parametrize(("images", "in_use", "keep", "removed"), REMOVALS)
def test_prune_removes_the_unused_beyond_the_newest(
    images: tuple[TierImage, ...], in_use: tuple[str, ...], keep: int, removed: list[TierImage]
) -> None:
    assert choose_removals(images, frozenset(in_use), keep) == removed


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".aishell").mkdir()
    (tmp_path / ".aishell" / "Dockerfile").write_text("FROM aishell:base\nRUN echo ok\n")
    (tmp_path / ".aishell" / "aishellc.toml").write_text(OFFLINE_CONFIG)
    return tmp_path


DOWN = "unix:///nonexistent/docker.sock"
BUILD = ("build", ".aishell/Dockerfile", "-o", "build", "--harness", "claude@2.1.331")

# (command line, DOCKER_HOST, in stderr)
REFUSALS = [
    (BUILD, DOWN, "cannot reach the Docker engine at unix:///nonexistent/docker.sock"),
    ((*BUILD, "--push"), DOWN, "--push: no registry to push to"),
    (("plan", "build/manifest.json", "--engine"), DOWN, "cannot reach the Docker engine"),
    (
        ("plan", "build/manifest.json", "--engine", "--previous", "build/manifest.json"),
        DOWN,
        "--engine and --previous cannot be combined",
    ),
    (("prune", "--keep", "-1"), DOWN, "--keep: give a number of images, 0 or more"),
    (("prune",), DOWN, "cannot reach the Docker engine"),
]


@pytest.mark.parametrize(("argv", "host", "message"), REFUSALS)
def test_refusals_exit_2_with_the_reason(
    project: Path, monkeypatch: pytest.MonkeyPatch, argv: tuple[str, ...], host: str, message: str
) -> None:
    assert run_cli_in(project, *BUILD[1:]).code == 0  # compile: the manifest plan reads
    monkeypatch.setenv("DOCKER_HOST", host)
    result = run_cli_in(project, *argv)
    assert (result.code, result.out) == (2, "")
    assert message in result.err
    assert "Traceback" not in result.err


def test_plan_engine_refuses_a_stale_manifest_before_asking_the_engine(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run_cli_in(project, *BUILD[1:]).code == 0
    with (project / "build" / "runtime.Dockerfile").open("a") as dockerfile:
        dockerfile.write("RUN echo edited\n")
    monkeypatch.setenv("DOCKER_HOST", DOWN)
    result = run_cli_in(project, "plan", "build/manifest.json", "--engine")
    assert result.code == 2
    assert result.err.startswith("build/runtime.Dockerfile: changed after the compile")
