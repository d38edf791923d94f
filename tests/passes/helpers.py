"""Running the passes over Dockerfile text in tests."""

from __future__ import annotations

from collections.abc import Iterable

from aishellc.diagnostics import Diagnostic
from aishellc.parser import parse
from aishellc.passes import PassContext, run_passes


def diagnostics(text: str, context: PassContext | None = None) -> list[Diagnostic]:
    """Every diagnostic of every pass (after suppressions), in source order."""
    return run_passes(parse(text), context)[1]


def findings(
    text: str, codes: Iterable[str], context: PassContext | None = None
) -> list[tuple[str, int]]:
    """``(code, line)`` of the diagnostics with one of ``codes``."""
    wanted = set(codes)
    return [(d.code, d.line) for d in diagnostics(text, context) if d.code in wanted]


def positions(
    text: str, code: str, context: PassContext | None = None
) -> list[tuple[int, int, int, int]]:
    """``(line, column, end_line, end_column)`` of the diagnostics with ``code``."""
    return [
        (d.line, d.column, d.end_line, d.end_column)
        for d in diagnostics(text, context)
        if d.code == code
    ]
