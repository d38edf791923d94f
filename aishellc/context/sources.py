"""The build-context files an extension reads, and their sha256.

:func:`context_inputs` finds every local source the user's Dockerfile reads from the build
context, as BuildKit reads it:

- only in the stages the final stage needs (``StageGraph.needed``: FROM, ``COPY --from``,
  ``RUN --mount=from=``, transitively): BuildKit builds no other stage;
- the sources of ``COPY`` and ``ADD`` without ``--from`` or with an empty one (``--from=``
  is the context); an ``ADD`` of a git repository or URL is fetched, not read
  (:mod:`aishellc.context.remote_sources` has BuildKit's rules), and a ``COPY`` of one is refused
  as BuildKit refuses it; heredoc sources are not files;
- ``RUN --mount`` fields read as BuildKit's ``parseMount`` reads them: keys and the type
  case-insensitive, every value expanded, a later field winning; a ``bind`` mount without
  ``from`` reads the context (default source: all of it), and a type that is not one of
  BuildKit's is refused;
- ``ONBUILD`` triggers of a stage run in the stages built on it (BuildKit runs them first,
  with that stage's variables); the final stage's own triggers run when an image is built
  *on* the extension, against that build's context, and are left out.

Source words are expanded with the variables of their stage as BuildKit does (ARGs with
their defaults, global ARGs declared again in the stage, ENVs, the ARGs and ENVs of the
stage a stage builds on, and BuildKit's automatic platform ARGs such as ``TARGETARCH`` for the
platform compiled for, see :mod:`aishellc.context.platforms`: global scope sees them, a stage after
``ARG TARGETARCH``); values a build would pass with ``--build-arg`` and ENVs of external
base images are not known here.

What is read, and what is refused. A source that leaves the context, is missing or is
ignored is a located error diagnostic (AIS304–AIS306, :mod:`aishellc.context.rules`) and
the reading goes on with the next source, so every bad source is reported; anything else
refused is a :class:`~aishellc.errors.UserError` at the source's line (the CLI exits 2):

- ``.dockerignore`` rules are Docker's: ``<Dockerfile>.dockerignore`` next to the user's
  Dockerfile wins over ``<context>/.dockerignore``; the file is read as Docker's
  ``ignorefile.ReadAll`` reads it and matched as docker-py's port of Docker's
  ``patternmatcher`` matches (made case-sensitive, as Docker is on Linux), by
  :mod:`aishellc.context.dockerignore` in time that does not grow with the number of patterns; a
  pattern Docker refuses (``[z-a]``) is refused. An ignored file is never opened.
  ``extra_excludes`` (the output folder, when it lies in the context) are applied after
  the user's rules. An ignored folder that holds a re-included file is part of the
  context (Docker sends it with that file alone), so a source may name it.
- AIS304: a source that leaves the context: ``../x``, an absolute path (BuildKit would
  silently read ``<context>/x``, never the machine's ``/x``; see moby/buildkit#2131), or a
  symlink on the way to a source whose target is absolute or climbs out of the context;
- AIS305 and AIS306: a source that does not exist or is ignored (the build would fail:
  "not found"); a wildcard that matches nothing is fine (BuildKit allows it);
- a FIFO, socket or device anywhere in what is read, and a file that cannot be read
  (errors, exit 2).

``check`` walks the same files without hashing them (``hash_files=False``): what it
passes, ``compile`` accepts, except a file that cannot be opened or changes while
``compile`` reads it.

Sources often overlap (``COPY . /app`` then ``COPY src /src``): each file is hashed and
each folder listed once per compile.

Symlinks are never followed out of the context: a symlink *naming* a source is resolved
inside the context (BuildKit follows it), a symlink *inside* a copied folder is recorded as
a link (its target text is hashed, the target is not read), as BuildKit copies it.

Not tracked: empty directories, and ownership and mode bits other than the executable bit
(git does not keep them either, so they would differ between checkouts). ``COPY
--exclude`` is not applied: the files it excludes still count (the hash may change more
often than needed, never less).
"""

from __future__ import annotations

import errno
import hashlib
import os
import posixpath
import re
import stat
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import attrs

