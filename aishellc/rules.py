"""Every rule aishellc reports, in one index: ``aishellc rule``, the generated docs, the SARIF
and JSON writers and the validation of ``ignore = [...]`` read it.

Rules are defined next to the code that reports them and registered when their module is
imported (:func:`aishellc.diagnostics.register`): the passes (:mod:`aishellc.passes`), the
runtime-tier rules (:mod:`aishellc.compiler.rules`) and the build-context rules
(:mod:`aishellc.context.rules`). Importing them all is this module's job, so that nothing
below it (the diagnostics, the passes) imports upward: the data flows one way.
"""

from __future__ import annotations

import aishellc.compiler.rules
import aishellc.context.rules
import aishellc.passes  # noqa: F401  (each import registers that package's rules)
from aishellc.diagnostics import Rule, registered

__all__ = ["all_rules", "rule_for"]


def all_rules() -> tuple[Rule, ...]:
    """Every rule, by code."""
    rules = registered()
    return tuple(rules[code] for code in sorted(rules))


def rule_for(code_or_name: str) -> Rule | None:
    """The rule with this code (``AIS204``, any case) or kebab-case name
    (``final-user-not-root``), as ruff's ``rule`` accepts both; None when there is none."""
    rules = registered()
    by_code = rules.get(code_or_name.upper())
    if by_code is not None:
        return by_code
    wanted = code_or_name.lower()
    return next((rule for rule in rules.values() if rule.name == wanted), None)
