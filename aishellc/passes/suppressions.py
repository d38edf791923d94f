"""``# aishellc ignore=CODE[,CODE]`` on the line before an instruction, and unused ones;
the project-wide ``ignore = [...]`` of ``aishellc.toml``.

The comment suppresses the named codes on the instruction that follows it (all of its
lines). A suppression that suppresses nothing is reported itself, as ruff does. The
project-wide list drops every diagnostic of its codes (:func:`drop_ignored`), in ``check``
and ``compile`` alike.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Collection, Sequence

from aishellc import ast
from aishellc.diagnostics import RETIRED, Diagnostic, Rule, register, registered

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
    """Drop suppressed diagnostics; add one for each suppression that matched nothing.
    A code is known when its rule is registered: whoever runs the rules has imported them
    (:mod:`aishellc.compiler.analysis` imports every rule module)."""
    known = registered()

    # Diagnostics by line, so that each suppression looks only at its instruction's lines
    # (scanning them all for every suppression was quadratic).
    order = sorted(range(len(diagnostics)), key=lambda i: diagnostics[i].line)
    lines = [diagnostics[i].line for i in order]
    dropped: set[int] = set()
    unused: list[Diagnostic] = []
    items = document.items
    all_codes = [
        suppression_codes(item) if isinstance(item, ast.Comment) else None for item in items
    ]
    targets = _targets(items, all_codes)
    for index, item in enumerate(items):
        codes = all_codes[index]
        if codes is None:
            continue
        target = targets[index]
        used: set[str] = set()
        if target is not None and target.span is not None:
            first, last = target.span.line, target.span.end_line
            for i in order[bisect.bisect_left(lines, first) : bisect.bisect_right(lines, last)]:
                if i not in dropped and diagnostics[i].code in codes:
                    used.add(diagnostics[i].code)
                    dropped.add(i)
        for code in codes:
            if code in used:
                continue
            if code in known:
                message = f"`# aishellc ignore={code}` suppresses nothing here"
            elif code in RETIRED:
                message = f"`# aishellc ignore={code}` names a retired rule, which reports nothing"
            else:
                message = f"`# aishellc ignore={code}` names no aishellc rule"
            unused.append(
                Diagnostic.at(
                    UNUSED_SUPPRESSION,
                    item.span,
                    message,
                    "remove the code from the comment (or the comment)",
                )
            )
    kept = [diagnostic for i, diagnostic in enumerate(diagnostics) if i not in dropped]
    return sorted(kept + unused, key=lambda diagnostic: diagnostic.sort_key)


def _targets(
    items: Sequence[ast.Item], all_codes: Sequence[tuple[str, ...] | None]
) -> list[ast.Instruction | None]:
    """For each suppression comment, the instruction it applies to: the next item, past
    other suppression comments (None if that item is not an instruction)."""
    targets: list[ast.Instruction | None] = [None] * len(items)
    following: ast.Instruction | None = None
    for index in range(len(items) - 1, -1, -1):
        if all_codes[index] is not None:
            targets[index] = following
        else:
            item = items[index]
            following = item if isinstance(item, ast.Instruction) else None
    return targets


def drop_ignored(diagnostics: Sequence[Diagnostic], ignore: Collection[str]) -> list[Diagnostic]:
    """``diagnostics`` without those whose code the project ignores (``ignore = [...]``)."""
    return [diagnostic for diagnostic in diagnostics if diagnostic.code not in ignore]
