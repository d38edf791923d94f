"""Source text, offset bookkeeping and word unquoting for the shell analyser.

tree-sitter reports byte offsets into the UTF-8 encoding of the text it parsed. The public API
reports character offsets into the script the caller passed in, and scripts found inside other
scripts (``sh -c '...'``, heredoc bodies, ``eval``) are parsed as new texts. Three pieces keep
the offsets straight:

* :class:`Source` is one parsed text: its encoding and a byte -> character converter.
* :class:`OffsetMap` maps character offsets of a derived text to the text it was cut from, and
  through its parent chain to the caller's script.
* :class:`TextBuilder` assembles a derived text piece by piece (unquoted literal runs, decoded
  escapes, placeholders for expansions) and records where each piece came from.

:func:`render` turns a word node into its literal value the way the shell would (quotes removed,
backslash escapes applied), using a placeholder for every part that is only known at run time.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from typing import NamedTuple

from tree_sitter import Node

# Stands for a part of a word that is only known at run time ($VAR, $(cmd), $((1+2)), ...).
# It is short, so that derived texts stay small, and braced, so that it never merges with the
# text after it when the derived text is parsed again.
PLACEHOLDER = "${_}"

# Granularity of the byte -> character table kept for non-ASCII texts.
_CHUNK = 64
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class Segment(NamedTuple):
    """``length`` characters at ``inner`` in a derived text came from ``outer_start:outer_end``.

    When ``exact`` the characters are a verbatim copy (so ``outer_end - outer_start == length``
    and offsets map one to one); otherwise the piece was decoded or substituted, and any offset
    inside it maps to the whole source range. (A tuple: derived texts can have millions.)
    """

    inner: int
    length: int
    outer_start: int
    outer_end: int
    exact: bool


class OffsetMap:
    """Maps character offsets in a derived text to character offsets in the caller's script."""

    __slots__ = ("_parent", "_segments", "_starts")

    def __init__(self, segments: Sequence[Segment] = (), parent: OffsetMap | None = None) -> None:
        self._segments = tuple(segments)
        self._starts = [s.inner for s in self._segments]
        self._parent = parent

    def _local(self, start: int, end: int) -> tuple[int, int]:
        segments = self._segments
        if not segments:
            return start, end
        k = max(bisect.bisect_right(self._starts, start) - 1, 0)
        seg = segments[k]
        if seg.exact:
            new_start = seg.outer_start + min(max(start - seg.inner, 0), seg.length)
        else:
            new_start = seg.outer_start
        if end <= start:
            return new_start, new_start
        k = max(bisect.bisect_right(self._starts, end - 1) - 1, 0)
        seg = segments[k]
        if seg.exact:
            new_end = seg.outer_start + min(max(end - seg.inner, 0), seg.length)
        else:
            new_end = seg.outer_end
        return new_start, max(new_end, new_start)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The range of the caller's script that ``start:end`` of this text came from."""
        current: OffsetMap | None = self
        while current is not None:
            start, end = current._local(start, end)
            current = current._parent
        return start, end


class TextBuilder:
    """Builds a derived text and the segments that map it back to its source text.

    Adjacent pieces of the same kind that are contiguous in both texts are merged into one
    segment; the segment being grown is kept in plain attributes until it is finished.
    """

    __slots__ = ("_done", "_exact", "_inner", "_outer_end", "_outer_start", "_parts", "_pos")

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._pos = 0
        self._done: list[Segment] = []
        # the open segment: _inner:_pos came from _outer_start:_outer_end
        self._exact = True
        self._inner = 0
        self._outer_start = 0
        self._outer_end = 0

    def _append(self, text: str, outer_start: int, outer_end: int, exact: bool) -> None:
        if not text:
            return
        if self._pos == self._inner or exact != self._exact or outer_start != self._outer_end:
            if self._pos != self._inner:
                self._done.append(self._open_segment())
            self._inner = self._pos
            self._outer_start = outer_start
            self._exact = exact
        self._outer_end = outer_end
        self._parts.append(text)
        self._pos += len(text)

    def exact(self, text: str, outer_start: int) -> None:
        """Append ``text``, a verbatim copy of the source at ``outer_start``."""
        self._append(text, outer_start, outer_start + len(text), True)

    def inexact(self, text: str, outer_start: int, outer_end: int) -> None:
        """Append ``text``, which stands for (but does not copy) ``outer_start:outer_end``.

        Adjacent decoded pieces (a run of escapes) share one segment."""
        self._append(text, outer_start, outer_end, False)

    @property
    def segments(self) -> list[Segment]:
        if self._pos == self._inner:
            return list(self._done)
        return [*self._done, self._open_segment()]

    def _open_segment(self) -> Segment:
        """The segment of the text appended since the last one was closed."""
        return Segment(
            self._inner, self._pos - self._inner, self._outer_start, self._outer_end, self._exact
        )

    def text(self) -> str:
        return "".join(self._parts)

    def drop_prefix(self, n: int) -> tuple[str, list[Segment]]:
        """The text built so far without its first ``n`` characters, with shifted segments."""
        text = self.text()[n:]
        segments: list[Segment] = []
        for seg in self.segments:
            if seg.inner + seg.length <= n:
                continue
            if seg.inner >= n:
                segments.append(seg._replace(inner=seg.inner - n))
                continue
            cut = n - seg.inner
            if seg.exact:
                segments.append(
                    Segment(0, seg.length - cut, seg.outer_start + cut, seg.outer_end, True)
                )
            else:
                segments.append(Segment(0, seg.length - cut, seg.outer_start, seg.outer_end, False))
        return text, segments


