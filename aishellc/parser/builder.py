"""From pre-lexed lines and the grammar's parse to the AST, with BuildKit's checks."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from typing import Any, NoReturn, cast

from aishellc import ast
from aishellc.errors import Location, UserError
from aishellc.parser import buildkit_words as bw
from aishellc.parser.grammar import (
    Token,
    UnexpectedCharacters,
    UnexpectedInput,
    UnexpectedToken,
    parser_for,
)
from aishellc.parser.prelex import LogicalLine, TriviaLine

_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_INSTRUCTION_NAMES = tuple(sorted(ast.INSTRUCTION_TYPES))
_TRIGGER_FORBIDDEN = frozenset({"ONBUILD", "FROM", "MAINTAINER"})
_SEPARATORS = "\t\x0b\x0c\r "

Raw = tuple[str, list[Any]]


class _Line:
    """A logical line as the grammar saw it: trimmed, at ``base`` in the batch text."""

    __slots__ = ("base", "lead", "line")

    def __init__(self, line: LogicalLine, base: int, lead: int) -> None:
        self.line = line
        self.base = base
        self.lead = lead


class Builder:
    """Builds the AST of one document; raises UserError where BuildKit rejects the file."""

    def __init__(self, path: str, source: ast.SourceMap, escape: str) -> None:
        self.path = path
        self.source = source
        self.escape = escape
        self.current: _Line | None = None
        self.batch = ""

    # -- positions -------------------------------------------------------------------------

    def source_of(self, batch_pos: int) -> int:
        """The source offset of a position in the batch text (a start position)."""
        cur = self.current
        assert cur is not None
        return cur.line.source_start(batch_pos - cur.base + cur.lead)

    def start_of(self, token: Token) -> int:
        return self.source_of(_start(token))

    def end_of(self, token: Token) -> int:
        cur = self.current
        assert cur is not None
        return cur.line.source_end(_end(token) - cur.base + cur.lead)

    def span(self, start: int, end: int) -> ast.Span:
        return ast.Span(start, end, self.source)

    def token_span(self, token: Token) -> ast.Span:
        return self.span(self.start_of(token), self.end_of(token))

    def fail(self, message: str, offset: int, help: str | None = None) -> NoReturn:
        line, column = self.source.line_col(offset)
        raise UserError(message, Location(self.path, line, column), help=help)

    def fail_at(self, token: Token, message: str, help: str | None = None) -> NoReturn:
        self.fail(message, self.start_of(token), help)

    # -- the document ----------------------------------------------------------------------

    def build(
        self, items: Sequence[TriviaLine | LogicalLine], pending: UserError | None
    ) -> list[ast.Item]:
        lines: list[_Line] = []
        pieces: list[str] = []
        base = 0
        for item in items:
            if isinstance(item, LogicalLine):
                text = item.text
                trimmed = bw.trim_space(text)
                lead = len(text) - len(text.lstrip(bw.GO_SPACE))
                if not trimmed:
                    self.fail(
                        "a line continuation leads to an empty instruction",
                        item.segments[0][1],
                        help="remove the trailing escape character or add the instruction",
                    )
                lines.append(_Line(item, base, lead))
                pieces.append(trimmed)
                base += len(trimmed) + 1
        batch = self.batch = "\n".join(pieces) + "\n" if pieces else ""
        try:
            raws: list[Raw] = cast(list[Raw], parser_for(self.escape).parse(batch)) if batch else []
        except UnexpectedInput as exc:
            self.grammar_error(exc, items, lines, batch)
        result = self.items(items, lines, raws)
        if pending is not None:
            raise pending
        if not lines:
            self.fail(
                "file with no instructions",
                len(self.source.text),
                help="a Dockerfile needs at least a FROM instruction",
            )
        return result

    def items(
        self, items: Sequence[TriviaLine | LogicalLine], lines: list[_Line], raws: list[Raw]
    ) -> list[ast.Item]:
        result: list[ast.Item] = []
        index = 0
        for item in items:
            if isinstance(item, TriviaLine):
                result.append(self.trivia(item))
                continue
            if index == len(raws):
                break
            self.current = lines[index]
            result.append(self.instruction(raws[index], item.start, item.end, item.eol))
            index += 1
        return result

    def trivia(self, item: TriviaLine) -> ast.Item:
        span = self.span(item.start, item.end)
        if item.kind == "directive":
            return ast.Directive(item.name, item.value, span=span, eol=item.eol)
        text = self.source.text[item.start : item.end]
        if item.kind == "comment":
            return ast.Comment(text, span=span, eol=item.eol)
        return ast.BlankLine(text, span=span, eol=item.eol)

    def grammar_error(
        self,
        exc: UnexpectedInput,
        items: Sequence[TriviaLine | LogicalLine],
        lines: list[_Line],
        batch: str,
    ) -> NoReturn:
        if isinstance(exc, UnexpectedToken) and exc.token.type != "$END":
            pos = exc.token.start_pos
        elif isinstance(exc, UnexpectedCharacters):
            pos = exc.pos_in_stream
        else:
            pos = len(batch) - 1
        index = bisect.bisect_right([line.base for line in lines], pos) - 1
        if index > 0:
            # BuildKit stops at the first bad instruction: report an earlier one first.
            earlier = cast(list[Raw], parser_for(self.escape).parse(batch[: lines[index].base]))
            self.items(items, lines, earlier)
        self.current = cur = lines[index]
        end = batch.find("\n", cur.base)
        trimmed = batch[cur.base : end]
        keyword = bw.WHITESPACE.split(trimmed, maxsplit=1)[0].upper()
        offset = cur.line.source_start(pos - cur.base + cur.lead)
        message, hint = _grammar_message(keyword, trimmed, self.escape)
        self.fail(message, offset, hint)

    # -- instructions ----------------------------------------------------------------------

    def instruction(self, raw: Raw, start: int, end: int, eol: str | None) -> ast.Instruction:
        rule, children = raw
        keyword = children[0]
        builder = _BUILDERS.get(rule)
        if builder is None:
            import difflib  # for this message only: not imported by every run

            name = str(keyword)
            close = difflib.get_close_matches(name.upper(), _INSTRUCTION_NAMES, n=1)
            hint = f"did you mean {close[0]}?" if close else None
            self.fail_at(keyword, f"unknown instruction: {name}", help=hint)
        flags: list[ast.Flag] = []
        args: list[Any] = []
        for child in children[1:]:
            if isinstance(child, Token) and child.type == "FLAG":
                flags.append(self.flag(child))
            elif not (isinstance(child, Token) and child.type == "END_OF_FLAGS"):
                args.append(child)
        node = builder(self, str(keyword), tuple(flags), args, keyword)
        return _with_position(node, self.span(start, end), eol)

    def flag(self, token: Token) -> ast.Flag:
        raw = token.value.lstrip(_SEPARATORS)
        start = self.source_of(_start(token) + len(token.value) - len(raw))
        _, words = bw.extract_builder_flags(raw, self.escape)
        text = words[0] if words else raw
        name, sep, value = text[2:].partition("=")
        return ast.Flag(
            raw, name, value if sep else None, span=self.span(start, self.end_of(token))
        )

    def word(self, token: Token) -> ast.Word:
        return ast.Word(str(token), span=self.token_span(token))

    def command(self, token: Token) -> ast.Command:
        span = self.token_span(token)
        text = str(token)
        if token.type == "JSON_ARRAY":
            args = bw.parse_json_array(text)
            assert args is not None
            return ast.ExecCommand(tuple(args), span=span)
        if text.startswith("["):
            try:
                args = bw.parse_json_array(text)
            except bw.NotStringArrayError as exc:
                self.fail_at(token, str(exc), help='write the command as ["program", "arg", ...]')
            if args is not None:
                return ast.ExecCommand(tuple(args), span=span)
        return ast.ShellCommand(text, span=span)

    def json_words(self, token: Token) -> tuple[ast.Word, ...]:
        values = bw.parse_json_array(str(token))
        assert values is not None
        base = self.start_of(token)
        words = []
        for value, match in zip(values, _JSON_STRING.finditer(str(token)), strict=True):
            span = self.span(base + match.start(), base + match.end())
            words.append(ast.Word(value, span=span))
        return tuple(words)

    def fields(self, args: list[Any]) -> tuple[tuple[ast.Word, ...], bool]:
        """COPY/ADD/VOLUME paths: JSON array words, or whitespace-separated words."""
        if len(args) == 1 and args[0].type == "JSON_ARRAY":
            return self.json_words(args[0]), True
        tokens: list[Token] = args
        if tokens and str(tokens[0]).startswith("["):
            # BuildKit tries the whole argument text as JSON first.
            start = _start(tokens[0])
            try:
                bw.parse_json_array(self.batch[start : self.batch.find("\n", start)])
            except bw.NotStringArrayError as exc:
                self.fail_at(tokens[0], str(exc), help='write the paths as ["src", "dest"]')
        return tuple(self.word(token) for token in tokens), False


def _start(token: Token) -> int:
    return cast(int, token.start_pos)


def _end(token: Token) -> int:
    return cast(int, token.end_pos)


def _with_position(node: ast.Instruction, span: ast.Span, eol: str | None) -> ast.Instruction:
    object.__setattr__(node, "span", span)
    object.__setattr__(node, "eol", eol)
    return node


def _grammar_message(keyword: str, line: str, escape: str) -> tuple[str, str | None]:
    """BuildKit's message (and a hint) for a line the grammar could not parse."""
    _, _, args = bw.split_command(line, escape)
    if keyword == "FROM":
        return (
            "FROM requires either one or three arguments",
            "write FROM [--platform=...] image [AS name]",
        )
    if keyword in ("ENV", "LABEL"):
        for word in bw.parse_words(args, escape):
            if "=" not in word:
                return (
                    f'Syntax error - can\'t find = in "{word}". Must be of the form: name=value',
                    'quote values that contain spaces: KEY="a b"',
                )
    if keyword == "HEALTHCHECK":
        return "HEALTHCHECK NONE takes no arguments", None
    return f"cannot parse the arguments of {keyword}", None


