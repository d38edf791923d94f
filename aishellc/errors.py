"""Errors a user can cause: bad input, bad flags, bad configuration.

Every such error carries where it happened and how to fix it; the CLI prints it as
``path:line:col: message`` (plus ``help: ...``) and exits with code 2. A flag is located by
its name alone (``--harness: message``). What is printed goes through
:func:`aishellc.terminal.visible`: a path or value with control characters cannot break
the line or reach the terminal raw.
"""

from __future__ import annotations

import attrs

from aishellc.terminal import visible


@attrs.frozen
class Location:
    """A 1-based position in a named input (a Dockerfile, a config file, a flag)."""

    path: str
    line: int = 1
    column: int = 1

    @classmethod
    def flag(cls, name: str) -> Location:
        """A command-line flag such as ``--harness``: it has no lines (line and column 0)."""
        return cls(name, 0, 0)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}" if self.line else self.path


@attrs.frozen(auto_exc=True)
class UserError(Exception):
    """An error in what the user gave us; never a bug in aishellc."""

    message: str
    location: Location | None = None
    help: str | None = None

    def render(self) -> str:
        where = "" if self.location is None else f"{self.location}: "
        text = visible(f"{where}{self.message}")
        if self.help:
            text += f"\n  help: {visible(self.help)}"
        return text

    def __str__(self) -> str:
        return self.render()
