"""Privilege, end to end through ``aishellc compile``.

- The runtime tier ends as the extension's final ``USER``: the image aishell runs starts as
  the user the project chose, whatever the strategy (the installs run as root).
- If the extension ends as a user other than root, a warning (AIS204) says what that
  disables; ending as root (or never setting USER) is right and gets nothing.
- Every harness install is pinned to the version the manifest records.
- Every tool the foundation downloads comes from a versioned release URL with a sha256,
  and the compiled foundation Dockerfile checks that sha256 before it installs anything,
  with nothing to mask a failed check. That the check really refuses a mismatching file
  (running the step with stubs) is tested in ``tests/unit/test_foundation.py``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from aishellc import ast
from aishellc.config.model import Config
from aishellc.parser import parse
from tests.compile_cases import OFFLINE_CONFIG, run_cli_in


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / ".aishell").mkdir(parents=True)
    (root / ".aishell" / "aishellc.toml").write_text(OFFLINE_CONFIG)
    return root


def compile_project(project: Path, dockerfile: str, *args: str) -> dict[str, Any]:
    (project / ".aishell" / "Dockerfile").write_text(dockerfile)
    result = run_cli_in(project, ".aishell/Dockerfile", "-o", "build", "--format", "json", *args)
    assert result.code == 0, result.out + result.err
    summary: dict[str, Any] = json.loads(result.out)
    return summary


def final_stage(text: str) -> list[ast.Instruction]:
    instructions = list(parse(text).instructions)
    start = max(i for i, node in enumerate(instructions) if isinstance(node, ast.From))
    return instructions[start:]


def last_user(instructions: list[ast.Instruction]) -> str | None:
    users = [node for node in instructions if isinstance(node, ast.User)]
    return users[-1].value.value if users and users[-1].value else None


# (name, the user's Dockerfile, the USER it ends with: None for root by default)
ENDINGS = [
    ("never set", "FROM aishell:base\nRUN true\n", None),
    ("developer", "FROM aishell:base\nUSER developer\nRUN true\n", "developer"),
    ("by id", "FROM aishell:base\nUSER 1000:1000\n", "1000:1000"),
    ("back to root", "FROM aishell:base\nUSER developer\nUSER root\n", "root"),
    ("root by id", "FROM aishell:base\nUSER 0\n", "0"),
    (
        "inherited from a stage",
        "FROM aishell:base AS dev\nUSER developer\nFROM dev\nRUN true\n",
        "developer",
    ),
    (
        "other stage ends as root",
        "FROM aishell:base AS build\nUSER root\nFROM aishell:base\nUSER developer\n",
        "developer",
    ),
]
ROOT = {None, "root", "0", "0:0", "root:root"}


@pytest.mark.parametrize("strategy", ["stage", "inline"])
@pytest.mark.parametrize(("name", "dockerfile", "user"), ENDINGS, ids=[e[0] for e in ENDINGS])
def test_the_runtime_ends_as_the_extension_user(
    project: Path, name: str, dockerfile: str, user: str | None, strategy: str
) -> None:
    compile_project(project, dockerfile, "--harness-strategy", strategy)
    runtime = final_stage((project / "build" / "runtime.Dockerfile").read_text())
    assert isinstance(runtime[0], ast.From)
    assert runtime[0].image is not None and runtime[0].image.value == "${AISHELL_EXTENSION}"
    # A runtime that sets no USER keeps the extension's; one that does must end with it.
    ends_as = last_user(runtime) if last_user(runtime) is not None else user
    assert ends_as == user or (ends_as in ROOT and user in ROOT), (ends_as, user)
    users = [n.value.value for n in runtime if isinstance(n, ast.User) and n.value]
    if strategy == "inline" and user not in ROOT:
        # The installs ran as root, then the user came back.
        assert users == ["root", user]
    elif strategy == "inline":
        # Already root (by name or id): no switch, nothing to come back to.
        assert users == []


def test_the_legacy_layout_ends_with_the_users_own_file(project: Path) -> None:
    summary = compile_project(project, "FROM aishell:base\nUSER developer\n", "--legacy")
    assert summary["final"] == summary["tiers"]["extension"]["tag"]
    extension = final_stage((project / "build" / "extension.Dockerfile").read_text())
    assert last_user(extension) == "developer"


@pytest.mark.parametrize(("name", "dockerfile", "user"), ENDINGS, ids=[e[0] for e in ENDINGS])
def test_an_extension_ending_as_another_user_gets_a_warning(
    project: Path, name: str, dockerfile: str, user: str | None
) -> None:
    summary = compile_project(project, dockerfile, "--harness", "claude@2.1.3")
    found = [d for d in summary["diagnostics"] if d["code"] == "AIS204"]
    if user in ROOT:
        assert found == [], summary["diagnostics"]
    else:
        assert [d["severity"] for d in found] == ["warning"], summary["diagnostics"]
        assert f"USER {user}" in found[0]["message"] and "gosu" in found[0]["message"]
    # The retired AIS302 (which advised ending with USER) is never reported.
    assert "AIS302" not in {d["code"] for d in summary["diagnostics"]}


# --- harness pins -------------------------------------------------------------------------

PINS = [
    ["--harness", "claude@2.1.3"],
    ["--harness", "claude@2.1.3", "--harness", "codex@0.5.0-beta.1+build.7"],
    ["--harness", "gemini", "--harness", "pi@1.0.0"],
    [],  # the default: claude@latest
]


def npm_specs(text: str) -> list[str]:
    """The package argument of every ``npm install`` in a runtime Dockerfile."""
    specs = []
    for node in parse(text).instructions:
        if isinstance(node, ast.Run) and isinstance(node.command, ast.ExecCommand):
            args = list(node.command.args)
            if args[:2] == ["npm", "install"]:
                specs.append(args[-1])
        elif isinstance(node, ast.Run):
            assert "npm" not in str(node.command), "an npm install not in exec form"
    return specs


@pytest.mark.parametrize("layout", [["--harness-strategy", "stage"], ["--legacy"], []])
@pytest.mark.parametrize("pins", PINS, ids=lambda p: " ".join(p) or "default")
def test_every_harness_install_is_the_manifests_pin(
    project: Path, pins: list[str], layout: list[str]
) -> None:
    compile_project(project, "FROM aishell:base\nUSER developer\n", *pins, *layout)
    manifest = json.loads((project / "build" / "manifest.json").read_text())
    runtime = manifest["tiers"]["runtime"]
    versions, packages = runtime["harnesses"], runtime["packages"]
    expected = sorted(f"{packages[name]}@{versions[name]}" for name in versions)
    assert sorted(npm_specs((project / "build" / "runtime.Dockerfile").read_text())) == expected
    asked = [p for p in pins if p != "--harness"] or ["claude@latest"]
    assert versions == {
        spec.partition("@")[0]: spec.partition("@")[2] or "latest" for spec in asked
    }
    label = ",".join(f"{name}@{versions[name]}" for name in sorted(versions))
    assert runtime["labels"]["aishell.harnesses"] == label


# --- foundation downloads -------------------------------------------------------------------


def test_every_foundation_download_is_a_versioned_release_with_a_checksum() -> None:
    config = Config.from_toml('[foundation]\nenable_tools = ["gitleaks"]\n')
    tools = config.foundation.active_tools
    assert {tool.name for tool in tools} == {"babashka", "bbin", "gosu", "cue", "uv", "gitleaks"}
    for tool in tools:
        for download in tool.downloads:
            assert tool.version.removeprefix("v") in download.url, (tool.name, download.url)
            assert not any(word in download.url for word in ("latest", "nightly", "main/"))
            assert len(download.sha256) == 64


def test_the_compiled_foundation_checks_every_download_before_installing(project: Path) -> None:
    (project / ".aishell" / "aishellc.toml").write_text(
        '[foundation]\nenable_tools = ["gitleaks"]\n'
    )
    compile_project(project, "FROM aishell:base\nUSER developer\n")
    manifest = json.loads((project / "build" / "manifest.json").read_text())
    tools = manifest["tiers"]["foundation"]["config"]["tools"]
    assert {tool["name"] for tool in tools} >= {"gosu", "uv", "gitleaks"}
    text = (project / "build" / "foundation.Dockerfile").read_text()
    runs = [
        node.command.text
        for node in parse(text).instructions
        if isinstance(node, ast.Run) and isinstance(node.command, ast.ShellCommand)
    ]
    # Every RUN that names a URL or calls curl (the apt list names the curl package).
    downloading = [run for run in runs if "https://" in run or re.search(r"\bcurl\s+-", run)]
    # SQLite's source, in its builder stage: fetched with its checksum, checked before unzip.
    sqlite = manifest["tiers"]["foundation"]["config"]["sqlite"]
    (source,) = [run for run in downloading if sqlite["url"] in run]
    pair = rf"url='{re.escape(sqlite['url'])}';\s*sha256='{sqlite['sha256']}'"
    assert re.search(pair, source) and "||" not in source, source
    fetch = source.index("curl -fsSL --proto '=https'")
    check = source.index("sha256sum -c /tmp/sqlite-src.sha256;")
    assert fetch < check < source.index("unzip"), source
    downloading.remove(source)
    assert len(downloading) == len(tools)
    for tool in tools:
        (run,) = [r for r in downloading if any(d["url"] in r for d in tool["downloads"].values())]
        for download in tool["downloads"].values():
            assert tool["version"].removeprefix("v") in download["url"], download["url"]
            # Each URL is fetched together with its own checksum.
            pair = rf"url='{re.escape(download['url'])}';\s*sha256='{download['sha256']}'"
            assert re.search(pair, run), (tool["name"], run)
        assert run.startswith("set -eu;"), run
        assert "||" not in run, run  # nothing lets a failed check through
        fetch = run.index("curl -fsSL --proto '=https'")
        check = run.index('sha256sum -c "$tmp/download.sha256";')
        first_use = min(run.index(word) for word in ("install -m", "tar -x") if word in run)
        assert fetch < check < first_use, run
