"""Go's text rules that BuildKit's word lexer inherits: ``unicode.IsSpace``, the characters
of a name, ``text/scanner``'s reading of a string, and ``%q`` quoting for error messages."""

from __future__ import annotations

import re
from typing import Final

#: What the scanner returns at the end of its input.
EOF: Final = ""

#: Go's ``unicode.IsSpace``: the Unicode White_Space property.  Unlike
#: ``str.isspace`` it excludes U+001C..U+001F.
GO_SPACE: Final = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)

#: Runs of ``GO_SPACE``: where an expanded value splits into words.
GO_SPACE_RUN: Final = re.compile("[" + "".join(sorted(GO_SPACE)) + "]+")

#: Go prints the "rune" -1 (end of input) as U+FFFD in error messages.
_EOF_DISPLAY: Final = "\ufffd"

BOM: Final = "\ufeff"


def is_digit(ch: str) -> bool:
    """Go's ``unicode.IsDigit``: general category Nd."""
    return ch.isdecimal()


def is_name_char(ch: str) -> bool:
    """A letter (category L), a digit (Nd) or ``_``, as Go's lexer accepts in names."""
    return ch.isalpha() or ch.isdecimal() or ch == "_"


def display(ch: str) -> str:
    return ch if ch != EOF else _EOF_DISPLAY


def go_quote(text: str) -> str:
    """Quote ``text`` the way Go's ``%q`` verb does (``strconv.Quote``)."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ch.isprintable():
            out.append(ch)
        elif ch in _GO_CONTROL_ESCAPES:
            out.append(_GO_CONTROL_ESCAPES[ch])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append("\\ufffd")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


_GO_CONTROL_ESCAPES: Final = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
}


class Scanner:
    """Character reader with one character of lookahead, like Go's ``text/scanner``.

    As there, a byte-order mark at the very start of the input is skipped.
    """

    __slots__ = ("_pos", "_size", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._size = len(text)
        self._pos = 1 if text.startswith(BOM) else 0

    def peek(self) -> str:
        return self._text[self._pos] if self._pos < self._size else EOF

    def next(self) -> str:
        if self._pos >= self._size:
            return EOF
        ch = self._text[self._pos]
        self._pos += 1
        return ch
