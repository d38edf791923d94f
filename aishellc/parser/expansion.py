"""Word lexing and variable expansion, as BuildKit does it for Dockerfiles.

This is a port of BuildKit's ``frontend/dockerfile/shell`` lexer: the code that
expands ``$VAR`` and ``${VAR:-default}`` in ``FROM``, ``COPY``, ``ENV`` and the
other expanding instructions, and that (with the raw options) splits an
instruction line into words to find heredocs.  It is *not* a POSIX shell: it
copies BuildKit's behaviour, quirks included, because a Dockerfile means what
BuildKit makes of it.

Details that are easy to get wrong:

* Whitespace is Go's ``unicode.IsSpace`` (see ``_GO_SPACE``), not ``str.isspace``;
  names are Unicode letters, digits (category Nd) and ``_``.
* Shell patterns in ``${x#p}``, ``${x%p}`` and ``${x/p/r}`` are matched by a
  small leftmost-first NFA simulation (``_ShellPattern``), which gives the same
  answer as Go's RE2-based ``regexp`` in time linear in the value for a fixed
  pattern, where a backtracking engine could take exponential time.
* ``${...}`` nests arbitrarily deep.  The mutually recursive routines are
  generators run by a trampoline (``_run``), so nesting depth is bounded by
  memory rather than by Python's recursion limit.

BuildKit quirks kept on purpose (each is marked where it happens):

* ``process_words`` loses the text of a word that comes before a nested
  ``${name<op>...}`` (``a${x:-b}c`` gives the word ``bc``), because BuildKit
  shares one word buffer with the nested word and clears it there.
  ``process_word`` is not affected.
* With ``raw_escapes``, an escape character inside double quotes that escapes
  nothing is written twice (``"a\\tb"`` gives ``a\\\\tb``).
* ``${x//p/r}`` expands ``$$``, ``$0`` and ``${0}`` in the replacement (Go's
  ``ReplaceAllString``); ``${x/p/r}`` inserts it literally.
* With ``skip_unset_env``, ``${x//p/r}`` for an unset ``x`` is written back as
  ``${x/p/r}``, and ``${x<op>...}`` is written back even for operators that
  would be an error (``${x:y}``).
* The ``#``/``%`` that makes a trim greedy is looked for after expansion, and a
  suffix pattern that fails to compile is reported reversed.
* A byte-order mark at the very start of the word (or of a pattern) is skipped.

One limit BuildKit does not have: expansion output is capped, because a value that names
itself twice (``ARG A1=${A0}${A0}``, then ``A2``, ...) doubles with every line, and 41
such lines would ask for terabytes.  One expanded word may hold at most
:data:`MAX_WORD_CHARS` characters (1 MiB), and the variable values one ``WordLexer``
substitutes, summed over its life, at most :data:`MAX_TOTAL_CHARS` (64 MiB), so a file
of many lines each naming a 1 MiB value cannot take long either.  Make one ``WordLexer``
per document.  Going over raises :class:`ExpansionLimitError` as soon as the text being
built passes the cap, before anything larger is made.  No real build comes near either
number: the largest values in real Dockerfiles are package lists of a few kilobytes.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Mapping
from typing import Final, TypeAlias

import attrs

__all__ = [
    "MAX_TOTAL_CHARS",
    "MAX_WORD_CHARS",
    "ExpansionError",
    "ExpansionLimitError",
    "WordLexer",
]

MAX_WORD_CHARS: Final = 1 << 20
"""The most characters one expanded word may hold (1 MiB)."""

MAX_TOTAL_CHARS: Final = 1 << 26
"""The most characters of variable values one :class:`WordLexer` substitutes (64 MiB)."""

_LIMIT_HELP: Final = (
    "no real build needs a value this large (BuildKit has no limit and would grow it for "
    "as long as memory lasts): look for a variable whose value names another variable "
    "more than once, like ARG B=${A}${A}, and write the value out instead"
)

#: What the scanner returns at the end of its input.
_EOF: Final = ""

#: Go's ``unicode.IsSpace``: the Unicode White_Space property.  Unlike
#: ``str.isspace`` it excludes U+001C..U+001F.
_GO_SPACE: Final = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)

#: Runs of ``_GO_SPACE``: where an expanded value splits into words.
_GO_SPACE_RUN: Final = re.compile("[" + "".join(sorted(_GO_SPACE)) + "]+")

#: Whitespace that may follow ``<<`` and still belongs to the heredoc operator.
_HEREDOC_BLANKS: Final = frozenset("\t\r ")

#: POSIX special parameters, each a complete name on its own (``$@``, ``${#}``).
_SPECIAL_PARAMS: Final = frozenset("@*#?-$!0")

#: Characters escaped when a shell pattern is written as a regular expression.
_REGEX_SPECIALS: Final = frozenset("[]{}.+()|^$")

#: Go prints the "rune" -1 (end of input) as U+FFFD in error messages.
_EOF_DISPLAY: Final = "\ufffd"

_BOM: Final = "\ufeff"


def _is_digit(ch: str) -> bool:
    """Go's ``unicode.IsDigit``: general category Nd."""
    return ch.isdecimal()


