"""AIS201: the final stage does not build on aishell."""

from __future__ import annotations

from aishellc import ast
from aishellc.diagnostics import Diagnostic, Rule, register
from aishellc.passes.context import PassContext, PassResult
from aishellc.passes.stage_graph import analyze_stages

FINAL_STAGE_NOT_ON_AISHELL = Rule(
    code="AIS201",
    name="final-stage-not-on-aishell",
    severity="error",
    summary="The final stage does not build on aishell:base or aishell:foundation",
    doc="""## What it does
Checks that the last stage of the file (the image `docker build` produces) starts
`FROM aishell:base` or `FROM aishell:foundation`, directly, through a global ARG default, or
through an earlier stage that does.

## Why is this bad?
aishellc builds the harnesses in a runtime tier on top of this image, with the Node.js,
the `developer` user and the entrypoint that the aishell foundation provides. On another
base image the harnesses cannot be installed or started.

## Example
```dockerfile
FROM aishell:base AS tools
RUN apt-get update && apt-get install -y postgresql-client

FROM debian:bookworm-slim
COPY --from=tools /usr/bin/psql /usr/bin/psql
```

Use instead:
```dockerfile
FROM aishell:base
RUN apt-get update && apt-get install -y postgresql-client
```
""",
)
register(FINAL_STAGE_NOT_ON_AISHELL)


def check_final_stage_base(document: ast.Document, context: PassContext) -> PassResult:
    """AIS201 at the final FROM's image when the final stage is not built on aishell."""
    graph = analyze_stages(document, context)
    final = graph.final
    if final is None:
        return document, [
            Diagnostic.at(
                FINAL_STAGE_NOT_ON_AISHELL,
                None,
                "the file has no FROM, so nothing builds on aishell",
                "start the file with `FROM aishell:base`",
            )
        ]
    lineage = tuple(graph.lineage(final))
    if final.on_aishell or any(stage.base.error is not None for stage in lineage):
        # An image that cannot be expanded is reported by AIS003; its base is unknown.
        return document, ()
    root = lineage[-1]
    image = final.from_.image
    span = image.span if image is not None and image.span is not None else final.from_.span
    if root is final:
        message = f"the final stage builds on `{final.base.expanded}`, not on aishell"
    else:
        message = (
            f"the final stage builds on stage `{final.base.expanded}`, which builds on"
            f" `{root.base.expanded}`, not on aishell"
        )
    return document, [
        Diagnostic.at(
            FINAL_STAGE_NOT_ON_AISHELL,
            span,
            message,
            "start the final stage FROM aishell:base (or a stage built on it): the runtime"
            " tier needs the foundation's Node.js, user and entrypoint",
        )
    ]
