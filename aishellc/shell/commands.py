"""Which programs does a piece of shell code run?

:func:`find_commands` parses a script once with tree-sitter-bash and walks the syntax tree
iteratively. Every simple command is reported as a :class:`CommandUse`, and so is every command
it runs on its behalf:

* wrappers (``sudo``, ``env``, ``xargs``, ``timeout``, ``find -exec``, ...) are looked through;
  see :mod:`aishellc.shell._wrappers` for the option syntax each one accepts;
* shell code handed to a shell as a string (``sh -c '...'``, ``eval``, ``su -c``, ``trap``) or
  on standard input (``bash <<EOF``, ``sh <<< '...'``, ``cat <<EOF | sh``) is parsed again, at
  most :data:`MAX_SCRIPT_DEPTH` levels deep, with offsets mapped back into the caller's script.

Function bodies are reported only when the function is called somewhere in the analysed code
(directly, through a wrapper, or from another function that is itself called).

Parts of the text that are only known at run time (``$VAR``, ``$(cmd)``) are replaced by a
placeholder before nested code is parsed again; the substitutions themselves run in the outer
shell and are reported from the outer tree.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

import attrs
from tree_sitter import Node

from aishellc.shell._command_nodes import (
    STDIN_REDIRECTS,
    effective_stdin,
    first_command,
    last_command,
)
from aishellc.shell._parser import bash_parser
from aishellc.shell._text import (
    HEREDOC_ESCAPES,
    PLACEHOLDER,
    OffsetMap,
    Segment,
    Source,
    TextBuilder,
    plain_word,
    render,
    render_children,
)
from aishellc.shell._units import parse_units
from aishellc.shell._wrappers import (
    POSIX_SHELLS,
    STDIN_CONSUMERS,
    ReadStdin,
    RunScript,
    RunWords,
    basename,
    wrapped,
)

MAX_SCRIPT_DEPTH = 32
"""How many levels of nested scripts (``sh -c "sh -c '...'"``) are parsed."""

# Nested scripts parsed for one call may total this many characters plus
# _NESTED_BUDGET_FACTOR times the script's length; deeper quoting is left unparsed.
_NESTED_BUDGET = 1 << 20
_NESTED_BUDGET_FACTOR = 2

# A word only known at run time is kept as written up to this many characters: nested
# substitutions (``echo $(echo $(echo ...))``) would otherwise copy the text of every inner
# level into every outer command, quadratic in the nesting depth.
_WRITTEN_MAX = 256

_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_BUILTIN_STATEMENTS = frozenset({"declaration_command", "unset_command"})


@attrs.frozen
class CommandUse:
    """One program that the analysed shell code runs."""

    name: str | None
    """Basename of the program, after looking through wrappers; None when it is not known
    before run time (``$CMD``, ``"$(which x)"``). A word whose directory is an expansion but
    whose last path component is literal (``"$HOME/.local/bin/claude"``) names that
    component."""
    argv: tuple[str, ...]
    """The words after the name: literal value (quotes removed, escapes applied) where the word
    is a literal, otherwise the word as written (its first 256 characters and "…" if it is
    longer)."""
    start: int
    """Character offset of the command word in the script passed to :func:`find_commands`."""
    end: int
    """End offset of the command word. For code nested in a string the range is exact where
    the string copies the code verbatim; a decoded escape or substitution maps to its whole
    source range."""
    wrappers: tuple[str, ...] = ()
    """What was looked through to reach this command, outermost first: wrapper names such as
    ``"sudo"``, ``"env"``, and labels for nested scripts such as ``"bash -c"``, ``"sh <<"``
    (heredoc), ``"sh <<<"`` (here-string), ``"eval"``, ``"trap"``, ``"su -c"``."""
    argv_spans: tuple[tuple[int, int], ...] = attrs.field(default=(), eq=False, repr=False)
    """``(start, end)`` in the script of each word of ``argv``, mapped as ``start``/``end``
    are, so that a diagnostic can point at an argument."""


@attrs.frozen
class _Context:
    wrappers: tuple[str, ...]
    functions: tuple[str, ...]  # enclosing function definitions, outermost first
    depth: int


@attrs.frozen
class _Feed:
    """A heredoc or here-string redirect (in the text ``src``) feeding a command's stdin."""

    src: Source
    redirect: Node


