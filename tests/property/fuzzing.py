"""The fuzz harness: run a command in-process on one input and judge how it ended.

The contract every input must keep (DESIGN.md, "Command line"): exit 0, 1 or 2; a non-zero
exit says why (a located ``path:line:col:`` message); never a traceback, never exit 70 (an
internal error), never an exception out of :func:`aishellc.cli.run`, never a hang. Outputs
that are JSON must parse as JSON.

A hang is caught twice: :func:`deadline` arms ``SIGALRM`` so a slow command raises
:class:`Hang` in the test (hypothesis then reports and shrinks it), and
:func:`watchdog` (``faulthandler``) ends the whole run, with every thread's stack, should
an input be stuck in C code where the signal handler cannot run.

Counts: every run is tallied by command and by the generator that made the input; with
``AISHELLC_FUZZ_STATS=FILE`` the tally is written to FILE as JSON when pytest ends.
"""

from __future__ import annotations

import faulthandler
import io
import json
import os
import re
import signal
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

import attrs

from aishellc.cli import run

SOFT_TIMEOUT = float(os.environ.get("AISHELLC_FUZZ_TIMEOUT", "10"))
"""Seconds one command may take on one input before it counts as a hang."""
HARD_TIMEOUT = SOFT_TIMEOUT * 12
"""Seconds one input (all its commands) may take before the watchdog ends the process."""


class Hang(BaseException):
    """A command did not answer within :data:`SOFT_TIMEOUT` (a BaseException, so no
    ``except Exception`` in the code under test can swallow it)."""


@contextmanager
def deadline(seconds: float = SOFT_TIMEOUT) -> Iterator[None]:
    """Raise :class:`Hang` in the block after ``seconds``."""

    def on_alarm(_signum: int, _frame: FrameType | None) -> None:
        raise Hang(f"no answer within {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def watchdog(seconds: float = HARD_TIMEOUT) -> Iterator[None]:
    """End the process, printing every thread's stack, if the block is still running after
    ``seconds``: for a hang in C code, where :func:`deadline`'s signal handler never runs."""
    faulthandler.dump_traceback_later(seconds, exit=True)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()


@attrs.frozen
class Outcome:
    argv: tuple[str, ...]
    code: int
    out: str
    err: str
    seconds: float


class Tally:
    """Runs per command and per generator, and inputs per generator."""

    def __init__(self) -> None:
        self.commands: Counter[str] = Counter()
        self.generators: Counter[str] = Counter()
        self.inputs: Counter[str] = Counter()
        self.exit_codes: Counter[str] = Counter()
        self.by_generator: dict[str, Counter[str]] = {}
        self.slowest: tuple[float, str, bytes] = (0.0, "", b"")
        self.current = b""

    def add_input(self, generator: str, data: bytes) -> None:
        self.inputs[generator] += 1
        self.current = data

    def add_run(self, command: str, generator: str, outcome: Outcome) -> None:
        self.commands[command] += 1
        self.generators[generator] += 1
        self.exit_codes[f"{command}:{outcome.code}"] += 1
        self.by_generator.setdefault(generator, Counter())[f"{command}:{outcome.code}"] += 1
        if outcome.seconds > self.slowest[0]:
            self.slowest = (outcome.seconds, f"{generator}/{command}", self.current)

    def as_json(self) -> dict[str, object]:
        return {
            "inputs": sum(self.inputs.values()),
            "runs": sum(self.commands.values()),
            "inputs_by_generator": dict(sorted(self.inputs.items())),
            "runs_by_command": dict(sorted(self.commands.items())),
            "runs_by_generator": dict(sorted(self.generators.items())),
            "exit_codes": dict(sorted(self.exit_codes.items())),
            "exit_codes_by_generator": {
                name: dict(sorted(counts.items()))
                for name, counts in sorted(self.by_generator.items())
            },
            "slowest_run": {
                "seconds": round(self.slowest[0], 3),
                "where": self.slowest[1],
                "input": repr(self.slowest[2][:2000]),
                "input_bytes": len(self.slowest[2]),
            },
        }

    def write(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.as_json(), indent=2) + "\n", encoding="utf-8")


TALLY = Tally()

_JSON_OUTPUT = {
    ("parse", "json"),
    ("parse", "buildkit"),
    ("check", "json"),
    ("check", "sarif"),
    ("compile", "json"),
}


def run_command(argv: Sequence[str], timeout: float = SOFT_TIMEOUT) -> Outcome:
    """Run ``aishellc ARGV`` in-process under :func:`deadline`."""
    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    with deadline(timeout):
        code = run(list(argv), out, err)
    return Outcome(tuple(argv), code, out.getvalue(), err.getvalue(), time.perf_counter() - started)


def _format(argv: Sequence[str]) -> str | None:
    for index, arg in enumerate(argv):
        if arg == "--format" and index + 1 < len(argv):
            return argv[index + 1]
    return None


