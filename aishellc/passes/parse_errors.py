"""AIS001: a file aishellc (and BuildKit) cannot parse, reported as a diagnostic.

Parsing happens before the passes, so this module has no pass: the ``check`` command turns
the parser's :class:`~aishellc.errors.UserError` into a diagnostic with
:func:`diagnostic_from_error` and reports it with the others.
"""

from __future__ import annotations

from aishellc.diagnostics import Diagnostic, Rule, register
from aishellc.errors import UserError

PARSE_ERROR = Rule(
    code="AIS001",
    name="parse-error",
    severity="error",
    summary="The Dockerfile cannot be parsed",
    doc="""## What it does
Reports a Dockerfile that BuildKit's parser rejects: an unknown instruction, a FROM with the
wrong number of arguments, an unterminated heredoc, a bad parser directive, a file that is
not UTF-8, and so on. The diagnostic points at the first problem, as BuildKit does.

## Why is this bad?
`docker build` stops at the same place, so nothing in the file can be built or compiled
into tiers.

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

## References
- [Dockerfile reference](https://docs.docker.com/reference/dockerfile/)
""",
)
register(PARSE_ERROR)


def diagnostic_from_error(error: UserError) -> Diagnostic:
    """The AIS001 diagnostic for a parse error, at its line and column (a point: the text
    there may be empty, e.g. the end of a file)."""
    location = error.location
    line, column = (location.line, location.column) if location is not None else (1, 1)
    return Diagnostic(
        PARSE_ERROR.code,
        PARSE_ERROR.severity,
        error.message,
        error.help or "fix the syntax here: `docker build` rejects it too",
        line=line,
        column=column,
        end_line=line,
        end_column=column,
    )
