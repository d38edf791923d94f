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
build`` argv of the tiers to rebuild, in build order, to run from the project root (every
path in a manifest is relative to it).

A manifest is untrusted input (it is a file in the project, and pipelines edit it). It is
read as a regular file of at most :data:`MAX_MANIFEST_BYTES`, and checked against
``manifest.schema.json`` (:mod:`aishellc.manifest.schema`) before anything reads it: a
hand-edited one is a located error (the file, the line and column of the offending value
found by :mod:`aishellc.manifest.json_locate`, its JSON path, what is wrong), never a crash.
Each tier's command is rebuilt from its fields (``dockerfile``, ``tag``, ``build_args``,
``labels``, ``context``) by :meth:`TierBuild.command`, the function ``compile`` wrote it
with; a manifest whose ``command`` is anything else is refused, so
``plan`` never prints a command the fields do not describe. In the text output every value
from a manifest goes through :func:`aishellc.terminal.visible` and every argument through
:func:`aishellc.terminal.shell_word`: one line per item, and what is printed is what runs.

The manifest to build (not ``--previous``, whose files are gone by design) must still
describe the files beside it (:func:`check_output_files`): each tier's Dockerfile and the
foundation's files, in the folder that holds the manifest, with the sha256 it records. A
file edited after the compile, a missing one, or an older manifest passed in the place of
the new one (``plan built.json --previous build/manifest.json``) is refused, naming the
file: otherwise the commands would build new contents under an old tag.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import attrs

from aishellc.emit.bake import HOME_PREFIX
from aishellc.emit.manifest import SCHEMA_VERSION, TierBuild
from aishellc.errors import Location, UserError
from aishellc.input_files import read_capped, read_input, too_deep, too_many_digits
from aishellc.manifest.json_locate import locate
from aishellc.manifest.schema import manifest_problem
from aishellc.terminal import shell_word, visible

_MAX_FILES = 20
MAX_MANIFEST_BYTES = 64 << 20
"""The largest manifest read: a context of a million files lists in about 150 MiB, one of
100,000 files in 15 MiB."""
_MAX_OUTPUT_FILE_BYTES = MAX_MANIFEST_BYTES
"""The largest file of an output folder ``plan`` hashes (a generated Dockerfile is its
source, capped at 16 MiB, plus a header)."""
_USE_COMPILED = "pass the manifest.json that `aishellc compile` wrote"
_RECOMPILE = (
    "compile again to rewrite the output folder; an older manifest (of what was built "
    "before) goes after --previous"
)


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
    raw = read_input(path, "the manifest", MAX_MANIFEST_BYTES, help=_USE_COMPILED)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UserError("the manifest is not UTF-8 JSON", Location(path)) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(
            f"the manifest is not valid JSON: {exc.msg}", Location(path, exc.lineno, exc.colno)
        ) from None
    except RecursionError:
        raise too_deep(path, "the manifest") from None
    except ValueError:  # the only other ValueError: an integer past Python's digit limit
        raise too_many_digits(text, path, "the manifest") from None
    version = data.get("schema_version") if isinstance(data, dict) else None
    if isinstance(version, int) and version != SCHEMA_VERSION:
        raise UserError(
            f"not an aishellc manifest: $.schema_version: {version}, written by another "
            f"aishellc (this one reads {SCHEMA_VERSION})",
            Location(path, *locate(text, ("schema_version",))),
            help="compile again with this aishellc (for --previous: the sources of what was "
            "built), or leave --previous out",
        )
    problem = manifest_problem(data)
    if problem is not None:
        raise UserError(
            f"not an aishellc manifest: {problem.json_path}: {problem.message}",
            Location(path, *locate(text, problem.keys)),
            help=_USE_COMPILED,
        )
    for name, entry in data["tiers"].items():
        if entry["command"] != _command(name, entry):
            raise UserError(
                f"not an aishellc manifest: $.tiers.{name}.command is not the docker build "
                "its dockerfile, tag, build_args, labels and context describe",
                Location(path, *locate(text, ("tiers", name, "command"))),
                help=_USE_COMPILED,
            )
    last = data["tiers"][data["build_order"][-1]]["tag"]
    if data["final"] != last:
        raise UserError(
            "not an aishellc manifest: $.final is not the tag of the last tier in build_order",
            Location(path, *locate(text, ("final",))),
            help=_USE_COMPILED,
        )
    result: dict[str, Any] = data
    return result


