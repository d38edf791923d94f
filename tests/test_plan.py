"""``aishellc plan``: which tiers rebuild, why, and the commands in order."""

from __future__ import annotations

import json
import os
import shlex
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.compile_cases import OFFLINE_CONFIG, run_cli_in

DOCKERFILE = "FROM aishell:base\nCOPY requirements.txt /tmp/\nRUN echo ok\n"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / ".aishell").mkdir(parents=True)
    (root / ".aishell" / "Dockerfile").write_text(DOCKERFILE)
    (root / ".aishell" / "aishellc.toml").write_text(OFFLINE_CONFIG)
    (root / "requirements.txt").write_text("flask\n")
    return root


def compile_to(root: Path, outdir: str, *args: str) -> None:
    result = run_cli_in(root, ".aishell/Dockerfile", "-o", outdir, *args)
    assert result.code == 0, result.err


def plan(root: Path, *args: str) -> tuple[int, str, str]:
    result = run_cli_in(root, "plan", *args)
    return result.code, result.out, result.err


def commands(root: Path, outdir: str, *tiers: str) -> list[str]:
    manifest = json.loads((root / outdir / "manifest.json").read_text())
    return [shlex.join(manifest["tiers"][tier]["command"]) for tier in tiers]


def test_without_previous_every_tier_is_listed(root: Path) -> None:
    compile_to(root, "build", "--harness", "claude@2.1.331")
    code, out, _ = plan(root, "build/manifest.json")
    assert code == 0
    lines = out.splitlines()
    assert lines[:3] == [
        "foundation: no previous manifest",
        "extension: no previous manifest",
        "runtime: no previous manifest",
    ]
    assert lines[4] == "Run, in order:"
    assert lines[5:] == [
        f"  {c}" for c in commands(root, "build", "foundation", "extension", "runtime")
    ]


Edit = Callable[[Path], list[str]]


def _bump(root: Path) -> list[str]:
    return ["--harness", "claude@2.1.332"]


def _requirements(root: Path) -> list[str]:
    (root / "requirements.txt").write_text("flask==3\n")
    return ["--harness", "claude@2.1.331"]


def _instructions(root: Path) -> list[str]:
    (root / ".aishell" / "Dockerfile").write_text(DOCKERFILE + "RUN echo more\n")
    return ["--harness", "claude@2.1.331"]


def _comment(root: Path) -> list[str]:
    (root / ".aishell" / "Dockerfile").write_text("# just a comment\n" + DOCKERFILE)
    return ["--harness", "claude@2.1.331"]


def _apt(root: Path) -> list[str]:
    (root / ".aishell" / "aishellc.toml").write_text(
        OFFLINE_CONFIG.replace('"sudo"]', '"sudo", "jq"]')
    )
    return ["--harness", "claude@2.1.331"]


def _add_harness(root: Path) -> list[str]:
    return ["--harness", "claude@2.1.331", "--harness", "codex@0.50.0"]


def _strategy(root: Path) -> list[str]:
    return ["--harness", "claude@2.1.331", "--harness-strategy", "inline"]


def _platform(root: Path) -> list[str]:
    # the autouse fixture in tests/conftest.py restores the variable after the test
    os.environ["DOCKER_DEFAULT_PLATFORM"] = "linux/arm64"
    return ["--harness", "claude@2.1.331"]


