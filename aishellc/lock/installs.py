"""What the runtime tier installs, given the harnesses asked for and the lock (or none).

``compile`` reads ``aishellc.lock`` and never the network (DESIGN.md, "Harness lock"):

- with a lock, every harness asked for must be covered by it: locked under the same spec
  (``requested``) and the same npm package as the registry now names. It installs the
  locked ``version`` and its tarball is checked against the locked ``integrity``. A
  harness the lock does not cover (added, its spec or package changed) is an error that
  says to run ``aishellc lock``; the lock is never half-applied;
- without a lock, the spec is installed as written, which must then be ``latest`` or an
  exact version (a dist-tag or a range needs the lock to become one), and ``--locked``
  refuses to go on.

A pure function of its inputs: the lock has been read already (:func:`read_lock_if_present`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from aishellc.config.harnesses import HarnessPin, HarnessRegistry, is_harness_version
from aishellc.emit.runtime import InstalledHarness
from aishellc.errors import Location, UserError
from aishellc.lock.file import Lock, LockedHarness


def lock_command(dockerfile: str) -> str:
    """The command that (re)writes the lock of ``dockerfile``, for help texts."""
    return f"aishellc lock {dockerfile}"


def installed_harnesses(
    pins: Sequence[HarnessPin],
    registry: HarnessRegistry,
    lock: Lock | None,
    *,
    lock_file: Path,
    dockerfile: str,
    locked: bool,
    specs_at: Location | None = None,
) -> tuple[InstalledHarness, ...]:
    """The harnesses to install, sorted by name (see the module docs); raises
    :class:`UserError` when the lock is missing under ``--locked`` or does not cover a
    harness asked for, or (without a lock) a spec written at ``specs_at`` is a dist-tag or
    a range."""
    where = Location(str(lock_file))
    if lock is None:
        if locked:
            raise UserError(
                "--locked: there is no aishellc.lock next to the Dockerfile",
                where,
                help=f"run `{lock_command(dockerfile)}` and commit the lock it writes",
            )
        return tuple(_unlocked(pin, registry, dockerfile, specs_at) for pin in _by_name(pins))
    installs = []
    for pin in _by_name(pins):
        harness = registry.get(pin.name)
        entry = lock.get(pin.name)
        problem = _not_covered(pin, harness.package, entry)
        if problem is not None:
            raise UserError(
                f"aishellc.lock does not cover harness {pin}: {problem}",
                where,
                help=f"run `{lock_command(dockerfile)}` to lock it, then compile again",
            )
        assert entry is not None
        locked_pin = HarnessPin(pin.name, entry.version)
        installs.append(InstalledHarness.of(harness, locked_pin, entry.integrity))
    return tuple(installs)


def _by_name(pins: Sequence[HarnessPin]) -> list[HarnessPin]:
    return sorted(pins, key=lambda pin: pin.name)


def _not_covered(pin: HarnessPin, package: str, entry: LockedHarness | None) -> str | None:
    """Why ``entry`` does not lock ``pin`` as the registry names it, or None if it does."""
    if entry is None:
        return "it is not in the lock"
    if entry.requested != pin.version:
        return f"the lock resolved {entry.requested!r}, the spec is now {pin.version!r}"
    if entry.package != package:
        return f"the lock has package {entry.package}, the registry now names {package}"
    return None


def _unlocked(
    pin: HarnessPin, registry: HarnessRegistry, dockerfile: str, where: Location | None
) -> InstalledHarness:
    if not is_harness_version(pin.version):
        raise UserError(
            f"harness {pin} names a dist-tag or an npm range, which only a lock turns into "
            "a version to install",
            where,
            help=f"run `{lock_command(dockerfile)}` (compile then installs the version it "
            "locks), or pin an exact version",
        )
    return InstalledHarness.of(registry.get(pin.name), pin)
