"""``# aishellc ignore=CODE``: what it suppresses, and that the cost stays linear."""

from __future__ import annotations

import time

import pytest

from aishellc import ast
from aishellc.diagnostics import Diagnostic
from aishellc.parser import parse
from aishellc.passes.find_harness_runs import HARNESS_RUN_AT_BUILD_TIME
from aishellc.passes.suppressions import apply_suppressions
from tests.passes.helpers import findings

F = "FROM aishell:base\n"
CODES = ("AIS002", "AIS101")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (F + "# aishellc ignore=AIS101\nRUN claude\n", []),
        (F + "# aishellc ignore=AIS101\n# aishellc ignore=AIS002\nRUN claude\n", [("AIS002", 3)]),
        (F + "# aishellc ignore=AIS101\n# aishellc ignore=AIS101\nRUN claude\n", [("AIS002", 3)]),
        (F + "# aishellc ignore=AIS101\n# note\nRUN claude\n", [("AIS002", 2), ("AIS101", 4)]),
        (F + "# aishellc ignore=AIS101\n\nRUN claude\n", [("AIS002", 2), ("AIS101", 4)]),
        (F + "# aishellc ignore=AIS101\nRUN true \\\n && claude\n", []),
        (F + "RUN claude\n# aishellc ignore=AIS101\n", [("AIS101", 2), ("AIS002", 3)]),
        (F + "# aishellc ignore=AIS101\nRUN claude\nRUN claude\n", [("AIS101", 4)]),
    ],
)
def test_what_a_suppression_applies_to(text: str, expected: list[tuple[str, int]]) -> None:
    assert findings(text, CODES) == expected


def _suppressed_file(count: int) -> tuple[ast.Document, list[Diagnostic]]:
    text = F + "# aishellc ignore=AIS101\nRUN claude\n" * count
    document = parse(text)
    runs = document.instructions[1:]
    found = [
        Diagnostic.at(HARNESS_RUN_AT_BUILD_TIME, node.span, "claude runs", "move it")
        for node in runs
    ]
    return document, found


def _seconds(count: int) -> float:
    document, found = _suppressed_file(count)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        kept = apply_suppressions(document, found)
        best = min(best, time.perf_counter() - start)
    assert kept == []
    return best


def test_the_cost_is_linear_in_the_number_of_suppressions() -> None:
    # Regression (scaling benchmark): each suppression scanned every diagnostic, and
    # looked for its instruction by copying the rest of the file's items: quadratic. With
    # 1,473 suppressed instructions (100 KB) that was most of the time `check` took.
    small, large = _seconds(1_000), _seconds(8_000)
    assert large < 24 * small, (small, large)
