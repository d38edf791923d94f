"""What a pass receives besides the tree, and the shape of a pass."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType

import attrs

from aishellc import ast
from aishellc.diagnostics import Diagnostic

# The harness binaries of DESIGN.md's registry and the npm packages that install them; the
# compiler passes the configured registry instead.
DEFAULT_HARNESS_BINARIES: Mapping[str, str] = MappingProxyType(
    {
        "claude": "@anthropic-ai/claude-code",
        "codex": "@openai/codex",
        "gemini": "@google/gemini-cli",
        "opencode": "opencode-ai",
        "pi": "@earendil-works/pi-coding-agent",
        "copilot": "@github/copilot",
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
    # the unprivileged user the foundation creates (its group has the same name)
    foundation_user: str = "developer"
    # BuildKit's automatic platform ARGs (TARGETARCH, ...) for the platform built for, which
    # global scope sees undeclared (see aishellc.context.platforms); empty when it is not known
    automatic_args: Mapping[str, str] = attrs.field(factory=lambda: MappingProxyType({}))


PassResult = tuple[ast.Document, Sequence[Diagnostic]]
Pass = Callable[[ast.Document, PassContext], PassResult]
