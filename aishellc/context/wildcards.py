"""Go's ``filepath.Match``, which BuildKit uses for the wildcards of a COPY/ADD source."""

from __future__ import annotations

import re


def go_match(pattern: str, name: str) -> bool:
    """Go's ``filepath.Match`` for one path element: ``*``, ``?``, ``[...]`` with ``^``
    for negation and ranges, ``\\`` escapes. A malformed pattern matches nothing (Go
    returns an error, which BuildKit reports)."""
    regex = _go_pattern(pattern)
    return regex is not None and regex.fullmatch(name) is not None


def _go_pattern(pattern: str) -> re.Pattern[str] | None:
    out = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "\\":
            if i + 1 >= n:
                return None
            i += 1
            out.append(re.escape(pattern[i]))
        elif ch == "[":
            i += 1
            negate = i < n and pattern[i] == "^"
            if negate:
                i += 1
            items = []
            first = True
            while True:
                if i >= n:
                    return None
                if pattern[i] == "]" and not first:
                    break
                first = False
                low, i = _class_char(pattern, i)
                if low is None:
                    return None
                if i < n and pattern[i] == "-":
                    high, i = _class_char(pattern, i + 1)
                    if high is None or high < low:
                        return None
                    items.append(f"{re.escape(low)}-{re.escape(high)}")
                else:
                    items.append(re.escape(low))
            out.append(("[^" if negate else "[") + "".join(items) + "]")
        else:
            out.append(re.escape(ch))
        i += 1
    return re.compile("".join(out), re.DOTALL)


def _class_char(pattern: str, i: int) -> tuple[str | None, int]:
    if i >= len(pattern) or pattern[i] in "-]":
        return None, i
    if pattern[i] == "\\":
        if i + 1 >= len(pattern):
            return None, i
        return pattern[i + 1], i + 2
    return pattern[i], i + 1
