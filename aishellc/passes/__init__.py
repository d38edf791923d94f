"""The passes: pure functions ``(Document, PassContext) -> (Document, diagnostics)``.

They run in the order of :data:`PASSES` (order matters: later passes see the tree earlier
ones returned). A pass never prints and never touches the file system. After the passes,
``# aishellc ignore=CODE`` comments drop the diagnostics they name (see
:mod:`aishellc.passes.suppressions`).

The order follows the pipeline of DESIGN.md: global-ARG resolution, the base rewrite,
harness-usage analysis, then the other lints. Passes after the rewrite see the rewritten
FROMs (no span of their own; :func:`aishellc.passes.spans.node_span` finds the original).
"""

from __future__ import annotations

from collections.abc import Sequence

from aishellc import ast
from aishellc.diagnostics import Diagnostic
from aishellc.passes import parse_errors
from aishellc.passes.context import (
    DEFAULT_HARNESS_BINARIES,
    Pass,
    PassContext,
    PassResult,
)
from aishellc.passes.entrypoint_override import check_entrypoint_override
from aishellc.passes.final_stage_base import check_final_stage_base
from aishellc.passes.final_user_not_root import check_final_user_not_root
from aishellc.passes.find_harness_runs import find_harness_runs
from aishellc.passes.global_expansion_errors import report_global_expansion_errors
from aishellc.passes.harness_commands import one_analysis
from aishellc.passes.onbuild_in_extension import check_onbuild_in_extension
from aishellc.passes.parameterize_base_image import parameterize_base_image
from aishellc.passes.suppressions import apply_suppressions
from aishellc.passes.unknown_user import check_unknown_user

__all__ = [
    "DEFAULT_HARNESS_BINARIES",
    "PASSES",
    "Pass",
    "PassContext",
    "PassResult",
    "parse_errors",
    "run_passes",
]

PASSES: tuple[Pass, ...] = (
    report_global_expansion_errors,
    parameterize_base_image,
    find_harness_runs,
    check_final_stage_base,
    check_onbuild_in_extension,
    check_entrypoint_override,
    check_final_user_not_root,
    check_unknown_user,
)


def run_passes(
    document: ast.Document,
    context: PassContext | None = None,
    passes: Sequence[Pass] = PASSES,
    *,
    suppress: bool = True,
) -> tuple[ast.Document, list[Diagnostic]]:
    """Run ``passes`` in order; return the final tree and the diagnostics, without the
    suppressed ones (all of them when not ``suppress``: the analysis adds its own first,
    then applies the comments to everything, see :mod:`aishellc.compiler.analysis`)."""
    context = context or PassContext()
    source = document
    diagnostics: list[Diagnostic] = []
    with one_analysis():
        for run in passes:
            document, found = run(document, context)
            diagnostics.extend(found)
    return document, apply_suppressions(source, diagnostics) if suppress else diagnostics
