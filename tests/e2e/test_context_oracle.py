"""Docker itself as the oracle for context hashing: the files aishellc hashes are exactly
the files the engine reads.

Each case is a build context (every file's text is its own path, so every file has its own
sha256) and a Dockerfile that puts what it reads under ``/ctx``. aishellc compiles it as an
extension and lists the files it read under the extension's ``inputs``; the engine builds
the same Dockerfile (on Debian instead of aishell) and the image reports the sha256 of every
file it received. The two multisets must be equal, or, where Docker refuses the build,
aishellc must refuse it too (exit 2).

Two tables: ``CASES``, a ``.dockerignore`` and one ``COPY`` each; ``SHAPES``, the ways a
Dockerfile reads the context that BuildKit reads in its own way (an empty ``--from``, mount
types in any case or from a variable, git-looking local files, stages the final stage does
not need, ONBUILD triggers of a parent stage, the automatic platform ARGs, file names that
are not UTF-8).
"""

from __future__ import annotations

import json
import os
import subprocess
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.dockerutil import DEBIAN_IMAGE, DockerError, build, engine_version, run
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

    dockerfile = f"FROM {DEBIAN_IMAGE}\nCOPY {source} /ctx/\n"
    _agree_with_the_engine(tmp_path, compiled, dockerfile, context, f"{DOCKERFILE}:2:", new_tag)


def _agree_with_the_engine(
    tmp_path: Path,
    compiled: subprocess.CompletedProcess[str],
    dockerfile: str,
    context: Path,
    refused_at: str,
    new_tag: Callable[[str], str],
) -> None:
    """Build ``dockerfile`` (which copies into ``/ctx``) in ``context``: the files the engine
    copied are exactly the files aishellc hashed, and where the engine refuses the build,
    aishellc refused the compile at ``refused_at``."""
    engine_dockerfile = (
        dockerfile + "RUN find /ctx -type f -exec sha256sum {} + | cut -c1-64 | sort > /sums\n"
    )
    tag = new_tag("context-oracle")
    try:
        build(engine_dockerfile, tag, context)
    except DockerError as refused:
        # aishellc refuses it too: a context diagnostic (exit 1) or input no build can use
        # (exit 2), at the COPY, and writes nothing
        output = compiled.stdout + compiled.stderr
        assert compiled.returncode in (1, 2), (
            f"Docker refused the build but aishellc exited {compiled.returncode}:\n"
            f"{refused}\n{output}"
        )
        if compiled.returncode == 1:
            assert any(code in output for code in ("AIS304", "AIS305", "AIS306")), output
        assert refused_at in output
        assert not (tmp_path / "build").exists()
        return
    assert compiled.returncode in (0, 1), compiled.stderr
    copied = Counter(run(tag, "cat", "/sums").split())

    manifest = json.loads((tmp_path / "build" / "manifest.json").read_text())
    inputs = manifest["tiers"]["extension"]["inputs"]
    hashed = Counter(entry["sha256"] for entry in inputs if entry["type"] == "file")
    assert copied, "the case reads nothing: it tests nothing"
    assert hashed == copied, f"aishellc hashed {sorted(e['path'] for e in inputs)}"


# Files beyond CONTEXT_FILES for SHAPES (bytes: some names are not UTF-8).
SHAPE_FILES = (
    b"bin/app-amd64",
    b"bin/app-arm64",
    b"bin/app-none",
    b"git@foo",
    b"git@host:repo",
    b"weird/caf\xe9.txt",
    b"weird/plain.txt",
)
COPY_OUT = "mkdir -p /ctx && cp -a /m/. /ctx/"