def check_output_files(path: str, manifest: Mapping[str, Any]) -> None:
    """Refuse (:class:`UserError`) a manifest whose files, in the folder that holds it, are
    missing or no longer have the sha256 it records (see the module docs)."""
    folder = posixpath.dirname(path) or "."
    try:
        folder_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise UserError(
            f"cannot read the folder of the manifest: {exc.strerror or exc}", _whole_file(folder)
        ) from None
    try:
        for name, recorded in _recorded_files(path, manifest):
            shown = posixpath.join(folder, name) if folder != "." else name
            try:
                data = read_capped(name, _MAX_OUTPUT_FILE_BYTES, dir_fd=folder_fd)
            except FileNotFoundError:
                raise UserError(
                    f"{shown}, which this manifest describes, is missing (a manifest "
                    "describes the output folder it sits in)",
                    _whole_file(path),
                    help=_RECOMPILE,
                ) from None
            except OSError as exc:
                raise UserError(
                    f"cannot read a file {path} describes: {exc.strerror or exc}",
                    _whole_file(shown),
                    help=_RECOMPILE,
                ) from None
            if hashlib.sha256(data).hexdigest() != recorded:
                raise UserError(
                    f"changed after the compile: its sha256 is not the one {path} records "
                    "(or that manifest is not the one compiled with it)",
                    _whole_file(shown),
                    help=_RECOMPILE,
                )
    finally:
        os.close(folder_fd)


def _whole_file(path: str) -> Location:
    """A file as a whole (no line): printed as its path alone."""
    return Location(path, 0, 0)


