"""The shell script a RUN instruction runs, as BuildKit runs it, mapped back to the source.

BuildKit runs a RUN in one of these ways (``dispatchRun`` in its Dockerfile frontend):

- shell form: the logical line after the flags (continuation lines joined) is given to the
  stage's SHELL (``/bin/sh -c`` by default);
- exec form: the JSON array is the argv, no shell involved. aishellc writes it as a shell
  command line with every word single-quoted, which runs the same program with the same
  arguments, so the shell analysis sees ``["sh", "-c", "..."]`` and ``["sudo", "x"]`` too;
- a command that is just one heredoc (``RUN <<EOF``): the body is the script; a body that
  starts with ``#!`` is run by that interpreter (whatever the SHELL), otherwise by the
  SHELL;
- any other command with heredocs (``RUN bash <<EOF``, ``RUN cat <<EOF > f``): the line,
  then for each heredoc a newline, its body and its name, given to the SHELL, which reads
  the heredocs itself.

:class:`Script` keeps, for every character of the script, where it came from in the
Dockerfile, so diagnostics point at the exact word even inside continuation lines,
heredoc bodies and JSON strings.
"""

from __future__ import annotations

import bisect
import functools
import json
import re
from collections.abc import Iterator, Sequence
from typing import Literal

import attrs

from aishellc import ast
from aishellc.parser.prelex import LogicalLine, parse_heredoc_word, prelex
from aishellc.passes.spans import node_span
from aishellc.shell import is_shell

ScriptKind = Literal["shell", "exec", "heredoc", "heredoc-lines"]

_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_SAFE_WORD = re.compile(r"[A-Za-z0-9_@%+=:,./-]+")
_NOT_NEWLINE = re.compile(r"[^\n]")
# A RUN line with more heredocs than this has all of them read as data (see _heredoc_variants).
_MAX_HEREDOC_VARIANTS = 8
# Programs that run the program named after them (SHELL ["/usr/bin/env", "bash", "-c"]).
_MULTI_CALL = frozenset({"busybox", "env"})
# Offsets within a segment: (script offset, source offset, length)
Segment = tuple[int, int, int]


@attrs.frozen
class Script:
    """Shell code that a RUN runs, and where each of its characters came from."""

    text: str
    #: the RUN (for ``ONBUILD RUN``, the trigger)
    run: ast.Run
    #: the top-level instruction: the RUN itself or its ONBUILD
    instruction: ast.Instruction
    kind: ScriptKind
    #: whether the stage's SHELL runs it (shell form and heredoc scripts without ``#!``)
    uses_shell: bool
    segments: tuple[Segment, ...] = ()
    #: where every offset points when the exact mapping is not known
    fallback: ast.Span | None = None

    @functools.cached_property
    def variants(self) -> tuple[str, ...]:
        """Texts of the same length as ``text`` that a shell parser reads right, to analyse
        instead of it (see :func:`_heredoc_variants`); empty when ``text`` itself is read
        right. Worked out on first use: it parses with tree-sitter-bash."""
        command = self.run.command
        if self.kind != "heredoc-lines" or not isinstance(command, ast.ShellCommand):
            return ()
        return _heredoc_variants(command.text, self.run.heredocs)

    @property
    def analysed_texts(self) -> tuple[str, ...]:
        """The texts whose commands are the commands this script runs."""
        return self.variants or (self.text,)

    def span(self, start: int, end: int) -> ast.Span | None:
        """The source span of ``text[start:end]``."""
        source = self.fallback.source if self.fallback is not None else None
        if not self.segments or source is None:
            return self.fallback
        first = self._source_start(start)
        last = self._source_end(max(end, start + 1))
        return ast.Span(first, max(last, first), source)

    def _source_start(self, offset: int) -> int:
        segments = self.segments
        index = bisect.bisect_right(segments, (offset, 1 << 62, 0)) - 1
        if index >= 0:
            script, source, length = segments[index]
            if offset < script + length:
                return source + offset - script
        if index + 1 < len(segments):
            return segments[index + 1][1]
        script, source, length = segments[index]
        return source + length

    def _source_end(self, offset: int) -> int:
        segments = self.segments
        index = bisect.bisect_right(segments, (offset - 1, 1 << 62, 0)) - 1
        if index < 0:
            return segments[0][1]
        script, source, length = segments[index]
        return source + min(offset - script, length)


