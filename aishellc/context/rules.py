"""The rules for what an extension reads from its build context (AIS304–AIS306).

``check`` and ``compile`` report them alike (:mod:`aishellc.compiler.analysis`), each at the source
word it concerns, every bad source of the file. Registered on import, without importing
the context reader (which ``check`` loads only for a file that reads its context); the
passes package imports this module so that ``aishellc rule`` lists them.
"""

from __future__ import annotations

from aishellc.diagnostics import Rule, register

SOURCE_OUTSIDE_CONTEXT = Rule(
    code="AIS304",
    name="source-outside-context",
    severity="error",
    summary="A COPY, ADD or bind-mount source lies outside the build context",
    doc="""## What it does
Reports a `COPY`, `ADD` or `RUN --mount=type=bind` source that climbs out of the build
context (`../x`), is an absolute path (`/etc/passwd`), or goes through a symlink whose
target is absolute or climbs out of the context.

## Why is this bad?
BuildKit never reads outside the context: it reads `/etc/passwd` as
`<context>/etc/passwd` and resolves such symlinks inside the context, so the build reads
something other than what the line says, or fails with "not found". aishellc does not
follow the path out either: it cannot hash what it must not read.

## Example
```dockerfile
FROM aishell:base
COPY ../shared/settings.json /etc/app/
```

Use instead: move the file into the project (or pass a wider `--context`), and
```dockerfile
FROM aishell:base
COPY shared/settings.json /etc/app/
```
""",
)

SOURCE_NOT_FOUND = Rule(
    code="AIS305",
    name="source-not-found",
    severity="error",
    summary="A COPY, ADD or bind-mount source does not exist in the build context",
    doc="""## What it does
Reports a `COPY`, `ADD` or `RUN --mount=type=bind` source that names no file or folder of
the build context (after its variables are expanded). A wildcard that matches nothing is
not reported: BuildKit allows it.

## Why is this bad?
The build fails at that line with "not found", after every earlier tier was built.

## Example
With `requirements.txt` in the context (the parent of `.aishell/`, or `--context`):
```dockerfile
FROM aishell:base
COPY requirement.txt /tmp/
```

Use instead:
```dockerfile
FROM aishell:base
COPY requirements.txt /tmp/
```
""",
)

SOURCE_EXCLUDED = Rule(
    code="AIS306",
    name="source-excluded-by-dockerignore",
    severity="error",
    summary="A COPY, ADD or bind-mount source is excluded by .dockerignore",
    doc="""## What it does
Reports a source that the build context's `.dockerignore` (or the Dockerfile's own
`<Dockerfile>.dockerignore`, which wins) leaves out of the context. An ignored folder that
holds a file a `!pattern` brings back is still part of the context and is not reported.

## Why is this bad?
Docker does not send an ignored file to the builder, so the build fails with "not
found", although the file is right there on disk.

## Example
With `*.key` in `.dockerignore`:
```dockerfile
FROM aishell:base
COPY deploy.key /etc/app/
```

Use instead: keep the key out of the image and mount it where a step needs it (or, if it
belongs in the image, narrow the pattern or re-include it with `!deploy.key`):
```dockerfile
FROM aishell:base
RUN --mount=type=secret,id=deploy_key,target=/run/deploy.key ./fetch-private-deps.sh
```
""",
)

register(SOURCE_OUTSIDE_CONTEXT, SOURCE_NOT_FOUND, SOURCE_EXCLUDED)
