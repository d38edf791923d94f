"""AIS202: ONBUILD in the final stage, whose triggers now fire in the runtime tier."""

from __future__ import annotations

from aishellc import ast
from aishellc.diagnostics import Diagnostic, Rule, register
from aishellc.passes.context import PassContext, PassResult
from aishellc.passes.spans import keyword_span
from aishellc.passes.stage_graph import analyze_stages

ONBUILD_IN_EXTENSION = Rule(
    code="AIS202",
    name="onbuild-in-extension",
    severity="warning",
    summary="An ONBUILD trigger in the final stage fires when the runtime tier builds",
    doc="""## What it does
Reports `ONBUILD` instructions in the final stage of the file. Triggers in earlier stages
are not reported: BuildKit runs them when a later stage of the same file builds on that
stage, as before.

## Why is this bad?
The final stage becomes aishellc's extension image, and the runtime tier is built
`FROM` it. A trigger stored in the extension image therefore runs at the start of the
runtime build, before the harnesses are copied in, every time a harness changes; before
aishellc, nothing ever built on this image and the trigger never ran.

## Example
```dockerfile
FROM aishell:base
ONBUILD RUN npm ci
```

Use instead:
```dockerfile
FROM aishell:base
RUN npm ci
```

## References
- [ONBUILD](https://docs.docker.com/reference/dockerfile/#onbuild)
""",
)
register(ONBUILD_IN_EXTENSION)


def check_onbuild_in_extension(document: ast.Document, context: PassContext) -> PassResult:
    """AIS202 at each ONBUILD keyword of the final stage."""
    final = analyze_stages(document, context).final
    if final is None:
        return document, ()
    found = []
    for instruction in final.instructions:
        if not isinstance(instruction, ast.Onbuild):
            continue
        trigger = instruction.trigger.keyword.upper() if instruction.trigger else "trigger"
        span = keyword_span(instruction)
        found.append(
            Diagnostic.at(
                ONBUILD_IN_EXTENSION,
                span,
                f"this ONBUILD {trigger} now runs when the runtime tier builds on this image",
                "run the instruction directly in this stage, or drop it",
            )
        )
    return document, found
