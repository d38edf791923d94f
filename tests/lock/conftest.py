"""Fixtures for the lock commands: one Verdaccio registry for the session with stand-in
releases of the real harness packages, and projects that point at it."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from aishellc.cli import run
from tests.services import verdaccio
from tests.services.verdaccio import Release, Verdaccio

CLAUDE = "@anthropic-ai/claude-code"
CODEX = "@openai/codex"
GEMINI = "@google/gemini-cli"
OPENCODE = "opencode-ai"
CORP = "@corp/agent"  # in the scope whose reads need a login

# Published in this order: npm moves `latest` to each release published without --tag.
RELEASES = [
    Release(CLAUDE, "1.0.0", "claude"),
    Release(CLAUDE, "2.1.0", "claude"),
    Release(CLAUDE, "2.1.5", "claude"),  # deprecated below
    Release(CLAUDE, "2.2.0", "claude"),
    Release(CLAUDE, "3.0.0-beta.1", "claude", tag="next"),
    Release(CODEX, "0.40.0", "codex"),
    Release(CODEX, "0.41.0", "codex"),
    Release(GEMINI, "0.1.0", "gemini"),  # test_update_flow publishes 0.2.0
    Release(OPENCODE, "1.0.0", "opencode"),
    Release(CORP, "1.0.0", "agent"),
]

# A harness of the protected scope, added by config.
CORP_HARNESS = f'[harnesses.extra.corp]\nbinary = "agent"\npackage = "{CORP}"\n'


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Verdaccio]:
    problem = verdaccio.missing()
    if problem is not None:
        pytest.skip(problem)  # a failure under AISHELLC_FORBID_SKIPS=1 (CI)
    with verdaccio.running(tmp_path_factory.mktemp("verdaccio")) as server:
        server.publish_all(RELEASES)
        server.dist_tag(CODEX, "0.40.0", "stable")
        server.deprecate(CLAUDE, "2.1.5", "broken build, use 2.1.0 or 2.2.0")
        yield server


@attrs.frozen
class Outcome:
    code: int
    out: str
    err: str


@attrs.frozen
class Project:
    """A project folder: ``.aishell/Dockerfile``, its config, its lock."""

    root: Path

    @property
    def dockerfile(self) -> Path:
        return self.root / ".aishell" / "Dockerfile"

    @property
    def lock(self) -> Path:
        return self.root / ".aishell" / "aishellc.lock"

    @property
    def config(self) -> Path:
        return self.root / ".aishell" / "aishellc.toml"

    def configure(self, registry: str | None, extra: str = "") -> None:
        npm = f'[npm]\nregistry = "{registry}"\n' if registry is not None else ""
        self.config.write_text(npm + extra)

    def run(self, *args: str) -> Outcome:
        """``aishellc ARGS`` in the project folder (Dockerfile paths relative to it)."""
        out, err = io.StringIO(), io.StringIO()
        previous = Path.cwd()
        os.chdir(self.root)
        try:
            code = run(list(args), out, err)
        finally:
            os.chdir(previous)
        return Outcome(code, out.getvalue(), err.getvalue())


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    """An empty project whose user has no .npmrc and no npm or proxy variables set."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", os.fspath(home))
    for name in list(os.environ):
        if name.lower().startswith("npm_config_") or name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)
    root = tmp_path / "project"
    (root / ".aishell").mkdir(parents=True)
    (root / ".aishell" / "Dockerfile").write_text("FROM aishell:base\n")
    return Project(root)
