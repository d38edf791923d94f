"""The harness-bump workflow as README.md and docs/usage.md write it, run command for
command on a project whose Dockerfile copies the whole context (``COPY . /app``).

Regression: the documented ``cp build/manifest.json built.json`` put the old manifest in
the build context, so ``plan`` reported ``extension: built.json added`` and the heavy tier
rebuilt on every bump. The commands are read from the docs, so they cannot drift back.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.compile_cases import OFFLINE_CONFIG, run_cli_in

REPO = Path(__file__).resolve().parent.parent
CONSOLE = re.compile(r"```console\n(.*?)```", re.DOTALL)


def bump_commands(doc: Path) -> list[str]:
    """The ``$`` lines of the doc's console block that plans with ``--previous``."""
    blocks = [block for block in CONSOLE.findall(doc.read_text()) if "--previous" in block]
    bump = next(block for block in blocks if "--harness claude@2.1.332" in block)
    return [line[2:] for line in bump.splitlines() if line.startswith("$ ")]


@pytest.mark.parametrize("doc", ["README.md", "docs/usage.md"])
def test_the_documented_bump_rebuilds_only_the_runtime(tmp_path: Path, doc: str) -> None:
    project = tmp_path / "project"
    (project / ".aishell").mkdir(parents=True)
    (project / ".aishell" / "Dockerfile").write_text("FROM aishell:base\nCOPY . /app\n")
    (project / ".aishell" / "aishellc.toml").write_text(OFFLINE_CONFIG)
    (project / "app.py").write_text("print('hello')\n")
    first = run_cli_in(
        project, ".aishell/Dockerfile", "-o", "build/", "--harness", "claude@2.1.331"
    )
    assert first.code == 0, first.err
    commands = bump_commands(REPO / doc)
    assert any(command.startswith("aishellc plan") for command in commands), commands
    (tmp_path / "tmp").mkdir()
    script = "\n".join(
        [f'aishellc() {{ "{sys.executable}" -m aishellc "$@"; }}', "set -e", *commands]
    )
    env = {**os.environ, "TMPDIR": str(tmp_path / "tmp")}
    done = subprocess.run(
        ["bash", "-c", script], cwd=project, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "foundation: up to date" in done.stdout, done.stdout
    assert "extension: up to date" in done.stdout, done.stdout
    assert "runtime: claude 2.1.331 -> 2.1.332" in done.stdout, done.stdout
