"""``aishellc lock``, ``update`` and ``outdated`` end to end against Verdaccio: what each
writes and prints, and that a registry failure leaves the lock as it was."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from aishellc.lock.file import read_lock
from tests.conftest import GOLDEN_DIR, Golden
from tests.lock.conftest import CLAUDE, CODEX, GEMINI, Project
from tests.services import free_port
from tests.services.verdaccio import Release, Verdaccio

GOLDEN = GOLDEN_DIR / "lock"

# A port nothing listens on (found free a moment ago): connections are refused.
DEAD = f"http://127.0.0.1:{free_port()}/"


def versions(project: Project) -> dict[str, tuple[str, str]]:
    return {e.name: (e.requested, e.version) for e in read_lock(project.lock).harnesses}


def test_lock_resolves_each_spec_and_writes_the_lock(registry: Verdaccio, project: Project) -> None:
    project.configure(registry.url)
    done = project.run(
        "lock", ".aishell/Dockerfile", "--harness", "claude@^2.1", "--harness", "codex@stable"
    )
    assert done.code == 0, done.err
    assert versions(project) == {"claude": ("^2.1", "2.2.0"), "codex": ("stable", "0.40.0")}
    assert done.out == "+ claude 2.2.0\n+ codex 0.40.0\nwrote .aishell/aishellc.lock\n"
    lock = read_lock(project.lock)
    assert [e.package for e in lock.harnesses] == [CLAUDE, CODEX]


def test_lock_takes_the_specs_from_the_config(registry: Verdaccio, project: Project) -> None:
    project.configure(registry.url, '[harnesses]\ndefault = ["claude@~2.1.0"]\n')
    assert project.run("lock", ".aishell/Dockerfile").code == 0
    assert versions(project) == {"claude": ("~2.1.0", "2.1.0")}


def test_a_bare_lock_means_claude_latest(registry: Verdaccio, project: Project) -> None:
    project.configure(registry.url)
    assert project.run("lock", ".aishell/Dockerfile").code == 0
    assert versions(project) == {"claude": ("latest", "2.2.0")}


def test_lock_keeps_what_is_covered_without_asking_the_registry(
    registry: Verdaccio, project: Project
) -> None:
    project.configure(registry.url)
    first = project.run(
        "lock", ".aishell/Dockerfile", "--harness", "claude@~2.1.0", "--harness", "codex"
    )
    assert first.code == 0, first.err
    before = project.lock.read_bytes()
    project.configure(DEAD)  # a registry that cannot answer: nothing may need it
    again = project.run(
        "lock", ".aishell/Dockerfile", "--harness", "claude@~2.1.0", "--harness", "codex"
    )
    assert (again.code, again.out) == (0, ".aishell/aishellc.lock is up to date\n")
    assert project.lock.read_bytes() == before
    # a wider range still covers 2.1.0: kept, only the spec is rewritten
    wider = project.run(
        "lock", ".aishell/Dockerfile", "--harness", "claude@^2", "--harness", "codex"
    )
    assert (wider.code, wider.out) == (0, "wrote .aishell/aishellc.lock\n"), wider.err
    assert versions(project)["claude"] == ("^2", "2.1.0")
    # a harness no longer requested is dropped
    fewer = project.run("lock", ".aishell/Dockerfile", "--harness", "claude@^2")
    assert fewer.out == "- codex 0.41.0\nwrote .aishell/aishellc.lock\n"
    assert list(versions(project)) == ["claude"]


def test_a_spec_that_no_longer_covers_the_version_is_resolved_again(
    registry: Verdaccio, project: Project
) -> None:
    project.configure(registry.url)
    assert project.run("lock", ".aishell/Dockerfile", "--harness", "claude@2.1.0").code == 0
    moved = project.run("lock", ".aishell/Dockerfile", "--harness", "claude@next")
    assert moved.out == "claude 2.1.0 -> 3.0.0-beta.1\nwrote .aishell/aishellc.lock\n"


def test_update_flow(registry: Verdaccio, project: Project, golden: Golden) -> None:
    """lock -> a release is published -> outdated says so (exit 1) -> update --dry-run
    changes nothing -> update moves only that harness -> outdated is clean."""
    project.configure(registry.url)
    locked = project.run(
        "lock", ".aishell/Dockerfile", "--harness", "gemini", "--harness", "claude@2.1.0"
    )
    assert locked.code == 0, locked.err
    before = project.lock.read_text()
    assert project.run("outdated", ".aishell/Dockerfile").code == 1  # claude is pinned below latest

    registry.publish(Release(GEMINI, "0.2.0", "gemini"))
    behind = project.run("outdated", ".aishell/Dockerfile")
    assert behind.code == 1
    golden(GOLDEN / "outdated.txt", behind.out)
    as_json = project.run("outdated", ".aishell/Dockerfile", "--format", "json")
    assert as_json.code == 1
    golden(GOLDEN / "outdated.json", as_json.out)

    dry = project.run("update", ".aishell/Dockerfile", "--dry-run")
    assert dry.code == 0
    golden(GOLDEN / "update-dry-run.txt", dry.out)
    assert project.lock.read_text() == before

    updated = project.run("update", ".aishell/Dockerfile", "gemini")
    assert (updated.code, updated.out) == (
        0,
        "gemini 0.1.0 -> 0.2.0\nwrote .aishell/aishellc.lock\n",
    )
    after = project.lock.read_text()
    changed = [
        (a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b
    ]
    assert [a.split(" = ")[0] for a, _ in changed] == ["version", "integrity"]
    assert versions(project) == {"claude": ("2.1.0", "2.1.0"), "gemini": ("latest", "0.2.0")}

    again = project.run("update", ".aishell/Dockerfile", "gemini")
    assert again.out == ".aishell/aishellc.lock is up to date\n"
    # only claude's exact pin is behind `latest` now
    rows = json.loads(project.run("outdated", ".aishell/Dockerfile", "--format", "json").out)
    assert [row["name"] for row in rows["outdated"]] == ["claude"]


def test_outdated_exits_0_and_prints_nothing_when_all_is_current(
    registry: Verdaccio, project: Project
) -> None:
    project.configure(registry.url)
    assert project.run("lock", ".aishell/Dockerfile", "--harness", "codex").code == 0
    current = project.run("outdated", ".aishell/Dockerfile")
    assert (current.code, current.out, current.err) == (0, "", "")


# --- bad requests ----------------------------------------------------------------------------

# (command after DOCKERFILE, start of stderr)
MISUSE = [
    (["update"], ".aishell/aishellc.lock:1:1: no lock next to the Dockerfile"),
    (["outdated"], ".aishell/aishellc.lock:1:1: no lock next to the Dockerfile"),
    (["lock", "--harness", "nope"], "--harness: unknown harness 'nope'"),
    (["lock", "--harness", "claude@>=2 <3; id"], "--harness: invalid harness version"),
    (
        ["lock", "--harness", "claude@nightly"],
        "harness claude (@anthropic-ai/claude-code@nightly) on npm registry",
    ),
    (
        ["lock", "--harness", "claude@^9"],
        "harness claude (@anthropic-ai/claude-code@^9) on npm registry",
    ),
]


@pytest.mark.parametrize(("args", "message"), MISUSE)
def test_misuse_is_exit_2_with_a_message(
    registry: Verdaccio, project: Project, args: list[str], message: str
) -> None:
    project.configure(registry.url)
    failed = project.run(args[0], ".aishell/Dockerfile", *args[1:])
    assert failed.code == 2
    assert failed.err.startswith(message), failed.err
    assert "Traceback" not in failed.err
    assert not project.lock.exists()


def test_update_of_a_harness_that_is_not_locked(registry: Verdaccio, project: Project) -> None:
    project.configure(registry.url)
    assert project.run("lock", ".aishell/Dockerfile").code == 0
    failed = project.run("update", ".aishell/Dockerfile", "codex")
    assert failed.code == 2
    assert "harness 'codex' is not in the lock" in failed.err
    assert "locked harnesses: claude" in failed.err


def test_a_missing_dockerfile_is_refused(project: Project) -> None:
    failed = project.run("lock", "nope/Dockerfile")
    assert (failed.code, failed.err.splitlines()[0]) == (
        2,
        "nope/Dockerfile:1:1: cannot read Dockerfile: no such file",
    )
    assert not (project.root / "nope").exists()


def test_a_real_process_prints_only_its_own_lines(registry: Verdaccio, project: Project) -> None:
    """As a user runs it: nothing else (a library's warning, a traceback) on stderr, with
    several documents fetched at once."""
    project.configure(registry.url)
    flags = ["--harness=claude@^2", "--harness=codex", "--harness=gemini", "--harness=opencode"]
    result = subprocess.run(
        [sys.executable, "-m", "aishellc", "lock", ".aishell/Dockerfile", *flags],
        cwd=project.root,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "default"},
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.endswith("wrote .aishell/aishellc.lock\n")
