"""What does a harness bump cost? Two tiers (``--legacy``) against three, in one run.

    scripts/docker-sandbox start
    python benchmarks/rebuild.py [--quick] [--repeat N] [--write docs/benchmarks.md] [--keep]

For each layout — two-tier (``--legacy``: the harnesses in the base, the project's
extension on top), three-tier ``inline`` and three-tier ``stage`` — and each case:

- a light extension (a couple of apt packages), one project;
- a heavy extension (CPython 3.11 compiled from Debian's source tarball in the extension,
  a few minutes on two cores), one project;
- three light projects sharing one foundation, bumped one after the other;

the projects are compiled with Claude Code at ``INITIAL`` and built (not timed), then bumped
``--repeat`` times (3) in a row, each time recompiled with a version that was never built
before in this run and rebuilt: every tier
in build order with the manifest's own ``docker build`` argv (plus ``--network=host`` and
``--progress=plain``), each timed (wall seconds). Tiers the plan leaves alone are answered
from the cache; the script checks that their image IDs did not change and that the new
version runs (``claude --version`` in the final image). New layer bytes are the layers the
bumped images hold that the images before the bump did not (a layer shared by several
projects counted once). The table shows, per case, the bump with the median total and the
range of the totals: the npm install's time varies from run to run with the registry.

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
INITIAL = "2.1.296"
# Claude Code releases on npm after INITIAL (2.1.297, .298, .313 and .320 do not exist), each
# the target of at most one bump in a run; every one installs a native binary of 270-400 MB.
BUMPS = (
    "2.1.299",
    "2.1.300",
    "2.1.301",
    "2.1.302",
    "2.1.303",
    "2.1.304",
    "2.1.305",
    "2.1.306",
    "2.1.307",
    "2.1.308",
    "2.1.309",
    "2.1.310",
    "2.1.311",
    "2.1.312",
    "2.1.314",
    "2.1.315",
    "2.1.316",
    "2.1.317",
    "2.1.318",
    "2.1.319",
    "2.1.321",
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
base_image = "debian:trixie-slim"
node_image = "node:24-trixie-slim"
tools = []
sqlite = false
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
class Bump:
    """One bump of every project of a case, from one version to the next."""

    versions: tuple[str, str]
    seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(TIERS, 0.0))
    per_project: list[float] = field(default_factory=list)
    rebuilt: list[str] = field(default_factory=list)
    npm_runs: int = 0
    new_bytes: int = 0

    @property
    def total(self) -> float:
        return sum(self.seconds.values())


@dataclass
class Result:
    layout: str
    case: Case
    bumps: list[Bump] = field(default_factory=list)
    setup_seconds: float = 0.0

    @property
    def median(self) -> Bump:
        """The bump with the median total (the lower one of the middle two)."""
        ordered = sorted(self.bumps, key=lambda bump: bump.total)
        return ordered[(len(ordered) - 1) // 2]

    @property
    def total(self) -> float:
        return self.median.total


class Bench:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.tags: set[str] = set()

    def compile(self, project: Path, version: str, layout_args: Sequence[str]) -> Compiled:
        compiled = compile_project(project, "--harness", f"claude@{version}", *layout_args)
        self.tags.update(compiled.tags.values())
        return compiled

    def run_case(self, layout: str, case: Case, versions: Sequence[str]) -> Result:
        """Build the case's projects at INITIAL, then bump them to each of ``versions``."""
        layout_args = LAYOUTS[layout]
        slug = re.sub(r"[^a-z0-9]+", "-", f"{layout}-{case.name}-{case.projects}").strip("-")
        projects = [
            write_project(self.workdir / slug / f"p{i}", dockerfile, CONFIG)
            for i, dockerfile in enumerate(case.dockerfiles, 1)
        ]
        result = Result(layout, case)

        # Before: every project built at INITIAL (not part of any bump's cost).
        started = time.monotonic()
        current: list[Compiled] = []
        for project in projects:
            compiled = self.compile(project, INITIAL, layout_args)
            for tier in compiled.build_order:
                build_tier(compiled, tier)
            current.append(compiled)
        result.setup_seconds = time.monotonic() - started

        previous_version = INITIAL
        for version in versions:
            bump, current = self.bump(slug, current, version, layout_args)
            bump.versions = (previous_version, version)
            previous_version = version
            say(
                f"  {bump.versions[0]} -> {version}: {bump.total:.1f} s "
                f"({', '.join(f'{t} {s:.1f}' for t, s in bump.seconds.items())}), "
                f"npm ran {bump.npm_runs}x, {mb(bump.new_bytes)} new"
            )
            result.bumps.append(bump)
        return result

    def bump(
        self, slug: str, before: list[Compiled], version: str, layout_args: Sequence[str]
    ) -> tuple[Bump, list[Compiled]]:
        """Recompile each project at ``version``, ask the plan, build every tier in order."""
        bump = Bump(("", version))
        ids_before = {
            (i, tier): dockerutil.image_id(c.tag(tier))
            for i, c in enumerate(before)
            for tier in c.build_order
        }
        after: list[Compiled] = []
        for i, old in enumerate(before):
            previous = keep_manifest(old)
            compiled = self.compile(old.project, version, layout_args)
            rebuild = plan(compiled, previous)["rebuild"]
            project_seconds = 0.0
            for tier in compiled.build_order:
                built = build_tier(compiled, tier)
                bump.seconds[tier] += built.seconds
                project_seconds += built.seconds
                bump.npm_runs += sum(
                    '"npm", "install"' in step for step in dockerutil.executed_steps(built.output)
                )
                changed = built.image_id != ids_before[(i, tier)]
                if changed != (tier in rebuild):
                    raise RuntimeError(
                        f"{slug} p{i + 1}: the plan says {rebuild}, but {tier} "
                        f"{'changed' if changed else 'did not change'}"
                    )
            bump.per_project.append(project_seconds)
            bump.rebuilt.extend(t for t in rebuild if t not in bump.rebuilt)
            ran = dockerutil.run(compiled.final, "claude", "--version").split()[0]
            if ran != version:
                raise RuntimeError(f"{compiled.final} runs claude {ran}, not {version}")
            after.append(compiled)

        new_tags = [c.tag(t) for c in after for t in c.build_order]
        old_tags = [c.tag(t) for c in before for t in c.build_order]
        bump.new_bytes = dockerutil.new_layer_bytes(new_tags, old_tags)
        # The images before the bump are not needed any more: keep the disk from filling.
        dockerutil.remove_images(*sorted(set(old_tags) - set(new_tags)))
        return bump, after


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
        "| layout | extension | projects | plan rebuilds | foundation s | extension s "
        "| runtime s | total s | range s | npm runs | new layers | two-tier ÷ this |",
        "|---|---|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in results:
        m = r.median
        base = baseline.get((r.case.name, r.case.projects))
        ratio = f"{base / r.total:.1f}x" if base else "–"
        totals = [b.total for b in r.bumps]
        lines.append(
            f"| {r.layout} | {r.case.name} | {r.case.projects} | {', '.join(m.rebuilt)} "
            f"| {m.seconds['foundation']:.1f} | {m.seconds['extension']:.1f} "
            f"| {m.seconds['runtime']:.1f} | **{m.total:.1f}** "
            f"| {min(totals):.1f}–{max(totals):.1f} | {m.npm_runs} | {mb(m.new_bytes)} "
            f"| {ratio} |"
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
            each = " + ".join(f"{s:.1f}" for s in three.median.per_project)
            lines.append(
                f"- Three projects, {layout}: {three.total:.1f} s ({each}) against one "
                f"project's {one.total:.1f} s, {ratio:.2f}x{goal}."
            )
    return lines


def report(results: Sequence[Result], setup: float) -> str:
    bumps = max((len(r.bumps) for r in results), default=0)
    versions = [
        f"{r.layout}, {r.case.name} ×{r.case.projects}: "
        + " → ".join([r.bumps[0].versions[0], *(b.versions[1] for b in r.bumps)])
        for r in results
        if r.bumps
    ]
    return "\n".join(
        [
            BEGIN,
            "Machine:",
            "",
            *machine(),
            "",
            f"Each case was bumped {bumps} times in a row, each time to a Claude Code version "
            "never built before in the run; the table shows the bump with the median total "
            "(its seconds per tier, npm runs and new layer bytes) and the range of the totals.",
            "",
            *table(results),
            "",
            *goals(results),
            "",
            "Versions:",
            "",
            *(f"- {line}" for line in versions),
            "",
            f"Building the projects at {INITIAL} first (not in the table) took {setup:.0f} s.",
            END,
        ]
    )


def write_section(
    path: Path, body: str, section: str = SECTION, begin: str = BEGIN, end: str = END
) -> None:
    """Put ``body`` between the markers of the section, creating what is missing."""
    text = path.read_text() if path.is_file() else "# Benchmarks\n"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + body + rest.split(end, 1)[1]
    elif f"## {section}\n" in text:
        head, rest = text.split(f"## {section}\n", 1)
        text = f"{head}## {section}\n\n{body}\n{rest}"
    else:
        text = f"{text.rstrip()}\n\n## {section}\n\n{body}\n"
    path.write_text(text)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="light extensions only")
    parser.add_argument("--write", type=Path, help="put the results into this Markdown file")
    parser.add_argument("--keep", action="store_true", help="keep the images and build cache")
    parser.add_argument(
        "--repeat", type=int, default=3, help="bumps per case, each to a new version (3)"
    )
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
    if args.repeat < 1 or len(cases) * len(LAYOUTS) * args.repeat > len(BUMPS):
        most = len(BUMPS) // (len(cases) * len(LAYOUTS))
        raise SystemExit(f"--repeat: from 1 to {most} ({len(BUMPS)} versions to bump to)")
    say("removing earlier runs' images and the build cache")
    remove_bench_images()
    dockerutil.docker("builder", "prune", "--all", "--force")

    # Round r of bumps takes the r-th slice of BUMPS, one version for each case in turn: the
    # binary grows from release to release (~270 MB at 2.1.299, ~380 MB at 2.1.332), so every
    # case gets an early, a middle and a late version rather than one case all the big ones.
    cells = [(layout, case) for layout in LAYOUTS for case in cases]
    targets = {
        cell: [BUMPS[r * len(cells) + i] for r in range(args.repeat)]
        for i, cell in enumerate(cells)
    }
    results: list[Result] = []
    workdir = Path(tempfile.mkdtemp(prefix="aishellc-rebuild-"))
    bench = Bench(workdir)
    setup = 0.0
    try:
        for layout in LAYOUTS:
            clear_npm_cache()
            for case in cases:
                versions = targets[(layout, case)]
                say(f"{layout}, {case.name} x{case.projects}: {INITIAL}, then {versions}")
                result = bench.run_case(layout, case, versions)
                setup += result.setup_seconds
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
