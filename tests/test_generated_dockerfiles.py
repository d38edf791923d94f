"""Every Dockerfile a golden compile emits is accepted by BuildKit's parser and by hadolint.

- BuildKit's parser (the ``dockerfile`` package, Go's ``parser.Parse``) must accept each one.
- hadolint must report no error-level finding. The tiers aishellc writes itself
  (foundation, runtime) may only carry the warnings listed, with reasons, in
  ``docs/generated-dockerfiles.md`` (:data:`KEPT`). The extension and the global tier
  (``base``) are the user's files, so their findings are the user's; they must not have any
  the user's input does not have.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import dockerfile
import pytest

from tests.compile_cases import GOLDEN, case_names

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "generated-dockerfiles.md"


def _hadolint() -> str | None:
    beside_python = Path(sys.executable).parent / "hadolint"
    return str(beside_python) if beside_python.exists() else shutil.which("hadolint")


HADOLINT = _hadolint()

# (tier file, hadolint code) -> why it is kept; mirrored in docs/generated-dockerfiles.md
KEPT = {
    ("foundation.Dockerfile", "DL3008"): "apt packages follow Debian's point releases",
    ("runtime.Dockerfile", "DL3059"): "legacy: one layer per harness",
    ("runtime.Dockerfile", "DL3066"): "inline: the extension's own USER, restored",
}

# The generated files that are the user's, and the input each comes from.
USERS_FILES = {"extension.Dockerfile": "Dockerfile", "base.Dockerfile": "global/Dockerfile"}

# The user's input itself fails hadolint's parser here (no support for `<<-` heredocs).
INPUT_FAILS_HADOLINT = {"heredoc-chomp"}

EMITTED = [
    (case, path.name)
    for case in case_names()
    for path in sorted((GOLDEN / case / "expected").glob("*.Dockerfile"))
]


def hadolint(path: Path) -> list[dict[str, Any]]:
    assert HADOLINT is not None
    result = subprocess.run(
        [HADOLINT, "--no-fail", "--format", "json", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    findings: list[dict[str, Any]] = json.loads(result.stdout or "[]")
    return findings


def test_every_case_emits_three_dockerfiles_and_the_global_tier_when_it_is_built():
    for case in case_names():
        names = sorted(p.name for p in (GOLDEN / case / "expected").glob("*.Dockerfile"))
        manifest = json.loads((GOLDEN / case / "expected" / "manifest.json").read_text())
        built = ["base.Dockerfile"] if "base" in manifest["build_order"] else []
        expected = ["extension.Dockerfile", "foundation.Dockerfile", "runtime.Dockerfile"]
        assert names == built + expected


@pytest.mark.parametrize(("case", "name"), EMITTED, ids=[f"{c}/{n}" for c, n in EMITTED])
def test_buildkit_parser_accepts(case: str, name: str) -> None:
    data = (GOLDEN / case / "expected" / name).read_bytes()
    instructions = dockerfile.parse_string(data.decode("utf-8"))
    assert any(i.cmd.upper() == "FROM" for i in instructions)


@pytest.mark.skipif(HADOLINT is None, reason="hadolint is not installed")
@pytest.mark.parametrize(("case", "name"), EMITTED, ids=[f"{c}/{n}" for c, n in EMITTED])
def test_hadolint_finds_no_error(case: str, name: str) -> None:
    path = GOLDEN / case / "expected" / name
    findings = hadolint(path)
    errors = [f for f in findings if f["level"] == "error"]
    if name in USERS_FILES:
        source = hadolint(GOLDEN / case / USERS_FILES[name])
        if case in INPUT_FAILS_HADOLINT:
            assert [f["code"] for f in source] == ["DL1000"]
            assert [f["code"] for f in findings] == ["DL1000"]
            return
        assert errors == []
        # whatever hadolint says about the extension, it already says about the input
        assert sorted(f["code"] for f in findings) == sorted(f["code"] for f in source)
        return
    assert errors == []
    unexpected = [f for f in findings if (name, f["code"]) not in KEPT]
    assert unexpected == []


def test_kept_warnings_are_documented():
    text = DOCS.read_text()
    for (name, code), _why in KEPT.items():
        assert code in text and name in text
