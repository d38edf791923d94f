"""AIS204: the final image starts as a user other than root, which disables the
entrypoint's UID/GID remapping."""

from __future__ import annotations

from aishellc import ast
from aishellc.diagnostics import Diagnostic, Rule, register
from aishellc.passes.accounts import final_user, is_root_user
from aishellc.passes.context import PassContext, PassResult
from aishellc.passes.spans import node_span
from aishellc.passes.stage_graph import analyze_stages

FINAL_USER_NOT_ROOT = Rule(
    code="AIS204",
    name="final-user-not-root",
    severity="warning",
    summary="The image starts as a user other than root, so aishell cannot remap its ids",
    doc="""## What it does
Reports a final stage that ends as a `USER` other than root (by name or id), set in the
stage or in an earlier stage it builds on. A final stage without `USER`, or one that ends
with `USER root`, is right and is not reported; neither is a `USER` whose value uses an
ARG or a variable aishellc cannot know.

## Why is this bad?
aishell's entrypoint must start as root: it moves the unprivileged user (`developer`) to
the host's UID and GID (`LOCAL_UID`, `LOCAL_GID`), fixes the ownership of its home, and
only then drops privileges with gosu to run the harness. An image that starts as another
user skips all of that: with `-e LOCAL_UID=1234` the harness still runs as uid 1000, and
files it writes in the mounted project belong to the wrong host user. This replaces
AIS302, which advised ending with `USER`.

## Example
```dockerfile
FROM aishell:base
USER developer
RUN npm config set prefix ~/.npm-global
```

To run a step as the user, switch back to root afterwards.

Use instead:
```dockerfile
FROM aishell:base
USER developer
RUN npm config set prefix ~/.npm-global
USER root
```

## References
- [aishell's entrypoint (upstream template)](https://github.com/UniSoma/aishell/blob/main/src/aishell/docker/templates.clj)
- [USER](https://docs.docker.com/reference/dockerfile/#user)
""",
)
register(FINAL_USER_NOT_ROOT)


def check_final_user_not_root(document: ast.Document, context: PassContext) -> PassResult:
    """AIS204 at the value of the USER the final image starts as, when it is not root."""
    graph = analyze_stages(document, context)
    final = graph.final
    if final is None or not final.on_aishell:
        return document, ()
    found = final_user(document, graph, final)
    if found is None:
        return document, ()
    user, value = found
    if value is None or is_root_user(value):
        return document, ()
    name = value.partition(":")[0]
    span = node_span(user.value) if user.value is not None else None
    return document, [
        Diagnostic.at(
            FINAL_USER_NOT_ROOT,
            span,
            f"the image starts as USER {value}: aishell's entrypoint then cannot move"
            f" {name} to the host's UID/GID or drop privileges with gosu",
            "remove the final USER (end with `USER root` if earlier steps need another user);"
            " the entrypoint starts as root and runs the harness as"
            f" {context.foundation_user}",
        )
    ]
