"""The Dockerfile AST: frozen attrs nodes with source spans.

Every character of the input has exactly one owner:

- the :class:`Document` owns the byte-order mark and the newline style used for new nodes;
- each top-level item (:class:`Directive`, :class:`Comment`, :class:`BlankLine` or an
  instruction) owns its own text, from its first character to the end of its last physical
  line, including continuation lines, comment and blank lines inside continuations and
  heredoc bodies; ``eol`` is the line terminator that follows it (``""`` at end of file
  without a final newline).

Nodes made by the parser carry a :class:`Span`. A node changed with :func:`replace` has no
span but remembers the node it replaces, so the printer can keep the original text of
everything around the change (see :mod:`aishellc.emit.printer`).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import attrs

if TYPE_CHECKING:
    from aishellc.parser.prelex import LogicalLine

Form = Literal["shell", "exec"]


class SourceMap:
    """Turns character offsets into 1-based lines and columns and UTF-8 byte offsets."""

    __slots__ = ("_ascii", "_bom", "_line_starts", "text")

    def __init__(self, text: str, *, bom: bool = False) -> None:
        self.text = text
        self._bom = 3 if bom else 0
        self._ascii = text.isascii()
        starts = [0]
        find = text.find
        pos = find("\n")
        while pos >= 0:
            starts.append(pos + 1)
            pos = find("\n", pos + 1)
        self._line_starts = starts

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column (in characters) of a character offset."""
        index = bisect.bisect_right(self._line_starts, offset) - 1
        return index + 1, offset - self._line_starts[index] + 1

    def byte_offset(self, offset: int) -> int:
        """Offset in the original file's bytes (BOM included) of a character offset."""
        if self._ascii:
            return offset + self._bom
        return len(self.text[:offset].encode("utf-8")) + self._bom

    def line_text(self, line: int) -> str:
        """The text of a 1-based line without its terminator."""
        start = self._line_starts[line - 1]
        end = self._line_starts[line] if line < len(self._line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    @property
    def line_count(self) -> int:
        return len(self._line_starts)


@attrs.frozen(eq=False, repr=False)
class Span:
    """Where a node came from: character offsets into the document text, plus positions."""

    start: int
    end: int
    source: SourceMap

    @property
    def line(self) -> int:
        return self.source.line_col(self.start)[0]

    @property
    def column(self) -> int:
        return self.source.line_col(self.start)[1]

    @property
    def end_line(self) -> int:
        return self.source.line_col(self.end)[0]

    @property
    def end_column(self) -> int:
        return self.source.line_col(self.end)[1]

    @property
    def start_byte(self) -> int:
        return self.source.byte_offset(self.start)

    @property
    def end_byte(self) -> int:
        return self.source.byte_offset(self.end)

    @property
    def text(self) -> str:
        return self.source.text[self.start : self.end]

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Span)
            and (self.start, self.end) == (other.start, other.end)
            and self.source is other.source
        )

    def __hash__(self) -> int:
        return hash((self.start, self.end))

    def __repr__(self) -> str:
        return f"Span({self.line}:{self.column}-{self.end_line}:{self.end_column})"


@attrs.frozen
class Node:
    """Base of all nodes. ``span`` and ``original`` are metadata, not part of equality."""

    span: Span | None = attrs.field(default=None, eq=False, repr=False, kw_only=True)
    original: Node | None = attrs.field(default=None, eq=False, repr=False, kw_only=True)

    def children(self) -> Iterator[Node]:
        """Direct child nodes in source order."""
        for field in attrs.fields(type(self)):
            if field.name in ("span", "original"):
                continue
            value = getattr(self, field.name)
            if isinstance(value, Node):
                yield value
            elif isinstance(value, tuple):
                for item in value:
                    if isinstance(item, Node):
                        yield item


N = TypeVar("N", bound=Node)


def replace(node: N, **changes: Any) -> N:
    """A copy of ``node`` with ``changes``; it prints canonically where it differs.

    The copy keeps a reference to the parsed node it stands for, so the printer can reuse
    the original text around the changed children (comments, continuation layout).
    """
    original = node if node.span is not None else node.original
    return attrs.evolve(node, span=None, original=original, **changes)