from aishellc import ast
from aishellc.context.ignore_rules import IgnoreRules
from aishellc.context.platforms import BuildPlatforms, document_args
from aishellc.context.remote_sources import remote_kind
from aishellc.context.rules import SOURCE_EXCLUDED, SOURCE_NOT_FOUND, SOURCE_OUTSIDE_CONTEXT
from aishellc.context.wildcards import go_match
from aishellc.diagnostics import Diagnostic, Rule
from aishellc.errors import Location, UserError
from aishellc.input_files import reason_clause
from aishellc.parser.buildkit_words import mount_items
from aishellc.parser.expansion import ExpansionError, ExpansionLimitError, WordLexer
from aishellc.passes.context import PassContext
from aishellc.passes.stage_graph import analyze_stages

_CHUNK = 1 << 20
_MAX_LINKS = 40
_WILDCARD = re.compile(r"[*?\[]")


@attrs.frozen
class ContextFile:
    """One file (or symlink) of the context that the extension reads."""

    path: str
    """Relative to the context, ``/``-separated."""
    kind: Literal["file", "symlink"]
    sha256: str
    """Of the file's bytes, or of a symlink's target text."""
    executable: bool = False

    def record(self) -> dict[str, Any]:
        """The manifest/hash record of this file. A name that is not UTF-8 (Docker copies
        it all the same) cannot be JSON text: ``path`` then shows each undecodable byte as
        ``\\xNN`` and ``path_bytes`` holds the name's bytes in hex, which says exactly
        which name it is."""
        raw = os.fsencode(self.path)
        data: dict[str, Any] = {
            "path": raw.decode("utf-8", errors="backslashreplace"),
            "sha256": self.sha256,
            "type": self.kind,
        }
        if data["path"] != self.path:
            data["path_bytes"] = raw.hex()
        if self.kind == "file":
            data["executable"] = self.executable
        return data


@attrs.frozen
class Source:
    """A context path one instruction reads, after variable expansion."""

    instruction: ast.Instruction
    word: ast.Node | None
    written: str
    value: str
    what: str  # "COPY", "ADD" or "RUN --mount"


@attrs.frozen
class ContextReading:
    """What the context gave: the files read (sorted by path) and a diagnostic for each
    source that leaves the context, is missing or is ignored."""

    files: tuple[ContextFile, ...] = ()
    problems: tuple[Diagnostic, ...] = ()


class _SourceProblem(Exception):
    """A source the build cannot read (reported as a diagnostic, not raised to the user)."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


# --- sources ---------------------------------------------------------------------------

# BuildKit's mount types (instructions.allowedMountTypes); only ``bind`` reads the context.
_MOUNT_TYPES = frozenset({"bind", "cache", "tmpfs", "secret", "ssh"})


def collect_sources(
    document: ast.Document, path: str, platforms: BuildPlatforms | None = None
) -> list[Source]:
    """Every context path the stages the final stage needs read (see the module docs).

    ``platforms`` gives BuildKit's automatic platform ARGs their values; without it they
    are unset."""
    return _SourceCollector(document, path, platforms).collect()


class _SourceCollector:
    """Walks the instructions in order with the variables BuildKit would have in scope."""

    def __init__(self, document: ast.Document, path: str, platforms: BuildPlatforms | None) -> None:
        automatic = document_args(platforms, document) if platforms is not None else {}
        context = PassContext(
            path=path, harness_binaries={}, automatic_args=MappingProxyType(automatic)
        )
        self.document = document
        self.path = path
        self.graph = analyze_stages(document, context)
        final = self.graph.final
        self.needed = self.graph.needed(final) if final is not None else frozenset()
        self.lexer = WordLexer(escape=document.escape)
        self.global_env: dict[str, str] = dict(automatic)
        # ARG and ENV values in the current stage; BuildKit keeps both in the stage's state,
        # so a stage built on it starts with them
        self.stage_env: dict[str, str] = {}
        self.saved: list[dict[str, str]] = []
        self.found: list[Source] = []

    def collect(self) -> list[Source]:
        for node in self.document.instructions:
            if isinstance(node, ast.From):
                self.enter_stage()
            else:
                self.instruction(node)
        return self.found

    def enter_stage(self) -> None:
        stage = self.graph.stages[len(self.saved)]
        parent = self.graph.parent(stage)
        inherited = self.saved[parent.index] if parent is not None else {}
        self.stage_env = dict(inherited)
        self.saved.append(self.stage_env)
        # BuildKit runs the ONBUILD triggers of the stage built on first, in this stage.
        for node in parent.instructions if parent is not None else ():
            if isinstance(node, ast.Onbuild) and node.trigger is not None:
                self.instruction(node.trigger)

    def instruction(self, node: ast.Instruction) -> None:
        seen_from = bool(self.saved)
        if isinstance(node, ast.Arg):
            target = self.stage_env if seen_from else self.global_env
            for decl in node.args:
                if decl.default is not None:
                    value = _expand(self.lexer, decl.default, target, node, self.path)
                    target[decl.name] = value if value is not None else ""
                elif seen_from and decl.name in self.global_env:
                    target[decl.name] = self.global_env[decl.name]
                else:
                    target.setdefault(decl.name, "")
        elif isinstance(node, ast.Env):
            for pair in node.pairs:
                value = _expand(self.lexer, pair.value, self.stage_env, node, self.path)
                self.stage_env[pair.key] = value if value is not None else ""
        elif seen_from and len(self.saved) - 1 in self.needed:
            self.found.extend(_instruction_sources(node, self.lexer, self.stage_env, self.path))


def _expand(
    lexer: WordLexer, word: str, env: Mapping[str, str], node: ast.Instruction, path: str
) -> str | None:
    """``word`` expanded, or None where BuildKit cannot expand it either (its build fails
    there, not here); over aishellc's size cap (a value doubling itself), a located error."""
    try:
        return lexer.process_word(word, env)
    except ExpansionLimitError as exc:
        raise UserError(
            f"{node.NAME} cannot be expanded: {exc}", _location(path, node, None), exc.help
        ) from None
    except ExpansionError:
        return None