class ScriptReader:
    """Builds the :class:`Script` of the RUNs of one document, from the parser's logical
    lines (or, for a document made without them, from one pre-lexing of its text)."""

    def __init__(self, document: ast.Document, path: str = "Dockerfile") -> None:
        self.document = document
        lines: tuple[LogicalLine, ...] | list[LogicalLine] = document.logical_lines
        if not lines and document.source is not None:
            scanned = prelex(document.source.text, path)
            lines = [item for item in scanned.items if isinstance(item, LogicalLine)]
        self.lines: dict[int, LogicalLine] = {line.start: line for line in lines}

    def script(self, instruction: ast.Instruction) -> Script | None:
        """The script of a RUN or ONBUILD RUN; None for other instructions and for RUNs
        whose code is not shell (a heredoc with a ``#!/usr/bin/env python3`` line)."""
        run = instruction.trigger if isinstance(instruction, ast.Onbuild) else instruction
        if not isinstance(run, ast.Run) or run.command is None:
            return None
        span = node_span(instruction)
        line = self.lines.get(span.start) if span is not None else None
        command = run.command
        fallback = node_span(command) or span
        if isinstance(command, ast.ExecCommand):
            text, segments = _exec_script(command, line)
            return Script(text, run, instruction, "exec", False, segments, fallback)
        segments = _logical_segments(command, line)
        if run.heredocs and parse_heredoc_word(command.text) is not None:
            heredoc = run.heredocs[0]
            interpreter = shebang_interpreter(_chomped(heredoc))
            if interpreter is not None and not is_shell(interpreter):
                return None
            text = _unix(heredoc.content)
            body = _heredoc_segments(heredoc, 0)
            return Script(text, run, instruction, "heredoc", interpreter is None, body, fallback)
        parts = [command.text]
        offset = len(command.text)
        for heredoc in run.heredocs:
            parts.append("\n")
            offset += 1
            segments += _heredoc_segments(heredoc, offset)
            parts.append(_unix(heredoc.content))
            offset += len(heredoc.content)
            heredoc_span = node_span(heredoc)
            if heredoc_span is not None:
                segments += ((offset, heredoc_span.end - len(heredoc.name), len(heredoc.name)),)
            parts.append(heredoc.name)
            offset += len(heredoc.name)
        text = "".join(parts)
        kind: ScriptKind = "heredoc-lines" if run.heredocs else "shell"
        return Script(text, run, instruction, kind, True, segments, fallback)


def _heredoc_variants(line: str, heredocs: Sequence[ast.Heredoc]) -> tuple[str, ...]:
    """Texts that tree-sitter-bash reads right, for a RUN line with heredocs it misreads.

    The shell gets the line, then each heredoc's body and name. tree-sitter-bash reads a
    heredoc only where its operator follows its command and no other heredoc operator shares
    the line (``RUN <<A cat >a && <<B cat >b``, Docker's own example, is misread); the body
    lines then come out as commands. So each variant keeps one heredoc and blanks the others:
    their operators become redirects of the same length (``<<EOF`` -> ``<___``), their bodies
    and names spaces. Lengths stay the same, so every offset maps back unchanged.

    A kept heredoc whose operator tree-sitter-bash still misreads (written before its
    command) is code only when that command is a shell (``RUN <<EOF bash``): its variant is
    then the body alone, everything else blanked. The other heredocs are data, as are all of
    them past :data:`_MAX_HEREDOC_VARIANTS`.
    """
    # Imported here, not with this module: it loads tree-sitter.
    from aishellc.shell import program_redirected_at, reads_heredocs_after_first_line

    operators = _heredoc_operators(line, heredocs)
    if operators is None:
        return ()

    def variant(keep: int | None, form: Literal["whole", "skeleton", "body"] = "whole") -> str:
        """The text with every heredoc but ``keep`` blanked; a "skeleton" blanks the kept
        body too (whether tree-sitter-bash reads a heredoc depends on its line, and blank
        bodies parse in linear time), "body" keeps nothing but the kept body."""
        out = []
        last = 0
        for index, (start, end) in enumerate(operators):
            operator = line[start:end]
            out += [line[last:start], operator if index == keep else _inert_redirect(operator)]
            last = end
        out.append(line[last:])
        if form == "body":
            out = [_blank("".join(out))]
        for index, heredoc in enumerate(heredocs):
            content = _unix(heredoc.content)
            if index != keep:
                content, name = _blank(content), _blank(heredoc.name)
            elif form == "skeleton":
                content, name = _blank(content), heredoc.name
            elif form == "body":
                name = _blank(heredoc.name)
            else:
                name = heredoc.name
            out += ["\n", content, name]
        return "".join(out)

    if len(heredocs) > _MAX_HEREDOC_VARIANTS:
        return (variant(None),)
    readable = [
        reads_heredocs_after_first_line(variant(i, "skeleton")) for i in range(len(heredocs))
    ]
    if readable == [True]:
        return ()
    data_only = variant(None)
    kept: list[str] = []
    for index, (start, _) in enumerate(operators):
        if readable[index]:
            kept.append(variant(index))
        elif is_shell(program_redirected_at(data_only, start) or ""):
            kept.append(variant(index, "body"))
    return (data_only, *kept)


