"""What the runtime installs from the harnesses asked for and the lock (``compile``'s half
of the harness lock): :func:`aishellc.lock.installs.installed_harnesses` as a table."""

from __future__ import annotations

from pathlib import Path

import pytest

from aishellc.config.harnesses import Harness, HarnessPin, HarnessRegistry
from aishellc.errors import UserError
from aishellc.lock.file import Lock, LockedHarness
from aishellc.lock.installs import installed_harnesses

SRI = "sha512-" + "A" * 86 + "=="
SRI_CODEX = "sha512-" + "B" * 86 + "=="
REGISTRY = HarnessRegistry.builtin()
LOCK = Lock(
    (
        LockedHarness("claude", "@anthropic-ai/claude-code", "latest", "2.1.331", SRI),
        LockedHarness("codex", "@openai/codex", "^0.50", "0.50.2", SRI_CODEX),
    )
)


def pins(*specs: str) -> tuple[HarnessPin, ...]:
    return tuple(HarnessPin(*spec.split("@", 1)) for spec in specs)


def install(
    specs: tuple[HarnessPin, ...],
    lock: Lock | None,
    *,
    locked: bool = False,
    registry: HarnessRegistry = REGISTRY,
) -> list[tuple[str, str, str | None]]:
    found = installed_harnesses(
        specs,
        registry,
        lock,
        lock_file=Path(".aishell/aishellc.lock"),
        dockerfile=".aishell/Dockerfile",
        locked=locked,
    )
    return [(h.name, h.version, h.integrity) for h in found]


# (specs asked for, lock, what installs)
INSTALLS = [
    (pins("claude@latest"), LOCK, [("claude", "2.1.331", SRI)]),
    (
        pins("codex@^0.50", "claude@latest"),
        LOCK,
        [("claude", "2.1.331", SRI), ("codex", "0.50.2", SRI_CODEX)],
    ),
    (pins("claude@latest"), None, [("claude", "latest", None)]),
    (pins("claude@2.1.3"), None, [("claude", "2.1.3", None)]),
]


@pytest.mark.parametrize(("specs", "lock", "expected"), INSTALLS)
def test_what_installs(specs, lock, expected):
    assert install(specs, lock) == expected


# (specs asked for, lock, --locked, start of the error)
REFUSED = [
    (
        pins("claude@2.1.4"),
        LOCK,
        False,
        "aishellc.lock does not cover harness claude@2.1.4: the lock resolved 'latest'",
    ),
    (
        pins("gemini@latest"),
        LOCK,
        False,
        "aishellc.lock does not cover harness gemini@latest: it is not in the lock",
    ),
    (
        pins("codex@^0.51"),
        LOCK,
        False,
        "aishellc.lock does not cover harness codex@^0.51: the lock resolved '^0.50'",
    ),
    (
        pins("claude@latest"),
        None,
        True,
        "--locked: there is no aishellc.lock next to the Dockerfile",
    ),
    (pins("claude@^2.1"), None, False, "harness claude@^2.1 names a dist-tag or an npm range"),
    (pins("claude@next"), None, False, "harness claude@next names a dist-tag or an npm range"),
]


@pytest.mark.parametrize(("specs", "lock", "locked", "message"), REFUSED)
def test_what_is_refused(specs, lock, locked, message):
    with pytest.raises(UserError) as caught:
        install(specs, lock, locked=locked)
    assert caught.value.message.startswith(message), caught.value.message
    assert "aishellc lock .aishell/Dockerfile" in (caught.value.help or "")


def test_a_harness_whose_package_changed_is_not_covered():
    moved = HarnessRegistry(()).extended([Harness("claude", "claude", "@anthropic-ai/claude")])
    with pytest.raises(UserError) as caught:
        install(pins("claude@latest"), LOCK, registry=moved)
    assert (
        "the lock has package @anthropic-ai/claude-code, the registry now names "
        "@anthropic-ai/claude" in caught.value.message
    )


def test_a_locked_install_carries_the_update_switch():
    [claude] = installed_harnesses(
        pins("claude@latest"),
        REGISTRY,
        LOCK,
        lock_file=Path("aishellc.lock"),
        dockerfile="Dockerfile",
        locked=True,
    )
    assert claude.update_off == (("DISABLE_AUTOUPDATER", "1"),)
