"""The passes: pure functions ``(Document, PassContext) -> (Document, diagnostics)``.

They run in the order of :data:`PASSES` (order matters: later passes see the tree earlier
ones returned). A pass never prints and never touches the file system. After the passes,
``# aishellc ignore=CODE`` comments drop the diagnostics they name (see
:mod:`aishellc.passes.suppressions`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType

import attrs

from aishellc import ast
from aishellc.diagnostics import Diagnostic
from aishellc.passes import parse_errors as parse_errors  # registers AIS001
from aishellc.passes.suppressions import apply_suppressions

# The harness binaries of DESIGN.md's registry and the npm packages that install them; the
# compiler passes the configured registry instead.
DEFAULT_HARNESS_BINARIES: Mapping[str, str] = MappingProxyType(
    {
        "claude": "@anthropic-ai/claude-code",
        "codex": "@openai/codex",
        "gemini": "@google/gemini-cli",
        "opencode": "opencode-ai",
        "pi": "@earendil-works/pi-coding-agent",
        "openspec": "@fission-ai/openspec",
    }
)


@attrs.frozen
class PassContext:
    """What passes may know besides the tree."""

    path: str = "Dockerfile"
    # binary name -> npm package, for every harness that moves to the runtime tier
    harness_binaries: Mapping[str, str] = DEFAULT_HARNESS_BINARIES
    # the global ARG the base rewrite introduces, and the image it defaults to
    base_arg: str = "AISHELL_BASE"
    foundation_image: str = "aishell:foundation"


PassResult = tuple[ast.Document, Sequence[Diagnostic]]
Pass = Callable[[ast.Document, PassContext], PassResult]

PASSES: tuple[Pass, ...] = ()


def run_passes(
    document: ast.Document,
    context: PassContext | None = None,
    passes: Sequence[Pass] = PASSES,
) -> tuple[ast.Document, list[Diagnostic]]:
    """Run ``passes`` in order; return the final tree and the unsuppressed diagnostics."""
    context = context or PassContext()
    source = document
    diagnostics: list[Diagnostic] = []
    for run in passes:
        document, found = run(document, context)
        diagnostics.extend(found)
    return document, apply_suppressions(source, diagnostics)
