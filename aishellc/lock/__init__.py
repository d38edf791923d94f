"""The harness lock, ``aishellc.lock``: which exact version of each harness a project
installs, and the integrity its tarball must have (DESIGN.md, "Harness lock").

This package only reads and writes the file; it never touches the network, so ``compile``
may import it. Resolving versions against an npm registry lives in :mod:`aishellc.npm`.
"""

from __future__ import annotations

from aishellc.lock.file import (
    LOCK_FILE_NAME,
    Lock,
    LockedHarness,
    lock_path,
    read_lock,
    read_lock_if_present,
    render_lock,
    write_lock,
)

__all__ = [
    "LOCK_FILE_NAME",
    "Lock",
    "LockedHarness",
    "lock_path",
    "read_lock",
    "read_lock_if_present",
    "render_lock",
    "write_lock",
]