def check_outcome(outcome: Outcome, path: str) -> None:
    """The fuzz property for one run; raises AssertionError naming what broke."""
    argv, code, out, err = outcome.argv, outcome.code, outcome.out, outcome.err
    command = argv[0]
    assert code in (0, 1, 2), f"{' '.join(argv)}: exit {code}\nstderr: {err[:2000]}"
    assert "Traceback" not in err, err
    assert "Traceback (most recent call last)" not in out, out[:2000]
    fmt = _format(argv) or ("json" if command == "parse" else "text")
    is_json = (command, fmt) in _JSON_OUTPUT
    if is_json and out:
        # JSON Lines are split on "\n" only: a string may hold U+2028 and friends.
        documents = out.rstrip("\n").split("\n") if command == "parse" else [out]
        for document in documents:
            json.loads(document)
    if code == 1 and is_json:
        # Error diagnostics, reported in the JSON.
        assert '"error"' in out, f"{' '.join(argv)}: exit 1 without an error in\n{out[:2000]}"
    elif code != 0:
        located = re.compile(re.escape(path) + r":\d+:\d+: \S")
        assert located.search(err) or located.search(out), (
            f"{' '.join(argv)}: exit {code} without a located message\n"
            f"stdout: {out[:1000]}\nstderr: {err[:1000]}"
        )


COMPILE_ARGS: list[list[str]] = [
    [],
    ["--harness", "claude@2.1.3"],
    ["--harness", "codex", "--harness", "gemini@0.1.0-beta.2"],
    ["--harness-strategy", "inline"],
    ["--legacy", "--harness", "pi@1.0.0"],
    ["--format", "json"],
]
"""Extra compile flags (all valid: the input under test is the Dockerfile)."""

_OUTPUT_FILES = {
    "foundation.Dockerfile",
    "extension.Dockerfile",
    "runtime.Dockerfile",
    "manifest.json",
    "docker-bake.json",
}


class Project:
    """A project folder: ``.aishell/Dockerfile`` (the input), a build context around it with
    files the generators name (some ignored, an ignored FIFO, symlinks in and out), and
    ``build/``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.dockerfile = root / ".aishell" / "Dockerfile"
        self.outdir = root / "build"
        self.dockerfile.parent.mkdir(parents=True, exist_ok=True)
        files = {
            "app/main.py": "print('hello')\n",
            "requirements.txt": "flask\n",
            "scripts/setup.sh": "#!/bin/sh\necho setup\n",
            "secret.txt": "never read me\n",
            "ignored/data.bin": "ignored\n",
            ".dockerignore": "secret.txt\nignored/\nfifo\n",
        }
        for name, text in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        (root / "scripts" / "setup.sh").chmod(0o755)
        (root / "link-in").symlink_to("app")
        (root / "link-out").symlink_to("/etc")
        os.mkfifo(root / "fifo")  # ignored: never opened (a blocking open would hang)

    def tree(self) -> dict[str, bytes]:
        if not self.outdir.is_dir():
            return {}
        return {
            p.relative_to(self.outdir).as_posix(): p.read_bytes()
            for p in sorted(self.outdir.rglob("*"))
            if p.is_file()
        }

    def leftovers(self) -> list[str]:
        return sorted(p.name for p in self.root.iterdir() if ".aishellc-" in p.name)


def fuzz_commands(path: str, check_format: str = "text") -> list[tuple[str, list[str]]]:
    """The parse and check runs every input goes through: ``(command, argv)``."""
    return [
        ("parse", ["parse", path]),
        ("parse", ["parse", "--format", "buildkit", path]),
        ("check", ["check", "--format", check_format, path]),
    ]


def check_compile_output(project: Project, outcome: Outcome, before: dict[str, bytes]) -> None:
    """After a compile: the whole new output (exit 0), or the old one untouched, and no
    temporary folder left behind."""
    assert not project.leftovers(), project.leftovers()
    after = project.tree()
    if outcome.code == 0:
        assert set(after) >= _OUTPUT_FILES, sorted(after)
        manifest = json.loads(after["manifest.json"])
        assert manifest["compiler"]["name"] == "aishellc"
        json.loads(after["docker-bake.json"])
    else:
        assert after == before, "a failed compile changed the output folder"


def fuzz_project(
    project: Project,
    data: bytes,
    generator: str,
    check_format: str = "text",
    compile_args: Sequence[str] = (),
) -> None:
    """Write ``data`` as the project's Dockerfile; run parse, check and compile on it."""
    path = str(project.dockerfile)
    project.dockerfile.write_bytes(data)
    TALLY.add_input(generator, data)
    with watchdog():
        for command, argv in fuzz_commands(path, check_format):
            outcome = run_command(argv)
            TALLY.add_run(command, generator, outcome)
            check_outcome(outcome, path)
        before = project.tree()
        outcome = run_command(["compile", path, "-o", str(project.outdir), *compile_args])
        TALLY.add_run("compile", generator, outcome)
        check_outcome(outcome, path)
        check_compile_output(project, outcome, before)
