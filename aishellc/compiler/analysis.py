"""One analysis for ``check`` and ``compile``: which diagnostics a Dockerfile gets.

:func:`read_project` reads and checks a compile's inputs except the output folder: the
Dockerfile, the configuration, the harnesses, the strategy, the build context and the
platform (their defaults are :mod:`aishellc.compiler.pipeline`'s, listed there).
:func:`analyze` then decides every diagnostic:

1. the passes (:mod:`aishellc.passes`), with the harness binaries the extension's build
   cannot run for this layout and strategy;
2. the runtime-tier rules (AIS301–AIS303, :mod:`aishellc.compiler.rules`), only when the
   final stage builds on aishell (otherwise AIS201 says what matters);
3. the build context (AIS304–AIS306, :mod:`aishellc.context.rules`), every source;
4. ``# aishellc ignore=`` comments over all of them (so a comment silences a runtime or
   context rule as it silences a pass's, and is not reported as unused), then the
   config's project-wide ``ignore``.

``check`` calls both and prints; ``compile`` also renders, hashes and writes. Neither
prints here. A file that reads nothing from its context (no ``COPY``, ``ADD`` or
``RUN --mount``) and has no ``.dockerignore`` does not load the context reader, which
keeps ``check``'s cold start lean.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Sequence
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

import attrs

import aishellc.context.rules  # noqa: F401  (AIS304-306 are known to # aishellc ignore= comments)
from aishellc import ast
from aishellc.compiler.rules import (
    UNPINNED_HARNESS,
    UNRESTORABLE_USER,
    restorable_user,
)
from aishellc.context.platforms import BuildPlatforms, build_platforms, document_args
from aishellc.diagnostics import Diagnostic
from aishellc.errors import Location, UserError
from aishellc.lock import lock_path
from aishellc.passes.accounts import is_root_user

if TYPE_CHECKING:
    from aishellc.config.harnesses import HarnessPin
    from aishellc.config.model import Config
    from aishellc.context.sources import ContextReading
    from aishellc.lock.file import Lock
    from aishellc.passes.context import Accounts
    from aishellc.report import FileResult

PROJECT_FOLDERS = (".aishell", ".sandbox")
GLOBAL_FILE = (".aishell", "Dockerfile")
"""Where upstream's global Dockerfile lives, under ``$HOME``; its folder is its context."""


class ProjectOptions(NamedTuple):
    """What ``check``, ``compile`` and ``build`` are told about a project, as the command line
    gives it (``--harness``, ``--context``, ``--config``, ``--legacy``,
    ``--harness-strategy``, ``--global``, ``--no-global``)."""

    harnesses: tuple[str, ...] = ()
    context: str | None = None
    config: str | None = None
    legacy: bool = False
    strategy: str | None = None
    global_file: str | None = None
    """``--global FILE``: the global Dockerfile (default ``~/.aishell/Dockerfile``)."""
    no_global: bool = False


NO_OPTIONS = ProjectOptions()
"""No option given: every default."""


class GlobalFile(NamedTuple):
    """The global Dockerfile (``~/.aishell/Dockerfile``, or ``--global FILE``), read and
    parsed; its folder is the global tier's build context."""

    path: str
    source: bytes
    document: ast.Document
    context_dir: str


# Project and Analysis are named tuples: an attrs class costs about a millisecond of every
# cold ``check`` to create, and these two are made once per file and never changed.
class Project(NamedTuple):
    """A project's inputs, read and checked."""

    path: str
    source: bytes
    document: ast.Document
    config: Config | None
    """None without a config file (the built-in defaults): ``check`` then never loads the
    config module, which its cold start would pay for nothing."""
    config_path: str | None
    pins: tuple[HarnessPin, ...]
    """In the order given."""
    pins_from_flags: bool
    strategy: str
    """``stage``, ``inline`` or ``legacy``."""
    context_dir: str
    platforms: BuildPlatforms
    lock_file: Path
    """Where the project's ``aishellc.lock`` is (next to the Dockerfile)."""
    lock: Lock | None
    """The lock, or None when there is none."""
    global_file: GlobalFile | None = None
    """The global Dockerfile, or None (none found, or ``--no-global``)."""


