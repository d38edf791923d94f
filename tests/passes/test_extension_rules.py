"""AIS201 final-stage-not-on-aishell, AIS202 onbuild-in-extension, AIS203 entrypoint-override,
AIS003 global-expansion-error."""

from __future__ import annotations

import pytest

from aishellc.passes import PassContext
from tests.passes.helpers import diagnostics, findings, positions

F = "FROM aishell:base\n"

# (Dockerfile, expected [(code, line)]) for AIS201
FINAL_STAGE = [
    (F, []),
    ("FROM aishell:foundation AS dev\n", []),
    ("FROM debian:bookworm-slim\n", [("AIS201", 1)]),
    (
        "FROM aishell:base AS tools\nRUN true\nFROM debian\nCOPY --from=tools /a /a\n",
        [("AIS201", 3)],
    ),
    ("FROM debian AS build\nFROM aishell:base\nCOPY --from=build /a /a\n", []),
    ("FROM aishell:base AS a\nFROM a AS b\nFROM b\n", []),
    ("FROM node:24 AS a\nFROM a\n", [("AIS201", 2)]),
    ("ARG BASE=aishell:base\nFROM $BASE\n", []),
    ("ARG BASE=debian\nFROM $BASE\n", [("AIS201", 2)]),
    ("FROM docker.io/library/aishell:base\n", [("AIS201", 1)]),
    ("FROM aishell:base@sha256:" + "0" * 64 + "\n", [("AIS201", 1)]),
    ("FROM scratch\n", [("AIS201", 1)]),
    # an unexpandable base is AIS003's, not also AIS201's
    ("ARG BASE\nFROM $BASE\n", [("AIS003", 2)]),
    ("FROM ${BASE\n", [("AIS003", 1)]),
    ("FROM ${BASE:?required} AS a\nFROM a\n", [("AIS003", 1)]),
    ("# aishellc ignore=AIS201\nFROM debian\n", []),
]


@pytest.mark.parametrize(("text", "expected"), FINAL_STAGE)
def test_final_stage(text: str, expected: list[tuple[str, int]]) -> None:
    assert findings(text, ("AIS201", "AIS003")) == expected


def test_final_stage_points_at_the_image_and_names_it() -> None:
    text = "FROM aishell:base AS tools\nFROM  --platform=linux/amd64  python:3.12  AS app\n"
    assert positions(text, "AIS201") == [(2, 31, 2, 42)]
    (diagnostic,) = [d for d in diagnostics(text) if d.code == "AIS201"]
    assert "`python:3.12`" in diagnostic.message
    assert diagnostic.severity == "error"
    assert "Node.js" in diagnostic.help


def test_final_stage_through_a_stage_names_both() -> None:
    (diagnostic,) = [d for d in diagnostics("FROM node:24 AS js\nFROM js\n") if d.code == "AIS201"]
    assert "`js`" in diagnostic.message and "`node:24`" in diagnostic.message


ONBUILD = [
    (F + "ONBUILD RUN npm ci\n", [("AIS202", 2)]),
    (F + "ONBUILD COPY . /app\nONBUILD RUN make\n", [("AIS202", 2), ("AIS202", 3)]),
    ("FROM aishell:base AS a\nONBUILD RUN make\nFROM a\n", []),
    ("FROM debian\nONBUILD RUN make\n", [("AIS202", 2)]),
    (F + "RUN echo ONBUILD\n", []),
    (F + "# aishellc ignore=AIS202\nONBUILD RUN make\n", []),
]


@pytest.mark.parametrize(("text", "expected"), ONBUILD)
def test_onbuild(text: str, expected: list[tuple[str, int]]) -> None:
    assert findings(text, ("AIS202",)) == expected


def test_onbuild_points_at_the_keyword() -> None:
    assert positions(F + "  onbuild RUN make\n", "AIS202") == [(2, 3, 2, 10)]


