"""Team scale: what a registry saves a teammate, and what the third tier saves a bump.

    scripts/docker-sandbox start
    python benchmarks/team.py [--write docs/benchmarks.md]

Side by side in one run, on two fresh engines of their own (``tests/services/engine.py``:
empty data roots, so no build cache of an earlier run helps) and one Distribution registry
on 127.0.0.1 (``tests/services/registry.py``), with the heavy extension of
``benchmarks/rebuild.py`` (CPython 3.11 compiled from source) and Claude Code:

1. First build. Engine B builds all three tiers from scratch (``aishellc build --pull
   never``), then pushes them; engine C, a teammate who has nothing, runs ``aishellc build``
   and pulls them. Goal: the pull at least 10x faster.
2. Harness bump (a version never built before in the run). Three tiers, on C:
   ``aishellc build`` after the bump rebuilds the runtime only. Two tiers (``--legacy``),
   on B: the harness sits in the base, below the extension, so the bump rebuilds the
   extension too. Goal: three tiers at least 10x faster.

Times are the wall seconds of the whole ``aishellc build`` command (compile included), with
the per-tier actions it reports. The stand-in base images are copied from the sandbox engine
into B (not timed). The engines and the registry are deleted at the end. The benchmark is
not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# benchmarks/ is not a package: python puts the script's folder first on sys.path.
from rebuild import BUMPS, HEAVY, INITIAL, machine, write_section  # noqa: E402

from tests.e2e import dockerutil  # noqa: E402
from tests.e2e.tiers import aishellc, write_project  # noqa: E402
from tests.services.engine import running_engine  # noqa: E402
from tests.services.registry import running_registry  # noqa: E402

SECTION = "Team scale: registry pulls and harness bumps"
BEGIN = "<!-- benchmarks/team.py: begin -->"
END = "<!-- benchmarks/team.py: end -->"
BUMP = BUMPS[-3]
GOAL = 10.0

CONFIG = """\
tag_prefix = "aishellc-team"
registry = "{registry}/bench"

[foundation]
base_image = "debian:trixie-slim"
node_image = "node:24-trixie-slim"
tools = []
sqlite = false
apt_packages = ["bash", "ca-certificates", "curl", "git", "gosu", "less", "sudo"]
"""
FLAGS = ("--network", "host", "--progress", "plain", "--format", "json")


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Run:
    what: str
    seconds: float
    actions: tuple[str, ...]


def build(project: Path, env: Mapping[str, str], what: str, *args: str) -> Run:
    say(f"{what} ...")
    started = time.monotonic()
    done = aishellc(project, "build", ".aishell/Dockerfile", "-o", "build", *FLAGS, *args, env=env)
    seconds = time.monotonic() - started
    if done.returncode != 0:
        raise RuntimeError(
            f"{what}: aishellc build exited {done.returncode}:\n{done.stderr[-4000:]}"
        )
    table: dict[str, Any] = json.loads(done.stdout)
    actions = tuple(f"{row['tier']} {row['action']}" for row in table["tiers"])
    say(f"{what}: {seconds:.1f} s ({', '.join(actions)})")
    return Run(what, seconds, actions)


def copy_images(source: Mapping[str, str], target: Mapping[str, str], *tags: str) -> None:
    saved = subprocess.run(
        [dockerutil.DOCKER, "save", *tags],
        env={**os.environ, **source},
        capture_output=True,
        check=True,
    )
    subprocess.run(
        [dockerutil.DOCKER, "load"],
        input=saved.stdout,
        env={**os.environ, **target},
        capture_output=True,
        check=True,
    )


def project(folder: Path, registry: str) -> Path:
    return write_project(folder, HEAVY, CONFIG.format(registry=registry))


def measure(workdir: Path, sandbox: str) -> list[tuple[str, Run, Run]]:
    path = f"/usr/bin:{os.environ['PATH']}"
    with running_registry() as registry, running_engine() as host_b, running_engine() as host_c:
        engine_b = {"DOCKER_HOST": host_b, "PATH": path}
        engine_c = {"DOCKER_HOST": host_c, "PATH": path}
        copy_images({"DOCKER_HOST": sandbox}, engine_b, *dockerutil.STAND_IN_IMAGES)
        on_b, on_c = project(workdir / "b", registry), project(workdir / "c", registry)
        legacy = project(workdir / "legacy", registry)
        first = f"claude@{INITIAL}"
        scratch = build(
            on_b, engine_b, "B: all tiers from scratch", "--harness", first, "--pull", "never"
        )
        build(on_b, engine_b, "B: push", "--harness", first, "--push")
        pulled = build(on_c, engine_c, "C: first build from the registry", "--harness", first)
        bumped = f"claude@{BUMP}"
        three = build(on_c, engine_c, "C: harness bump, three tiers", "--harness", bumped)
        build(
            legacy,
            engine_b,
            "B: two tiers, before the bump",
            "--legacy",
            "--harness",
            first,
            "--pull",
            "never",
        )
        two = build(
            legacy,
            engine_b,
            "B: harness bump, two tiers",
            "--legacy",
            "--harness",
            bumped,
            "--pull",
            "never",
        )
    return [
        ("a teammate's first build", scratch, pulled),
        (f"harness bump (claude {INITIAL} -> {BUMP})", two, three),
    ]


def report(rows: Sequence[tuple[str, Run, Run]]) -> str:
    lines = [
        BEGIN,
        "Machine:",
        "",
        *machine(),
        "",
        "| scenario | without | s | with | s | ratio | goal (10x) |",
        "|---|---|---:|---|---:|---:|---|",
    ]
    for scenario, slow, fast in rows:
        ratio = slow.seconds / fast.seconds
        lines.append(
            f"| {scenario} | {slow.what}: {'; '.join(slow.actions)} | {slow.seconds:.1f} "
            f"| {fast.what}: {'; '.join(fast.actions)} | {fast.seconds:.1f} | {ratio:.1f}x "
            f"| {'met' if ratio >= GOAL else 'not met'} |"
        )
    lines.append(END)
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="put the table into this Markdown file")
    args = parser.parse_args(argv)
    problem = dockerutil.engine_problem()
    if problem is not None:
        say(f"no engine: {problem}")
        return 0
    with tempfile.TemporaryDirectory(prefix="aishellc-team-") as workdir:
        body = report(measure(Path(workdir), dockerutil.docker_host()))
    print(body)
    if args.write is not None:
        write_section(args.write, body, SECTION, BEGIN, END)
    return 0


if __name__ == "__main__":
    sys.exit(main())