def _instruction_sources(
    node: ast.Instruction, lexer: WordLexer, env: Mapping[str, str], path: str
) -> Iterator[Source]:
    if isinstance(node, ast.Copy | ast.Add):
        from_flag = node.flag("from")
        if from_flag is not None and from_flag.value:  # an empty --from is the context
            return
        heredoc_names = {heredoc.name for heredoc in node.heredocs}
        for word in node.sources:
            written = word.value
            if heredoc_names and written.startswith("<<"):
                continue
            value = _expand_or_fail(lexer, written, env, node, word, path)
            kind = remote_kind(value)
            if kind is not None and isinstance(node, ast.Add):
                continue
            if kind is not None:
                what = "a git repository" if kind == "git" else "a URL"
                raise UserError(
                    f"COPY source {written!r} is {what}: COPY reads only the build context "
                    "or a stage (BuildKit refuses it)",
                    _location(path, node, word),
                    help="use ADD to fetch it",
                )
            yield Source(node, word, written, value, node.NAME)
    elif isinstance(node, ast.Run):
        for flag in node.flags:
            if flag.name == "mount" and flag.value is not None:
                source = _context_mount(flag, lexer, env, node, path)
                if source is not None:
                    yield source


def _context_mount(
    flag: ast.Flag, lexer: WordLexer, env: Mapping[str, str], node: ast.Run, path: str
) -> Source | None:
    """The context path a ``--mount`` binds, as BuildKit's ``parseMount`` reads it: keys
    and types case-insensitive, every value expanded, a later field winning; only a
    ``bind`` mount without ``from`` reads the context (default source: all of it)."""
    mount_type, mount_from, written, value = "bind", "", ".", "."
    for key, item in mount_items(flag.value or ""):
        if item is None:
            continue
        expanded = _expand_or_fail(lexer, item, env, node, flag, path)
        if key == "type":
            mount_type = expanded.lower()
            if mount_type not in _MOUNT_TYPES:
                raise UserError(
                    f"RUN --mount type {item!r} (= {expanded!r}) is not a mount type",
                    _location(path, node, flag),
                    help="BuildKit refuses it; use one of " + ", ".join(sorted(_MOUNT_TYPES)),
                )
        elif key == "from":
            mount_from = expanded
        elif key in ("source", "src"):
            written, value = item, expanded
    if mount_type != "bind" or mount_from:
        return None
    return Source(node, flag, written, value or ".", "RUN --mount")


