"""What does a harness bump cost? Two tiers (``--legacy``) against three, in one run.

    scripts/docker-sandbox start
    python benchmarks/rebuild.py [--quick] [--write docs/benchmarks.md] [--keep]

For each layout — two-tier (``--legacy``: the harnesses in the base, the project's
extension on top), three-tier ``inline`` and three-tier ``stage`` — and each case:

- a light extension (a couple of apt packages), one project;
- a heavy extension (CPython 3.11 compiled from Debian's source tarball in the extension,
  a few minutes on two cores), one project;
- three light projects sharing one foundation, bumped one after the other;

the projects are compiled with Claude Code at ``INITIAL`` and built (not timed), then
recompiled with a version that was never built before in this run and rebuilt: every tier
in build order with the manifest's own ``docker build`` argv (plus ``--network=host`` and
``--progress=plain``), each timed (wall seconds). Tiers the plan leaves alone are answered
from the cache; the script checks that their image IDs did not change and that the new
version runs (``claude --version`` in the final image). New layer bytes are the layers the
bumped images hold that the images before the bump did not (a layer shared by several
projects counted once).

Between layouts the npm cache mount is cleared. The run starts by removing the build cache
and the ``aishellc-bench`` images of earlier runs, so that no version is a cache hit from an
earlier run, and ends by removing both again (``--keep`` keeps them). Meant for the
private engine of ``scripts/docker-sandbox``; without an engine it says so and exits 0.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.e2e import dockerutil  # noqa: E402
from tests.e2e.tiers import (  # noqa: E402
    Compiled,
    build_tier,
    compile_project,
    keep_manifest,
    plan,
    write_project,
)

TAG_PREFIX = "aishellc-bench"
INITIAL = "2.1.321"
# Claude Code releases (npm), each the target of one bump; all install a ~384 MB native
# binary, as INITIAL does.
BUMPS = (
    "2.1.322",
    "2.1.323",
    "2.1.324",
    "2.1.325",
    "2.1.326",
    "2.1.327",
    "2.1.328",
    "2.1.329",
    "2.1.330",
    "2.1.331",
    "2.1.332",
)
SECTION = "Rebuild after a harness bump"
BEGIN = "<!-- benchmarks/rebuild.py: begin -->"
END = "<!-- benchmarks/rebuild.py: end -->"

CONFIG = f"""\
tag_prefix = "{TAG_PREFIX}"

