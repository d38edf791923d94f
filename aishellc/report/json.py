"""``--format json``: one array of every diagnostic, for scripts and editors.

Each diagnostic is an object with ``path`` (as given on the command line), ``line``,
``column``, ``end_line``, ``end_column`` (1-based; the end is exclusive: the position just
after the last marked character), ``severity`` (``error``, ``warning`` or ``info``),
``code``, ``name`` (the rule's name, which ``aishellc rule NAME`` explains), ``message``
and ``help``. Sorted by path, line, column and code; keys sorted; one trailing newline.
(No URL: the rule docs are not published anywhere a link could point to; a path into a
source checkout means nothing to an installed copy.)
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TextIO

from aishellc.diagnostics import Diagnostic
from aishellc.report import FileResult, sorted_results
from aishellc.rules import rule_for
from aishellc.terminal import needs_ascii_json


def write(stream: TextIO, results: Sequence[FileResult]) -> None:
    records = [
        record(result.path, diagnostic)
        for result in sorted_results(results)
        for diagnostic in result.diagnostics
    ]
    stream.write(
        json.dumps(records, ensure_ascii=needs_ascii_json(stream), indent=2, sort_keys=True) + "\n"
    )


def record(path: str, diagnostic: Diagnostic) -> dict[str, object]:
    rule = rule_for(diagnostic.code)
    return {
        "path": path,
        "line": diagnostic.line,
        "column": diagnostic.column,
        "end_line": diagnostic.end_line,
        "end_column": diagnostic.end_column,
        "severity": diagnostic.severity,
        "code": diagnostic.code,
        "name": rule.name if rule is not None else None,
        "message": diagnostic.message,
        "help": diagnostic.help or None,
    }
