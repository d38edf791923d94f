"""``check`` and ``compile`` report the same diagnostics: one analysis decides them.

Each case is a project (``.aishell/Dockerfile``, an optional ``.aishell/aishellc.toml``
and context files) and the project options both commands get. ``check --format json``
and ``compile --format json`` must report the same ``(path, line, code)`` set, the one
the case expects, with the same exit code; ``compile`` writes nothing when there are
errors. A bad config is exit 2 with the same message in both.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.compile_cases import OFFLINE_CONFIG, run_cli_in

D = ".aishell/Dockerfile"
C = ".aishell/aishellc.toml"
PIN = ["--harness", "claude@2.1.3"]
ON_AISHELL = "FROM aishell:base\n"

# (name, Dockerfile, config lines put before OFFLINE_CONFIG (None: no config file),
#  context files, options, exit code, expected (path, line, code))
CASES: list[
    tuple[str, str, str | None, dict[str, str], list[str], int, set[tuple[str, int, str]]]
] = [
    ("clean", ON_AISHELL + "USER root\n", None, {}, PIN, 0, set()),
    (
        "COPY outside the context",
        ON_AISHELL + "COPY ../x /a/\nCOPY /etc/passwd /b/\n",
        None,
        {},
        PIN,
        1,
        {(D, 2, "AIS304"), (D, 3, "AIS304")},
    ),
    (
        "missing and present sources",
        ON_AISHELL + "COPY here.txt gone.txt /a/\nADD also-gone /b/\n",
        None,
        {"here.txt": "x"},
        PIN,
        1,
        {(D, 2, "AIS305"), (D, 3, "AIS305")},
    ),
    (
        "ignored source",
        ON_AISHELL + "COPY secret.key /a/\n",
        None,
        {"secret.key": "k", ".dockerignore": "*.key\n"},
        PIN,
        1,
        {(D, 2, "AIS306")},
    ),
    (
        "--context decides what is missing",
        ON_AISHELL + "COPY here.txt /a/\n",
        None,
        {"sub/here.txt": "x", "here.txt": "x"},
        [*PIN, "--context", "sub"],
        0,
        set(),
    ),
    (
        "suppressed context problem",
        ON_AISHELL + "# aishellc ignore=AIS305\nCOPY gone /a/\n",
        None,
        {},
        PIN,
        0,
        set(),
    ),
    (
        "AIS301 from the built-in default, at the final FROM",
        "FROM aishell:base AS tools\nFROM tools\n",
        None,
        {},
        [],
        0,
        {(D, 2, "AIS301")},
    ),
    (
        "AIS301 from --harness",
        ON_AISHELL,
        None,
        {},
        ["--harness", "codex"],
        0,
        {(D, 1, "AIS301")},
    ),
    (
        "AIS301 from the config, at its line",
        ON_AISHELL,
        '[harnesses]\ndefault = ["claude@2.1.3",\n  "codex"]\n',
        {},
        [],
        0,
        {(C, 3, "AIS301")},
    ),
    (
        "AIS301 suppressed before the FROM",
        "# aishellc ignore=AIS301\n" + ON_AISHELL,
        None,
        {},
        [],
        0,
        set(),
    ),
    (
        "a suppression of a runtime rule that matches nothing",
        "# aishellc ignore=AIS303\n" + ON_AISHELL,
        None,
        {},
        PIN,
        0,
        {(D, 1, "AIS002")},
    ),
    (
        "AIS204 for a final USER other than root, at the USER",
        ON_AISHELL + "USER developer\n",
        None,
        {},
        PIN,
        0,
        {(D, 2, "AIS204")},
    ),
    (
        "AIS205 for a user nobody creates",
        ON_AISHELL + "RUN chown -R dev:dev /home/developer\n",
        None,
        {},
        PIN,
        1,
        {(D, 2, "AIS205")},
    ),
    (
        "AIS303 with the inline strategy",
        ON_AISHELL + "ARG U=developer\nUSER ${U}\n",
        None,
        {},
        [*PIN, "--harness-strategy", "inline"],
        1,
        {(D, 3, "AIS303")},
    ),
    (
        "AIS303 needs the inline strategy",
        ON_AISHELL + "ARG U=developer\nUSER ${U}\n",
        None,
        {},
        PIN,
        0,
        set(),
    ),
    (
        "project-wide ignore",
        ON_AISHELL + "COPY gone /a/\nONBUILD RUN make\n",
        'ignore = ["AIS302", "source-not-found"]\n',  # a retired code stays accepted
        {},
        PIN,
        0,
        {(D, 3, "AIS202")},
    ),
    (
        "not built on aishell: AIS201 alone, no runtime-tier noise",
        "FROM debian:bookworm\nRUN true\n",
        None,
        {},
        [],
        1,
        {(D, 1, "AIS201")},
    ),
    (
        "legacy: the installed harness may run at build time",
        ON_AISHELL + "RUN claude --version\n",
        None,
        {},
        [*PIN, "--legacy"],
        0,
        set(),
    ),
    (
        "three tiers: it may not",
        ON_AISHELL + "RUN claude --version\n",
        None,
        {},
        PIN,
        1,
        {(D, 2, "AIS101")},
    ),
]


def _project(root: Path, dockerfile: str, config: str | None, files: dict[str, str]) -> Path:
    (root / ".aishell").mkdir(parents=True)
    (root / D).write_text(dockerfile)
    if config is not None:
        (root / C).write_text(config + OFFLINE_CONFIG)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def _check(root: Path, options: list[str]) -> tuple[int, set[tuple[str, int, str]]]:
    run = run_cli_in(root, "check", "--format", "json", D, *options)
    assert run.code != 2, run.err
    return run.code, {(r["path"], r["line"], r["code"]) for r in json.loads(run.out)}


def _compile(root: Path, options: list[str]) -> tuple[int, set[tuple[str, int, str]]]:
    run = run_cli_in(root, D, "-o", "build", "--format", "json", *options)
    assert run.code != 2, run.err
    summary = json.loads(run.out)
    assert summary["written"] == (run.code == 0) == (root / "build").is_dir()
    return run.code, {(r["path"], r["line"], r["code"]) for r in summary["diagnostics"]}


@pytest.mark.parametrize(
    ("dockerfile", "config", "files", "options", "code", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_check_and_compile_report_the_same(
    tmp_path: Path,
    dockerfile: str,
    config: str | None,
    files: dict[str, str],
    options: list[str],
    code: int,
    expected: set[tuple[str, int, str]],
) -> None:
    root = _project(tmp_path / "project", dockerfile, config, files)
    assert _check(root, options) == (code, expected)
    assert _compile(root, options) == (code, expected)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('ignore = ["AIS999"]\n', ":1:11: ignore: unknown rule code or name 'AIS999'"),
        ('ignore = ["source-not-founds"]\n', ":1:11: ignore: unknown rule code or name"),
    ],
)
def test_an_unknown_code_in_ignore_is_the_same_error(
    tmp_path: Path, config: str, message: str
) -> None:
    root = _project(tmp_path / "project", ON_AISHELL, None, {C: config})
    checked = run_cli_in(root, "check", D)
    compiled = run_cli_in(root, D, "-o", "build")
    assert (checked.code, compiled.code) == (2, 2)
    assert checked.err.startswith(C + message), checked.err
    assert compiled.err.startswith(C + message), compiled.err
    assert not (root / "build").exists()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("COPY https://example.com/x /a/", "COPY source 'https://example.com/x' is a URL"),
        ("RUN --mount=type=volume,target=/x true", "is not a mount type"),
    ],
)
def test_input_errors_stay_exit_2_in_both(tmp_path: Path, line: str, message: str) -> None:
    root = _project(tmp_path / "project", ON_AISHELL + line + "\n", None, {})
    checked = run_cli_in(root, "check", D)
    compiled = run_cli_in(root, D, "-o", "build")
    assert (checked.code, compiled.code) == (2, 2)
    assert f"{D}:2:" in checked.out and message in checked.out, checked.out
    assert compiled.err.startswith(f"{D}:2:") and message in compiled.err, compiled.err
    assert not (root / "build").exists()


def test_a_config_shared_by_several_files_is_reported_once(tmp_path: Path) -> None:
    root = _project(tmp_path / "project", ON_AISHELL, '[harnesses]\ndefault = ["codex"]\n', {})
    (root / "other.Dockerfile").write_text(ON_AISHELL + "USER root\n")
    run = run_cli_in(root, "check", "--format", "json", "--config", C, D, "other.Dockerfile")
    assert run.code == 0, run.err
    found = sorted((r["path"], r["line"], r["code"]) for r in json.loads(run.out))
    assert found == [(C, 2, "AIS301")]
