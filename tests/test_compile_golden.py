"""Compile goldens: every output file of every case, byte for byte.

Regenerate with ``pytest tests/test_compile_golden.py --update-goldens`` and review the
diff. See :mod:`tests.compile_cases` for the case layout.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.compile_cases import (
    DOCKERFILE,
    GOLDEN,
    OUTDIR,
    case_args,
    case_names,
    compile_case,
    run_case_cli,
    tree,
)

CASES = case_names()
REPO = Path(__file__).resolve().parents[1]


def test_the_cases_cover_the_acceptance_list():
    assert {
        "simple",
        "multi-stage",
        "from-foundation",
        "global-args",
        "directives",
        "heredocs",
        "crlf",
        "user-at-end",
        "harness-pins",
        "legacy",
        "real-world",
        "bookworm-pin",
        # the global tier (issue 13): a project on it, on the foundation, with nothing of its
        # own; a global file that COPYs from ~/.aishell; --no-global; legacy with one
        "global-base",
        "global-foundation",
        "global-no-customisation",
        "global-copy",
        "no-global",
        "legacy-global",
    } <= set(CASES)


@pytest.mark.parametrize("name", CASES)
def test_golden(name: str, tmp_path: Path, update_goldens: bool) -> None:
    case = GOLDEN / name
    result = compile_case(case, tmp_path / "project")
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    actual = tree(result.outdir)
    expected_dir = case / "expected"
    if update_goldens:
        shutil.rmtree(expected_dir, ignore_errors=True)
        for relative, data in actual.items():
            target = expected_dir / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        return
    if not expected_dir.is_dir():
        pytest.fail(f"{expected_dir} is missing; create it with `pytest --update-goldens`")
    expected = tree(expected_dir)
    assert sorted(actual) == sorted(expected), "the output folder holds other files"
    for relative in expected:
        assert actual[relative] == expected[relative], (
            f"{name}/expected/{relative} differs; if intended, run `pytest --update-goldens` "
            "and review the diff"
        )


@pytest.mark.parametrize("name", CASES)
def test_compiling_twice_gives_the_same_bytes(name: str, tmp_path: Path) -> None:
    first = compile_case(GOLDEN / name, tmp_path / "one")
    first_files = tree(first.outdir)
    # over its own output, in the same project
    again = run_case_cli(
        GOLDEN / name, first.project, DOCKERFILE, "-o", OUTDIR, *case_args(GOLDEN / name)
    )
    other = compile_case(GOLDEN / name, tmp_path / "elsewhere" / "two")
    assert first.code == again.code == other.code == 0
    assert first_files == tree(again.outdir) == tree(other.outdir)


def test_the_test_foundation_downloads_nothing():
    from aishellc.config.model import Config
    from aishellc.emit.foundation import render_foundation

    config = Config.load(GOLDEN / "aishellc.toml")
    foundation = config.foundation
    assert foundation.base_image == "debian:trixie-slim"
    assert foundation.active_tools == ()
    assert foundation.sqlite is None
    assert "gosu" in foundation.apt_packages
    text = render_foundation(config).dockerfile
    assert "github" not in text.lower() and "curl -" not in text and "https://" not in text
    for case in CASES:
        if (GOLDEN / case / "aishellc.toml").is_file():
            continue
        expected = (GOLDEN / case / "expected" / "foundation.Dockerfile").read_text()
        assert "github" not in expected.lower(), case


def test_the_bookworm_pin_case_is_the_one_docs_usage_gives():
    from aishellc.config.model import Config

    lines = (GOLDEN / "bookworm-pin" / "aishellc.toml").read_text()
    assert f"```toml\n{lines}```" in (REPO / "docs" / "usage.md").read_text()
    foundation = Config.from_toml(lines).foundation
    assert (foundation.base_image, foundation.node_image) == (
        "debian:bookworm-slim",
        "node:24-bookworm-slim",
    )
    assert foundation.glibc_floor is None
    assert foundation.sqlite is not None