class GlobalAnalysis(NamedTuple):
    """What :func:`analyze_global` found in the global file."""

    document: ast.Document
    """The document the passes returned (its FROMs rewritten to the foundation)."""
    diagnostics: tuple[Diagnostic, ...]
    context: ContextReading | None
    """The files read from its folder (None when nothing reads it)."""
    accounts: Accounts
    """The users and groups its final stage ends with (AIS205 in the project knows them)."""


class Analysis(NamedTuple):
    """What :func:`analyze` found."""

    document: ast.Document
    """The document the passes returned (the base rewrite applied)."""
    final_user: ast.User | None
    """The USER in effect at the end of the final stage (None: never set)."""
    diagnostics: tuple[Diagnostic, ...]
    """The Dockerfile's, sorted; suppressed and ignored ones dropped."""
    config_diagnostics: tuple[Diagnostic, ...]
    """Located in the config file (a harness it leaves at ``latest``)."""
    context: ContextReading | None
    """The files read from the build context (None when nothing could read it)."""
    ignore_source: str | None
    """The ``.dockerignore`` in effect, if any, and its bytes."""
    ignore_data: bytes | None
    global_analysis: GlobalAnalysis | None = None
    """The global file's (with a global file)."""

    def results(self, project: Project) -> list[FileResult]:
        """The diagnostics per file, for the report writers."""
        from aishellc.report import FileResult

        text = project.document.source.text if project.document.source else ""
        found = [FileResult(project.path, text, self.diagnostics)]
        if self.global_analysis is not None and project.global_file is not None:
            source = project.global_file.document.source
            found.append(
                FileResult(
                    project.global_file.path,
                    source.text if source else "",
                    self.global_analysis.diagnostics,
                )
            )
        if self.config_diagnostics and project.config_path is not None:
            config_text = Path(project.config_path).read_bytes().decode(errors="replace")
            found.append(FileResult(project.config_path, config_text, self.config_diagnostics))
        return found


# --- the inputs ------------------------------------------------------------------------


def read_project(
    path: str,
    source: bytes,
    document: ast.Document,
    options: ProjectOptions = NO_OPTIONS,
) -> Project:
    """Read and check the rest of a project's inputs, given as the command line gives them
    (any problem is a :class:`UserError`)."""
    from aishellc.config.harnesses import DEFAULT_HARNESSES
    from aishellc.config.location import default_config

    harnesses, context, config = options.harnesses, options.context, options.config
    legacy, strategy = options.legacy, options.strategy

    if legacy and strategy is not None:
        raise UserError(
            "--legacy and --harness-strategy cannot be combined",
            help="the legacy layout installs the harnesses below the project's Dockerfile",
        )
    config_path = config if config is not None else default_config(path)
    loaded = None
    if config_path is not None or harnesses:  # flags are checked against its registry
        from aishellc.config.model import load_config

        loaded = load_config(config_path)
    platforms = build_platforms(os.environ)
    if harnesses:
        assert loaded is not None
        pins = resolve_harnesses(harnesses, loaded)
    else:
        pins = loaded.default_harnesses if loaded is not None else DEFAULT_HARNESSES
    configured = loaded.strategy if loaded is not None else "stage"  # Config's default
    chosen = "legacy" if legacy else (strategy or configured)
    context_dir = posixpath.normpath(context if context is not None else default_context(path))
    _check_context(context_dir, context is not None)
    lock_file = lock_path(path)
    lock = None
    if os.path.lexists(lock_file):  # the reader is loaded only for a project with a lock
        from aishellc.lock.file import read_lock

        lock = read_lock(lock_file)
    found_global = find_global(options.global_file, options.no_global)
    return Project(
        global_file=read_global(found_global) if found_global is not None else None,
        path=path,
        source=source,
        document=document,
        config=loaded,
        config_path=config_path,
        pins=pins,
        pins_from_flags=bool(harnesses),
        strategy=chosen,
        context_dir=context_dir,
        platforms=platforms,
        lock_file=lock_file,
        lock=lock,
    )


