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
class Accounts:
    """The users and groups known to exist."""

    users: frozenset[str]
    groups: frozenset[str]
    #: False once something the analysis cannot see may have created accounts
    complete: bool = True

    def has(self, kind: str, name: str) -> bool:
        """Whether ``name`` may exist as a ``kind`` ("user" or "group")."""
        if not self.complete:
            return True
        return name in (self.users if kind == "user" else self.groups)

    def created(self, users: frozenset[str], groups: frozenset[str]) -> Accounts:
        return attrs.evolve(self, users=self.users | users, groups=self.groups | groups)

    def unknowable(self) -> Accounts:
        return attrs.evolve(self, complete=False)


@attrs.frozen
class PassContext:
    """What passes may know besides the tree."""

    path: str = "Dockerfile"
    # binary name -> npm package, for every harness that moves to the runtime tier
    harness_binaries: Mapping[str, str] = DEFAULT_HARNESS_BINARIES
    # the global ARG the base rewrite introduces, and the image it defaults to
    base_arg: str = "AISHELL_BASE"
    foundation_image: str = "aishell:foundation"
    # the global tier's tag (``~/.aishell/Dockerfile`` built on the foundation): stages that
    # name ``aishell:base`` build on it (through ``base_arg``) and the ones that name the
    # foundation on the foundation (through ``foundation_arg``); None without a global file
    global_image: str | None = None
    foundation_arg: str = "AISHELL_FOUNDATION"
    # the accounts the global file ends with: the stages on the global tier start from them
    # (AIS205); None without a global file
    global_accounts: Accounts | None = None
    # the unprivileged user the foundation creates (its group has the same name)
    foundation_user: str = "developer"
    # BuildKit's automatic platform ARGs (TARGETARCH, ...) for the platform built for, which
    # global scope sees undeclared (see aishellc.context.platforms); empty when it is not known
    automatic_args: Mapping[str, str] = attrs.field(factory=lambda: MappingProxyType({}))


PassResult = tuple[ast.Document, Sequence[Diagnostic]]
Pass = Callable[[ast.Document, PassContext], PassResult]
