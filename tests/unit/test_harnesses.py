from __future__ import annotations

import pytest

from aishellc.config.harnesses import (
    BUILTIN_HARNESSES,
    LATEST,
    Harness,
    HarnessPin,
    HarnessRegistry,
    is_harness_spec,
    is_harness_version,
    is_npm_package,
    make_harness,
    parse_harness_spec,
    parse_harness_specs,
)
from aishellc.errors import Location, UserError

# Shell and Dockerfile metacharacters that must never reach a RUN line.
INJECTIONS = [
    ";",
    "\n",
    "\r",
    "$(id)",
    "${HOME}",
    "`id`",
    "'",
    '"',
    "#",
    "\\",
    " ",
    "\t",
    "&",
    "|",
    ">",
    "<",
    "*",
    "?",
    "(",
    "!",
    "\x00",
]


@pytest.mark.parametrize(
    ("name", "binary", "package", "update_off"),
    [
        # (..., the documented switch of its auto-updater; docs/harnesses.md has sources)
        ("claude", "claude", "@anthropic-ai/claude-code", (("DISABLE_AUTOUPDATER", "1"),)),
        ("codex", "codex", "@openai/codex", ()),
        ("gemini", "gemini", "@google/gemini-cli", ()),
        ("opencode", "opencode", "opencode-ai", (("OPENCODE_DISABLE_AUTOUPDATE", "1"),)),
        ("pi", "pi", "@earendil-works/pi-coding-agent", (("PI_SKIP_VERSION_CHECK", "1"),)),
        ("copilot", "copilot", "@github/copilot", ()),
        ("openspec", "openspec", "@fission-ai/openspec", ()),
    ],
)
def test_builtin_registry_matches_design(name, binary, package, update_off):
    assert HarnessRegistry.builtin().get(name) == Harness(name, binary, package, update_off)


@pytest.mark.parametrize(
    "update_off",
    [
        (("DISABLE AUTOUPDATER", "1"),),
        (("DISABLE_AUTOUPDATER", "1; rm -rf /"),),
        (("DISABLE_AUTOUPDATER", "$(id)"),),
        (("DISABLE_AUTOUPDATER",),),
    ],
)
def test_update_switches_are_validated(update_off):
    with pytest.raises(ValueError):
        Harness("claude", "claude", "@anthropic-ai/claude-code", update_off)


def test_the_passes_default_harnesses_are_the_builtin_registry():
    # The passes keep their own copy (they run without a config); it must not drift.
    from aishellc.passes.context import DEFAULT_HARNESS_BINARIES

    assert dict(DEFAULT_HARNESS_BINARIES) == {h.binary: h.package for h in BUILTIN_HARNESSES}


def test_builtin_registry_has_exactly_the_design_table():
    assert HarnessRegistry.builtin().names() == (
        "claude",
        "codex",
        "gemini",
        "opencode",
        "pi",
        "copilot",
        "openspec",
    )
    assert len(BUILTIN_HARNESSES) == 7


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("claude", HarnessPin("claude", LATEST)),
        ("claude@latest", HarnessPin("claude", LATEST)),
        ("claude@2.1.3", HarnessPin("claude", "2.1.3")),
        ("codex@0.0.0", HarnessPin("codex", "0.0.0")),
        ("gemini@1.0.0-beta.2", HarnessPin("gemini", "1.0.0-beta.2")),
        ("pi@1.0.0+build.5", HarnessPin("pi", "1.0.0+build.5")),
        (
            "openspec@10.20.30-rc-1+exp.sha.5114f85",
            HarnessPin("openspec", "10.20.30-rc-1+exp.sha.5114f85"),
        ),
    ],
)
def test_parse_harness_spec(spec, expected):
    assert parse_harness_spec(spec, HarnessRegistry.builtin()) == expected


@pytest.mark.parametrize(
    ("pin", "text", "pinned"),
    [
        (HarnessPin("claude"), "claude@latest", False),
        (HarnessPin("claude", "2.1.3"), "claude@2.1.3", True),
    ],
)
def test_pin_text_and_pinned(pin, text, pinned):
    assert str(pin) == text
    assert pin.pinned is pinned


@pytest.mark.parametrize(
    "version",
    [
        "latest",
        "1.2.3",
        "0.0.1",
        "1.2.3-alpha",
        "1.2.3-alpha.1",
        "1.2.3+20130313144700",
        "1.2.3-beta+exp.sha.5114f85",
    ],
)
def test_valid_versions(version):
    assert is_harness_version(version)


# Not a spec at all: refused wherever a harness is named.
@pytest.mark.parametrize(
    "version",
    [
        "",
        "Latest",
        "LATEST",
        "1.2.3-",
        "1.2.3+",
        "1.2.3 ",
        " 1.2.3",
        "1.2.3\n",
        "1.2.3-a_b",
        "1.2.3-$(id)",
        ">=1 <2; id",
        "١.٢.٣",  # non-ASCII digits: \d must not match them
    ],
)
def test_invalid_versions(version):
    assert not is_harness_version(version)
    assert not is_harness_spec(version)
    with pytest.raises(UserError, match="version"):
        parse_harness_spec(f"claude@{version}")


