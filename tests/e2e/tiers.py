"""Compile a project with aishellc and build its tiers with the manifest's own commands.

Shared by the end-to-end tests and ``benchmarks/rebuild.py``. aishellc runs as a user runs
it, in a separate process with the project root as the current directory (every path in the
manifest is relative to it). Builds run each tier's ``command`` argv from ``manifest.json``
unchanged except for the two flags this engine needs, ``--network=host`` and
``--progress=plain`` (see :func:`tests.e2e.dockerutil.build_command`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.e2e import dockerutil

DOCKERFILE = ".aishell/Dockerfile"
CONFIG = ".aishell/aishellc.toml"
OUTDIR = "build"
BUILD_TIMEOUT = 3600.0


class AishellcError(RuntimeError):
    """aishellc exited with an unexpected status; the message carries its output."""


@dataclass(frozen=True)
class Compiled:
    """The output of one ``aishellc compile`` run, read back from its manifest."""

    project: Path
    outdir: str
    manifest: dict[str, Any]

    @property
    def manifest_path(self) -> Path:
        return self.project / self.outdir / "manifest.json"

    @property
    def build_order(self) -> list[str]:
        order = self.manifest["build_order"]
        assert isinstance(order, list)
        return [str(tier) for tier in order]

    def tag(self, tier: str) -> str:
        return str(self.manifest["tiers"][tier]["tag"])

    @property
    def tags(self) -> dict[str, str]:
        return {tier: self.tag(tier) for tier in self.build_order}

    @property
    def final(self) -> str:
        """The tag of the image to run (the runtime, or the extension in the legacy layout)."""
        return str(self.manifest["final"])

    def command(self, tier: str) -> list[str]:
        command = self.manifest["tiers"][tier]["command"]
        assert isinstance(command, list)
        return [str(word) for word in command]


@dataclass(frozen=True)
class Built:
    """One tier's build: its tag, image ID, ``--progress=plain`` output and wall seconds."""

    tier: str
    tag: str
    image_id: str
    output: str
    seconds: float


def write_project(
    root: Path, dockerfile: str, config: str, files: Mapping[str, str] | None = None
) -> Path:
    """A project folder: ``.aishell/Dockerfile``, ``.aishell/aishellc.toml`` and ``files``
    (relative path to text; a file whose text starts with ``#!`` is made executable)."""
    (root / ".aishell").mkdir(parents=True, exist_ok=True)
    (root / DOCKERFILE).write_text(dockerfile)
    (root / CONFIG).write_text(config)
    for name, text in (files or {}).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        if text.startswith("#!"):
            path.chmod(0o755)
    return root


def aishellc(
    cwd: Path, *args: str, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``aishellc ARGS`` in ``cwd`` with this checkout's sources (``env`` added to the
    environment); never raises on status."""
    root = str(dockerutil.REPO_ROOT)
    path = os.environ.get("PYTHONPATH")
    env = {
        **os.environ,
        **(env or {}),
        "PYTHONPATH": f"{root}{os.pathsep}{path}" if path else root,
    }
    return subprocess.run(
        [sys.executable, "-m", "aishellc", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def compile_project(project: Path, *args: str, outdir: str = OUTDIR) -> Compiled:
    """``aishellc .aishell/Dockerfile -o OUTDIR ARGS`` in ``project``; it must succeed."""
    done = aishellc(project, DOCKERFILE, "-o", outdir, *args)
    if done.returncode != 0:
        raise AishellcError(
            f"aishellc compile {' '.join(args)} exited {done.returncode}:\n{done.stdout}{done.stderr}"
        )
    manifest = json.loads((project / outdir / "manifest.json").read_text())
    assert isinstance(manifest, dict)
    return Compiled(project, outdir, manifest)


def plan(compiled: Compiled, previous: Path) -> dict[str, Any]:
    """``aishellc plan NEW --previous OLD --format json`` for a compile and an older manifest."""
    done = aishellc(
        compiled.project,
        "plan",
        str(compiled.manifest_path.relative_to(compiled.project)),
        "--previous",
        str(previous),
        "--format",
        "json",
    )
    if done.returncode != 0:
        raise AishellcError(f"aishellc plan exited {done.returncode}:\n{done.stdout}{done.stderr}")
    result = json.loads(done.stdout)
    assert isinstance(result, dict)
    return result


def keep_manifest(compiled: Compiled, name: str = "built.json") -> Path:
    """Copy a compile's manifest aside (as a user does before recompiling), for ``plan``:
    outside the project, as the docs say, since a file in the build context is an input."""
    kept = compiled.project.parent / f"{compiled.project.name}-{name}"
    kept.write_bytes(compiled.manifest_path.read_bytes())
    return kept


def build_tier(compiled: Compiled, tier: str, timeout: float = BUILD_TIMEOUT) -> Built:
    """Build one tier with the manifest's ``command`` argv."""
    output, seconds = dockerutil.build_command(compiled.command(tier), compiled.project, timeout)
    tag = compiled.tag(tier)
    image = dockerutil.image_id(tag)
    if image is None:
        raise dockerutil.DockerError(
            compiled.command(tier), 0, f"{tag} is missing after:\n{output}"
        )
    return Built(tier, tag, image, output, seconds)


def build_tiers(
    compiled: Compiled, tiers: Sequence[str] | None = None, timeout: float = BUILD_TIMEOUT
) -> dict[str, Built]:
    """Build ``tiers`` (default: all) in the manifest's build order."""
    wanted = compiled.build_order if tiers is None else list(tiers)
    return {
        tier: build_tier(compiled, tier, timeout) for tier in compiled.build_order if tier in wanted
    }
