"""Rule metadata (ruff's conventions) and AIS001 parse errors as diagnostics."""

from __future__ import annotations

import re

import pytest

from aishellc.diagnostics import RETIRED, SEVERITIES, Rule, register, retired_rule
from aishellc.errors import Location, UserError
from aishellc.parser import parse
from aishellc.passes.parse_errors import PARSE_ERROR, diagnostic_from_error
from aishellc.rules import all_rules, rule_for

CODES = [
    "AIS001",
    "AIS002",
    "AIS003",
    "AIS101",
    "AIS102",
    "AIS103",
    "AIS201",
    "AIS202",
    "AIS203",
    "AIS204",
    "AIS205",
    "AIS301",
    "AIS303",
    "AIS304",
    "AIS305",
    "AIS306",
]


def test_every_rule_is_registered() -> None:
    assert [rule.code for rule in all_rules()] == CODES


def test_a_retired_code_is_never_given_to_a_rule_again() -> None:
    assert set(RETIRED) == {"AIS302"} and not set(RETIRED) & set(CODES)
    reused = Rule("AIS302", "runtime-runs-as-root", "info", "anything", "## What it does\n")
    with pytest.raises(ValueError, match="AIS302 is retired"):
        register(reused)
    assert rule_for("AIS302") is None and retired_rule("runtime-runs-as-root") is RETIRED["AIS302"]


@pytest.mark.parametrize("rule", all_rules(), ids=lambda rule: rule.code)
def test_rule_metadata_follows_the_conventions(rule: Rule) -> None:
    assert re.fullmatch(r"AIS\d{3}", rule.code)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
    assert not rule.name.startswith(("no-", "disallow", "banned"))
    assert rule.severity in SEVERITIES
    assert rule.summary and not rule.summary.endswith(".")
    headings = re.findall(r"^## (.+)$", rule.doc, flags=re.MULTILINE)
    assert headings[:3] == ["What it does", "Why is this bad?", "Example"]
    assert set(headings[3:]) <= {"References"}
    example = rule.doc.split("## Example", 1)[1]
    assert "Use instead:" in example
    assert example.count("```dockerfile") == 2
    assert rule_for(rule.code.lower()) is rule


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("FROM a\nRUN <<EOF\necho\n", 2, 1, "unterminated heredoc"),
        ("FROM a\nBOGUS x\n", 2, 1, "unknown instruction: BOGUS"),
        ("FROM a b\n", 1, 8, "FROM requires either one or three arguments"),
        ("# comment only\n", 2, 1, "file with no instructions"),
    ],
)
def test_parse_errors_become_diagnostics(text: str, line: int, column: int, message: str) -> None:
    with pytest.raises(UserError) as caught:
        parse(text, "Dockerfile")
    diagnostic = diagnostic_from_error(caught.value)
    assert (diagnostic.code, diagnostic.severity) == ("AIS001", "error")
    assert message in diagnostic.message
    assert (diagnostic.line, diagnostic.column) == (line, column)
    assert (diagnostic.end_line, diagnostic.end_column) == (line, column)
    assert diagnostic.help


def test_parse_error_keeps_the_parser_help_or_gives_one() -> None:
    with_help = UserError("bad", Location("Dockerfile", 3, 4), help="do this")
    assert diagnostic_from_error(with_help).help == "do this"
    without = diagnostic_from_error(UserError("bad"))
    assert (without.line, without.column, without.code) == (1, 1, PARSE_ERROR.code)
    assert without.help