def find_global(given: str | None, disabled: bool) -> str | None:
    """The global Dockerfile: none with ``--no-global``, ``--global FILE`` (which must
    exist), else ``$HOME/.aishell/Dockerfile`` when it is a file."""
    if given is not None and disabled:
        raise UserError("--global and --no-global cannot be combined", help="pass one of them")
    if disabled:
        return None
    if given is not None:
        if not Path(given).is_file():
            raise UserError(
                "--global: no such file",
                Location(given),
                help="pass the global Dockerfile (upstream's ~/.aishell/Dockerfile), or "
                "--no-global",
            )
        return given
    home = os.environ.get("HOME")
    if not home:
        return None
    path = posixpath.join(home, *GLOBAL_FILE)
    return path if Path(path).is_file() else None


def read_global(path: str) -> GlobalFile:
    """Read and parse the global file (its problems are located in it)."""
    from aishellc.parser import parse, read_dockerfile

    source = read_dockerfile(path)
    folder = posixpath.dirname(path) or "."
    return GlobalFile(path, source, parse(source, path), folder)


def absolute(path: str) -> str:
    """``path`` made absolute against the current directory, lexically (symlinks are not
    resolved). Only used to compare paths, never written to an output."""
    return posixpath.normpath(str(Path(path).absolute()))


def default_context(dockerfile: str) -> str:
    """The project root: the parent of ``.aishell/`` or ``.sandbox/`` holding the
    Dockerfile, else the Dockerfile's folder (as a path relative like the one given)."""
    folder = posixpath.dirname(dockerfile) or "."
    if Path(absolute(folder)).name in PROJECT_FOLDERS:
        return posixpath.normpath(posixpath.join(folder, ".."))
    return posixpath.normpath(folder)


def resolve_harnesses(specs: Sequence[str], config: Config) -> tuple[HarnessPin, ...]:
    """The ``--harness`` flags (checked against the registry), else the config's list."""
    from aishellc.config.harnesses import parse_harness_specs

    if not specs:
        return config.default_harnesses
    flag = Location.flag("--harness")
    return parse_harness_specs(specs, config.harnesses, [flag] * len(specs))


def _check_context(context_dir: str, given: bool) -> None:
    where = Location(context_dir)
    flag = "--context" if given else "the build context"
    if not Path(context_dir).exists():
        raise UserError(f"{flag} does not exist", where, help="pass an existing folder")
    if not Path(context_dir).is_dir():
        raise UserError(f"{flag} is not a folder", where, help="pass a folder")


# --- the analysis ----------------------------------------------------------------------


def analyze(
    project: Project,
    *,
    foundation_image: str | None = None,
    extra_excludes: Sequence[str] = (),
    hash_files: bool = True,
    global_image: str | None = None,
    global_analysis: GlobalAnalysis | None = None,
) -> Analysis:
    """Every diagnostic of the project (see the module docs). ``foundation_image`` is the
    tag the base rewrite points at (``compile`` knows it; ``check`` does not need it);
    ``extra_excludes`` are ``.dockerignore`` patterns applied after the user's (the output
    folder); without ``hash_files`` the context is walked but no file is opened.
    Raises :class:`UserError` for input no build could use (a ``COPY`` of a URL, an
    expansion over the cap, a bad mount type, a bad ``.dockerignore``)."""
    from aishellc.passes import PassContext, run_passes
    from aishellc.passes.harness_commands import one_analysis
    from aishellc.passes.stage_graph import analyze_stages
    from aishellc.passes.suppressions import apply_suppressions, drop_ignored

    document = project.document
    context = PassContext(
        path=project.path,
        harness_binaries=harness_binaries(project),
        automatic_args=MappingProxyType(document_args(project.platforms, document)),
        foundation_user=(
            project.config.foundation.user.name if project.config is not None else "developer"
        ),
    )
    if foundation_image is not None:
        context = attrs.evolve(context, foundation_image=foundation_image)
    if project.global_file is not None and project.strategy != "legacy":
        # ``aishell:base`` names the global tier (``check`` has no tag for it)
        context = attrs.evolve(context, global_image=global_image or "aishell:base")
        if global_analysis is not None:
            context = attrs.evolve(context, global_accounts=global_analysis.accounts)
    with one_analysis():  # the passes and the stage graph share each script's analysis
        rewritten, found = run_passes(document, context, suppress=False)
        graph = analyze_stages(rewritten, context)
    final = graph.final
    final_user = graph.final_user(final) if final is not None else None
    config_found: list[Diagnostic] = []
    if final is not None and final.on_aishell:
        found += _runtime_diagnostics(project, final_user, config_found)
    reading, ignore_source, ignore_data = _read_context(
        project.document, project.context_dir, project.path, extra_excludes, project, hash_files
    )
    if reading is not None:
        found += reading.problems
    ignore = project.config.ignore if project.config is not None else ()
    kept = drop_ignored(apply_suppressions(document, found), ignore)
    return Analysis(
        document=rewritten,
        final_user=final_user,
        diagnostics=tuple(sorted(kept, key=lambda d: d.sort_key)),
        config_diagnostics=tuple(drop_ignored(config_found, ignore)),
        context=reading,
        ignore_source=ignore_source,
        ignore_data=ignore_data,
        global_analysis=global_analysis,
    )


