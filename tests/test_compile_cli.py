"""The compile command line: default subcommand, summaries, usage errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.compile_cases import GOLDEN, make_project, run_cli_in, tree


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(GOLDEN / "simple", tmp_path / "project")


def test_compile_is_the_default_command(project: Path, tmp_path: Path) -> None:
    one = run_cli_in(project, ".aishell/Dockerfile", "-o", "a", "--harness", "claude@2.1.3")
    two = run_cli_in(
        project, "compile", ".aishell/Dockerfile", "-o", "b", "--harness", "claude@2.1.3"
    )
    assert one.code == two.code == 0
    a, b = tree(project / "a"), tree(project / "b")
    assert sorted(a) == sorted(b)
    assert a["foundation.Dockerfile"] == b["foundation.Dockerfile"]


def test_text_summary(project: Path) -> None:
    result = run_cli_in(project, ".aishell/Dockerfile", "-o", "build/", "--harness", "claude@2.1.3")
    manifest = json.loads((project / "build" / "manifest.json").read_text())
    tags = {name: tier["tag"] for name, tier in manifest["tiers"].items()}
    assert result.out.splitlines() == [
        "compiled .aishell/Dockerfile -> build/",
        f"  foundation  {tags['foundation']}",
        f"  extension   {tags['extension']}",
        f"  runtime     {tags['runtime']}",
        "build in order: aishellc plan build/manifest.json",
    ]
    assert result.err == ""  # nothing to report: the file ends as root, the harness is pinned


def test_json_summary(project: Path) -> None:
    result = run_cli_in(
        project, ".aishell/Dockerfile", "-o", "build", "--harness", "claude", "--format", "json"
    )
    assert result.code == 0 and result.err == ""
    summary = json.loads(result.out)
    manifest = json.loads((project / "build" / "manifest.json").read_text())
    assert summary["written"] is True
    assert summary["final"] == manifest["final"] == manifest["tiers"]["runtime"]["tag"]
    assert summary["build_order"] == ["foundation", "extension", "runtime"]
    assert summary["tiers"] == {
        name: {"tag": tier["tag"], "hash": tier["hash"]} for name, tier in manifest["tiers"].items()
    }
    assert [d["code"] for d in summary["diagnostics"]] == ["AIS301"]
    assert summary["diagnostics"] == manifest["diagnostics"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([".aishell/Dockerfile"], "the following arguments are required: -o/--output"),
        (
            [".aishell/Dockerfile", "-o", "b", "--harness-strategy", "fast"],
            "invalid choice: 'fast'",
        ),
        ([".aishell/Dockerfile", "-o", "b", "--format", "sarif"], "invalid choice: 'sarif'"),
        (["plan"], "the following arguments are required: NEW_MANIFEST"),
        # Regression (fuzzing): argparse turns a value of "--" into [], which crashed.
        ([".aishell/Dockerfile", "-o", "b", "--harness=--"], "argument --harness: '--' is not"),
        ([".aishell/Dockerfile", "-o", "b", "--context=--"], "argument --context: '--' is not"),
        ([".aishell/Dockerfile", "-o", "b", "--config=--"], "argument --config: '--' is not"),
        ([".aishell/Dockerfile", "--output=--"], "argument -o/--output: '--' is not"),
        (["plan", "m.json", "--previous=--"], "argument --previous: '--' is not"),
    ],
)
def test_usage_errors_exit_2(project: Path, args: list[str], message: str) -> None:
    result = run_cli_in(project, *args)
    assert result.code == 2
    assert message in result.err
    assert not (project / "b").exists()
