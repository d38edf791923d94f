"""BuildKit's word-level rules, in Python: how it trims, splits flags, words and JSON.

These mirror the helpers of BuildKit's Dockerfile parser (``splitCommand``,
``extractBuilderFlags``, ``parseWords``, ``parseJSON``) so that the values aishellc
reports are the values BuildKit computes. The grammar decides the structure of a line; these
functions compute the exact text of its parts.
"""

from __future__ import annotations

import csv
import json
import re

# Go's unicode.IsSpace; Python's str.isspace() also accepts \x1c-\x1f, Go does not.
GO_SPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_GO_SPACE_SET = frozenset(GO_SPACE)
# The bytes that Go's unicode.IsSpace accepts when a byte is taken as a rune.
_GO_SPACE_BYTES = frozenset("\t\n\x0b\x0c\r \x85\xa0")

# BuildKit's reWhitespace: the separator of instruction words.
WHITESPACE = re.compile(r"[\t\x0b\x0c\r ]+")


class NotStringArrayError(ValueError):
    """A JSON array with something other than strings in it (BuildKit rejects the file)."""

    def __init__(self) -> None:
        super().__init__("when using JSON array syntax, arrays must be comprised of strings only")


def is_go_space(ch: str) -> bool:
    return ch in _GO_SPACE_SET


def trim_space(text: str) -> str:
    """Go's strings.TrimSpace."""
    return text.strip(GO_SPACE)


def trim_left_space(text: str) -> str:
    """Go's bytes.TrimLeftFunc(s, unicode.IsSpace)."""
    return text.lstrip(GO_SPACE)


def split_command(line: str, escape: str) -> tuple[str, list[str], str]:
    """BuildKit's splitCommand: ``(command, flags, args)`` of a logical line."""
    parts = WHITESPACE.split(trim_space(line), maxsplit=1)
    if len(parts) < 2:
        return parts[0], [], ""
    args, flags = extract_builder_flags(parts[1], escape)
    return parts[0], flags, trim_space(args)


def extract_builder_flags(line: str, escape: str) -> tuple[str, list[str]]:
    """BuildKit's extractBuilderFlags: leading ``--flag`` words and the rest of the line.

    BuildKit walks the UTF-8 bytes one at a time and turns each byte into a rune, so for
    non-ASCII text the flag values come out as if each byte were a Latin-1 character. We
    do the same, on the Latin-1 view of the UTF-8 bytes.
    """
    ascii_line = line.isascii()
    text = line if ascii_line else line.encode("utf-8").decode("latin-1")
    words: list[str] = []
    n = len(text)
    pos = 0
    while True:
        # Looking for the start of a word.
        while pos < n and text[pos] in _GO_SPACE_BYTES:
            pos += 1
        if pos >= n:
            return "", words
        if not text.startswith("--", pos):
            return _rest(text, pos, ascii_line), words
        word: list[str] = []
        blank_ok = False
        quote = ""
        while pos < n:
            ch = text[pos]
            if quote:
                if ch == quote:
                    quote = ""
                    pos += 1
                    continue
                if ch == escape:
                    if pos + 1 == n:
                        quote = ""
                        pos += 1
                        continue
                    pos += 1
                    ch = text[pos]
                word.append(ch)
                pos += 1
                continue
            if ch in _GO_SPACE_BYTES:
                break
            if ch in "'\"":
                quote = ch
                blank_ok = True
                pos += 1
                continue
            if ch == escape:
                if pos + 1 == n:
                    pos += 1
                    continue
                pos += 1
                ch = text[pos]
            word.append(ch)
            pos += 1
        value = "".join(word)
        if pos >= n:
            if value != "--" and (blank_ok or value):
                words.append(value)
            return "", words
        if value == "--":
            return _rest(text, pos, ascii_line), words
        if blank_ok or value:
            words.append(value)


def _rest(text: str, pos: int, ascii_line: bool) -> str:
    if ascii_line:
        return text[pos:]
    return text[pos:].encode("latin-1").decode("utf-8", errors="replace")


def parse_words(rest: str, escape: str) -> list[str]:
    """BuildKit's parseWords: split on whitespace, keeping quotes and escapes in the words."""
    words: list[str] = []
    n = len(rest)
    pos = 0
    while True:
        while pos < n and rest[pos] in _GO_SPACE_SET:
            pos += 1
        if pos >= n:
            return words
        word: list[str] = []
        blank_ok = False
        quote = ""
        while pos < n:
            ch = rest[pos]
            if quote:
                if ch == quote:
                    quote = ""
                elif ch == escape and quote != "'":
                    if pos + 1 == n:
                        quote = ""
                        pos += 1
                        continue
                    word.append(ch)
                    pos += 1
                    ch = rest[pos]
                word.append(ch)
                pos += 1
                continue
            if ch in _GO_SPACE_SET:
                break
            if ch in "'\"":
                quote = ch
                blank_ok = True
            if ch == escape:
                if pos + 1 == n:
                    pos += 1
                    continue
                word.append(ch)
                pos += 1
                ch = rest[pos]
            word.append(ch)
            pos += 1
        if blank_ok or word:
            words.append("".join(word))


def mount_items(value: str) -> list[tuple[str, str | None]]:
    """The fields of a ``RUN --mount`` value in order (BuildKit reads it as CSV): the key
    lower-cased, and the text after ``=`` (None for a bare ``ro``-style field)."""
    try:
        rows = list(csv.reader([value]))
    except csv.Error:
        return []
    items: list[tuple[str, str | None]] = []
    for field in rows[0] if rows else []:
        key, equals, item = field.partition("=")
        items.append((key.strip().lower(), item if equals else None))
    return items


def mount_fields(value: str) -> dict[str, str]:
    """The ``key=value`` fields of a ``RUN --mount`` value (a later field wins)."""
    return {key: item or "" for key, item in mount_items(value)}


def _reject_constant(name: str) -> object:
    raise ValueError(f"invalid JSON literal {name}")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant, strict=True)
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def parse_json_array(rest: str) -> list[str] | None:
    """BuildKit's parseJSON: the strings of a JSON array, or None if it is not one.

    Raises :class:`NotStringArrayError` for a valid JSON array holding non-strings.
    """
    text = trim_left_space(rest)
    if not text.startswith("["):
        return None
    try:
        value, end = _DECODER.raw_decode(text)
    except ValueError:
        return None
    # Go's json.Unmarshal allows only JSON whitespace after the value.
    if text[end:].strip(" \t\n\r"):
        return None
    if not isinstance(value, list):
        return None
    if not all(isinstance(item, str) for item in value):
        raise NotStringArrayError()
    # Go decodes an unpaired surrogate escape to U+FFFD.
    return [_LONE_SURROGATE.sub("\ufffd", item) for item in value]
