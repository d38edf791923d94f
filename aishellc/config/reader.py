"""Reading an aishellc TOML config file over the defaults, with located errors.

The file is read only if it is a regular file of at most :data:`MAX_CONFIG_BYTES`
(:func:`aishellc.input_files.read_input`: a FIFO, a device or a link to one is refused
before it is read); TOML nested deeper than Python's parser recurses and integers longer
than Python converts are located errors too. Image, registry and download hosts are names:
an IPv6 address in brackets is refused (see :mod:`aishellc.config.safe_values`).

Schema (every key optional; a key that is present replaces the default, except the
``[foundation.user]`` table, whose keys replace the default's one by one)::

    tag_prefix = "aishell"
    registry = "registry.example.com:5000/team"

    [runtime]
    strategy = "stage"                    # or "inline"

    [harnesses]
    default = ["claude@2.1.3", "codex@^0.41"]  # a bare name means @latest; ranges need a lock
    [harnesses.extra.amp]                 # registry additions
    binary = "amp"
    package = "@sourcegraph/amp"

    [npm]
    registry = "https://npm.example.com/"  # for `aishellc lock`; else npm's own configuration

    [foundation]
    base_image = "debian:trixie-slim"
    node_image = "node:24-trixie-slim"
    apt_packages = ["bash", "ca-certificates", "curl", "gosu", "sudo"]
    enable_tools = ["gitleaks"]           # opt-in tools to install
    glibc_floor = "2.39"                  # the build fails below it; false: no check
    [foundation.sqlite]                   # SQLite from source; sqlite = false: none
    version = "3.53.4"
    url = "https://sqlite.org/2026/sqlite-src-3530400.zip"
    sha256 = "d18fa15aec74d8c17e1463f861095adc01b5ad190256acb4f91d22f0368d232b"
    [foundation.user]
    name = "developer"
    uid = 1000
    gid = 1000
    sudo = true
    [[foundation.tools]]                  # replaces the whole default list; tools = [] for none
    name = "cue"
    version = "0.17.1"
    kind = "tar.gz"                       # or "file"
    binaries = ["cue"]
    check = ["cue", "version"]
    [foundation.tools.downloads.amd64]    # amd64, arm64, or all (architecture-independent)
    url = "https://github.com/cue-lang/cue/releases/download/v0.17.1/cue_v0.17.1_linux_amd64.tar.gz"
    sha256 = "a39b0c97695069d95d276d99be0f5dbabb081d801bfdc9ba49b76efaf94e2369"
    members = ["cue"]                     # tar.gz only; defaults to binaries
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NoReturn

import attrs

from aishellc.config import harnesses, safe_values
from aishellc.config.model import (
    ANY_ARCH,
    ARCHES,
    STRATEGIES,
    TOOL_KINDS,
    UID_MAX,
    UID_MIN,
    CaCertificate,
    Config,
    Download,
    FoundationConfig,
    SqliteSource,
    Tool,
    UserConfig,
    foundation_problems,
)
from aishellc.config.pem import MAX_CERTIFICATE_BYTES, pem_problem
from aishellc.config.toml_locate import KeyPath, TomlLocator, decode_utf8, load_toml
from aishellc.errors import Location, UserError
from aishellc.input_files import read_capped, read_input

UNPARSEABLE_CODE = "AIS001"


@attrs.frozen
class Rule:
    """A grammar for one kind of string value, with the words to explain it."""

    check: Callable[[str], bool]
    what: str
    help: str


# Docker accepts [::1]:5000 as a host; aishellc does not (see aishellc/config/safe_values.py).
_NO_IPV6 = "; the host must be a name, not an IPv6 address in brackets (e.g. localhost:5000)"

IMAGE = Rule(
    safe_values.is_image_reference,
    "image reference",
    "write [HOST[:PORT]/]NAME[:TAG][@sha256:<64 hex>], e.g. debian:bookworm-slim" + _NO_IPV6,
)
APT = Rule(
    safe_values.is_apt_package,
    "apt package",
    "write a Debian package name, optionally pinned: 'git' or 'git=1:2.39.5-0+deb12u3'",
)
URL = Rule(
    safe_values.is_https_url,
    "download URL",
    "use an https:// URL without spaces, quotes, query strings or shell characters" + _NO_IPV6,
)
SHA256 = Rule(
    safe_values.is_sha256, "sha256", "write the 64 lowercase hex digits of the file's sha256"
)
REGISTRY = Rule(
    safe_values.is_registry,
    "registry",
    "write HOST[:PORT][/PATH] with a lowercase path, e.g. ghcr.io/acme" + _NO_IPV6,
)
TAG_PREFIX = Rule(
    safe_values.is_tag_prefix,
    "tag prefix",
    "use lowercase letters and digits, separated by single '.', '_' or '-'",
)
SLUG = Rule(
    safe_values.is_slug, "name", "use 1-40 characters: a lowercase letter, then a-z, 0-9 or '-'"
)
VERSION = Rule(
    safe_values.is_tool_version,
    "tool version",
    "use letters, digits, '.', '+', '_' or '-', starting with a letter or digit",
)
FILE_NAME = Rule(
    safe_values.is_file_name,
    "binary name",
    "use a plain file name: letters, digits, '.', '_', '+', '-', not starting with '.' or '-'",
)
MEMBER = Rule(
    safe_values.is_relative_path,
    "archive member",
    "use a relative path such as 'dir/tool' (no '..', spaces or shell characters)",
)
WORD = Rule(
    safe_values.is_shell_word,
    "command argument",
    "use only letters, digits and . _ / = : , + @ % -",
)
ABS_PATH = Rule(
    safe_values.is_absolute_path,
    "absolute path",
    "use an absolute path such as /usr/local/share/tool (no '..', spaces or shell characters)",
)
WRITABLE_DIR = Rule(
    safe_values.is_writable_dir,
    "writable directory",
    "use a directory of its own such as /usr/local/share/tool or /opt/tool/cache, "
    "not a system directory like /usr or /etc",
)
ENV_NAME = Rule(safe_values.is_env_name, "environment variable name", "use [A-Za-z_][A-Za-z0-9_]*")
ENV_VALUE = Rule(
    safe_values.is_env_value,
    "environment variable value",
    "use only letters, digits and . _ / : , @ % + = - (no '$', quotes or spaces)",
)
USER = Rule(safe_values.is_user_name, "user name", "use [a-z_][a-z0-9_-]{0,31}")
NPM_REGISTRY = Rule(
    safe_values.is_npm_registry_url,
    "npm registry",
    "write http(s)://HOST[:PORT][/PATH], e.g. https://npm.example.com/; "
    "put credentials in .npmrc, never in the URL",
)


def _is_certificate_path(value: str) -> bool:
    """A relative path, possibly climbing out of the config's folder first (``../``)."""
    rest = value
    while rest.startswith("../"):
        rest = rest[3:]
    return safe_values.is_relative_path(rest)


