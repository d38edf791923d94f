"""Diagnostics and the rules that produce them.

A rule's metadata lives with the pass that checks it: each pass module declares its
:class:`Rule` objects (code, kebab-case name, default severity, a one-line summary and a
markdown doc with ruff's headings) and registers them here, so ``aishellc rule CODE`` and
``docs/rules.md`` read the same text.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal

import attrs

from aishellc.ast import Span

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")


@attrs.frozen
class Rule:
    """What a diagnostic code means.

    ``doc`` is markdown with the sections ``## What it does``, ``## Why is this bad?``,
    ``## Example`` (with "Use instead:") and optionally ``## References``.
    """

    code: str
    name: str
    severity: Severity
    summary: str
    doc: str


@attrs.frozen
class Diagnostic:
    """One finding: a rule code, where, what and how to fix it."""

    code: str
    severity: Severity
    message: str
    help: str
    span: Span | None = attrs.field(default=None, eq=False)
    # Positions survive even when the span's source is gone (e.g. after serialisation).
    line: int = 1
    column: int = 1
    end_line: int = 1
    end_column: int = 1

    @classmethod
    def at(cls, rule: Rule, span: Span | None, message: str, help: str) -> Diagnostic:
        """A diagnostic of ``rule`` at ``span`` (None: the start of the file)."""
        if span is None:
            return cls(rule.code, rule.severity, message, help)
        return cls(
            rule.code,
            rule.severity,
            message,
            help,
            span=span,
            line=span.line,
            column=span.column,
            end_line=span.end_line,
            end_column=span.end_column,
        )

    @property
    def sort_key(self) -> tuple[int, int, str]:
        return (self.line, self.column, self.code)


@attrs.frozen
class RetiredRule:
    """A code that no rule reports any more. Its number is never given to another rule, and
    naming it in ``ignore = [...]`` stays valid (it silences nothing)."""

    code: str
    name: str
    #: why it was retired and what reports the problem now (markdown)
    reason: str


_RULES: dict[str, Rule] = {}

#: Retired codes, by code.
RETIRED: dict[str, RetiredRule] = {
    "AIS302": RetiredRule(
        code="AIS302",
        name="runtime-runs-as-root",
        reason="It reported the image starting as root (no final `USER`), which is what"
        " aishell's entrypoint needs, and advised ending with `USER <name>`, which disables"
        " the entrypoint's UID/GID remapping. A final non-root `USER` is now reported by"
        " AIS204 (final-user-not-root), and a user that does not exist by AIS205"
        " (unknown-user).",
    ),
}


def register(*rules: Rule) -> tuple[Rule, ...]:
    """Add rules to the registry (each pass module calls this once, at import)."""
    for rule in rules:
        if rule.code in RETIRED:
            raise ValueError(f"rule code {rule.code} is retired")
        existing = _RULES.get(rule.code)
        if existing is not None and existing != rule:
            raise ValueError(f"rule code {rule.code} registered twice")
        _RULES[rule.code] = rule
    return rules


def registered() -> Mapping[str, Rule]:
    """The rules registered so far, by code. Which modules register rules, and so the
    complete list, is :mod:`aishellc.rules`'s to know; this module imports none of them."""
    return MappingProxyType(_RULES)


def retired_rule(code_or_name: str) -> RetiredRule | None:
    """The retired code with this code (any case) or name; None when there is none."""
    by_code = RETIRED.get(code_or_name.upper())
    if by_code is not None:
        return by_code
    wanted = code_or_name.lower()
    return next((rule for rule in RETIRED.values() if rule.name == wanted), None)
