"""The runtime renderer: shapes, and refusing anything unvalidated."""

from __future__ import annotations

import dockerfile
import pytest

from aishellc.emit.runtime import InstalledHarness, RuntimeSpec, render_runtime

CLAUDE = InstalledHarness("claude", "claude", "@anthropic-ai/claude-code", "2.1.3")
CODEX = InstalledHarness("codex", "codex", "@openai/codex", "latest")
F = "aishell:foundation-0123456789ab"
E = "aishell:ext-0123456789ab"


def commands(text: str) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    return [(c.cmd, c.flags, c.value) for c in dockerfile.parse_string(text)]


def test_stage_shape():
    text = render_runtime(RuntimeSpec("stage", (CLAUDE, CODEX), F, E))
    cache = (
        "--mount=type=cache,target=/root/.npm",
        "--mount=type=secret,id=npmrc,target=/root/.npmrc",
    )
    prefix = "/opt/aishell/harness"
    assert commands(text) == [
        ("ARG", (), (f"AISHELL_FOUNDATION={F}",)),
        ("ARG", (), (f"AISHELL_EXTENSION={E}",)),
        ("FROM", (), ("${AISHELL_FOUNDATION}", "AS", "harness-claude")),
        (
            "RUN",
            cache,
            (
                "npm",
                "install",
                "-g",
                "--prefix",
                f"{prefix}/claude",
                "@anthropic-ai/claude-code@2.1.3",
            ),
        ),
        ("FROM", (), ("${AISHELL_FOUNDATION}", "AS", "harness-codex")),
        (
            "RUN",
            cache,
            ("npm", "install", "-g", "--prefix", f"{prefix}/codex", "@openai/codex@latest"),
        ),
        ("FROM", (), ("${AISHELL_EXTENSION}",)),
        ("COPY", ("--from=harness-claude",), (f"{prefix}/claude", f"{prefix}/claude")),
        ("COPY", ("--from=harness-codex",), (f"{prefix}/codex", f"{prefix}/codex")),
        ("ENV", (), ("PATH", f"{prefix}/claude/bin:{prefix}/codex/bin:${{PATH}}")),
    ]
    # nothing in a harness stage names the project: only the foundation and the pin
    stage = text.split("AS harness-claude\n", 1)[1].split("\n\n", 1)[0]
    assert E not in stage and "AISHELL_EXTENSION" not in stage


def test_stage_never_changes_the_user():
    text = render_runtime(RuntimeSpec("stage", (CLAUDE,), F, E, "developer"))
    assert "USER" not in text


@pytest.mark.parametrize(
    ("user", "switch"),
    [(None, False), ("root", False), ("0", False), ("developer", True), ("1000:1000", True)],
)
def test_inline_restores_the_user(user, switch):
    text = render_runtime(RuntimeSpec("inline", (CLAUDE,), F, E, user))
    cmds = [c[0] for c in commands(text)]
    assert cmds == [
        "ARG",
        "FROM",
        *(["USER"] if switch else []),
        "RUN",
        "ENV",
        *(["USER"] if switch else []),
    ]
    if switch:
        assert text.rstrip().endswith(f"USER {user}")
        assert "USER root" in text


def test_legacy_installs_globally_on_the_foundation():
    text = render_runtime(RuntimeSpec("legacy", (CLAUDE, CODEX), F))
    assert commands(text)[1] == ("FROM", (), ("${AISHELL_FOUNDATION}",))
    assert '["npm", "install", "-g", "@openai/codex@latest"]' in text
    assert "--prefix" not in text and "AISHELL_EXTENSION" not in text


@pytest.mark.parametrize(
    "fields",
    [
        ("claude", "claude", "@anthropic-ai/claude-code", "1.0; rm -rf /"),
        ("claude", "claude", "@anthropic-ai/claude-code$(id)", "1.0.0"),
        ("Claude", "claude", "x", "1.0.0"),
        ("claude", "../claude", "x", "1.0.0"),
    ],
)
def test_unvalidated_harnesses_are_refused(fields):
    with pytest.raises(ValueError):
        InstalledHarness(*fields)


@pytest.mark.parametrize(
    "changes",
    [
        {"foundation_image": "aishell:foundation\nRUN id"},
        {"extension_image": "bad image"},
        {"restore_user": "${APP_USER}"},
        {"restore_user": "dev\nRUN id"},
        {"harnesses": (CODEX, CLAUDE)},
        {"strategy": "legacy"},
    ],
)
def test_unvalidated_specs_are_refused(changes):
    fields = {
        "strategy": "inline",
        "harnesses": (CLAUDE,),
        "foundation_image": F,
        "extension_image": E,
    }
    with pytest.raises(ValueError):
        RuntimeSpec(**{**fields, **changes})


