"""Where a project's aishellc configuration lives by default (cheap to import)."""

from __future__ import annotations

import os
import posixpath

DEFAULT_CONFIG_NAME = "aishellc.toml"


def default_config(dockerfile: str) -> str | None:
    """``aishellc.toml`` next to the Dockerfile, if there is one."""
    candidate = posixpath.join(posixpath.dirname(dockerfile), DEFAULT_CONFIG_NAME)
    return candidate if os.path.lexists(candidate) else None
