"""AIS203: an ENTRYPOINT that replaces aishell's entrypoint in the final image."""

from __future__ import annotations

from aishellc import ast
from aishellc.diagnostics import Diagnostic, Rule, register
from aishellc.passes.context import PassContext, PassResult
from aishellc.passes.spans import keyword_span
from aishellc.passes.stage_graph import analyze_stages

ENTRYPOINT_OVERRIDE = Rule(
    code="AIS203",
    name="entrypoint-override",
    severity="warning",
    summary="ENTRYPOINT replaces aishell's entrypoint",
    doc="""## What it does
Reports `ENTRYPOINT` in the final stage, and in the earlier stages it builds on, when they
build on aishell. ENTRYPOINTs in other stages do not reach the image aishell runs and are
not reported.

## Why is this bad?
aishell's entrypoint moves the `developer` user to the host's UID and GID and then drops
root privileges with gosu before it runs the harness. An image with another ENTRYPOINT
starts as root with the wrong owner for the mounted project, or does not start the
harness at all.

## Example
```dockerfile
FROM aishell:base
ENTRYPOINT ["/usr/local/bin/start-services.sh"]
```

Use instead:
```dockerfile
FROM aishell:base
CMD ["/usr/local/bin/start-services.sh"]
```

## References
- [ENTRYPOINT](https://docs.docker.com/reference/dockerfile/#entrypoint)
""",
)
register(ENTRYPOINT_OVERRIDE)


def check_entrypoint_override(document: ast.Document, context: PassContext) -> PassResult:
    """AIS203 at each ENTRYPOINT the final image inherits from a stage built on aishell."""
    graph = analyze_stages(document, context)
    final = graph.final
    if final is None:
        return document, ()
    found = []
    for stage in reversed(tuple(graph.lineage(final))):
        if not stage.on_aishell:
            continue
        for instruction in stage.instructions:
            if isinstance(instruction, ast.Entrypoint):
                found.append(
                    Diagnostic.at(
                        ENTRYPOINT_OVERRIDE,
                        keyword_span(instruction),
                        "ENTRYPOINT replaces aishell's entrypoint, which fixes the user's"
                        " UID/GID and drops root privileges",
                        "remove it; put the default command in CMD instead",
                    )
                )
    return document, found
