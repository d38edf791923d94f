"""The passes over the shared corpus of real Dockerfiles: no crash, no false harness runs,
and the base rewrite applied to each file's own base images stays faithful to BuildKit."""

from __future__ import annotations

from pathlib import Path

import pytest

from aishellc import ast
from aishellc.emit.printer import print_document
from aishellc.errors import UserError
from aishellc.parser import parse
from aishellc.passes import PassContext, run_passes
from aishellc.passes.find_harness_runs import harness_run_diagnostics
from aishellc.passes.parameterize_base_image import parameterize_base_image
from aishellc.passes.stage_graph import analyze_stages
from tests.corpus import corpus_files, corpus_id, needs_corpus
from tests.oracle import dockerfile, package_view
from tests.passes.rewrite_oracle import assert_rewrite_is_faithful

# Common tools standing in for harness binaries: every report must be the command word.
STAND_INS = ("git", "curl", "tar", "make", "apt-get", "apk", "gpg", "go", "npm", "python3")


def _try_parse(path: Path) -> ast.Document | None:
    try:
        return parse(path.read_bytes(), str(path))
    except UserError:
        return None  # BuildKit rejects these too (tests/test_roundtrip.py checks how)


# The corpus files aishellc parses: the passes run on these.
FILES = [path for path in corpus_files() if _try_parse(path) is not None]


def _parse(path: Path) -> ast.Document:
    document = _try_parse(path)
    assert document is not None
    return document


@needs_corpus
@pytest.mark.parametrize("path", FILES, ids=corpus_id)
def test_passes_run_on_every_file(path: Path) -> None:
    document = _parse(path)
    _, found = run_passes(document)
    lines = document.source.line_count if document.source else 1
    for diagnostic in found:
        assert 1 <= diagnostic.line <= diagnostic.end_line <= lines
        assert diagnostic.help and diagnostic.message
    # Nothing in the corpus runs a harness, even with every stage checked.
    every = harness_run_diagnostics(document, PassContext(), every_stage=True)
    assert {d.code for d in every} <= {"AIS103"}


@needs_corpus
@pytest.mark.parametrize("path", FILES, ids=corpus_id)
def test_stand_in_harness_reports_point_at_the_command_word(path: Path) -> None:
    document = _parse(path)
    context = PassContext(harness_binaries={name: "pkg-" + name for name in STAND_INS})
    for diagnostic in harness_run_diagnostics(document, context, every_stage=True):
        if diagnostic.code == "AIS103":
            continue
        assert diagnostic.span is not None
        name = diagnostic.message.split("`")[1]
        # the command word, maybe quoted or behind a variable ("$GOROOT/bin/go")
        assert diagnostic.span.text.strip("'\"").rsplit("/", 1)[-1] == name


def _own_base(path: Path) -> str | None:
    """The image the final stage of a corpus file names, when the rewrite can be checked
    on it against the ``dockerfile`` package: a plain, printable image reference, in a file
    the package parses (it truncates strings at NUL)."""
    document = _parse(path)
    final = analyze_stages(document, PassContext()).final
    if final is None or final.base.stage is not None:
        return None
    image = final.base.expanded
    if not image or not image.isprintable():
        return None
    text = document.source.text if document.source else ""
    if "\x00" in text or isinstance(package_view(text), dict):
        return None
    return image


REWRITE_CASES = [(path, image) for path in FILES if (image := _own_base(path)) is not None]


@needs_corpus
def test_most_corpus_files_take_part_in_the_rewrite_check() -> None:
    assert len(REWRITE_CASES) >= 600


@needs_corpus
@pytest.mark.parametrize(
    ("path", "image"), REWRITE_CASES, ids=[corpus_id(p) for p, _ in REWRITE_CASES]
)
def test_rewriting_each_files_own_base_is_faithful(path: Path, image: str) -> None:
    """Take the final stage's image as "the foundation", so the rewrite runs on real
    layouts (continuations, comments, ARGs, platforms, casing, CRLF)."""
    document = _parse(path)
    context = PassContext(foundation_image=image)
    rewritten, _ = parameterize_base_image(document, context)
    text = document.source.text if document.source else ""
    output = print_document(rewritten)
    count = assert_rewrite_is_faithful(dockerfile, text, output.lstrip("\ufeff"), image, {image})
    assert count >= 1
    again, _ = parameterize_base_image(parse(output), context)
    assert print_document(again) == output
