"""``ignore = [...]`` in ``aishellc.toml``: the project silences rules, in ``check`` and
``compile`` alike (ruff's ``lint.ignore``); an unknown code is a located config error."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.compile_cases import OFFLINE_CONFIG, run_cli_in

# Reports AIS202 (ONBUILD), AIS203 (ENTRYPOINT), AIS204 (final USER) and AIS301
# (unpinned harness), in check and compile alike.
DOCKERFILE = 'FROM aishell:base\nONBUILD RUN make\nENTRYPOINT ["/bin/sh"]\nUSER developer\n'
ALL_CODES = {"AIS202", "AIS203", "AIS204", "AIS301"}


def _project(root: Path, ignore: str | None) -> Path:
    (root / ".aishell").mkdir(parents=True)
    (root / ".aishell" / "Dockerfile").write_text(DOCKERFILE)
    header = f"ignore = {ignore}\n" if ignore is not None else ""
    (root / ".aishell" / "aishellc.toml").write_text(header + OFFLINE_CONFIG)
    return root


def _check_codes(root: Path) -> set[str]:
    run = run_cli_in(root, "check", "--format", "json", ".aishell/Dockerfile")
    assert run.code in (0, 1), run.err
    return {record["code"] for record in json.loads(run.out)}


def _compile_codes(root: Path) -> set[str]:
    run = run_cli_in(root, ".aishell/Dockerfile", "-o", "build")
    assert run.code in (0, 1), run.err
    manifest = json.loads((root / "build" / "manifest.json").read_text())
    printed = set(re.findall(r"^\.aishell/Dockerfile:\d+:\d+: (AIS\d{3}) ", run.err, re.M))
    recorded = {record["code"] for record in manifest["diagnostics"]}
    assert printed == recorded
    return recorded


@pytest.mark.parametrize(
    ("ignore", "dropped"),
    [
        (None, set()),
        ("[]", set()),
        ('["AIS202"]', {"AIS202"}),
        ('["entrypoint-override"]', {"AIS203"}),  # a rule's name works too
        ('["final-user-not-root", "AIS301"]', {"AIS204", "AIS301"}),
        # AIS302 is retired: still accepted, it silences nothing
        ('["ais302", "AIS202"]', {"AIS202"}),
        ('["runtime-runs-as-root"]', set()),
        ('["AIS202", "AIS202"]', {"AIS202"}),
    ],
)
def test_check_and_compile_drop_the_same_codes(
    tmp_path: Path, ignore: str | None, dropped: set[str]
) -> None:
    root = _project(tmp_path, ignore)
    assert _compile_codes(root) == ALL_CODES - dropped
    assert _check_codes(root) == ALL_CODES - dropped


@pytest.mark.parametrize(
    ("ignore", "message"),
    [
        ('["AIS999"]', "1:11: ignore: unknown rule code or name 'AIS999'"),
        ('["AIS202", "no-such-rule"]', "1:21: ignore: unknown rule code or name 'no-such-rule'"),
        ('["AIS001"]', "1:11: ignore: AIS001 cannot be ignored"),
        ('"AIS202"', "1:1: ignore must be an array of rule codes"),
        ("[202]", "1:11: ignore: each item must be a rule code"),
    ],
)
def test_a_bad_ignore_list_is_a_located_error(tmp_path: Path, ignore: str, message: str) -> None:
    root = _project(tmp_path, ignore)
    for args in (["check", ".aishell/Dockerfile"], [".aishell/Dockerfile", "-o", "build"]):
        run = run_cli_in(root, *args)
        assert run.code == 2, run.out + run.err
        assert run.err.startswith(f".aishell/aishellc.toml:{message}"), run.err
        assert "Traceback" not in run.err
    assert not (root / "build").exists()


def test_ignoring_rules_changes_no_tag(tmp_path: Path) -> None:
    tags: list[dict[str, str]] = []
    for ignore in (None, '["AIS202", "AIS204"]'):
        root = _project(tmp_path / str(len(tags)), ignore)
        assert run_cli_in(root, ".aishell/Dockerfile", "-o", "build").code == 0
        manifest = json.loads((root / "build" / "manifest.json").read_text())
        tags.append({name: tier["tag"] for name, tier in manifest["tiers"].items()})
    assert tags[0] == tags[1]
