"""AIS001: input that cannot be read or parsed, reported as a diagnostic.

This is not a pass over a tree (there is no tree): the front end raises a located
:class:`~aishellc.errors.UserError`, and ``aishellc check`` turns it into an error
diagnostic with :func:`diagnostic_from_error` so it appears in every output format beside
the other findings. The exit code for such a file is still 2 (see :mod:`aishellc.cli`).
"""

from __future__ import annotations

from aishellc.diagnostics import Diagnostic, Rule, register
from aishellc.errors import UserError

PARSE_ERROR = Rule(
    code="AIS001",
    name="parse-error",
    severity="error",
    summary="The Dockerfile cannot be read or parsed",
    doc="""## What it does
Reports a Dockerfile that aishellc cannot read (missing, unreadable, not UTF-8, binary)
or that BuildKit's parser would reject (an unknown instruction, an unterminated heredoc,
a file with no instructions), at the line and column where reading stopped.

## Why is this bad?
`docker build` fails on the same input, and aishellc cannot compile or check what it
cannot parse: no other rule runs on the file.

## Example
```dockerfile
FROM aishell:base
RUN <<EOF
apt-get update
```

Use instead:
```dockerfile
FROM aishell:base
RUN <<EOF
apt-get update
EOF
```
""",
)
register(PARSE_ERROR)


def diagnostic_from_error(error: UserError) -> Diagnostic:
    """The AIS001 diagnostic for a read or parse error (at 1:1 when it has no location)."""
    location = error.location
    line = location.line if location is not None else 1
    column = location.column if location is not None else 1
    return Diagnostic(
        PARSE_ERROR.code,
        PARSE_ERROR.severity,
        error.message,
        error.help or "",
        line=line,
        column=column,
        end_line=line,
        end_column=column,
    )
