"""Shell patterns in ``${x#p}``, ``${x%p}`` and ``${x/p/r}``, matched as BuildKit's Go code does:
a leftmost-first NFA simulation that gives the same answer as Go's RE2-based ``regexp``, in
time linear in the value for a fixed pattern."""

from __future__ import annotations

from typing import Final, TypeAlias

import attrs

from aishellc.parser.expansion_errors import LexError, check_word_size
from aishellc.parser.go_text import EOF, Scanner, display, is_name_char

#: Characters escaped when a shell pattern is written as a regular expression.
_REGEX_SPECIALS: Final = frozenset("[]{}.+()|^$")

#: Pattern tokens: a literal is a one-character string, these two are not.
_ANY: Final = 0  # "?": one character other than a newline
_STAR: Final = 1  # "*": any run of characters other than newlines
_Token: TypeAlias = str | int


@attrs.frozen
class ShellPattern:
    """A shell wildcard pattern, compiled.

    ``regex`` is the regular expression Go would build for the pattern (kept
    for tests and error messages); matching is done on ``tokens`` by
    ``search``, which follows Perl/RE2 leftmost-first semantics exactly.
    """

    tokens: tuple[_Token, ...]
    greedy: bool
    anchored: bool
    regex: str

    @classmethod
    def compile(cls, pattern: str, *, greedy: bool, anchored: bool) -> ShellPattern:
        """Compile ``pattern``: ``*``, ``?``, and ``\\`` escaping ``*``, ``?`` or ``\\``.

        A backslash before ``}`` or ``/`` is dropped (those had to be escaped to
        get into ``${...}`` at all).  Any other escape is an error.  Bracket
        expressions are not supported: ``[`` is literal.  Go reads the pattern
        with a fresh ``text/scanner``, which skips a leading byte-order mark.
        """
        scan = Scanner(pattern)
        tokens: list[_Token] = []
        regex = ["^"] if anchored else []
        star = ".*" if greedy else ".*?"
        while (tok := scan.next()) != EOF:
            if tok == "*":
                tokens.append(_STAR)
                regex.append(star)
                continue
            if tok == "?":
                tokens.append(_ANY)
                regex.append(".")
                continue
            if tok == "\\":
                if scan.peek() in ("}", "/"):
                    continue
                tok = scan.next()
                if tok not in ("*", "?", "\\"):
                    raise LexError(f"invalid escape '\\{display(tok)}'")
                regex.append("\\" + tok)
            elif tok in _REGEX_SPECIALS:
                regex.append("\\" + tok)
            else:
                regex.append(tok)
            tokens.append(tok)
        return cls(tuple(tokens), greedy, anchored, "".join(regex))

    def search(self, text: str, pos: int = 0) -> tuple[int, int] | None:
        """The leftmost-first match in ``text`` starting at or after ``pos``.

        A Pike VM: threads are ``(pc, start)`` pairs kept in priority order, at
        most one per ``pc`` and step, so the cost is O(len(text) * len(tokens)).
        ``pc == len(tokens)`` is the accepting state.  When a thread accepts,
        all lower-priority threads are dropped, and higher-priority ones run on
        in case they accept later, exactly as in Go's ``regexp``.
        """
        tokens = self.tokens
        final = len(tokens)
        size = len(text)
        threads: list[tuple[int, int]] = []
        seen: set[int] = set()
        found: tuple[int, int] | None = None
        i = pos
        while True:
            if found is None and (not self.anchored or i == 0):
                self._add(threads, seen, 0, i)
            if not threads:
                break
            ch = text[i] if i < size else EOF
            following: list[tuple[int, int]] = []
            following_seen: set[int] = set()
            for pc, start in threads:
                if pc == final:
                    found = (start, i)
                    break
                if ch == EOF:
                    continue
                tok = tokens[pc]
                if tok == _STAR:
                    if ch != "\n":
                        self._add(following, following_seen, pc, start)
                elif tok == _ANY:
                    if ch != "\n":
                        self._add(following, following_seen, pc + 1, start)
                elif tok == ch:
                    self._add(following, following_seen, pc + 1, start)
            if ch == EOF:
                break
            threads, seen = following, following_seen
            i += 1
        return found

    def _add(self, threads: list[tuple[int, int]], seen: set[int], pc: int, start: int) -> None:
        """Add ``pc`` and what it reaches without reading, in priority order."""
        tokens = self.tokens
        final = len(tokens)
        todo = [pc]  # entries >= 0 are states to expand, ~n is "emit star n now"
        while todo:
            k = todo.pop()
            if k < 0:
                threads.append((~k, start))
                continue
            if k in seen:
                continue
            seen.add(k)
            if k < final and tokens[k] == _STAR:
                if self.greedy:
                    threads.append((k, start))  # prefer another character
                    todo.append(k + 1)
                else:
                    todo.append(~k)  # prefer stopping: the rest comes first
                    todo.append(k + 1)
            else:
                threads.append((k, start))


