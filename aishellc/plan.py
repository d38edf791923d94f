"""``aishellc plan NEW [--previous OLD]``: which tiers must rebuild, why, and how.

A tier must rebuild when its hash differs from the previous manifest's (every hash covers
the hash of the tier below, so a rebuilt foundation rebuilds everything above it). The
reasons come from the extra detail ``manifest.json`` keeps per tier:

- foundation: the configuration (``config``: apt packages, tools and their versions,
  images, user), the rendered template and the files it copies;
- extension: the base tier's hash, the semantic sha256 of the user's Dockerfile
  (``source.semantic_sha256``; the extension's own also covers aishellc's rewrite), and
  every context file under ``inputs`` (``requirements.txt changed``, ``src/app.py added``),
  and the target and build platforms (``target platform linux/amd64 -> linux/arm64``);
- runtime: the base tier's hash, the harness versions (``claude 2.1.331 -> 2.1.332``) and
  packages, the strategy and the template.

Without ``--previous`` every tier is listed ("no previous manifest"). The plan assumes the
previous manifest's images were built; it does not ask Docker. Commands are the ``docker
build`` argv of the tiers to rebuild, in build order.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from aishellc.emit.manifest import manifest_problems
from aishellc.errors import Location, UserError

_MAX_FILES = 20


@attrs.frozen
class TierPlan:
    tier: str
    tag: str
    hash: str
    rebuild: bool
    reasons: tuple[str, ...]
    command: tuple[str, ...]


@attrs.frozen
class Plan:
    tiers: tuple[TierPlan, ...]
    """In build order."""
    notes: tuple[str, ...] = ()

    @property
    def rebuild(self) -> tuple[TierPlan, ...]:
        return tuple(tier for tier in self.tiers if tier.rebuild)

    @property
    def commands(self) -> tuple[tuple[str, ...], ...]:
        return tuple(tier.command for tier in self.rebuild)


def load_manifest(path: str) -> dict[str, Any]:
    """A ``manifest.json``, checked; :class:`UserError` (exit 2) when it is not usable."""
    where = Location(path)
    try:
        raw = Path(path).read_bytes()
    except IsADirectoryError:
        raise UserError(
            "is a folder, not a manifest", where, help="pass OUTDIR/manifest.json"
        ) from None
    except OSError as exc:
        raise UserError(
            f"cannot read the manifest: {(exc.strerror or str(exc)).lower()}", where
        ) from None
    try:
        data = json.loads(raw)
    except UnicodeDecodeError:
        raise UserError("the manifest is not UTF-8 JSON", where) from None
    except json.JSONDecodeError as exc:
        raise UserError(
            f"the manifest is not valid JSON: {exc.msg}", Location(path, exc.lineno, exc.colno)
        ) from None
    problems = manifest_problems(data)
    if problems:
        raise UserError(
            f"not an aishellc manifest: {problems[0]}",
            where,
            help="pass the manifest.json that `aishellc compile` wrote",
        )
    result: dict[str, Any] = data
    return result


def make_plan(new: Mapping[str, Any], previous: Mapping[str, Any] | None) -> Plan:
    """Compare two manifests (see the module docs)."""
    tiers = []
    for name in new["build_order"]:
        entry = new["tiers"][name]
        old = previous["tiers"].get(name) if previous is not None else None
        if old is None:
            reasons: list[str] = ["no previous manifest" if previous is None else "new tier"]
        elif old.get("hash") == entry["hash"]:
            reasons = []
        else:
            reasons = _REASONS[name](entry, old, new, previous or {}) or ["inputs changed"]
        tiers.append(
            TierPlan(
                tier=name,
                tag=entry["tag"],
                hash=entry["hash"],
                rebuild=bool(reasons),
                reasons=tuple(reasons),
                command=tuple(entry["command"]),
            )
        )
    return Plan(tuple(tiers), tuple(_notes(new)))


def render_text(plan: Plan) -> str:
    lines = []
    for tier in plan.tiers:
        if not tier.rebuild:
            lines.append(f"{tier.tier}: up to date ({tier.tag})")
        for reason in tier.reasons:
            lines.append(f"{tier.tier}: {reason}")
    lines.extend(f"note: {note}" for note in plan.notes)
    lines.append("")
    if plan.rebuild:
        lines.append("Run, in order:")
        lines.extend(f"  {shlex.join(command)}" for command in plan.commands)
    else:
        lines.append("Nothing to rebuild.")
    return "\n".join(lines) + "\n"


def plan_json(plan: Plan) -> dict[str, Any]:
    return {
        "rebuild": [tier.tier for tier in plan.rebuild],
        "tiers": [
            {
                "tier": tier.tier,
                "tag": tier.tag,
                "hash": tier.hash,
                "rebuild": tier.rebuild,
                "reasons": list(tier.reasons),
            }
            for tier in plan.tiers
        ],
        "commands": [list(command) for command in plan.commands],
        "notes": list(plan.notes),
    }


# --- reasons ---------------------------------------------------------------------------


def _base_changed(entry: Mapping[str, Any], old: Mapping[str, Any]) -> list[str]:
    base, old_base = entry.get("base"), old.get("base")
    if isinstance(base, dict) and isinstance(old_base, dict) and base != old_base:
        return [f"{base.get('tier')} changed"]
    return []


def _foundation(
    entry: Mapping[str, Any],
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    previous: Mapping[str, Any],
) -> list[str]:
    reasons = []
    config = entry.get("config") or {}
    old_config = old.get("config") or {}
    for key in sorted(set(config) | set(old_config)):
        now, before = config.get(key), old_config.get(key)
        if now == before:
            continue
        if key == "apt_packages" and isinstance(now, list) and isinstance(before, list):
            reasons.append("apt packages " + _list_change(before, now))
        elif key == "tools" and isinstance(now, list) and isinstance(before, list):
            reasons.extend(_tool_changes(before, now))
        elif isinstance(now, str) and isinstance(before, str):
            reasons.append(f"{key.replace('_', ' ')} {before} -> {now}")
        else:
            reasons.append(f"{key.replace('_', ' ')} changed")
    files, old_files = entry.get("files") or {}, old.get("files") or {}
    reasons.extend(_file_changes(old_files, files))
    if not reasons and entry.get("template_sha256") != old.get("template_sha256"):
        reasons.append(f"template changed{_compiler_change(previous, new)}")
    return reasons


def _extension(
    entry: Mapping[str, Any],
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    previous: Mapping[str, Any],
) -> list[str]:
    reasons = _base_changed(entry, old)
    source, old_source = new.get("source") or {}, previous.get("source") or {}
    if source.get("semantic_sha256") != old_source.get("semantic_sha256"):
        reasons.append("Dockerfile instructions changed")
    elif not reasons and entry.get("semantic_sha256") != old.get("semantic_sha256"):
        reasons.append(f"the generated Dockerfile changed{_compiler_change(previous, new)}")
    files = {item["path"]: item for item in entry.get("inputs") or [] if isinstance(item, dict)}
    old_files = {item["path"]: item for item in old.get("inputs") or [] if isinstance(item, dict)}
    reasons.extend(_file_changes(old_files, files))
    platforms, old_platforms = entry.get("platforms") or {}, old.get("platforms") or {}
    for which in ("target", "build"):
        if platforms.get(which) != old_platforms.get(which):
            reasons.append(f"{which} platform {old_platforms.get(which)} -> {platforms.get(which)}")
    return reasons


def _runtime(
    entry: Mapping[str, Any],
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    previous: Mapping[str, Any],
) -> list[str]:
    reasons = _base_changed(entry, old)
    harnesses, old_harnesses = entry.get("harnesses") or {}, old.get("harnesses") or {}
    packages, old_packages = entry.get("packages") or {}, old.get("packages") or {}
    for name in sorted(set(harnesses) | set(old_harnesses)):
        now, before = harnesses.get(name), old_harnesses.get(name)
        if before is None:
            reasons.append(f"{name} added ({now})")
        elif now is None:
            reasons.append(f"{name} removed")
        elif now != before:
            reasons.append(f"{name} {before} -> {now}")
        elif name in packages and packages.get(name) != old_packages.get(name):
            reasons.append(f"{name} package {old_packages.get(name)} -> {packages[name]}")
    if entry.get("strategy") != old.get("strategy"):
        reasons.append(f"strategy {old.get('strategy')} -> {entry.get('strategy')}")
    if not reasons and entry.get("template_sha256") != old.get("template_sha256"):
        reasons.append("template changed")
    return reasons


def _compiler_change(previous: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    """`` (aishellc OLD -> NEW)`` when the two manifests come from different aishellc versions."""
    before, now = _version(previous), _version(new)
    return f" (aishellc {before} -> {now})" if before != now else ""


_REASONS = {"foundation": _foundation, "extension": _extension, "runtime": _runtime}


def _list_change(before: Sequence[Any], now: Sequence[Any]) -> str:
    added = [f"+{item}" for item in now if item not in before]
    removed = [f"-{item}" for item in before if item not in now]
    return ", ".join(added + removed) or "reordered"


def _tool_changes(before: Sequence[Any], now: Sequence[Any]) -> list[str]:
    old_tools = {t.get("name"): t for t in before if isinstance(t, dict)}
    new_tools = {t.get("name"): t for t in now if isinstance(t, dict)}
    reasons = []
    for name in sorted(set(old_tools) | set(new_tools), key=str):
        old_tool, new_tool = old_tools.get(name), new_tools.get(name)
        if old_tool is None and new_tool is not None:
            reasons.append(f"tool {name} {new_tool.get('version')} added")
        elif new_tool is None or old_tool is None:
            reasons.append(f"tool {name} removed")
        elif old_tool.get("version") != new_tool.get("version"):
            reasons.append(f"tool {name} {old_tool.get('version')} -> {new_tool.get('version')}")
        elif old_tool != new_tool:
            reasons.append(f"tool {name} changed")
    return reasons


def _file_changes(before: Mapping[str, Any], now: Mapping[str, Any]) -> list[str]:
    changes = []
    for path in sorted(set(before) | set(now)):
        if path not in before:
            changes.append(f"{path} added")
        elif path not in now:
            changes.append(f"{path} removed")
        elif before[path] != now[path]:
            changes.append(f"{path} changed")
    if len(changes) > _MAX_FILES:
        rest = len(changes) - _MAX_FILES
        changes = [*changes[:_MAX_FILES], f"and {rest} more files changed"]
    return changes


def _version(manifest: Mapping[str, Any]) -> str:
    compiler = manifest.get("compiler")
    return str(compiler.get("version")) if isinstance(compiler, dict) else "?"


def _notes(new: Mapping[str, Any]) -> list[str]:
    runtime = new["tiers"]["runtime"]
    harnesses = runtime.get("harnesses") or {}
    return [
        f"{name} is not pinned (latest): a new release does not change its hash"
        for name in sorted(harnesses)
        if harnesses[name] == "latest"
    ]
