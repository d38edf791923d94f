"""``aishellc check`` and ``aishellc rule``: exit codes, streams, formats."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from aishellc import ast
from aishellc.ast import SourceMap
from aishellc.cli import run
from aishellc.diagnostics import Diagnostic, Rule
from aishellc.errors import UserError
from aishellc.parser.decode import decode
from aishellc.passes import PassContext
from aishellc.rules import all_rules
from tests.corpus import corpus_files, needs_corpus

ROOT = Path(__file__).resolve().parents[2]

GOOD = "FROM aishell:base\nRUN apt-get update\n"
WARNING = "FROM aishell:base\n# aishellc ignore=AIS001\nRUN true\n"
UNPARSEABLE = "FROM aishell:base\nINSTAL curl\n"
QUIET_CONFIG = 'ignore = ["AIS301"]\n'


def check(argv: Sequence[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = run(["check", *argv], out, err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    contents = {"good": GOOD, "warning": WARNING, "unparseable": UNPARSEABLE}
    paths = {}
    for name, text in contents.items():
        path = tmp_path / name / "Dockerfile"
        path.parent.mkdir()
        path.write_text(text)
        # these tests are about streams and formats: the runtime-tier infos every file
        # without a pinned harness and a USER gets are silenced (they have their own tests)
        (path.parent / "aishellc.toml").write_text(QUIET_CONFIG)
        paths[name] = str(path)
    paths["missing"] = str(tmp_path / "missing" / "Dockerfile")
    paths["directory"] = str(tmp_path)
    return paths


# (files checked, exit code, codes reported)
EXIT_CODES = [
    (["good"], 0, []),
    (["warning"], 0, ["AIS002"]),
    (["good", "warning"], 0, ["AIS002"]),
    (["unparseable"], 2, ["AIS001"]),
    (["missing"], 2, ["AIS001"]),
    (["directory"], 2, ["AIS001"]),
    (["good", "unparseable", "warning"], 2, ["AIS002", "AIS001"]),
]


@pytest.mark.parametrize("format", ["text", "json", "sarif"])
@pytest.mark.parametrize(("names", "status", "codes"), EXIT_CODES)
def test_exit_codes(
    files: dict[str, str], names: list[str], status: int, codes: list[str], format: str
) -> None:
    got, out, _ = check(["--format", format, *(files[name] for name in names)])
    assert got == status
    if format == "json":
        assert sorted(record["code"] for record in json.loads(out)) == sorted(codes)
    elif format == "sarif":
        results = json.loads(out)["runs"][0]["results"]
        assert sorted(result["ruleId"] for result in results) == sorted(codes)
    else:
        assert sorted(line.split()[1] for line in out.splitlines() if ": AIS" in line) == sorted(
            codes
        )


def test_error_diagnostics_exit_1(files: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """An error-level diagnostic from a pass (not a parse error) exits 1; warnings exit 0."""
    rule = Rule("AIS999", "test-rule", "error", "A test rule", "## What it does\nTests.\n")

    def fake_run_passes(
        document: ast.Document, context: PassContext, *, suppress: bool = True
    ) -> tuple[ast.Document, list[Diagnostic]]:
        span = document.instructions[0].span
        return document, [Diagnostic.at(rule, span, "bad base", "use aishell:base")]

    monkeypatch.setattr("aishellc.passes.run_passes", fake_run_passes)
    status, out, err = check([files["good"]])
    assert status == 1
    assert ": AIS999 bad base" in out
    assert "    | ^^^^^^^^^^^^^^^^^ error" in out
    assert out.endswith("Found 1 error, 0 warnings, 0 infos.\n")
    assert err == ""


@pytest.mark.parametrize("format", ["json", "sarif"])
def test_machine_formats_print_only_the_document(files: dict[str, str], format: str) -> None:
    status, out, err = check(["--format", format, files["good"], files["missing"]])
    assert status == 2
    json.loads(out)  # stdout is one JSON document and nothing else
    # the unreadable file is also named on stderr, as `path:line:col: message`
    assert err == f"{files['missing']}:1:1: no such file\n  help: check the path\n"


def test_text_format_reports_unreadable_files_once(files: dict[str, str]) -> None:
    status, out, err = check([files["missing"]])
    assert status == 2
    assert out.startswith(f"{files['missing']}:1:1: AIS001 no such file\n")
    assert err == ""


SPELLINGS = [
    # (the same file spelled several ways, relative to the folder holding warning/)
    ["warning/Dockerfile", "warning/Dockerfile"],
    ["warning/Dockerfile", "./warning/Dockerfile", "{abs}/warning/Dockerfile"],
    ["warning/../warning/Dockerfile", "warning//Dockerfile"],
    ["link/Dockerfile", "warning/Dockerfile"],  # link -> warning
]


@pytest.mark.parametrize("spellings", SPELLINGS)
def test_each_file_is_checked_once(
    files: dict[str, str], monkeypatch: pytest.MonkeyPatch, spellings: list[str]
) -> None:
    root = Path(files["warning"]).parent.parent
    (root / "link").symlink_to("warning")
    monkeypatch.chdir(root)
    paths = [spelling.format(abs=root) for spelling in spellings]
    _, out, _ = check(["--format", "json", *paths])
    assert [d["path"] for d in json.loads(out)] == [paths[0]]  # the first spelling
    status, out, _ = check(paths)
    assert (status, out.count("AIS002")) == (0, 1)
    out_stream, err_stream = io.StringIO(), io.StringIO()
    assert run(["parse", *paths], out_stream, err_stream) == 0
    assert [json.loads(line)["path"] for line in out_stream.getvalue().splitlines()] == [paths[0]]


def test_paths_are_reported_as_given(
    files: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(Path(files["warning"]).parent.parent)
    _, out, _ = check(["--format", "json", "warning/Dockerfile"])
    assert json.loads(out)[0]["path"] == "warning/Dockerfile"


@pytest.mark.parametrize(
    "argv",
    [
        [],  # no files
        ["--format", "xml", "Dockerfile"],
        ["--bogus", "Dockerfile"],
    ],
)
def test_usage_errors_exit_2(argv: list[str]) -> None:
    status, out, err = check(argv)
    assert status == 2
    assert out == ""
    assert err.startswith("aishellc")
    assert "help: run `aishellc" in err


def test_subprocess_no_traceback(tmp_path: Path) -> None:
    """End to end through ``python -m aishellc``: bad bytes give exit 2, no traceback."""
    bad = tmp_path / "Dockerfile"
    bad.write_bytes(b"FROM aishell:base\nRUN echo \xff\n")
    proc = subprocess.run(
        [sys.executable, "-m", "aishellc", "check", "--format", "json", str(bad)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"{bad}:2:10: invalid UTF-8 byte 0xff\n")
    (record,) = json.loads(proc.stdout)
    assert (record["code"], record["line"], record["column"]) == ("AIS001", 2, 10)


# --- aishellc rule ---------------------------------------------------------------------


def rule_command(argv: Sequence[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = run(["rule", *argv], out, err)
    return status, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("rule", all_rules(), ids=lambda rule: rule.code)
def test_rule_prints_the_doc(rule: Rule) -> None:
    for code in (rule.code, rule.code.lower(), rule.name, rule.name.upper()):
        status, out, err = rule_command([code])
        assert status == 0
        assert err == ""
        lines = out.splitlines()
        assert lines[0] == f"# {rule.name} ({rule.code})"
        assert f"Default severity: {rule.severity}." in lines
        assert rule.doc.strip() in out


def test_unknown_rule_lists_the_known_codes() -> None:
    status, out, err = rule_command(["AIS9999"])
    assert status == 2
    assert out == ""
    assert "unknown rule code or name `AIS9999`" in err
    assert ", ".join(rule.code for rule in all_rules()) in err


@pytest.mark.parametrize("given", ["runtime-runs-as", "runtime_runs_as_root", "AIS30", "a\nb"])
def test_unknown_rule_name_is_a_usage_error(given: str) -> None:
    status, out, err = rule_command([given])
    assert status == 2
    assert out == ""
    shown = given.replace("\n", "\\n")  # control characters are shown escaped
    assert f"unknown rule code or name `{shown}`" in err


@pytest.mark.parametrize("given", ["AIS302", "ais302", "runtime-runs-as-root"])
def test_a_retired_rule_says_why_it_went(given: str) -> None:
    status, out, err = rule_command([given])
    assert (status, err) == (0, "")
    assert out.startswith("# runtime-runs-as-root (AIS302)\n\nRetired.")
    assert "AIS204" in out and "AIS205" in out


def test_rule_without_a_code_is_a_usage_error() -> None:
    status, _, err = rule_command([])
    assert status == 2
    assert "--all" in err


def test_rule_all_lists_every_rule() -> None:
    status, out, _ = rule_command(["--all"])
    assert status == 0
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == [rule.code for rule in all_rules()]
    for line, rule in zip(lines, all_rules(), strict=True):
        assert line.split()[1:3] == [rule.name, rule.severity]
        assert line.endswith(rule.summary)


@needs_corpus
def test_corpus_diagnostics_lie_inside_their_files() -> None:
    """Every diagnostic on every corpus file points into the file (hadolint's invariant,
    with columns): a line that exists, columns within it (the end may be one past it)."""
    files = [str(path) for path in corpus_files()]
    out, err = io.StringIO(), io.StringIO()
    status = run(["check", "--format", "json", *files], out, err)
    assert status in (0, 1, 2)
    for record in json.loads(out.getvalue()):
        data = Path(record["path"]).read_bytes()
        try:
            text = decode(data, record["path"]).text
        except UserError:
            assert record["code"] == "AIS001"
            continue
        source = SourceMap(text)
        where = f"{record['path']}:{record['line']}:{record['column']} {record['code']}"
        assert 1 <= record["line"] <= record["end_line"] <= source.line_count, where
        assert 1 <= record["column"] <= len(source.line_text(record["line"])) + 1, where
        end_text = source.line_text(record["end_line"])
        assert 1 <= record["end_column"] <= len(end_text) + 1, where
        if record["line"] == record["end_line"]:
            assert record["column"] <= record["end_column"], where
