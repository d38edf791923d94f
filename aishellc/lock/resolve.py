"""What ``lock``, ``update`` and ``outdated`` decide, given the package documents: pure
functions from the old lock, the requested specs and the documents to a new lock and the
changes to report. Fetching the documents is :mod:`aishellc.npm`'s job.

- :func:`relock` keeps an entry whose package is unchanged and whose spec still covers
  its version (the same spec, or a new exact version or range that allows it; a changed
  dist-tag is resolved again, since a tag can only be read from the registry), resolves
  what is missing and drops harnesses no longer requested.
- :func:`update` moves the named entries to the version their spec now picks.
- :func:`outdated` lists the entries npm's ``outdated`` would: the locked version is not
  the one the spec picks now, or that one is not the ``latest`` tag.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import attrs

from aishellc.config import safe_values
from aishellc.lock.file import Lock, LockedHarness, spec_allows
from aishellc.npm.pick import NoMatch, Packument, pick


@attrs.frozen
class Wanted:
    """A harness to lock: its name, npm package and the spec as written."""

    name: str
    package: str
    requested: str


class ResolveError(LookupError):
    """A spec no published version satisfies (``harness`` names what asked for it)."""

    def __init__(self, wanted: Wanted, reason: str) -> None:
        super().__init__(reason)
        self.wanted = wanted
        self.reason = reason


@attrs.frozen
class Change:
    """One line of what a command did: added (no ``old``), removed (no ``new``) or moved."""

    name: str
    old: str | None
    new: str | None


@attrs.frozen
class Row:
    """One line of ``outdated``."""

    name: str
    package: str
    requested: str
    locked: str
    wanted: str
    latest: str | None


def covers(entry: LockedHarness, wanted: Wanted) -> bool:
    """Whether ``entry`` may stay locked for ``wanted`` without asking the registry."""
    if entry.package != wanted.package:
        return False
    if entry.requested == wanted.requested:
        return True
    return not safe_values.is_dist_tag(wanted.requested) and spec_allows(
        wanted.requested, entry.version
    )


def to_resolve(old: Lock | None, wanted: Sequence[Wanted]) -> tuple[Wanted, ...]:
    """The harnesses whose version must come from the registry."""
    locked = old.by_name if old is not None else {}
    return tuple(w for w in wanted if w.name not in locked or not covers(locked[w.name], w))


def resolved(wanted: Wanted, packument: Packument) -> LockedHarness:
    """The lock entry for ``wanted``: the release npm picks, with its integrity."""
    try:
        release = pick(packument, wanted.requested)
    except NoMatch as exc:
        raise ResolveError(wanted, str(exc)) from None
    if release.integrity is None:
        raise ResolveError(
            wanted, f"version {release.version} has no sha512 integrity in the registry"
        )
    return LockedHarness(
        wanted.name, wanted.package, wanted.requested, release.version, release.integrity
    )


def relock(old: Lock | None, wanted: Sequence[Wanted], packuments: Mapping[str, Packument]) -> Lock:
    """The lock for ``wanted``: covered entries kept (their spec updated), the rest
    resolved from ``packuments`` (by package), unrequested harnesses dropped."""
    locked = old.by_name if old is not None else {}
    entries = []
    for w in wanted:
        entry = locked.get(w.name)
        if entry is not None and covers(entry, w):
            entries.append(attrs.evolve(entry, requested=w.requested))
        else:
            entries.append(resolved(w, packuments[w.package]))
    return Lock(tuple(entries))


def update(lock: Lock, names: Iterable[str], packuments: Mapping[str, Packument]) -> Lock:
    """``lock`` with the ``names`` entries moved to what their spec picks now."""
    chosen = set(names)
    return Lock(
        tuple(
            resolved(Wanted(e.name, e.package, e.requested), packuments[e.package])
            if e.name in chosen
            else e
            for e in lock.harnesses
        )
    )


def changes(old: Lock | None, new: Lock) -> tuple[Change, ...]:
    """What differs between two locks, by harness name (unchanged harnesses left out)."""
    before = {e.name: e for e in old.harnesses} if old is not None else {}
    after = {e.name: e for e in new.harnesses}
    found = []
    for name in sorted(before.keys() | after.keys()):
        first, second = before.get(name), after.get(name)
        if (
            first is not None
            and second is not None
            and (first.version, first.integrity) == (second.version, second.integrity)
        ):
            continue  # the same install (at most its spec changed, still covering it)
        found.append(
            Change(
                name,
                first.version if first is not None else None,
                second.version if second is not None else None,
            )
        )
    return tuple(found)


def outdated(lock: Lock, packuments: Mapping[str, Packument]) -> tuple[Row, ...]:
    """The locked harnesses that are behind their spec or the ``latest`` tag."""
    rows = []
    for entry in lock.harnesses:
        packument = packuments[entry.package]
        wanted = resolved(Wanted(entry.name, entry.package, entry.requested), packument)
        latest = packument.latest
        if entry.version != wanted.version or (latest is not None and wanted.version != latest):
            rows.append(
                Row(
                    entry.name,
                    entry.package,
                    entry.requested,
                    entry.version,
                    wanted.version,
                    latest,
                )
            )
    return tuple(rows)
