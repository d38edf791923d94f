"""AIS003: a FROM image or global ARG default that BuildKit cannot expand."""

from __future__ import annotations

from aishellc import ast
from aishellc.diagnostics import Diagnostic, Rule, register
from aishellc.passes.context import PassContext, PassResult
from aishellc.passes.stage_graph import analyze_stages

GLOBAL_EXPANSION_ERROR = Rule(
    code="AIS003",
    name="global-expansion-error",
    severity="error",
    summary="A FROM image or global ARG default cannot be expanded",
    doc="""## What it does
Expands every global ARG default and every FROM image through the global ARGs, as BuildKit
does before it builds any stage, and reports the ones that fail: a malformed `${...}`, a
`${VAR:?message}` whose variable is unset, or a FROM whose image expands to nothing. Also
a value that expands to more than 1 MiB (a chain like `ARG A1=${A0}${A0}` doubles with
every line), where BuildKit has no limit and would grow it for as long as memory lasts.

## Why is this bad?
BuildKit refuses the whole Dockerfile, whichever stage is built. aishell builds the
extension without build arguments, so the defaults in the file are all there is; and
aishellc cannot tell which image such a stage builds on.

## Example
```dockerfile
ARG BASE
FROM ${BASE}
```

Use instead:
```dockerfile
ARG BASE=aishell:base
FROM ${BASE}
```

## References
- [Understand how ARG and FROM interact](https://docs.docker.com/reference/dockerfile/#understand-how-arg-and-from-interact)
""",
)
register(GLOBAL_EXPANSION_ERROR)


def report_global_expansion_errors(document: ast.Document, context: PassContext) -> PassResult:
    """One AIS003 per global ARG default or FROM image that does not expand."""
    graph = analyze_stages(document, context)
    found: list[Diagnostic] = []
    for arg in graph.global_args:
        if arg.error is not None:
            found.append(
                Diagnostic.at(
                    GLOBAL_EXPANSION_ERROR,
                    arg.decl.span,
                    f"the default of global ARG `{arg.name}` cannot be expanded: {arg.error}",
                    arg.error_help or "fix the `${...}` expression in the default",
                )
            )
    for stage in graph.stages:
        image = stage.from_.image
        if stage.base.error is None or image is None:
            continue
        if stage.base.expanded is None:
            message = f"the image of this FROM cannot be expanded: {stage.base.error}"
            help = stage.base.error_help or "fix the `${...}` expression in the image"
        else:
            message = f"the image `{image.value}` expands to nothing with the global ARG defaults"
            help = "give the global ARGs it uses a default before the first FROM"
        found.append(Diagnostic.at(GLOBAL_EXPANSION_ERROR, image.span, message, help))
    return document, found