def _blank(text: str) -> str:
    """``text`` with every character but newlines turned into a space."""
    return _NOT_NEWLINE.sub(" ", text)


def _heredoc_operators(line: str, heredocs: Sequence[ast.Heredoc]) -> list[tuple[int, int]] | None:
    """Where each heredoc's operator (``<<EOF``, ``3<<-"EOF"``) is in the line, in order."""
    spans = []
    position = 0
    for heredoc in heredocs:
        name = re.escape(heredoc.name)
        dash = "-" if heredoc.chomp else ""
        operator = re.compile(
            rf"(?<![0-9<])[0-9]*<<{dash}[ \t]*(?:\"{name}\"|'{name}'|\\?{name})(?![^\s;&|()<>])"
        )
        match = operator.search(line, position)
        if match is None:
            return None
        spans.append(match.span())
        position = match.end()
    return spans


def _inert_redirect(operator: str) -> str:
    """What stands for a blanked heredoc operator: as long, and as much standard input (a
    file redirect for fd 0, which overrides an earlier heredoc as it would; spaces for
    another fd)."""
    digits = operator[: len(operator) - len(operator.lstrip("0123456789"))]
    if digits and int(digits) != 0:
        return " " * len(operator)
    return digits + "<" + "_" * (len(operator) - len(digits) - 1)


def shell_program(shell: ast.Shell) -> str | None:
    """The program a SHELL instruction names (looking through ``env`` and ``busybox``)."""
    command = shell.command
    if not isinstance(command, ast.ExecCommand):
        return None
    for word in command.args:
        name = word.replace("\\", "/").rsplit("/", 1)[-1]
        if name.lower().endswith(".exe"):
            name = name[:-4]
        if name in _MULTI_CALL or word.startswith("-") or "=" in word:
            continue
        return name
    return None


def is_posix_shell(shell: ast.Shell) -> bool:
    """Whether a SHELL instruction's program is a POSIX shell (``bash``, ``/bin/sh``, ...)."""
    program = shell_program(shell)
    return program is not None and is_shell(program)


def shebang_interpreter(body: str) -> str | None:
    """The program a ``#!`` line runs (looking through ``env [-S] [VAR=x]``), or None."""
    if not body.startswith("#!"):
        return None
    words = body[2:].split("\n", 1)[0].split()
    if not words:
        return None
    program, rest = words[0], words[1:]
    if program.rsplit("/", 1)[-1] == "env":
        for word in rest:
            if not word.startswith("-") and "=" not in word:
                return word
        return program
    return program


def _chomped(heredoc: ast.Heredoc) -> str:
    if not heredoc.chomp:
        return heredoc.content
    return "".join(line.lstrip("\t") for line in heredoc.content.splitlines(keepends=True))


def _unix(text: str) -> str:
    """CR LF as space LF: the same length, and the shell sees no stray carriage returns."""
    return text.replace("\r\n", " \n")