@attrs.frozen
class _Word:
    node: Node
    literal: str | None
    text: str  # argv form: the literal, or the word as written
    option_value: str | None  # what wrapper option parsing sees
    program: str | None  # basename of the program this word names, when known


def reads_heredocs_after_first_line(script: str) -> bool:
    """Whether tree-sitter-bash reads every line of ``script`` after the first as heredoc
    bodies (no statement starts after the first line).

    tree-sitter-bash 0.25 reads a heredoc only where its operator follows the command
    (``cat <<EOF``, not ``<<EOF cat``) and no other heredoc operator shares its line; otherwise
    the body lines come out as commands.
    """
    tree = bash_parser().parse(script.encode())
    return all(child.start_point.row == 0 for child in tree.root_node.named_children)


def program_redirected_at(script: str, offset: int) -> str | None:
    """The literal name of the simple command that has a redirect starting at character
    ``offset`` of ``script`` (``cat`` for the ``<f`` of ``<f cat``), or None."""
    data = script.encode()
    start = len(script[:offset].encode())
    tree = bash_parser().parse(data)
    node: Node | None = tree.root_node.descendant_for_byte_range(start, start + 1)
    while node is not None and node.type != "command":
        node = node.parent
    if node is None or not any(
        child.start_byte == start for child in node.children_by_field_name("redirect")
    ):
        return None
    name = node.child_by_field_name("name")
    return plain_word(Source(script, OffsetMap()), name) if name is not None else None


def find_commands(script: str, *, shells: frozenset[str] = POSIX_SHELLS) -> tuple[CommandUse, ...]:
    """Every command that ``script`` runs, in source order (see the module docstring).

    ``shells`` names the programs whose ``-c`` argument or standard input is shell code.
    Never raises on malformed input: what tree-sitter recognises is reported.
    """
    finder = _Finder(script, shells)
    finder.scan(script, OffsetMap(), _Context((), (), 0))
    return finder.result()


class _Finder:
    def __init__(self, script: str, shells: frozenset[str]) -> None:
        self.script = script
        self.shells = shells
        self.nested_budget = _NESTED_BUDGET + _NESTED_BUDGET_FACTOR * len(script)
        self.found: list[tuple[CommandUse, tuple[str, ...]]] = []

    def scan(
        self,
        text: str,
        offset_map: OffsetMap,
        ctx: _Context,
        *,
        head: bool = False,
        head_feeds: tuple[_Feed, ...] = (),
    ) -> None:
        """Parse ``text`` and report its commands.

        ``head``: the text starts with a synthetic ``:`` command that must not be reported; it
        stands for a ``cat`` whose heredocs are ``head_feeds``.
        """
        if ctx.depth:
            self.nested_budget -= len(text)
            if self.nested_budget < 0:
                return
        src = Source(text, offset_map)
        for start, end, tree in parse_units(src.data):
            if start == 0 and end == len(src.data):
                unit = src
            else:
                offset = src.char(start)
                unit_text = src.slice(start, end)
                segment = Segment(0, len(unit_text), offset, offset + len(unit_text), True)
                unit = Source(unit_text, OffsetMap((segment,), offset_map))
            # Only the first unit can start with the synthetic ":".
            first = start == 0
            walk = _Walk(self, unit, ctx, head and first, head_feeds if first else ())
            walk.run(tree.root_node)

    def result(self) -> tuple[CommandUse, ...]:
        """Found commands in source order, keeping function bodies only for called functions."""
        found = self.found
        missing = [len(set(functions)) for _, functions in found]
        waiting: dict[str, list[int]] = defaultdict(list)
        for index, (_, functions) in enumerate(found):
            for function in set(functions):
                waiting[function].append(index)
        ready = [index for index, count in enumerate(missing) if count == 0]
        live: set[str] = set()
        included: list[int] = []
        while ready:
            index = ready.pop()
            included.append(index)
            name = found[index][0].name
            if name is not None and name not in live:
                live.add(name)
                for other in waiting.pop(name, ()):
                    missing[other] -= 1
                    if missing[other] == 0:
                        ready.append(other)
        included.sort()
        uses = [found[index][0] for index in included]
        uses.sort(key=lambda use: use.start)
        return tuple(uses)


