"""Docker itself as the oracle for context hashing: the files aishellc hashes for a COPY are
exactly the files the engine copies.

Each case is a build context (every file's text is its own path, so every file has its own
sha256), a ``.dockerignore`` and one ``COPY``. aishellc compiles an extension with that COPY
and lists the files it read under the extension's ``inputs``; the engine builds the same COPY
and the image reports the sha256 of every file it received. The two multisets must be equal,
or, where Docker refuses the COPY, aishellc must refuse it too (exit 2).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.dockerutil import DEBIAN_IMAGE, DockerError, build, run
from tests.e2e.tiers import DOCKERFILE, aishellc

pytestmark = pytest.mark.docker

CONTEXT_FILES = (
    "README.md",
    "NOTES.md",
    "app.log",
    "src/main.py",
    "src/other.py",
    "src/debug.log",
    "src/sub/deep.py",
    "src/sub/deeper/x.log",
    "docs/guide.md",
)

# (name, .dockerignore, COPY source); None as the source list means Docker refuses the COPY.
CASES = [
    ("no-ignore-file", None, "src"),
    ("ignored-folder-reincluded-file", "src\n!src/main.py\n", "src"),
    ("wildcard-into-ignored-folder", "src\n!src/main.py\n", "s*/main.py"),
    ("double-star-extension", "**/*.log\n", "."),
    ("ignore-then-reinclude-one", "*.md\n!README.md\n", "."),
    ("subfolder-ignored", "src/sub\n", "src"),
    ("wildcard-in-folder-with-exception", "src/*.py\n!src/other.py\n", "src"),
    ("leading-slash-and-dot", "/docs\n./app.log\n", "."),
    ("comment-and-blank-lines", "# not a pattern\n\nNOTES.md\n", "*.md"),
    ("everything-but-one", "*\n!src\n", "."),
    ("source-ignored", "src\n", "src"),
]


def _project(root: Path, ignore: str | None, source: str) -> Path:
    context = root / "ctx"
    for name in CONTEXT_FILES:
        path = context / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(name + "\n")
    if ignore is not None:
        (context / ".dockerignore").write_text(ignore)
    (root / ".aishell").mkdir()
    (root / DOCKERFILE).write_text(f"FROM aishell:base\nCOPY {source} /ctx/\n")
    return context


@pytest.mark.parametrize(
    ("ignore", "source"), [case[1:] for case in CASES], ids=[c[0] for c in CASES]
)
def test_hashed_inputs_are_the_files_docker_copies(
    ignore: str | None,
    source: str,
    stand_in_images: tuple[str, ...],
    new_tag: Callable[[str], str],
    tmp_path: Path,
) -> None:
    context = _project(tmp_path, ignore, source)
    compiled = aishellc(tmp_path, DOCKERFILE, "--context", "ctx", "-o", "build")

    dockerfile = (
        f"FROM {DEBIAN_IMAGE}\n"
        f"COPY {source} /ctx/\n"
        "RUN find /ctx -type f -exec sha256sum {} + | cut -c1-64 | sort > /sums\n"
    )
    tag = new_tag("context-oracle")
    try:
        build(dockerfile, tag, context)
    except DockerError as refused:
        assert compiled.returncode == 2, (
            f"Docker refused the COPY but aishellc exited {compiled.returncode}:\n"
            f"{refused}\n{compiled.stdout}{compiled.stderr}"
        )
        assert f"{DOCKERFILE}:2:" in compiled.stderr
        return
    assert compiled.returncode in (0, 1), compiled.stderr
    copied = Counter(run(tag, "cat", "/sums").split())

    manifest = json.loads((tmp_path / "build" / "manifest.json").read_text())
    inputs = manifest["tiers"]["extension"]["inputs"]
    hashed = Counter(entry["sha256"] for entry in inputs if entry["type"] == "file")
    assert copied, "the case copies nothing: it tests nothing"
    assert hashed == copied, f"aishellc hashed {sorted(e['path'] for e in inputs)}"
