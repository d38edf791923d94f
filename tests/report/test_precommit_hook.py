"""The pre-commit hook ``aishellc-check`` (``.pre-commit-hooks.yaml``), run for real.

``pre-commit try-repo`` installs this checkout into a fresh virtualenv (pip downloads the
build backend and dependencies from the package index) and runs the hook in a throwaway
project. What it installs is a git repository made from the current working tree, so
uncommitted changes are tested too.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HOOKS_FILE = ROOT / ".pre-commit-hooks.yaml"
# what building and installing the package needs
PACKAGE_PATHS = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "aishellc", "grammar")

GOOD = "FROM aishell:base\nRUN apt-get update && apt-get install -y jq\n"
UNPARSEABLE = "FROM aishell:base\nINSTAL curl\n"
RUNS_A_HARNESS = "FROM aishell:base\nRUN npm ci && claude --version\n"

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def test_hook_definition() -> None:
    from pre_commit.clientlib import load_manifest  # type: ignore[import-untyped]

    (hook,) = load_manifest(str(HOOKS_FILE))  # pre-commit's own validation
    assert hook["id"] == "aishellc-check"
    assert hook["entry"] == "aishellc check"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is True
    files = re.compile(hook["files"])
    for path, matched in [
        (".aishell/Dockerfile", True),
        (".sandbox/Dockerfile", True),
        ("sub/project/.aishell/Dockerfile", True),
        ("Dockerfile", False),
        (".aishell/Dockerfile.orig", False),
        ("x.aishell/Dockerfile", False),
        (".aishell/base/Dockerfile", False),
    ]:
        assert bool(files.search(path)) is matched, path


def _env(tmp: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env.update(
        PRE_COMMIT_HOME=str(tmp / "pre-commit-home"),
        GIT_AUTHOR_NAME="aishellc tests",
        GIT_AUTHOR_EMAIL="tests@aishellc.invalid",
        GIT_COMMITTER_NAME="aishellc tests",
        GIT_COMMITTER_EMAIL="tests@aishellc.invalid",
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
    )
    return env


def _git(cwd: Path, env: dict[str, str], *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def _hook_repo(tmp: Path, env: dict[str, str]) -> Path:
    """A one-commit git repository with the working tree's package files."""
    repo = tmp / "hook-repo"
    repo.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in PACKAGE_PATHS:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, repo / name, ignore=ignore)
        else:
            shutil.copy2(source, repo / name)
    _git(repo, env, "init", "-q")
    _git(repo, env, "add", "-A")
    _git(repo, env, "commit", "-q", "-m", "aishellc working tree")
    return repo


def _pre_commit(project: Path, env: dict[str, str], *args: str) -> tuple[int, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "pre_commit", *args, "--all-files", "--color", "never"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return proc.returncode, proc.stdout + proc.stderr


def _try_repo(project: Path, hook_repo: Path, env: dict[str, str]) -> tuple[int, str]:
    return _pre_commit(project, env, "try-repo", str(hook_repo), "aishellc-check")


@needs_git
def test_try_repo(tmp_path: Path) -> None:
    env = _env(tmp_path)
    hook_repo = _hook_repo(tmp_path, env)
    project = tmp_path / "project"
    (project / ".aishell").mkdir(parents=True)
    (project / ".aishell" / "Dockerfile").write_text(GOOD)
    # its runtime-tier infos (unpinned default harness, no USER) silenced: the checks below
    # see that a good file reports nothing at all
    (project / ".aishell" / "aishellc.toml").write_text('ignore = ["AIS301"]\n')
    # not an aishell sandbox file: the hook must not look at it
    (project / "Dockerfile").write_text(UNPARSEABLE)
    _git(project, env, "init", "-q")
    _git(project, env, "add", "-A")

    status, output = _try_repo(project, hook_repo, env)
    assert status == 0, output
    assert re.search(r"aishellc check\.+Passed", output), output

    (project / ".sandbox").mkdir()
    (project / ".sandbox" / "Dockerfile").write_text(UNPARSEABLE)
    _git(project, env, "add", "-A")
    status, output = _try_repo(project, hook_repo, env)
    assert status == 1, output
    assert re.search(r"aishellc check\.+Failed", output), output
    assert "- exit code: 2" in output
    assert ".sandbox/Dockerfile:2:1: AIS001 unknown instruction: INSTAL" in output
    assert ".aishell/Dockerfile:" not in output
    assert "\nDockerfile:" not in output

    # A harness that runs at build time fails the commit before any build.
    (project / ".sandbox" / "Dockerfile").write_text(RUNS_A_HARNESS)
    _git(project, env, "add", "-A")
    status, output = _try_repo(project, hook_repo, env)
    assert status == 1, output
    assert "- exit code: 1" in output
    assert ".sandbox/Dockerfile:2:15: AIS101 `claude` runs at build time" in output


def _readme_hook_config() -> str:
    """The ``.pre-commit-config.yaml`` the README shows (its first ``yaml`` block)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"```yaml\n(repos:\n.*?)```", readme, flags=re.DOTALL)
    assert match is not None, "README.md has no pre-commit configuration block"
    return match.group(1)


@needs_git
def test_readme_hook_config_runs_as_written(tmp_path: Path) -> None:
    """The README's snippet, copied as it is, gates a commit (no placeholder left in it)."""
    config = _readme_hook_config()
    assert "<" not in config, config
    env = _env(tmp_path)
    # the hook runs `aishellc` from PATH: the one installed next to this interpreter
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    project = tmp_path / "project"
    (project / ".aishell").mkdir(parents=True)
    (project / ".aishell" / "Dockerfile").write_text(GOOD)
    (project / "Dockerfile").write_text(UNPARSEABLE)
    (project / ".pre-commit-config.yaml").write_text(config)
    _git(project, env, "init", "-q")
    _git(project, env, "add", "-A")

    status, output = _pre_commit(project, env, "run")
    assert status == 0, output
    assert re.search(r"aishellc check\.+Passed", output), output

    (project / ".aishell" / "Dockerfile").write_text(RUNS_A_HARNESS)
    _git(project, env, "add", "-A")
    status, output = _pre_commit(project, env, "run")
    assert status == 1, output
    assert ".aishell/Dockerfile:2:15: AIS101 `claude` runs at build time" in output
