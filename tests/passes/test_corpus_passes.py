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
from tests.passes.rewrite_oracle import assert_rewrite_is_faithful

FILES = corpus_files()
# Common tools standing in for harness binaries: every report must be the command word.
STAND_INS = ("git", "curl", "tar", "make", "apt-get", "apk", "gpg", "go", "npm", "python3")


def _parse(path: Path) -> ast.Document:
    try:
        return parse(path.read_bytes(), str(path))
    except UserError:
        pytest.skip("BuildKit rejects this file too")


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


@needs_corpus
@pytest.mark.parametrize("path", FILES, ids=corpus_id)
def test_rewriting_each_files_own_base_is_faithful(path: Path) -> None:
    """Take the final stage's image as "the foundation", so the rewrite runs on real
    layouts (continuations, comments, ARGs, platforms, casing, CRLF)."""
    dockerfile = pytest.importorskip("dockerfile")
    document = _parse(path)
    final = analyze_stages(document, PassContext()).final
    image = final.base.expanded if final is not None else None
    if not image or final is None or final.base.stage is not None or not image.isprintable():
        pytest.skip("the final stage does not name an image")
    context = PassContext(foundation_image=image)
    try:
        rewritten, _ = parameterize_base_image(document, context)
    except ValueError:
        pytest.skip("not a plain image reference")
    text = document.source.text if document.source else ""
    output = print_document(rewritten)
    if "\x00" in text:
        pytest.skip("the dockerfile package truncates at NUL")
    try:
        dockerfile.parse_string(text)
    except dockerfile.GoParseError:
        pytest.skip("the dockerfile package rejects the input")
    count = assert_rewrite_is_faithful(dockerfile, text, output.lstrip("\ufeff"), image, {image})
    assert count >= 1
    again, _ = parameterize_base_image(parse(output), context)
    assert print_document(again) == output
