"""npm's own configuration, as far as resolving a harness needs it.

Which registry serves a package, in npm's order: a scoped ``@scope:registry=`` from the
user's ``.npmrc`` for that scope's packages (npm lets nothing override a scope's
registry), else the config's ``[npm] registry``, else ``NPM_CONFIG_REGISTRY``, else
``registry=`` in the ``.npmrc``, else the public registry. The ``.npmrc`` is
``$NPM_CONFIG_USERCONFIG`` or ``~/.npmrc`` (npm's user config; the project and global
files are not read).

Read from it as npm reads it (ini syntax, ``;`` and ``#`` comments, ``${VAR}`` expanded in
keys and values, ``${VAR?}`` empty when unset):

- ``registry=``, ``@scope:registry=``;
- ``//host[:port]/path/:_authToken=`` (a bearer token) and ``//host/path/:_auth=`` (basic),
  found for a request by npm's walk up the request URL's path;
- ``cafile=``: CA certificates trusted on top of the system store;
- ``fetch-timeout=`` (milliseconds).

Tokens live in :class:`NpmSettings` only, out of its ``repr``; nothing here prints or
writes one. Every registry URL, wherever it came from, must pass
:func:`aishellc.config.safe_values.is_npm_registry_url` (no user or password in it).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlsplit

import attrs

from aishellc.config import safe_values
from aishellc.config.toml_locate import decode_utf8
from aishellc.errors import Location, UserError
from aishellc.input_files import read_input

DEFAULT_REGISTRY = "https://registry.npmjs.org/"
DEFAULT_TIMEOUT = 30.0
"""Seconds a registry may take to answer (npm waits 5 minutes; ``fetch-timeout`` sets it)."""
MAX_NPMRC_BYTES = 1 << 20

_ENV_EXPR = re.compile(r"(?<!\\)(\\*)\$\{([^${}?]+)(\?)?\}")
_SCOPE_REGISTRY = re.compile(r"(@[a-z0-9][a-z0-9._-]*):registry", re.ASCII)
_AUTH_KEYS = (":_authToken", ":_auth")


@attrs.frozen
class Credential:
    """One auth entry of the ``.npmrc``: the header it makes and where it was written."""

    scheme: str  # "Bearer" or "Basic"
    value: str = attrs.field(repr=False)
    location: Location
    unset: tuple[str, ...] = ()
    """Variables the value names that are not set (npm then sends the text as written)."""


@attrs.frozen
class NpmSettings:
    """What :mod:`aishellc.npm.client` needs to fetch package documents."""

    registry: str
    """The default registry, ending in ``/``."""
    registry_source: str
    """Where it came from, for messages: ``[npm] registry in aishellc.toml``, ..."""
    scopes: Mapping[str, str] = MappingProxyType({})
    credentials: Mapping[str, Credential] = attrs.field(default=MappingProxyType({}), repr=False)
    """By npm's "nerf dart" of a registry: ``//host[:port]/path/``."""
    cafile: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    npmrc: str | None = None
    """The user's ``.npmrc`` that was read, if there is one."""
    npmrc_path: str = "~/.npmrc"
    """Where the user's ``.npmrc`` is or would be (named in help messages)."""

    def registry_for(self, package: str) -> str:
        """The registry that serves ``package`` (a scope's own registry first)."""
        scope = package.split("/", 1)[0] if package.startswith("@") else None
        if scope is not None and scope in self.scopes:
            return self.scopes[scope]
        return self.registry

    def credential_for(self, url: str) -> Credential | None:
        """The credential npm would send with a request to ``url``: the longest
        ``//host/path/`` prefix of it that has one (npm-registry-fetch's walk)."""
        key = nerf_dart(url)
        while len(key) > 2:
            found = self.credentials.get(key)
            if found is not None:
                return found
            key = re.sub(r"(?:[^/]+|/)$", "", key)
        return None


def nerf_dart(url: str) -> str:
    """npm's key for a registry: ``https://h:1/a/b`` → ``//h:1/a/`` (scheme, user and query
    dropped, the last path segment too unless the path ends in ``/``)."""
    parts = urlsplit(url)
    path = parts.path or "/"
    folder = path[: path.rfind("/") + 1]
    port = parts.port
    default = _DEFAULT_PORTS.get(parts.scheme)
    host = parts.hostname or ""
    return f"//{host}{f':{port}' if port and port != default else ''}{folder}"


_DEFAULT_PORTS = {"http": 80, "https": 443}


def with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


# --- reading ----------------------------------------------------------------------------


@attrs.frozen
class _Entry:
    value: str = attrs.field(repr=False)
    location: Location
    unset: tuple[str, ...]


