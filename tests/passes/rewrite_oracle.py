"""Checks a base rewrite against BuildKit's own parser (the ``dockerfile`` package).

BuildKit must see the same instructions before and after, except

- one global ``ARG <name>=<foundation image>`` inserted before the first FROM (or, when
  the input already has aishellc's ARG, that ARG's default set to the foundation image), and
- the FROMs whose image named one of ``aishell_images`` (after expanding the global ARGs):
  their image must now expand, through the output's global ARGs, to the foundation image;
  every other FROM keeps its image text.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import Any

from aishellc.parser import parse
from aishellc.parser.expansion import ExpansionError, WordLexer

OURS = re.compile(r"AISHELL_BASE(_\d+)?")


def escape_of(text: str) -> str:
    """The escape character of the file (aishellc's parser reads directives as BuildKit)."""
    return parse(text).escape


def expand(lexer: WordLexer, word: str, env: dict[str, str]) -> str | None:
    """``word`` expanded as BuildKit does it, or None where BuildKit fails."""
    try:
        return lexer.process_word(word, env)
    except ExpansionError:
        return None


def global_env(commands: Sequence[Any], escape: str) -> dict[str, str]:
    """The global ARG values as BuildKit computes them without build arguments (a default
    that fails to expand, which fails the build, counts as empty)."""
    lexer = WordLexer(escape=escape)
    env: dict[str, str] = {}
    for command in commands:
        if command.cmd.upper() == "FROM":
            break
        if command.cmd.upper() == "ARG":
            for word in command.value:
                name, sep, default = word.partition("=")
                env[name] = (expand(lexer, default, env) or "") if sep else ""
    return env


def semantic(command: Any) -> tuple[Any, ...]:
    return (
        command.cmd,
        command.sub_cmd,
        command.json,
        command.original,
        command.flags,
        command.value,
        command.heredocs,
    )


def assert_rewrite_is_faithful(
    dockerfile: Any,
    before_text: str,
    after_text: str,
    foundation: str,
    aishell_images: Collection[str],
) -> int:
    """Assert the properties above; return how many FROMs were rewritten."""
    escape = escape_of(before_text)
    before = dockerfile.parse_string(before_text)
    after = list(dockerfile.parse_string(after_text))
    env_before = global_env(before, escape)
    env_after = global_env(after, escape)
    lexer = WordLexer(escape=escape)

    if len(after) == len(before) + 1:
        inserted = next(
            i
            for i, command in enumerate(after)
            if command.cmd.upper() == "ARG"
            and len(command.value) == 1
            and command.value[0].partition("=")[0] not in env_before
            and OURS.fullmatch(command.value[0].partition("=")[0])
            and command.value[0].partition("=")[2] == foundation
        )
        assert all(command.cmd.upper() == "ARG" for command in after[:inserted])
        del after[inserted]
    assert len(after) == len(before)

    rewritten = 0
    stage_names: set[str] = set()
    for old, new in zip(before, after, strict=True):
        if old.cmd.upper() == "ARG" and semantic(old) != semantic(new):
            # aishellc's own ARG from an earlier run: only its default may change.
            (word,) = old.value
            assert OURS.fullmatch(word.partition("=")[0])
            assert new.value == (word.partition("=")[0] + "=" + foundation,)
            continue
        if old.cmd.upper() != "FROM":
            assert semantic(old) == semantic(new)
            continue
        assert (old.flags, old.value[1:]) == (new.flags, new.value[1:])
        image = expand(lexer, old.value[0], env_before)
        if image in aishell_images and image is not None and image.lower() not in stage_names:
            assert expand(lexer, new.value[0], env_after) == foundation
            assert OURS.fullmatch(new.value[0].strip("${}"))
            rewritten += new.value[0] != old.value[0]
        else:
            assert new.value[0] == old.value[0]
        if len(old.value) == 3:
            stage_names.add(old.value[2].lower())
    return rewritten
