"""Diagnostic output formats: one module per format, each with ``write(stream, results)``.

``results`` is one :class:`FileResult` per checked file: the path as the user gave it, the
file's decoded text (None when it could not be read or decoded) and its diagnostics. Every
format is deterministic: files and diagnostics come out sorted by path, line, column and
code, whatever order they went in.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Sequence
from typing import Literal, Protocol, TextIO

import attrs

from aishellc.diagnostics import SEVERITIES, Diagnostic, Severity

Format = Literal["text", "json", "sarif"]
FORMATS: tuple[Format, ...] = ("text", "json", "sarif")


def _diagnostics(diagnostics: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
    return tuple(diagnostics)


@attrs.frozen
class FileResult:
    """What checking one file found."""

    path: str
    text: str | None
    diagnostics: tuple[Diagnostic, ...] = attrs.field(converter=_diagnostics)


class Writer(Protocol):
    def __call__(self, stream: TextIO, results: Sequence[FileResult]) -> None: ...


def sorted_results(results: Iterable[FileResult]) -> list[FileResult]:
    """Files by path, each with its diagnostics by line, column and code."""
    return [
        attrs.evolve(result, diagnostics=sorted(result.diagnostics, key=diagnostic_order))
        for result in sorted(results, key=lambda result: result.path)
    ]


def diagnostic_order(diagnostic: Diagnostic) -> tuple[int, int, str, int, int, str]:
    return (
        diagnostic.line,
        diagnostic.column,
        diagnostic.code,
        diagnostic.end_line,
        diagnostic.end_column,
        diagnostic.message,
    )


def severity_counts(results: Iterable[FileResult]) -> dict[Severity, int]:
    """How many diagnostics of each severity, every severity present (possibly 0)."""
    counts: dict[Severity, int] = dict.fromkeys(SEVERITIES, 0)
    for result in results:
        for diagnostic in result.diagnostics:
            counts[diagnostic.severity] += 1
    return counts


def writer(format: Format) -> Writer:
    """The ``write`` function of a format (its module is imported only when asked for)."""
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}")
    module = importlib.import_module(f"aishellc.report.{format}")
    write: Writer = module.write
    return write


def write(format: Format, stream: TextIO, results: Sequence[FileResult]) -> None:
    writer(format)(stream, results)
