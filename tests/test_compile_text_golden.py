"""Golden files for what ``aishellc compile`` prints: ``tests/golden/compile-text/<case>/``.

Each case is a ``Dockerfile`` (and optional ``args``, one per line) laid out as a project
(:func:`tests.compile_cases.make_project`); ``expected.txt`` holds the exit code, stdout and
stderr of ``aishellc .aishell/Dockerfile -o build [args]``. Diagnostics are rendered as
``check`` renders them: location, source line with carets, severity, help, summary.
Regenerate with ``pytest --update-goldens`` and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.compile_cases import compile_case
from tests.conftest import GOLDEN_DIR, Golden

CASES_DIR = GOLDEN_DIR / "compile-text"
CASES = sorted(path.name for path in CASES_DIR.iterdir() if path.is_dir())


@pytest.mark.parametrize("case", CASES)
def test_compile_text_output(case: str, tmp_path: Path, golden: Golden) -> None:
    result = compile_case(CASES_DIR / case, tmp_path / "project")
    printed = f"exit {result.code}\n--- stdout\n{result.out}--- stderr\n{result.err}"
    golden(CASES_DIR / case / "expected.txt", printed)
    assert (result.code == 0) == (tmp_path / "project" / "build").is_dir()
