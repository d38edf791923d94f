"""A context path written as a ``.dockerignore`` pattern that matches exactly that path.

BuildKit reads the line with ``ignorefile.ReadAll`` (a line starting with ``#`` is a
comment; the line is trimmed of whitespace; a leading ``!`` re-includes) and matches it
with moby's ``patternmatcher``: ``*`` and ``?`` are wildcards even inside ``[...]`` (its
translation to a regex does not track classes), so only a ``\\`` escape makes them
literal. aishellc hashes the context with docker-py's port of that matcher
(:mod:`aishellc.context.dockerignore`), which has no ``\\`` escape but reads ``[*]`` as a class. So
a path gets two spellings of one pattern, checked against both (docker-py in the tests,
the engine in ``tests/e2e/test_output_exclusion.py``):

- ``*`` and ``?``: ``\\*`` in the file BuildKit reads, ``[*]`` for aishellc's matcher;
- ``[`` and ``\\``: ``[[]`` and ``[\\\\]``, read alike by both;
- whitespace at either end (both trim it) and a leading ``#`` (a comment): a
  one-character class such as ``[ ]``.

What cannot be written: a line break (the line would end there), and a leading ``!``
(docker-py takes it for a re-include whatever follows, ``[!]`` included).
"""

from __future__ import annotations

import attrs

_ESCAPED_FOR_BUILDKIT = frozenset("*?")
_CLASS_ANYWHERE = frozenset("[\\")


class Inexpressible(ValueError):
    """The path cannot be written as an exact ignore pattern; the message says why."""


@attrs.frozen
class LiteralPattern:
    """One exact pattern, as BuildKit reads it and as aishellc's matcher reads it."""

    buildkit: str
    """The line written to the ignore file."""
    matcher: str
    """The same pattern for :class:`aishellc.context.dockerignore.IgnoreMatcher`."""

    def then_any(self) -> LiteralPattern:
        """This pattern followed by a ``*`` wildcard (any rest of the name)."""
        return LiteralPattern(self.buildkit + "*", self.matcher + "*")


def literal_pattern(path: str) -> LiteralPattern:
    """The pattern for the context path ``path`` (relative, ``/``-separated, clean)."""
    if "\n" in path:
        raise Inexpressible("it holds a line break, which ends a line of an ignore file")
    if path.startswith("!"):
        raise Inexpressible("it starts with '!', which aishellc's matcher reads as a re-include")
    last = len(path) - 1
    buildkit, matcher = [], []
    for index, char in enumerate(path):
        if char in _ESCAPED_FOR_BUILDKIT:
            buildkit.append("\\" + char)
            matcher.append(f"[{char}]")
        elif (
            char in _CLASS_ANYWHERE
            or (index in (0, last) and char.isspace())
            or (index == 0 and char == "#")
        ):
            # Inside a class BuildKit still reads "\" as an escape: it is written twice.
            spelt = "[\\\\]" if char == "\\" else f"[{char}]"
            buildkit.append(spelt)
            matcher.append(spelt)
        else:
            buildkit.append(char)
            matcher.append(char)
    return LiteralPattern("".join(buildkit), "".join(matcher))
