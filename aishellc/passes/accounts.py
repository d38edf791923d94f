"""Which users and groups exist at each instruction of a stage built on aishell.

:func:`walk_accounts` is an analysis, not a pass: the USER rules call it. The foundation has
Debian's static accounts (base-passwd's ``root``, ``daemon``, ``www-data``, ``nobody``...,
apt's ``_apt``, openssh-client's ``_ssh``) and the configured user with a group of the same
name (DESIGN.md, "Foundation contents"; ``developer`` by default). A stage starts with the
accounts of the stage it builds on and adds the names its RUNs create: ``useradd``,
``adduser``, ``groupadd``, ``addgroup`` (the last two operands count, and a user's group of
the same name too, as Debian's ``USERGROUPS_ENAB`` makes it), ``usermod -l NEW``, ``groupmod
-n NEW``. An ONBUILD trigger's creations count where it is written; its references, which run
in the next tier, are not checked.

What the analysis cannot see makes every name possible from then on (``complete`` turns
False): a package install (packages create system users: postgresql's ``postgres``), a
write to ``/etc/passwd`` or ``/etc/group``, COPY/ADD into ``/etc`` or ``/``, a name only known
at build time (``useradd $NAME``), and code aishellc does not read (a script file,
``curl ... | sh``).

USER and ``--chown`` values are expanded as BuildKit expands them, with the stage's ENV
values; an ARG (which ``--build-arg`` can override) or an unset variable leaves the value
unknown (None), and the rules say nothing about it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

import attrs

from aishellc import ast
from aishellc.parser.expansion import ExpansionError, WordLexer
from aishellc.passes.context import Accounts, PassContext
from aishellc.passes.harness_commands import every_command
from aishellc.passes.run_scripts import Script, ScriptReader
from aishellc.passes.stage_graph import Stage, StageGraph, analyze_stages, is_global_image
from aishellc.shell import POSIX_SHELLS

if TYPE_CHECKING:
    from aishellc.shell import CommandUse

#: Debian's static users (base-passwd) and the system users of the foundation's packages.
FOUNDATION_USERS = frozenset(
    {"root", "daemon", "bin", "sys", "sync", "games", "man", "lp", "mail", "news", "uucp"}
    | {"proxy", "www-data", "backup", "list", "irc", "gnats", "nobody", "_apt"}
)
#: Debian's static groups (base-passwd) and the system groups of the foundation's packages.
FOUNDATION_GROUPS = frozenset(
    {"root", "daemon", "bin", "sys", "adm", "tty", "disk", "lp", "mail", "news", "uucp"}
    | {"man", "proxy", "kmem", "dialout", "fax", "voice", "cdrom", "floppy", "tape", "sudo"}
    | {"audio", "dip", "www-data", "backup", "operator", "list", "irc", "src", "gnats"}
    | {"shadow", "utmp", "video", "sasl", "plugdev", "staff", "games", "users", "nogroup"}
    | {"_ssh", "ssh"}
)

# A word that can only be one account name (no expansion, glob or quote left in it).
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\$?")
_CREATE_USER = frozenset({"useradd", "adduser"})
_CREATE_GROUP = frozenset({"groupadd", "addgroup"})
_PACKAGE_INSTALLERS = frozenset({"apt-get", "apt", "aptitude", "nala", "dpkg", "apt-install"})
_INSTALL_WORDS = frozenset({"install", "reinstall", "-i", "--install"})
_SOURCE = frozenset({"source", "."})
_SHELLS = POSIX_SHELLS | {"zsh", "fish"}
_ACCOUNT_FILES = ("/etc/passwd", "/etc/group", "/etc/shadow", "/etc/gshadow")
# What a RUN must contain before its commands are worth parsing for references (`install`
# only with an owner or group option: `apt-get install` is in nearly every file).
_REFERENCING = re.compile(
    r"\b(?:chown|chgrp|su|runuser|gosu|sudo|usermod)\b|\binstall\b[^\n;&|]*\s-(?:-owner|-group|o|g)"
)


def foundation_accounts(context: PassContext) -> Accounts:
    """The accounts of the foundation image."""
    user = context.foundation_user
    return Accounts(FOUNDATION_USERS | {user}, FOUNDATION_GROUPS | {user})


@attrs.frozen
class NameUse:
    """A user or group name that an instruction needs to exist."""

    kind: str  # "user" | "group"
    name: str
    span: ast.Span | None


def split_owner(spec: str) -> tuple[tuple[str, str, int], ...]:
    """The names in ``user[:group]`` (``chown``'s and USER's syntax) as ``(kind, name,
    offset)``, leaving out ids, empty parts and anything that is not one name."""
    user, colon, group = spec.partition(":")
    parts = [("user", user, 0)]
    if colon:
        parts.append(("group", group, len(user) + 1))
    return tuple(
        (kind, name, offset)
        for kind, name, offset in parts
        if _NAME.fullmatch(name) and not name.isdigit()
    )


def is_root_user(value: str | None) -> bool:
    """Whether a USER value starts the container as root: None (never set: the foundation
    runs as root), or root by name or id whatever the group (``root``, ``0``, ``0:0``,
    ``root:grp``)."""
    return value is None or value.partition(":")[0] in ("root", "0")


def stages_to_check(graph: StageGraph) -> tuple[Stage, ...]:
    """The stages the final image needs that build on aishell (other bases have unknown
    accounts; stages the final image does not need are never built)."""
    final = graph.final
    if final is None:
        return ()
    needed = graph.needed(final)
    return tuple(s for s in graph.stages if s.index in needed and s.on_aishell)


def walk_accounts(
    document: ast.Document, graph: StageGraph, stages: tuple[Stage, ...], context: PassContext
) -> Iterator[tuple[NameUse, Accounts]]:
    """Each name the instructions of ``stages`` need, with the accounts that exist there (a
    RUN can create some before it names them). Every stage is walked once: a stage starts
    from where the stage it builds on ended."""
    yield from _walk(document, graph, stages, _lineages(graph, stages), context, {})


def final_accounts(document: ast.Document, context: PassContext) -> Accounts:
    """The accounts at the end of the final stage: the global file's, which the stages
    built on the global tier start from. A final stage on another image has accounts
    aishellc cannot know."""
    graph = analyze_stages(document, context)
    final = graph.final
    if final is None or not final.on_aishell:
        return foundation_accounts(context).unknowable()
    ended: dict[int, tuple[Accounts, dict[str, str]]] = {}
    for _ in _walk(document, graph, (), _lineages(graph, (final,)), context, ended):
        pass  # only where the walk ends matters
    return ended[final.index][0]


def _walk(
    document: ast.Document,
    graph: StageGraph,
    stages: tuple[Stage, ...],
    walked: frozenset[int],
    context: PassContext,
    ended: dict[int, tuple[Accounts, dict[str, str]]],
) -> Iterator[tuple[NameUse, Accounts]]:
    """:func:`walk_accounts` over the stages ``walked``, recording where each ended."""
    walker = _Walker(document, context)
    start = walker.state()
    wanted = {stage.index for stage in stages}
    for stage in graph.stages:
        if stage.index not in walked:
            continue
        parent = graph.parent(stage)
        if parent is not None:
            walker.restore(ended[parent.index])
        elif context.global_accounts is not None and is_global_image(
            stage.base.expanded or "", context
        ):
            walker.restore((context.global_accounts, start[1]))
        else:
            walker.restore(start)
        for instruction in stage.instructions:
            uses = walker.step(instruction)
            if stage.index in wanted:
                yield from uses
        ended[stage.index] = walker.state()


def may_name_unknown_accounts(
    graph: StageGraph, stages: tuple[Stage, ...], context: PassContext
) -> bool:
    """Whether anything in ``stages`` or the stages they build on can name an account the
    foundation does not have, by the text alone: a USER or ``--chown`` with another name or a
    variable, or a RUN with a word such as ``chown``. Earlier instructions can only add
    accounts, so without one of these there is nothing to report and no RUN is parsed."""
    foundation = foundation_accounts(context)
    for index in _lineages(graph, stages):
        for instruction in graph.stages[index].instructions:
            if isinstance(instruction, ast.User) and instruction.value is not None:
                written = instruction.value.value
            elif isinstance(instruction, ast.Copy | ast.Add):
                chown = instruction.flag("chown")
                written = chown.value if chown is not None and chown.value else ""
            elif isinstance(instruction, ast.Run | ast.Onbuild):
                if _REFERENCING.search(_text(instruction)):
                    return True
                continue
            else:
                continue
            if "$" in written or not all(
                foundation.has(kind, name) for kind, name, _ in split_owner(written)
            ):
                return True
    return False


def _lineages(graph: StageGraph, stages: tuple[Stage, ...]) -> frozenset[int]:
    """The indices of ``stages`` and of every stage they build on."""
    found: set[int] = set()
    for stage in stages:
        for member in graph.lineage(stage):
            if member.index in found:
                break  # the rest of this lineage is already in
            found.add(member.index)
    return frozenset(found)


def _text(instruction: ast.Instruction) -> str:
    span = instruction.span
    return span.text if span is not None else ""


class StageEnv:
    """The ENV values of a stage known exactly, as its instructions set them; an ARG (which
    ``--build-arg`` can override) or a value that cannot be expanded is left out."""

    def __init__(self, document: ast.Document) -> None:
        self.lexer = WordLexer(escape=document.escape)
        self.values: dict[str, str] = {}

    def update(self, instruction: ast.Instruction) -> None:
        if isinstance(instruction, ast.Env):
            for pair in instruction.pairs:
                value = self.expand(pair.value)
                if value is None:
                    self.values.pop(pair.key, None)
                else:
                    self.values[pair.key] = value
        elif isinstance(instruction, ast.Arg):
            for decl in instruction.args:
                self.values.pop(decl.name, None)

    def expand(self, word: str) -> str | None:
        """``word`` expanded, or None when it uses a variable whose value is not known."""
        try:
            value, _, unmatched = self.lexer.process_word_with_matches(word, self.values)
        except ExpansionError:
            return None
        return None if unmatched else value


def final_user(
    document: ast.Document, graph: StageGraph, stage: Stage
) -> tuple[ast.User, str | None] | None:
    """The USER in effect at the end of ``stage`` and its value (None when not known), or
    None when the stage keeps the foundation's user (root)."""
    user = graph.final_user(stage)
    if user is None or user.value is None:
        return None
    env = StageEnv(document)
    for member in reversed(tuple(graph.lineage(stage))):
        for instruction in member.instructions:
            if instruction is user:
                return user, env.expand(user.value.value)
            env.update(instruction)
    return user, None