class Source:
    """One text handed to tree-sitter: the text, the UTF-8 bytes parsed and its offset map.

    The bytes are not quite the text's encoding: tree-sitter-bash 0.25 can crash the process
    (SIGSEGV) on a ``{`` followed by a character outside the Basic Multilingual Plane
    (tree-sitter/tree-sitter-bash#337), so every such character is parsed as U+FFFD, and lone
    surrogates (from surrogateescape-decoded garbage), which cannot be encoded, as ``?``. Both
    are one character for one character, so offsets are unaffected, and text is always read
    back from the original string.
    """

    __slots__ = ("_chunk_bytes", "data", "map", "text")

    def __init__(self, text: str, offset_map: OffsetMap) -> None:
        self.text = text
        self.map = offset_map
        self._chunk_bytes: list[int] | None = None
        if text.isascii():
            self.data = text.encode("ascii")
            return
        parsed = _ASTRAL.sub("\ufffd", text)
        self.data = parsed.encode("utf-8", "replace")
        starts = [0]
        total = 0
        for i in range(0, len(parsed), _CHUNK):
            total += len(parsed[i : i + _CHUNK].encode("utf-8", "replace"))
            starts.append(total)
        self._chunk_bytes = starts

    def char(self, byte_offset: int) -> int:
        """The character offset of ``byte_offset`` in this text."""
        starts = self._chunk_bytes
        if starts is None:
            return byte_offset
        k = bisect.bisect_right(starts, byte_offset) - 1
        k = min(max(k, 0), len(starts) - 2) if len(starts) > 1 else 0
        base = starts[k]
        if k + 1 < len(starts) and starts[k + 1] - base == min(_CHUNK, len(self.text) - k * _CHUNK):
            return k * _CHUNK + (byte_offset - base)  # an ASCII chunk
        head = self.data[base:byte_offset].decode("utf-8", "replace")
        return k * _CHUNK + len(head)

    def slice(self, start_byte: int, end_byte: int) -> str:
        if self._chunk_bytes is None:
            return self.text[start_byte:end_byte]
        return self.text[self.char(start_byte) : self.char(end_byte)]

    def node_text(self, node: Node) -> str:
        return self.slice(node.start_byte, node.end_byte)

    def span(self, start_byte: int, end_byte: int) -> tuple[int, int]:
        """The caller-script character range of bytes ``start_byte:end_byte`` of this text."""
        return self.map.span(self.char(start_byte), self.char(end_byte))


# --- unquoting ---------------------------------------------------------------------------------


class Escapes:
    """A quoting context's backslash escapes: ``one`` matches one escape, ``decode`` turns a
    match into its value; runs of adjacent escapes are decoded in one go."""

    __slots__ = ("decode", "one", "run")

    def __init__(self, one: str, decode: Callable[[re.Match[str]], str]) -> None:
        self.one = re.compile(one, re.DOTALL)
        self.run = re.compile(f"(?:{one})+", re.DOTALL)
        self.decode = decode


def _quoted_char(match: re.Match[str]) -> str:
    char = match.group(1)
    return "" if char is None or char == "\n" else char  # backslash-newline disappears


_ANSI_SIMPLE = {
    "a": "\a",
    "b": "\b",
    "e": "\x1b",
    "E": "\x1b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "?": "?",
}

# Node types whose text is a plain literal run (no quotes, no expansions).
_PLAIN = frozenset({"word", "number", "variable_name", "extglob_pattern"})
# Node types rendered as the concatenation of their children.
_SEQUENCE = frozenset({"concatenation", "command_name", "variable_assignment"})


def _chr(code: int) -> str:
    try:
        return chr(code)
    except (ValueError, OverflowError):
        return "\ufffd"


def _decode_ansi(match: re.Match[str]) -> str:
    simple, octal, hex2, hex4, hex8, ctrl = match.groups()
    if simple is not None:
        return _ANSI_SIMPLE[simple]
    if octal is not None:
        return _chr(int(octal, 8) & 0xFF)
    if hex2 is not None:
        return _chr(int(hex2, 16))
    if hex4 is not None:
        return _chr(int(hex4, 16))
    if hex8 is not None:
        return _chr(int(hex8, 16))
    assert ctrl is not None
    return _chr(ord(ctrl) & 0x1F)


