"""The harness lock, ``aishellc.lock``: which exact version of each harness a project
installs, and the integrity its tarball must have (DESIGN.md, "Harness lock").

This package only reads and writes the file (:mod:`aishellc.lock.file`); it never touches
the network, so ``compile`` may import it. Resolving versions against an npm registry lives
in :mod:`aishellc.npm`. Only the lock's place is defined here, so that ``check`` can look
for a lock without loading the reader.
"""

from __future__ import annotations

import os
from pathlib import Path

LOCK_FILE_NAME = "aishellc.lock"


def lock_path(dockerfile: str | os.PathLike[str]) -> Path:
    """Where the lock of a Dockerfile sits: next to it (``.aishell/aishellc.lock``)."""
    return Path(dockerfile).parent / LOCK_FILE_NAME
