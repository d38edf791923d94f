"""``AISHELLC_FORBID_SKIPS=1`` turns a run that skipped a test into a failure (exit 1)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

SCRATCH = """
import pytest

def test_passes():
    pass

def test_maybe_skipped():
    if {skip}:
        pytest.skip("a tool is missing")
"""


@pytest.mark.parametrize(
    ("forbid", "skip", "exit_code"),
    [
        ("1", True, 1),
        ("1", False, 0),
        ("", True, 0),
        ("0", True, 0),
    ],
)
def test_skip_policy(tmp_path: Path, forbid: str, skip: bool, exit_code: int):
    test_file = tmp_path / "test_scratch.py"
    test_file.write_text(SCRATCH.format(skip=skip))
    env = {**os.environ, "AISHELLC_FORBID_SKIPS": forbid, "PYTHONPATH": str(REPO)}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "tests.skip_policy",
            "-q",
            "-p",
            "no:cacheprovider",
            str(test_file),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == exit_code, run.stdout + run.stderr
    assert ("a skip is a failure here" in run.stdout) == (forbid == "1" and skip)
