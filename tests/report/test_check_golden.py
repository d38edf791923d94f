"""Golden files for ``aishellc check`` text output: ``tests/golden/check/<case>/``.

Each case is a ``Dockerfile`` and the ``expected.txt`` that ``aishellc check Dockerfile``
prints (run from the case folder, so paths are relative). Regenerate with
``pytest --update-goldens`` and review the diff.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from aishellc.cli import run
from tests.conftest import GOLDEN_DIR, Golden

CASES_DIR = GOLDEN_DIR / "check"

# case -> exit code of `aishellc check Dockerfile`
EXIT_CODES = {
    "clean": 0,
    "unused-suppression": 0,
    "retired-suppression": 0,
    "user-rules": 1,
    "bom-crlf": 0,
    "unknown-instruction": 2,
    "unterminated-heredoc": 2,
    "invalid-utf8": 2,
    "no-instructions": 2,
    "context-problems": 1,
}


def test_every_case_has_an_exit_code() -> None:
    cases = {path.name for path in CASES_DIR.iterdir() if path.is_dir()}
    assert cases == set(EXIT_CODES)


@pytest.mark.parametrize("case", sorted(EXIT_CODES))
def test_check_text_output(case: str, golden: Golden, monkeypatch: pytest.MonkeyPatch) -> None:
    case_dir: Path = CASES_DIR / case
    monkeypatch.chdir(case_dir)
    out, err = io.StringIO(), io.StringIO()
    status = run(["check", "Dockerfile"], out, err)
    golden(case_dir / "expected.txt", out.getvalue())
    assert err.getvalue() == ""
    assert status == EXIT_CODES[case]