def _recorded_files(path: str, manifest: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """Each file the manifest records a sha256 for, by its name in the output folder:
    every tier's Dockerfile, then the files of the foundation's context (``files`` names
    them from the output folder)."""
    for name in manifest["build_order"]:
        entry = manifest["tiers"][name]
        yield _inside(path, posixpath.basename(entry["dockerfile"])), entry["dockerfile_sha256"]
    for name, digest in sorted(manifest["tiers"]["foundation"]["files"].items()):
        yield _inside(path, name), digest


def _inside(path: str, name: str) -> str:
    """``name`` if it is a file name inside the output folder (a hand-edited manifest may
    say anything)."""
    if name.startswith("/") or any(part in ("", ".", "..") for part in name.split("/")):
        raise UserError(
            f"not an aishellc manifest: it names {name!r} as a file of its output folder",
            _whole_file(path),
            help=_USE_COMPILED,
        )
    return name


_HOME_SOURCE = ",src=~/"


def _command_word(arg: str) -> str:
    """An argv item as the shell should see it: quoted, except that a secret's file below
    the home folder (``id=npmrc,src=~/.npmrc``) prints as ``"$HOME"/...``, which the shell
    expands to this user's home (a quoted ``~`` would reach docker as it is); so does a
    context there (the global tier's ``~/.aishell``)."""
    if arg.startswith(HOME_PREFIX):  # the global tier's context, ~/.aishell
        return '"$HOME"/' + shell_word(arg.removeprefix(HOME_PREFIX))
    head, found, tail = arg.partition(_HOME_SOURCE)
    if not found or not head.startswith("id="):
        return shell_word(arg)
    return shell_word(head + ",src=") + '"$HOME"/' + shell_word(tail)


def _command(name: str, entry: Mapping[str, Any]) -> list[str]:
    """The argv ``compile`` writes for a tier with these fields."""
    build = TierBuild(
        name=name,
        tag=entry["tag"],
        hash=entry["hash"],
        dockerfile=entry["dockerfile"],
        context=entry["context"],
        build_args=entry["build_args"],
        labels=entry["labels"],
        platform=entry.get("platform"),
        secrets=entry.get("secrets", {}),
    )
    return build.command()


def make_plan(new: Mapping[str, Any], previous: Mapping[str, Any] | None) -> Plan:
    """Compare two manifests (see the module docs)."""
    tiers = []
    for name in new["build_order"]:
        entry = new["tiers"][name]
        if previous is None:
            reasons = ["no previous manifest"]
        elif name not in previous["tiers"]:
            reasons = ["not in the previous manifest"]
        elif previous["tiers"][name]["hash"] == entry["hash"]:
            reasons = []
        else:
            old = previous["tiers"][name]
            reasons = _REASONS[name](entry, old, new, previous) or ["inputs changed"]
        tiers.append(
            TierPlan(
                tier=name,
                tag=entry["tag"],
                hash=entry["hash"],
                rebuild=bool(reasons),
                reasons=tuple(reasons),
                command=tuple(_command(name, entry)),
            )
        )
    return Plan(tuple(tiers), tuple(_notes(new)))


def render_text(plan: Plan) -> str:
    """The plan for people: values escaped, one line each (see the module docs)."""
    lines = []
    for tier in plan.tiers:
        if not tier.rebuild:
            lines.append(f"{tier.tier}: up to date ({visible(tier.tag)})")
        for reason in tier.reasons:
            lines.append(f"{tier.tier}: {visible(reason)}")
    lines.extend(f"note: {visible(note)}" for note in plan.notes)
    lines.append("")
    if plan.rebuild:
        lines.append("Run from the project root, in order:")
        lines.extend(
            "  " + " ".join(_command_word(arg) for arg in command) for command in plan.commands
        )
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
# Both manifests passed the schema: every key read below is present, with its type.


def _base_changed(entry: Mapping[str, Any], old: Mapping[str, Any]) -> list[str]:
    base, old_base = entry["base"], old["base"]
    if base is not None and old_base is not None and base != old_base:
        return [f"{base['tier']} changed"]
    return []


def _foundation(
    entry: Mapping[str, Any],
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    previous: Mapping[str, Any],
) -> list[str]:
    reasons = []
    config, old_config = entry["config"], old["config"]
    # keys present on one side only (ca_certificates) are optional parts of the config
    for key in sorted(set(config) | set(old_config)):
        now, before = config.get(key), old_config.get(key)
        if now == before:
            continue
        if key == "apt_packages":
            reasons.append("apt packages " + _list_change(before, now))
        elif key == "tools":
            reasons.extend(_tool_changes(before, now))
        elif isinstance(now, str):  # the images
            reasons.append(f"{key.replace('_', ' ')} {before} -> {now}")
        else:
            reasons.append(f"{key.replace('_', ' ')} changed")
    reasons.extend(_file_changes(old["files"], entry["files"]))
    if entry.get("platform") != old.get("platform"):
        reasons.append(f"target platform {old.get('platform')} -> {entry.get('platform')}")
    if not reasons and entry["template_sha256"] != old["template_sha256"]:
        reasons.append(f"template changed{_compiler_change(previous, new)}")
    return reasons


def _extension(
    entry: Mapping[str, Any],
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    previous: Mapping[str, Any],
) -> list[str]:
    reasons = _base_changed(entry, old)
    if new["source"]["semantic_sha256"] != previous["source"]["semantic_sha256"]:
        reasons.append("Dockerfile instructions changed")
    elif not reasons and entry["semantic_sha256"] != old["semantic_sha256"]:
        reasons.append(f"the generated Dockerfile changed{_compiler_change(previous, new)}")
    reasons.extend(_input_changes(entry, old))
    platforms, old_platforms = entry.get("platforms") or {}, old.get("platforms") or {}
    for which in ("target", "build"):
        if platforms.get(which) != old_platforms.get(which):
            reasons.append(f"{which} platform {old_platforms.get(which)} -> {platforms.get(which)}")
    return reasons


def _input_changes(entry: Mapping[str, Any], old: Mapping[str, Any]) -> list[str]:
    """What changed in the context files a tier reads (its manifest ``inputs``)."""
    files = {item["path"]: item for item in entry["inputs"]}
    old_files = {item["path"]: item for item in old["inputs"]}
    return _file_changes(old_files, files)


def _global(
    entry: Mapping[str, Any],
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    previous: Mapping[str, Any],
) -> list[str]:
    reasons = _base_changed(entry, old)
    if entry["source"]["path"] != old["source"]["path"]:
        reasons.append(f"global file {old['source']['path']} -> {entry['source']['path']}")
    elif entry["semantic_sha256"] != old["semantic_sha256"]:
        reasons.append("global Dockerfile instructions changed")
    reasons.extend(_input_changes(entry, old))
    return reasons


def _runtime(
    entry: Mapping[str, Any],
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    previous: Mapping[str, Any],
) -> list[str]:
    reasons = _base_changed(entry, old)
    harnesses, old_harnesses = entry["harnesses"], old["harnesses"]
    packages, old_packages = entry["packages"], old["packages"]
    # a manifest from before the lock has no integrity: an empty map is what it meant
    integrity, old_integrity = entry.get("integrity", {}), old.get("integrity", {})
    for name in sorted(set(harnesses) | set(old_harnesses)):
        now, before = harnesses.get(name), old_harnesses.get(name)
        if before is None:
            reasons.append(f"{name} added ({now})")
        elif now is None:
            reasons.append(f"{name} removed")
        elif now != before:
            reasons.append(f"{name} {before} -> {now}")
        elif name in packages and packages[name] != old_packages.get(name):
            reasons.append(f"{name} package {old_packages.get(name)} -> {packages[name]}")
        elif integrity.get(name) != old_integrity.get(name):
            reasons.append(f"{name} {now}: the locked integrity changed")
    if entry["strategy"] != old["strategy"]:
        reasons.append(f"strategy {old['strategy']} -> {entry['strategy']}")
    if not reasons and entry["template_sha256"] != old["template_sha256"]:
        reasons.append("template changed")
    return reasons


def _compiler_change(previous: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    """`` (aishellc OLD -> NEW)`` when the two manifests come from different aishellc versions."""
    before, now = previous["compiler"]["version"], new["compiler"]["version"]
    return f" (aishellc {before} -> {now})" if before != now else ""


_REASONS = {
    "foundation": _foundation,
    "base": _global,
    "extension": _extension,
    "runtime": _runtime,
}


def _list_change(before: Sequence[Any], now: Sequence[Any]) -> str:
    added = [f"+{item}" for item in now if item not in before]
    removed = [f"-{item}" for item in before if item not in now]
    return ", ".join(added + removed) or "reordered"


def _tool_changes(before: Sequence[Any], now: Sequence[Any]) -> list[str]:
    old_tools = {tool["name"]: tool for tool in before}
    new_tools = {tool["name"]: tool for tool in now}
    reasons = []
    for name in sorted(set(old_tools) | set(new_tools)):
        old_tool, new_tool = old_tools.get(name), new_tools.get(name)
        if old_tool is None and new_tool is not None:
            reasons.append(f"tool {name} {new_tool['version']} added")
        elif new_tool is None or old_tool is None:
            reasons.append(f"tool {name} removed")
        elif old_tool["version"] != new_tool["version"]:
            reasons.append(f"tool {name} {old_tool['version']} -> {new_tool['version']}")
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


def _notes(new: Mapping[str, Any]) -> list[str]:
    harnesses = new["tiers"]["runtime"]["harnesses"]
    return [
        f"{name} is not locked (latest): a new release does not change its hash; "
        "`aishellc lock` locks the current one"
        for name in sorted(harnesses)
        if harnesses[name] == "latest"
    ]
