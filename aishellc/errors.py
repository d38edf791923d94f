"""Errors a user can cause: bad input, bad flags, bad configuration.

Every such error carries where it happened and how to fix it; the CLI prints it as
``path:line:col: message`` (plus ``help: ...``) and exits with code 2.
"""

from __future__ import annotations

import attrs


@attrs.frozen
class Location:
    """A 1-based position in a named input (a Dockerfile, a config file, a flag)."""

    path: str
    line: int = 1
    column: int = 1


@attrs.frozen(auto_exc=True)
class UserError(Exception):
    """An error in what the user gave us; never a bug in aishellc."""

    message: str
    location: Location | None = None
    help: str | None = None

    def render(self) -> str:
        where = ""
        if self.location is not None:
            loc = self.location
            where = f"{loc.path}:{loc.line}:{loc.column}: "
        text = f"{where}{self.message}"
        if self.help:
            text += f"\n  help: {self.help}"
        return text

    def __str__(self) -> str:
        return self.render()


class InvalidPatternError(ValueError):
    """A ``.dockerignore`` pattern whose regex does not compile (``[z-a]``): Docker refuses
    it too. ``index`` is its position in the patterns given; the caller knows its line."""

    def __init__(self, pattern: str, reason: str, index: int) -> None:
        super().__init__(f"invalid .dockerignore pattern {pattern!r}: {reason}")
        self.pattern = pattern
        self.index = index
