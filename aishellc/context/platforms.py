"""The platform a build is for, and BuildKit's automatic platform ARGs.

``compile`` never talks to the engine, so it takes the platform a plain ``docker build``
would use: ``DOCKER_DEFAULT_PLATFORM`` when it is set (docker's own variable, which the CLI
passes as ``--platform``), else the platform of the machine aishellc runs on
(``linux/<GOARCH>``, with Go's architecture names: ``amd64``, ``arm64``, ``arm/v7``, ...),
which is the engine's when the engine runs here. The build platform is always the machine's.

Platform texts are normalized as containerd's ``platforms.Parse`` does (``x86_64`` is
``amd64``, ``aarch64`` is ``arm64``, ``arm64/v8`` is ``arm64``, ``arm`` is ``arm/v7``).

:func:`automatic_args` are the values BuildKit's ``defaultArgs`` gives ``TARGETPLATFORM``,
``TARGETOS``, ``TARGETARCH``, ``TARGETVARIANT``, ``BUILDPLATFORM`` and the rest: available
in global scope without a declaration, in a stage after ``ARG NAME``.
"""

from __future__ import annotations

import platform
import re
from collections.abc import Mapping

import attrs

from aishellc import ast
from aishellc.errors import UserError

PLATFORM_VARIABLE = "DOCKER_DEFAULT_PLATFORM"

_BUILD_ARG = re.compile(rb"BUILD(?:PLATFORM|OS|OSVERSION|ARCH|VARIANT)")
_PART = re.compile(r"[A-Za-z0-9_.-]+")
# containerd's knownOS: a one-part specifier naming one of these is an OS, else an arch.
_KNOWN_OS = frozenset(
    {
        "aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos", "ios", "js",
        "linux", "nacl", "netbsd", "openbsd", "plan9", "solaris", "wasip1", "windows", "zos",
    }
)  # fmt: skip
# Python's platform.machine() -> (GOARCH, variant); anything else is taken as it is.
_MACHINE_ARCH = {
    "x86_64": ("amd64", ""),
    "amd64": ("amd64", ""),
    "aarch64": ("arm64", ""),
    "arm64": ("arm64", ""),
    "armv8l": ("arm", "v8"),
    "armv7l": ("arm", "v7"),
    "armv7": ("arm", "v7"),
    "armv6l": ("arm", "v6"),
    "armv5tel": ("arm", "v5"),
    "i386": ("386", ""),
    "i686": ("386", ""),
    "x86": ("386", ""),
}


@attrs.frozen
class Platform:
    os: str
    arch: str
    variant: str = ""

    def __str__(self) -> str:
        return "/".join(part for part in (self.os, self.arch, self.variant) if part)


@attrs.frozen
class BuildPlatforms:
    """The platform built for, the platform building, and where the first came from."""

    target: Platform
    build: Platform
    source: str
    """``DOCKER_DEFAULT_PLATFORM`` or ``machine``."""

    def record(self, dockerfile: bytes) -> dict[str, str]:
        """The manifest record: the target platform, where it came from, and the build
        platform only when ``dockerfile`` mentions a ``BUILD*`` platform ARG (conservative:
        any mention). Otherwise the build machine cannot change the image, and machines of
        different kinds building for one target share a hash."""
        record = {"target": str(self.target), "from": self.source}
        if _BUILD_ARG.search(dockerfile):
            record["build"] = str(self.build)
        return record


def normalize_arch(arch: str, variant: str) -> tuple[str, str]:
    """containerd's ``NormalizeArch``."""
    arch, variant = arch.lower(), variant.lower()
    if arch == "i386":
        return "386", ""
    if arch in ("x86_64", "x86-64", "amd64"):
        return "amd64", "" if variant == "v1" else variant
    if arch in ("aarch64", "arm64"):
        return "arm64", "" if variant in ("8", "v8", "v8.0") else variant
    if arch == "armhf":
        return "arm", "v7"
    if arch == "armel":
        return "arm", "v6"
    if arch == "arm":
        if variant in ("", "7"):
            return "arm", "v7"
        if variant in ("5", "6", "8"):
            return "arm", "v" + variant
    return arch, variant


def machine_platform() -> Platform:
    """``linux/<GOARCH>[/variant]`` of this machine (images are Linux images)."""
    machine = platform.machine().lower()
    arch, variant = _MACHINE_ARCH.get(machine, (machine, ""))
    return Platform("linux", *normalize_arch(arch, variant))


def parse_platform(text: str, what: str = PLATFORM_VARIABLE) -> Platform:
    """containerd's ``platforms.Parse`` for ``os[/arch[/variant]]`` or ``arch``."""
    parts = text.split("/")
    if "," in text:
        raise UserError(
            f"{what}={text!r} names several platforms",
            help="compile for one platform at a time (aishellc hashes per platform)",
        )
    if not 1 <= len(parts) <= 3 or not all(_PART.fullmatch(part) for part in parts):
        raise UserError(
            f"{what}={text!r} is not a platform",
            help="write it as docker does, e.g. linux/amd64 or linux/arm64",
        )
    machine = machine_platform()
    if len(parts) == 1:
        if parts[0].lower() in _KNOWN_OS:
            return Platform(_normalize_os(parts[0]), machine.arch, machine.variant)
        return Platform(machine.os, *normalize_arch(parts[0], ""))
    variant = parts[2] if len(parts) == 3 else ""
    return Platform(_normalize_os(parts[0]), *normalize_arch(parts[1], variant))


def build_platforms(environ: Mapping[str, str]) -> BuildPlatforms:
    """The platforms of a plain ``docker build`` here (see the module docs)."""
    machine = machine_platform()
    given = environ.get(PLATFORM_VARIABLE, "")
    if given:
        return BuildPlatforms(parse_platform(given), machine, PLATFORM_VARIABLE)
    return BuildPlatforms(machine, machine, "machine")


def automatic_args(platforms: BuildPlatforms, target_stage: str | None) -> dict[str, str]:
    """BuildKit's ``defaultArgs`` (``TARGETSTAGE`` is the built stage's name, else
    ``default``)."""
    build, target = platforms.build, platforms.target
    return {
        "BUILDPLATFORM": str(build),
        "BUILDOS": build.os,
        "BUILDOSVERSION": "",
        "BUILDARCH": build.arch,
        "BUILDVARIANT": build.variant,
        "TARGETPLATFORM": str(target),
        "TARGETOS": target.os,
        "TARGETOSVERSION": "",
        "TARGETARCH": target.arch,
        "TARGETVARIANT": target.variant,
        "TARGETSTAGE": target_stage or "default",
    }


def document_args(platforms: BuildPlatforms, document: ast.Document) -> dict[str, str]:
    """:func:`automatic_args` for building ``document``'s last stage (BuildKit's default
    target; its name is lower-cased as BuildKit stores stage names)."""
    froms = [node for node in document.instructions if isinstance(node, ast.From)]
    name = froms[-1].stage_name if froms else None
    return automatic_args(platforms, name.lower() if name else None)


def _normalize_os(name: str) -> str:
    name = name.lower()
    return "darwin" if name == "macos" else name


__all__ = [
    "PLATFORM_VARIABLE",
    "BuildPlatforms",
    "Platform",
    "automatic_args",
    "build_platforms",
    "document_args",
    "machine_platform",
    "normalize_arch",
    "parse_platform",
]