def _is_name_char(ch: str) -> bool:
    """A letter (category L), a digit (Nd) or ``_``, as Go's lexer accepts in names."""
    return ch.isalpha() or ch.isdecimal() or ch == "_"


def _display(ch: str) -> str:
    return ch if ch != _EOF else _EOF_DISPLAY


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


class ExpansionError(ValueError):
    """A word could not be expanded.

    ``str(error)`` is BuildKit's message, e.g.
    ``failed to process "${x": syntax error: missing '}'``; ``reason`` is the
    part after the colon and ``word`` the input that failed.
    """

    def __init__(self, reason: str, word: str) -> None:
        super().__init__(f"failed to process {go_quote(word)}: {reason}")
        self.reason = reason
        self.word = word

    @property
    def help(self) -> str | None:
        """How to fix it, when there is more to say than the message."""
        return None


class ExpansionLimitError(ExpansionError):
    """The expansion went over :data:`MAX_WORD_CHARS` or :data:`MAX_TOTAL_CHARS`
    (aishellc's limit, not BuildKit's)."""

    @property
    def help(self) -> str:
        return _LIMIT_HELP


class _LexError(Exception):
    """Raised inside the lexer; wrapped into ExpansionError at the top."""

    def __init__(self, reason: str, *, limit: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.limit = limit


def _check_word_size(size: int) -> None:
    """Refuse a word that has grown past :data:`MAX_WORD_CHARS`."""
    if size > MAX_WORD_CHARS:
        raise _LexError(
            f"expands to more than {MAX_WORD_CHARS:,} characters (1 MiB), the most "
            "aishellc expands in one word",
            limit=True,
        )


@attrs.define
class _Budget:
    """The characters of variable values a :class:`WordLexer` has substituted so far."""

    spent: int = 0

    def spend(self, size: int) -> None:
        self.spent += size
        if self.spent > MAX_TOTAL_CHARS:
            raise _LexError(
                f"the values expanded in this Dockerfile add up to more than "
                f"{MAX_TOTAL_CHARS:,} characters (64 MiB), the most aishellc expands in "
                "one file",
                limit=True,
            )


# --------------------------------------------------------------------------
# Shell patterns
# --------------------------------------------------------------------------

#: Pattern tokens: a literal is a one-character string, these two are not.
_ANY: Final = 0  # "?": one character other than a newline
_STAR: Final = 1  # "*": any run of characters other than newlines
_Token: TypeAlias = str | int


@attrs.frozen
class _ShellPattern:
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
    def compile(cls, pattern: str, *, greedy: bool, anchored: bool) -> _ShellPattern:
        """Compile ``pattern``: ``*``, ``?``, and ``\\`` escaping ``*``, ``?`` or ``\\``.

        A backslash before ``}`` or ``/`` is dropped (those had to be escaped to
        get into ``${...}`` at all).  Any other escape is an error.  Bracket
        expressions are not supported: ``[`` is literal.  Go reads the pattern
        with a fresh ``text/scanner``, which skips a leading byte-order mark.
        """
        scan = _Scanner(pattern)
        tokens: list[_Token] = []
        regex = ["^"] if anchored else []
        star = ".*" if greedy else ".*?"
        while (tok := scan.next()) != _EOF:
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
                    raise _LexError(f"invalid escape '\\{_display(tok)}'")
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
            ch = text[i] if i < size else _EOF
            following: list[tuple[int, int]] = []
            following_seen: set[int] = set()
            for pc, start in threads:
                if pc == final:
                    found = (start, i)
                    break
                if ch == _EOF:
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
            if ch == _EOF:
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


def _trim_prefix(pattern: str, value: str, greedy: bool) -> str:
    try:
        compiled = _ShellPattern.compile(pattern, greedy=greedy, anchored=True)
    except _LexError as err:
        raise _LexError(f"invalid pattern ({pattern}) in substitution: {err.reason}") from None
    span = compiled.search(value)
    return value[span[1] :] if span is not None else value


def _reverse_pattern(pattern: str) -> str:
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


def _trim_suffix(pattern: str, value: str, greedy: bool) -> str:
    # The shortest or longest *rightmost* match is found by reversing both
    # the pattern and the value and trimming a prefix instead.
    return _trim_prefix(_reverse_pattern(pattern), value[::-1], greedy)[::-1]


def _expand_template(template: str, match: str) -> str:
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
        while end < len(rest) and _is_name_char(rest[end]):
            end += 1
        if end == start or (braced and not rest.startswith("}", end)):
            out.append("$")  # malformed: the dollar is kept as text
            continue
        name = rest[start:end]
        rest = rest[end + 1 :] if braced else rest[end:]
        if name == "0":  # only "0" parses as group number 0 (no leading zeros)
            out.append(match)
            size += len(match)
            _check_word_size(size)  # "$0$0$0..." repeats the match: stop before joining
    out.append(rest)
    return "".join(out)


def _replace(value: str, pattern: str, replacement: str, replace_all: bool) -> str:
    try:
        compiled = _ShellPattern.compile(pattern, greedy=True, anchored=False)
    except _LexError as err:
        raise _LexError(f"invalid pattern ({pattern}) in substitution: {err.reason}") from None
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
            out.append(_expand_template(replacement, value[start:end]))
            written += len(out[-1])
            _check_word_size(written)  # each match may insert a long replacement
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


# --------------------------------------------------------------------------
# The lexer
# --------------------------------------------------------------------------


class _Scanner:
    """Character reader with one character of lookahead, like Go's ``text/scanner``.

    As there, a byte-order mark at the very start of the input is skipped.
    """

    __slots__ = ("_pos", "_size", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._size = len(text)
        self._pos = 1 if text.startswith(_BOM) else 0

    def peek(self) -> str:
        return self._text[self._pos] if self._pos < self._size else _EOF

    def next(self) -> str:
        if self._pos >= self._size:
            return _EOF
        ch = self._text[self._pos]
        self._pos += 1
        return ch


class _Words:
    """Splits text into words while the lexer produces it.

    ``buf`` is the current word.  BuildKit shares one such buffer between a
    word and the ``${...}`` words nested in it, and each nested word starts by
    clearing it; ``_Expander`` reproduces that by passing the same list.
    """

    __slots__ = ("buf", "in_word", "words")

    def __init__(self, buf: list[str]) -> None:
        self.buf = buf
        self.words: list[str] = []
        self.in_word = False

    def add_char(self, ch: str) -> None:
        if ch in _GO_SPACE:
            if self.in_word and self.buf:
                self.words.append("".join(self.buf))
                self.buf.clear()
                self.in_word = False
        else:
            self.add_raw_char(ch)

    def add_raw_char(self, ch: str) -> None:
        self.buf.append(ch)
        self.in_word = True

    def add_string(self, text: str) -> None:
        # add_char for each character, a run of them at a time: a value that grows with
        # every ARG (``ARG A2=${A1}x``) made this loop the most of a check's time.
        pos = 0
        for space in _GO_SPACE_RUN.finditer(text):
            if space.start() > pos:
                self.add_raw_string(text[pos : space.start()])
            self.add_char(text[space.start()])
            pos = space.end()
        if pos < len(text):
            self.add_raw_string(text[pos:])

    def add_raw_string(self, text: str) -> None:
        if text:
            self.buf.append(text)
        self.in_word = True

    def finish(self) -> list[str]:
        if self.buf:
            self.words.append("".join(self.buf))
            self.buf.clear()
            self.in_word = False
        return self.words


#: A step of the lexer: a generator that may hand a sub-step to the trampoline
#: (yield) and gets that step's result back (send); it returns a string.
_Step: TypeAlias = Generator["_Step", str, str]


def _run(step: _Step) -> str:
    """Run ``step`` and the sub-steps it yields, on an explicit stack."""
    stack = [step]
    reply: str | None = None
    failure: _LexError | None = None
    while True:
        top = stack[-1]
        try:
            if failure is not None:
                error, failure = failure, None
                sub = top.throw(error)
            elif reply is None:
                sub = next(top)
            else:
                sub = top.send(reply)
        except StopIteration as done:
            stack.pop()
            if not stack:
                result: str = done.value
                return result
            reply = done.value
            continue
        except _LexError as error:
            stack.pop()
            if not stack:
                raise
            failure = error
            continue
        stack.append(sub)
        reply = None


class _Expander:
    """The state of one ``WordLexer`` call on one word."""

    def __init__(self, lexer: WordLexer, word: str, env: Mapping[str, str]) -> None:
        self.lexer = lexer
        self.budget: _Budget = lexer._budget
        self.scan = _Scanner(word)
        self.env = env
        self.raw_escapes = lexer.raw_escapes
        self.matched: set[str] = set()
        self.unmatched: set[str] = set()
        self.words_buf: list[str] = []
        self.words: list[str] = []

    # -- environment -------------------------------------------------------

    def lookup(self, name: str) -> tuple[str, bool]:
        if name in self.env:
            self.matched.add(name)
            value = self.env[name]
            self.budget.spend(len(value))
            return value, True
        self.unmatched.add(name)
        return "", False

    def at_end_of_input(self, err: _LexError, reason: str) -> _LexError:
        """``err``, reworded as ``reason`` if the input ran out.

        The same exception object is re-raised rather than a new one, so that
        a deep nest of ``${`` does not build a chain of exception contexts.
        """
        if self.scan.peek() == _EOF and not err.limit:
            err.reason = reason
        return err

    # -- words ---------------------------------------------------------------

    def process_until(self, stop: str | None, raw_escapes: bool) -> _Step:
        """Read up to and past ``stop`` (``None``: to the end of input).

        Returns the processed text; the words it splits into are left in
        ``self.words``.
        """
        scan = self.scan
        lexer = self.lexer
        escape = lexer.escape
        quotes = not lexer.skip_process_quotes
        result: list[str] = []
        size = 0  # of the text in result, checked wherever an expansion can make it grow
        self.words_buf.clear()
        words = _Words(self.words_buf)
        saved_raw_escapes = self.raw_escapes
        self.raw_escapes = raw_escapes
        try:
            while (ch := scan.peek()) != _EOF:
                if ch == stop:
                    scan.next()
                    self.words = words.finish()
                    return "".join(result)
                if ch == "$":
                    text = yield self.process_dollar()
                    size += len(text)
                    _check_word_size(size)
                    result.append(text)
                    words.add_string(text)  # expansion results are split
                elif ch == "<":
                    text = self.process_possible_heredoc()
                    size += len(text)
                    result.append(text)
                    words.add_raw_string(text)
                elif quotes and ch == "'":
                    text = self.process_single_quote()
                    size += len(text)
                    result.append(text)
                    words.add_raw_string(text)
                elif quotes and ch == '"':
                    text = yield self.process_double_quote()
                    size += len(text)
                    _check_word_size(size)
                    result.append(text)
                    words.add_raw_string(text)
                else:
                    ch = scan.next()
                    if ch == escape:
                        if self.raw_escapes:
                            words.add_raw_char(ch)
                            result.append(ch)
                            size += 1
                        ch = scan.next()
                        if ch == _EOF:
                            break  # an escape at the end of input is dropped
                        words.add_raw_char(ch)
                    else:
                        words.add_char(ch)
                    result.append(ch)
                    size += 1
            if stop is not None:
                raise _LexError(f"unexpected end of statement while looking for matching {stop}")
            _check_word_size(size)  # literal text after the last expansion
            self.words = words.finish()
            return "".join(result)
        finally:
            self.raw_escapes = saved_raw_escapes

    def process_single_quote(self) -> str:
        scan = self.scan
        raw = self.lexer.raw_quotes
        opening = scan.next()
        result = [opening] if raw else []
        while True:
            ch = scan.next()
            if ch == _EOF:
                raise _LexError(
                    "unexpected end of statement while looking for matching single-quote"
                )
            if ch == "'":
                if raw:
                    result.append(ch)
                return "".join(result)
            result.append(ch)

    def process_double_quote(self) -> _Step:
        scan = self.scan
        escape = self.lexer.escape
        raw = self.lexer.raw_quotes
        opening = scan.next()
        result = [opening] if raw else []
        size = 0  # of the expanded text in result (process_until counts the whole quote)
        while True:
            ch = scan.peek()
            if ch == _EOF:
                raise _LexError(
                    "unexpected end of statement while looking for matching double-quote"
                )
            if ch == '"':
                scan.next()
                if raw:
                    result.append(ch)
                return "".join(result)
            if ch == "$":
                text = yield self.process_dollar()
                size += len(text)
                _check_word_size(size)
                result.append(text)
                continue
            ch = scan.next()
            if ch == escape:
                if self.raw_escapes:
                    result.append(ch)
                following = scan.peek()
                if following == _EOF:
                    continue  # dropped; the loop then reports the missing quote
                if following in ('"', "$", escape):
                    ch = scan.next()
                # Otherwise the escape character itself is kept, so with raw
                # escapes it appears twice: BuildKit does the same.
            result.append(ch)

    def process_possible_heredoc(self) -> str:
        # "<<" and the blanks after it are one raw piece of the word, so
        # "<< EOF" is not split and the heredoc parser sees it whole.
        scan = self.scan
        scan.next()
        if scan.peek() != "<":
            return "<"
        scan.next()
        blanks = ["<<"]
        while scan.peek() in _HEREDOC_BLANKS:
            blanks.append(scan.next())
        return "".join(blanks)

    def process_name(self) -> str:
        """A name: letters, digits and ``_``; or a run of digits; or one special."""
        scan = self.scan
        name: list[str] = []
        while (ch := scan.peek()) != _EOF:
            if not name and _is_digit(ch):
                while (ch := scan.peek()) != _EOF and _is_digit(ch):
                    name.append(scan.next())
                return "".join(name)
            if not name and ch in _SPECIAL_PARAMS:
                return scan.next()
            if not _is_name_char(ch):
                break
            name.append(scan.next())
        return "".join(name)

    def process_dollar(self) -> _Step:
        scan = self.scan
        skip_unset = self.lexer.skip_unset_env
        scan.next()  # "$"

        if scan.peek() != "{":
            name = self.process_name()
            if not name:
                return "$"
            value, is_set = self.lookup(name)
            if not is_set and skip_unset:
                return "$" + name
            return value

        scan.next()  # "{"
        ch = scan.peek()
        if ch == _EOF:
            raise _LexError("syntax error: missing '}'")
        if ch in ("{", "}", ":"):
            raise _LexError("syntax error: bad substitution")
        name = self.process_name()
        ch = scan.next()
        modifier = _display(ch)

        if ch == "}":
            value, is_set = self.lookup(name)
            if not is_set and skip_unset:
                return "${" + name + "}"
            return value

        if ch == "/":
            return (yield from self.process_replacement(name))

        null_is_unset = ch == ":"
        if null_is_unset:
            # Whatever follows the colon is the operator, even "}" or EOF.
            ch = scan.next()
            modifier += _display(ch)
        elif ch not in ("+", "-", "?", "#", "%"):
            raise _LexError(f"unsupported modifier ({modifier}) in substitution")

        trims = ch in ("#", "%")
        if null_is_unset and trims:
            raise _LexError(f"unsupported modifier ({modifier}) in substitution")
        try:
            word = yield self.process_until("}", trims)
        except _LexError as err:
            raise self.at_end_of_input(err, "syntax error: missing '}'") from None

        value, is_set = self.lookup(name)
        if skip_unset and not is_set:
            # Kept as written, even for an operator that is an error when set.
            return "${" + name + modifier + word + "}"

        if ch == "-":
            if not is_set or (null_is_unset and not value):
                return word
            return value
        if ch == "+":
            if not is_set or (null_is_unset and not value):
                return ""
            return word
        if ch == "?":
            if not is_set:
                raise _LexError(f"{name}: {word or 'is not allowed to be unset'}")
            if null_is_unset and not value:
                raise _LexError(f"{name}: {word or 'is not allowed to be empty'}")
            return value
        if ch in ("#", "%"):
            # One "#"/"%" trims the shortest match, two the longest.  The
            # second one is looked for in the expanded word.
            greedy = word.startswith(ch)
            if greedy:
                word = word[1:]
            if ch == "%":
                return _trim_suffix(word, value, greedy)
            return _trim_prefix(word, value, greedy)
        raise _LexError(f"unsupported modifier ({modifier}) in substitution")

    def process_replacement(self, name: str) -> _Step:
        """``${name/pattern/replacement}`` and ``${name//pattern/replacement}``."""
        scan = self.scan
        replace_all = scan.peek() == "/"
        if replace_all:
            scan.next()
        try:
            pattern = yield self.process_until("/", True)
        except _LexError as err:
            raise self.at_end_of_input(err, "syntax error: missing '/' in ${}") from None
        try:
            replacement = yield self.process_until("}", True)
        except _LexError as err:
            raise self.at_end_of_input(err, "syntax error: missing '}'") from None

        value, is_set = self.lookup(name)
        if self.lexer.skip_unset_env and not is_set:
            # BuildKit writes a single "/" back, even for "//".
            return "${" + name + "/" + pattern + "/" + replacement + "}"
        replaced = _replace(value, pattern, replacement, replace_all)
        self.budget.spend(len(replaced))
        return replaced


def _check_escape(_instance: object, _attribute: object, value: str) -> None:
    if len(value) != 1:
        raise ValueError(f"escape must be a single character, not {value!r}")


@attrs.frozen
class WordLexer:
    """BuildKit's Dockerfile word lexer (``shell.Lex``).

    ``escape`` is the Dockerfile escape character (``\\`` or a backtick).
    ``raw_quotes`` keeps quote characters in the output, ``raw_escapes`` keeps
    escape characters, ``skip_unset_env`` writes references to unset variables
    back as they were instead of expanding them to nothing, and
    ``skip_process_quotes`` treats quotes as ordinary characters.

    Variables are looked up in a plain mapping, case-sensitively as on Linux.
    Errors raise ``ExpansionError`` with BuildKit's message; going over the size caps
    raises ``ExpansionLimitError`` (see the module docs: one lexer per document).
    """

    escape: str = attrs.field(default="\\", validator=_check_escape)
    raw_quotes: bool = False
    raw_escapes: bool = False
    skip_unset_env: bool = False
    skip_process_quotes: bool = False
    #: what this lexer has substituted so far (against :data:`MAX_TOTAL_CHARS`)
    _budget: _Budget = attrs.field(factory=_Budget, init=False, eq=False, repr=False)

    def process_word(self, word: str, env: Mapping[str, str]) -> str:
        """Expand ``word`` to a single string (spaces between words kept)."""
        return self._expand(word, env)[0]

    def process_word_with_matches(
        self, word: str, env: Mapping[str, str]
    ) -> tuple[str, frozenset[str], frozenset[str]]:
        """Expand ``word``; also return the names looked up and found / not found."""
        result, state = self._expand(word, env)
        return result, frozenset(state.matched), frozenset(state.unmatched)

    def process_words(self, word: str, env: Mapping[str, str]) -> list[str]:
        """Expand ``word`` and split it into words.

        Text produced by ``$`` expansion is split on whitespace; quoted text,
        escaped characters and a heredoc ``<<`` with the blanks after it are not.
        """
        return list(self._expand(word, env)[1].words)

    def _expand(self, word: str, env: Mapping[str, str]) -> tuple[str, _Expander]:
        state = _Expander(self, word, env)
        try:
            result = _run(state.process_until(None, self.raw_escapes))
        except _LexError as err:
            error = ExpansionLimitError if err.limit else ExpansionError
            raise error(err.reason, word) from None
        return result, state