# --- leaves -------------------------------------------------------------------------------


@attrs.frozen
class Word(Node):
    """A whitespace-delimited argument, exactly as written (quotes and escapes kept)."""

    value: str


@attrs.frozen
class Flag(Node):
    """A ``--name[=value]`` builder flag; ``name``/``value`` are BuildKit's processed text."""

    raw: str
    name: str
    value: str | None

    @property
    def text(self) -> str:
        """The flag as BuildKit reports it (``--name=value``)."""
        return f"--{self.name}" if self.value is None else f"--{self.name}={self.value}"


@attrs.frozen
class ImageRef(Node):
    """The image a FROM names, as written (it may contain ``$VAR`` references)."""

    value: str

    @property
    def parts(self) -> tuple[str, str | None, str | None]:
        """``(name, tag, digest)`` split as Docker's reference grammar does."""
        return split_image_reference(self.value)

    @property
    def name(self) -> str:
        return self.parts[0]

    @property
    def tag(self) -> str | None:
        return self.parts[1]

    @property
    def digest(self) -> str | None:
        return self.parts[2]


def split_image_reference(ref: str) -> tuple[str, str | None, str | None]:
    """Split ``[registry/]name[:tag][@digest]`` into name, tag and digest."""
    name, _, digest = ref.partition("@")
    tag: str | None = None
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        name, tag = name[:colon], name[colon + 1 :]
    return name, tag, digest or None


@attrs.frozen
class ShellCommand(Node):
    """A command in shell form: the logical text after the flags, as BuildKit keeps it."""

    text: str


@attrs.frozen
class ExecCommand(Node):
    """A command in exec (JSON array) form."""

    args: tuple[str, ...]


Command = ShellCommand | ExecCommand


@attrs.frozen
class KeyValue(Node):
    """One ``key=value`` of ENV/LABEL (value kept as written) or the legacy ``key value``."""

    key: str
    value: str
    legacy: bool = False


@attrs.frozen
class ArgDecl(Node):
    """One declaration of an ARG: ``name`` or ``name=default`` (default kept as written)."""

    name: str
    default: str | None


@attrs.frozen
class Heredoc(Node):
    """A heredoc body attached to RUN/COPY/ADD; ``content`` is the raw body lines."""

    name: str
    content: str
    file_descriptor: int = 0
    expand: bool = True
    chomp: bool = False


# --- top-level items ----------------------------------------------------------------------


@attrs.frozen
class Item(Node):
    """A top-level line item.

    ``eol`` is the terminator after it as written ("" at the end of a file without a final
    newline); None, for new items, means the document's newline style.
    """

    eol: str | None = attrs.field(default=None, kw_only=True)


@attrs.frozen
class Directive(Item):
    """A parser directive (``# escape=``, ``# syntax=``, ``# check=``)."""

    name: str
    value: str


@attrs.frozen
class Comment(Item):
    """A comment line, ``#`` and leading whitespace included."""

    text: str


@attrs.frozen
class BlankLine(Item):
    """An empty or whitespace-only line."""

    text: str = ""


@attrs.frozen
class Instruction(Item):
    """Base of instructions: the keyword as written and the builder flags."""

    keyword: str
    flags: tuple[Flag, ...] = ()

    NAME = ""

    def flag(self, name: str) -> Flag | None:
        """The last flag with this name (BuildKit lets a later flag win)."""
        found = None
        for flag in self.flags:
            if flag.name == name:
                found = flag
        return found


@attrs.frozen
class From(Instruction):
    NAME = "FROM"
    image: ImageRef | None = None
    as_keyword: Word | None = None
    stage: Word | None = None

    @property
    def platform(self) -> str | None:
        flag = self.flag("platform")
        return flag.value if flag else None

    @property
    def stage_name(self) -> str | None:
        return self.stage.value if self.stage else None


@attrs.frozen
class _CommandInstruction(Instruction):
    command: Command | None = None
    heredocs: tuple[Heredoc, ...] = ()

    @property
    def form(self) -> Form | None:
        if self.command is None:
            return None
        return "exec" if isinstance(self.command, ExecCommand) else "shell"


