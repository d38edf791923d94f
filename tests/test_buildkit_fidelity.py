"""Fidelity: ``parse --format buildkit`` equals what BuildKit's parser returns.

Two oracles:
- the ``dockerfile`` package (BuildKit v0.12.5's parser through cgo), on every corpus file
  and every trap file; every file where we differ is listed here with its reason, and in
  docs/buildkit-differences.md;
- upstream's own ``result`` files (BuildKit at the corpus commit, newer than the package),
  rebuilt from our view the way BuildKit's ``Node.Dump`` prints them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from aishellc import ast
from aishellc.errors import UserError
from aishellc.parser import parse
from aishellc.parser.buildkit_lines import buildkit_view
from aishellc.parser.go_text import go_quote
from tests.corpus import (
    ROOT,
    corpus_dir,
    corpus_files,
    corpus_id,
    needs_corpus,
    roundtrip_files,
)
from tests.oracle import package_view

# Why the package and aishellc differ, by reason (the keys of docs/buildkit-differences.md).
UNKNOWN_INSTRUCTION = "unknown-instruction"  # BuildKit's instruction parser rejects the file
NUL_TRUNCATION = "nul-truncation"  # the package's cgo bridge cuts strings at NUL
UTF32 = "utf-32"  # not UTF-8: the package reads garbage, BuildKit cannot build it
HEREDOC_SPACE = "heredoc-space"  # newer BuildKit allows `<< EOF`
ESCAPE_IN_FLAGS = "escape-in-flags"  # newer BuildKit honours `# escape=` in flags
ONBUILD_HEREDOC = "onbuild-heredoc"  # the package drops heredocs of ONBUILD triggers

DIFFERENCES = {
    "real/containers__buildah/tests__bud__unrecognized__Dockerfile": UNKNOWN_INSTRUCTION,
    "real/docker-library__mysql/Dockerfile.oracle": UNKNOWN_INSTRUCTION,
    "real/openshift__imagebuilder/dockerclient__testdata__Dockerfile.unknown": UNKNOWN_INSTRUCTION,
    "real/hadolint__language-docker/test__fixtures__Dockerfile.bom.utf32be": UTF32,
    "buildkit-parser/testfiles/json/Dockerfile": NUL_TRUNCATION,
    "real/moby__buildkit/frontend__dockerfile__parser__testfiles__json__Dockerfile": NUL_TRUNCATION,
    "roundtrip/backtick-escape.Dockerfile": ESCAPE_IN_FLAGS,
    "roundtrip/onbuild-run.Dockerfile": ONBUILD_HEREDOC,
    "roundtrip/quoted-terminators.Dockerfile": HEREDOC_SPACE,
}
# Differences where BuildKit as a whole rejects the file, as aishellc does.
REJECTED_BY_BUILDKIT = {UNKNOWN_INSTRUCTION, UTF32}


def our_view(path: Path) -> list[dict[str, Any]] | dict[str, str]:
    try:
        return buildkit_view(path.read_bytes(), str(path))
    except UserError as exc:
        return {"error": exc.message}


def agrees(path: Path) -> bool:
    expected, got = package_view(path), our_view(path)
    if isinstance(expected, dict) and isinstance(got, dict):
        return True  # both reject
    return expected == got


def file_id(path: Path) -> str:
    if path.is_relative_to(ROOT / "tests"):
        return str(path.relative_to(ROOT / "tests"))
    return corpus_id(path)


@pytest.mark.parametrize("path", roundtrip_files(), ids=lambda p: p.name)
def test_trap_files_match_the_package(path: Path) -> None:
    assert agrees(path) == (file_id(path) not in DIFFERENCES)


@needs_corpus
def test_corpus_agreement() -> None:
    files = corpus_files()
    mismatched = {file_id(path) for path in files if not agrees(path)}
    expected = {name for name in DIFFERENCES if not name.startswith("roundtrip/")}
    assert mismatched == expected
    rejected_too = sum(DIFFERENCES[name] in REJECTED_BY_BUILDKIT for name in mismatched)
    strict = (len(files) - len(mismatched)) / len(files)
    with_rejections = (len(files) - len(mismatched) + rejected_too) / len(files)
    assert strict >= 0.99
    assert with_rejections >= 0.995


def test_every_difference_is_documented() -> None:
    text = (ROOT / "docs" / "buildkit-differences.md").read_text(encoding="utf-8")
    for name, reason in DIFFERENCES.items():
        assert name in text, name
        assert f"`{reason}`" in text, reason


# --- upstream's result files ---------------------------------------------------------------


def dump_values(node: ast.Instruction) -> list[str]:
    """Node.Dump's arguments of one instruction (ENV/LABEL as key, value, separator)."""
    from aishellc.parser.buildkit_view import values

    if isinstance(node, ast.Env | ast.Label):
        return [
            text
            for pair in node.pairs
            for text in (pair.key, pair.value, "" if pair.legacy else "=")
        ]
    return values(node)


def dump(node: ast.Instruction) -> str:
    text = node.keyword.lower()
    if node.flags:
        text += " [" + " ".join(go_quote(flag.text) for flag in node.flags) + "]"
    if isinstance(node, ast.Onbuild) and node.trigger is not None:
        return f"{text} ({dump(node.trigger)})"
    for value in dump_values(node):
        text += " " + go_quote(value)
    return text


def result_cases() -> list[Path]:
    base = corpus_dir()
    return sorted((base / "buildkit-parser" / "testfiles").glob("*/result")) if base else []


@needs_corpus
@pytest.mark.parametrize("result", result_cases(), ids=lambda p: p.parent.name)
def test_upstream_result_files(result: Path) -> None:
    document = parse((result.parent / "Dockerfile").read_bytes())
    dumped = "".join(f"({dump(node)})\n" for node in document.instructions)
    assert dumped == result.read_text(encoding="utf-8")


@needs_corpus
def test_upstream_line_numbers() -> None:
    base = corpus_dir()
    assert base is not None
    view = buildkit_view((base / "buildkit-parser" / "testfile-line" / "Dockerfile").read_bytes())
    assert [(item["start_line"], item["end_line"]) for item in view] == [(5, 5), (11, 12), (17, 31)]


def negative_cases() -> list[Path]:
    base = corpus_dir()
    return (
        sorted((base / "buildkit-parser" / "testfiles-negative").glob("*/Dockerfile"))
        if base
        else []
    )


@needs_corpus
@pytest.mark.parametrize("path", negative_cases(), ids=lambda p: p.parent.name)
def test_upstream_negative_cases_are_rejected(path: Path) -> None:
    with pytest.raises(UserError) as caught:
        parse(path.read_bytes(), str(path))
    assert re.match(r"\S", caught.value.message)