class _Walk:
    """One iterative pass over the tree of one parsed text."""

    def __init__(
        self,
        finder: _Finder,
        src: Source,
        ctx: _Context,
        head: bool,
        head_feeds: tuple[_Feed, ...],
    ) -> None:
        self.finder = finder
        self.src = src
        self.ctx = ctx
        self.head = head
        self.head_feeds = head_feeds
        # command node id -> heredoc / here-string redirects that feed its standard input
        self.stdin: dict[int, list[_Feed]] = {}
        # ids of heredoc redirects written on a bare `cat`
        self.cat_heredocs: set[int] = set()

    def run(self, root: Node) -> None:
        stack: list[tuple[Node, tuple[str, ...]]] = [(root, self.ctx.functions)]
        while stack:
            node, functions = stack.pop()
            kind = node.type
            children = node.named_children
            if kind == "command":
                self.command(node, functions)
            elif kind in _BUILTIN_STATEMENTS:
                self.builtin(node, functions)
            elif kind == "function_definition":
                name = node.child_by_field_name("name")
                if name is not None:
                    functions = (*functions, self.src.node_text(name))
            elif kind == "redirected_statement":
                self.attach_stdin(node)
            elif kind == "pipeline" and self.head_feeds:
                self.attach_head_feeds(node)
            elif kind == "heredoc_redirect" and self.heredoc_line_is_broken(children):
                self.reparse_heredoc_line(node, functions)
                children = [c for c in children if c.type == "heredoc_body"]
            stack.extend((child, functions) for child in reversed(children))

    # --- reporting -----------------------------------------------------------------------------

    def emit(
        self,
        name: str | None,
        argv: tuple[str, ...],
        node: Node,
        wrappers: tuple[str, ...],
        functions: tuple[str, ...],
        argv_nodes: Sequence[Node] = (),
    ) -> None:
        src = self.src
        local_start = src.char(node.start_byte)
        if self.head and local_start == 0 and name == ":":
            return
        start, end = src.map.span(local_start, src.char(node.end_byte))
        spans = tuple(src.span(arg.start_byte, arg.end_byte) for arg in argv_nodes)
        use = CommandUse(name, argv, start, end, wrappers, spans)
        self.finder.found.append((use, functions))

    def word(self, node: Node) -> _Word:
        src = self.src
        plain = plain_word(src, node)
        if plain is not None:
            return _Word(node, plain, plain, plain, basename(plain))
        out = TextBuilder()
        is_literal = render(src, node, out)
        value = out.text()
        if is_literal:
            return _Word(node, value, value, value, basename(value))
        # An assignment with a run-time value is still an assignment to env/sudo.
        option_value = value if _ASSIGNMENT.match(value) else None
        if self.ctx.depth:
            # Nested text has placeholders where the caller wrote expansions: show the
            # caller's text instead.
            start, end = src.span(node.start_byte, node.end_byte)
            written = _shortened(self.finder.script, start, end)
        else:
            written = _shortened(src.text, src.char(node.start_byte), src.char(node.end_byte))
        # "$PREFIX/bin/claude": the directory is unknown, the program is not.
        program = None
        if "/" in value:
            last = value.rstrip("/").rsplit("/", 1)[-1]
            if last and PLACEHOLDER not in last:
                program = last
        return _Word(node, None, written, option_value, program)

    def builtin(self, node: Node, functions: tuple[str, ...]) -> None:
        """``export``/``declare``/``local``/``readonly``/``typeset``/``unset`` statements."""
        keyword = node.children[0] if node.child_count else None
        if keyword is None or keyword.is_named:
            return
        argv = tuple(self.word(child).text for child in node.named_children)
        self.emit(self.src.node_text(keyword), argv, keyword, self.ctx.wrappers, functions)

    def command(self, node: Node, functions: tuple[str, ...]) -> None:
        name_node = node.child_by_field_name("name")
        if name_node is None:
            return
        arguments = node.children_by_field_name("argument")
        nodes = [name_node]
        for i, arg in enumerate(arguments):
            following = arguments[i + 1] if i + 1 < len(arguments) else None
            if (
                arg.type == "$"
                and following is not None
                and following.type == "string"
                and following.start_byte == arg.end_byte
            ):
                continue  # $"..." is split into "$" and a string by tree-sitter-bash
            nodes.append(arg)
        words = [self.word(n) for n in nodes]
        values = [w.option_value for w in words]
        stdin = [
            _Feed(self.src, child)
            for child in node.children_by_field_name("redirect")
            if child.type in STDIN_REDIRECTS
        ]
        stdin.extend(self.stdin.get(node.id, ()))

        work: list[tuple[int, int, tuple[str, ...], tuple[_Feed, ...]]] = [
            (0, len(words), self.ctx.wrappers, tuple(stdin))
        ]
        while work:
            index, end, chain, feeds = work.pop()
            word = words[index]
            name = word.program
            taken = words[index + 1 : end]
            argv = tuple(w.text for w in taken)
            argv_nodes = [w.node for w in taken]
            self.emit(name, argv, word.node, chain, functions, argv_nodes)
            if name is None:
                continue
            inner_feeds = () if name in STDIN_CONSUMERS else feeds
            for target in reversed(wrapped(name, values, index, end, self.finder.shells)):
                if isinstance(target, RunWords):
                    if index < target.index < min(target.end, end + 1):
                        work.append((target.index, target.end, (*chain, name), inner_feeds))
                elif isinstance(target, RunScript):
                    self.script_from_words(words, target, chain, functions)
                elif isinstance(target, ReadStdin):
                    for feed in feeds:
                        self.script_from_stdin(feed, target.shell, chain, functions)

    # --- nested scripts ------------------------------------------------------------------------

    def nested(
        self,
        out: TextBuilder,
        prefix: int,
        label: str,
        chain: tuple[str, ...],
        functions: tuple[str, ...],
        *,
        src: Source | None = None,
        head: bool = False,
        head_feeds: tuple[_Feed, ...] = (),
    ) -> None:
        """Parse the text built in ``out`` (taken from ``src``, by default this walk's text)."""
        depth = self.ctx.depth + 1
        if depth > MAX_SCRIPT_DEPTH:
            return
        if prefix:
            text, segments = out.drop_prefix(prefix)
        else:
            text, segments = out.text(), out.segments
        wrappers = (*chain, label) if label else chain
        ctx = _Context(wrappers, functions, depth)
        parent = (src or self.src).map
        self.finder.scan(text, OffsetMap(segments, parent), ctx, head=head, head_feeds=head_feeds)

    def script_from_words(
        self,
        words: list[_Word],
        target: RunScript,
        chain: tuple[str, ...],
        functions: tuple[str, ...],
    ) -> None:
        src = self.src
        out = TextBuilder()
        previous: Node | None = None
        for index in target.words:
            node = words[index].node
            if previous is not None:
                out.inexact(" ", src.char(previous.end_byte), src.char(node.start_byte))
            render(src, node, out)
            previous = node
        self.nested(out, target.prefix, target.label, chain, functions)

    def script_from_stdin(
        self, feed: _Feed, shell: str, chain: tuple[str, ...], functions: tuple[str, ...]
    ) -> None:
        src, redirect = feed.src, feed.redirect
        out = TextBuilder()
        if redirect.type == "herestring_redirect":
            operands = redirect.named_children
            if not operands:
                return
            render(src, operands[0], out)
            self.nested(out, 0, f"{shell} <<<", chain, functions, src=src)
            return
        body: Node | None = None
        quoted = False
        for child in redirect.named_children:
            if child.type == "heredoc_start":
                quoted = any(q in src.node_text(child) for q in "'\"\\")
            elif child.type == "heredoc_body":
                body = child
        if body is None:
            return
        if quoted:
            out.exact(src.node_text(body), src.char(body.start_byte))
        else:
            render_children(src, body, body.start_byte, body.end_byte, out, HEREDOC_ESCAPES)
        self.nested(out, 0, f"{shell} <<", chain, functions, src=src)

    # --- heredocs ------------------------------------------------------------------------------

    def attach_stdin(self, node: Node) -> None:
        """Remember which command the heredoc / here-string of a redirected statement feeds.

        tree-sitter-bash puts the redirect on the statement, which may be a whole list or
        pipeline (``a && bash <<EOF``); bash gives it to the last simple command. A heredoc on a
        bare ``cat`` whose output is piped on (``cat <<EOF | sh``) also feeds the pipe's first
        command; tree-sitter-bash nests that pipeline inside the heredoc redirect.
        """
        redirect = effective_stdin(node.children_by_field_name("redirect"))
        if redirect is None:
            return
        target = last_command(node.child_by_field_name("body"))
        if target is None:
            return
        feed = _Feed(self.src, redirect)
        self.stdin.setdefault(target.id, []).append(feed)
        if redirect.type != "heredoc_redirect" or not self.is_bare_cat(target):
            return
        self.cat_heredocs.add(redirect.id)
        for child in redirect.named_children:
            if child.type == "pipeline":
                first = first_command(child)
                if first is not None:
                    self.stdin.setdefault(first.id, []).append(feed)
                break

    def attach_head_feeds(self, pipeline: Node) -> None:
        """In a reparsed heredoc line, ``: ... | cmd`` pipes the heredoc of the ``cat`` that
        ``:`` stands for into ``cmd``."""
        elements = [child for child in pipeline.named_children if child.type != "comment"]
        if len(elements) < 2 or elements[0].start_byte != 0:
            return
        first = first_command(pipeline, skip=1)
        if first is not None:
            self.stdin.setdefault(first.id, []).extend(self.head_feeds)
        self.head_feeds = ()

    def is_bare_cat(self, command: Node) -> bool:
        name = command.child_by_field_name("name")
        literal = self.word(name).literal if name is not None else None
        if literal is None or basename(literal) != "cat":
            return False
        arguments = command.children_by_field_name("argument")
        return all(self.word(arg).literal in ("-", "--") for arg in arguments)

    @staticmethod
    def heredoc_line_is_broken(children: list[Node]) -> bool:
        """tree-sitter-bash 0.25 cannot parse some text after a heredoc's delimiter on its
        line (``cat <<EOF >f; sh f``, ``cat <<EOF 2>&1 | sh``): it turns it into an ERROR
        inside the heredoc redirect and swallows the commands as redirect targets."""
        return any(
            child.has_error
            for child in children
            if child.type not in ("heredoc_body", "heredoc_start", "heredoc_end")
        )

    def reparse_heredoc_line(self, node: Node, functions: tuple[str, ...]) -> None:
        """Parse the rest of the heredoc's first line on its own, behind a ``:`` command."""
        start: Node | None = None
        body: Node | None = None
        for child in node.named_children:
            if child.type == "heredoc_start":
                start = child
            elif child.type == "heredoc_body":
                body = child
        if start is None:
            return
        src = self.src
        tail_end = body.start_byte if body is not None else node.end_byte
        tail = src.slice(start.end_byte, tail_end).rstrip()
        origin = src.char(start.end_byte)
        out = TextBuilder()
        out.inexact(":", origin, origin)
        out.exact(tail, origin)
        feeds = (_Feed(src, node),) if node.id in self.cat_heredocs else ()
        self.nested(out, 0, "", self.ctx.wrappers, functions, head=True, head_feeds=feeds)


def _shortened(text: str, start: int, end: int) -> str:
    """``text[start:end]``, cut to :data:`_WRITTEN_MAX` characters and "…" if longer."""
    if end - start > _WRITTEN_MAX:
        return text[start : start + _WRITTEN_MAX] + "…"
    return text[start:end]
