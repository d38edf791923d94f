"""Shell analysis of RUN code with tree-sitter-bash: which programs does a script run?

>>> [use.name for use in find_commands("sudo -E bash -c 'claude --version' && echo claude")]
['sudo', 'bash', 'claude', 'echo']

:mod:`aishellc.shell.separators` (no tree-sitter) says which runs of blanks in a command
line are word separators, for the semantic hash.
"""

from aishellc.shell._wrappers import POSIX_SHELLS, is_shell
from aishellc.shell.commands import (
    MAX_SCRIPT_DEPTH,
    CommandUse,
    find_commands,
    program_redirected_at,
    reads_heredocs_after_first_line,
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