def trim_prefix(pattern: str, value: str, greedy: bool) -> str:
    try:
        compiled = ShellPattern.compile(pattern, greedy=greedy, anchored=True)
    except LexError as err:
        raise LexError(f"invalid pattern ({pattern}) in substitution: {err.reason}") from None
    span = compiled.search(value)
    return value[span[1] :] if span is not None else value


def reverse_pattern(pattern: str) -> str:
    """Reverse a pattern, keeping each backslash in front of what it escapes."""
    out = [""] * len(pattern)
    last = len(pattern) - 1
    i = 0
    while i <= last:
        ch = pattern[i]
        if ch == "\\" and i != last:
            out[last - i - 1] = ch
            out[last - i] = pattern[i + 1]
            i += 2
        else:
            out[last - i] = ch
            i += 1
    return "".join(out)


def trim_suffix(pattern: str, value: str, greedy: bool) -> str:
    # The shortest or longest *rightmost* match is found by reversing both
    # the pattern and the value and trimming a prefix instead.
    return trim_prefix(reverse_pattern(pattern), value[::-1], greedy)[::-1]


def expand_template(template: str, match: str) -> str:
    """Go's ``Regexp.Expand`` for a regexp without capture groups.

    ``$$`` is a dollar; ``$name``/``${name}`` (letters, digits, ``_``) is the
    group of that number or name, of which only group ``0`` (the whole match)
    exists; anything else after ``$`` leaves the dollar as it is.
    """
    out: list[str] = []
    size = 0
    rest = template
    while rest:
        before, dollar, after = rest.partition("$")
        if not dollar:
            break
        out.append(before)
        size += len(before)
        rest = after
        if rest.startswith("$"):
            out.append("$")
            rest = rest[1:]
            continue
        braced = rest.startswith("{")
        start = 1 if braced else 0
        end = start
        while end < len(rest) and is_name_char(rest[end]):
            end += 1
        if end == start or (braced and not rest.startswith("}", end)):
            out.append("$")  # malformed: the dollar is kept as text
            continue
        name = rest[start:end]
        rest = rest[end + 1 :] if braced else rest[end:]
        if name == "0":  # only "0" parses as group number 0 (no leading zeros)
            out.append(match)
            size += len(match)
            check_word_size(size)  # "$0$0$0..." repeats the match: stop before joining
    out.append(rest)
    return "".join(out)


def replace(value: str, pattern: str, replacement: str, replace_all: bool) -> str:
    try:
        compiled = ShellPattern.compile(pattern, greedy=True, anchored=False)
    except LexError as err:
        raise LexError(f"invalid pattern ({pattern}) in substitution: {err.reason}") from None
    if not replace_all:
        # A single replacement is spliced in literally ...
        span = compiled.search(value)
        if span is None:
            return value
        return value[: span[0]] + replacement + value[span[1] :]
    # ... but replace-all goes through Go's ReplaceAllString, which expands
    # "$" in the replacement and never replaces an empty match that directly
    # follows another match.
    out: list[str] = []
    written = 0
    last_end = 0
    search_at = 0
    size = len(value)
    while search_at <= size:
        span = compiled.search(value, search_at)
        if span is None:
            break
        start, end = span
        out.append(value[last_end:start])
        written += start - last_end
        if end > last_end or start == 0:
            out.append(expand_template(replacement, value[start:end]))
            written += len(out[-1])
            check_word_size(written)  # each match may insert a long replacement
        last_end = end
        width = 1 if search_at < size else 0
        if search_at + width > end:
            search_at += width
        elif search_at + 1 > end:
            search_at += 1
        else:
            search_at = end
    out.append(value[last_end:])
    return "".join(out)