def analyze_global(
    project: Project, *, foundation_image: str | None = None, hash_files: bool = True
) -> GlobalAnalysis | None:
    """The global file's diagnostics (the same passes as the project's, under its own path;
    no harness is installed below it, so every harness binary is reported) and its context
    reading; None without a global file. ``foundation_image`` is the tag its FROMs are
    rewritten to (upstream's global file says ``FROM aishell:foundation``; ``aishell:base``
    is the foundation too, there being nothing else below it)."""
    from aishellc.passes import PassContext, run_passes
    from aishellc.passes.accounts import final_accounts
    from aishellc.passes.harness_commands import one_analysis
    from aishellc.passes.suppressions import apply_suppressions, drop_ignored

    found_global = project.global_file
    if found_global is None:
        return None
    document = found_global.document
    context = PassContext(
        path=found_global.path,
        harness_binaries=harness_binaries(project, below_harnesses=True),
        automatic_args=MappingProxyType(document_args(project.platforms, document)),
        foundation_user=(
            project.config.foundation.user.name if project.config is not None else "developer"
        ),
    )
    if foundation_image is not None:
        context = attrs.evolve(context, foundation_image=foundation_image)
    with one_analysis():
        rewritten, found = run_passes(document, context, suppress=False)
        accounts = final_accounts(rewritten, context)
    # built from the generated base.Dockerfile (bake: inlined), so BuildKit reads only the
    # context's .dockerignore, never one beside the global file
    reading, _, _ = _read_context(
        document,
        found_global.context_dir,
        found_global.path,
        (),
        project,
        hash_files,
        own_ignore_file=False,
    )
    if reading is not None:
        found += reading.problems
    ignore = project.config.ignore if project.config is not None else ()
    kept = drop_ignored(apply_suppressions(document, found), ignore)
    diagnostics = tuple(sorted(kept, key=lambda d: d.sort_key))
    return GlobalAnalysis(rewritten, diagnostics, reading, accounts)


def harness_binaries(project: Project, *, below_harnesses: bool = False) -> dict[str, str]:
    """Harness binaries the extension's build cannot run: all of them in the three-tier
    layout (the foundation has none), the ones not installed in the legacy base. The
    global file (``below_harnesses``) is below every harness install."""
    from aishellc.config.harnesses import HarnessRegistry

    legacy = project.strategy == "legacy" and not below_harnesses
    installed = {pin.name for pin in project.pins} if legacy else set()
    config = project.config
    registry = config.harnesses if config is not None else HarnessRegistry.builtin()
    return {h.binary: h.package for h in registry.entries if h.name not in installed}


