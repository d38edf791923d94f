"""Find where a key (or a value) sits in TOML source, for located error messages.

``tomllib`` returns plain dicts without positions, so this scans the text once and
records the line and column of every table header and ``key =`` line, indexing arrays
of tables the way ``tomllib`` does. It is best effort: anything it cannot place falls
back to the nearest enclosing key, then to line 1.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from typing import Any

from aishellc.errors import Location, UserError
from aishellc.input_files import too_deep, too_many_digits

KeyPath = tuple[str | int, ...]

_TOML_POSITION_RE = re.compile(r"\(at line (\d+), column (\d+)\)")
_TOML_END = "(at end of document)"

_BARE = r"[A-Za-z0-9_-]+"
_QUOTED = r"\"(?:[^\"\\]|\\.)*\"|'[^']*'"
_KEY = rf"(?:{_BARE}|{_QUOTED})"
_DOTTED = rf"{_KEY}(?:\s*\.\s*{_KEY})*"
_ARRAY_HEADER_RE = re.compile(rf"\s*\[\[\s*(?P<keys>{_DOTTED})\s*\]\]")
_TABLE_HEADER_RE = re.compile(rf"\s*\[\s*(?P<keys>{_DOTTED})\s*\]")
_KEY_LINE_RE = re.compile(rf"\s*(?P<keys>{_DOTTED})\s*=")
_KEY_PART_RE = re.compile(_KEY)


def _split_keys(dotted: str) -> list[str]:
    parts = []
    for match in _KEY_PART_RE.finditer(dotted):
        part = match.group(0)
        if part[0] in "\"'":
            part = part[1:-1]
        parts.append(part)
    return parts


def _bracket_delta(line: str) -> int:
    """Net ``[``/``{`` nesting a line opens, ignoring strings and comments."""
    depth = 0
    quote = ""
    escaped = False
    for char in line:
        if quote:
            if escaped:
                escaped = False
            elif char == "\\" and quote == '"':
                escaped = True
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "#":
            break
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
    return depth


class TomlLocator:
    """Positions of keys in one TOML document."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()
        self._positions: dict[KeyPath, tuple[int, int]] = {}
        self._scan()

    def _scan(self) -> None:
        table: KeyPath = ()
        array_counts: dict[tuple[str, ...], int] = {}
        depth = 0
        for number, line in enumerate(self.lines, start=1):
            if depth > 0:
                depth = max(0, depth + _bracket_delta(line))
                continue
            column = len(line) - len(line.lstrip()) + 1
            array_header = _ARRAY_HEADER_RE.match(line)
            table_header = None if array_header else _TABLE_HEADER_RE.match(line)
            if array_header or table_header:
                header = array_header or table_header
                assert header is not None
                keys = _split_keys(header["keys"])
                if array_header:
                    plain = tuple(keys)
                    array_counts[plain] = array_counts.get(plain, -1) + 1
                    # a new element resets the counters of arrays nested inside it
                    for other in list(array_counts):
                        if len(other) > len(plain) and other[: len(plain)] == plain:
                            del array_counts[other]
                table = self._resolve(keys, array_counts)
                self._positions.setdefault(table, (number, column))
                continue
            key_line = _KEY_LINE_RE.match(line)
            if key_line:
                key_path = table + tuple(_split_keys(key_line["keys"]))
                self._positions.setdefault(key_path, (number, column))
                depth = max(0, _bracket_delta(line[key_line.end() :]))

    @staticmethod
    def _resolve(keys: Sequence[str], array_counts: dict[tuple[str, ...], int]) -> KeyPath:
        resolved: list[str | int] = []
        for index, key in enumerate(keys):
            resolved.append(key)
            prefix = tuple(keys[: index + 1])
            if prefix in array_counts:
                resolved.append(array_counts[prefix])
        return tuple(resolved)

    def locate(self, key_path: KeyPath, needle: str | None = None) -> Location:
        """The position of ``key_path``, or of ``needle`` at or after it when given."""
        for length in range(len(key_path), 0, -1):
            position = self._positions.get(key_path[:length])
            if position is not None:
                break
        else:
            position = (1, 1)
        line, column = position
        if needle:
            first = needle.splitlines()[0] if needle.splitlines() else needle
            candidates = (f'"{first}', f"'{first}", first)
            last = min(len(self.lines), line + 200)
            for candidate in candidates:
                for number in range(line, last + 1):
                    found = self.lines[number - 1].find(candidate)
                    if found >= 0:
                        return Location(self.path, number, found + 1)
        return Location(self.path, line, column)


def decode_utf8(raw: bytes, path: str, what: str) -> str:
    """``raw`` as UTF-8 text; otherwise a :class:`UserError` at the line of the first bad
    byte (``what``: ``config file``)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise UserError(
            f"{what} is not valid UTF-8", Location(path, line), help="save it as UTF-8"
        ) from None


def load_toml(text: str, path: str, what: str) -> dict[str, Any]:
    """``tomllib.loads(text)``, each failure a :class:`UserError` at its position in ``path``
    (``what`` names the document in messages: ``the config file``)."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        match = _TOML_POSITION_RE.search(message)
        if match:
            line, column = int(match[1]), int(match[2])
        elif _TOML_END in message:
            line = text.count("\n") + 1
            column = len(text) - (text.rfind("\n") + 1) + 1
        else:
            line, column = 1, 1
        detail = _TOML_POSITION_RE.sub("", message).replace(_TOML_END, "").strip()
        raise UserError(
            f"invalid TOML: {detail}",
            Location(path, line, column),
            help="see https://toml.io for the syntax",
        ) from None
    except RecursionError:
        raise too_deep(path, what) from None
    except ValueError:  # the only other ValueError: an integer past Python's digit limit
        raise too_many_digits(text, path, what) from None