[foundation]
base_image = "debian:bookworm-slim"
node_image = "node:24-bookworm-slim"
tools = []
apt_packages = ["bash", "ca-certificates", "curl", "git", "gosu", "less", "sudo"]
"""

LIGHT = """\
FROM aishell:base
USER root
RUN apt-get update \\
    && apt-get install -y --no-install-recommends {packages} \\
    && rm -rf /var/lib/apt/lists/*
USER developer
"""
LIGHT_PACKAGES = ("jq tree", "make file", "zip unzip")

# A sizeable program built from source in the extension itself, as projects do with their
# interpreter or editor: CPython 3.11 from Debian's pinned source tarball.
HEAVY = """\
FROM aishell:base
USER root
RUN apt-get update \\
    && apt-get install -y --no-install-recommends build-essential pkg-config curl xz-utils \\
        libssl-dev zlib1g-dev libffi-dev libbz2-dev liblzma-dev libsqlite3-dev \\
        libreadline-dev libncurses-dev uuid-dev libgdbm-dev \\
    && rm -rf /var/lib/apt/lists/*
WORKDIR /usr/src/python
RUN curl -fsSLo python.tar.gz \\
        http://deb.debian.org/debian/pool/main/p/python3.11/python3.11_3.11.2.orig.tar.gz \\
    && echo '2411c74bda5bbcfcddaf4531f66d1adc73f247f529aee981b029513aefdbf849  python.tar.gz' \\
        | sha256sum -c - \\
    && tar -xzf python.tar.gz --strip-components=1 \\
    && rm python.tar.gz
RUN ./configure --prefix=/opt/python3.11 \\
    && make -j"$(nproc)" \\
    && make install \\
    && cd / && rm -rf /usr/src/python
ENV PATH=/opt/python3.11/bin:$PATH
WORKDIR /
USER developer
"""

LAYOUTS = {
    "two-tier (--legacy)": ("--legacy",),
    "three-tier inline": ("--harness-strategy", "inline"),
    "three-tier stage": ("--harness-strategy", "stage"),
}
TIERS = ("foundation", "extension", "runtime")


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Case:
    name: str
    dockerfiles: tuple[str, ...]

    @property
    def projects(self) -> int:
        return len(self.dockerfiles)


CASES = (
    Case("light", (LIGHT.format(packages=LIGHT_PACKAGES[0]),)),
    Case("heavy", (HEAVY,)),
    Case("light", tuple(LIGHT.format(packages=p) for p in LIGHT_PACKAGES)),
)


@dataclass
class Result:
    layout: str
    case: Case
    bump: tuple[str, str]
    seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(TIERS, 0.0))
    rebuilt: list[str] = field(default_factory=list)
    new_bytes: int = 0
    npm_runs: int = 0
    per_project: list[float] = field(default_factory=list)
    setup_seconds: float = 0.0

    @property
    def total(self) -> float:
        return sum(self.seconds.values())


class Bench:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.tags: set[str] = set()

    def compile(self, project: Path, version: str, layout_args: Sequence[str]) -> Compiled:
        compiled = compile_project(project, "--harness", f"claude@{version}", *layout_args)
        self.tags.update(compiled.tags.values())
        return compiled

    def run_case(self, layout: str, case: Case, bump: str) -> Result:
        layout_args = LAYOUTS[layout]
        slug = re.sub(r"[^a-z0-9]+", "-", f"{layout}-{case.name}-{case.projects}").strip("-")
        projects = [
            write_project(self.workdir / slug / f"p{i}", dockerfile, CONFIG)
            for i, dockerfile in enumerate(case.dockerfiles, 1)
        ]
        result = Result(layout, case, (INITIAL, bump))

        # Before: every project built at INITIAL (not part of the bump's cost).
        started = time.monotonic()
        before: list[Compiled] = []
        for project in projects:
            compiled = self.compile(project, INITIAL, layout_args)
            for tier in compiled.build_order:
                build_tier(compiled, tier)
            before.append(compiled)
        result.setup_seconds = time.monotonic() - started
        ids_before = {
            (i, tier): dockerutil.image_id(c.tag(tier))
            for i, c in enumerate(before)
            for tier in c.build_order
        }

        # The bump: recompile each project, ask the plan, build every tier in order.
        after: list[Compiled] = []
        for i, (project, old) in enumerate(zip(projects, before, strict=True)):
            previous = keep_manifest(old)
            compiled = self.compile(project, bump, layout_args)
            rebuild = plan(compiled, previous)["rebuild"]
            project_seconds = 0.0
            for tier in compiled.build_order:
                built = build_tier(compiled, tier)
                result.seconds[tier] += built.seconds
                project_seconds += built.seconds
                result.npm_runs += sum(
                    '"npm", "install"' in step for step in dockerutil.executed_steps(built.output)
                )
                changed = built.image_id != ids_before[(i, tier)]
                if changed != (tier in rebuild):
                    raise RuntimeError(
                        f"{slug} p{i + 1}: the plan says {rebuild}, but {tier} "
                        f"{'changed' if changed else 'did not change'}"
                    )
            result.per_project.append(project_seconds)
            for tier in rebuild:
                if tier not in result.rebuilt:
                    result.rebuilt.append(tier)
            version = dockerutil.run(compiled.final, "claude", "--version").split()[0]
            if version != bump:
                raise RuntimeError(f"{compiled.final} runs claude {version}, not {bump}")
            after.append(compiled)

        result.new_bytes = dockerutil.new_layer_bytes(
            [c.tag(t) for c in after for t in c.build_order],
            [c.tag(t) for c in before for t in c.build_order],
        )
        return result


def clear_npm_cache() -> None:
    dockerutil.docker("builder", "prune", "--force", "--filter", "type=exec.cachemount")


def remove_bench_images() -> None:
    listed = dockerutil.docker(
        "image",
        "ls",
        "--filter",
        f"reference={TAG_PREFIX}:*",
        "--format",
        "{{.Repository}}:{{.Tag}}",
    ).stdout.split()
    dockerutil.remove_images(*listed)


def machine() -> list[str]:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        models = re.findall(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        cpu = models[0] if models else cpu
    ram = "unknown"
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        found = re.search(r"^MemTotal:\s*(\d+) kB", meminfo.read_text(), re.MULTILINE)
        ram = f"{int(found.group(1)) / 1024**2:.1f} GiB" if found else ram
    server = dockerutil.docker(
        "version", "--format", "{{.Server.Version}}", check=False
    ).stdout.strip()
    driver = dockerutil.docker("info", "--format", "{{.Driver}}", check=False).stdout.strip()
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return [
        f"- CPU: {os.cpu_count()} cores (`nproc`), {cpu}",
        f"- RAM: {ram}",
        f"- OS: {platform.system()} {platform.release()}, {platform.machine()}",
        f"- Docker Engine {server} (Debian's docker.io), storage driver {driver}, "
        "BuildKit via `DOCKER_BUILDKIT=1`",
        f"- Date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}; aishellc at {commit}",
    ]


def mb(count: int) -> str:
    return f"{count / 1e6:,.0f} MB"


def table(results: Sequence[Result]) -> list[str]:
    baseline = {
        (r.case.name, r.case.projects): r.total for r in results if r.layout.startswith("two")
    }
    lines = [
        "| layout | extension | projects | bump | plan rebuilds | foundation s | extension s "
        "| runtime s | total s | npm runs | new layers | two-tier ÷ this |",
        "|---|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in results:
        base = baseline.get((r.case.name, r.case.projects))
        ratio = f"{base / r.total:.1f}x" if base else "–"
        lines.append(
            f"| {r.layout} | {r.case.name} | {r.case.projects} | {r.bump[0]} → {r.bump[1]} "
            f"| {', '.join(r.rebuilt)} | {r.seconds['foundation']:.1f} "
            f"| {r.seconds['extension']:.1f} | {r.seconds['runtime']:.1f} | {r.total:.1f} "
            f"| {r.npm_runs} | {mb(r.new_bytes)} | {ratio} |"
        )
    return lines


def goals(results: Sequence[Result]) -> list[str]:
    def find(layout: str, name: str, projects: int) -> Result | None:
        for r in results:
            if r.layout == layout and r.case.name == name and r.case.projects == projects:
                return r
        return None

    lines = []
    legacy_heavy = find("two-tier (--legacy)", "heavy", 1)
    for layout in ("three-tier inline", "three-tier stage"):
        heavy = find(layout, "heavy", 1)
        if legacy_heavy and heavy:
            speedup = legacy_heavy.total / heavy.total
            verdict = "met" if speedup >= 10 else "NOT met"
            lines.append(
                f"- Heavy extension, {layout}: {heavy.total:.1f} s against two-tier's "
                f"{legacy_heavy.total:.1f} s, {speedup:.1f}x faster (goal ≥ 10x: {verdict})."
            )
    for layout in LAYOUTS:
        one, three = find(layout, "light", 1), find(layout, "light", 3)
        if one and three:
            ratio = three.total / one.total
            goal = ""
            if layout == "three-tier stage":
                goal = f" (goal ≤ 1.3x: {'met' if ratio <= 1.3 else 'NOT met'})"
            each = " + ".join(f"{s:.1f}" for s in three.per_project)
            lines.append(
                f"- Three projects, {layout}: {three.total:.1f} s ({each}) against one "
                f"project's {one.total:.1f} s, {ratio:.2f}x{goal}."
            )
    return lines


def report(results: Sequence[Result], setup: float) -> str:
    cases = [
        "Claude Code bumps, each to a version never built before in the run: "
        + ", ".join(f"{r.layout} {r.case.name} ×{r.case.projects}: {r.bump[1]}" for r in results)
        + ".",
        f"Setting the projects up at {INITIAL} (not in the table) took {setup:.0f} s.",
    ]
    return "\n".join(
        [
            BEGIN,
            "Machine:",
            "",
            *machine(),
            "",
            *table(results),
            "",
            *goals(results),
            "",
            *cases,
            END,
        ]
    )


def write_section(path: Path, body: str) -> None:
    """Put ``body`` between the markers of the section, creating what is missing."""
    text = path.read_text() if path.is_file() else "# Benchmarks\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + body + rest.split(END, 1)[1]
    elif f"## {SECTION}\n" in text:
        head, rest = text.split(f"## {SECTION}\n", 1)
        text = f"{head}## {SECTION}\n\n{body}\n{rest}"
    else:
        text = f"{text.rstrip()}\n\n## {SECTION}\n\n{body}\n"
    path.write_text(text)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="light extensions only")
    parser.add_argument("--write", type=Path, help="put the results into this Markdown file")
    parser.add_argument("--keep", action="store_true", help="keep the images and build cache")
    args = parser.parse_args(argv)

    problem = dockerutil.engine_problem()
    if problem is None:
        missing = [t for t in dockerutil.STAND_IN_IMAGES if dockerutil.image_id(t) is None]
        if missing:
            problem = f"the engine lacks {', '.join(missing)}; run scripts/docker-sandbox start"
    if problem is not None:
        print(f"rebuild benchmark skipped: {problem}")
        return 0

    cases = [c for c in CASES if not (args.quick and c.name == "heavy")]
    if len(cases) * len(LAYOUTS) > len(BUMPS):
        raise SystemExit("not enough bump versions")
    say("removing earlier runs' images and the build cache")
    remove_bench_images()
    dockerutil.docker("builder", "prune", "--all", "--force")

    results: list[Result] = []
    versions = iter(BUMPS)
    workdir = Path(tempfile.mkdtemp(prefix="aishellc-rebuild-"))
    bench = Bench(workdir)
    setup = 0.0
    try:
        for layout in LAYOUTS:
            clear_npm_cache()
            for case in cases:
                bump = next(versions)
                say(f"{layout}, {case.name} x{case.projects}: {INITIAL} then {bump}")
                result = bench.run_case(layout, case, bump)
                setup += result.setup_seconds
                say(
                    f"  set up in {result.setup_seconds:.0f} s; bump {result.total:.1f} s "
                    f"({', '.join(f'{t} {s:.1f}' for t, s in result.seconds.items())}), "
                    f"{mb(result.new_bytes)} new"
                )
                results.append(result)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if not args.keep:
            say("removing the images and the build cache")
            dockerutil.remove_images(*sorted(bench.tags))
            dockerutil.docker("builder", "prune", "--all", "--force", check=False)

    body = report(results, setup)
    print(body)
    if args.write:
        write_section(args.write, body)
        say(f"wrote {args.write}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