# --- locked installs, registries, auto-updaters ------------------------------------------

INTEGRITY = "sha512-" + "A" * 86 + "=="
LOCKED = InstalledHarness(
    "claude",
    "claude",
    "@anthropic-ai/claude-code",
    "2.1.3",
    INTEGRITY,
    (("DISABLE_AUTOUPDATER", "1"),),
)
SHAPES = [
    ("stage", E, None),
    ("inline", E, "developer"),
    ("legacy", None, None),
]


def runs(text: str) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    return [(c[1], c[2]) for c in commands(text) if c[0] == "RUN"]


@pytest.mark.parametrize(("strategy", "extension", "user"), SHAPES)
def test_a_locked_harness_is_checked_before_it_is_installed(strategy, extension, user):
    text = render_runtime(RuntimeSpec(strategy, (LOCKED,), F, extension, user))
    [(flags, argv)] = runs(text)
    assert argv[:2] == ("/bin/sh", "-c")
    script = argv[2]
    pack = script.index(
        "npm pack --loglevel=error --pack-destination /tmp/aishellc-pack @anthropic-ai/claude-code@2.1.3"
    )
    check = script.index('if [ "$actual" != "$expected" ]')
    install = script.index("npm install -g")
    assert pack < check < install
    assert f"expected={INTEGRITY};" in script
    assert '/tmp/aishellc-pack/"$name"' in script[install:]
    assert "does not match aishellc.lock" in script and "@anthropic-ai/claude-code@2.1.3" in script
    assert flags == (
        "--mount=type=cache,target=/root/.npm",
        "--mount=type=secret,id=npmrc,target=/root/.npmrc",
    )


@pytest.mark.parametrize(("strategy", "extension", "user"), SHAPES)
def test_auto_updaters_are_switched_off_in_every_shape(strategy, extension, user):
    text = render_runtime(RuntimeSpec(strategy, (LOCKED, CODEX), F, extension, user))
    envs = [c[2] for c in commands(text) if c[0] == "ENV" and c[2][0] != "PATH"]
    assert envs == [("DISABLE_AUTOUPDATER", "1")]
    # set in the image that runs: after the last FROM (and before any USER restore)
    last_from = text.rindex("\nFROM ")
    assert text.index("ENV DISABLE_AUTOUPDATER=1") > last_from


def test_without_a_switch_there_is_no_env():
    text = render_runtime(RuntimeSpec("stage", (CODEX,), F, E))
    assert [c for c in commands(text) if c[0] == "ENV" and c[2][0] != "PATH"] == []


@pytest.mark.parametrize(("strategy", "extension", "user"), SHAPES)
def test_the_npm_registry_reaches_every_npm_command(strategy, extension, user):
    registry = "https://npm.example.com/team/"
    spec = RuntimeSpec(strategy, (LOCKED, CODEX), F, extension, user, npm_registry=registry)
    text = render_runtime(spec)
    [(_, locked), (_, unlocked)] = runs(text)
    assert (
        f"npm pack --loglevel=error --pack-destination /tmp/aishellc-pack --registry {registry} @anthropic-ai"
        in locked[2]
    )
    assert f'--registry {registry} /tmp/aishellc-pack/"$name"' in locked[2]
    assert unlocked[-3:] == ("--registry", registry, "@openai/codex@latest")


@pytest.mark.parametrize(
    "changes",
    [
        {"npm_registry": "https://user:secret@npm.example.com/"},
        {"npm_registry": "https://npm.example.com/$(id)"},
        {"npm_registry": "ftp://npm.example.com/"},
    ],
)
def test_unvalidated_registries_are_refused(changes):
    with pytest.raises(ValueError):
        RuntimeSpec("stage", (CLAUDE,), F, E, **changes)


@pytest.mark.parametrize(
    "integrity",
    ["sha512-short==", "sha1-" + "A" * 27 + "=", INTEGRITY + "; id", "sha512-" + "$" * 86 + "=="],
)
def test_unvalidated_integrities_are_refused(integrity):
    with pytest.raises(ValueError):
        InstalledHarness("claude", "claude", "@anthropic-ai/claude-code", "2.1.3", integrity)