def _expand_or_fail(
    lexer: WordLexer,
    word: str,
    env: Mapping[str, str],
    node: ast.Instruction,
    where: ast.Node,
    path: str,
) -> str:
    try:
        return lexer.process_word(word, env)
    except ExpansionError as exc:
        raise UserError(
            f"{node.NAME} source {word!r} cannot be expanded: {exc}",
            _location(path, node, where),
            exc.help,
        ) from None


def _location(path: str, node: ast.Instruction, where: ast.Node | None) -> Location:
    span = where.span if where is not None and where.span is not None else node.span
    if span is None:
        return Location(path)
    return Location(path, span.line, span.column)


# --- reading the context ---------------------------------------------------------------


def context_inputs(
    document: ast.Document,
    context_dir: str,
    *,
    path: str,
    rules: IgnoreRules,
    platforms: BuildPlatforms | None = None,
    hash_files: bool = True,
) -> ContextReading:
    """The context files ``document`` reads from ``context_dir``, and the problems of its
    sources. Without ``hash_files`` the files are walked and checked but not opened (their
    ``sha256`` is empty): what ``check`` needs."""
    sources = collect_sources(document, path, platforms)
    if not sources:
        return ContextReading()
    reader = _ContextReader(context_dir, rules, path, hash_files=hash_files)
    files: dict[str, ContextFile] = {}
    problems: list[Diagnostic] = []
    for source in sources:
        try:
            for item in reader.read(source):
                files[item.path] = item
        except _SourceProblem as problem:
            problems.append(problem.diagnostic)
    return ContextReading(tuple(files[name] for name in sorted(files)), tuple(problems))


