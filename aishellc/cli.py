"""The command line: ``aishellc [compile] | check | parse | plan | build | prune | rule |
lock | update | outdated``.

Exit codes: 0 success (warnings allowed), 1 error diagnostics, 2 usage error or input that
cannot be read or parsed. A bug in aishellc exits 70 with a one-line message (set
``AISHELLC_DEBUG=1`` for the traceback); bad input never produces a traceback.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TextIO

from aishellc import __version__
from aishellc.errors import UserError
from aishellc.terminal import needs_ascii_json, shell_word, visible

if TYPE_CHECKING:
    from aishellc.compiler.analysis import GlobalAnalysis, ProjectOptions

    # a global file's analysis by (its path, the config): the same for every Dockerfile
    GlobalAnalyses = dict[tuple[str | None, str | None], GlobalAnalysis | None]
    from aishellc.report import FileResult

EXIT_OK = 0
EXIT_DIAGNOSTICS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70

Handler = Callable[[argparse.Namespace, TextIO, TextIO], int]

# Python collects cyclic garbage every 700 net allocations. A run allocates mostly objects
# that live until it exits (classes made at import, the AST), which the collector walks
# again and again for nothing: about a tenth of a cold check's CPU time at the default.
_GC_THRESHOLDS = (50_000, 20, 20)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # Raised, not printed: run() writes it to the stream it was given.
        raise UserError(f"{self.prog}: {message}", help=f"run `{self.prog} --help` for usage")


def _cmd_parse(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from aishellc.parser import parse, read_dockerfile

    # each format imports only its own printer
    if args.format == "buildkit":
        from aishellc.parser.buildkit_lines import buildkit_view
    else:
        from aishellc.emit.ast_json import node_json

    status = EXIT_OK
    ascii_only = _ascii_json(out)
    for path in _distinct_files(args.files):
        record: dict[str, object] = {"path": path}
        try:
            data = read_dockerfile(path)
            if args.format == "buildkit":
                record["instructions"] = buildkit_view(data, path)
            else:
                record["document"] = node_json(parse(data, path))
        except UserError as exc:
            err.write(exc.render() + "\n")
            location = exc.location
            record["error"] = {
                "message": exc.message,
                "line": (location.line or None) if location else None,
                "column": (location.column or None) if location else None,
                "help": exc.help,
            }
            status = EXIT_USAGE
        out.write(json.dumps(record, ensure_ascii=ascii_only, sort_keys=True) + "\n")
    return status


def _check_file(
    path: str, args: argparse.Namespace, global_analyses: GlobalAnalyses
) -> tuple[list[FileResult], UserError | None]:
    """Analyse one file as ``compile`` would, without writing: its results (the
    Dockerfile's, and the config's when a diagnostic lies there), and the error if the
    file could not be read, parsed or expanded (then reported as an AIS001 diagnostic).
    Any other bad input (the config, the flags, the context's ``.dockerignore``) is
    raised. ``global_analyses`` keeps the global file's analysis per config, so a batch
    analyses it once, not once per Dockerfile."""
    from aishellc.compiler.analysis import analyze, analyze_global, read_project
    from aishellc.parser import parse, read_dockerfile
    from aishellc.parser.decode import decode
    from aishellc.passes.parse_errors import diagnostic_from_error
    from aishellc.report import FileResult

    data: bytes | None = None
    try:
        data = read_dockerfile(path)
        project = read_project(path, data, parse(data, path), _project_options(args))
        key = (project.global_file.path if project.global_file else None, project.config_path)
        if key not in global_analyses:
            global_analyses[key] = analyze_global(project, hash_files=False)
        found_global = global_analyses[key]
        analysis = analyze(project, hash_files=False, global_analysis=found_global)
        return analysis.results(project), None
    except UserError as exc:
        if exc.location is None or exc.location.path != path:
            raise
        try:
            text = decode(data, path).text if data is not None else None
        except UserError:
            text = None
        return [FileResult(path, text, [diagnostic_from_error(exc)])], exc


def _cmd_check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from aishellc.report import write

    by_path: dict[str, FileResult] = {}
    global_analyses: GlobalAnalyses = {}
    unreadable = False
    for path in _distinct_files(args.files):
        results, error = _check_file(path, args, global_analyses)
        for result in results:
            _merge(by_path, result)
        if error is not None:
            unreadable = True
            if args.format != "text":  # the text report already says it on stdout
                err.write(error.render() + "\n")
    results = list(by_path.values())
    write(args.format, out, results)
    if unreadable:
        return EXIT_USAGE
    if any(d.severity == "error" for result in results for d in result.diagnostics):
        return EXIT_DIAGNOSTICS
    return EXIT_OK


def _merge(by_path: dict[str, FileResult], result: FileResult) -> None:
    """Add one file's result; a config shared by several Dockerfiles is reported once."""
    import attrs

    known = by_path.get(result.path)
    if known is None:
        by_path[result.path] = result
        return
    merged = dict.fromkeys([*known.diagnostics, *result.diagnostics])
    by_path[result.path] = attrs.evolve(known, diagnostics=tuple(merged))


def _distinct_files(paths: Sequence[str]) -> list[str]:
    """Each file once, in the order given, as first spelled: ``d1``, ``./d1`` and
    ``/abs/d1`` (or a symlink to it) are one file."""
    seen: dict[str, str] = {}
    for path in paths:
        seen.setdefault(os.path.realpath(path), path)
    return list(seen.values())


def _cmd_rule(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from aishellc.diagnostics import retired_rule
    from aishellc.report.rule_docs import render_retired, render_rule
    from aishellc.rules import all_rules, rule_for

    rules = all_rules()
    if args.all:
        width = max((len(rule.name) for rule in rules), default=0)
        for listed in rules:
            out.write(
                f"{listed.code}  {listed.name:<{width}}  {listed.severity:<7}  {listed.summary}\n"
            )
        return EXIT_OK
    if args.code is None:
        raise UserError("aishellc rule: give a rule code or name, or --all to list them")
    rule = rule_for(args.code)
    retired = retired_rule(args.code) if rule is None else None
    if retired is not None:
        out.write(render_retired(retired))
        return EXIT_OK
    if rule is None:
        known = ", ".join(listed.code for listed in rules)
        raise UserError(
            f"aishellc rule: unknown rule code or name `{args.code}`",
            help=f"known codes: {known} (or their names: aishellc rule --all)",
        )
    out.write(render_rule(rule))
    return EXIT_OK


def _ascii_json(out: TextIO) -> bool:
    return needs_ascii_json(out)


def _write_json(out: TextIO, value: object) -> None:
    """One JSON document on ``out``: sorted keys, indented, ASCII when ``out`` needs it."""
    out.write(json.dumps(value, ensure_ascii=_ascii_json(out), sort_keys=True, indent=2) + "\n")


def _write_json_error(out: TextIO, exc: UserError) -> None:
    """For ``--format json``: the error as JSON on stdout (the CLI also prints it on
    stderr and exits 2)."""
    location = exc.location
    error = {
        "message": exc.message,
        "path": location.path if location else None,
        "line": (location.line or None) if location else None,
        "column": (location.column or None) if location else None,
        "help": exc.help,
    }
    _write_json(out, {"error": error})


def _cmd_compile(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from aishellc.compiler.pipeline import CompileOptions, compile_dockerfile, write_output
    from aishellc.report.json import record as diagnostic_record

    options = CompileOptions(
        dockerfile=args.dockerfile,
        outdir=args.outdir,
        project=_project_options(args),
        locked=args.locked,
    )
    try:
        result = compile_dockerfile(options)
        if not result.has_errors:
            write_output(result)
    except UserError as exc:
        if args.format == "json":
            _write_json_error(out, exc)
        raise
    path = visible(result.source_path)
    outdir = visible(result.outdir)
    if args.format == "json":
        summary = {
            "written": not result.has_errors,
            "outdir": result.outdir,
            "final": result.final,
            "build_order": [tier.name for tier in result.tiers],
            "tiers": {tier.name: {"tag": tier.tag, "hash": tier.hash} for tier in result.tiers},
            "diagnostics": [
                diagnostic_record(visible(item.path), d)
                for item in result.results
                for d in item.diagnostics
            ],
        }
        _write_json(out, summary)
    else:
        if any(item.diagnostics for item in result.results):
            from aishellc.report import write

            # the same renderer as check: severity, source line with carets, help, summary
            write("text", err, list(result.results))
        if result.has_errors:
            count = sum(d.severity == "error" for item in result.results for d in item.diagnostics)
            err.write(f"aishellc: {count} error(s); {outdir}/ was not written\n")
        else:
            out.write(f"compiled {path} -> {outdir}/\n")
            width = max(len(tier.name) for tier in result.tiers)
            for tier in result.tiers:
                out.write(f"  {tier.name:<{width}}  {visible(tier.tag)}\n")
            manifest = shell_word(f"{result.outdir}/manifest.json")
            out.write(f"build in order: aishellc plan {manifest}\n")
    return EXIT_DIAGNOSTICS if result.has_errors else EXIT_OK


def _cmd_plan(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from aishellc.manifest.plan import (
        check_output_files,
        load_manifest,
        make_plan,
        plan_json,
        render_text,
    )

    try:
        if args.engine and args.previous is not None:
            raise UserError(
                "aishellc plan: --engine and --previous cannot be combined",
                help="--engine asks the engine what is built; --previous compares manifests",
            )
        new = load_manifest(args.manifest)
        previous = load_manifest(args.previous) if args.previous is not None else None
        check_output_files(args.manifest, new)
        if args.engine:
            from aishellc.engine import commands as engine_commands

            decisions = engine_commands.plan_decisions(new)
    except UserError as exc:
        if args.format == "json":
            _write_json_error(out, exc)
        raise
    if args.engine:
        if args.format == "json":
            _write_json(out, engine_commands.plan_json(decisions))
        else:
            out.write(engine_commands.render_plan(decisions))
        return EXIT_OK
    plan = make_plan(new, previous)
    if args.format == "json":
        _write_json(out, plan_json(plan))
    else:
        out.write(render_text(plan))
    return EXIT_OK


def _cmd_lock(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from aishellc.npm.commands import run_lock

    run_lock(args.dockerfile, args.harness, args.config, out)
    return EXIT_OK


def _cmd_update(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from aishellc.npm.commands import run_update

    run_update(args.dockerfile, args.names, args.dry_run, args.config, out)
    return EXIT_OK


def _cmd_outdated(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from aishellc.npm.commands import render_table, row_json, run_outdated

    try:
        rows = run_outdated(args.dockerfile, args.config)
    except UserError as exc:
        if args.format == "json":
            _write_json_error(out, exc)
        raise
    if args.format == "json":
        _write_json(out, {"outdated": [row_json(row) for row in rows]})
    elif rows:
        out.write(render_table(rows))
    # like `npm outdated`: 1 when anything is behind
    return EXIT_DIAGNOSTICS if rows else EXIT_OK


def _add_lock_commands(commands: argparse._SubParsersAction[_Parser]) -> None:
    """``lock``, ``update``, ``outdated`` (DESIGN.md, "Harness lock")."""
    dockerfile_help = "the sandbox Dockerfile; its lock is aishellc.lock next to it"
    config_help = (
        "aishellc TOML configuration: harnesses, [npm] registry (default: aishellc.toml "
        "next to the Dockerfile, when present)"
    )
    lock_cmd = commands.add_parser(
        "lock",
        help="resolve harness specs into aishellc.lock (keeps what is locked)",
        description="Write aishellc.lock next to DOCKERFILE: each harness's exact version "
        "and integrity from its npm registry. A harness whose spec still covers its locked "
        "version keeps it (no network); missing ones are resolved; ones no longer requested "
        "are dropped. Exit codes: 0 written or up to date, 2 usage error, unreadable input "
        "or a registry failure (the lock untouched).",
    )
    lock_cmd.add_argument("dockerfile", metavar="DOCKERFILE", help=dockerfile_help)
    lock_cmd.add_argument(
        "--harness",
        action="append",
        default=[],
        metavar="NAME[@SPEC]",
        help="a harness and its spec: latest, a dist-tag, an exact version or an npm range "
        "such as ^2.1 (repeatable; default: the config's harnesses.default, else "
        "claude@latest)",
    )
    lock_cmd.add_argument("--config", metavar="FILE", help=config_help)
    lock_cmd.set_defaults(handler=_cmd_lock)

    update_cmd = commands.add_parser(
        "update",
        help="move locked harnesses to the newest version their spec allows",
        description="Move the named harnesses (default: all) of aishellc.lock to the "
        "version their requested spec picks now, printing `NAME OLD -> NEW`. Exit codes: 0 "
        "done, 2 usage error, unreadable input or a registry failure (the lock untouched).",
    )
    update_cmd.add_argument("dockerfile", metavar="DOCKERFILE", help=dockerfile_help)
    update_cmd.add_argument("names", nargs="*", metavar="NAME", help="harnesses to update")
    update_cmd.add_argument(
        "--dry-run", action="store_true", help="print what would change; write nothing"
    )
    update_cmd.add_argument("--config", metavar="FILE", help=config_help)
    update_cmd.set_defaults(handler=_cmd_update)

    outdated_cmd = commands.add_parser(
        "outdated",
        help="list locked harnesses behind their spec or latest; exit 1 if any",
        description="Like `npm outdated`: list each locked harness whose locked version is "
        "not the one its spec picks now (wanted), or whose wanted version is not the latest "
        "tag. Exit codes: 0 all current, 1 something is behind, 2 usage error, unreadable "
        "input or a registry failure.",
    )
    outdated_cmd.add_argument("dockerfile", metavar="DOCKERFILE", help=dockerfile_help)
    outdated_cmd.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help='text: a table for people (default); json: {"outdated": [...]}',
    )
    outdated_cmd.add_argument("--config", metavar="FILE", help=config_help)
    outdated_cmd.set_defaults(handler=_cmd_outdated)


def _project_options(args: argparse.Namespace) -> ProjectOptions:
    """The options :func:`_add_project_options` defines, as the analysis takes them."""
    from aishellc.compiler.analysis import ProjectOptions

    return ProjectOptions(
        harnesses=tuple(args.harness),
        context=args.context,
        config=args.config,
        legacy=args.legacy,
        strategy=args.harness_strategy,
        global_file=args.global_file,
        no_global=args.no_global,
    )


def _add_project_options(command: argparse.ArgumentParser, dockerfile: str) -> None:
    """The options ``check`` and ``compile`` share: what the analysis reads."""
    command.add_argument(
        "--harness",
        action="append",
        default=[],
        metavar="NAME[@VERSION]",
        help="a harness to install, e.g. claude@2.1.3 (repeatable; default: the config's "
        "harnesses.default, else claude@latest)",
    )
    command.add_argument(
        "--context",
        metavar="DIR",
        help="the extension's build context (default: the parent of .aishell/ or "
        ".sandbox/ holding the Dockerfile, else the Dockerfile's folder)",
    )
    command.add_argument(
        "--config",
        metavar="FILE",
        help=f"aishellc TOML configuration (default: aishellc.toml next to {dockerfile}, "
        "when present)",
    )
    command.add_argument(
        "--legacy",
        action="store_true",
        help="today's two-tier layout: harnesses in the base, the Dockerfile on top",
    )
    command.add_argument(
        "--global",
        dest="global_file",
        metavar="FILE",
        help="the global Dockerfile, built as aishell:base between the foundation and "
        "the project (default: ~/.aishell/Dockerfile, when present)",
    )
    command.add_argument(
        "--no-global",
        action="store_true",
        help="no global tier, even when ~/.aishell/Dockerfile exists",
    )
    command.add_argument(
        "--harness-strategy",
        choices=("stage", "inline"),
        default=None,
        help="stage: one cached stage per harness, copied in (default); inline: npm "
        "install on top of the extension",
    )


def _add_compile_options(command: argparse.ArgumentParser) -> None:
    """The options of ``compile``, which ``build`` takes too."""
    command.add_argument(
        "dockerfile", metavar="DOCKERFILE", help="the sandbox Dockerfile, e.g. .aishell/Dockerfile"
    )
    command.add_argument(
        "-o",
        "--output",
        dest="outdir",
        metavar="OUTDIR",
        required=True,
        help="the output folder (created, or replaced as a whole)",
    )
    _add_project_options(command, "the Dockerfile")
    command.add_argument(
        "--locked",
        action="store_true",
        help="fail unless aishellc.lock (next to the Dockerfile) exists and covers every "
        "harness (for CI); without it a missing lock means: install the specs as written",
    )


def _cmd_build(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from aishellc.engine.commands import cmd_build

    return cmd_build(args, out, err)


def _cmd_prune(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from aishellc.engine.commands import cmd_prune

    return cmd_prune(args, out, err)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="aishellc",
        description="Compile an aishell sandbox Dockerfile into foundation, extension and "
        "runtime tiers.",
    )
    parser.add_argument("--version", action="version", version=f"aishellc {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    parse_cmd = commands.add_parser(
        "parse",
        help="print the parsed form of Dockerfiles (JSON Lines, one per file)",
        description="Parse Dockerfiles as BuildKit does and print one JSON object per file. "
        "Exit codes: 0 parsed, 2 usage error or a file that cannot be read or parsed.",
    )
    parse_cmd.add_argument("files", nargs="+", metavar="DOCKERFILE", help="files to parse")
    parse_cmd.add_argument(
        "--format",
        choices=("json", "buildkit"),
        default="json",
        help="json: aishellc's AST; buildkit: BuildKit's own view of each instruction",
    )
    parse_cmd.set_defaults(handler=_cmd_parse)

    check_cmd = commands.add_parser(
        "check",
        help="lint Dockerfiles; exit 1 on error diagnostics, 2 on unreadable input",
        description="Lint aishell sandbox Dockerfiles: the same analysis as compile (the "
        "passes, the harness and runtime rules, the build context's sources), without "
        "writing. Exit codes: 0 no error diagnostics (warnings and infos allowed), 1 error "
        "diagnostics, 2 usage error, bad config, or a file that cannot be read or parsed "
        "(reported as AIS001).",
    )
    check_cmd.add_argument("files", nargs="+", metavar="DOCKERFILE", help="files to lint")
    check_cmd.add_argument(
        "--format",
        choices=("text", "json", "sarif"),
        default="text",
        help="text: for people (default); json: an array of diagnostics; sarif: SARIF 2.1.0",
    )
    _add_project_options(check_cmd, "each Dockerfile")
    check_cmd.set_defaults(handler=_cmd_check)

    rule_cmd = commands.add_parser(
        "rule", help="explain a diagnostic code", description="Print a rule's documentation."
    )
    rule_cmd.add_argument(
        "code",
        nargs="?",
        metavar="CODE|NAME",
        help="a rule code or name, e.g. AIS204 or final-user-not-root",
    )
    rule_cmd.add_argument("--all", action="store_true", help="list every rule")
    rule_cmd.set_defaults(handler=_cmd_rule)

    compile_cmd = commands.add_parser(
        "compile",
        help="compile a sandbox Dockerfile into foundation, extension and runtime tiers "
        "(the default command)",
        description="Compile DOCKERFILE into OUTDIR: foundation.Dockerfile (+ foundation/), "
        "extension.Dockerfile, runtime.Dockerfile, manifest.json, docker-bake.json. OUTDIR "
        "is replaced atomically, and only when there are no error diagnostics. Exit codes: "
        "0 written (warnings allowed), 1 error diagnostics (nothing written), 2 usage "
        "error or input that cannot be read or parsed (nothing written).",
    )
    _add_compile_options(compile_cmd)
    compile_cmd.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text: a summary for people (default); json: tags, build order and diagnostics",
    )
    compile_cmd.set_defaults(handler=_cmd_compile)

    plan_cmd = commands.add_parser(
        "plan",
        help="which tiers must rebuild, why, and the commands to run",
        description="Compare a new manifest.json with the previous one and list the tiers "
        "to rebuild, with reasons and the docker build commands in order. Without "
        "--previous every tier is listed.",
    )
    plan_cmd.add_argument(
        "manifest", metavar="NEW_MANIFEST", help="the manifest.json of the compile to build"
    )
    plan_cmd.add_argument(
        "--previous",
        metavar="OLD_MANIFEST",
        help="the manifest of what was built last (keep a copy outside the build context); "
        "tiers whose hash it already has are up to date. Without it every tier is built",
    )
    plan_cmd.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format"
    )
    plan_cmd.add_argument(
        "--engine",
        action="store_true",
        help="ask the Docker engine (and the registry, with one configured) instead: each "
        "tier is up to date, would be pulled or would be built, as `aishellc build` decides",
    )
    plan_cmd.set_defaults(handler=_cmd_plan)

    build_cmd = commands.add_parser(
        "build",
        help="compile, then make each tier's image exist: up to date, pulled or built",
        description="Compile DOCKERFILE into OUTDIR as `compile` does, then, per tier in "
        "build order: keep a local image with the tag and its hash label (up to date), pull "
        "the tag from the configured registry, or build it with BuildKit; --push then pushes "
        "it. Ends with a table: tier, tag, action, seconds. Exit codes: 0 built, 1 error "
        "diagnostics or a tier that failed to build, 2 usage error, bad input, an "
        "unreachable engine or registry, a refused push.",
    )
    _add_compile_options(build_cmd)
    build_cmd.add_argument(
        "--push", action="store_true", help="push each tier to the registry (after building)"
    )
    build_cmd.add_argument(
        "--pull",
        choices=("always", "missing", "never"),
        default="missing",
        help="pull a tier from the registry: always (when the registry has it), missing "
        "(default: when no local image is up to date), never",
    )
    build_cmd.add_argument(
        "--progress",
        choices=("auto", "plain", "quiet"),
        default=None,
        help="the engine's build output, passed to docker build (quiet: shown only when a "
        "tier fails)",
    )
    build_cmd.add_argument(
        "--network",
        metavar="MODE",
        default=None,
        help="passed to docker build, e.g. host on a machine without a bridge network",
    )
    build_cmd.add_argument(
        "--format", choices=("text", "json"), default="text", help="format of the final table"
    )
    build_cmd.set_defaults(handler=_cmd_build)

    prune_cmd = commands.add_parser(
        "prune",
        help="remove old aishell tier images no container uses",
        description="Remove aishell tier images (by their aishell.tier and hash labels) "
        "that no container uses and that are not among the newest N per tier and project "
        "(image repository). Images without aishell's labels are never touched.",
    )
    prune_cmd.add_argument(
        "--keep",
        type=int,
        default=1,
        metavar="N",
        help="keep the newest N images per tier and project (default: 1)",
    )
    prune_cmd.add_argument(
        "--dry-run", action="store_true", help="print what would be removed; remove nothing"
    )
    prune_cmd.set_defaults(handler=_cmd_prune)
    _add_lock_commands(commands)
    return parser


_SUBCOMMANDS = frozenset(
    {"build", "compile", "check", "parse", "plan", "prune", "rule", "lock", "update", "outdated"}
)


def _with_default_command(argv: Sequence[str]) -> list[str]:
    """``aishellc FILE -o OUT`` means ``aishellc compile FILE -o OUT``."""
    argv = list(argv)
    first = next((arg for arg in argv if arg not in ("--",)), None)
    if first is None or first in _SUBCOMMANDS or first.startswith("-"):
        return argv
    return ["compile", *argv]


# Options whose value is a list of strings; every other value is one string (or a flag).
_LIST_VALUES = frozenset({"files", "harness", "names"})


def _check_values(args: argparse.Namespace) -> None:
    """argparse drops a ``--`` given as an option's value (``--context=--``), which leaves
    an empty list where a string belongs."""
    for name, value in vars(args).items():
        values = value if name in _LIST_VALUES and isinstance(value, list) else [value]
        if any(isinstance(item, list) for item in values):
            option = "-o/--output" if name == "outdir" else "--" + name.replace("_", "-")
            raise UserError(
                f"aishellc: argument {option}: '--' is not a value it can take",
                help="give the value itself, e.g. --harness claude@2.1.3",
            )


def run(argv: Sequence[str], out: TextIO, err: TextIO) -> int:
    """Run the command line; return the exit code."""
    try:
        args = build_parser().parse_args(_with_default_command(argv))
        _check_values(args)
        handler: Handler | None = getattr(args, "handler", None)
        if handler is None:
            build_parser().print_help(err)
            return EXIT_USAGE
        return handler(args, out, err)
    except UserError as exc:
        err.write(exc.render() + "\n")
        return EXIT_USAGE


def _tolerant_streams() -> None:
    """Never fail on a character stdout or stderr cannot encode (a non-UTF-8 locale, a file
    name that is not UTF-8): write it as a backslash escape instead."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


def main(argv: Sequence[str] | None = None) -> int:
    gc.set_threshold(*_GC_THRESHOLDS)
    _tolerant_streams()
    try:
        return run(sys.argv[1:] if argv is None else argv, sys.stdout, sys.stderr)
    except KeyboardInterrupt:
        sys.stderr.write("aishellc: interrupted\n")
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:
        if os.environ.get("AISHELLC_DEBUG"):
            import traceback

            traceback.print_exc()
        sys.stderr.write(
            f"aishellc: internal error (a bug in aishellc): {type(exc).__name__}: "
            f"{visible(str(exc))}\n"
            "  help: please report it with the input that caused it; "
            "set AISHELLC_DEBUG=1 for details\n"
        )
        return EXIT_INTERNAL