CERT_PATH = Rule(
    _is_certificate_path,
    "CA certificate path",
    "write a path relative to this config file such as 'certs/corp.crt' "
    "(letters, digits, '.', '_', '+', '-')",
)
RELEASE = Rule(
    safe_values.is_release_number,
    "version number",
    "write two or three numbers separated by dots, e.g. 2.39 or 3.53.4",
)

MAX_CONFIG_BYTES = 1 << 20
"""The largest config file read: far above any real one (a configuration with every
tool spelled out is a few KiB); ``aishellc.toml -> /dev/zero`` or a huge file is refused."""


_TOP_KEYS = ("foundation", "harnesses", "ignore", "npm", "registry", "runtime", "tag_prefix")
_FOUNDATION_KEYS = (
    "apt_packages",
    "base_image",
    "ca_certificates",
    "enable_tools",
    "glibc_floor",
    "node_image",
    "sqlite",
    "tools",
    "user",
)
_SQLITE_KEYS = ("sha256", "url", "version")
_USER_KEYS = ("gid", "name", "sudo", "uid")
_TOOL_KEYS = (
    "binaries",
    "check",
    "downloads",
    "env",
    "kind",
    "name",
    "opt_in",
    "path",
    "version",
    "writable_dirs",
)
_DOWNLOAD_KEYS = ("members", "sha256", "url")
_HARNESSES_KEYS = ("default", "extra")
_EXTRA_KEYS = ("binary", "package")
_RUNTIME_KEYS = ("strategy",)
_NPM_KEYS = ("registry",)


def read_config_file(path: str | os.PathLike[str], base: Config) -> Config:
    name = os.fspath(path)
    raw = read_input(
        name,
        "config file",
        MAX_CONFIG_BYTES,
        help="pass an existing, readable TOML file with --config",
    )
    return read_config_text(decode_utf8(raw, name, "config file"), name, base)


