"""What goes wrong when a word is expanded: BuildKit's errors, and aishellc's cap on how much
an expansion may produce (see :mod:`aishellc.parser.expansion` for why)."""

from __future__ import annotations

from typing import Final

import attrs

from aishellc.parser.go_text import go_quote

MAX_WORD_CHARS: Final = 1 << 20
"""The most characters one expanded word may hold (1 MiB)."""

MAX_TOTAL_CHARS: Final = 1 << 26
"""The most characters of variable values one :class:`WordLexer` substitutes (64 MiB)."""

_LIMIT_HELP: Final = (
    "no real build needs a value this large (BuildKit has no limit and would grow it for "
    "as long as memory lasts): look for a variable whose value names another variable "
    "more than once, like ARG B=${A}${A}, and write the value out instead"
)


class ExpansionError(ValueError):
    """A word could not be expanded.

    ``str(error)`` is BuildKit's message, e.g.
    ``failed to process "${x": syntax error: missing '}'``; ``reason`` is the
    part after the colon and ``word`` the input that failed.
    """

    def __init__(self, reason: str, word: str) -> None:
        super().__init__(f"failed to process {go_quote(word)}: {reason}")
        self.reason = reason
        self.word = word

    @property
    def help(self) -> str | None:
        """How to fix it, when there is more to say than the message."""
        return None


class ExpansionLimitError(ExpansionError):
    """The expansion went over :data:`MAX_WORD_CHARS` or :data:`MAX_TOTAL_CHARS`
    (aishellc's limit, not BuildKit's)."""

    @property
    def help(self) -> str:
        return _LIMIT_HELP


class LexError(Exception):
    """Raised inside the lexer; wrapped into ExpansionError at the top."""

    def __init__(self, reason: str, *, limit: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.limit = limit


def check_word_size(size: int) -> None:
    """Refuse a word that has grown past :data:`MAX_WORD_CHARS`."""
    if size > MAX_WORD_CHARS:
        raise LexError(
            f"expands to more than {MAX_WORD_CHARS:,} characters (1 MiB), the most "
            "aishellc expands in one word",
            limit=True,
        )


@attrs.define
class Budget:
    """The characters of variable values a :class:`WordLexer` has substituted so far."""

    spent: int = 0

    def spend(self, size: int) -> None:
        self.spent += size
        if self.spent > MAX_TOTAL_CHARS:
            raise LexError(
                f"the values expanded in this Dockerfile add up to more than "
                f"{MAX_TOTAL_CHARS:,} characters (64 MiB), the most aishellc expands in "
                "one file",
                limit=True,
            )
