"""``--format sarif``: valid against the official SARIF 2.1.0 schema, exact, deterministic.

The schema is ``tests/data/sarif-schema-2.1.0.json``, vendored byte for byte from the
OASIS SARIF TC's repository (see ``tests/data/README.md``).
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from aishellc.cli import run
from aishellc.diagnostics import Diagnostic, Severity
from aishellc.report import FileResult
from aishellc.report.sarif import artifact_uri, write
from aishellc.rules import all_rules
from tests.corpus import corpus_files, needs_corpus

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "data" / "sarif-schema-2.1.0.json"
# as published; tests/data/README.md says where from
SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"


@functools.cache
def validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def validate(log: Any) -> None:
    errors = sorted(validator().iter_errors(log), key=lambda error: list(error.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def render(results: list[FileResult]) -> str:
    out = io.StringIO()
    write(out, results)
    return out.getvalue()


def diag(
    code: str = "AIS002", severity: Severity = "warning", line: int = 2, help: str = "fix"
) -> Diagnostic:
    return Diagnostic(
        code, severity, "message", help, line=line, column=3, end_line=line + 1, end_column=7
    )


def test_vendored_schema_is_sarif_2_1_0() -> None:
    assert hashlib.sha256(SCHEMA_PATH.read_bytes()).hexdigest() == SCHEMA_SHA256
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")
    assert schema["properties"]["version"]["enum"] == ["2.1.0"]


def test_the_schema_rejects_what_it_should() -> None:
    """The validator is live: a broken log fails it."""
    log = json.loads(render([FileResult("Dockerfile", None, [diag()])]))
    validate(log)
    log["runs"][0]["results"][0]["level"] = "info"  # SARIF says "note"
    with pytest.raises(AssertionError):
        validate(log)
    del log["version"]
    with pytest.raises(AssertionError):
        validate(log)


@pytest.mark.parametrize(
    "results",
    [
        [],
        [FileResult("Dockerfile", "FROM a\n", [])],
        [FileResult(".aishell/Dockerfile", None, [diag(), diag("AIS001", "error", help="")])],
        [FileResult("/abs/path with space/Dockerfile", None, [diag(severity="info")])],
        [FileResult("x", None, [diag("NOT-A-RULE")])],
    ],
    ids=["nothing", "clean", "two", "absolute", "unknown-rule"],
)
def test_valid_against_the_schema(results: list[FileResult]) -> None:
    validate(json.loads(render(results)))


def test_shape() -> None:
    log = json.loads(render([FileResult(".aishell/Dockerfile", None, [diag(severity="info")])]))
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-schema-2.1.0.json")
    (run_,) = log["runs"]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "aishellc"
    codes = [rule["id"] for rule in driver["rules"]]
    assert codes == [rule.code for rule in all_rules()]
    for descriptor, rule in zip(driver["rules"], all_rules(), strict=True):
        assert descriptor["name"] == rule.name
        assert descriptor["help"]["markdown"] == rule.doc
        assert descriptor["fullDescription"]["text"]
        level = {"error": "error", "warning": "warning", "info": "note"}[rule.severity]
        assert descriptor["defaultConfiguration"]["level"] == level
    (result,) = run_["results"]
    assert result["ruleId"] == "AIS002"
    assert driver["rules"][result["ruleIndex"]]["id"] == "AIS002"
    assert result["level"] == "note"
    assert result["message"] == {"text": "message"}
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": ".aishell/Dockerfile"}
    assert location["region"] == {"startLine": 2, "startColumn": 3, "endLine": 3, "endColumn": 7}


def test_unknown_rule_has_no_rule_index() -> None:
    log = json.loads(render([FileResult("x", None, [diag("NOT-A-RULE")])]))
    assert "ruleIndex" not in log["runs"][0]["results"][0]


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        ("Dockerfile", "Dockerfile"),
        (".aishell/Dockerfile", ".aishell/Dockerfile"),
        ("a b/Dockerfile#1", "a%20b/Dockerfile%231"),
        ("café/Dockerfile", "caf%C3%A9/Dockerfile"),
        ("/srv/p/.sandbox/Dockerfile", "file:///srv/p/.sandbox/Dockerfile"),
    ],
)
def test_artifact_uri(path: str, uri: str) -> None:
    assert artifact_uri(path) == uri


def test_deterministic_whatever_the_input_order() -> None:
    a = FileResult("a", None, [diag(line=5), diag(line=1)])
    b = FileResult("b", None, [diag("AIS001", "error")])
    assert render([a, b]) == render([b, a])
    assert render([a, b]).endswith("}\n")


@needs_corpus
def test_corpus_check_output_is_valid_sarif() -> None:
    """Every corpus file, good and bad, in one run: the log validates, regions are sane."""
    files = [str(path) for path in corpus_files()]
    out, err = io.StringIO(), io.StringIO()
    status = run(["check", "--format", "sarif", *files], out, err)
    assert status in (0, 1, 2)
    log = json.loads(out.getvalue())
    validate(log)
    results = log["runs"][0]["results"]
    assert status == 2  # the corpus holds files BuildKit rejects
    assert any(result["ruleId"] == "AIS001" for result in results)
    for result in results:
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1
        assert region["startColumn"] >= 1
        assert (region["endLine"], region["endColumn"]) >= (
            region["startLine"],
            region["startColumn"],
        )