# Unquoted words: a backslash quotes the next character.
WORD_ESCAPES = Escapes(r"\\(.)?", _quoted_char)
# Inside "...": a backslash only quotes $, backquote, ", backslash and newline.
DQ_ESCAPES = Escapes(r"\\([$`\"\\\n])", _quoted_char)
# Unquoted heredoc bodies: like "..." but a double quote is an ordinary character.
HEREDOC_ESCAPES = Escapes(r"\\([$`\\\n])", _quoted_char)
# $'...' strings.
ANSI_ESCAPES = Escapes(
    r"\\(?:([abeEfnrtv\\'\"?])|([0-7]{1,3})|x([0-9a-fA-F]{1,2})|u([0-9a-fA-F]{1,4})"
    r"|U([0-9a-fA-F]{1,8})|c(.))",
    _decode_ansi,
)


def unescape_into(
    src: Source, start_byte: int, end_byte: int, escapes: Escapes, out: TextBuilder
) -> None:
    """Append bytes ``start_byte:end_byte`` of ``src`` to ``out``, decoding ``escapes``.

    Literal runs become exact segments, runs of escapes inexact ones.
    """
    if end_byte <= start_byte:
        return
    text = src.slice(start_byte, end_byte)
    base = src.char(start_byte)
    if "\\" not in text:
        out.exact(text, base)
        return
    pos = 0
    for match in escapes.run.finditer(text):
        out.exact(text[pos : match.start()], base + pos)
        decoded = escapes.one.sub(escapes.decode, match.group())
        out.inexact(decoded, base + match.start(), base + match.end())
        pos = match.end()
    out.exact(text[pos:], base + pos)


def placeholder_into(src: Source, node: Node, out: TextBuilder) -> None:
    out.inexact(PLACEHOLDER, src.char(node.start_byte), src.char(node.end_byte))


def _quoted_body(src: Source, node: Node, quote: bytes, open_len: int) -> tuple[int, int]:
    """Byte range inside the quotes of ``node``, tolerating a missing closing quote."""
    start = node.start_byte + open_len
    end = node.end_byte
    if end > start and src.data[end - 1 : end] == quote:
        end -= 1
    return start, max(start, end)


def render_children(
    src: Source, node: Node, start: int, end: int, out: TextBuilder, escapes: Escapes
) -> bool:
    """Render ``start:end`` of ``node``: named children recursively, text between them with
    ``escapes`` (the quoting context of that text)."""
    literal = True
    pos = start
    children = node.children
    for i, child in enumerate(children):
        if child.end_byte <= start or child.start_byte >= end:
            continue
        if (
            child.type == "$"
            and i + 1 < len(children)
            and children[i + 1].type == "string"
            and children[i + 1].start_byte == child.end_byte
        ):
            # tree-sitter-bash splits a $"..." (translated) string into "$" and a string.
            pos = max(pos, child.end_byte)
            continue
        if child.start_byte > pos:
            unescape_into(src, pos, child.start_byte, escapes, out)
        if child.is_named and child.type not in ("string_content", "heredoc_content"):
            literal = render(src, child, out) and literal
        else:
            unescape_into(src, child.start_byte, child.end_byte, escapes, out)
        pos = max(pos, child.end_byte)
    if pos < end:
        unescape_into(src, pos, end, escapes, out)
    return literal


def render(src: Source, node: Node, out: TextBuilder) -> bool:
    """Append the value of word-like ``node`` to ``out`` as the shell would see it.

    Quotes are removed and backslash escapes applied; every expansion or substitution becomes
    :data:`PLACEHOLDER`. Returns whether the value is fully literal (no placeholder).
    """
    kind = node.type
    if kind in _PLAIN or not node.is_named:
        unescape_into(src, node.start_byte, node.end_byte, WORD_ESCAPES, out)
        return True
    if kind == "raw_string":
        start, end = _quoted_body(src, node, b"'", 1)
        out.exact(src.slice(start, end), src.char(start))
        return True
    if kind == "ansi_c_string":
        start, end = _quoted_body(src, node, b"'", 2)
        unescape_into(src, start, end, ANSI_ESCAPES, out)
        return True
    if kind in ("string", "translated_string"):
        open_len = 2 if src.data[node.start_byte : node.start_byte + 1] == b"$" else 1
        start, end = _quoted_body(src, node, b'"', open_len)
        return render_children(src, node, start, end, out, DQ_ESCAPES)
    if kind in _SEQUENCE:
        return render_children(src, node, node.start_byte, node.end_byte, out, WORD_ESCAPES)
    placeholder_into(src, node, out)
    return False


def plain_word(src: Source, node: Node) -> str | None:
    """Fast path: the text of a ``word`` (or a command name made of one) without escapes."""
    if node.type == "command_name" and node.child_count == 1:
        child = node.children[0]
        if child.start_byte != node.start_byte or child.end_byte != node.end_byte:
            return None
        node = child
    if node.type in ("word", "number"):
        text = src.node_text(node)
        if "\\" not in text:
            return text
    return None


def literal(src: Source, node: Node) -> str | None:
    """The literal value of word-like ``node``, or None when part of it is only known at run
    time."""
    text = plain_word(src, node)
    if text is not None:
        return text
    out = TextBuilder()
    return out.text() if render(src, node, out) else None
