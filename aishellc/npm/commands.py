"""``aishellc lock``, ``update`` and ``outdated``: read the project, ask the registry only
what the lock cannot answer, write the lock atomically, report.

The specs come from where ``compile`` takes them (``--harness`` flags, else the config's
``[harnesses] default``, else ``claude@latest``) for ``lock``, and from the lock itself
(each entry's ``requested``) for ``update`` and ``outdated``. The lock sits next to the
Dockerfile. Any registry failure is a :class:`~aishellc.errors.UserError` (exit 2) raised
before the lock is written, so the lock is either untouched or wholly the new one.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import attrs

from aishellc.config.location import default_config
from aishellc.config.model import Config, load_config
from aishellc.errors import Location, UserError
from aishellc.lock import lock_path
from aishellc.lock.file import Lock, read_lock_if_present, write_lock
from aishellc.lock.resolve import (
    Change,
    ResolveError,
    Row,
    Wanted,
    changes,
    outdated,
    relock,
    to_resolve,
    update,
)
from aishellc.npm.client import RegistryClient
from aishellc.npm.npmrc import load_settings
from aishellc.npm.pick import Packument
from aishellc.terminal import visible


@attrs.frozen
class Project:
    dockerfile: str
    config: Config
    config_path: str | None
    lock: Path


def load_project(dockerfile: str, config: str | None) -> Project:
    """The Dockerfile (it must exist: the lock goes next to it), its config and lock path."""
    if not Path(dockerfile).is_file():
        raise UserError(
            "cannot read Dockerfile: no such file",
            Location(dockerfile),
            help="pass the project's Dockerfile, e.g. .aishell/Dockerfile; the lock is "
            "written next to it",
        )
    config_path = config if config is not None else default_config(dockerfile)
    return Project(dockerfile, load_config(config_path), config_path, lock_path(dockerfile))


def _client(project: Project) -> RegistryClient:
    settings = load_settings(project.config.npm_registry, project.config_path)
    return RegistryClient(settings)


def _fetch(client: RegistryClient, packages: Sequence[str]) -> dict[str, Packument]:
    return client.packuments(packages) if packages else {}


def _unresolvable(error: ResolveError, client: RegistryClient) -> UserError:
    wanted = error.wanted
    registry = client.settings.registry_for(wanted.package)
    return UserError(
        f"harness {wanted.name} ({wanted.package}@{wanted.requested}) on npm registry "
        f"{registry}: {error.reason}",
        help="request a spec the registry can satisfy (a published version, a dist-tag it "
        "has, or a range that covers a release)",
    )


def _write_changes(out: TextIO, found: Sequence[Change]) -> None:
    for change in found:
        name = visible(change.name)
        if change.old is None:
            out.write(f"+ {name} {visible(change.new or '')}\n")
        elif change.new is None:
            out.write(f"- {name} {visible(change.old)}\n")
        else:
            out.write(f"{name} {visible(change.old)} -> {visible(change.new)}\n")


# --- lock -----------------------------------------------------------------------------------


def run_lock(dockerfile: str, harnesses: Sequence[str], config: str | None, out: TextIO) -> None:
    from aishellc.compiler.analysis import resolve_harnesses

    project = load_project(dockerfile, config)
    pins = resolve_harnesses(harnesses, project.config)
    registry = project.config.harnesses
    wanted = tuple(Wanted(p.name, registry.get(p.name).package, p.version) for p in pins)
    old = read_lock_if_present(project.lock)
    todo = to_resolve(old, wanted)
    client = _client(project)
    packuments = _fetch(client, [w.package for w in todo])
    try:
        new = relock(old, wanted, packuments)
    except ResolveError as exc:
        raise _unresolvable(exc, client) from None
    _write_changes(out, changes(old, new))
    where = visible(os.fspath(project.lock))
    if new == old:
        out.write(f"{where} is up to date\n")
    else:
        write_lock(project.lock, new)
        out.write(f"wrote {where}\n")


# --- update ---------------------------------------------------------------------------------


def _existing_lock(project: Project) -> Lock:
    lock = read_lock_if_present(project.lock)
    if lock is None:
        raise UserError(
            "no lock next to the Dockerfile",
            Location(os.fspath(project.lock)),
            help=f"run `aishellc lock {project.dockerfile}` first",
        )
    return lock


def run_update(
    dockerfile: str, names: Sequence[str], dry_run: bool, config: str | None, out: TextIO
) -> None:
    project = load_project(dockerfile, config)
    lock = _existing_lock(project)
    for name in names:
        if lock.get(name) is None:
            locked = ", ".join(lock.names()) or "none"
            raise UserError(
                f"harness {name!r} is not in the lock",
                Location(os.fspath(project.lock)),
                help=f"locked harnesses: {locked}; add a harness with `aishellc lock`",
            )
    chosen = tuple(names) or lock.names()
    client = _client(project)
    packuments = _fetch(client, [e.package for e in lock.harnesses if e.name in chosen])
    try:
        new = update(lock, chosen, packuments)
    except ResolveError as exc:
        raise _unresolvable(exc, client) from None
    found = changes(lock, new)
    _write_changes(out, found)
    where = visible(os.fspath(project.lock))
    if not found:
        out.write(f"{where} is up to date\n")
    elif dry_run:
        out.write(f"dry run: {where} not written\n")
    else:
        write_lock(project.lock, new)
        out.write(f"wrote {where}\n")


# --- outdated -------------------------------------------------------------------------------

COLUMNS = ("name", "package", "locked", "wanted", "latest")


def run_outdated(dockerfile: str, config: str | None) -> tuple[Row, ...]:
    """The locked harnesses that are behind (``outdated`` exits 1 when there are any)."""
    project = load_project(dockerfile, config)
    lock = _existing_lock(project)
    client = _client(project)
    packuments = _fetch(client, [e.package for e in lock.harnesses])
    try:
        return outdated(lock, packuments)
    except ResolveError as exc:
        raise _unresolvable(exc, client) from None


def row_json(row: Row) -> dict[str, str | None]:
    return {
        "name": row.name,
        "package": row.package,
        "requested": row.requested,
        "locked": row.locked,
        "wanted": row.wanted,
        "latest": row.latest,
    }


def render_table(rows: Sequence[Row]) -> str:
    """npm outdated's table: a header, then one aligned line per harness."""
    lines: list[tuple[str, ...]] = [COLUMNS]
    lines += [(row.name, row.package, row.locked, row.wanted, row.latest or "-") for row in rows]
    cells = [tuple(visible(cell) for cell in line) for line in lines]
    widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS))]
    text = ""
    for line in cells:
        text += "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True))
        text = text.rstrip() + "\n"
    return text