class _Walker:
    def __init__(self, document: ast.Document, context: PassContext) -> None:
        self.reader = ScriptReader(document, context.path)
        self.env = StageEnv(document)
        self.accounts = foundation_accounts(context)

    def state(self) -> tuple[Accounts, dict[str, str]]:
        return self.accounts, dict(self.env.values)

    def restore(self, state: tuple[Accounts, dict[str, str]]) -> None:
        self.accounts, values = state
        self.env.values = dict(values)

    def step(self, instruction: ast.Instruction) -> tuple[tuple[NameUse, Accounts], ...]:
        """The names ``instruction`` needs, each with the accounts it sees; then takes in
        what the instruction creates."""
        self.env.update(instruction)
        if isinstance(instruction, ast.User) and instruction.value is not None:
            word = instruction.value
            value = self.env.expand(word.value)
            names = [] if value is None else self.owner_uses(word.value, value, word.span)
            return tuple((use, self.accounts) for use in names)
        if isinstance(instruction, ast.Copy | ast.Add):
            return tuple(self.file_uses(instruction))
        script = self.reader.script(instruction)
        if script is None:
            return ()
        uses = tuple(self.script_uses(script))
        # An ONBUILD trigger's commands run in the next tier; only what it creates counts here.
        return uses if instruction is script.run else ()

    def owner_uses(self, written: str, value: str, span: ast.Span | None) -> list[NameUse]:
        """The names of a ``user[:group]`` value, each located in ``span`` when the text
        there is the value itself, else at the whole of ``span``."""
        exact = span is not None and written == value and span.text.endswith(written)
        base = span.end - len(written) if span is not None else 0
        found = []
        for kind, name, offset in split_owner(value):
            where = span
            if exact and span is not None:
                where = ast.Span(base + offset, base + offset + len(name), span.source)
            found.append(NameUse(kind, name, where))
        return found

    def file_uses(self, instruction: ast.Copy | ast.Add) -> Iterator[tuple[NameUse, Accounts]]:
        chown = instruction.flag("chown")
        if chown is not None and chown.value:
            value = self.env.expand(chown.value)
            if value is not None:
                for use in self.owner_uses(chown.value, value, chown.span):
                    yield use, self.accounts
        destination = instruction.destination
        target = destination.value.strip("\"'") if destination is not None else ""
        if target.rstrip("/") in ("", "/etc") or target.startswith(_ACCOUNT_FILES):
            self.accounts = self.accounts.unknowable()

    def script_uses(self, script: Script) -> Iterator[tuple[NameUse, Accounts]]:
        if any(name in script.text for name in _ACCOUNT_FILES):
            self.accounts = self.accounts.unknowable()
        for use in every_command(script):
            for kind, name, start, end in _references(use):
                yield NameUse(kind, name, script.span(start, end)), self.accounts
            self.accounts = _after(use, self.accounts)


