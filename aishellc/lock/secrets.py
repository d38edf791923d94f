"""Whether the runtime build needs the user's ``.npmrc``, and how the build command names it.

The harness installs read a private registry's token from the user's ``.npmrc`` only as a
BuildKit secret (``--secret id=npmrc,src=...``), and only when that file holds a
credential for the registry a harness installs from (npm's own lookup: the package's
scope registry, else the configured one; :mod:`aishellc.npm.npmrc`). The file is read for
that answer alone: no token reaches any output, and nothing here touches the network.

The source is written so that the command works on every machine of a team: ``~/.npmrc``
(``~/`` for a file below the home folder; ``aishellc build`` and the bake file's
``${HOME}`` expand it), a relative path as given, and an absolute path only when the file
lies elsewhere.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from aishellc.config.model import Config
from aishellc.emit.runtime import InstalledHarness
from aishellc.npm.npmrc import load_settings

HOME = "~/"


def npmrc_secret_source(
    config: Config,
    installed: Sequence[InstalledHarness],
    env: Mapping[str, str] | None = None,
    home: Path | None = None,
) -> str | None:
    """The ``src`` of the ``npmrc`` secret, or None when no harness's registry needs one."""
    if not installed:
        return None
    settings = load_settings(config.npm_registry, config.source, env, home)
    if settings.npmrc is None:
        return None
    needed = any(
        settings.credential_for(settings.registry_for(harness.package)) is not None
        for harness in installed
    )
    if not needed:
        return None
    return portable_path(settings.npmrc, Path.home() if home is None else home)


def portable_path(path: str, home: Path) -> str:
    """``path`` as the build command names it (see the module docs)."""
    if not Path(path).is_absolute():
        return path
    absolute = Path(os.path.normpath(path))
    if absolute.is_relative_to(home):
        return HOME + absolute.relative_to(home).as_posix()
    return absolute.as_posix()
