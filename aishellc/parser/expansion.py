"""Word lexing and variable expansion, as BuildKit does it for Dockerfiles.

This is a port of BuildKit's ``frontend/dockerfile/shell`` lexer: the code that
expands ``$VAR`` and ``${VAR:-default}`` in ``FROM``, ``COPY``, ``ENV`` and the
other expanding instructions, and that (with the raw options) splits an
instruction line into words to find heredocs.  It is *not* a POSIX shell: it
copies BuildKit's behaviour, quirks included, because a Dockerfile means what
BuildKit makes of it.

Details that are easy to get wrong:

* Whitespace is Go's ``unicode.IsSpace`` (see ``GO_SPACE``), not ``str.isspace``;
  names are Unicode letters, digits (category Nd) and ``_``.
* Shell patterns in ``${x#p}``, ``${x%p}`` and ``${x/p/r}`` are matched by a
  small leftmost-first NFA simulation (``ShellPattern``), which gives the same
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

from collections.abc import Generator, Mapping
from typing import Final, TypeAlias

import attrs

from aishellc.parser.expansion_errors import (
    MAX_TOTAL_CHARS,
    MAX_WORD_CHARS,
    Budget,
    ExpansionError,
    ExpansionLimitError,
    LexError,
    check_word_size,
)
from aishellc.parser.go_text import (
    EOF,
    GO_SPACE,
    GO_SPACE_RUN,
    Scanner,
    display,
    is_digit,
    is_name_char,
)
from aishellc.parser.shell_patterns import replace, trim_prefix, trim_suffix

__all__ = [
    "MAX_TOTAL_CHARS",
    "MAX_WORD_CHARS",
    "ExpansionError",
    "ExpansionLimitError",
    "WordLexer",
]

#: Whitespace that may follow ``<<`` and still belongs to the heredoc operator.
_HEREDOC_BLANKS: Final = frozenset("\t\r ")

#: POSIX special parameters, each a complete name on its own (``$@``, ``${#}``).
_SPECIAL_PARAMS: Final = frozenset("@*#?-$!0")


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
        if ch in GO_SPACE:
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
        for space in GO_SPACE_RUN.finditer(text):
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
    failure: LexError | None = None
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
        except LexError as error:
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
        self.budget: Budget = lexer._budget
        self.scan = Scanner(word)
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

    def at_end_of_input(self, err: LexError, reason: str) -> LexError:
        """``err``, reworded as ``reason`` if the input ran out.

        The same exception object is re-raised rather than a new one, so that
        a deep nest of ``${`` does not build a chain of exception contexts.
        """
        if self.scan.peek() == EOF and not err.limit:
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
            while (ch := scan.peek()) != EOF:
                if ch == stop:
                    scan.next()
                    self.words = words.finish()
                    return "".join(result)
                if ch == "$":
                    text = yield self.process_dollar()
                    size += len(text)
                    check_word_size(size)
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
                    check_word_size(size)
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
                        if ch == EOF:
                            break  # an escape at the end of input is dropped
                        words.add_raw_char(ch)
                    else:
                        words.add_char(ch)
                    result.append(ch)
                    size += 1
            if stop is not None:
                raise LexError(f"unexpected end of statement while looking for matching {stop}")
            check_word_size(size)  # literal text after the last expansion
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
            if ch == EOF:
                raise LexError(
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
            if ch == EOF:
                raise LexError(
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
                check_word_size(size)
                result.append(text)
                continue
            ch = scan.next()
            if ch == escape:
                if self.raw_escapes:
                    result.append(ch)
                following = scan.peek()
                if following == EOF:
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
        while (ch := scan.peek()) != EOF:
            if not name and is_digit(ch):
                while (ch := scan.peek()) != EOF and is_digit(ch):
                    name.append(scan.next())
                return "".join(name)
            if not name and ch in _SPECIAL_PARAMS:
                return scan.next()
            if not is_name_char(ch):
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
        if ch == EOF:
            raise LexError("syntax error: missing '}'")
        if ch in ("{", "}", ":"):
            raise LexError("syntax error: bad substitution")
        name = self.process_name()
        ch = scan.next()
        modifier = display(ch)

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
            modifier += display(ch)
        elif ch not in ("+", "-", "?", "#", "%"):
            raise LexError(f"unsupported modifier ({modifier}) in substitution")

        trims = ch in ("#", "%")
        if null_is_unset and trims:
            raise LexError(f"unsupported modifier ({modifier}) in substitution")
        try:
            word = yield self.process_until("}", trims)
        except LexError as err:
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
                raise LexError(f"{name}: {word or 'is not allowed to be unset'}")
            if null_is_unset and not value:
                raise LexError(f"{name}: {word or 'is not allowed to be empty'}")
            return value
        if ch in ("#", "%"):
            # One "#"/"%" trims the shortest match, two the longest.  The
            # second one is looked for in the expanded word.
            greedy = word.startswith(ch)
            if greedy:
                word = word[1:]
            if ch == "%":
                return trim_suffix(word, value, greedy)
            return trim_prefix(word, value, greedy)
        raise LexError(f"unsupported modifier ({modifier}) in substitution")

    def process_replacement(self, name: str) -> _Step:
        """``${name/pattern/replacement}`` and ``${name//pattern/replacement}``."""
        scan = self.scan
        replace_all = scan.peek() == "/"
        if replace_all:
            scan.next()
        try:
            pattern = yield self.process_until("/", True)
        except LexError as err:
            raise self.at_end_of_input(err, "syntax error: missing '/' in ${}") from None
        try:
            replacement = yield self.process_until("}", True)
        except LexError as err:
            raise self.at_end_of_input(err, "syntax error: missing '}'") from None

        value, is_set = self.lookup(name)
        if self.lexer.skip_unset_env and not is_set:
            # BuildKit writes a single "/" back, even for "//".
            return "${" + name + "/" + pattern + "/" + replacement + "}"
        replaced = replace(value, pattern, replacement, replace_all)
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
    _budget: Budget = attrs.field(factory=Budget, init=False, eq=False, repr=False)

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
        except LexError as err:
            error = ExpansionLimitError if err.limit else ExpansionError
            raise error(err.reason, word) from None
        return result, state
