"""The pre-lexer: BuildKit's line scanner, keeping every character for printing.

It reads the text the way BuildKit's ``parser.Parse`` does: parser directives at the top,
comment and blank lines, the escape character's continuations (skipping comment and blank
lines inside them), and heredoc bodies after the logical line of RUN/COPY/ADD (also under
ONBUILD) that names them. It hands the grammar one logical line per instruction and keeps,
for every piece of it, where it came from in the source.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from typing import NoReturn

import attrs

from aishellc.errors import Location, UserError
from aishellc.parser import buildkit_words as bw
from aishellc.parser.expansion import ExpansionError, WordLexer

MAX_LINE_BYTES = 65535
_DIRECTIVE = re.compile(r"([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*")
_KNOWN_DIRECTIVES = frozenset({"syntax", "escape", "check"})
_HEREDOC_WORD = re.compile(r"([0-9]*)<<(-?)[\t\n\f\r ]*([^<]*)")
_HEREDOC_INSTRUCTIONS = frozenset({"run", "copy", "add"})
_CONTINUATION = {
    "\\": re.compile(r"(?:([^\\])|^)\\[ \t]*$"),
    "`": re.compile(r"(?:([^`])|^)`[ \t]*$"),
}
_LINE_WORDS = WordLexer(escape="\\", raw_quotes=True, raw_escapes=True, skip_unset_env=True)
_HEREDOC_NAME = WordLexer(escape="\\", skip_unset_env=True)
_HEREDOC_NAME_RAW = WordLexer(escape="\\", raw_quotes=True, skip_unset_env=True)
_MAX_UINT64 = 2**64 - 1
_BIG = 1 << 62


@attrs.frozen
class TriviaLine:
    """A directive, comment or blank line between instructions."""

    kind: str  # "directive" | "comment" | "blank"
    start: int
    end: int
    eol: str
    name: str = ""
    value: str = ""


@attrs.frozen
class HeredocBody:
    """A heredoc named on an instruction line and the body lines read after it."""

    name: str
    file_descriptor: int
    expand: bool
    chomp: bool
    content: str
    start: int  # offset of the first body line
    end: int  # end of the terminator line's text


@attrs.frozen
class LogicalLine:
    """One instruction: its joined text (BuildKit's ``line``) and where each part came from.

    ``segments`` are ``(logical offset, source offset, length)`` triples, in order.
    """

    text: str
    segments: tuple[tuple[int, int, int], ...]
    start: int
    end: int
    eol: str
    start_line: int
    end_line: int
    heredocs: tuple[HeredocBody, ...] = ()

    def source_start(self, logical: int) -> int:
        """Source offset where the character at a logical offset starts."""
        segments = self.segments
        index = bisect.bisect_right(segments, (logical, _BIG, _BIG)) - 1
        logical_start, source_start, length = segments[max(index, 0)]
        if logical - logical_start >= length and index + 1 < len(segments):
            logical_start, source_start, length = segments[index + 1]
        return source_start + (logical - logical_start)

    def source_end(self, logical: int) -> int:
        """Source offset just after the character before a logical (end) offset."""
        if logical <= 0:
            return self.segments[0][1]
        return self.source_start(logical - 1) + 1


@attrs.frozen
class PrelexResult:
    items: tuple[TriviaLine | LogicalLine, ...]
    escape: str
    # An error BuildKit's scanner would raise at this point; the builder reports an error
    # from an earlier instruction first, as BuildKit does, and otherwise this one.
    error: UserError | None = None


class _Lines:
    """Physical lines: ``(start, content end, line end)`` offsets, split on LF only."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __iter__(self) -> Iterator[tuple[int, int, int]]:
        text = self.text
        n = len(text)
        pos = 0
        find = text.find
        while pos < n:
            nl = find("\n", pos)
            line_end = n if nl < 0 else nl + 1
            content_end = line_end
            while content_end > pos and text[content_end - 1] in "\r\n":
                content_end -= 1
            yield pos, content_end, line_end
            pos = line_end


class _DirectiveParser:
    """BuildKit's DirectiveParser: directives only before the first non-directive line."""

    def __init__(self) -> None:
        self.done = False
        self.seen: set[str] = set()

    def parse(self, stripped: str) -> tuple[str, str] | None:
        if self.done:
            return None
        if not stripped.startswith("#"):
            self.done = True
            return None
        match = _DIRECTIVE.fullmatch(stripped[1:].lstrip(bw.GO_SPACE))
        if match is None:
            self.done = True
            return None
        name = match.group(1).lower()
        if name not in _KNOWN_DIRECTIVES:
            self.done = True
            return None
        if name in self.seen:
            raise ValueError(f"only one {name} parser directive can be used")
        self.seen.add(name)
        return name, match.group(2)


def prelex(text: str, path: str) -> PrelexResult:
    """Split ``text`` into trivia lines and logical instruction lines, as BuildKit does."""
    scanner = _Scanner(text, path)
    try:
        scanner.run()
    except _ScanError as exc:
        return PrelexResult(tuple(scanner.items), scanner.escape, exc.error)
    return PrelexResult(tuple(scanner.items), scanner.escape)


class _ScanError(Exception):
    def __init__(self, error: UserError) -> None:
        self.error = error


class _Scanner:
    def __init__(self, text: str, path: str) -> None:
        self.text = text
        self.path = path
        self.lines = iter(_Lines(text))
        self.line_no = 0
        self.escape = "\\"
        self.continuation = _CONTINUATION["\\"]
        self.directives = _DirectiveParser()
        self.items: list[TriviaLine | LogicalLine] = []

    # -- reading ---------------------------------------------------------------------------

    def next_line(self) -> tuple[int, int, int] | None:
        line = next(self.lines, None)
        if line is None:
            return None
        self.line_no += 1
        start, content_end, _ = line
        length = content_end - start
        if length > MAX_LINE_BYTES // 4 and (
            len(self.text[start:content_end].encode("utf-8")) > MAX_LINE_BYTES
        ):
            self.fail(
                f"line is longer than {MAX_LINE_BYTES} bytes, the most BuildKit reads",
                self.line_no,
                help="split it with line continuations or move the data into a file",
            )
        return line

    def fail(
        self, message: str, line: int, *, column: int = 1, help: str | None = None
    ) -> NoReturn:
        raise _ScanError(UserError(message, Location(self.path, line, column), help=help))

    def trim_continuation(self, content: str) -> tuple[str, bool]:
        match = self.continuation.search(content)
        if match is None:
            return content, True
        return content[: match.start()] + (match.group(1) or ""), False

    # -- the scan --------------------------------------------------------------------------

    def run(self) -> None:
        text = self.text
        while True:
            line = self.next_line()
            if line is None:
                return
            start, content_end, line_end = line
            raw = text[start:content_end]
            stripped = raw.lstrip(bw.GO_SPACE)
            try:
                directive = self.directives.parse(stripped)
            except ValueError as exc:
                self.fail(str(exc), self.line_no)
            eol = text[content_end:line_end]
            if directive is not None:
                name, value = directive
                if name == "escape":
                    if value not in ("\\", "`"):
                        self.fail(
                            f"invalid escape token '{value}' does not match ` or \\",
                            self.line_no,
                            help="use `# escape=\\` or `# escape=``",
                        )
                    self.escape = value
                    self.continuation = _CONTINUATION[value]
                self.items.append(
                    TriviaLine("directive", start, content_end, eol, name=name, value=value)
                )
                continue
            if stripped.startswith("#"):
                self.items.append(TriviaLine("comment", start, content_end, eol))
                continue
            first_offset = content_end - len(stripped)
            content, end_of_line = self.trim_continuation(stripped)
            if end_of_line and not content:
                self.items.append(TriviaLine("blank", start, content_end, eol))
                continue
            self.logical_line(start, first_offset, content, end_of_line, content_end, eol)

    def logical_line(
        self,
        start: int,
        first_offset: int,
        content: str,
        end_of_line: bool,
        end: int,
        eol: str,
    ) -> None:
        text = self.text
        start_line = self.line_no
        parts = [content]
        segments = [(0, first_offset, len(content))]
        logical_length = len(content)
        while not end_of_line:
            line = self.next_line()
            if line is None:
                break
            line_start, content_end, line_end = line
            end, eol = content_end, text[content_end:line_end]
            raw = text[line_start:content_end]
            stripped = raw.lstrip(bw.GO_SPACE)
            if not stripped or stripped.startswith("#"):
                # Comment and blank lines inside a continuation are skipped (BuildKit warns).
                continue
            piece, end_of_line = self.trim_continuation(raw)
            parts.append(piece)
            segments.append((logical_length, line_start, len(piece)))
            logical_length += len(piece)
        logical = "".join(parts)
        heredocs: tuple[HeredocBody, ...] = ()
        if "<<" in logical and _can_contain_heredoc(logical, self.escape):
            heredocs, end, eol = self.read_heredocs(logical, start_line, end, eol)
        self.items.append(
            LogicalLine(
                text=logical,
                segments=tuple(segments),
                start=start,
                end=end,
                eol=eol,
                start_line=start_line,
                end_line=self.line_no,
                heredocs=heredocs,
            )
        )

    def read_heredocs(
        self, logical: str, start_line: int, end: int, eol: str
    ) -> tuple[tuple[HeredocBody, ...], int, str]:
        text = self.text
        try:
            names = heredocs_from_line(logical)
        except ValueError as exc:
            self.fail(str(exc), start_line)
        bodies = []
        for name, fd, expand, chomp in names:
            body_start: int | None = None
            content: list[str] = []
            while True:
                line = self.next_line()
                if line is None:
                    self.fail(
                        f"unterminated heredoc: no line `{name}` ends the heredoc"
                        f" started on line {start_line}",
                        start_line,
                        help=f"add a line `{name}` after the heredoc's content",
                    )
                line_start, content_end, line_end = line
                if body_start is None:
                    body_start = line_start
                candidate = text[line_start:content_end]
                if chomp:
                    candidate = candidate.lstrip("\t")
                if candidate == name:
                    end, eol = content_end, text[content_end:line_end]
                    break
                content.append(text[line_start:line_end])
            bodies.append(
                HeredocBody(
                    name=name,
                    file_descriptor=fd,
                    expand=expand,
                    chomp=chomp,
                    content="".join(content),
                    start=body_start,
                    end=end,
                )
            )
        return tuple(bodies), end, eol