@attrs.frozen
class Run(_CommandInstruction):
    NAME = "RUN"


@attrs.frozen
class Cmd(_CommandInstruction):
    NAME = "CMD"


@attrs.frozen
class Entrypoint(_CommandInstruction):
    NAME = "ENTRYPOINT"


@attrs.frozen
class Shell(_CommandInstruction):
    NAME = "SHELL"


@attrs.frozen
class Env(Instruction):
    NAME = "ENV"
    pairs: tuple[KeyValue, ...] = ()


@attrs.frozen
class Label(Instruction):
    NAME = "LABEL"
    pairs: tuple[KeyValue, ...] = ()


@attrs.frozen
class Arg(Instruction):
    NAME = "ARG"
    args: tuple[ArgDecl, ...] = ()


@attrs.frozen
class _FileInstruction(Instruction):
    """COPY/ADD: sources then destination, in shell (words) or exec (JSON) form."""

    paths: tuple[Word, ...] = ()
    json: bool = False
    heredocs: tuple[Heredoc, ...] = ()

    @property
    def sources(self) -> tuple[Word, ...]:
        return self.paths[:-1]

    @property
    def destination(self) -> Word | None:
        return self.paths[-1] if self.paths else None


@attrs.frozen
class Copy(_FileInstruction):
    NAME = "COPY"


@attrs.frozen
class Add(_FileInstruction):
    NAME = "ADD"


@attrs.frozen
class Expose(Instruction):
    NAME = "EXPOSE"
    ports: tuple[Word, ...] = ()


@attrs.frozen
class Volume(Instruction):
    NAME = "VOLUME"
    paths: tuple[Word, ...] = ()
    json: bool = False


@attrs.frozen
class _StringInstruction(Instruction):
    """Instructions whose argument is the rest of the line (BuildKit's parseString)."""

    value: Word | None = None


@attrs.frozen
class User(_StringInstruction):
    NAME = "USER"


@attrs.frozen
class Workdir(_StringInstruction):
    NAME = "WORKDIR"


@attrs.frozen
class StopSignal(_StringInstruction):
    NAME = "STOPSIGNAL"


@attrs.frozen
class Maintainer(_StringInstruction):
    NAME = "MAINTAINER"


@attrs.frozen
class Healthcheck(Instruction):
    """``HEALTHCHECK NONE`` (``kind`` NONE, no command) or ``HEALTHCHECK [flags] CMD ...``."""

    NAME = "HEALTHCHECK"
    kind: Word | None = None
    command: Command | None = None

    @property
    def form(self) -> Form | None:
        if self.command is None:
            return None
        return "exec" if isinstance(self.command, ExecCommand) else "shell"


@attrs.frozen
class Onbuild(Instruction):
    NAME = "ONBUILD"
    trigger: Instruction | None = None


INSTRUCTION_TYPES: dict[str, type[Instruction]] = {
    cls.NAME: cls
    for cls in (
        From,
        Run,
        Cmd,
        Entrypoint,
        Shell,
        Env,
        Label,
        Arg,
        Copy,
        Add,
        Expose,
        Volume,
        User,
        Workdir,
        StopSignal,
        Maintainer,
        Healthcheck,
        Onbuild,
    )
}


@attrs.frozen
class Document(Node):
    """A whole Dockerfile."""

    items: tuple[Item, ...]
    escape: str = "\\"
    newline: str = "\n"
    bom: bool = False
    source: SourceMap | None = attrs.field(default=None, eq=False, repr=False, kw_only=True)
    # The parser's logical lines (BuildKit's joined instruction lines, with where each part
    # came from), for passes that map instruction text back to the source.
    logical_lines: tuple[LogicalLine, ...] = attrs.field(
        default=(), eq=False, repr=False, kw_only=True
    )

    @property
    def instructions(self) -> tuple[Instruction, ...]:
        return tuple(item for item in self.items if isinstance(item, Instruction))

    @property
    def directives(self) -> tuple[Directive, ...]:
        return tuple(item for item in self.items if isinstance(item, Directive))
