"""Docker as the oracle for the output folder inside the build context: the pattern
aishellc writes for it (and for the temporary folders a killed compile leaves beside it)
excludes exactly what aishellc leaves out of the hash, for folder names that need escaping.

The project is the context and its Dockerfile copies everything (``COPY . /ctx/``). It is
compiled twice into ``-o NAME`` (the second time the output folder exists), with a
leftover beside it that is not provably aishellc's (it holds a file aishellc never writes,
so it stays). A probe Dockerfile with the same ``COPY`` builds with the generated ignore
file; the files the engine copies must be exactly the files the manifest lists as inputs.
"""

from __future__ import annotations

import json
import posixpath
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.dockerutil import DEBIAN_IMAGE, build, run
from tests.e2e.tiers import DOCKERFILE, aishellc

pytestmark = pytest.mark.docker

CONTEXT_FILES = ("README.md", "src/main.py", "src/build/kept.txt", ".hidden/x.txt")
NAMES = [
    "build",
    ".build",
    ".aishell/build",
    "out put",
    "[x]",
    "a*b",
    "q?",
    "#hash",
    " lead",
    "trail ",
    "back\\slash",
    "src/b*",
]


@pytest.mark.parametrize("outdir", NAMES)
def test_the_engine_excludes_exactly_the_output_folder(
    outdir: str,
    stand_in_images: tuple[str, ...],
    new_tag: Callable[[str], str],
    tmp_path: Path,
) -> None:
    project = tmp_path / "project"
    for name in CONTEXT_FILES:
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(name + "\n")
    (project / ".aishell").mkdir()
    (project / DOCKERFILE).write_text("FROM aishell:base\nCOPY . /ctx/\n")
    for _ in range(2):
        compiled = aishellc(project, DOCKERFILE, "-o", outdir, "--harness", "claude@2.1.3")
        assert compiled.returncode == 0, compiled.stderr
        parent, name = posixpath.split(outdir)
        leftover = project / parent / f".{name}.aishellc-new-abcd1234"
        leftover.mkdir(exist_ok=True)
        (leftover / "thesis.tex").write_text(f"{leftover.name}\n")
    manifest = json.loads((project / outdir / "manifest.json").read_text())
    inputs = manifest["tiers"]["extension"]["inputs"]
    hashed = Counter(entry["sha256"] for entry in inputs if entry["type"] == "file")

    probe = tmp_path / "probe.Dockerfile"
    probe.write_text(
        f"FROM {DEBIAN_IMAGE}\n"
        "COPY . /ctx/\n"
        "RUN find /ctx -type f -exec sha256sum {} + | cut -c1-64 | sort > /sums\n"
    )
    ignore = project / outdir / "extension.Dockerfile.dockerignore"
    shutil.copyfile(ignore, tmp_path / "probe.Dockerfile.dockerignore")
    tag = new_tag("output-exclusion")
    build(probe, tag, project)
    copied = Counter(run(tag, "cat", "/sums").split())
    assert len(copied) == len(CONTEXT_FILES) + 1  # and the Dockerfile
    assert hashed == copied, f"aishellc hashed {sorted(e['path'] for e in inputs)}"
