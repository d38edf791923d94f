"""The human format (ruff's concise line plus the source line with carets)::

    Dockerfile:3:1: AIS002 `# aishellc ignore=AIS101` suppresses nothing here
      3 | # aishellc ignore=AIS101
        | ^^^^^^^^^^^^^^^^^^^^^^^^ warning
      help: remove the code from the comment (or the comment)

    Found 0 errors, 1 warning, 0 infos.

The carets cover the diagnostic's span; a span over several lines is marked on its first
line, up to the end of that line. Tabs are shown as four spaces, other characters a
terminal would act on as their escapes (:func:`aishellc.terminal.visible`: ``\x1b``,
``\u202e``), and wide characters count two columns, so the carets stay under the text
they mark. The path, message and help go through the same escaping. No colours.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import TextIO

from aishellc.ast import SourceMap
from aishellc.diagnostics import Diagnostic
from aishellc.report import FileResult, severity_counts, sorted_results
from aishellc.terminal import escape, visible

TAB = "    "


def write(stream: TextIO, results: Sequence[FileResult]) -> None:
    """Write every diagnostic of ``results`` and a summary line."""
    ordered = sorted_results(results)
    for result in ordered:
        source = SourceMap(result.text) if result.text else None
        for diagnostic in result.diagnostics:
            stream.write(render(result.path, diagnostic, source))
            stream.write("\n")
    stream.write(summary(ordered) + "\n")


def render(path: str, diagnostic: Diagnostic, source: SourceMap | None) -> str:
    """One diagnostic: the location line, the source snippet (if any) and the help line."""
    where = f"{visible(path)}:{diagnostic.line}:{diagnostic.column}"
    lines = [f"{where}: {diagnostic.code} {visible(diagnostic.message)}"]
    if source is not None and 1 <= diagnostic.line <= source.line_count:
        lines.extend(_snippet(diagnostic, source.line_text(diagnostic.line)))
    if diagnostic.help:
        lines.append(f"  help: {visible(diagnostic.help)}")
    return "".join(line + "\n" for line in lines)


def summary(results: Sequence[FileResult]) -> str:
    counts = severity_counts(results)
    if not any(counts.values()):
        return "All checks passed."
    parts = (
        _plural(counts["error"], "error"),
        _plural(counts["warning"], "warning"),
        _plural(counts["info"], "info"),
    )
    return f"Found {', '.join(parts)}."


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _snippet(diagnostic: Diagnostic, line_text: str) -> list[str]:
    number = str(diagnostic.line)
    gutter = " " * len(number)
    start = diagnostic.column - 1
    # a span over several lines is marked to the end of its first line
    last = diagnostic.end_column - 1 if diagnostic.end_line == diagnostic.line else len(line_text)
    end = min(last, len(line_text))
    pad = _display_width(line_text[:start]) + max(0, start - len(line_text))
    width = max(1, _display_width(line_text[start:end]))
    shown = _display(line_text)
    source_line = f"  {number} | {shown}" if shown.strip() else f"  {number} |"
    return [source_line, f"  {gutter} | {' ' * pad}{'^' * width} {diagnostic.severity}"]


def _display(text: str) -> str:
    """The line as printed: tabs expanded, other non-printable characters escaped."""
    return "".join(_display_char(char) for char in text)


def _display_char(char: str) -> str:
    if char == "\t":
        return TAB
    return char if char.isprintable() else escape(char)


def _display_width(text: str) -> int:
    """Columns the printed form of ``text`` takes (an escape is as wide as its text)."""
    width = 0
    for char in text:
        shown = _display_char(char)
        if shown != char:
            width += len(shown)
        elif unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me"):
            continue
        elif unicodedata.east_asian_width(char) in ("W", "F"):
            width += 2
        else:
            width += 1
    return width
