"""The handlers of ``aishellc build``, ``aishellc plan MANIFEST --engine`` and
``aishellc prune``.

``build`` compiles (the same diagnostics and output folder as ``compile``), then reads the
manifest back through the checks ``plan`` makes (:func:`aishellc.manifest.plan.load_manifest`,
:func:`aishellc.manifest.plan.check_output_files`: a stale manifest is refused the same way), and
makes each tier's image exist in build order (:mod:`aishellc.engine.decide`). Builds run
from the project root, where the manifest's paths start. The run ends with a table (tier,
tag, action, seconds) on stdout, or the same as JSON; the engine's output goes to stderr.

``prune`` removes aishell tier images (by their ``aishell.tier`` and hash labels) that no
container uses and that are not among the newest N of their tier and project (an untagged
one never is). A project is told apart by its image repository (``[REGISTRY/]TAG_PREFIX``):
projects that share one share the N.
"""

from __future__ import annotations

import argparse
import posixpath
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

import attrs

from aishellc.emit.bake import HOME_PREFIX
from aishellc.engine.buildkit import BuildOptions, build_argv, has_buildx, run_build
from aishellc.engine.client import Engine, TierImage
from aishellc.engine.decide import (
    Decision,
    PullPolicy,
    TierState,
    asks_registry,
    decide,
    hash_label,
)
from aishellc.errors import UserError
from aishellc.terminal import visible

EXIT_OK = 0
EXIT_BUILD_FAILED = 1

_PLAN_WORDS = {"up to date": "up to date", "pull": "would pull", "build": "would build"}


@attrs.frozen
class Row:
    """One line of ``build``'s table."""

    tier: str
    tag: str
    action: str
    """up to date, pulled, built or failed."""
    pushed: bool
    seconds: float
    warnings: tuple[str, ...]


def uses_registry(manifest: Mapping[str, Any]) -> bool:
    """Whether the manifest was compiled with a ``registry``: its tiers then name their
    registry cache (``cache_from``), and their tags are in that registry."""
    return any(manifest["tiers"][name].get("cache_from") for name in manifest["build_order"])


def observe(
    engine: Engine, name: str, entry: Mapping[str, Any], policy: PullPolicy, registry: bool
) -> TierState:
    """What the engine (and, when it matters, the registry) knows of a tier's tag."""
    tag, digest = entry["tag"], entry["hash"]
    image = engine.local_image(tag)
    label = None if image is None else image.labels.get(hash_label(name), "")
    local_ok = image is not None and label == digest
    remote = engine.registry_has(tag) if asks_registry(local_ok, policy, registry) else None
    return TierState(name, tag, digest, label, image is not None, remote)


# --- plan --engine ---------------------------------------------------------------------


def plan_decisions(manifest: Mapping[str, Any], policy: PullPolicy = "missing") -> list[Decision]:
    engine = Engine()
    registry = uses_registry(manifest)
    return [
        decide(observe(engine, name, manifest["tiers"][name], policy, registry), policy, registry)
        for name in manifest["build_order"]
    ]


def render_plan(decisions: Sequence[Decision]) -> str:
    lines = []
    for decision in decisions:
        lines.append(f"{decision.tier}: {_PLAN_WORDS[decision.action]} ({visible(decision.tag)})")
        if decision.warning is not None:
            lines.append(f"{decision.tier}: warning: {visible(decision.warning)}")
    if all(decision.action == "up to date" for decision in decisions):
        lines.append("Nothing to build.")
    return "\n".join(lines) + "\n"


def plan_json(decisions: Sequence[Decision]) -> dict[str, Any]:
    return {
        "tiers": [
            {
                "tier": decision.tier,
                "tag": decision.tag,
                "action": decision.action,
                "warnings": [decision.warning] if decision.warning is not None else [],
            }
            for decision in decisions
        ],
        "pull": [decision.tier for decision in decisions if decision.action == "pull"],
        "build": [decision.tier for decision in decisions if decision.action == "build"],
    }


