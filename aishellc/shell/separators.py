"""Which runs of blanks in a shell command line are word separators, and nothing else.

The semantic hash (:func:`aishellc.compiler.hashing.normalize_shell`) collapses such runs to one
space, so re-indenting continuation lines does not rebuild an image. A run may only be
collapsed when the shell provably reads it as the gap between two words (or as the space
around an operator): then one space means the same. Everywhere else the shell keeps the
blanks, and so must the hash: ``x=${y:-a  b}`` assigns two spaces, ``"a  b"``,
``'a  b'``, ``$'a  b'`` and ``a\\ \\ b`` are one word with two spaces in it, and so are
``m[a  b]=1`` (an associative array key), ``[[ $x =~ (a  b) ]]`` (a regular expression),
``@(a  b)`` under ``extglob`` and the elements of ``a=(...)``.

:func:`separators` follows the command line as bash's lexer does, left to right, and
records a run only when it is in plain command text: at the top level or inside a
``$(...)`` or backtick command substitution (also one inside double quotes). These
constructs are read whole and their blanks kept: quotes of every kind, ``${...}`` (nested
braces, quotes and substitutions inside), ``$((...))``, ``((...))`` and ``$[...]`` (an
associative array's key can be written there), an array subscript after a name
(``name[...]``) and any ``(`` glued to the word before it (``a=(...)``, ``@(...)``,
``f()``). Where the lexer is not sure it reads the line as bash does, it stops recording
and the rest of the line keeps its bytes: a comment (``#`` starting a word: without
newlines it runs to the end), ``=~`` (bash reads the regular expression after it keeping
the blanks inside parentheses), ``case`` inside a substitution (its ``pat)`` would end the
substitution early), a backslash, quote or ``$(`` inside backticks, a single quote inside
a ``${...}`` that is itself in double quotes, an escaped quote in ``$'...'`` (dash, which
knows no ``$'...'``, ends the quote there), a newline, and anything unterminated. Being
wrong in that direction only costs a rebuild; the other direction would reuse a stale
image.

The rule is checked against bash itself: ``tests/property/test_shell_blanks.py`` runs
pairs of generated scripts that this module makes equal and compares what they print and
write.
"""

from __future__ import annotations

import contextlib
import re
from typing import Final

_BLANKS: Final = re.compile(r"[ \t]+")
_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Characters after which a new word starts in command text (operators end a word).
_OPERATORS: Final = frozenset(";&|<>()")


class _Unsure(Exception):
    """The lexer met something it does not follow exactly as bash does."""


