"""harness_commands.may_name: the text check that decides whether a RUN's script is parsed
with tree-sitter-bash. It may say yes too often (a parse for nothing), never no to a script
that runs a harness or a package manager."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aishellc.passes.context import DEFAULT_HARNESS_BINARIES
from aishellc.passes.harness_commands import may_name
from aishellc.shell import find_commands

BINARIES = tuple(DEFAULT_HARNESS_BINARIES)
# Every program whose commands the passes read: the harnesses and the package managers.
WANTED = frozenset(BINARIES) | {"npm", "pnpm", "yarn", "bun", "npx", "bunx"}

# (script, may name one of the default harnesses or a package manager)
CASES = [
    ("apt-get update && apt-get install -y jq", False),
    ("echo hello > /etc/motd", False),
    ("X=claude-less; echo $X", True),  # a name inside a word: parsed, found nothing
    ("claude --version", True),
    ("/usr/local/bin/codex exec x", True),
    ("c\\laude doctor", True),
    ("\"cl\"'au'de doctor", True),
    ("cla\\\nude doctor", True),
    ("cla\\\r\nude doctor", True),
    ("$'\\x63laude'", True),
    ("$'\\143laude'", True),
    ("$'\\u0063laude'", True),
    ("$'\\U00000063laude'", True),
    ("printf '\\n'", False),  # an escape that cannot spell a letter
    ("npm install -g @anthropic-ai/claude-code", True),
    ("n\\px some-package", True),
    ("yarn dlx x", True),
    ("bunx x", True),
    ("pnpm dlx x", True),
]


@pytest.mark.parametrize(("script", "expected"), CASES)
def test_may_name(script: str, expected: bool) -> None:
    assert may_name(script, BINARIES) is expected


@pytest.mark.parametrize(("script", "expected"), CASES)
def test_a_script_it_rules_out_runs_nothing_the_passes_look_for(
    script: str, expected: bool
) -> None:
    names = {use.name for use in find_commands(script)}
    assert expected or not names & WANTED


@pytest.mark.parametrize(
    ("script", "names", "expected"),
    [
        ("my-tool --x", ("my-tool",), True),
        ("my-tool --x", ("other",), False),
        ("m'y-t'ool", ("my-tool",), True),
    ],
)
def test_configured_binaries_count(script: str, names: tuple[str, ...], expected: bool) -> None:
    assert may_name(script, names) is expected


# Shell text built from pieces that spell, split, quote and escape harness names.
_PIECES = [
    "c", "l", "a", "u", "de", "claude", "codex", "n", "p", "x", "m", "npx", "bun",
    "'", '"', "\\", "\n", "\r\n", " ", "\t", "$'", "\\x63", "\\143", "\\u0063", "\\n",
    "sh -c ", "bash <<EOF\n", "\nEOF\n", "sudo ", "env ", "$(", ")", "`", ";", "&&", "|",
    "=", "$X", "${X}", "{", "}", ",", "#", "/", "-g ", "install ",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=24).map("".join))
def test_never_rules_out_a_script_that_runs_a_wanted_program(script: str) -> None:
    if not may_name(script, BINARIES):
        names = {use.name for use in find_commands(script)}
        assert not names & WANTED, (script, names & WANTED)