# -- per-instruction builders ---------------------------------------------------------------

Build = Callable[[Builder, str, tuple[ast.Flag, ...], list[Any], Token], ast.Instruction]


def _from(
    b: Builder, kw: str, flags: tuple[ast.Flag, ...], args: list[Any], tok: Token
) -> ast.From:
    if not args:
        b.fail_at(tok, "FROM requires either one or three arguments", "write FROM image [AS name]")
    image_token = args[0]
    image = ast.ImageRef(str(image_token), span=b.token_span(image_token))
    if len(args) == 1:
        return ast.From(kw, flags, image)
    as_token, name_token = args[1], args[2]
    return ast.From(kw, flags, image, b.word(as_token), b.word(name_token))


def _command_instruction(
    cls: type[ast.Run] | type[ast.Cmd] | type[ast.Entrypoint] | type[ast.Shell],
) -> Build:
    def build(
        b: Builder, kw: str, flags: tuple[ast.Flag, ...], args: list[Any], tok: Token
    ) -> ast.Instruction:
        command = b.command(args[0]) if args else None
        if cls is ast.Shell and command is not None and not isinstance(command, ast.ExecCommand):
            b.fail_at(
                tok,
                "SHELL requires the arguments to be in JSON form",
                help='write SHELL ["/bin/bash", "-c"]',
            )
        return cls(kw, flags, command=command, heredocs=_heredocs(b))

    return build


