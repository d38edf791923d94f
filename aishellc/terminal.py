"""Text from files, manifests and the build context, made safe to print on a terminal.

File names, tags, versions, paths and the messages that quote them can hold characters a
terminal acts on instead of showing: ESC starts a control sequence (colours, cursor moves,
the window title), CR and LF start a new line (a context file named
``x\\n\\nRun, in order:\\n  curl ... | sh`` would print a fake command under ``plan``'s
heading), NUL, BEL and the C1 controls do other things, bidi overrides (U+202E) reorder
what follows, and lone surrogates (the bytes of a name that is not UTF-8) cannot be shown
at all.

:func:`visible` is the one place such text is made printable: every character Python does
not call printable (``str.isprintable``: control, format, surrogate, private-use and
unassigned characters, line and paragraph separators, every space but U+0020) becomes the
backslash escape Python's ``repr`` writes for it (``\\x1b``, ``\\n``, ``\\u202e``,
``\\udcff``). Everything the CLI prints for people goes through it, so each value stays on
its line and shows what it is.

:func:`shell_word` does the same for a command argument that is printed to be run (``plan``'s
``docker build`` lines): shell-quoted, and in bash's ``$'...'`` form when it holds such a
character, so what is printed is what runs.

:func:`needs_ascii_json` says whether JSON written to a stream must escape non-ASCII text.
"""

from __future__ import annotations

import codecs
import shlex
from typing import TextIO


def visible(text: str) -> str:
    """``text`` with every non-printable character written as its escape (see above)."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else escape(char) for char in text)


def escape(char: str) -> str:
    """The escape of one character, as ``repr`` writes it: ``\\n``, ``\\x1b``, ``\\u202e``."""
    return repr(char)[1:-1]


def shell_word(arg: str) -> str:
    """``arg`` as one shell word that prints on one line and runs as ``arg``.

    ``shlex.quote`` when every character is printable; otherwise bash's ``$'...'`` quoting
    with the others escaped (a surrogate from a name that is not UTF-8 becomes the byte it
    stands for), since a quoted newline would print a command over several lines.
    """
    if arg.isprintable():
        return shlex.quote(arg)
    return "$'" + "".join(_ansi_c(char) for char in arg) + "'"


_ANSI_C_NAMED = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _ansi_c(char: str) -> str:
    if char in _ANSI_C_NAMED:
        return _ANSI_C_NAMED[char]
    if char.isprintable():
        return char
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # os.fsdecode's surrogateescape: one raw byte
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x80:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def needs_ascii_json(stream: TextIO) -> bool:
    """Whether JSON for ``stream`` must escape non-ASCII characters: its encoding cannot
    write every character (a Latin-1 or ASCII locale; in-memory streams have none)."""
    encoding = getattr(stream, "encoding", None)
    if not isinstance(encoding, str):
        return False
    try:
        return not codecs.lookup(encoding).name.startswith("utf")
    except LookupError:
        return True
