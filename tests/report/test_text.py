"""The human format: location line, source line with carets, help, summary."""

from __future__ import annotations

import io

import pytest

from aishellc.diagnostics import Diagnostic, Severity
from aishellc.report import FileResult
from aishellc.report.text import write


def diag(
    line: int,
    column: int,
    end_line: int,
    end_column: int,
    *,
    code: str = "AIS002",
    severity: Severity = "warning",
    message: str = "msg",
    help: str = "fix it",
) -> Diagnostic:
    return Diagnostic(
        code,
        severity,
        message,
        help,
        line=line,
        column=column,
        end_line=end_line,
        end_column=end_column,
    )


def render(results: list[FileResult]) -> str:
    out = io.StringIO()
    write(out, results)
    return out.getvalue()


def snippet(text: str, diagnostic: Diagnostic) -> list[str]:
    """The gutter lines printed for one diagnostic (between the location and help lines)."""
    lines = render([FileResult("Dockerfile", text, [diagnostic])]).splitlines()
    return lines[1:-3] if diagnostic.help else lines[1:-2]


SOURCE = "FROM aishell:base\nRUN apt-get update && claude --version\nRUN a \\\n  b\n"

# (source, diagnostic, expected gutter lines)
SNIPPETS = [
    # a span on one line: carets under exactly its characters (end column is exclusive)
    (
        SOURCE,
        diag(2, 23, 2, 29),
        [
            "  2 | RUN apt-get update && claude --version",
            "    |                       ^^^^^^ warning",
        ],
    ),
    # the whole first line
    (
        SOURCE,
        diag(1, 1, 1, 18, severity="error"),
        ["  1 | FROM aishell:base", "    | ^^^^^^^^^^^^^^^^^ error"],
    ),
    # a span over two lines: marked to the end of its first line
    (SOURCE, diag(3, 5, 4, 4, severity="info"), ["  3 | RUN a \\", "    |     ^^^ info"]),
    # zero width: one caret
    (
        SOURCE,
        diag(2, 5, 2, 5),
        ["  2 | RUN apt-get update && claude --version", "    |     ^ warning"],
    ),
    # a span past the end of its line is clipped to the line
    (SOURCE, diag(1, 6, 1, 99), ["  1 | FROM aishell:base", "    |      ^^^^^^^^^^^^ warning"]),
    # a position just after the end of the line: one caret there
    (SOURCE, diag(1, 18, 1, 18), ["  1 | FROM aishell:base", "    |                  ^ warning"]),
    # tabs print as four spaces and the carets follow
    ("FROM a\n\tRUN x\n", diag(2, 2, 2, 5), ["  2 |     RUN x", "    |     ^^^ warning"]),
    # wide characters take two columns
    (
        "FROM a\nRUN echo 日本 x\n",
        diag(2, 13, 2, 14),
        ["  2 | RUN echo 日本 x", "    |               ^ warning"],
    ),
    (
        "FROM a\nRUN echo 日本 x\n",
        diag(2, 10, 2, 12),
        ["  2 | RUN echo 日本 x", "    |          ^^^^ warning"],
    ),
    # a combining accent takes no column
    ("FROM a\nRUN e\u0301 x\n", diag(2, 8, 2, 9), ["  2 | RUN e\u0301 x", "    |       ^ warning"]),
    # other characters a terminal acts on are shown as their escapes, the carets follow
    ("FROM a\nRUN \x0c x\n", diag(2, 7, 2, 8), ["  2 | RUN \\x0c x", "    |          ^ warning"]),
    (
        "FROM a\nRUN \x1b[2J x\n",
        diag(2, 5, 2, 9),
        ["  2 | RUN \\x1b[2J x", "    |     ^^^^^^^ warning"],
    ),
    (
        "FROM a\nRUN \x07\x00 x\n",
        diag(2, 8, 2, 9),
        ["  2 | RUN \\x07\\x00 x", "    |              ^ warning"],
    ),
    (
        "FROM a\nRUN \x9b1m x\n",
        diag(2, 9, 2, 10),
        ["  2 | RUN \\x9b1m x", "    |            ^ warning"],
    ),
    (
        "FROM a\nRUN \u202ex\n",
        diag(2, 6, 2, 7),
        ["  2 | RUN \\u202ex", "    |           ^ warning"],
    ),
    (
        "FROM a\nRUN \udcff x\n",
        diag(2, 7, 2, 8),
        ["  2 | RUN \\udcff x", "    |            ^ warning"],
    ),
    # a CRLF file: the CR is not part of the line
    ("FROM a\r\nRUN x\r\n", diag(2, 5, 2, 6), ["  2 | RUN x", "    |     ^ warning"]),
    # a blank line: no trailing space after the gutter
    ("FROM a\n\n", diag(2, 1, 2, 1), ["  2 |", "    | ^ warning"]),
    # the gutter widens with the line number
    ("\n" * 11 + "RUN x\n", diag(12, 1, 12, 4), ["  12 | RUN x", "     | ^^^ warning"]),
    # a line that does not exist: no snippet
    (SOURCE, diag(9, 1, 9, 2), []),
]


@pytest.mark.parametrize(("source", "diagnostic", "expected"), SNIPPETS)
def test_snippet(source: str, diagnostic: Diagnostic, expected: list[str]) -> None:
    assert snippet(source, diagnostic) == expected


def test_whole_report() -> None:
    results = [FileResult("Dockerfile", SOURCE, [diag(2, 23, 2, 29, message="`claude` runs")])]
    assert render(results) == (
        "Dockerfile:2:23: AIS002 `claude` runs\n"
        "  2 | RUN apt-get update && claude --version\n"
        "    |                       ^^^^^^ warning\n"
        "  help: fix it\n"
        "\n"
        "Found 0 errors, 1 warning, 0 infos.\n"
    )


def test_no_source_and_no_help() -> None:
    results = [FileResult("missing", None, [diag(1, 1, 1, 1, code="AIS001", help="")])]
    assert render(results) == "missing:1:1: AIS001 msg\n\nFound 0 errors, 1 warning, 0 infos.\n"


def test_files_and_diagnostics_are_sorted() -> None:
    results = [
        FileResult("b", None, [diag(1, 1, 1, 1, message="b1")]),
        FileResult("a", None, [diag(3, 1, 3, 1, message="a3"), diag(1, 2, 1, 2, message="a1")]),
    ]
    locations = [line.split(" AIS")[0] for line in render(results).splitlines() if " AIS" in line]
    assert locations == ["a:1:2:", "a:3:1:", "b:1:1:"]


@pytest.mark.parametrize(
    ("severities", "expected"),
    [
        ([], "All checks passed."),
        (["error"], "Found 1 error, 0 warnings, 0 infos."),
        (["warning", "warning", "info"], "Found 0 errors, 2 warnings, 1 info."),
        (["error", "error", "info", "info"], "Found 2 errors, 0 warnings, 2 infos."),
    ],
)
def test_summary(severities: list[Severity], expected: str) -> None:
    diagnostics = [diag(1, 1, 1, 1, severity=severity) for severity in severities]
    assert render([FileResult("x", None, diagnostics)]).splitlines()[-1] == expected


def test_no_colours_or_escapes() -> None:
    output = render([FileResult("Dockerfile", SOURCE, [diag(2, 1, 2, 4, severity="error")])])
    assert "\x1b" not in output