class _ContextReader:
    """Reads the context for one compile. Sources often overlap (``COPY . /app`` and
    ``COPY src /src``), so each folder is listed and each file hashed once: each file's
    record and the records below each folder read are kept."""

    def __init__(self, root: str, rules: IgnoreRules, path: str, *, hash_files: bool) -> None:
        self.root = root
        self.rules = rules
        self.path = path
        self.hash_files = hash_files
        self._walked: dict[str, tuple[ContextFile, ...]] = {}
        self._files: dict[str, ContextFile] = {}
        self._listed: dict[str, list[str]] = {}

    def fail(self, source: Source, message: str, help: str | None = None) -> UserError:
        return UserError(message, _location(self.path, source.instruction, source.word), help=help)

    @staticmethod
    def problem(source: Source, rule: Rule, message: str, help: str) -> _SourceProblem:
        """A diagnostic at the source's word (the ``--mount`` flag for a bind mount)."""
        where = source.word if source.word is not None else source.instruction
        return _SourceProblem(Diagnostic.at(rule, where.span, message, help))

    def read(self, source: Source) -> Iterator[ContextFile]:
        value = source.value
        label = f"{source.what} source {source.written!r}"
        if source.written != value:
            label += f" (= {value!r})"
        if value.startswith("/"):
            raise self.problem(
                source,
                SOURCE_OUTSIDE_CONTEXT,
                f"{label} is an absolute path; build sources come from the context",
                f"write it relative to the build context ({self.root}); BuildKit would read "
                f"{posixpath.join(self.root, value.lstrip('/'))}, not {value}",
            )
        cleaned = posixpath.normpath(value)
        if cleaned == ".." or cleaned.startswith("../"):
            raise self.problem(
                source,
                SOURCE_OUTSIDE_CONTEXT,
                f"{label} leaves the build context",
                f"sources must lie inside the context ({self.root}); move the file there, "
                "or pass a wider --context",
            )
        relative = "" if cleaned == "." else cleaned
        if _WILDCARD.search(relative):
            yield from self._wildcard(source, label, relative)
            return
        resolved = self._resolve(source, label, relative)
        if resolved is None:
            raise self.problem(
                source,
                SOURCE_NOT_FOUND,
                f"{label} is not in the build context ({self.root})",
                "the build would fail with 'not found'; check the path, or the --context",
            )
        if self._excluded(source, resolved):
            raise self.problem(
                source,
                SOURCE_EXCLUDED,
                f"{label} is excluded by .dockerignore",
                "the build would fail with 'not found'; remove the matching pattern",
            )
        yield from self._walk(source, resolved)

    # Symlinks on the way to a source are followed inside the context only.
    def _resolve(self, source: Source, label: str, relative: str) -> str | None:
        """The real context path of ``relative``, or None if it does not exist."""
        parts = [part for part in relative.split("/") if part]
        done: list[str] = []
        hops = 0
        while parts:
            part = parts.pop(0)
            if part == "..":
                if not done:
                    raise self.problem(
                        source,
                        SOURCE_OUTSIDE_CONTEXT,
                        f"{label} leaves the build context",
                        f"sources must lie inside the context ({self.root})",
                    )
                done.pop()
                continue
            candidate = "/".join([*done, part])
            try:
                info = os.lstat(self._abs(candidate))
            except FileNotFoundError:
                return None
            except NotADirectoryError:
                return None
            except OSError as exc:
                raise self.fail(source, f"cannot read {candidate}: {reason_clause(exc)}") from None
            if not stat.S_ISLNK(info.st_mode):
                done.append(part)
                continue
            hops += 1
            if hops > _MAX_LINKS:
                raise self.fail(source, f"{label}: too many levels of symbolic links")
            target = os.fsdecode(os.readlink(self._abs(candidate)))  # noqa: PTH115
            if target.startswith("/"):
                raise self.problem(
                    source,
                    SOURCE_OUTSIDE_CONTEXT,
                    f"{label}: symlink {candidate} -> {target} points out of the build context",
                    "BuildKit would resolve it inside the context; make the link relative "
                    "and keep its target inside the context",
                )
            joined = posixpath.normpath(posixpath.join("/".join(done), target))
            if joined == ".." or joined.startswith("../"):
                raise self.problem(
                    source,
                    SOURCE_OUTSIDE_CONTEXT,
                    f"{label}: symlink {candidate} -> {target} points out of the build context",
                    "keep the link's target inside the context",
                )
            parts = [p for p in joined.split("/") if p and p != "."] + parts
            done = []
        return "/".join(done)

    def _wildcard(self, source: Source, label: str, pattern: str) -> Iterator[ContextFile]:
        """Paths matching a wildcard source (Go's filepath.Match, per path element)."""
        matches = [""]
        for element in pattern.split("/"):
            following: list[str] = []
            for prefix in matches:
                if not _WILDCARD.search(element):
                    candidate = f"{prefix}/{element}" if prefix else element
                    if os.path.lexists(self._abs(candidate)):
                        following.append(candidate)
                    continue
                directory = self._resolve(source, label, prefix) if prefix else ""
                if directory is None or not Path(self._abs(directory)).is_dir():
                    continue
                for name in self._listdir(source, directory):
                    candidate = f"{prefix}/{name}" if prefix else name
                    path = f"{directory}/{name}" if directory else name
                    if go_match(element, name) and not self._excluded(source, path):
                        following.append(candidate)
            matches = following
        for match in matches:
            resolved = self._resolve(source, label, match)
            if resolved is not None and not self._excluded(source, resolved):
                yield from self._walk(source, resolved)

    def _excluded(self, source: Source, relative: str) -> bool:
        """Whether ``.dockerignore`` leaves ``relative`` out of the context: an ignored file,
        or an ignored folder below which no ``!`` pattern can bring anything back (Docker
        sends the folders that hold re-included files, and a build can name them)."""
        if not relative or not self.rules.ignored(relative):
            return False
        if not self.rules.may_reinclude_under(relative):
            return True
        return not stat.S_ISDIR(self._stat(source, relative, follow=False).st_mode)

    def _walk(self, source: Source, relative: str) -> tuple[ContextFile, ...]:
        """A resolved source: a file, or a folder read recursively (links not followed)."""
        found = self._walked.get(relative)
        if found is None:
            found = self._walked[relative] = tuple(self._read_tree(source, relative))
        return found

    def _read_tree(self, source: Source, relative: str) -> Iterator[ContextFile]:
        info = self._stat(source, relative, follow=False)
        if stat.S_ISDIR(info.st_mode):
            for name in self._listdir(source, relative):
                child = f"{relative}/{name}" if relative else name
                child_info = self._stat(source, child, follow=False)
                ignored = self.rules.ignored(child)
                if stat.S_ISDIR(child_info.st_mode):
                    if ignored and not self.rules.may_reinclude_under(child):
                        continue
                    yield from self._walk(source, child)
                elif not ignored:
                    yield self._entry(source, child, child_info)
            return
        yield self._entry(source, relative, info)

    def _entry(self, source: Source, relative: str, info: os.stat_result) -> ContextFile:
        found = self._files.get(relative)
        if found is None:
            found = self._files[relative] = self._read_entry(source, relative, info)
        return found

    def _read_entry(self, source: Source, relative: str, info: os.stat_result) -> ContextFile:
        mode = info.st_mode
        if stat.S_ISLNK(mode):
            target = os.fsencode(os.readlink(self._abs(relative)))  # noqa: PTH115
            return ContextFile(relative, "symlink", self._hash_link(target))
        if not stat.S_ISREG(mode):
            raise self.fail(
                source,
                f"context file {relative} is a {_kind(mode)}, which cannot be copied",
                "remove it from the context, or exclude it in .dockerignore",
            )
        digest = self._hash_file(source, relative, info) if self.hash_files else ""
        return ContextFile(relative, "file", digest, bool(mode & 0o111))

    def _hash_link(self, target: bytes) -> str:
        """The sha256 of a symlink's target text ("" for ``check``, which never loads the
        hashing module: its cold start would pay for it)."""
        if not self.hash_files:
            return ""
        from aishellc.compiler.hashing import sha256_bytes

        return sha256_bytes(target)

    def _hash_file(self, source: Source, relative: str, checked: os.stat_result) -> str:
        """The sha256 of the regular file ``checked`` found at ``relative``: opened without
        following a symlink, and refused unless it is that same file (a link or another
        file swapped in after the check is never read)."""
        digest = hashlib.sha256()
        try:
            with open(self._abs(relative), "rb", opener=_open_unfollowed) as handle:
                opened = os.fstat(handle.fileno())
                if not stat.S_ISREG(opened.st_mode) or _identity(opened) != _identity(checked):
                    raise self._changed(source, relative)
                while chunk := handle.read(_CHUNK):
                    digest.update(chunk)
        except OSError as exc:
            if exc.errno == errno.ELOOP:  # O_NOFOLLOW met a symlink
                raise self._changed(source, relative) from None
            raise self.fail(
                source,
                f"cannot read context file {relative}: {reason_clause(exc)}",
                "make it readable, or exclude it in .dockerignore",
            ) from None
        return digest.hexdigest()

    def _changed(self, source: Source, relative: str) -> UserError:
        return self.fail(
            source,
            f"context file {relative} changed while it was read",
            "compile again once nothing is changing the context",
        )

    def _stat(self, source: Source, relative: str, *, follow: bool) -> os.stat_result:
        try:
            return os.stat(self._abs(relative), follow_symlinks=follow)  # noqa: PTH116
        except OSError as exc:
            raise self.fail(source, f"cannot read {relative}: {reason_clause(exc)}") from None

    def _listdir(self, source: Source, relative: str) -> list[str]:
        names = self._listed.get(relative)
        if names is not None:
            return names
        try:
            names = sorted(os.listdir(self._abs(relative)))  # noqa: PTH208
        except OSError as exc:
            raise self.fail(
                source, f"cannot read folder {relative or '.'}: {reason_clause(exc)}"
            ) from None
        self._listed[relative] = names
        return names

    def _abs(self, relative: str) -> str:
        # The root with a final "/": a context that is a symlink to a folder is that
        # folder (the docker CLI resolves it), not a link to hash.
        return posixpath.join(self.root, relative)


# --- helpers ---------------------------------------------------------------------------


def _open_unfollowed(path: str, flags: int) -> int:
    # O_NONBLOCK: a FIFO swapped in must not hang the open before its type is checked.
    return os.open(path, flags | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))


def _identity(info: os.stat_result) -> tuple[int, int]:
    return info.st_dev, info.st_ino


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "FIFO"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return "special file"


__all__ = ["ContextFile", "ContextReading", "Source", "collect_sources", "context_inputs"]
