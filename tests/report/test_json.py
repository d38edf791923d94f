"""``--format json``: DESIGN.md's fields, sorted, deterministic, anchored to docs/rules.md."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from aishellc.diagnostics import Diagnostic
from aishellc.report import FileResult
from aishellc.report.json import write
from aishellc.report.rule_docs import anchor
from aishellc.rules import all_rules

ROOT = Path(__file__).resolve().parents[2]


def render(results: list[FileResult]) -> str:
    out = io.StringIO()
    write(out, results)
    return out.getvalue()


def diag(line: int, column: int, code: str = "AIS002", help: str = "fix") -> Diagnostic:
    return Diagnostic(
        code,
        "warning",
        f"at {line}:{column}",
        help,
        line=line,
        column=column,
        end_line=line,
        end_column=column + 3,
    )


def test_fields() -> None:
    records = json.loads(render([FileResult("dir/Dockerfile", None, [diag(2, 5)])]))
    assert records == [
        {
            "path": "dir/Dockerfile",
            "line": 2,
            "column": 5,
            "end_line": 2,
            "end_column": 8,
            "severity": "warning",
            "code": "AIS002",
            "name": "unused-suppression",
            "message": "at 2:5",
            "help": "fix",
        }
    ]


def test_empty_is_an_empty_array() -> None:
    assert render([]) == "[]\n"
    assert render([FileResult("Dockerfile", "FROM a\n", [])]) == "[]\n"


def test_sorted_by_path_line_column_code_with_sorted_keys() -> None:
    results = [
        FileResult("b", None, [diag(1, 1)]),
        FileResult("a", None, [diag(2, 1, "AIS002"), diag(2, 1, "AIS001"), diag(1, 9)]),
    ]
    text = render(results)
    records = json.loads(text)
    assert [(r["path"], r["line"], r["column"], r["code"]) for r in records] == [
        ("a", 1, 9, "AIS002"),
        ("a", 2, 1, "AIS001"),
        ("a", 2, 1, "AIS002"),
        ("b", 1, 1, "AIS002"),
    ]
    assert text == json.dumps(records, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    assert render(list(reversed(results))) == text


def test_unknown_code_and_empty_help_are_null() -> None:
    (record,) = json.loads(render([FileResult("x", None, [diag(1, 1, "XYZ123", help="")])]))
    assert record["name"] is None
    assert record["help"] is None


def test_non_ascii_is_kept() -> None:
    text = render([FileResult("café/Dockerfile", None, [diag(1, 1)])])
    assert "café/Dockerfile" in text


@pytest.mark.parametrize(
    ("encoding", "escaped"),
    [
        ("utf-8", False),
        ("UTF8", False),
        ("utf-16", False),
        ("ascii", True),
        ("latin-1", True),
        ("cp1252", True),
    ],
)
def test_non_ascii_is_escaped_for_a_stream_that_cannot_write_it(
    encoding: str, escaped: bool
) -> None:
    # Regression (fuzzing): under a Latin-1 or ASCII locale, writing "café" or "☃" raised
    # UnicodeEncodeError (exit 70). The JSON must stay JSON whatever the stream.
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding=encoding, errors="strict")
    write(stream, [FileResult("café/☃/Dockerfile", None, [diag(1, 1)])])
    stream.flush()
    text = raw.getvalue().decode(encoding)
    assert json.loads(text)[0]["path"] == "café/☃/Dockerfile"
    assert ("\\u2603" in text) is escaped


def test_every_url_points_at_a_section_of_the_rules_page() -> None:
    page = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for rule in all_rules():
        assert f"\n## {rule.name} ({rule.code})\n" in page
        assert f"(#{anchor(rule)})" in page
