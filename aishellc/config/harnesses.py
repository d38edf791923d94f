"""The harness registry: which AI coding harnesses exist and how npm installs them.

A harness is a name (what users write in ``--harness claude@2.1.3``), the binary it puts
on ``PATH`` and the npm package that provides it. The built-in table follows DESIGN.md;
a config file may add entries. Names, binaries, packages and versions all end up in
``RUN npm install`` lines, so each is checked against a narrow grammar before it can be
stored in a :class:`Harness` or :class:`HarnessPin` (the attrs validators are a second
line of defence for code that builds them directly).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType

import attrs

from aishellc.config import safe_values
from aishellc.errors import Location, UserError

LATEST = "latest"

_VERSION_RE = re.compile(
    r"^\d+\.\d+\.\d+(-[A-Za-z0-9.-]+)?(\+[A-Za-z0-9.-]+)?$",
    re.ASCII,
)
# npm's rules (validate-npm-package-name): at most 214 characters, lowercase, URL-safe,
# not starting with "." or "_", optionally scoped as "@scope/name". The characters
# ~'!()* that npm once allowed are excluded, as npm now does for new packages, and so is
# a leading "-" (npm would read the argument as an option).
_NPM_PART = r"[a-z0-9][a-z0-9._-]*"
_NPM_RE = re.compile(rf"(?:@{_NPM_PART}/)?{_NPM_PART}", re.ASCII)
_NPM_MAX = 214
_NPM_RESERVED = frozenset({"node_modules", "favicon.ico"})


def is_harness_name(value: str) -> bool:
    """``^[a-z][a-z0-9-]{0,39}$``."""
    return safe_values.is_slug(value)


def is_harness_version(value: str) -> bool:
    """What an install line may name: ``latest`` or an exact semantic version."""
    return value == LATEST or _VERSION_RE.fullmatch(value) is not None


def is_harness_spec(value: str) -> bool:
    """What a user may request (DESIGN.md, "Harness lock"): ``latest`` or another
    dist-tag, an exact version, or an npm range such as ``^2.1``. A tag other than
    ``latest`` and a range need the lock to become an installable version."""
    return is_harness_version(value) or safe_values.is_npm_spec(value)


def is_npm_package(value: str) -> bool:
    """An npm package name as npm accepts it for new packages."""
    if len(value) > _NPM_MAX or _NPM_RE.fullmatch(value) is None:
        return False
    bare = value.rsplit("/", 1)[-1]
    return bare not in _NPM_RESERVED


def is_binary_name(value: str) -> bool:
    """The file name a harness puts in ``bin/`` (no ``/``, no leading ``-`` or ``.``)."""
    return safe_values.is_file_name(value)


def _check(predicate: Callable[[str], bool], what: str) -> Callable[[object, object, str], None]:
    def validator(_instance: object, _attribute: object, value: str) -> None:
        if not predicate(value):
            raise ValueError(f"invalid {what}: {value!r}")

    return validator


def _update_switches(_instance: object, _attribute: object, value: object) -> None:
    if not isinstance(value, tuple):
        raise ValueError(f"invalid auto-update switches: {value!r}")
    for pair in value:
        if not (
            isinstance(pair, tuple)
            and len(pair) == 2
            and safe_values.is_env_name(pair[0])
            and safe_values.is_env_value(pair[1])
        ):
            raise ValueError(f"invalid auto-update switch: {pair!r}")


@attrs.frozen
class Harness:
    """One registry entry."""

    name: str = attrs.field(validator=_check(is_harness_name, "harness name"))
    binary: str = attrs.field(validator=_check(is_binary_name, "harness binary"))
    package: str = attrs.field(validator=_check(is_npm_package, "npm package"))
    update_off: tuple[tuple[str, str], ...] = attrs.field(default=(), validator=_update_switches)
    """Environment variables that keep the harness from updating itself, so the container
    runs the version installed (docs/harnesses.md gives the source of each)."""


@attrs.frozen
class HarnessPin:
    """A harness and the spec it asks for (``latest``, a dist-tag, semver or a range)."""

    name: str = attrs.field(validator=_check(is_harness_name, "harness name"))
    version: str = attrs.field(default=LATEST, validator=_check(is_harness_spec, "harness spec"))

    @property
    def pinned(self) -> bool:
        """False for ``latest``: its hash cannot see a new release."""
        return self.version != LATEST

    def __str__(self) -> str:
        return f"{self.name}@{self.version}"


# Codex and Gemini CLI have no environment switch (a config-file key in the user's home;
# docs/harnesses.md); OpenSpec has no updater.
BUILTIN_HARNESSES: tuple[Harness, ...] = (
    Harness("claude", "claude", "@anthropic-ai/claude-code", (("DISABLE_AUTOUPDATER", "1"),)),
    Harness("codex", "codex", "@openai/codex"),
    Harness("gemini", "gemini", "@google/gemini-cli"),
    Harness("opencode", "opencode", "opencode-ai", (("OPENCODE_DISABLE_AUTOUPDATE", "1"),)),
    Harness("pi", "pi", "@earendil-works/pi-coding-agent", (("PI_SKIP_VERSION_CHECK", "1"),)),
    Harness("copilot", "copilot", "@github/copilot"),
    # Upstream aishell dropped OpenSpec in v4.0.0; it stays selectable here, so that configs
    # and --harness flags that name it keep working.
    Harness("openspec", "openspec", "@fission-ai/openspec"),
)

DEFAULT_HARNESSES: tuple[HarnessPin, ...] = (HarnessPin("claude", LATEST),)


# --- User-facing validation (located errors) -----------------------------------------


def validate_harness_name(value: str, location: Location | None = None) -> str:
    if not is_harness_name(value):
        raise UserError(
            f"invalid harness name {value!r}",
            location,
            help="harness names are 1-40 characters: a lowercase letter, then a-z, 0-9 or '-'",
        )
    return value


def validate_harness_spec(value: str, location: Location | None = None) -> str:
    if not is_harness_spec(value):
        raise UserError(
            f"invalid harness version {value!r}",
            location,
            help="use 'latest' or another dist-tag, an exact version such as 2.1.3, "
            "1.0.0-beta.2 or 1.0.0+build.5, or an npm range such as ^2.1 or '>=2 <3'",
        )
    return value


def validate_npm_package(value: str, location: Location | None = None) -> str:
    if not is_npm_package(value):
        raise UserError(
            f"invalid npm package name {value!r}",
            location,
            help="npm names are lowercase, URL-safe and at most 214 characters, "
            "optionally scoped: 'name' or '@scope/name'",
        )
    return value


def validate_binary_name(value: str, location: Location | None = None) -> str:
    if not is_binary_name(value):
        raise UserError(
            f"invalid harness binary name {value!r}",
            location,
            help="a binary is a plain file name: letters, digits, '.', '_', '+' or '-', "
            "not starting with '.' or '-'",
        )
    return value


def make_harness(name: str, binary: str, package: str, location: Location | None = None) -> Harness:
    """A validated registry entry; raises ``UserError`` for bad input."""
    return Harness(
        validate_harness_name(name, location),
        validate_binary_name(binary, location),
        validate_npm_package(package, location),
    )


# --- The registry ---------------------------------------------------------------------


@attrs.frozen
class HarnessRegistry:
    """Harnesses by name: the built-ins plus whatever the config adds."""

    entries: tuple[Harness, ...] = BUILTIN_HARNESSES

    def __attrs_post_init__(self) -> None:
        names = [h.name for h in self.entries]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate harness names in registry: {names}")

    @classmethod
    def builtin(cls) -> HarnessRegistry:
        return cls(BUILTIN_HARNESSES)

    def extended(
        self, extras: Iterable[Harness], location: Location | None = None
    ) -> HarnessRegistry:
        """A registry with ``extras`` added; redefining a known name is an error."""
        entries = list(self.entries)
        known = {h.name for h in entries}
        for extra in extras:
            if extra.name in known:
                raise UserError(
                    f"harness {extra.name!r} is already defined",
                    location,
                    help="pick another name for the new harness; built-in harnesses "
                    "cannot be redefined",
                )
            known.add(extra.name)
            entries.append(extra)
        return HarnessRegistry(tuple(entries))

    @property
    def by_name(self) -> Mapping[str, Harness]:
        return MappingProxyType({h.name: h for h in self.entries})

    def names(self) -> tuple[str, ...]:
        return tuple(h.name for h in self.entries)

    def __contains__(self, name: object) -> bool:
        return any(h.name == name for h in self.entries)

    def get(self, name: str, location: Location | None = None) -> Harness:
        for harness in self.entries:
            if harness.name == name:
                return harness
        raise UserError(
            f"unknown harness {name!r}",
            location,
            help="known harnesses: " + ", ".join(sorted(self.names())),
        )


# --- Specs: "name" or "name@version" --------------------------------------------------


def parse_harness_spec(
    spec: str,
    registry: HarnessRegistry | None = None,
    location: Location | None = None,
) -> HarnessPin:
    """Parse ``claude``, ``claude@2.1.3`` or ``claude@^2.1`` into a :class:`HarnessPin`.

    A bare name means ``latest``. With a ``registry``, the name must be in it.
    """
    name, sep, version = spec.partition("@")
    if not sep:
        version = LATEST
    elif not version:
        raise UserError(
            f"harness spec {spec!r} has an empty version",
            location,
            help="write NAME or NAME@VERSION, e.g. claude@2.1.3",
        )
    validate_harness_name(name, location)
    validate_harness_spec(version, location)
    if registry is not None:
        registry.get(name, location)
    return HarnessPin(name, version)


def parse_harness_specs(
    specs: Sequence[str],
    registry: HarnessRegistry | None = None,
    locations: Sequence[Location | None] | None = None,
) -> tuple[HarnessPin, ...]:
    """Parse several specs; naming one harness twice is an error."""
    pins: list[HarnessPin] = []
    seen: dict[str, HarnessPin] = {}
    for index, spec in enumerate(specs):
        location = locations[index] if locations is not None else None
        pin = parse_harness_spec(spec, registry, location)
        if pin.name in seen:
            raise UserError(
                f"harness {pin.name!r} is listed twice ({seen[pin.name]} and {pin})",
                location,
                help="list each harness once",
            )
        seen[pin.name] = pin
        pins.append(pin)
    return tuple(pins)