# (name, Dockerfile with {base} for the base image and {copy_out} for copying a mount at /m
# to /ctx); the engine says whether it is refused.
SHAPES = [
    ("empty-from", "FROM {base}\nCOPY --from= src /ctx/\n"),
    (
        "mount-type-upper-case",
        "FROM {base}\nRUN --mount=type=BIND,source=src,target=/m {copy_out}\n",
    ),
    (
        "mount-keys-upper-case",
        "FROM {base}\nRUN --mount=Type=Bind,SRC=docs,target=/m {copy_out}\n",
    ),
    (
        "mount-type-variable",
        "FROM {base}\nARG T=bind\nRUN --mount=type=$T,source=docs,target=/m {copy_out}\n",
    ),
    ("mount-type-unset-variable", "FROM {base}\nRUN --mount=type=$T,target=/m true\n"),
    (
        "mount-later-src-wins",
        "FROM {base}\nRUN --mount=source=src,src=docs,target=/m {copy_out}\n",
    ),
    (
        "mount-source-variable",
        "FROM {base}\nENV D=src/sub\nRUN --mount=source=$D,target=/m {copy_out}\n",
    ),
    ("add-git-at-local-file", "FROM {base}\nADD git@foo /ctx/\n"),
    ("copy-scp-style-git-url", "FROM {base}\nCOPY git@host:repo /ctx/\n"),
    (
        "unused-stage-missing-source",
        "FROM {base} AS unused\nCOPY missing /x\nFROM {base}\nCOPY src /ctx/\n",
    ),
    (
        "unused-stage-reads-files",
        "FROM {base} AS unused\nCOPY docs /x\nFROM {base}\nCOPY README.md /ctx/\n",
    ),
    (
        "copy-from-needed-stage",
        "FROM {base} AS used\nCOPY docs /ctx/\nFROM {base}\nCOPY --from=used /ctx /ctx\n",
    ),
    (
        "copy-from-stage-index",
        "FROM {base}\nCOPY docs /ctx/\nFROM {base}\nCOPY --from=0 /ctx /ctx\n",
    ),
    (
        "mount-from-needed-stage",
        "FROM {base} AS m\nCOPY NOTES.md /out/\nFROM {base}\nRUN --mount=from=m,source=/out,target=/m {copy_out}\n",
    ),
    ("stage-of-a-stage", "FROM {base} AS one\nCOPY src/sub /ctx/\nFROM one AS two\nFROM two\n"),
    ("arg-of-the-parent-stage", "FROM {base} AS p\nARG F=NOTES.md\nFROM p\nCOPY $F /ctx/\n"),
    ("onbuild-of-the-parent-stage", "FROM {base} AS p\nONBUILD COPY src /ctx/\nFROM p\n"),
    ("target-arch", "FROM {base}\nARG TARGETARCH\nCOPY bin/app-${TARGETARCH} /ctx/\n"),
    (
        "target-arch-in-global-arg",
        "ARG APP=app-$TARGETARCH\nFROM {base}\nARG APP\nCOPY bin/$APP /ctx/\n",
    ),
    ("target-arch-undeclared", "FROM {base}\nCOPY bin/app-${TARGETARCH:-none} /ctx/\n"),
    ("name-not-utf8", "FROM {base}\nCOPY weird /ctx/\n"),
]


# Shapes Docker 20.10's built-in frontend (BuildKit 0.8) still reads the old way: it expands
# no variables in --mount options and knows no git sources in COPY. aishellc follows current
# BuildKit (as everywhere: docs/buildkit-differences.md), so on such an engine these cases
# must disagree (a strict xfail), and on Docker 23 or newer agree.
NEWER_FRONTEND = {
    "mount-type-variable": "BuildKit 0.8 reads type=$T literally",
    "mount-source-variable": "BuildKit 0.8 reads source=$D literally",
    "copy-scp-style-git-url": "BuildKit 0.8 copies git@host:repo as a local file",
}


def _shape_project(root: Path, dockerfile: str) -> Path:
    context = _project(root, None, ".")
    for name in SHAPE_FILES:
        path = Path(os.fsdecode(os.fsencode(context) + b"/" + name))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(name + b"\n")
    (root / DOCKERFILE).write_text(_render(dockerfile, "aishell:base"))
    return context


def _render(dockerfile: str, base: str) -> str:
    return dockerfile.replace("{base}", base).replace("{copy_out}", COPY_OUT)


@pytest.mark.parametrize(("name", "dockerfile"), SHAPES, ids=[shape[0] for shape in SHAPES])
def test_hashed_inputs_are_the_files_docker_reads(
    name: str,
    dockerfile: str,
    stand_in_images: tuple[str, ...],
    new_tag: Callable[[str], str],
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    if name in NEWER_FRONTEND and engine_version() < (23,):
        request.applymarker(pytest.mark.xfail(strict=True, reason=NEWER_FRONTEND[name]))
    context = _shape_project(tmp_path, dockerfile)
    compiled = aishellc(tmp_path, DOCKERFILE, "--context", "ctx", "-o", "build")

    engine_dockerfile = _render(dockerfile, DEBIAN_IMAGE)
    _agree_with_the_engine(
        tmp_path, compiled, engine_dockerfile, context, f"{DOCKERFILE}:", new_tag
    )