def separators(text: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` spans of the blank runs in ``text`` that are word separators
    to a POSIX shell (and to bash), in order (see the module docs)."""
    lexer = _Lexer(text)
    # When unsure, the runs found so far stand: the line up to there was read right.
    with contextlib.suppress(_Unsure):
        lexer.command(0, closer=None)
    return lexer.found


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.size = len(text)
        self.found: list[tuple[int, int]] = []
        # > 0 inside a construct whose blanks are kept, even in a $( ) nested in it
        self.kept = 0

    # -- command text ------------------------------------------------------------------

    def command(self, i: int, closer: str | None) -> int:
        """Read command text from ``i`` to the ``closer`` that ends it (the ``)`` of a
        ``$(``, the closing backtick) or to the end; return the index after it."""
        text, size = self.text, self.size
        depth = 0  # subshells opened inside this command text
        word = -1  # where the current word started, -1 between words
        while i < size:
            ch = text[i]
            if ch == "`" and closer == "`":
                return i + 1
            if ch in " \t":
                match = _BLANKS.match(text, i)
                assert match is not None
                if not self.kept:
                    self.found.append((i, match.end()))
                i, word = match.end(), -1
                continue
            if ch == "\n":
                raise _Unsure  # a new command, maybe with here-document lines after it
            at_start = word < 0
            if at_start:
                word = i
                if ch == "#" or text.startswith("=~", i):
                    raise _Unsure
                if closer is not None and _is_word(text, i, "case"):
                    raise _Unsure
            if ch in _OPERATORS:
                if ch == "(":
                    if text.startswith("((", i):
                        i = self.balanced(i + 2, "(", ")", depth=2, quoted=False)
                        word = i  # "((...))" is one piece of text, as a word is
                        continue
                    if not at_start:  # a=( ), @( ), f(): blanks inside are kept
                        i = self.balanced(i + 1, "(", ")", depth=1, quoted=False)
                        continue
                    depth += 1
                elif ch == ")":
                    if depth == 0 and closer == ")":
                        return i + 1
                    depth -= 1
                i, word = i + 1, -1
                continue
            if ch == "[" and _NAME.fullmatch(text, word, i):
                i = self.balanced(i + 1, "[", "]", depth=1, quoted=False)  # name[sub]
                continue
            i = self.piece(i, quoted=False)
        if closer is not None:
            raise _Unsure  # an unterminated $(
        return i

    def piece(self, i: int, *, quoted: bool) -> int:
        """Read one character, or the quote or substitution that starts at ``i``."""
        text = self.text
        ch = text[i]
        if ch == "\\":
            return min(i + 2, self.size)
        if ch == "'" and not quoted:
            return self.single_quote(i)
        if ch == '"':
            return self.double_quote(i)
        if ch == "`":
            return self.backtick(i)
        if ch == "$":
            return self.dollar(i, quoted=quoted)
        return i + 1

    # -- quotes --------------------------------------------------------------------------

    def single_quote(self, i: int) -> int:
        end = self.text.find("'", i + 1)
        if end < 0:
            raise _Unsure
        return end + 1

    def ansi_c_quote(self, i: int) -> int:
        """``$'...'`` from its ``'``, for bash; dash (``/bin/sh`` on Debian) reads ``$``
        and a plain single quote, the same span unless an escaped quote ends it early."""
        text, size = self.text, self.size
        i += 1
        while i < size:
            if text.startswith("\\'", i):
                raise _Unsure  # bash and dash now disagree on what is quoted
            if text[i] == "\\":
                i += 2
            elif text[i] == "'":
                return i + 1
            else:
                i += 1
        raise _Unsure

    def double_quote(self, i: int) -> int:
        text, size = self.text, self.size
        i += 1
        while i < size:
            if text[i] == '"':
                return i + 1
            i = self.piece(i, quoted=True)
        raise _Unsure

    def backtick(self, i: int) -> int:
        """A backtick substitution: command text, when it holds no backslash (which bash
        takes away before reading it again) and no quote or ``$(`` (POSIX leaves finding
        the end undefined then)."""
        end = self.text.find("`", i + 1)
        content = self.text[i + 1 : end]
        if end < 0 or "$(" in content or any(ch in content for ch in "\\'\""):
            raise _Unsure
        return self.command(i + 1, closer="`")

    # -- $ ---------------------------------------------------------------------------------

    def dollar(self, i: int, *, quoted: bool) -> int:
        text = self.text
        following = text[i + 1 : i + 2]
        if following == "'" and not quoted:
            return self.ansi_c_quote(i + 1)
        if following == '"' and not quoted:
            return self.double_quote(i + 1)
        if following == "{":
            return self.balanced(i + 2, "{", "}", depth=1, quoted=quoted)
        if following == "[":
            return self.balanced(i + 2, "[", "]", depth=1, quoted=quoted)
        if following == "(":
            if text.startswith("((", i + 1):
                return self.balanced(i + 3, "(", ")", depth=2, quoted=quoted)
            return self.command(i + 2, closer=")")
        return i + 1

    def balanced(self, i: int, opening: str, closing: str, *, depth: int, quoted: bool) -> int:
        """Read a construct whose blanks are all kept, up to the ``closing`` that brings
        ``depth`` to 0; ``quoted``: the construct is inside double quotes."""
        text, size = self.text, self.size
        self.kept += 1
        while i < size:
            ch = text[i]
            if ch == closing:
                depth -= 1
                if depth == 0:
                    self.kept -= 1
                    return i + 1
                i += 1
            elif ch == opening:
                depth += 1
                i += 1
            elif ch == "'":
                if quoted:
                    raise _Unsure  # "${x:-'}'}": bash's rules differ by operator
                i = self.single_quote(i)
            else:
                i = self.piece(i, quoted=quoted)
        raise _Unsure


def _is_word(text: str, i: int, word: str) -> bool:
    end = i + len(word)
    return text.startswith(word, i) and (end == len(text) or text[end] in " \t;&|<>()")
