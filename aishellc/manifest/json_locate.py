"""Find where a value sits in JSON text, for located error messages.

``json`` returns plain dicts without positions. Given text that ``json.loads`` accepted and
the keys leading to a value (``("tiers", "runtime", "harnesses")``, list indices as ints),
:func:`locate` walks the text to that value, skipping the values in between with the
decoder's own ``raw_decode``, and returns its line and column (1-based, in characters).
For a duplicated key it finds the last one, the one ``json`` keeps. A key that is not
there (a missing required property) is located at the object that lacks it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

_DECODER = json.JSONDecoder()
_BLANKS = " \t\n\r"


def locate(text: str, keys: Sequence[str | int]) -> tuple[int, int]:
    """The line and column of the value at ``keys`` in ``text`` (valid JSON)."""
    position = _skip(text, 0)
    for key in keys:
        found = _member(text, position, key)
        if found is None:
            break
        position = found
    line = text.count("\n", 0, position) + 1
    return line, position - (text.rfind("\n", 0, position) + 1) + 1


def _member(text: str, start: int, key: str | int) -> int | None:
    """Where the value of ``key`` in the object or array at ``start`` begins, if it has one."""
    opener = text[start]
    if opener == "{" and isinstance(key, str):
        found = None
        position = _skip(text, start + 1)
        while text[position] == '"':
            name, position = _DECODER.raw_decode(text, position)
            position = _skip(text, _skip(text, position) + 1)  # past the ':'
            if name == key:
                found = position
            position = _next(text, position)
        return found
    if opener == "[" and isinstance(key, int):
        position = _skip(text, start + 1)
        for _ in range(key):
            if text[position] == "]":
                return None
            position = _next(text, position)
        return None if text[position] == "]" else position
    return None


def _next(text: str, position: int) -> int:
    """Past the value at ``position`` and the ``,`` after it, at the next member or the end."""
    position = _skip(text, _DECODER.raw_decode(text, position)[1])
    return _skip(text, position + 1) if text[position] == "," else position


def _skip(text: str, position: int) -> int:
    while position < len(text) and text[position] in _BLANKS:
        position += 1
    return position
