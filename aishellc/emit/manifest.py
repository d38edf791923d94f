"""``manifest.json``: what was compiled, each tier's tag, hash and ``docker build`` argv.

The keys DESIGN.md fixes are all present; a few more carry what ``aishellc plan`` needs to
explain a rebuild (every extra key is listed here)::

    {
      "schema_version": 4,
      "compiler": {"name": "aishellc", "version": "0.1.0"},
      "source": {"path", "sha256", "semantic_sha256"},
      "layout": "three-tier" | "legacy",                 # extra
      "global": {"path", "sha256"},                      # with a global file only
      "final": "aishell:runtime-<h12>",                  # the image to run: the last tier's tag
      "tiers": {
        "foundation": {tag, hash, dockerfile, dockerfile_sha256, context, build_args, labels,
                       command, platform,
                       "base": null, "config": {...}, "config_sha256", "template_sha256",
                       "files": {name: sha256}},
        "base":       {..., "source": {"path", "sha256"}, "inputs", "semantic_sha256",
                       "platforms", "base": {"tier", "hash"}},   # the global tier, if built
        "extension":  {..., "inputs": [{path, sha256, type[, executable]}],
                       "base": {"tier", "hash"}, "semantic_sha256", "ignore_file"},
        "runtime":    {..., "harnesses": {name: version}, "packages": {name: package},
                       "integrity": {name: sri},       # locked harnesses only
                       "lock": "<path>" | null,        # the aishellc.lock read, if any
                       "strategy", "template_sha256", "base": {"tier", "hash"}}
      },
      "build_order": [...],
      "diagnostics": [{path, line, column, end_line, end_column, severity, code,
                       message, help}]
    }

Every path (``source.path``, each tier's ``dockerfile``, ``context`` and ``command``, the
diagnostics') is relative to the project root, whatever the working directory of the
compile: the commands run from the project root. ``dockerfile_sha256`` is the sha256 of the
generated Dockerfile as written; ``plan`` refuses a manifest whose files no longer match.

With a registry in the configuration each tier also has ``cache_from`` and ``cache_to``
(BuildKit registry cache references, as in the bake file). Keys are sorted, indentation is
two spaces, and the file ends with a newline.

``aishellc/manifest/manifest.schema.json`` (JSON Schema) describes this exactly; a change here is a
change there (a test validates every golden manifest against it).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

SCHEMA_VERSION = 4
"""2: every tier has ``platform``; diagnostics have no ``url``; inputs may have
``path_bytes``. 3: every tier has ``dockerfile_sha256``; ``final`` is a tag; paths are
relative to the project root. 4: a ``base`` tier (the global file's) may be in the chain,
``global`` names the global file."""


def _frozen(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


def render_json(data: Any) -> str:
    """Deterministic, readable JSON: sorted keys, two-space indent, final newline."""
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


@attrs.frozen
class TierBuild:
    """One tier: where its files are, how it is tagged, labelled and built.

    Paths are relative to the project root (where the command runs), so the same project
    gives the same bytes on any machine, from any working directory.
    """

    name: str
    tag: str
    hash: str
    dockerfile: str
    context: str
    build_args: Mapping[str, str] = attrs.field(converter=_frozen)
    labels: Mapping[str, str] = attrs.field(converter=_frozen)
    needs: Mapping[str, str] = attrs.field(converter=_frozen, factory=dict)
    """Image reference -> the tier that builds it (for the bake file's ``contexts``)."""
    details: Mapping[str, Any] = attrs.field(converter=_frozen, factory=dict)
    """The tier's extra manifest keys (``inputs``, ``harnesses``, ``base``, ...)."""
    cache_from: tuple[str, ...] = ()
    cache_to: tuple[str, ...] = ()
    platform: str | None = None
    """The platform the tier is built for (``--platform``); its hash is for that one."""
    secrets: Mapping[str, str] = attrs.field(converter=_frozen, factory=dict)
    """BuildKit secret id -> the file it is read from (``npmrc`` -> ``~/.npmrc``): a path
    the build command passes, never the secret's contents, and no part of any hash."""
    dockerfile_text: str | None = None
    """The generated Dockerfile, for a tier built in the home folder (the global tier's
    ``~/.aishell``): bake resolves ``dockerfile`` from the context, and no path from there
    to the project is the same on every machine, so the bake file inlines it."""

    def command(self) -> list[str]:
        """The ``docker build`` argv: ``-f``, ``-t``, ``--platform``, ``--build-arg``,
        ``--label``, ``--secret``, context."""
        argv = ["docker", "build", "-f", self.dockerfile, "-t", self.tag]
        if self.platform is not None:
            argv += ["--platform", self.platform]
        for name in sorted(self.build_args):
            argv += ["--build-arg", f"{name}={self.build_args[name]}"]
        for name in sorted(self.labels):
            argv += ["--label", f"{name}={self.labels[name]}"]
        for secret in sorted(self.secrets):
            argv += ["--secret", f"id={secret},src={self.secrets[secret]}"]
        argv.append(self.context)
        return argv

    def manifest_entry(self) -> dict[str, Any]:
        entry: dict[str, Any] = dict(self.details)
        entry.update(
            tag=self.tag,
            hash=self.hash,
            dockerfile=self.dockerfile,
            context=self.context,
            build_args=dict(self.build_args),
            labels=dict(self.labels),
            command=self.command(),
        )
        if self.platform is not None:
            entry["platform"] = self.platform
        if self.secrets:
            entry["secrets"] = dict(self.secrets)
        if self.cache_from or self.cache_to:
            entry["cache_from"] = list(self.cache_from)
            entry["cache_to"] = list(self.cache_to)
        return entry