def _runtime_diagnostics(
    project: Project, final_user: ast.User | None, config_found: list[Diagnostic]
) -> list[Diagnostic]:
    """AIS301–AIS303. AIS301 goes where the harness was named: its line in the config
    (appended to ``config_found``), else the final FROM (a ``--harness`` flag or the
    built-in default has no line; the message says which it was)."""
    froms = [node for node in project.document.instructions if isinstance(node, ast.From)]
    final_from = froms[-1].span if froms else None
    found: list[Diagnostic] = []
    config = project.config
    origins = () if project.pins_from_flags or config is None else config.default_harness_origins
    locked = frozenset(project.lock.names()) if project.lock is not None else frozenset()
    for index, pin in enumerate(project.pins):
        if pin.pinned or pin.name in locked:
            continue
        if index < len(origins):
            origin = origins[index]
            # a config may serve several Dockerfiles: its diagnostic names none of them
            help = (
                "run `aishellc lock DOCKERFILE` to lock the current release (compile then "
                "installs it, and `aishellc update` moves it), or pin it here: "
                f'"{pin.name}@X.Y.Z"'
            )
            config_found.append(
                Diagnostic(
                    UNPINNED_HARNESS.code,
                    UNPINNED_HARNESS.severity,
                    f"harness {pin.name} is not locked (latest): its hash cannot see a new release",
                    help,
                    line=origin.line,
                    column=origin.column,
                    end_line=origin.line,
                    end_column=origin.column + 1,
                )
            )
            continue
        # the manifest keeps this text: it names no path, which would depend on the
        # folder aishellc ran in
        help = (
            "run `aishellc lock` on this Dockerfile to lock the current release (compile "
            "then installs it, and `aishellc update` moves it), or pin it: "
            f"--harness {pin.name}@X.Y.Z"
        )
        given = f"--harness {pin.name}" if project.pins_from_flags else "the built-in default"
        found.append(
            Diagnostic.at(
                UNPINNED_HARNESS,
                final_from,
                f"harness {pin.name} ({given}) is not locked (latest): its hash cannot see "
                "a new release",
                help,
            )
        )
    user_text = final_user.value.value if final_user and final_user.value else None
    # Root (or no USER) is what the entrypoint needs; AIS204 reports any other final USER.
    if (
        project.strategy == "inline"
        and not is_root_user(user_text)
        and not restorable_user(user_text or "")
    ):
        found.append(
            Diagnostic.at(
                UNRESTORABLE_USER,
                final_user.span if final_user is not None else None,
                f"--harness-strategy inline cannot restore USER {user_text!r} after the installs",
                "use the stage strategy (the default), or write the user as a literal name or id",
            )
        )
    return found


def _read_context(
    document: ast.Document,
    context_dir: str,
    path: str,
    extra_excludes: Sequence[str],
    project: Project,
    hash_files: bool,
    *,
    own_ignore_file: bool = True,
) -> tuple[ContextReading | None, str | None, bytes | None]:
    """The context reading of ``document`` (the Dockerfile at ``path``, built in
    ``context_dir``), and the ``.dockerignore`` in effect and its bytes. Skipped, without
    loading the reader, when nothing reads the context and no ignore file exists (nothing
    could then be found or refused). Without ``own_ignore_file`` the Dockerfile's own
    ``<path>.dockerignore`` is not read (the build does not see it)."""
    ignored_for = path if own_ignore_file else None
    ignore_files = [posixpath.join(context_dir, ".dockerignore")]
    if ignored_for is not None:
        ignore_files.append(ignored_for + ".dockerignore")
    if not _reads_context(document) and not any(map(os.path.lexists, ignore_files)):
        return None, None, None
    from aishellc.context.ignore_rules import load_ignore_rules
    from aishellc.context.sources import context_inputs

    rules, ignore_source, ignore_data = load_ignore_rules(context_dir, ignored_for, extra_excludes)
    reading = context_inputs(
        document,
        context_dir,
        path=path,
        rules=rules,
        platforms=project.platforms,
        hash_files=hash_files,
    )
    return reading, ignore_source, ignore_data


def _reads_context(document: ast.Document) -> bool:
    """Whether an instruction could read the build context (a superset of what
    :func:`aishellc.context.sources.collect_sources` finds: stages and flags are not looked at)."""
    for node in document.instructions:
        trigger = node.trigger if isinstance(node, ast.Onbuild) else node
        if isinstance(trigger, ast.Copy | ast.Add):
            return True
        if isinstance(trigger, ast.Run) and any(flag.name == "mount" for flag in trigger.flags):
            return True
    return False


__all__ = [
    "Analysis",
    "GlobalAnalysis",
    "GlobalFile",
    "Project",
    "analyze",
    "analyze_global",
    "default_context",
    "read_project",
]