PLANS: list[tuple[str, Edit, list[str], list[str]]] = [
    # (name, edit, expected reason lines, tiers whose commands are listed)
    ("harness bump", _bump, ["runtime: claude 2.1.331 -> 2.1.332"], ["runtime"]),
    (
        "copied file edited",
        _requirements,
        ["extension: requirements.txt changed", "runtime: extension changed"],
        ["extension", "runtime"],
    ),
    (
        "instructions edited",
        _instructions,
        ["extension: Dockerfile instructions changed", "runtime: extension changed"],
        ["extension", "runtime"],
    ),
    ("comment added", _comment, [], []),
    (
        "foundation config",
        _apt,
        [
            "foundation: apt packages +jq",
            "extension: foundation changed",
            "runtime: extension changed",
        ],
        ["foundation", "extension", "runtime"],
    ),
    ("harness added", _add_harness, ["runtime: codex added (0.50.0)"], ["runtime"]),
    ("strategy", _strategy, ["runtime: strategy stage -> inline"], ["runtime"]),
    (
        "target platform",
        _platform,
        ["extension: target platform linux/amd64 -> linux/arm64", "runtime: extension changed"],
        ["extension", "runtime"],
    ),
]


@pytest.mark.parametrize(("name", "edit", "reasons", "tiers"), PLANS, ids=[p[0] for p in PLANS])
def test_plan_explains_each_rebuild(
    root: Path, name: str, edit: Edit, reasons: list[str], tiers: list[str]
) -> None:
    compile_to(root, "old", "--harness", "claude@2.1.331")
    compile_to(root, "build", *edit(root))
    code, out, _ = plan(root, "build/manifest.json", "--previous", "old/manifest.json")
    assert code == 0
    text_reasons = [line for line in out.splitlines() if ": " in line and "up to date" not in line]
    assert text_reasons == reasons
    listed = [line[2:] for line in out.splitlines() if line.startswith("  docker build")]
    assert listed == commands(root, "build", *tiers)
    if not tiers:
        assert out.splitlines()[-1] == "Nothing to rebuild."

    code, out, _ = plan(
        root, "build/manifest.json", "--previous", "old/manifest.json", "--format", "json"
    )
    data = json.loads(out)
    assert data["rebuild"] == tiers
    assert [shlex.join(c) for c in data["commands"]] == commands(root, "build", *tiers)
    assert [f"{t['tier']}: {r}" for t in data["tiers"] for r in t["reasons"]] == reasons


def test_legacy_bump_rebuilds_the_project_layer_too(root: Path) -> None:
    compile_to(root, "old", "--legacy", "--harness", "claude@2.1.331")
    compile_to(root, "build", "--legacy", "--harness", "claude@2.1.332")
    code, out, _ = plan(root, "build/manifest.json", "--previous", "old/manifest.json")
    assert code == 0
    assert "runtime: claude 2.1.331 -> 2.1.332" in out
    assert "extension: runtime changed" in out
    listed = [line[2:] for line in out.splitlines() if line.startswith("  docker build")]
    assert listed == commands(root, "build", "runtime", "extension")


def test_unpinned_harnesses_get_a_note(root: Path) -> None:
    compile_to(root, "build", "--harness", "claude")
    _, out, _ = plan(root, "build/manifest.json")
    assert "note: claude is not pinned (latest): a new release does not change its hash" in out


BAD = [
    ("missing", None, "missing.json:1:1: cannot read the manifest: no such file or directory"),
    ("not JSON", "{nope", "bad.json:1:2: the manifest is not valid JSON"),
    (
        "not a manifest",
        '{"schema_version": 1}',
        "bad.json:1:1: not an aishellc manifest: tiers is missing",
    ),
    (
        "other schema",
        '{"schema_version": 2, "tiers": {}}',
        "bad.json:1:1: not an aishellc manifest: schema_version is 2",
    ),
]


@pytest.mark.parametrize(("name", "text", "expected"), BAD, ids=[b[0] for b in BAD])
def test_bad_manifests_exit_2(root: Path, name: str, text: str | None, expected: str) -> None:
    path = "missing.json" if text is None else "bad.json"
    if text is not None:
        (root / path).write_text(text)
    code, _, err = plan(root, path)
    assert code == 2
    assert err.startswith(expected), err
    compile_to(root, "build")
    code, _, err = plan(root, "build/manifest.json", "--previous", path)
    assert code == 2
    assert err.startswith(expected), err
