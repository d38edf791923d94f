"""The semantic hash's blank rule, checked against bash and /bin/sh.

Two RUN instructions with the same semantic form get the same extension tag, so they must
run the same. Each example draws a pair (:mod:`tests.property.shell_pairs`): one template
of shell fragments, filled twice with different blanks and line continuations. When
aishellc gives both the same semantic form and the scripts differ, both run under bash and
under /bin/sh (what BuildKit runs: dash on Debian) in the same scratch folder with a fixed
environment, and must exit alike, print the same stdout and stderr, and leave the same
files with the same bytes.

Each example is a template and three variants of it. The CI profile draws 60 examples
(180 pairs); ``AISHELLC_HYPOTHESIS_PROFILE=slow`` draws 5,000 (15,000 pairs; counts in
docs/fuzzing.md). ``AISHELLC_SHELL_STATS=FILE`` writes the counts of the hypothesis test
to FILE as JSON. The seeded tests below show the generator is worth running: a fixed
set of pairs has enough equal-form pairs whose scripts differ, and bash tells a normaliser
that collapses every blank (the bug this test exists for) from the real one.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import Phase, event, given, settings
from hypothesis import strategies as st

from aishellc.compiler import hashing
from aishellc.errors import UserError
from tests.property.shell_pairs import SHELLS, Pair, read, run_pair

T = TypeVar("T")
VARIANTS = 3  # variants of each drawn template
SEEDED_PAIRS = 150


# Counts of the hypothesis test, written as JSON to $AISHELLC_SHELL_STATS when set (after
# every example, so a run cut short still leaves its counts).
TALLY: Counter[str] = Counter()
RUN_PAIRS: set[tuple[str, str]] = set()


def write_counts() -> None:
    path = os.environ.get("AISHELLC_SHELL_STATS")
    if path:
        counts = {
            **dict(sorted(TALLY.items())),
            "distinct pairs run": len(RUN_PAIRS),
            "shell runs": 2 * len(SHELLS) * TALLY["equal forms, different scripts (run)"],
        }
        Path(path).write_text(json.dumps(counts, indent=1) + "\n")


def check_pair(pair: Pair, tally: Counter[str]) -> tuple[str, str] | None:
    """The property, for one pair; ``tally`` counts what kind of pair it was. Returns the
    two scripts when they ran."""
    try:
        first, second = read(pair.first), read(pair.second)
    except UserError:
        # BuildKit reads no heredoc on a line whose words it cannot expand (its lexer
        # knows no ${a[@]}), so the body lines are taken for instructions
        tally["not a Dockerfile"] += 1
        return None
    if first.form != second.form:
        tally["different forms"] += 1
        return None
    if first.script == second.script:
        tally["equal forms, same script"] += 1
        return None
    tally["equal forms, different scripts (run)"] += 1
    for shell in SHELLS:
        one, other = run_pair(shell, first.script, second.script)
        assert one == other, (shell, first.script, second.script)
    return first.script, second.script


# No explain phase: it reruns a failing example hundreds of times to annotate it.
@settings(phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink])
@given(st.data())
def test_scripts_with_equal_semantic_forms_run_the_same(data: st.DataObject) -> None:
    def choose(options: Sequence[T], /) -> T:
        return data.draw(st.sampled_from(options))

    started = time.monotonic()
    tally: Counter[str] = Counter()
    for pair in Pair.draw(choose, VARIANTS):
        scripts = check_pair(pair, tally)
        if scripts is not None:
            RUN_PAIRS.add(scripts)
    for kind in tally:
        event(kind)
    TALLY.update(tally)
    TALLY["examples"] += 1
    TALLY["milliseconds"] += round(1000 * (time.monotonic() - started))
    write_counts()


def seeded_pairs() -> list[Pair]:
    rng = random.Random(20261206)
    return [
        pair for _ in range(SEEDED_PAIRS // VARIANTS) for pair in Pair.draw(rng.choice, VARIANTS)
    ]


def test_the_seeded_pairs_run_the_same_and_most_are_worth_running() -> None:
    tally: Counter[str] = Counter()
    for pair in seeded_pairs():
        check_pair(pair, tally)
    # a third of the pairs reach bash with scripts that differ in their bytes
    assert tally["equal forms, different scripts (run)"] >= SEEDED_PAIRS // 3, tally


def test_bash_tells_a_normaliser_that_collapses_every_blank(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The bug this test exists for, at its worst: the seeded pairs must catch it.
    monkeypatch.setattr(hashing, "normalize_shell", lambda text: " ".join(text.split()))
    caught = 0
    for pair in seeded_pairs():
        try:
            check_pair(pair, Counter())
        except AssertionError:
            caught += 1
    assert caught >= 5
