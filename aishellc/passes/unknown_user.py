"""AIS205: a USER, ``--chown`` or command names a user or group that nothing creates."""

from __future__ import annotations

from aishellc import ast
from aishellc.diagnostics import Diagnostic, Rule, register
from aishellc.passes.accounts import (
    FOUNDATION_GROUPS,
    FOUNDATION_USERS,
    NameUse,
    may_name_unknown_accounts,
    stages_to_check,
    walk_accounts,
)
from aishellc.passes.context import Accounts, PassContext, PassResult
from aishellc.passes.stage_graph import analyze_stages

UNKNOWN_USER = Rule(
    code="AIS205",
    name="unknown-user",
    severity="error",
    summary="A user or group that neither the foundation nor an earlier instruction creates",
    doc="""## What it does
Reports a user or group name that the build needs but that does not exist at that point:
in `USER`, in `COPY --chown`/`ADD --chown`, and in the RUN commands `chown`, `chgrp`, `su`,
`runuser`, `gosu`, `sudo -u`/`-g`, `install -o`/`-g` and `usermod`. The names that exist are the
foundation's (`root`, the configured user `developer` and its group, Debian's system
accounts such as `www-data` and `nobody`), in a stage on `aishell:base` those the global
file (`~/.aishell/Dockerfile`) creates, and those that earlier instructions of the file
create with `useradd`, `adduser`, `groupadd`, `addgroup`, `usermod -l` or `groupmod -n`.

Numeric ids are not reported (they need no account), nor names in variables aishellc
cannot resolve, nor anything after an instruction that may create accounts unseen: a
package install (packages create system users), a write to `/etc/passwd` or `/etc/group`,
a COPY into `/etc`, a script file or piped-in code. Only the stages the final image needs
and that build on aishell are checked.

## Why is this bad?
The build fails there (`chown: invalid user: 'dev:dev'`,
`unable to find user dev: no matching entries in passwd file`), or, for a final `USER`, the
container fails to start. The usual cause is the user's name: aishell's user is
`developer`, not `dev` (upstream's own troubleshooting example writes `dev`).

## Example
```dockerfile
FROM aishell:base
RUN chown -R dev:dev /opt/tools
```

Use instead:
```dockerfile
FROM aishell:base
RUN chown -R developer:developer /opt/tools
```

## References
- [aishell's troubleshooting, "Permission denied" on mounted files](https://github.com/UniSoma/aishell/blob/main/docs/TROUBLESHOOTING.md)
""",
)
register(UNKNOWN_USER)


def check_unknown_user(document: ast.Document, context: PassContext) -> PassResult:
    """AIS205 at each user or group name that does not exist where it is used."""
    graph = analyze_stages(document, context)
    stages = stages_to_check(graph)
    if not may_name_unknown_accounts(graph, stages, context):
        return document, ()
    found = [
        _diagnostic(use, accounts, context)
        for use, accounts in walk_accounts(document, graph, stages, context)
        if not accounts.has(use.kind, use.name)
    ]
    return document, found


def _diagnostic(use: NameUse, accounts: Accounts, context: PassContext) -> Diagnostic:
    names = accounts.users if use.kind == "user" else accounts.groups
    # The system accounts are left out of the list: the names a user means are these.
    listed = sorted((names - FOUNDATION_USERS - FOUNDATION_GROUPS) | {"root"})
    return Diagnostic.at(
        UNKNOWN_USER,
        use.span,
        f"{use.kind} {use.name} does not exist here: neither the foundation nor an earlier"
        " instruction creates it",
        f"known {use.kind}s: {', '.join(listed)} and Debian's system accounts; use one of"
        f" them (aishell's user is {context.foundation_user}), or create {use.name} first"
        f" (`RUN {'useradd --create-home' if use.kind == 'user' else 'groupadd'} {use.name}`)",
    )
