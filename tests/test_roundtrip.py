"""Round trip: printing an unmodified tree gives back the input byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from aishellc.emit.printer import print_document
from aishellc.errors import UserError
from aishellc.parser import parse
from tests.corpus import corpus_files, corpus_id, needs_corpus, roundtrip_files

# Corpus files BuildKit rejects; aishellc must reject them too (see docs/buildkit-differences.md).
REJECTED = {
    "buildkit-parser/testfiles-negative/empty_dockerfile/Dockerfile": "file with no instructions",
    "buildkit-parser/testfiles-negative/env_no_value/Dockerfile": "ENV must have two arguments",
    "buildkit-parser/testfiles-negative/only_comments/Dockerfile": "file with no instructions",
    "buildkit-parser/testfiles-negative/shykes-nested-json/Dockerfile": "arrays must be comprised",
    "real/containers__buildah/tests__bud__unrecognized__Dockerfile": "unknown instruction: BOGUS",
    "real/docker-library__mysql/Dockerfile.oracle": "unknown instruction: {{",
    "real/hadolint__language-docker/test__fixtures__Dockerfile.bom.utf32be": "UTF-32",
    "real/hadolint__language-docker/test__fixtures__Dockerfile.bom.utf32le": "UTF-32",
    "real/moby__buildkit/frontend__dockerfile__parser__testfiles-negative__empty_dockerfile__Dockerfile": "file with no instructions",
    "real/moby__buildkit/frontend__dockerfile__parser__testfiles-negative__env_no_value__Dockerfile": "ENV must have two arguments",
    "real/moby__buildkit/frontend__dockerfile__parser__testfiles-negative__shykes-nested-json__Dockerfile": "arrays must be comprised",
    "real/openshift__imagebuilder/dockerclient__testdata__Dockerfile.unknown": "unknown instruction: HEALTH",
    "real/openshift__imagebuilder/dockerfile__parser__testfiles-negative__env_no_value__Dockerfile": "ENV must have two arguments",
    "real/openshift__imagebuilder/dockerfile__parser__testfiles__escape-nonewline__Dockerfile": "invalid escape token",
    "real/openshift__imagebuilder/dockerfile__parser__testfiles__long-text__Dockerfile": "longer than 65535 bytes",
}


def assert_roundtrip(path: Path) -> None:
    data = path.read_bytes()
    document = parse(data, str(path))
    assert print_document(document).encode("utf-8") == data


@pytest.mark.parametrize("path", roundtrip_files(), ids=lambda p: p.name)
def test_trap_files_roundtrip(path: Path) -> None:
    assert_roundtrip(path)


def test_trap_set_is_complete() -> None:
    names = {path.name for path in roundtrip_files()}
    for trap in (
        "crlf",
        "bom",
        "no-final-newline",
        "backtick-escape",
        "comments-in-continuation",
        "blank-lines-in-continuation",
        "several-heredocs",
        "heredoc-dash",
        "quoted-terminators",
        "json-continuation",
        "lowercase",
        "onbuild-run",
    ):
        assert f"{trap}.Dockerfile" in names


@needs_corpus
@pytest.mark.parametrize("path", corpus_files(), ids=corpus_id)
def test_corpus_roundtrip(path: Path) -> None:
    expected_error = REJECTED.get(corpus_id(path))
    if expected_error is None:
        assert_roundtrip(path)
        return
    with pytest.raises(UserError) as caught:
        parse(path.read_bytes(), str(path))
    assert expected_error in caught.value.message
    assert caught.value.location is not None and caught.value.location.line >= 1