def expand_env(text: str, env: Mapping[str, str]) -> tuple[str, tuple[str, ...]]:
    """npm's ``${VAR}`` expansion: a set variable is replaced, an unset one stays as
    written (``${VAR?}``: becomes empty), ``\\${VAR}`` is literal. Returns the text and
    the unset names it kept."""
    unset: list[str] = []

    def replace(match: re.Match[str]) -> str:
        escapes, name, optional = match[1], match[2], match[3]
        if len(escapes) % 2:
            return match[0][(len(escapes) + 1) // 2 :]
        if name in env:
            value = env[name]
        elif optional:
            value = ""
        else:
            unset.append(name)
            value = "${" + name + "}"
        return escapes[len(escapes) // 2 :] + value

    return _ENV_EXPR.sub(replace, text), tuple(unset)


def _ini_value(raw: str) -> str:
    """A value as the ``ini`` package reads it: quoted, or cut at an unescaped ``;``/``#``."""
    text = raw.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    out = []
    escaped = False
    for char in text:
        if escaped:
            out.append(char if char in ";#\\" else "\\" + char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in ";#":
            break
        else:
            out.append(char)
    return "".join(out).strip()


def parse_npmrc(text: str, path: str, env: Mapping[str, str]) -> dict[str, _Entry]:
    """The ``key=value`` entries of an ``.npmrc`` (the last of a key wins, as in npm)."""
    entries: dict[str, _Entry] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped[0] in ";#" or stripped.startswith("["):
            continue
        key, sep, raw = stripped.partition("=")
        if not sep:
            continue  # a bare key is `true` to npm; no setting read here takes one
        name, unset_key = expand_env(key.strip(), env)
        value, unset_value = expand_env(_ini_value(raw), env)
        column = len(line) - len(line.lstrip()) + 1
        entries[name] = _Entry(value, Location(path, number, column), unset_key + unset_value)
    return entries


def _registry(value: str, where: Location | None, what: str) -> str:
    if not safe_values.is_npm_registry_url(value):
        raise UserError(
            f"invalid npm registry {safe_values.without_userinfo(value)!r} ({what})",
            where,
            help="write http(s)://HOST[:PORT][/PATH]; put credentials in .npmrc as "
            "//HOST/:_authToken=${TOKEN}, never in the URL",
        )
    return with_slash(value)


def user_npmrc(env: Mapping[str, str], home: Path) -> Path:
    configured = _env_setting(env, "userconfig")
    return Path(configured) if configured else home / ".npmrc"


def _env_setting(env: Mapping[str, str], name: str) -> str | None:
    """An ``npm_config_*`` variable, matched without regard to case as npm does."""
    wanted = f"npm_config_{name}"
    found = [value for key, value in env.items() if key.lower() == wanted]
    return found[-1] if found else None


def load_settings(
    config_registry: str | None,
    config_path: str | None,
    env: Mapping[str, str] | None = None,
    home: Path | None = None,
) -> NpmSettings:
    """The npm settings for this run: the config's ``[npm] registry`` (read from
    ``config_path``), the environment and the user's ``.npmrc``."""
    env = os.environ if env is None else env
    npmrc_path = user_npmrc(env, Path.home() if home is None else home)
    entries: dict[str, _Entry] = {}
    npmrc: str | None = None
    if os.path.lexists(npmrc_path):
        npmrc = os.fspath(npmrc_path)
        raw = read_input(npmrc, "npm config", MAX_NPMRC_BYTES, help="fix or remove the file")
        entries = parse_npmrc(decode_utf8(raw, npmrc, "npm config"), npmrc, env)

    env_registry = _env_setting(env, "registry")
    if config_registry is not None:
        where = f"[npm] registry in {config_path}" if config_path else "[npm] registry"
        registry = _registry(config_registry, None, where)
    elif env_registry:
        where = "NPM_CONFIG_REGISTRY"
        registry = _registry(env_registry, Location.flag(where), where)
    elif "registry" in entries:
        entry = entries["registry"]
        where = f"registry= in {npmrc}"
        registry = _registry(entry.value, entry.location, "registry=")
    else:
        registry, where = DEFAULT_REGISTRY, "npm's default"

    scopes: dict[str, str] = {}
    credentials: dict[str, Credential] = {}
    for key, entry in entries.items():
        scope = _SCOPE_REGISTRY.fullmatch(key)
        if scope:
            scopes[scope[1]] = _registry(entry.value, entry.location, key)
        elif key.startswith("//"):
            for suffix, scheme in zip(_AUTH_KEYS, ("Bearer", "Basic"), strict=True):
                if key.endswith(suffix):
                    credentials[key[: -len(suffix)]] = Credential(
                        scheme, entry.value, entry.location, entry.unset
                    )

    cafile = _env_setting(env, "cafile")
    if cafile is None and "cafile" in entries:
        cafile = entries["cafile"].value
    timeout = DEFAULT_TIMEOUT
    if "fetch-timeout" in entries:
        timeout = _timeout(entries["fetch-timeout"])
    return NpmSettings(
        registry=registry,
        registry_source=where,
        scopes=MappingProxyType(scopes),
        credentials=MappingProxyType(credentials),
        cafile=cafile,
        timeout=timeout,
        npmrc=npmrc,
        npmrc_path=os.fspath(npmrc_path),
    )


def _timeout(entry: _Entry) -> float:
    if not entry.value.isdigit() or int(entry.value) == 0:
        raise UserError(
            f"fetch-timeout must be a positive number of milliseconds, got {entry.value!r}",
            entry.location,
            help="write e.g. fetch-timeout=60000",
        )
    return int(entry.value) / 1000