# Specs (a dist-tag or an npm range) that the lock turns into an exact version: valid to
# request, never printed into an install line as they are.
@pytest.mark.parametrize(
    "spec",
    [
        "next",
        "^1.2.3",
        "~1.2.3",
        ">=1.2.3",
        ">=2 <3",
        "1.2",
        "1",
        "v1.2.3",
        "1.2.3||1.2.4",
        "1.2.x",
        "*",
    ],
)
def test_specs_that_need_the_lock(spec):
    assert not is_harness_version(spec)
    assert is_harness_spec(spec)
    assert parse_harness_spec(f"claude@{spec}") == HarnessPin("claude", spec)


@pytest.mark.parametrize(
    "package",
    [
        "opencode-ai",
        "@anthropic-ai/claude-code",
        "a",
        "a.b",
        "a_b",
        "0x",
        "@s/n",
        "x" * 214,
    ],
)
def test_valid_npm_packages(package):
    assert is_npm_package(package)


@pytest.mark.parametrize(
    "package",
    [
        "",
        "Upper",
        "@Scope/name",
        ".hidden",
        "_under",
        "-option",
        "@scope/-option",
        "@/name",
        "@scope/",
        "scope/name",
        "@a/b/c",
        "node_modules",
        "favicon.ico",
        "name with space",
        "na~me",
        "na'me",
        "na(me)",
        "na!me",
        "na*me",
        "x" * 215,
        "https://evil.example/pkg.tgz",
        "git+ssh://git@github.com/x/y",
        "file:../x",
    ],
)
def test_invalid_npm_packages(package):
    assert not is_npm_package(package)
    with pytest.raises(UserError, match="invalid npm package"):
        make_harness("tool", "tool", package)


@pytest.mark.parametrize(
    "name", ["", "Claude", "1claude", "-claude", "cl_aude", "cl.aude", "a" * 41, "claude@", "é"]
)
def test_invalid_harness_names(name):
    with pytest.raises(UserError):
        parse_harness_spec(name)


@pytest.mark.parametrize("binary", ["", ".bin", "-bin", "a/b", "../x", "a b", "a:b"])
def test_invalid_binary_names(binary):
    with pytest.raises(UserError, match="invalid harness binary"):
        make_harness("tool", binary, "tool")


@pytest.mark.parametrize("payload", INJECTIONS)
@pytest.mark.parametrize("field", ["name", "binary", "package"])
def test_injection_in_harness_entry_is_rejected(field, payload):
    values = {"name": "tool", "binary": "tool", "package": "@scope/tool"}
    values[field] = values[field][:2] + payload + values[field][2:]
    with pytest.raises(UserError):
        make_harness(values["name"], values["binary"], values["package"])


@pytest.mark.parametrize("payload", INJECTIONS)
@pytest.mark.parametrize(
    "template", ["cl{}aude@1.2.3", "claude@1.2{}.3", "claude@1.2.3{}", "claude@{}"]
)
def test_injection_in_harness_spec_is_rejected(template, payload):
    spec = template.format(payload)
    if spec == "claude@*":  # npm's "any version": a range for the lock, never an install word
        assert parse_harness_spec(spec).version == "*"
        assert not is_harness_version("*")
        return
    with pytest.raises(UserError):
        parse_harness_spec(spec)


@pytest.mark.parametrize("field", ["name", "binary", "package"])
def test_direct_construction_is_validated_too(field):
    values = {"name": "tool", "binary": "tool", "package": "tool"}
    values[field] = "x;rm"
    with pytest.raises(ValueError):
        Harness(values["name"], values["binary"], values["package"])


def test_pin_construction_is_validated():
    with pytest.raises(ValueError):
        HarnessPin("claude", "1.0;id")


def test_unknown_harness_names_the_known_ones():
    location = Location("--harness", 1, 1)
    with pytest.raises(UserError) as caught:
        parse_harness_spec("cursor@1.0.0", HarnessRegistry.builtin(), location)
    assert caught.value.location == location
    assert "unknown harness 'cursor'" in caught.value.message
    assert caught.value.help is not None and "claude" in caught.value.help


def test_empty_version_is_an_error():
    with pytest.raises(UserError, match="empty version"):
        parse_harness_spec("claude@")


def test_registry_extension():
    amp = make_harness("amp", "amp", "@sourcegraph/amp")
    registry = HarnessRegistry.builtin().extended([amp])
    assert registry.get("amp") == amp
    assert "amp" in registry
    assert "amp" not in HarnessRegistry.builtin()
    assert parse_harness_spec("amp@1.0.0", registry) == HarnessPin("amp", "1.0.0")


@pytest.mark.parametrize("name", ["claude", "amp"])
def test_registry_rejects_redefinition(name):
    registry = HarnessRegistry.builtin().extended([make_harness("amp", "amp", "amp")])
    with pytest.raises(UserError, match="already defined"):
        registry.extended([make_harness(name, "x", "x")])


def test_specs_naming_a_harness_twice_are_rejected():
    with pytest.raises(UserError, match="listed twice"):
        parse_harness_specs(["claude@1.0.0", "codex", "claude@2.0.0"], HarnessRegistry.builtin())


def test_specs_keep_order():
    pins = parse_harness_specs(["codex@1.0.0", "claude"], HarnessRegistry.builtin())
    assert pins == (HarnessPin("codex", "1.0.0"), HarnessPin("claude", LATEST))
