"""Harness installs and runs in shell code: ``npm install -g <package>``, ``npx <package>``.

The commands come from :func:`aishellc.shell.find_commands` (wrappers, ``sh -c`` strings
and heredocs fed to shells are already looked through); this module reads the package
managers' command lines. A package counts when its name, without a version or tag
(``@anthropic-ai/claude-code@1.0.3``), is the npm package of a configured harness.

Global installs: ``npm install|i|add -g``, ``pnpm add|install|i -g``, ``yarn global add``,
``bun add|install|i -g`` (``--global``, ``--location=global`` for npm).
Install-and-run: ``npx``, ``bunx``, ``npm exec|x``, ``pnpm dlx``, ``yarn dlx``.

Parsing shell code loads tree-sitter-bash, which costs more than the rest of a small
``check``. A script whose text cannot name a harness binary or a package manager
(:func:`may_name`) is not parsed: none of its commands could matter to the callers.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import itertools
import re
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

import attrs

from aishellc.passes.run_scripts import Script

if TYPE_CHECKING:
    from aishellc.shell import CommandUse

_NPM_INSTALL = frozenset(
    {"install", "i", "in", "ins", "inst", "insta", "instal", "isnt", "isnta", "isntal"}
    | {"isntall", "add"}
)
_GLOBAL_FLAGS = frozenset({"-g", "--global", "--global=true", "--location=global"})
_INSTALL_SUBCOMMANDS: Mapping[str, frozenset[str]] = {
    "npm": _NPM_INSTALL,
    "pnpm": frozenset({"add", "install", "i"}),
    "bun": frozenset({"add", "a", "install", "i"}),
}
_EXEC_SUBCOMMANDS: Mapping[str, frozenset[str]] = {
    "npm": frozenset({"exec", "x"}),
    "pnpm": frozenset({"dlx"}),
    "yarn": frozenset({"dlx"}),
}
_EXEC_PROGRAMS = frozenset({"npx", "bunx"})
# Options whose value is the next word: the package of npx/npm exec/dlx, and others.
_PACKAGE_OPTIONS = frozenset({"-p", "--package"})
_VALUE_OPTIONS = frozenset(
    {"-c", "--call", "--prefix", "--registry", "--cache", "--userconfig", "--loglevel"}
    | {"-C", "--dir", "--cwd", "-F", "--filter"}
)
# The programs through which :func:`harness_packages` finds installs and runs.
_PACKAGE_PROGRAMS = frozenset({*_INSTALL_SUBCOMMANDS, *_EXEC_SUBCOMMANDS, *_EXEC_PROGRAMS})
# What the shell analysis drops from a word before it is a program name: quotes, the
# backslashes of escapes, escaped newlines (``c\la"u"de`` runs ``claude``).
_DROPPED_FROM_WORDS = str.maketrans("", "", "\\'\"\r\n")
# An escape that can stand for any character: $'\x63', $'\143', $'\u0063'.
_CHARACTER_ESCAPE = re.compile(r"\\[0-7xuU]")


_SCOPE: contextvars.ContextVar[dict[str, tuple[CommandUse, ...]] | None] = contextvars.ContextVar(
    "aishellc_commands_scope", default=None
)


def may_name(text: str, names: Collection[str]) -> bool:
    """Whether shell code ``text`` can run a program called one of ``names`` or a package
    manager, by its text alone: False only when no such name appears in it once quotes,
    escapes and escaped newlines are dropped, and no escape can spell one. Names the
    analysis cannot know (``$VAR``, ``$(cmd)``) are never one of them.
    """
    if _CHARACTER_ESCAPE.search(text):
        return True
    plain = text.translate(_DROPPED_FROM_WORDS)
    return any(name in plain for name in itertools.chain(names, _PACKAGE_PROGRAMS))


def commands_in(script: str) -> tuple[CommandUse, ...]:
    """Every command a script runs (parsed once per distinct script: per
    :func:`one_analysis` scope, else in a small cache)."""
    scope = _SCOPE.get()
    if scope is None:
        return _commands_cached(script)
    found = scope.get(script)
    if found is None:
        found = scope[script] = _find_commands(script)
    return found


def script_commands(script: Script, binaries: Collection[str]) -> tuple[CommandUse, ...]:
    """Every command a RUN's script runs: the commands of each of its analysed texts (the
    same command found in several is reported once), in source order. None, without
    parsing, when its text cannot run one of ``binaries`` or a package manager
    (:func:`may_name`): callers look for nothing else."""
    if not may_name(script.text, binaries):
        return ()
    return every_command(script)


def every_command(script: Script) -> tuple[CommandUse, ...]:
    """Every command a RUN's script runs, without :func:`script_commands`' filter."""
    texts = script.analysed_texts
    if len(texts) == 1:
        return commands_in(texts[0])
    found = dict.fromkeys(use for text in texts for use in commands_in(text))
    return tuple(sorted(found, key=lambda use: (use.start, use.end)))


@functools.lru_cache(maxsize=4096)
def _commands_cached(script: str) -> tuple[CommandUse, ...]:
    return _find_commands(script)


def _find_commands(script: str) -> tuple[CommandUse, ...]:
    # Imported on first use, not with this module: it loads tree-sitter.
    from aishellc.shell import commands

    return commands.find_commands(script)


@contextlib.contextmanager
def one_analysis() -> Iterator[None]:
    """Within the block, each distinct script is analysed once, however many there are.

    Several passes look at every RUN; a cache of fixed size that all of them share
    misses every time once a file has more distinct scripts than it holds, and each
    script was then analysed once per pass.
    """
    if _SCOPE.get() is not None:  # already in one
        yield
        return
    token = _SCOPE.set({})
    try:
        yield
    finally:
        _SCOPE.reset(token)


@attrs.frozen
class PackageUse:
    """A package-manager command that installs or runs a harness package."""

    use: CommandUse
    package: str
    binary: str
    #: "install": a global install; "run": downloaded and run at once (npx)
    kind: str


def package_name(spec: str) -> str:
    """``@scope/name@1.2`` -> ``@scope/name``; ``name@latest`` -> ``name``."""
    at = spec.find("@", 1)
    return spec[:at] if at > 0 else spec


def harness_packages(
    uses: Iterable[CommandUse], binaries: Mapping[str, str]
) -> tuple[PackageUse, ...]:
    """The harness installs and install-and-runs among ``uses``, in order."""
    by_package = {package: binary for binary, package in binaries.items()}
    found = []
    for use in uses:
        kind, specs = _classify(use)
        for spec in specs:
            binary = by_package.get(package_name(spec))
            if binary is not None:
                found.append(PackageUse(use, package_name(spec), binary, kind))
    return tuple(found)


def _classify(use: CommandUse) -> tuple[str, Sequence[str]]:
    name, argv = use.name, use.argv
    if name is None:
        return "", ()
    if name in _EXEC_PROGRAMS:
        return "run", _executed(argv)
    words = _operands(argv)
    if not words:
        return "", ()
    if name == "yarn":
        if words[:2] == ["global", "add"]:
            return "install", words[2:]
        if words[0] in _EXEC_SUBCOMMANDS["yarn"]:
            return "run", _executed(argv[argv.index(words[0]) + 1 :])
        return "", ()
    subcommand = words[0]
    if subcommand in _INSTALL_SUBCOMMANDS.get(name, ()) and _is_global(argv):
        return "install", words[1:]
    if subcommand in _EXEC_SUBCOMMANDS.get(name, ()):
        return "run", _executed(argv[argv.index(subcommand) + 1 :])
    return "", ()


def _is_global(argv: Sequence[str]) -> bool:
    if any(word in _GLOBAL_FLAGS for word in argv):
        return True
    return any(pair == ("--location", "global") for pair in itertools.pairwise(argv))


def _operands(argv: Sequence[str]) -> list[str]:
    """The words of ``argv`` that are not options or option values."""
    operands = []
    skip = False
    for word in argv:
        if skip:
            skip = False
        elif word in _VALUE_OPTIONS:
            skip = True
        elif not word.startswith("-"):
            operands.append(word)
    return operands


def _executed(argv: Sequence[str]) -> list[str]:
    """The packages an npx-style command downloads: ``--package``/``-p`` values, else the
    first operand (the command, which names its package)."""
    packages = []
    index = 0
    while index < len(argv):
        word = argv[index]
        if word in _PACKAGE_OPTIONS and index + 1 < len(argv):
            packages.append(argv[index + 1])
            index += 2
            continue
        if word.startswith("--package="):
            packages.append(word.partition("=")[2])
        elif word in _VALUE_OPTIONS:
            index += 1
        elif word == "--":
            if not packages and index + 1 < len(argv):
                packages.append(argv[index + 1])
            break
        elif not word.startswith("-"):
            if not packages:
                packages.append(word)
            break
        index += 1
    return packages