def _can_contain_heredoc(line: str, escape: str) -> bool:
    """BuildKit's canContainHeredoc: RUN/COPY/ADD (also as ONBUILD triggers), not JSON form."""
    command, _, args = bw.split_command(line, escape)
    command = command.lower()
    if command == "onbuild":
        if not args:
            return False
        command, _, args = bw.split_command(args, escape)
        command = command.lower()
    if command not in _HEREDOC_INSTRUCTIONS:
        return False
    try:
        return bw.parse_json_array(args) is None
    except bw.NotStringArrayError:
        return False


def heredocs_from_line(line: str) -> list[tuple[str, int, bool, bool]]:
    """The heredocs a logical line names: ``(name, fd, expand, chomp)`` in order."""
    try:
        words = _LINE_WORDS.process_words(line, {})
    except ExpansionError:
        return []
    found = []
    for word in words:
        heredoc = parse_heredoc_word(word)
        if heredoc is not None:
            found.append(heredoc)
    return found


def parse_heredoc_word(word: str) -> tuple[str, int, bool, bool] | None:
    """BuildKit's ParseHeredoc for one word (``<<EOF``, ``<<-'EOF'``, ``3<<EOF``, ``<< EOF``)."""
    match = _HEREDOC_WORD.fullmatch(word)
    if match is None:
        return None
    digits, dash, rest = match.groups()
    if not rest:
        return None
    try:
        words = _HEREDOC_NAME.process_words(rest, {})
        if len(words) != 1:
            return None
        raw_words = _HEREDOC_NAME_RAW.process_words(rest, {})
    except ExpansionError as exc:
        raise ValueError(str(exc)) from None
    if len(raw_words) != len(words):
        raise ValueError(f"internal lexing of heredoc produced inconsistent results: {rest}")
    name = words[0]
    raw = raw_words[0]
    expand = name.count("'") + name.count('"') == raw.count("'") + raw.count('"')
    fd = min(int(digits), _MAX_UINT64) if digits else 0
    return name, fd, expand, dash == "-"
