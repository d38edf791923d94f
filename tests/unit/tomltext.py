"""A tiny TOML writer for tests: builds config files from plain dicts.

Strings are written with ``json.dumps``, whose escapes are valid in TOML basic strings,
so test values may hold newlines, quotes, backslashes and other characters verbatim.
"""

from __future__ import annotations

import json
from typing import Any


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(type(value))


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def dumps(data: dict[str, Any], prefix: tuple[str, ...] = ()) -> str:
    """Tables as [headers], arrays of tables as [[headers]], everything else inline."""
    lines: list[str] = []
    nested: list[tuple[str, Any]] = []
    for key, value in data.items():
        if isinstance(value, dict) or _is_table_array(value):
            nested.append((key, value))
        else:
            lines.append(f"{json.dumps(key)} = {_value(value)}")
    text = "\n".join(lines) + ("\n" if lines else "")
    for key, value in nested:
        path = (*prefix, key)
        header = ".".join(json.dumps(p) for p in path)
        if isinstance(value, dict):
            text += f"\n[{header}]\n" + dumps(value, path)
        else:
            for item in value:
                text += f"\n[[{header}]]\n" + dumps(item, path)
    return text
