"""How long does ``aishellc outdated`` take for every harness of the registry, against the
public npm registry (or the one npm's configuration names)?

    python benchmarks/outdated.py [--repeat N] [--sequential]

A temporary project locks every built-in harness at ``latest`` once (``aishellc lock``),
then ``aishellc outdated`` runs ``--repeat`` times as a fresh process (the way a user or CI
runs it: interpreter start, imports, one request per package at once, the table). Reported:
each run's wall-clock seconds and the median, against the goal of 2 s. ``--sequential``
also times the fetches alone, in this process, all at once (as ``outdated`` does) and one
after the other. Needs the network; without it the benchmark says so and exits 0.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_SECONDS = 2.0
LAUNCHER = "import sys; from aishellc.cli import main; sys.exit(main())"


def aishellc(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", LAUNCHER, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env=None,
    )


def fetch_seconds(concurrent: bool) -> float:
    """Every harness's document fetched in this process by a new client (new connections):
    at once, as ``outdated`` does, or one after the other."""
    sys.path.insert(0, str(ROOT))
    from aishellc.config.harnesses import BUILTIN_HARNESSES
    from aishellc.npm.client import RegistryClient
    from aishellc.npm.npmrc import load_settings

    client = RegistryClient(load_settings(None, None))
    packages = [harness.package for harness in BUILTIN_HARNESSES]
    started = time.perf_counter()
    if concurrent:
        client.packuments(packages)
    else:
        for package in packages:
            client.packument(package)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="outdated runs (default 5)")
    parser.add_argument(
        "--sequential", action="store_true", help="also time one request after the other"
    )
    args = parser.parse_args()
    from aishellc.config.harnesses import BUILTIN_HARNESSES

    with tempfile.TemporaryDirectory() as scratch:
        project = Path(scratch)
        (project / ".aishell").mkdir()
        (project / ".aishell" / "Dockerfile").write_text("FROM aishell:base\n")
        flags = [f"--harness={h.name}" for h in BUILTIN_HARNESSES]
        locked = aishellc("lock", ".aishell/Dockerfile", *flags, cwd=project)
        if locked.returncode != 0:
            print(f"cannot lock against the registry (no network?):\n{locked.stderr}")
            return 0
        print(f"{len(BUILTIN_HARNESSES)} harnesses locked: {', '.join(flags)}")
        seconds = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            run = aishellc("outdated", ".aishell/Dockerfile", cwd=project)
            seconds.append(time.perf_counter() - started)
            if run.returncode not in (0, 1):
                print(f"outdated failed:\n{run.stderr}")
                return 1
        runs = ", ".join(f"{s:.2f}" for s in seconds)
        median = statistics.median(seconds)
        verdict = "meets" if median < GOAL_SECONDS else "misses"
        print(f"outdated, fresh process, concurrent requests: {runs} s")
        print(f"median {median:.2f} s ({verdict} the {GOAL_SECONDS:g} s goal)")
        if args.sequential:
            at_once = statistics.median(fetch_seconds(True) for _ in range(args.repeat))
            in_turn = statistics.median(fetch_seconds(False) for _ in range(args.repeat))
            print(
                f"the fetches alone, in process: {at_once:.2f} s at once, {in_turn:.2f} s in turn"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