def _after(use: CommandUse, accounts: Accounts) -> Accounts:
    """The accounts after ``use`` ran."""
    name, argv = use.name, use.argv
    if name is None or name in _SOURCE:
        return accounts.unknowable()
    if name in _CREATE_USER or name in _CREATE_GROUP:
        # The name is the last operand (`adduser USER GROUP` names two); option values before
        # it (a comment, a shell, an id) may be counted too, which only adds names.
        operands = [word for word in argv if not word.startswith("-")][-2:]
        if any(("$" in word or "`" in word) and "/" not in word for word in operands):
            return accounts.unknowable()  # a name known only at build time
        names = frozenset(word for word in operands if _NAME.fullmatch(word))
        return accounts.created(names if name in _CREATE_USER else frozenset(), names)
    if name in ("usermod", "groupmod"):
        renamed = _option_value(argv, "-l" if name == "usermod" else "-n")
        if renamed is None:
            return accounts
        if not _NAME.fullmatch(renamed):
            return accounts.unknowable()
        return accounts.created(frozenset({renamed}), frozenset({renamed}))
    if name in _PACKAGE_INSTALLERS and any(word in _INSTALL_WORDS for word in argv):
        return accounts.unknowable()
    if name in _SHELLS and not any(_is_command_option(word) for word in argv):
        return accounts.unknowable()  # a script file, or code piped in
    if name.endswith(".sh"):
        return accounts.unknowable()
    return accounts


