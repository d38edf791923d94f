"""Fuzzing ``parse``, ``check`` and ``compile``: any bytes in, exit 0/1/2 with a message out.

Inputs come from generators (the grammar, aishell-shaped files, arbitrary text and bytes)
and from mutated seed files (see :mod:`tests.property.mutators`). Each input is the
Dockerfile of a project folder (:class:`tests.property.fuzzing.Project`) and runs through
``parse`` (both formats), ``check`` (a drawn format) and ``compile`` (drawn flags)
in-process; the properties are :func:`~tests.property.fuzzing.check_outcome` and, for
compile, :func:`~tests.property.fuzzing.check_compile_output` (the output folder holds
the whole new output or the old one, never a temporary folder). A few inputs also run in a
real process, to show nothing reaches stderr as a traceback whatever the locale.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aishellc.config.harnesses import BUILTIN_HARNESSES, is_harness_version
from tests.property.conftest import FUZZ_EXAMPLES
from tests.property.fuzzing import (
    COMPILE_ARGS,
    TALLY,
    Hang,
    Project,
    fuzz_project,
    run_command,
    watchdog,
)
from tests.property.generators import aishell_dockerfiles, byte_dockerfiles, text_dockerfiles
from tests.property.mutators import LINE_LIMIT, MUTATORS, SEEDS, mutated
from tests.property.test_parse_properties import dockerfiles

FUZZ = settings(
    max_examples=FUZZ_EXAMPLES,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.filter_too_much,
    ],
)
CHECK_FORMATS = st.sampled_from(["text", "json", "sarif"])
BUILTIN = {harness.name for harness in BUILTIN_HARNESSES}
FLAGS = st.sampled_from(COMPILE_ARGS)

GENERATORS: dict[str, st.SearchStrategy[bytes]] = {
    "grammar": dockerfiles().map(lambda text: text.encode("utf-8")),
    "aishell": aishell_dockerfiles().map(lambda text: text.encode("utf-8")),
    "text": text_dockerfiles,
    "bytes": byte_dockerfiles,
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return Project(tmp_path_factory.mktemp("fuzz"))


def test_there_are_seeds() -> None:
    assert len(SEEDS) >= 20


def test_a_hang_is_a_failure_not_a_stuck_test(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    import aishellc.parser

    def spin(*args: object, **kwargs: object) -> None:
        while True:
            pass

    project.dockerfile.write_text("FROM aishell:base\n")
    monkeypatch.setattr(aishellc.parser, "parse", spin)
    with pytest.raises(Hang, match=r"no answer within 0\.2 s"):
        run_command(["parse", str(project.dockerfile)], timeout=0.2)


@pytest.mark.parametrize("generator", sorted(GENERATORS))
@FUZZ
@given(data=st.data(), check_format=CHECK_FORMATS, flags=FLAGS)
def test_generated(
    project: Project, generator: str, data: st.DataObject, check_format: str, flags: list[str]
) -> None:
    dockerfile = data.draw(GENERATORS[generator], label="Dockerfile")
    fuzz_project(project, dockerfile, f"generated:{generator}", check_format, flags)


@pytest.mark.parametrize("mutator", sorted(MUTATORS))
@FUZZ
@given(data=st.data(), check_format=CHECK_FORMATS, flags=FLAGS)
def test_mutated(
    project: Project, mutator: str, data: st.DataObject, check_format: str, flags: list[str]
) -> None:
    dockerfile = data.draw(mutated(mutator), label="Dockerfile")
    fuzz_project(project, dockerfile, f"mutated:{mutator}", check_format, flags)


_VERSION = st.from_regex(
    r"(0|[1-9][0-9]{0,3})\.[0-9]{1,3}\.[0-9]{1,3}(-[A-Za-z0-9.-]{1,8})?(\+[A-Za-z0-9.-]{1,8})?",
    fullmatch=True,
)
HARNESS_SPEC = st.one_of(
    # arbitrary text, punctuation and shell metacharacters likely
    st.text(st.sampled_from(list("claude@codex1.2.3-+beta.:/ ;$()`'\"#\\\n\t\x00é")), max_size=24),
    # a registry name (or a near miss) with a valid, a damaged or no version
    st.tuples(
        st.sampled_from(sorted({harness.name for harness in BUILTIN_HARNESSES}))
        | st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True),
        st.sampled_from(["", "@latest", "@"]) | _VERSION.map(lambda v: "@" + v),
        st.sampled_from(["", "", "", " ", ";id", "$(id)", "\n", "#", "@1"]),
    ).map("".join),
)


@FUZZ
@given(specs=st.lists(HARNESS_SPEC, min_size=1, max_size=3))
def test_harness_flags(project: Project, specs: list[str]) -> None:
    """Any --harness values: exit 0 only for registry names with valid versions, else 2
    with a message naming the flag; never a traceback."""
    project.dockerfile.write_text("FROM aishell:base\nUSER developer\n")
    argv = ["compile", str(project.dockerfile), "-o", str(project.outdir)]
    argv += [f"--harness={spec}" for spec in specs]  # "=": a value may start with "-"
    TALLY.add_input("generated:harness-flag", " ".join(specs).encode(errors="replace"))
    with watchdog():
        outcome = run_command(argv)
    TALLY.add_run("compile", "generated:harness-flag", outcome)
    assert outcome.code in (0, 2), outcome
    assert "Traceback" not in outcome.err
    names = [spec.partition("@")[0] for spec in specs]
    valid = len(set(names)) == len(names) and all(
        name in BUILTIN
        and is_harness_version(spec.partition("@")[2] or "latest")
        and (spec.count("@") == 0 or (spec.count("@") == 1 and not spec.endswith("@")))
        for name, spec in zip(names, specs, strict=True)
    )
    assert (outcome.code == 0) == valid, (specs, outcome.err)
    if outcome.code == 2:
        assert "--harness" in outcome.err.splitlines()[0], outcome.err


# --- a real process: nothing reaches stderr as a traceback -------------------------------

PROCESS_CASES = {
    "nul": b"FROM alpine\nRUN echo \x00\n",
    "invalid-utf8": b"FROM alpine\nRUN echo \xff\n",
    "utf16": "FROM alpine\n".encode("utf-16"),
    "unterminated-heredoc": b"FROM alpine\nRUN <<EOF\necho\n",
    "continuation-at-eof": b"FROM alpine\nRUN echo \\",
    "huge-line": b"FROM alpine\nRUN " + b"x" * (LINE_LIMIT + 1) + b"\n",
    "bad-escape": b"# escape=x\nFROM alpine\n",
    "non-ascii": "FROM alpine\nRUN echo ☃ café\n".encode(),
    "non-ascii-error": "FROM alpine\nRUNN echo ☃ café\n".encode(),
    "non-ascii-heredoc": "FROM alpine\nRUN <<EOF\n☃\n".encode(),
}


PROCESS_COMMANDS = [
    ["parse"],
    ["parse", "--format", "buildkit"],
    ["check"],
    ["check", "--format", "json"],
    ["check", "--format", "sarif"],
]


@pytest.mark.parametrize("encoding", ["utf-8", "ascii", "latin-1"])
@pytest.mark.parametrize("argv", PROCESS_COMMANDS, ids=" ".join)
def test_real_process_never_prints_a_traceback(
    tmp_path: Path, argv: list[str], encoding: str
) -> None:
    """Whatever the files, their names, and the encoding of stdout and stderr (a pre-commit
    hook may run under a non-UTF-8 locale), the process ends with 0, 1 or 2, prints no
    traceback, and its JSON output parses."""
    paths = []
    for name, data in sorted(PROCESS_CASES.items()):
        path = tmp_path / f"{name}.Dockerfile"
        path.write_bytes(data)
        paths.append(os.fsdecode(path))
    # A file name that is not UTF-8 reaches Python as a lone surrogate.
    odd = os.fsencode(tmp_path) + b"/caf\xe9-\xff.Dockerfile"
    Path(os.fsdecode(odd)).write_bytes(PROCESS_CASES["non-ascii-error"])
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    env.pop("AISHELLC_DEBUG", None)
    proc = subprocess.run(
        [sys.executable, "-m", "aishellc", *argv, *paths, os.fsdecode(odd)],
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )
    stdout = proc.stdout.decode(encoding)
    stderr = proc.stderr.decode(encoding)
    assert proc.returncode in (0, 1, 2), (proc.returncode, stderr)
    assert "Traceback" not in stderr, stderr
    assert "internal error" not in stderr, stderr
    if "--format" in argv or argv[0] == "parse":
        documents = stdout.rstrip("\n").split("\n") if argv[0] == "parse" else [stdout]
        assert len(documents) == (len(paths) + 1 if argv[0] == "parse" else 1)
        for document in documents:
            json.loads(document)
