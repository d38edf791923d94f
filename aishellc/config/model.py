"""The aishellc configuration: what goes into the foundation image, which harnesses exist
and are installed by default, and how images are tagged.

Configuration comes from a TOML file (:func:`load_config`) layered over
:meth:`Config.default`. Every value is validated when it is read (a ``UserError`` that
names the file and, where it can be found, the line); the attrs validators below check
the same grammars again, so no code path can build a ``Config`` holding a value that is
unsafe to print into a Dockerfile.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from typing import Any, Final

import attrs

from aishellc.config import safe_values
from aishellc.config.harnesses import DEFAULT_HARNESSES, HarnessPin, HarnessRegistry
from aishellc.errors import Location

ARCHES: Final = ("amd64", "arm64")
"""Architectures a download can name (BuildKit's ``TARGETARCH`` values)."""
ANY_ARCH: Final = "all"
"""The download key for architecture-independent files (scripts, jars)."""
TOOL_KINDS: Final = ("file", "tar.gz")
"""``file``: the download is the executable (a static binary or a script).
``tar.gz``: the download is a gzip tarball; ``members`` name the executables in it."""
STRATEGIES: Final = ("stage", "inline")
TIERS: Final = ("foundation", "base", "ext", "runtime")
INSTALL_DIR: Final = "/usr/local/bin"
UID_MIN: Final = 1
UID_MAX: Final = 65533


def _each(predicate: Callable[[str], bool], what: str) -> Callable[[Any, Any, Any], None]:
    def validator(_instance: Any, _attribute: Any, value: Any) -> None:
        values = value if isinstance(value, tuple) else (value,)
        for item in values:
            if not isinstance(item, str) or not predicate(item):
                raise ValueError(f"invalid {what}: {item!r}")

    return validator


def _one_of(choices: Iterable[str], what: str) -> Callable[[Any, Any, Any], None]:
    allowed = tuple(choices)

    def validator(_instance: Any, _attribute: Any, value: Any) -> None:
        if value not in allowed:
            raise ValueError(f"invalid {what}: {value!r} (expected one of {allowed})")

    return validator


def _id_range(_instance: Any, attribute: Any, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not UID_MIN <= value <= UID_MAX:
        raise ValueError(f"invalid {attribute.name}: {value!r}")


def _env_pairs(_instance: Any, _attribute: Any, value: Any) -> None:
    for name, env_value in value:
        if not safe_values.is_env_name(name) or not safe_values.is_env_value(env_value):
            raise ValueError(f"invalid environment entry: {name!r}={env_value!r}")


@attrs.frozen
class Download:
    """One release file for one architecture (or ``all``), with its sha256."""

    arch: str = attrs.field(validator=_one_of((*ARCHES, ANY_ARCH), "architecture"))
    url: str = attrs.field(validator=_each(safe_values.is_https_url, "download URL"))
    sha256: str = attrs.field(validator=_each(safe_values.is_sha256, "sha256"))
    members: tuple[str, ...] = attrs.field(
        default=(), validator=_each(safe_values.is_relative_path, "archive member")
    )


@attrs.frozen
class Tool:
    """A tool downloaded from its release page, verified, installed in /usr/local/bin."""

    name: str = attrs.field(validator=_each(safe_values.is_slug, "tool name"))
    version: str = attrs.field(validator=_each(safe_values.is_tool_version, "tool version"))
    kind: str = attrs.field(validator=_one_of(TOOL_KINDS, "tool kind"))
    binaries: tuple[str, ...] = attrs.field(
        validator=_each(safe_values.is_file_name, "binary name")
    )
    downloads: tuple[Download, ...]
    check: tuple[str, ...] = attrs.field(
        default=(), validator=_each(safe_values.is_shell_word, "check argument")
    )
    env: tuple[tuple[str, str], ...] = attrs.field(default=(), validator=_env_pairs)
    path: tuple[str, ...] = attrs.field(
        default=(), validator=_each(safe_values.is_absolute_path, "PATH directory")
    )
    writable_dirs: tuple[str, ...] = attrs.field(
        default=(), validator=_each(safe_values.is_writable_dir, "writable directory")
    )
    opt_in: bool = False

    def __attrs_post_init__(self) -> None:
        if not self.binaries or not self.downloads:
            raise ValueError(f"tool {self.name!r} needs binaries and downloads")
        arches = [d.arch for d in self.downloads]
        if len(set(arches)) != len(arches) or (ANY_ARCH in arches and len(arches) > 1):
            raise ValueError(f"tool {self.name!r}: bad download architectures {arches}")
        for download in self.downloads:
            if self.kind == "file" and (download.members or len(self.binaries) != 1):
                raise ValueError(f"tool {self.name!r}: a file download installs one binary")
            if download.members and len(download.members) != len(self.binaries):
                raise ValueError(f"tool {self.name!r}: one archive member per binary")

    def members_for(self, download: Download) -> tuple[str, ...]:
        """Archive members to extract, in the order of :attr:`binaries`."""
        return download.members or self.binaries


@attrs.frozen
class SqliteSource:
    """SQLite compiled from upstream's ``sqlite-src`` zip in a builder stage of the target
    platform (so one source download serves every architecture), installed in /usr/local."""

    version: str = attrs.field(validator=_each(safe_values.is_release_number, "SQLite version"))
    url: str = attrs.field(validator=_each(safe_values.is_https_url, "download URL"))
    sha256: str = attrs.field(validator=_each(safe_values.is_sha256, "sha256"))


@attrs.frozen
class UserConfig:
    """The unprivileged user the image is built for (moved to the host's ids at start)."""

    name: str = attrs.field(default="developer", validator=_each(safe_values.is_user_name, "user"))
    uid: int = attrs.field(default=1000, validator=_id_range)
    gid: int = attrs.field(default=1000, validator=_id_range)
    sudo: bool = True
    """Passwordless sudo for the user, as upstream aishell grants."""


@attrs.frozen
class CaCertificate:
    """An extra CA certificate for the foundation's trust store (a TLS-intercepting
    network's root): the file name it gets in the build context and its PEM bytes, read
    and checked when the configuration was (:mod:`aishellc.config.reader`)."""

    name: str = attrs.field(validator=_each(safe_values.is_file_name, "certificate file name"))
    pem: bytes

    def __attrs_post_init__(self) -> None:
        if not self.name.endswith(".crt"):
            raise ValueError(f"a certificate's name ends in .crt: {self.name!r}")


@attrs.frozen
class FoundationConfig:
    """Everything the foundation image is made of."""

    base_image: str = attrs.field(validator=_each(safe_values.is_image_reference, "image"))
    node_image: str = attrs.field(validator=_each(safe_values.is_image_reference, "image"))
    apt_packages: tuple[str, ...] = attrs.field(
        validator=_each(safe_values.is_apt_package, "apt package")
    )
    tools: tuple[Tool, ...]
    enable_tools: tuple[str, ...] = attrs.field(
        default=(), validator=_each(safe_values.is_slug, "tool name")
    )
    user: UserConfig = UserConfig()
    ca_certificates: tuple[CaCertificate, ...] = ()
    glibc_floor: str | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(_each(safe_values.is_release_number, "glibc floor")),
    )
    """The lowest glibc the base image may have (checked by a RUN); ``None``: no check."""
    sqlite: SqliteSource | None = None
    """SQLite built from source (Debian's ``sqlite3`` package is then left out)."""

    def __attrs_post_init__(self) -> None:
        problems = foundation_problems(
            self.apt_packages,
            self.tools,
            self.enable_tools,
            self.user,
            self.ca_certificates,
            self.sqlite,
        )
        if problems:
            raise ValueError(problems[0].message)

    @property
    def active_tools(self) -> tuple[Tool, ...]:
        """Tools that are installed: all but the opt-in ones not enabled."""
        return active_tools(self.tools, self.enable_tools)

    @property
    def gitleaks(self) -> bool:
        """Whether the opt-in gitleaks download is part of this foundation."""
        return any(t.name == "gitleaks" for t in self.active_tools)


@attrs.frozen
class Problem:
    """A consistency problem between foundation settings, and the key it concerns."""

    message: str
    help: str
    key: tuple[str | int, ...]


def active_tools(tools: tuple[Tool, ...], enable_tools: tuple[str, ...]) -> tuple[Tool, ...]:
    """The tools that get installed: every tool but the opt-in ones not enabled."""
    return tuple(t for t in tools if not t.opt_in or t.name in enable_tools)


def foundation_problems(
    apt_packages: tuple[str, ...],
    tools: tuple[Tool, ...],
    enable_tools: tuple[str, ...],
    user: UserConfig,
    ca_certificates: tuple[CaCertificate, ...] = (),
    sqlite: SqliteSource | None = None,
) -> list[Problem]:
    """Checks that span several foundation settings (each value is valid on its own)."""
    problems: list[Problem] = []
    apt_names = [safe_values.apt_package_name(p) for p in apt_packages]
    if ca_certificates and "ca-certificates" not in apt_names:
        problems.append(
            Problem(
                "ca_certificates needs the apt package 'ca-certificates' "
                "(its update-ca-certificates adds them to the trust store)",
                "add 'ca-certificates' to apt_packages",
                ("ca_certificates",),
            )
        )
    cert_names = [cert.name for cert in ca_certificates]
    for name in sorted({n for n in cert_names if cert_names.count(n) > 1}):
        problems.append(
            Problem(
                f"two ca_certificates are both named {name!r} in the image",
                "rename one of the files (the image keeps each under its own file name)",
                ("ca_certificates",),
            )
        )
    for name in sorted({n for n in apt_names if apt_names.count(n) > 1}):
        problems.append(
            Problem(
                f"apt package {name!r} is listed twice", "list each package once", ("apt_packages",)
            )
        )
    tool_names = [t.name for t in tools]
    for name in sorted({n for n in tool_names if tool_names.count(n) > 1}):
        problems.append(
            Problem(f"tool {name!r} is defined twice", "define each tool once", ("tools",))
        )
    opt_in = {t.name for t in tools if t.opt_in}
    for name in enable_tools:
        if name not in opt_in:
            problems.append(
                Problem(
                    f"enable_tools names {name!r}, which is not an opt-in tool",
                    "opt-in tools: " + (", ".join(sorted(opt_in)) or "none"),
                    ("enable_tools",),
                )
            )
    installed: dict[str, str] = {}
    active = active_tools(tools, enable_tools)
    for tool in active:
        for binary in tool.binaries:
            if binary in installed:
                problems.append(
                    Problem(
                        f"tools {installed[binary]!r} and {tool.name!r} both install {binary!r}",
                        f"every binary in {INSTALL_DIR} must come from one tool",
                        ("tools",),
                    )
                )
            installed[binary] = tool.name
    names = set(apt_names)
    if active and not {"curl", "ca-certificates"} <= names:
        problems.append(
            Problem(
                "downloaded tools need the apt packages 'curl' and 'ca-certificates'",
                "add them to apt_packages, or leave out every download with tools = []",
                ("apt_packages",),
            )
        )
    if "gosu" not in installed and "gosu" not in names:
        problems.append(
            Problem(
                "the entrypoint needs gosu, but no tool or apt package provides it",
                "keep the gosu download in tools, or add the Debian package 'gosu' to apt_packages",
                ("tools",),
            )
        )
    if user.sudo and "sudo" not in names:
        problems.append(
            Problem(
                "user.sudo is true but the apt package 'sudo' is not installed",
                "add 'sudo' to apt_packages or set sudo = false in [foundation.user]",
                ("user", "sudo"),
            )
        )
    if sqlite is not None:
        problems += _sqlite_problems(names)
    return problems


READLINE_PACKAGES: Final = ("libreadline8t64", "libreadline8")
"""readline's runtime library: its trixie name (after the time_t transition), then bookworm's."""


def _sqlite_problems(apt_names: set[str]) -> list[Problem]:
    problems: list[Problem] = []
    if "sqlite3" in apt_names:
        problems.append(
            Problem(
                "apt package 'sqlite3' would put a second sqlite3 beside the one built from source",
                "remove 'sqlite3' from apt_packages, or set sqlite = false in [foundation]",
                ("apt_packages",),
            )
        )
    if not apt_names & set(READLINE_PACKAGES):
        problems.append(
            Problem(
                "the SQLite shell built from source links readline, which apt_packages lacks",
                "add 'libreadline8t64' (trixie) or 'libreadline8' (bookworm) to apt_packages, "
                "or set sqlite = false in [foundation]",
                ("apt_packages",),
            )
        )
    return problems


@attrs.frozen
class Config:
    """A complete, validated aishellc configuration."""

    foundation: FoundationConfig
    harnesses: HarnessRegistry = attrs.field(factory=HarnessRegistry.builtin)
    default_harnesses: tuple[HarnessPin, ...] = DEFAULT_HARNESSES
    strategy: str = attrs.field(default="stage", validator=_one_of(STRATEGIES, "strategy"))
    """How the runtime tier installs harnesses: ``stage`` or ``inline`` (DESIGN.md)."""
    tag_prefix: str = attrs.field(
        default="aishell", validator=_each(safe_values.is_tag_prefix, "tag prefix")
    )
    registry: str | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(_each(safe_values.is_registry, "registry")),
    )
    npm_registry: str | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(_each(safe_values.is_npm_registry_url, "npm registry")),
    )
    """``[npm] registry``: where ``aishellc lock`` resolves harnesses (else npm's own
    configuration decides)."""
    ignore: tuple[str, ...] = ()
    """Rule codes silenced for the whole project (``ignore = [...]``, as ruff's
    ``lint.ignore``); they change diagnostics only, never an image, so no hash sees them."""
    source: str | None = attrs.field(default=None, eq=False)
    """The file this configuration was read from, if any (not part of its identity)."""
    default_harness_origins: tuple[Location, ...] = attrs.field(default=(), eq=False)
    """Where each of ``default_harnesses`` is written in that file (empty: the built-in
    default), so a diagnostic about one points at its line."""

    def __attrs_post_init__(self) -> None:
        names = [pin.name for pin in self.default_harnesses]
        if len(set(names)) != len(names):
            raise ValueError(f"default harnesses name one harness twice: {names}")
        unknown = [name for name in names if name not in self.harnesses]
        if unknown:
            raise ValueError(f"default harnesses not in the registry: {unknown}")

    @classmethod
    def default(cls) -> Config:
        """The built-in configuration: upstream aishell v4.0.0's foundation contents."""
        from aishellc.config.defaults import default_foundation

        return cls(foundation=default_foundation())

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Config:
        """Read a TOML config file over the defaults; ``UserError`` on any problem."""
        from aishellc.config.reader import read_config_file

        return read_config_file(path, cls.default())

    @classmethod
    def from_toml(cls, text: str, path: str = "<config>") -> Config:
        """Parse TOML text over the defaults; ``path`` names it in error messages."""
        from aishellc.config.reader import read_config_text

        return read_config_text(text, path, cls.default())

    @property
    def image_repository(self) -> str:
        """``aishell`` or ``REGISTRY/aishell``: the repository every tier is tagged in."""
        if self.registry is None:
            return self.tag_prefix
        return f"{self.registry}/{self.tag_prefix}"

    def tier_tag(self, tier: str, digest: str) -> str:
        """``[REGISTRY/]aishell:<tier>-<first 12 hex digits of digest>``."""
        if tier not in TIERS:
            raise ValueError(f"unknown tier {tier!r}")
        if not safe_values.is_sha256(digest):
            raise ValueError(f"not a sha256 hex digest: {digest!r}")
        return f"{self.image_repository}:{tier}-{digest[:12]}"

    def foundation_inputs(self) -> dict[str, Any]:
        """Everything about the configuration that shapes the foundation image, as plain
        JSON data with sorted keys. Opt-in tools that are not enabled are left out (they
        change nothing in the image); apt packages are sorted (install order is moot)."""
        foundation = self.foundation
        data = {
            "apt_packages": sorted(foundation.apt_packages),
            "base_image": foundation.base_image,
            "glibc_floor": foundation.glibc_floor,
            "node_image": foundation.node_image,
            "sqlite": None if foundation.sqlite is None else attrs.asdict(foundation.sqlite),
            "tools": [_tool_inputs(tool) for tool in foundation.active_tools],
            "user": attrs.asdict(foundation.user),
        }
        if foundation.ca_certificates:
            # Names and contents, not where the files were on this machine.
            data["ca_certificates"] = [
                {"name": cert.name, "sha256": hashlib.sha256(cert.pem).hexdigest()}
                for cert in foundation.ca_certificates
            ]
        result: dict[str, Any] = _sorted(data)
        return result

    def foundation_inputs_json(self) -> bytes:
        """:meth:`foundation_inputs` as canonical JSON bytes (for hashing)."""
        return canonical_json(self.foundation_inputs())


def _tool_inputs(tool: Tool) -> dict[str, Any]:
    return {
        "binaries": list(tool.binaries),
        "check": list(tool.check),
        "downloads": {
            d.arch: {"members": list(tool.members_for(d)), "sha256": d.sha256, "url": d.url}
            for d in tool.downloads
        },
        "env": dict(tool.env),
        "kind": tool.kind,
        "name": tool.name,
        "path": list(tool.path),
        "version": tool.version,
        "writable_dirs": list(tool.writable_dirs),
    }


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


def canonical_json(value: Any) -> bytes:
    """Deterministic JSON: sorted keys, no insignificant whitespace, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def load_config(path: str | os.PathLike[str] | None) -> Config:
    """The configuration in ``path`` over the defaults, or the defaults for ``None``."""
    if path is None:
        return Config.default()
    return Config.load(path)
