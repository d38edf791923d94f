"""Rule metadata and the generated ``docs/rules.md``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from aishellc.diagnostics import SEVERITIES, Rule
from aishellc.report.rule_docs import (
    REGENERATE,
    demote_headings,
    doc_section,
    main,
    plain_description,
    render_rule,
    render_rules_markdown,
)
from aishellc.rules import all_rules

ROOT = Path(__file__).resolve().parents[2]
RULES_PAGE = ROOT / "docs" / "rules.md"


def test_rules_page_is_up_to_date() -> None:
    assert RULES_PAGE.read_text(encoding="utf-8") == render_rules_markdown(), (
        f"docs/rules.md is stale: run `{REGENERATE}`"
    )


@pytest.mark.parametrize("rule", all_rules(), ids=lambda rule: rule.code)
def test_rule_metadata(rule: Rule) -> None:
    """What every rule must carry, whoever writes it (ruff's conventions)."""
    assert re.fullmatch(r"AIS\d{3}", rule.code)
    assert re.fullmatch(r"[a-z]+(-[a-z0-9]+)*", rule.name)
    assert not rule.name.startswith(("no-", "disallow-", "banned-"))
    assert rule.severity in SEVERITIES
    assert rule.summary and "\n" not in rule.summary
    for heading in ("## What it does", "## Why is this bad?", "## Example"):
        assert f"\n{heading}\n" in f"\n{rule.doc}", f"{rule.code} lacks `{heading}`"
    assert "Use instead:" in (doc_section(rule.doc, "Example") or "")


def test_rule_names_and_codes_are_unique() -> None:
    rules = all_rules()
    assert len({rule.name for rule in rules}) == len(rules)
    assert [rule.code for rule in rules] == sorted(rule.code for rule in rules)


def test_page_structure() -> None:
    page = render_rules_markdown()
    rules = all_rules()
    table = [line for line in page.splitlines() if line.startswith("| [AIS")]
    assert [row.split("]")[0][3:] for row in table] == [rule.code for rule in rules]
    sections = re.findall(r"^## (\S+) \((AIS\d{3})\)$", page, re.MULTILINE)
    assert sections == [(rule.name, rule.code) for rule in rules]
    # the rules' own headings sit below their section
    assert "\n### What it does\n" in page
    assert "\n## What it does\n" not in page


def test_render_rule_title_severity_summary() -> None:
    rule = Rule("AIS900", "thing-seen", "info", "A thing is seen", "## What it does\nSees.\n")
    assert render_rule(rule) == (
        "# thing-seen (AIS900)\n\nDefault severity: info.\n\nA thing is seen.\n\n"
        "## What it does\nSees.\n"
    )
    assert render_rule(rule, level=2).startswith("## thing-seen (AIS900)\n")
    assert "\n### What it does\n" in render_rule(rule, level=2)


def test_table_cells_escape_pipes() -> None:
    rule = Rule("AIS900", "pipe-seen", "info", "`a | b` is seen", "## What it does\nx\n")
    assert "| `a \\| b` is seen |" in render_rules_markdown([rule])


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("## A\ntext", "### A\ntext"),
        ("# T\n## A", "## T\n### A"),
        ("```sh\n# not a heading\n```\n## A", "```sh\n# not a heading\n```\n### A"),
        ("#hashtag, not a heading", "#hashtag, not a heading"),
    ],
)
def test_demote_headings(markdown: str, expected: str) -> None:
    assert demote_headings(markdown, 1) == expected


def test_doc_section_and_plain_description() -> None:
    doc = "## What it does\nLine one\nline two.\n\n## Why is this bad?\nBecause.\n"
    assert doc_section(doc, "What it does") == "Line one\nline two."
    assert doc_section(doc, "Why is this bad?") == "Because."
    assert doc_section(doc, "Missing") is None
    rule = Rule("AIS900", "x-seen", "info", "X is seen", doc)
    assert plain_description(rule) == "Line one line two."
    assert plain_description(Rule("AIS900", "x-seen", "info", "X is seen", "")) == "X is seen."


def test_regeneration_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "rules.md"
    assert main(["--check", str(target)]) == 1  # missing
    assert main(["--write", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == render_rules_markdown()
    assert main(["--check", str(target)]) == 0
    target.write_text("stale\n", encoding="utf-8")
    assert main(["--check", str(target)]) == 1
    assert REGENERATE in capsys.readouterr().err
    assert main([]) == 0
    assert capsys.readouterr().out == render_rules_markdown()