def _heredocs(b: Builder) -> tuple[ast.Heredoc, ...]:
    cur = b.current
    assert cur is not None
    return tuple(
        ast.Heredoc(
            body.name,
            body.content,
            body.file_descriptor,
            body.expand,
            body.chomp,
            span=b.span(body.start, body.end),
        )
        for body in cur.line.heredocs
    )


def _pairs_instruction(cls: type[ast.Env] | type[ast.Label]) -> Build:
    def build(
        b: Builder, kw: str, flags: tuple[ast.Flag, ...], args: list[Any], tok: Token
    ) -> ast.Instruction:
        if args and args[0].type == "FIELD":
            # The legacy form: the first word has no `=`, the rest of the line is the value.
            key_token = args[0]
            if len(args) < 2:
                b.fail_at(
                    key_token,
                    f"{cls.NAME} must have two arguments",
                    help=f"write {cls.NAME} {key_token}=value",
                )
            value_token = args[1]
            span = b.span(b.start_of(key_token), b.end_of(value_token))
            legacy = ast.KeyValue(str(key_token), str(value_token), True, span=span)
            return cls(kw, flags, (legacy,))
        pairs: list[ast.KeyValue] = []
        for token in args:
            text = str(token)
            if b.escape in text:
                words = bw.parse_words(text, b.escape)
                text = words[0] if words else ""
            key, _, value = text.partition("=")
            pairs.append(ast.KeyValue(key, value, span=b.token_span(token)))
        return cls(kw, flags, tuple(pairs))

    return build