ENTRYPOINT = [
    (F + 'ENTRYPOINT ["/start.sh"]\n', [("AIS203", 2)]),
    (F + "ENTRYPOINT /start.sh\n", [("AIS203", 2)]),
    (F + "ENTRYPOINT []\n", [("AIS203", 2)]),
    (F + 'CMD ["/start.sh"]\n', []),
    ('FROM aishell:base AS a\nENTRYPOINT ["/x"]\nFROM a\n', [("AIS203", 2)]),
    ('FROM aishell:base AS side\nENTRYPOINT ["/x"]\nFROM aishell:base\n', []),
    ('FROM debian\nENTRYPOINT ["/x"]\n', []),
    ('FROM debian AS tools\nENTRYPOINT ["/x"]\nFROM aishell:base\n', []),
    (F + 'ONBUILD ENTRYPOINT ["/x"]\n', []),
    (F + '# aishellc ignore=AIS203\nENTRYPOINT ["/x"]\n', []),
]


@pytest.mark.parametrize(("text", "expected"), ENTRYPOINT)
def test_entrypoint(text: str, expected: list[tuple[str, int]]) -> None:
    assert findings(text, ("AIS203",)) == expected


def test_entrypoint_points_at_the_keyword() -> None:
    assert positions(F + 'ENTRYPOINT \\\n  ["/x"]\n', "AIS203") == [(2, 1, 2, 11)]


EXPANSION = [
    ("ARG A=${B:?required}\nFROM aishell:base\n", [("AIS003", 1)]),
    ("ARG A=${B\nFROM aishell:base\n", [("AIS003", 1)]),
    ("FROM ${X:?required}\n", [("AIS003", 1)]),
    ("FROM $UNSET\n", [("AIS003", 1)]),
    ("ARG A=1\nFROM aishell:base$UNSET\n", []),
    ("FROM aishell:base\nFROM ${UNSET:-aishell:base}\n", []),
]


@pytest.mark.parametrize(("text", "expected"), EXPANSION)
def test_global_expansion(text: str, expected: list[tuple[str, int]]) -> None:
    assert findings(text, ("AIS003",)) == expected


def test_global_expansion_points_at_the_image() -> None:
    assert positions(
        "FROM  --platform=x  ${BASE:?required}  AS a\nFROM aishell:base\n", "AIS003"
    ) == [(1, 21, 1, 38)]
    assert positions("ARG  A=${B:?x}\nFROM aishell:base\n", "AIS003") == [(1, 6, 1, 15)]


SPAN_CASES = [
    'ARG A=${B:?x}\nFROM aishell:base AS a\nRUN npx @openai/codex\nSHELL ["pwsh", "-c"]\nRUN codex\nFROM debian\n',
    "FROM aishell:base\nENTRYPOINT x\nONBUILD RUN claude\nRUN a \\\n  && cla\\\nude\n# aishellc ignore=AIS999\nRUN true\n",
    'FROM aishell:base\r\nRUN <<EOF\r\nclaude\r\nEOF\r\nRUN ["sh", "-c", "codex"]',
]


def test_the_span_cases_cover_every_pass() -> None:
    codes = {d.code for text in SPAN_CASES for d in diagnostics(text)}
    assert codes == {"AIS002", "AIS003", "AIS101", "AIS102", "AIS103", "AIS201", "AIS202", "AIS203"}


@pytest.mark.parametrize("text", SPAN_CASES)
def test_every_diagnostic_has_a_span_inside_the_file_and_help(text: str) -> None:
    lines = text.splitlines()
    for diagnostic in diagnostics(text, PassContext()):
        assert diagnostic.help
        assert 1 <= diagnostic.line <= diagnostic.end_line <= len(lines)
        assert 1 <= diagnostic.column <= len(lines[diagnostic.line - 1]) + 1
        assert 1 <= diagnostic.end_column <= len(lines[diagnostic.end_line - 1]) + 1
        if diagnostic.line == diagnostic.end_line:
            assert diagnostic.column < diagnostic.end_column
