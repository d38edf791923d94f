"""Choosing a version for a spec, by npm's rules (npm-pick-manifest), with node-semver.

- a dist-tag (``latest``, ``next``): exactly the version the tag points at;
- an exact version: that version, if the registry has it;
- a range: the version the ``latest`` tag points at when the range allows it and it is
  not deprecated; else the highest version the range allows, preferring versions that are
  not deprecated. A prerelease matches only a range that names a prerelease of the same
  major.minor.patch (node-semver's ``satisfies``).

npm also prefers versions whose ``engines`` match the running Node.js and npm; the
harness is installed in the runtime image, not here, so that preference is not applied.

:func:`parse_packument` reads the registry's package document (the abbreviated
``application/vnd.npm.install-v1+json`` form is enough) into a :class:`Packument`, and
refuses one that does not have the shape npm's own clients rely on.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs
import nodesemver

from aishellc.config import safe_values

LATEST = "latest"


class MalformedDocument(ValueError):
    """The registry's answer is not a package document (the reason is the message)."""


class NoMatch(LookupError):
    """No version of the package satisfies the spec (the reason is the message)."""


@attrs.frozen
class Release:
    """One published version: what the lock needs of it."""

    version: str
    integrity: str | None
    """The sha512 entry of ``dist.integrity`` (``sha512-...``), if the registry has one."""
    deprecated: bool = False


@attrs.frozen
class Packument:
    """A package document: its dist-tags and releases."""

    name: str
    dist_tags: Mapping[str, str]
    releases: Mapping[str, Release]

    @property
    def latest(self) -> str | None:
        """The version the ``latest`` tag names, if it is one (a registry's word is data)."""
        version = self.dist_tags.get(LATEST)
        return version if version is not None and safe_values.is_exact_version(version) else None


def _sha512(integrity: object) -> str | None:
    """The sha512 hash of an SRI string that may list several (``sha512-... sha1-...``)."""
    if not isinstance(integrity, str):
        return None
    for part in integrity.split():
        if safe_values.is_sha512_integrity(part):
            return part
    return None


def parse_packument(data: Any, package: str) -> Packument:
    """The package document of ``package``; :class:`MalformedDocument` when ``data``
    lacks what npm needs (a name, dist-tags, versions with a dist)."""
    if not isinstance(data, dict):
        raise MalformedDocument("the document is not a JSON object")
    if data.get("name") != package:
        raise MalformedDocument(f"the document is for {data.get('name')!r}, not {package!r}")
    tags = data.get("dist-tags")
    versions = data.get("versions")
    if not isinstance(tags, dict) or not all(isinstance(v, str) for v in tags.values()):
        raise MalformedDocument("'dist-tags' is not an object of version strings")
    if not isinstance(versions, dict):
        raise MalformedDocument("'versions' is not an object")
    releases: dict[str, Release] = {}
    for version, manifest in versions.items():
        if not isinstance(manifest, dict) or not isinstance(manifest.get("dist"), dict):
            raise MalformedDocument(f"version {version!r} has no 'dist' object")
        if not safe_values.is_exact_version(version):
            continue  # not a version npm could install by a spec either
        integrity = _sha512(manifest["dist"].get("integrity"))
        deprecated = bool(manifest.get("deprecated"))
        releases[version] = Release(version, integrity, deprecated)
    return Packument(package, MappingProxyType(dict(tags)), MappingProxyType(releases))


_by_version = functools.cmp_to_key(lambda a, b: nodesemver.compare(a, b, True))


def pick(packument: Packument, spec: str) -> Release:
    """The release npm would install for ``package@spec``; :class:`NoMatch` if none."""
    if safe_values.is_exact_version(spec):
        release = packument.releases.get(spec)
        if release is None:
            raise NoMatch(f"version {spec} is not published{_newest(packument)}")
        return release
    if safe_values.is_dist_tag(spec):
        version = packument.dist_tags.get(spec)
        if version is None:
            tags = ", ".join(sorted(packument.dist_tags)) or "none"
            raise NoMatch(f"there is no dist-tag {spec!r} (tags: {tags})")
        release = packument.releases.get(version)
        if release is None:
            raise NoMatch(f"dist-tag {spec!r} points at {version}, which is not published")
        return release
    latest = packument.releases.get(packument.latest or "")
    if latest is not None and not latest.deprecated and _satisfies(latest.version, spec):
        return latest
    matching = [r for r in packument.releases.values() if _satisfies(r.version, spec)]
    if not matching:
        raise NoMatch(f"no published version matches {spec!r}{_newest(packument)}")
    return max(matching, key=lambda r: (not r.deprecated, _by_version(r.version)))


def _satisfies(version: str, spec: str) -> bool:
    return bool(nodesemver.satisfies(version, spec, loose=True))


def _newest(packument: Packument) -> str:
    if not packument.releases:
        return " (it has no versions)"
    newest = max(packument.releases, key=_by_version)
    return f" (latest: {packument.latest}, newest: {newest})"