def read_config_text(text: str, path: str, base: Config) -> Config:
    data = load_toml(text, path, "the config file")
    return _Reader(TomlLocator(path, text)).config(data, base)


class TomlReader:
    """Checks the shapes of parsed TOML values, locating every error (shared by the
    readers of aishellc's TOML files)."""

    def __init__(self, locator: TomlLocator) -> None:
        self.locator = locator

    # --- errors -----------------------------------------------------------------------

    def fail(self, key: KeyPath, message: str, help: str, needle: str | None = None) -> NoReturn:
        raise UserError(message, self.locator.locate(key, needle), help=help)

    @staticmethod
    def dotted(key: KeyPath) -> str:
        text = ""
        for part in key:
            text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
        return text or "(top level)"

    # --- shapes -----------------------------------------------------------------------

    def table(self, value: Any, key: KeyPath, allowed: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(
                key, f"{self.dotted(key)} must be a table", "write it as [section] or { ... }"
            )
        for name in value:
            if name not in allowed:
                close = difflib.get_close_matches(name, allowed, n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                self.fail(
                    (*key, name),
                    f"unknown key {name!r} in {self.dotted(key)}",
                    hint + "allowed keys: " + ", ".join(allowed),
                )
        return value

    def string(self, value: Any, key: KeyPath, rule: Rule | None = None) -> str:
        if not isinstance(value, str):
            self.fail(key, f"{self.dotted(key)} must be a string", "put the value in quotes")
        if rule is not None and not rule.check(value):
            shown = safe_values.without_userinfo(value)
            self.fail(key, f"invalid {rule.what} {shown!r} in {self.dotted(key)}", rule.help, value)
        return value

    def strings(self, value: Any, key: KeyPath, rule: Rule) -> tuple[str, ...]:
        if not isinstance(value, list):
            self.fail(key, f"{self.dotted(key)} must be an array of strings", 'write ["a", "b"]')
        return tuple(self.string(item, (*key, index), rule) for index, item in enumerate(value))

    def boolean(self, value: Any, key: KeyPath) -> bool:
        if not isinstance(value, bool):
            self.fail(key, f"{self.dotted(key)} must be true or false", "write true or false")
        return value

    def integer(self, value: Any, key: KeyPath, low: int, high: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(
                key,
                f"{self.dotted(key)} must be an integer from {low} to {high}, got {value!r}",
                "write a plain number without quotes",
            )
        return value

    def choice(self, value: Any, key: KeyPath, choices: tuple[str, ...]) -> str:
        text = self.string(value, key)
        if text not in choices:
            self.fail(
                key,
                f"{self.dotted(key)} must be one of {', '.join(choices)}, got {text!r}",
                "pick one of the listed values",
                text,
            )
        return text

    def required(self, data: Mapping[str, Any], name: str, key: KeyPath) -> Any:
        if name not in data:
            self.fail(key, f"{self.dotted(key)} needs a {name!r} key", f"add {name} = ...")
        return data[name]


class _Reader(TomlReader):
    """Turns the parsed config TOML into validated objects."""

    def config(self, data: dict[str, Any], base: Config) -> Config:
        self.table(data, (), _TOP_KEYS)
        tag_prefix = base.tag_prefix
        if "tag_prefix" in data:
            tag_prefix = self.string(data["tag_prefix"], ("tag_prefix",), TAG_PREFIX)
        registry = base.registry
        if "registry" in data:
            registry = self.string(data["registry"], ("registry",), REGISTRY)
        strategy = base.strategy
        if "runtime" in data:
            runtime = self.table(data["runtime"], ("runtime",), _RUNTIME_KEYS)
            if "strategy" in runtime:
                strategy = self.choice(runtime["strategy"], ("runtime", "strategy"), STRATEGIES)
        foundation = base.foundation
        if "foundation" in data:
            foundation = self.foundation(data["foundation"], foundation)
        registry_entries = base.harnesses
        default_harnesses = base.default_harnesses
        origins = base.default_harness_origins
        if "harnesses" in data:
            section = self.table(data["harnesses"], ("harnesses",), _HARNESSES_KEYS)
            if "extra" in section:
                registry_entries = self.extra_harnesses(section["extra"], registry_entries)
            if "default" in section:
                default_harnesses, origins = self.default_harnesses(
                    section["default"], registry_entries
                )
        npm_registry = base.npm_registry
        if "npm" in data:
            npm = self.table(data["npm"], ("npm",), _NPM_KEYS)
            if "registry" in npm:
                npm_registry = self.string(npm["registry"], ("npm", "registry"), NPM_REGISTRY)
        ignore = base.ignore
        if "ignore" in data:
            ignore = self.ignored_rules(data["ignore"], ("ignore",))
        return Config(
            foundation=foundation,
            harnesses=registry_entries,
            default_harnesses=default_harnesses,
            strategy=strategy,
            tag_prefix=tag_prefix,
            registry=registry,
            npm_registry=npm_registry,
            ignore=ignore,
            source=self.locator.path,
            default_harness_origins=origins,
        )

    def ignored_rules(self, value: Any, key: KeyPath) -> tuple[str, ...]:
        """Rule codes or names, each a registered rule; returned as sorted codes."""
        from aishellc.diagnostics import retired_rule
        from aishellc.rules import all_rules, rule_for

        if not isinstance(value, list):
            self.fail(key, "ignore must be an array of rule codes", 'write ["AIS202"]')
        codes = set()
        for index, item in enumerate(value):
            item_key = (*key, index)
            if not isinstance(item, str):
                self.fail(
                    item_key,
                    "ignore: each item must be a rule code",
                    'write "AIS202"',
                    needle=str(item) if isinstance(item, int | float) else None,
                )
            rule = rule_for(item)
            if rule is None and retired_rule(item) is not None:
                continue  # a retired code stays valid here; nothing reports it any more
            if rule is None:
                known = ", ".join(rule.code for rule in all_rules())
                self.fail(
                    item_key,
                    f"ignore: unknown rule code or name {item!r}",
                    f"known codes: {known} (aishellc rule --all lists them with their names)",
                    needle=item,
                )
            if rule.code == UNPARSEABLE_CODE:
                self.fail(
                    item_key,
                    f"ignore: {rule.code} cannot be ignored: a file that cannot be parsed "
                    "cannot be checked or compiled",
                    "remove it, and fix the file",
                    needle=item,
                )
            codes.add(rule.code)
        return tuple(sorted(codes))

    def extra_harnesses(
        self, value: Any, registry: harnesses.HarnessRegistry
    ) -> harnesses.HarnessRegistry:
        key: KeyPath = ("harnesses", "extra")
        if not isinstance(value, dict):
            self.fail(key, "harnesses.extra must be a table", "write [harnesses.extra.NAME]")
        extras = []
        for name, entry in value.items():
            entry_key = (*key, name)
            location = self.locator.locate(entry_key)
            harnesses.validate_harness_name(name, location)
            fields = self.table(entry, entry_key, _EXTRA_KEYS)
            binary = self.string(self.required(fields, "binary", entry_key), (*entry_key, "binary"))
            package = self.string(
                self.required(fields, "package", entry_key), (*entry_key, "package")
            )
            harnesses.validate_binary_name(binary, self.locator.locate((*entry_key, "binary")))
            harnesses.validate_npm_package(package, self.locator.locate((*entry_key, "package")))
            extras.append(harnesses.Harness(name, binary, package))
        return registry.extended(extras, self.locator.locate(key))

    def default_harnesses(
        self, value: Any, registry: harnesses.HarnessRegistry
    ) -> tuple[tuple[harnesses.HarnessPin, ...], tuple[Location, ...]]:
        """The pins and where each is written."""
        key: KeyPath = ("harnesses", "default")
        if not isinstance(value, list):
            self.fail(
                key, "harnesses.default must be an array of strings", 'write ["claude@2.1.3"]'
            )
        specs = [self.string(item, (*key, index)) for index, item in enumerate(value)]
        locations = [self.locator.locate((*key, i), spec) for i, spec in enumerate(specs)]
        return harnesses.parse_harness_specs(specs, registry, locations), tuple(locations)

    def foundation(self, value: Any, base: FoundationConfig) -> FoundationConfig:
        key: KeyPath = ("foundation",)
        data = self.table(value, key, _FOUNDATION_KEYS)
        base_image = base.base_image
        if "base_image" in data:
            base_image = self.string(data["base_image"], (*key, "base_image"), IMAGE)
        node_image = base.node_image
        if "node_image" in data:
            node_image = self.string(data["node_image"], (*key, "node_image"), IMAGE)
        apt_packages = base.apt_packages
        if "apt_packages" in data:
            apt_packages = self.strings(data["apt_packages"], (*key, "apt_packages"), APT)
        enable_tools = base.enable_tools
        if "enable_tools" in data:
            enable_tools = self.strings(data["enable_tools"], (*key, "enable_tools"), SLUG)
        tools = base.tools
        if "tools" in data:
            tools = self.tools(data["tools"], (*key, "tools"))
        user = base.user
        if "user" in data:
            user = self.user(data["user"], (*key, "user"), user)
        certificates = base.ca_certificates
        if "ca_certificates" in data:
            certificates = self.ca_certificates(data["ca_certificates"], (*key, "ca_certificates"))
        glibc_floor = base.glibc_floor
        if "glibc_floor" in data:
            glibc_floor = self.glibc_floor(data["glibc_floor"], (*key, "glibc_floor"))
        sqlite = base.sqlite
        if "sqlite" in data:
            sqlite = self.sqlite(data["sqlite"], (*key, "sqlite"))
        for problem in foundation_problems(
            apt_packages, tools, enable_tools, user, certificates, sqlite
        ):
            self.fail((*key, *problem.key), problem.message, problem.help)
        return FoundationConfig(
            base_image=base_image,
            node_image=node_image,
            apt_packages=apt_packages,
            tools=tools,
            enable_tools=enable_tools,
            user=user,
            ca_certificates=certificates,
            glibc_floor=glibc_floor,
            sqlite=sqlite,
        )

    def glibc_floor(self, value: Any, key: KeyPath) -> str | None:
        """A version such as ``"2.39"``, or ``false`` for no check."""
        if value is False:
            return None
        if not isinstance(value, str):
            self.fail(
                key,
                f"{self.dotted(key)} must be a version string or false",
                'write glibc_floor = "2.39", or glibc_floor = false to leave the check out',
            )
        return self.string(value, key, RELEASE)

    def sqlite(self, value: Any, key: KeyPath) -> SqliteSource | None:
        """A ``[foundation.sqlite]`` table (every key required), or ``false`` for none."""
        if value is False:
            return None
        if not isinstance(value, dict):
            self.fail(
                key,
                f"{self.dotted(key)} must be a table or false",
                "write a [foundation.sqlite] table with version, url and sha256, "
                "or sqlite = false to leave SQLite out",
            )
        data = self.table(value, key, _SQLITE_KEYS)
        return SqliteSource(
            version=self.string(self.required(data, "version", key), (*key, "version"), RELEASE),
            url=self.string(self.required(data, "url", key), (*key, "url"), URL),
            sha256=self.string(self.required(data, "sha256", key), (*key, "sha256"), SHA256),
        )

    def ca_certificates(self, value: Any, key: KeyPath) -> tuple[CaCertificate, ...]:
        """Each path (relative to this config file's folder) read and checked as PEM
        certificates; named ``<file stem>.crt`` in the image, as update-ca-certificates
        wants."""
        paths = self.strings(value, key, CERT_PATH)
        folder = Path(self.locator.path).parent
        certificates = []
        for index, given in enumerate(paths):
            where = (*key, index)
            path = folder / given
            try:
                pem = read_capped(path, MAX_CERTIFICATE_BYTES)
            except OSError as error:
                self.fail(
                    where,
                    f"cannot read CA certificate {given!r}: {error.strerror or error}",
                    "paths are relative to the folder of this config file; "
                    "name an existing PEM file",
                    given,
                )
            problem = pem_problem(pem)
            if problem is not None:
                self.fail(
                    where,
                    f"CA certificate {given!r} is not a PEM certificate: {problem}",
                    "give the CA's certificate in PEM form "
                    "(openssl x509 -in corp.der -inform der -out corp.crt)",
                    given,
                )
            stem = Path(given).name.rsplit(".", 1)[0]
            certificates.append(CaCertificate(f"{stem}.crt", pem))
        return tuple(certificates)

    def user(self, value: Any, key: KeyPath, base: UserConfig) -> UserConfig:
        data = self.table(value, key, _USER_KEYS)
        name = base.name
        if "name" in data:
            name = self.string(data["name"], (*key, "name"), USER)
        uid = base.uid
        if "uid" in data:
            uid = self.integer(data["uid"], (*key, "uid"), UID_MIN, UID_MAX)
        gid = base.gid
        if "gid" in data:
            gid = self.integer(data["gid"], (*key, "gid"), UID_MIN, UID_MAX)
        sudo = base.sudo
        if "sudo" in data:
            sudo = self.boolean(data["sudo"], (*key, "sudo"))
        return UserConfig(name=name, uid=uid, gid=gid, sudo=sudo)

    def tools(self, value: Any, key: KeyPath) -> tuple[Tool, ...]:
        if not isinstance(value, list):
            self.fail(
                key, f"{self.dotted(key)} must be an array of tables", "write [[foundation.tools]]"
            )
        return tuple(self.tool(item, (*key, index)) for index, item in enumerate(value))

    def tool(self, value: Any, key: KeyPath) -> Tool:
        data = self.table(value, key, _TOOL_KEYS)
        name = self.string(self.required(data, "name", key), (*key, "name"), SLUG)
        version = self.string(self.required(data, "version", key), (*key, "version"), VERSION)
        kind = self.choice(self.required(data, "kind", key), (*key, "kind"), TOOL_KINDS)
        binaries = self.strings(self.required(data, "binaries", key), (*key, "binaries"), FILE_NAME)
        if not binaries or len(set(binaries)) != len(binaries):
            self.fail(
                (*key, "binaries"), f"tool {name!r} needs distinct binaries", "list each once"
            )
        if kind == "file" and len(binaries) != 1:
            self.fail(
                (*key, "binaries"),
                f"tool {name!r} is a single file, so it installs exactly one binary",
                'use kind = "tar.gz" for archives holding several executables',
            )
        downloads = self.downloads(self.required(data, "downloads", key), key, name, kind, binaries)
        check = self.strings(data.get("check", []), (*key, "check"), WORD)
        env = self.env(data.get("env", {}), (*key, "env"))
        path = self.strings(data.get("path", []), (*key, "path"), ABS_PATH)
        writable = self.strings(
            data.get("writable_dirs", []), (*key, "writable_dirs"), WRITABLE_DIR
        )
        opt_in = self.boolean(data.get("opt_in", False), (*key, "opt_in"))
        return Tool(
            name=name,
            version=version,
            kind=kind,
            binaries=binaries,
            downloads=downloads,
            check=check,
            env=env,
            path=path,
            writable_dirs=writable,
            opt_in=opt_in,
        )

    def downloads(
        self, value: Any, tool_key: KeyPath, name: str, kind: str, binaries: tuple[str, ...]
    ) -> tuple[Download, ...]:
        key = (*tool_key, "downloads")
        arches = (*ARCHES, ANY_ARCH)
        data = self.table(value, key, arches)
        if not data:
            self.fail(
                key, f"tool {name!r} has no downloads", "add [..downloads.amd64] and/or arm64"
            )
        if ANY_ARCH in data and len(data) > 1:
            self.fail(
                (*key, ANY_ARCH),
                f"tool {name!r}: downloads.all cannot be combined with per-architecture downloads",
                "use 'all' for architecture-independent files only",
            )
        result = []
        for arch in arches:
            if arch not in data:
                continue
            arch_key = (*key, arch)
            entry = self.table(data[arch], arch_key, _DOWNLOAD_KEYS)
            url = self.string(self.required(entry, "url", arch_key), (*arch_key, "url"), URL)
            if "sha256" not in entry:
                self.fail(
                    arch_key,
                    f"the {arch} download of tool {name!r} has no sha256",
                    'aishellc only downloads files it can verify: add sha256 = "<64 hex>" '
                    "from the project's published checksums, or leave the tool out",
                )
            sha256 = self.string(entry["sha256"], (*arch_key, "sha256"), SHA256)
            members: tuple[str, ...] = ()
            if "members" in entry:
                members = self.strings(entry["members"], (*arch_key, "members"), MEMBER)
                if kind == "file":
                    self.fail(
                        (*arch_key, "members"),
                        f"tool {name!r} is a single file; members apply to tar.gz archives",
                        'remove members, or use kind = "tar.gz"',
                    )
                if len(members) != len(binaries):
                    self.fail(
                        (*arch_key, "members"),
                        f"tool {name!r} lists {len(binaries)} binaries but {len(members)} members",
                        "give one archive member per binary, in the same order",
                    )
            result.append(Download(arch, url, sha256, members))
        return tuple(result)

    def env(self, value: Any, key: KeyPath) -> tuple[tuple[str, str], ...]:
        if not isinstance(value, dict):
            self.fail(key, f"{self.dotted(key)} must be a table", 'write env = { NAME = "value" }')
        pairs = []
        for name in sorted(value):
            if not ENV_NAME.check(name):
                self.fail((*key, name), f"invalid {ENV_NAME.what} {name!r}", ENV_NAME.help, name)
            pairs.append((name, self.string(value[name], (*key, name), ENV_VALUE)))
        return tuple(pairs)
