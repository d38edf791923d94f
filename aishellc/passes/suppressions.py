"""``# aishellc ignore=CODE[,CODE]`` on the line before an instruction, and unused ones.

The comment suppresses the named codes on the instruction that follows it (all of its
lines). A suppression that suppresses nothing is reported itself, as ruff does.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from aishellc import ast
from aishellc.diagnostics import Diagnostic, Rule, register

UNUSED_SUPPRESSION = Rule(
    code="AIS002",
    name="unused-suppression",
    severity="warning",
    summary="An `# aishellc ignore=` comment suppresses nothing",
    doc="""## What it does
Reports `# aishellc ignore=CODE` comments whose codes match no diagnostic on the
instruction that follows them, and codes that name no rule.

## Why is this bad?
A stale suppression hides the next real problem of that kind on the line, and misleads
readers about what the instruction does.

## Example
```dockerfile
# aishellc ignore=AIS101
RUN echo "claude is no longer run here"
```

Use instead:
```dockerfile
RUN echo "claude is no longer run here"
```
""",
)
register(UNUSED_SUPPRESSION)

_PRAGMA = re.compile(
    r"#\s*aishellc\s*:?\s*ignore\s*=\s*([A-Za-z0-9_,\s]+?)\s*(?:#.*)?", re.IGNORECASE
)


def suppression_codes(comment: ast.Comment) -> tuple[str, ...] | None:
    """The codes a comment suppresses, or None if it is not a suppression."""
    match = _PRAGMA.fullmatch(comment.text.strip())
    if match is None:
        return None
    return tuple(code.strip().upper() for code in match.group(1).split(",") if code.strip())


def apply_suppressions(
    document: ast.Document, diagnostics: Sequence[Diagnostic]
) -> list[Diagnostic]:
    """Drop suppressed diagnostics; add one for each suppression that matched nothing."""
    from aishellc.diagnostics import rule_for

    kept = list(diagnostics)
    unused: list[Diagnostic] = []
    items = document.items
    for index, item in enumerate(items):
        if not isinstance(item, ast.Comment):
            continue
        codes = suppression_codes(item)
        if codes is None:
            continue
        target = _target(items, index)
        used: set[str] = set()
        if target is not None and target.span is not None:
            first, last = target.span.line, target.span.end_line
            remaining = []
            for diagnostic in kept:
                if diagnostic.code in codes and first <= diagnostic.line <= last:
                    used.add(diagnostic.code)
                else:
                    remaining.append(diagnostic)
            kept = remaining
        for code in codes:
            if code in used:
                continue
            known = rule_for(code) is not None
            message = (
                f"`# aishellc ignore={code}` suppresses nothing here"
                if known
                else f"`# aishellc ignore={code}` names no aishellc rule"
            )
            unused.append(
                Diagnostic.at(
                    UNUSED_SUPPRESSION,
                    item.span,
                    message,
                    "remove the code from the comment (or the comment)",
                )
            )
    return sorted(kept + unused, key=lambda diagnostic: diagnostic.sort_key)


def _target(items: Sequence[ast.Item], index: int) -> ast.Instruction | None:
    """The instruction a suppression comment applies to: the next item, past other
    suppression comments."""
    for item in items[index + 1 :]:
        if isinstance(item, ast.Comment) and suppression_codes(item) is not None:
            continue
        return item if isinstance(item, ast.Instruction) else None
    return None