# --- build -----------------------------------------------------------------------------


class _BuildFailed(Exception):
    def __init__(self, tier: str, status: int) -> None:
        super().__init__(tier, status)
        self.tier = tier
        self.status = status


def cmd_build(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from aishellc import cli
    from aishellc.compiler.analysis import default_context
    from aishellc.manifest.plan import check_output_files, load_manifest

    try:
        status = cli._cmd_compile(argparse.Namespace(**{**vars(args), "format": "text"}), err, err)
        if status != EXIT_OK:
            return status
        manifest_path = posixpath.join(posixpath.normpath(args.outdir), "manifest.json")
        manifest = load_manifest(manifest_path)
        check_output_files(manifest_path, manifest)
        registry = uses_registry(manifest)
        if args.push and not registry:
            raise UserError(
                "--push: no registry to push to",
                help='set registry = "HOST[:PORT][/PATH]" in aishellc.toml',
            )
        root = args.context if args.context is not None else default_context(args.dockerfile)
        rows: list[Row] = []
        try:
            _build_tiers(args, manifest, registry, root, rows, err)
        except _BuildFailed as failed:
            _write_rows(args.format, out, manifest, rows)
            err.write(
                f"aishellc: the {failed.tier} tier failed to build (docker exited "
                f"{failed.status}); the tiers after it were not attempted, the ones before "
                "it are kept\n"
            )
            return EXIT_BUILD_FAILED
    except UserError as exc:
        if args.format == "json":
            cli._write_json_error(out, exc)
        raise
    _write_rows(args.format, out, manifest, rows)
    return EXIT_OK


def _build_tiers(
    args: argparse.Namespace,
    manifest: Mapping[str, Any],
    registry: bool,
    root: str,
    rows: list[Row],
    err: TextIO,
) -> None:
    engine = Engine()
    options = BuildOptions(
        buildx=has_buildx(),
        progress=args.progress,
        network=args.network,
        push=args.push,
        home=str(Path.home()),
    )
    for name in manifest["build_order"]:
        entry = manifest["tiers"][name]
        started = time.monotonic()
        decision = decide(observe(engine, name, entry, args.pull, registry), args.pull, registry)
        warnings = [decision.warning] if decision.warning is not None else []
        action: str = decision.action
        if action == "pull":
            engine.pull(entry["tag"])
            pulled = engine.local_image(entry["tag"])
            label = None if pulled is None else pulled.labels.get(hash_label(name), "")
            if label == entry["hash"]:
                action = "pulled"
            else:
                warnings.append(
                    f"the pulled {entry['tag']} has {hash_label(name)}={label or 'none'}, not "
                    f"{entry['hash']}: not trusted, rebuilt"
                )
                action = "build"
        for warning in warnings:
            err.write(f"warning: {name}: {visible(warning)}\n")
        if action == "build":
            try:
                _build_one(engine, name, entry, options, root, err)
            except _BuildFailed:
                rows.append(
                    Row(name, entry["tag"], "failed", False, _since(started), tuple(warnings))
                )
                raise
            action = "built"
        pushed = False
        if args.push and action != "pulled":
            engine.push(entry["tag"])
            pushed = True
        rows.append(Row(name, entry["tag"], action, pushed, _since(started), tuple(warnings)))


def _since(started: float) -> float:
    return round(time.monotonic() - started, 1)


def _build_one(
    engine: Engine,
    name: str,
    entry: Mapping[str, Any],
    options: BuildOptions,
    root: str,
    err: TextIO,
) -> None:
    """Build a tier untagged, check its hash label, then tag it."""
    with tempfile.TemporaryDirectory(prefix="aishellc-build-") as scratch:
        iidfile = posixpath.join(scratch, "iid")
        *options_argv, context = entry["command"]
        if context.startswith(HOME_PREFIX):  # the global tier is built in ~/.aishell
            context = str(Path(context).expanduser())
        argv = build_argv(
            [*options_argv, context],
            iidfile,
            options,
            entry.get("cache_from", ()),
            entry.get("cache_to", ()),
        )
        err.write(f"building {name} ({visible(entry['tag'])})\n")
        status, output = run_build(argv, root, err, stream=options.progress != "quiet")
        if status != 0:
            if options.progress == "quiet":
                err.write(output + "\n")
            raise _BuildFailed(name, status)
        image_id = Path(iidfile).read_text(encoding="ascii").strip()
    image = engine.local_image(image_id)
    label = None if image is None else image.labels.get(hash_label(name))
    if label != entry["hash"]:
        raise UserError(
            f"the image built for {name} has {hash_label(name)}={label}, not {entry['hash']}",
            help="the build did not apply the manifest's labels; it was not tagged",
        )
    engine.tag(image_id, entry["tag"])


def _write_rows(fmt: str, out: TextIO, manifest: Mapping[str, Any], rows: Sequence[Row]) -> None:
    if fmt == "json":
        from aishellc.cli import _write_json

        _write_json(
            out,
            {
                "final": manifest["final"],
                "tiers": [
                    {
                        "tier": row.tier,
                        "tag": row.tag,
                        "action": row.action,
                        "pushed": row.pushed,
                        "seconds": row.seconds,
                        "warnings": list(row.warnings),
                    }
                    for row in rows
                ],
            },
        )
        return
    header = ("tier", "tag", "action", "seconds")
    table = [header] + [
        (
            row.tier,
            visible(row.tag),
            row.action + (", pushed" if row.pushed else ""),
            f"{row.seconds:.1f}",
        )
        for row in rows
    ]
    widths = [max(len(line[column]) for line in table) for column in range(3)]
    for line in table:
        cells = [line[column].ljust(widths[column]) for column in range(3)]
        out.write("  ".join(cells) + "  " + line[3].rjust(7) + "\n")
    if rows and len(rows) == len(manifest["build_order"]):
        if all(row.action == "up to date" for row in rows):
            out.write("nothing built: every tier is up to date\n")
        out.write(f"run: {visible(manifest['final'])}\n")


# --- prune -----------------------------------------------------------------------------


def repository(image: TierImage) -> str:
    """The image's repository (``[REGISTRY/]aishell``: its project)."""
    return image.tags[0].rpartition(":")[0]


def choose_removals(
    images: Sequence[TierImage], in_use: frozenset[str], keep: int
) -> list[TierImage]:
    """The images ``prune`` removes, used by no container: the tagged ones not among the
    newest ``keep`` of their tier and project, and every untagged one (a tag that moved to
    a rebuilt image left it behind); sorted by project, tier, age (newest first), ID."""
    groups: dict[tuple[str, str], list[TierImage]] = {}
    for image in images:
        key = (repository(image), image.tier) if image.tags else ("", image.tier)
        groups.setdefault(key, []).append(image)
    removals: list[TierImage] = []
    for key in sorted(groups):
        newest_first = sorted(groups[key], key=lambda image: (-image.created, image.id))
        kept = keep if key[0] else 0
        removals.extend(image for image in newest_first[kept:] if image.id not in in_use)
    return removals


def cmd_prune(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.keep < 0:
        raise UserError("--keep: give a number of images, 0 or more", help="e.g. --keep 1")
    engine = Engine()
    removals = choose_removals(engine.tier_images(), engine.images_in_use(), args.keep)
    verb = "would remove" if args.dry_run else "removed"
    before = 0 if args.dry_run else engine.layers_size()
    for image in removals:
        if not args.dry_run:
            engine.remove(image)
        names = ", ".join(image.tags) or image.id
        out.write(f"{verb} {visible(image.tier)} {visible(names)} ({image.size} bytes)\n")
    if args.dry_run:
        total = sum(image.size for image in removals)
        out.write(f"would reclaim at most {total} bytes ({len(removals)} image(s))\n")
    else:
        reclaimed = max(before - engine.layers_size(), 0)
        out.write(f"reclaimed {reclaimed} bytes ({len(removals)} image(s))\n")
    return EXIT_OK