def _is_command_option(word: str) -> bool:
    """``-c``, or a cluster with it (``-ec``): the shell runs the string after it, which the
    analysis reads."""
    return word.startswith("-") and not word.startswith("--") and "c" in word


def _option_value(argv: tuple[str, ...], option: str) -> str | None:
    for index, word in enumerate(argv):
        if word == option and index + 1 < len(argv):
            return argv[index + 1]
        if word.startswith(option) and len(word) > len(option) and not word.startswith("--"):
            return word[len(option) :]
    return None


# Options whose value is the next word, per program (GNU coreutils, util-linux, sudo).
_VALUE_OPTIONS: Mapping[str, frozenset[str]] = {
    "chown": frozenset({"--from"}),
    "chgrp": frozenset(),
    "su": frozenset({"-c", "--command", "-s", "--shell", "-g", "--group", "-G"})
    | {"--supp-group", "-w", "--whitelist-environment", "-C", "--session-command"},
    "sudo": frozenset({"-u", "--user", "-g", "--group", "-C", "--close-from", "-D"})
    | {"--chdir", "-h", "--host", "-p", "--prompt", "-r", "--role", "-t", "--type"}
    | {"-U", "--other-user", "-T", "--command-timeout", "-R", "--chroot"},
    "usermod": frozenset({"-c", "-d", "-e", "-f", "-g", "-G", "-l", "-p", "-s", "-u"})
    | {"-L", "-R", "-P", "-Z", "--comment", "--home", "--expiredate", "--inactive"}
    | {"--gid", "--groups", "--login", "--password", "--shell", "--uid", "--root"},
}
_VALUE_OPTIONS = {
    **_VALUE_OPTIONS,
    "runuser": _VALUE_OPTIONS["su"] | {"-u", "--user"},
    "install": frozenset({"-o", "--owner", "-g", "--group", "-m", "--mode", "-S", "--suffix"})
    | {"-t", "--target-directory"},
}
# Which option values name accounts: option -> kind.
_ACCOUNT_OPTIONS: Mapping[str, Mapping[str, str]] = {
    "su": {"-g": "group", "--group": "group", "-G": "group", "--supp-group": "group"},
    "runuser": {"-u": "user", "--user": "user", "-g": "group", "--group": "group"}
    | {"-G": "group", "--supp-group": "group"},
    "sudo": {"-u": "user", "--user": "user", "-g": "group", "--group": "group"},
    "usermod": {"-g": "group", "--gid": "group", "-G": "group", "--groups": "group"},
    "install": {"-o": "user", "--owner": "user", "-g": "group", "--group": "group"},
}
# What each program's first operand is: an owner spec, a group, a user.
_FIRST_OPERAND: Mapping[str, str] = {
    "chown": "owner",
    "gosu": "owner",
    "chgrp": "group",
    "su": "user",
    "runuser": "user",
}


