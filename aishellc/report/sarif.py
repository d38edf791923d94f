"""``--format sarif``: a SARIF 2.1.0 log with one run (for code-scanning dashboards).

The run's ``tool.driver`` lists every registered rule (by code, so ``ruleIndex`` is stable
for a given aishellc version) with its summary, the plain text of its "What it does"
section, its markdown doc as ``help`` and its default level. Each diagnostic becomes a
result located by the path as given (a relative URI reference, or a ``file:`` URI for an
absolute path) and a region with 1-based lines and columns counted in Unicode code points;
SARIF's ``endColumn`` is exclusive, as aishellc's ``end_column`` is. Output is sorted and
has no timestamps or machine-specific fields, so it is byte-for-byte reproducible.
"""

from __future__ import annotations

import json
import os
import urllib.parse
from collections.abc import Sequence
from pathlib import PurePath
from typing import TextIO

from aishellc import __version__
from aishellc.diagnostics import Diagnostic, Rule, Severity
from aishellc.report import FileResult, sorted_results
from aishellc.report.rule_docs import plain_description
from aishellc.rules import all_rules
from aishellc.terminal import needs_ascii_json

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
VERSION = "2.1.0"
LEVELS: dict[Severity, str] = {"error": "error", "warning": "warning", "info": "note"}


def write(stream: TextIO, results: Sequence[FileResult]) -> None:
    stream.write(
        json.dumps(
            sarif_log(results), ensure_ascii=needs_ascii_json(stream), indent=2, sort_keys=True
        )
    )
    stream.write("\n")


def sarif_log(results: Sequence[FileResult]) -> dict[str, object]:
    rules = all_rules()
    index = {rule.code: position for position, rule in enumerate(rules)}
    sarif_results = [
        _result(result.path, diagnostic, index)
        for result in sorted_results(results)
        for diagnostic in result.diagnostics
    ]
    driver = {
        "name": "aishellc",
        "version": __version__,
        "semanticVersion": __version__,
        "rules": [_descriptor(rule) for rule in rules],
    }
    run = {
        "tool": {"driver": driver},
        "columnKind": "unicodeCodePoints",
        "results": sarif_results,
    }
    return {"$schema": SCHEMA, "version": VERSION, "runs": [run]}


def artifact_uri(path: str) -> str:
    """A URI for a path as the user gave it: relative stays relative, absolute is ``file:``."""
    pure = PurePath(path)
    if pure.is_absolute():
        return pure.as_uri()
    return urllib.parse.quote(path.replace(os.sep, "/"), safe="/")


def _descriptor(rule: Rule) -> dict[str, object]:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": plain_description(rule)},
        "help": {"text": rule.doc, "markdown": rule.doc},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
    }


def _result(path: str, diagnostic: Diagnostic, index: dict[str, int]) -> dict[str, object]:
    result: dict[str, object] = {
        "ruleId": diagnostic.code,
        "level": LEVELS[diagnostic.severity],
        "message": {"text": diagnostic.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": artifact_uri(path)},
                    "region": {
                        "startLine": diagnostic.line,
                        "startColumn": diagnostic.column,
                        "endLine": diagnostic.end_line,
                        "endColumn": diagnostic.end_column,
                    },
                }
            }
        ],
    }
    if diagnostic.code in index:
        result["ruleIndex"] = index[diagnostic.code]
    if diagnostic.help:
        result["properties"] = {"help": diagnostic.help}
    return result