def _arg(b: Builder, kw: str, flags: tuple[ast.Flag, ...], args: list[Any], tok: Token) -> ast.Arg:
    decls = []
    for token in args:
        text = str(token)
        if b.escape in text:
            words = bw.parse_words(text, b.escape)
            text = words[0] if words else ""
        name, sep, default = text.partition("=")
        decls.append(ast.ArgDecl(name, default if sep else None, span=b.token_span(token)))
    return ast.Arg(kw, flags, tuple(decls))


def _file_instruction(cls: type[ast.Copy] | type[ast.Add]) -> Build:
    def build(
        b: Builder, kw: str, flags: tuple[ast.Flag, ...], args: list[Any], tok: Token
    ) -> ast.Instruction:
        paths, json = b.fields(args)
        heredocs = () if json else _heredocs(b)
        return cls(kw, flags, paths, json, heredocs)

    return build


def _volume(
    b: Builder, kw: str, flags: tuple[ast.Flag, ...], args: list[Any], tok: Token
) -> ast.Volume:
    paths, json = b.fields(args)
    return ast.Volume(kw, flags, paths, json)


def _expose(
    b: Builder, kw: str, flags: tuple[ast.Flag, ...], args: list[Any], tok: Token
) -> ast.Expose:
    return ast.Expose(kw, flags, tuple(b.word(token) for token in args))


def _string_instruction(
    cls: type[ast.User] | type[ast.Workdir] | type[ast.StopSignal] | type[ast.Maintainer],
) -> Build:
    def build(
        b: Builder, kw: str, flags: tuple[ast.Flag, ...], args: list[Any], tok: Token
    ) -> ast.Instruction:
        value = b.word(args[0]) if args else None
        return cls(kw, flags, value)

    return build


def _healthcheck(
    b: Builder, kw: str, flags: tuple[ast.Flag, ...], args: list[Any], tok: Token
) -> ast.Healthcheck:
    if not args:
        return ast.Healthcheck(kw, flags)
    kind_token, *rest = args
    kind = b.word(kind_token)
    if kind_token.type == "NONE":
        if rest:
            b.fail_at(rest[0], "HEALTHCHECK NONE takes no arguments")
        return ast.Healthcheck(kw, flags, kind)
    # CMD takes a command; BuildKit's parser keeps any other type word with the rest as text.
    command = b.command(rest[0]) if rest else None
    return ast.Healthcheck(kw, flags, kind, command)


def _onbuild(
    b: Builder, kw: str, flags: tuple[ast.Flag, ...], args: list[Any], tok: Token
) -> ast.Onbuild:
    if not args:
        return ast.Onbuild(kw, flags)
    raw = args[0]
    trigger_keyword = raw[1][0]
    name = str(trigger_keyword).upper()
    if name == "ONBUILD":
        b.fail_at(trigger_keyword, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed")
    if name in _TRIGGER_FORBIDDEN:
        b.fail_at(trigger_keyword, f"{name} isn't allowed as an ONBUILD trigger")
    cur = b.current
    assert cur is not None
    start = b.start_of(trigger_keyword)
    trigger = b.instruction(raw, start, cur.line.end, None)
    return ast.Onbuild(kw, flags, trigger)


_BUILDERS: dict[str, Build] = {
    "from_instr": _from,
    "run_instr": _command_instruction(ast.Run),
    "cmd_instr": _command_instruction(ast.Cmd),
    "entrypoint_instr": _command_instruction(ast.Entrypoint),
    "shell_instr": _command_instruction(ast.Shell),
    "env_instr": _pairs_instruction(ast.Env),
    "label_instr": _pairs_instruction(ast.Label),
    "arg_instr": _arg,
    "copy_instr": _file_instruction(ast.Copy),
    "add_instr": _file_instruction(ast.Add),
    "expose_instr": _expose,
    "volume_instr": _volume,
    "user_instr": _string_instruction(ast.User),
    "workdir_instr": _string_instruction(ast.Workdir),
    "stopsignal_instr": _string_instruction(ast.StopSignal),
    "maintainer_instr": _string_instruction(ast.Maintainer),
    "healthcheck_instr": _healthcheck,
    "onbuild_instr": _onbuild,
}