def _references(use: CommandUse) -> Iterator[tuple[str, str, int, int]]:
    """``(kind, name, start, end)`` of each account name ``use`` needs, in the script."""
    program = use.name
    if program is None or (program not in _VALUE_OPTIONS and program not in _FIRST_OPERAND):
        return
    argv, spans = use.argv, use.argv_spans
    value_options = _VALUE_OPTIONS.get(program, frozenset())
    account_options = _ACCOUNT_OPTIONS.get(program, {})
    found: list[tuple[str, str, int]] = []  # (kind, spec, argv index)
    operands: list[int] = []
    index = 0
    options_done = False
    while index < len(argv):
        word = argv[index]
        if options_done or not word.startswith("-") or word == "-":
            if word != "-":
                operands.append(index)
                if program in ("sudo", "gosu"):
                    break  # the command sudo runs starts here
            index += 1
            continue
        if word == "--":
            options_done = True
        elif word.startswith("--reference"):
            return  # chown/chgrp copy the owner of a file
        elif word.startswith("--"):
            option, equals, attached = word.partition("=")
            kind = account_options.get(option)
            if equals and kind is not None:
                found.append((kind, attached, index))
            elif not equals and option in value_options:
                if kind is not None and index + 1 < len(argv):
                    found.append((kind, argv[index + 1], index + 1))
                index += 1
        else:
            # a cluster of short options (-aG): the first that takes a value ends it
            for at, letter in enumerate(word[1:], start=1):
                option = "-" + letter
                if option not in value_options:
                    continue
                kind = account_options.get(option)
                attached = word[at + 1 :]
                if attached:
                    if kind is not None:
                        found.append((kind, attached, index))
                elif index + 1 < len(argv):
                    if kind is not None:
                        found.append((kind, argv[index + 1], index + 1))
                    index += 1
                break
        index += 1
    first = _FIRST_OPERAND.get(program)
    if program == "runuser" and any(kind == "user" for kind, _, _ in found):
        first = None  # runuser -u USER COMMAND: the operands are the command
    if first is not None and operands:
        found.append((first, argv[operands[0]], operands[0]))
    if program == "usermod" and operands:
        found.append(("user", argv[operands[-1]], operands[-1]))
    for kind, spec, at in found:
        if "," in spec and kind == "group":
            parts = []
            offset = 0
            for part in spec.split(","):
                parts.append(("group", part, offset))
                offset += len(part) + 1
        elif kind == "owner":
            parts = list(split_owner(spec))
        else:
            parts = [(kind, spec, 0)]
        for part_kind, name, offset in parts:
            if not _NAME.fullmatch(name) or name.isdigit():
                continue
            start, end = spans[at] if at < len(spans) else (use.start, use.end)
            if end - start == len(argv[at]):
                # the word is written as its value: point at the name inside it
                skip = len(argv[at]) - len(spec)
                start, end = start + skip + offset, start + skip + offset + len(name)
            yield part_kind, name, start, end
