"""Shell analysis of RUN code with tree-sitter-bash: which programs does a script run?

>>> [use.name for use in find_commands("sudo -E bash -c 'claude --version' && echo claude")]
['sudo', 'bash', 'claude', 'echo']

:mod:`aishellc.shell.separators` (no tree-sitter) says which runs of blanks in a command
line are word separators, for the semantic hash.

Importing this package does not load tree-sitter: :mod:`aishellc.shell.commands` (and with
it tree-sitter-bash) is imported on first use of one of its names, so a run whose RUNs
cannot hold a harness command never pays for it (see
:func:`aishellc.passes.harness_commands.may_name`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from aishellc.shell._wrappers import POSIX_SHELLS, is_shell

if TYPE_CHECKING:
    from aishellc.shell.commands import (
        MAX_SCRIPT_DEPTH,
        CommandUse,
        find_commands,
        program_redirected_at,
        reads_heredocs_after_first_line,
    )

# Names served by aishellc.shell.commands, imported when first asked for.
_FROM_COMMANDS = frozenset(
    {
        "MAX_SCRIPT_DEPTH",
        "CommandUse",
        "find_commands",
        "program_redirected_at",
        "reads_heredocs_after_first_line",
    }
)

__all__ = [
    "MAX_SCRIPT_DEPTH",
    "POSIX_SHELLS",
    "CommandUse",
    "find_commands",
    "is_shell",
    "program_redirected_at",
    "reads_heredocs_after_first_line",
]


def __getattr__(name: str) -> Any:
    if name in _FROM_COMMANDS:
        value = getattr(importlib.import_module("aishellc.shell.commands"), name)
        globals()[name] = value  # asked once: later lookups are plain module attributes
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
