"""Rule documentation from the registry: ``aishellc rule CODE`` and ``docs/rules.md``.

Regenerate the page after adding or changing a rule::

    python -m aishellc.report.rule_docs --write docs/rules.md

(``--check docs/rules.md`` exits 1 when the page is stale; with neither flag the page is
printed.) The tests fail when the committed page differs from what this module renders.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from aishellc.diagnostics import RETIRED, RetiredRule, Rule
from aishellc.rules import all_rules

REGENERATE = "python -m aishellc.report.rule_docs --write docs/rules.md"
_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^(#{1,6})(\s)")


def render_rule(rule: Rule, level: int = 1) -> str:
    """One rule as markdown: a ``name (CODE)`` heading at ``level``, its default severity,
    its summary, then its doc with the doc's headings moved below the title."""
    title = f"{'#' * level} {rule.name} ({rule.code})"
    body = demote_headings(rule.doc.strip(), level - 1)
    summary = _sentence(rule.summary)
    return f"{title}\n\nDefault severity: {rule.severity}.\n\n{summary}\n\n{body}\n"


def render_rules_markdown(rules: Sequence[Rule] | None = None) -> str:
    """The whole ``docs/rules.md``: an index table, then one section per rule, by code."""
    rules = all_rules() if rules is None else rules
    lines = [
        "# Rules",
        "",
        f"<!-- Generated from the rule registry by `{REGENERATE}`; do not edit by hand. -->",
        "",
        "Every diagnostic `aishellc check` can report. `aishellc rule CODE` prints the same",
        "text in the terminal. Silence a rule on one instruction with a",
        "`# aishellc ignore=CODE[,CODE]` comment on the line before it, or for the whole",
        'project with `ignore = ["CODE", ...]` (codes or names) at the top of `aishellc.toml`.',
        "",
        "| Code | Name | Severity | Summary |",
        "| --- | --- | --- | --- |",
    ]
    lines.extend(
        f"| [{rule.code}](#{anchor(rule)}) | {_cell(rule.name)} | {rule.severity} "
        f"| {_cell(rule.summary)} |"
        for rule in rules
    )
    sections = [render_rule(rule, level=2) for rule in rules]
    if RETIRED:
        sections.append(
            "## Retired codes\n\nNo rule reports these codes any more, and their numbers are"
            " not reused. A\n`# aishellc ignore=` comment naming one gets AIS002; listing one in"
            " `ignore = [...]`\nof `aishellc.toml` is accepted and silences nothing.\n"
        )
        sections.extend(render_retired(retired, level=3) for _, retired in sorted(RETIRED.items()))
    return "\n".join(lines) + "\n" + "".join("\n" + section for section in sections)


def render_retired(retired: RetiredRule, level: int = 1) -> str:
    """A retired code as markdown: a ``name (CODE)`` heading at ``level`` and why it went."""
    title = f"{'#' * level} {retired.name} ({retired.code})"
    return f"{title}\n\nRetired. {retired.reason}\n"


def anchor(rule: Rule) -> str:
    """GitHub's fragment for the heading ``name (CODE)``."""
    return f"{rule.name}-{rule.code.lower()}"


def demote_headings(markdown: str, by: int) -> str:
    """Add ``by`` levels to every ATX heading outside fenced code blocks."""
    if by <= 0:
        return markdown
    out: list[str] = []
    in_fence = False
    for line in markdown.split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and _HEADING.match(line):
            line = "#" * by + line
        out.append(line)
    return "\n".join(out)


def doc_section(markdown: str, title: str) -> str | None:
    """The text under ``## title`` up to the next heading of that level, or None."""
    lines = markdown.split("\n")
    marker = f"## {title}"
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == marker) + 1
    except StopIteration:
        return None
    body: list[str] = []
    in_fence = False
    for line in lines[start:]:
        if _FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and line.startswith("## "):
            break
        body.append(line)
    return "\n".join(body).strip()


def plain_description(rule: Rule) -> str:
    """The rule's "What it does" section as one paragraph (its summary if it has none)."""
    section = doc_section(rule.doc, "What it does")
    if not section:
        return _sentence(rule.summary)
    return " ".join(section.split())


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m aishellc.report.rule_docs",
        description="Render docs/rules.md from the rule registry.",
    )
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write", metavar="PATH", help="write the page to PATH")
    action.add_argument(
        "--check", metavar="PATH", help="exit 1 if PATH differs from the rendered page"
    )
    args = parser.parse_args(argv)
    page = render_rules_markdown()
    if args.write:
        Path(args.write).write_text(page, encoding="utf-8", newline="\n")
        return 0
    if args.check:
        path = Path(args.check)
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current != page:
            sys.stderr.write(f"{path} is stale; regenerate it with `{REGENERATE}`\n")
            return 1
        return 0
    sys.stdout.write(page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
