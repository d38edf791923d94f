"""``aishellc.lock``: the model, a strict reader with located errors, a deterministic and
atomic writer.

The file is TOML, one ``[[harness]]`` table per harness with exactly the fields DESIGN.md
lists, sorted by name so that moving one harness changes only its own lines::

    [[harness]]
    name = "claude"
    package = "@anthropic-ai/claude-code"
    requested = "latest"
    version = "2.1.331"
    integrity = "sha512-..."

Every field is checked against a narrow grammar (:mod:`aishellc.config.safe_values`) on the way in
and on the way out, so nothing in a lock (an edited one included) can carry a credential,
a URL or a shell metacharacter into a generated file. A ``version`` that its own
``requested`` spec does not allow (an exact spec naming another version, a range that
does not cover it) is refused too: such a lock was edited by hand.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import attrs
import tomli_w

from aishellc.config import harnesses, safe_values
from aishellc.config.reader import Rule, TomlReader
from aishellc.config.toml_locate import TomlLocator, decode_utf8, load_toml
from aishellc.input_files import read_input

MAX_LOCK_BYTES = 1 << 20
"""The largest lock read: a lock of every harness is well under 2 KiB."""

HEADER = (
    "# aishellc.lock: the exact harness versions this project installs.\n"
    "# Written by `aishellc lock` and `aishellc update`; commit it, do not edit it.\n"
)

NAME = Rule(
    harnesses.is_harness_name,
    "harness name",
    "harness names are 1-40 characters: a lowercase letter, then a-z, 0-9 or '-'",
)
PACKAGE = Rule(
    harnesses.is_npm_package,
    "npm package name",
    "npm names are lowercase, URL-safe and at most 214 characters: 'name' or '@scope/name'",
)
REQUESTED = Rule(
    safe_values.is_npm_spec,
    "harness spec",
    "write a dist-tag (latest, next), an exact version (2.1.3) or an npm range (^2.1, >=2 <3)",
)
VERSION = Rule(
    safe_values.is_exact_version,
    "exact version",
    "write an exact semantic version such as 2.1.3 or 1.0.0-beta.2, or run `aishellc lock`",
)
INTEGRITY = Rule(
    safe_values.is_sha512_integrity,
    "integrity",
    "write the registry's dist.integrity: 'sha512-' and 88 base64 characters, "
    "or run `aishellc lock`",
)

# The fields of a [[harness]] table, in the order the file writes them.
_FIELDS = {
    "name": NAME,
    "package": PACKAGE,
    "requested": REQUESTED,
    "version": VERSION,
    "integrity": INTEGRITY,
}


def _check(rule: Rule) -> Callable[[object, object, str], None]:
    def validator(_instance: object, _attribute: object, value: str) -> None:
        if not rule.check(value):
            raise ValueError(f"invalid {rule.what}: {value!r}")

    return validator


@attrs.frozen
class LockedHarness:
    """One ``[[harness]]`` table: a harness, the spec it asked for, what it resolved to."""

    name: str = attrs.field(validator=_check(NAME))
    package: str = attrs.field(validator=_check(PACKAGE))
    requested: str = attrs.field(validator=_check(REQUESTED))
    version: str = attrs.field(validator=_check(VERSION))
    integrity: str = attrs.field(validator=_check(INTEGRITY))

    def __attrs_post_init__(self) -> None:
        if not spec_allows(self.requested, self.version):
            raise ValueError(f"{self.name}: {self.version} is not allowed by {self.requested!r}")


def spec_allows(requested: str, version: str) -> bool:
    """Whether a version can be what ``requested`` resolved to: an exact spec names it,
    a range covers it (by npm's rules: a prerelease only where the range names one of the
    same major.minor.patch), and a dist-tag allows any version, since tags move."""
    if safe_values.is_exact_version(requested):
        return requested == version
    if safe_values.is_dist_tag(requested):
        return True
    import nodesemver  # a range needs it; a lock of tags and exact versions does not

    return bool(nodesemver.satisfies(version, requested, loose=False))


def _sorted_unique(entries: Iterable[LockedHarness]) -> tuple[LockedHarness, ...]:
    ordered = tuple(sorted(entries, key=lambda entry: entry.name))
    names = [entry.name for entry in ordered]
    if len(set(names)) != len(names):
        raise ValueError(f"a harness is locked twice: {names}")
    return ordered


@attrs.frozen
class Lock:
    """The whole lock: its harnesses, sorted by name, each name once."""

    harnesses: tuple[LockedHarness, ...] = attrs.field(default=(), converter=_sorted_unique)

    @property
    def by_name(self) -> Mapping[str, LockedHarness]:
        return MappingProxyType({entry.name: entry for entry in self.harnesses})

    def get(self, name: str) -> LockedHarness | None:
        return self.by_name.get(name)

    def names(self) -> tuple[str, ...]:
        return tuple(entry.name for entry in self.harnesses)


# --- reading ---------------------------------------------------------------------------


def read_lock(path: str | os.PathLike[str]) -> Lock:
    """The lock at ``path``; any problem is a located :class:`UserError`."""
    name = os.fspath(path)
    raw = read_input(name, "lock file", MAX_LOCK_BYTES, help=_REGENERATE)
    return parse_lock(decode_utf8(raw, name, "lock file"), name)


def read_lock_if_present(path: str | os.PathLike[str]) -> Lock | None:
    """The lock at ``path``, or None when nothing is there (a dangling link, a folder or an
    unreadable file is still an error: the user meant to have a lock)."""
    if not os.path.lexists(path):
        return None
    return read_lock(path)


_REGENERATE = "run `aishellc lock DOCKERFILE` to write it again"


def parse_lock(text: str, path: str) -> Lock:
    """The lock in ``text`` (read from ``path``, which errors name)."""
    data = load_toml(text, path, "the lock file")
    reader = TomlReader(TomlLocator(path, text))
    reader.table(data, (), ("harness",))
    tables = data.get("harness", [])
    if not isinstance(tables, list):
        reader.fail(("harness",), "harness must be an array of tables", "write [[harness]]")
    entries: dict[str, LockedHarness] = {}
    for index, table in enumerate(tables):
        key = ("harness", index)
        fields = reader.table(table, key, tuple(_FIELDS))
        values = {
            field: reader.string(reader.required(fields, field, key), (*key, field), rule)
            for field, rule in _FIELDS.items()
        }
        if not spec_allows(values["requested"], values["version"]):
            reader.fail(
                (*key, "version"),
                f"locked version {values['version']!r} of {values['name']} is not allowed "
                f"by its requested spec {values['requested']!r}",
                _REGENERATE,
            )
        if values["name"] in entries:
            reader.fail((*key, "name"), f"harness {values['name']!r} is locked twice", _REGENERATE)
        entries[values["name"]] = LockedHarness(**values)
    return Lock(tuple(entries.values()))


# --- writing ---------------------------------------------------------------------------


def render_lock(lock: Lock) -> bytes:
    """The file's bytes: the header, then one table per harness in name order."""
    document: dict[str, Any] = {
        "harness": [{field: getattr(entry, field) for field in _FIELDS} for entry in lock.harnesses]
    }
    body = tomli_w.dumps(document) if lock.harnesses else ""
    return (HEADER + ("\n" if body else "") + body).encode("utf-8")


def write_lock(path: str | os.PathLike[str], lock: Lock) -> None:
    """Replace the file at ``path`` with ``lock`` atomically: a temporary file in the same
    folder, written and fsynced, renamed over it, then the folder fsynced. A reader sees
    the old lock or the new one, never a part."""
    target = Path(path)
    data = render_lock(lock)
    while True:
        temporary = target.parent / f".{target.name}.{secrets.token_hex(4)}.tmp"
        try:
            # 0o666 less the umask, like any file the user creates (mkstemp would be 0o600).
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise
    # The rename is durable once the folder's entry is on disk (where the system can say).
    with contextlib.suppress(OSError):
        folder = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