def _heredoc_segments(heredoc: ast.Heredoc, offset: int) -> tuple[Segment, ...]:
    span = node_span(heredoc)
    if span is None or not heredoc.content:
        return ()
    return ((offset, span.start, len(heredoc.content)),)


def _logical_start(command: ast.Node, line: LogicalLine | None) -> tuple[int, int] | None:
    """Where a command's text starts and ends in the logical line, if the line is known."""
    span = node_span(command)
    if line is None or span is None:
        return None
    for logical, source, length in line.segments:
        if source <= span.start < source + length:
            start = logical + span.start - source
            break
    else:
        return None
    for logical, source, length in reversed(line.segments):
        if source < span.end <= source + length:
            return start, logical + span.end - source
    return None


def _logical_segments(command: ast.ShellCommand, line: LogicalLine | None) -> tuple[Segment, ...]:
    bounds = _logical_start(command, line)
    if bounds is None or line is None:
        return ()
    start, end = bounds
    if line.text[start:end] != command.text:
        return ()
    found = []
    for logical, source, length in line.segments:
        low, high = max(logical, start), min(logical + length, end)
        if low < high:
            found.append((low - start, source + low - logical, high - low))
    return tuple(found)


def _exec_script(
    command: ast.ExecCommand, line: LogicalLine | None
) -> tuple[str, tuple[Segment, ...]]:
    """The argv as a shell command line of quoted words, and the source of each character."""
    words: list[str] = []
    chars: list[tuple[int, int]] = []  # (script offset, source offset) of mapped characters
    literals = list(_json_literals(command, line))
    exact = line is not None and len(literals) == len(command.args)
    offset = 0
    for index, value in enumerate(command.args):
        if words:
            offset += 1
        quoted, positions = _quote(value)
        if exact and line is not None:
            literal_start, raw = literals[index]
            decoded = _decode_positions(raw)
            if len(decoded) == len(value):
                for char_index, quoted_index in enumerate(positions):
                    logical = literal_start + decoded[char_index]
                    chars.append((offset + quoted_index, line.source_start(logical)))
        words.append(quoted)
        offset += len(quoted)
    return " ".join(words), _merge(chars)


def _json_literals(command: ast.ExecCommand, line: LogicalLine | None) -> Iterator[tuple[int, str]]:
    """``(logical offset, literal text)`` of each JSON string of an exec-form command."""
    bounds = _logical_start(command, line)
    if bounds is None or line is None:
        return
    start, end = bounds
    for match in _JSON_STRING.finditer(line.text, start, end):
        yield match.start(), match.group()


def _decode_positions(literal: str) -> list[int]:
    """For each character of a JSON string literal's value, its offset in the literal."""
    try:
        value = json.loads(literal)
    except ValueError:
        return []
    positions = []
    index = 1
    end = len(literal) - 1
    while index < end:
        positions.append(index)
        if literal[index] != "\\":
            index += 1
        elif literal[index + 1] != "u":
            index += 2
        else:
            code = int(literal[index + 2 : index + 6], 16)
            index += 6
            # A surrogate pair decodes to one character.
            if 0xD800 <= code < 0xDC00 and literal[index : index + 2] == "\\u":
                index += 6
    return positions if len(positions) == len(value) else []


def _quote(value: str) -> tuple[str, list[int]]:
    """``value`` as one shell word, and where each of its characters went."""
    if _SAFE_WORD.fullmatch(value):
        return value, list(range(len(value)))
    out = ["'"]
    positions = []
    length = 1
    for char in value:
        if char == "'":
            out.append("'\"'\"'")
            positions.append(length + 2)
            length += 5
        else:
            out.append(char)
            positions.append(length)
            length += 1
    out.append("'")
    return "".join(out), positions


def _merge(chars: list[tuple[int, int]]) -> tuple[Segment, ...]:
    segments: list[Segment] = []
    for script, source in chars:
        if segments:
            last_script, last_source, length = segments[-1]
            if script == last_script + length and source == last_source + length:
                segments[-1] = (last_script, last_source, length + 1)
                continue
        segments.append((script, source, 1))
    return tuple(segments)
