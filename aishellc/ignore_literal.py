"""A context path written as a ``.dockerignore`` pattern that matches exactly that path.

BuildKit reads the line with ``ignorefile.ReadAll`` (a line starting with ``#`` is a
comment; the line is trimmed of whitespace; a leading ``!`` re-includes) and matches it
with moby's ``patternmatcher`` (``*``, ``?`` and ``[...]`` are wildcards, ``\\`` escapes the
next character). aishellc hashes the context with docker-py's port of that matcher
(:mod:`aishellc.dockerignore`), which has ``[...]`` but no ``\\`` escape, so a pattern must
be written in the part of the syntax both read the same way:

- ``*``, ``?``, ``[`` and ``\\`` are one-character classes: ``[*]``, ``[?]``, ``[[]``,
  ``[\\\\]``;
- a whitespace character at either end (both trim it) and a leading ``#`` (a comment) are
  one-character classes too.

What cannot be written: a line break (the line would end there), and a leading ``!`` (a
class ``[!]`` is a negation for docker-py, and ``\\!`` is an escape only for BuildKit).
"""

from __future__ import annotations

_CLASS_ANYWHERE = frozenset("*?[\\")


class Inexpressible(ValueError):
    """The path cannot be written as an exact ignore pattern; the message says why."""


def literal_pattern(path: str) -> str:
    """The pattern for the context path ``path`` (relative, ``/``-separated, clean)."""
    if "\n" in path:
        raise Inexpressible("it holds a line break, which ends a line of an ignore file")
    if path.startswith("!"):
        raise Inexpressible(
            "it starts with '!', which BuildKit and aishellc's matcher escape differently"
        )
    last = len(path) - 1
    return "".join(
        _one_char_class(char)
        if char in _CLASS_ANYWHERE
        or (index in (0, last) and char.isspace())
        or (index == 0 and char == "#")
        else char
        for index, char in enumerate(path)
    )


def _one_char_class(char: str) -> str:
    # Inside a class BuildKit still reads "\" as an escape: a backslash is written twice.
    return "[\\\\]" if char == "\\" else f"[{char}]"
