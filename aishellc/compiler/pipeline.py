"""The compile pipeline: read → parse → passes → render → hash → (write).

:func:`compile_dockerfile` turns a user's Dockerfile into the three tiers and returns every
output file's bytes with the diagnostics; it prints nothing and writes nothing.
:func:`write_output` then replaces the output folder atomically (:mod:`aishellc.emit.output`).
The CLI writes only when there are no error diagnostics.

Inputs, and where their defaults come from:

- the configuration: ``--config FILE``, else ``aishellc.toml`` next to the Dockerfile when
  it exists (``.aishell/aishellc.toml`` for ``.aishell/Dockerfile``), else the built-in
  defaults; a default file that exists but cannot be read or parsed is an error;
- the harnesses: the ``--harness NAME[@VERSION]`` flags, else the config's
  ``harnesses.default``, else ``claude@latest``; each checked against the registry and the
  version grammar before it can reach a ``RUN`` line;
- the strategy: ``--harness-strategy``, else the config's ``runtime.strategy`` (``stage``);
  ``--legacy`` selects the legacy layout (and cannot be combined with a strategy flag);
- the build context: ``--context DIR``, else the parent of ``.aishell/`` or ``.sandbox/``
  when the Dockerfile sits in one, else the Dockerfile's folder;
- the platform built for: ``DOCKER_DEFAULT_PLATFORM``, else this machine's
  (:mod:`aishellc.context.platforms`); it gives BuildKit's automatic platform ARGs their values
  and is recorded (``tiers.extension.platforms``); every tier is built for it
  (``--platform`` in each command, ``platforms`` in the bake file, ``platform`` in the
  manifest) and every tier's hash covers it.

Layouts:

- three-tier (default): foundation → extension (the user's file, ``FROM`` rewritten to the
  foundation) → runtime (harnesses). The image to run is the runtime.
- the global tier: with a global file (``~/.aishell/Dockerfile``, ``--global FILE``; none
  with ``--no-global``) a tier ``base`` is built from it on the foundation, in its folder,
  between the foundation and an extension that says ``FROM aishell:base`` (one that says
  ``FROM aishell:foundation`` skips it, and the tier is then left out of the chain). The
  output names it from ``~`` (:meth:`_Compiler.global_name`).
- legacy (``--legacy``): today's two-tier chain for comparison and fallback. The runtime
  tier is today's ``aishell:base`` (the foundation with the harnesses installed globally)
  and the user's file builds on it, rewritten only to name that image through
  ``${AISHELL_BASE}``. Build order foundation → runtime → extension; the image to run is
  the extension; a harness bump rebuilds both (which is what the three-tier layout avoids).
  A global file goes below the harnesses: foundation → base → runtime → extension.

Every path written into the output folder (the manifest, the bake file, the header of the
extension) is relative to the project root, the build context of the extension, and is
computed on real paths (symlinks resolved): the folder is the same bytes from any working
directory and however ``-o``, the Dockerfile or ``--context`` are spelt, and the commands
and bake file run from the project root. Nothing machine-specific (absolute paths, times)
reaches any output. An empty path is refused (``-o ''`` is not ``.``).

The output folder is checked before any work (:func:`~aishellc.emit.output.check_output_folder`)
and :func:`_check_layout` refuses one that would swallow the context, the Dockerfile, the
config, or the global file and its context, deciding on real paths (symlinks resolved).
When it lies in the project's context, it and the
temporary folders of its replace are excluded from the context with exact patterns
(:mod:`aishellc.context.ignore_literal`), in the hash and in the generated ignore file alike.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from aishellc import __version__, ast
from aishellc.compiler.analysis import (
    NO_OPTIONS,
    Analysis,
    GlobalAnalysis,
    GlobalFile,
    Project,
    ProjectOptions,
    analyze,
    analyze_global,
    read_project,
)
from aishellc.compiler.hashing import (
    extension_hash,
    foundation_hash,
    runtime_hash,
    semantic_sha256,
    sha256_bytes,
    sha256_text,
)
from aishellc.compiler.rules import restorable_user
from aishellc.config.model import Config, load_config
from aishellc.context.ignore_literal import Inexpressible, LiteralPattern, literal_pattern
from aishellc.diagnostics import Diagnostic
from aishellc.emit.bake import render_bake
from aishellc.emit.extension import render_extension
from aishellc.emit.foundation import CONTEXT_DIR, render_foundation
from aishellc.emit.manifest import (
    SCHEMA_VERSION,
    TierBuild,
    render_json,
)
from aishellc.emit.output import (
    OutputFolder,
    check_output_folder,
    leftover_prefix,
    replace_folder,
)
from aishellc.emit.runtime import (
    NPMRC_SECRET,
    InstalledHarness,
    RuntimeSpec,
    Strategy,
    render_runtime,
)
from aishellc.errors import Location, UserError
from aishellc.lock.installs import installed_harnesses
from aishellc.lock.secrets import npmrc_secret_source
from aishellc.parser import parse, read_dockerfile
from aishellc.report import FileResult
from aishellc.report.json import record as diagnostic_record

LABEL_PREFIX = "aishell."
BASE_NAME_LABEL = "org.opencontainers.image.base.name"

FOUNDATION_FILE = "foundation.Dockerfile"
GLOBAL_TIER_FILE = "base.Dockerfile"
EXTENSION_FILE = "extension.Dockerfile"
RUNTIME_FILE = "runtime.Dockerfile"
MANIFEST_FILE = "manifest.json"
BAKE_FILE = "docker-bake.json"
IGNORE_FILE = EXTENSION_FILE + ".dockerignore"


@attrs.frozen
class CompileOptions:
    """The command line of ``aishellc compile``; paths as the user gave them."""

    dockerfile: str
    outdir: str
    project: ProjectOptions = NO_OPTIONS
    locked: bool = False
    """``--locked``: a missing ``aishellc.lock`` is an error too (for CI)."""


@attrs.frozen
class CompileResult:
    """Everything a compile produced; nothing is written yet."""

    outdir: str
    output: OutputFolder
    """The real folder ``outdir`` names, as checked; :func:`write_output` replaces it."""
    files: Mapping[str, bytes]
    tiers: tuple[TierBuild, ...]
    """In build order."""
    diagnostics: tuple[Diagnostic, ...]
    """The Dockerfile's (:func:`aishellc.compiler.analysis.analyze` decides them)."""
    results: tuple[FileResult, ...]
    """Every diagnostic per file (the Dockerfile's, and the config's), for the writers."""
    source_path: str
    source_text: str
    """The Dockerfile as decoded (for diagnostics' source lines)."""
    final: str
    """The tag of the image to run (the last tier in build order)."""
    manifest: Mapping[str, Any]

    @property
    def has_errors(self) -> bool:
        return any(d.severity == "error" for result in self.results for d in result.diagnostics)

    def tier(self, name: str) -> TierBuild:
        return next(tier for tier in self.tiers if tier.name == name)


def from_root(root: str, path: str) -> str:
    """``path`` relative to the project root ``root``, both resolved (symlinks too, except
    a link the path ends in, which is named as it is), so that every spelling of the same
    file gives the same answer."""
    folder, name = posixpath.split(path)
    if name in ("", ".", ".."):
        target = os.path.realpath(path)
    else:
        target = posixpath.join(os.path.realpath(folder or "."), name)
    return posixpath.relpath(target, os.path.realpath(root))


def spec_location(from_flags: bool, config: Config) -> Location | None:
    """Where the harness specs were written: the ``--harness`` flags, else the config."""
    if from_flags:
        return Location.flag("--harness")
    return Location(config.source) if config.source is not None else None


# --- the pipeline ----------------------------------------------------------------------


@attrs.frozen
class _Inputs:
    """The compile's inputs, read and checked."""

    project: Project
    config: Config
    """The project's, or the built-in one."""
    installed: tuple[InstalledHarness, ...]
    outdir: str
    output: OutputFolder
    excludes: tuple[LiteralPattern, ...]
    source_name: str
    """The Dockerfile's path relative to the project root (as the output names it)."""
    output_name: str
    """The output folder's path relative to the project root."""
    lock_name: str | None
    """The ``aishellc.lock`` the versions come from, relative to the project root, or None
    without a lock."""
    npmrc: str | None
    """The user's ``.npmrc`` (``~/.npmrc``) when the harnesses' registry needs its token:
    the runtime build then reads it as a BuildKit secret."""


def read_inputs(options: CompileOptions) -> _Inputs:
    """Read and check everything a compile needs (any problem is a :class:`UserError`)."""
    for what, given in (
        ("the Dockerfile", options.dockerfile),
        ("the output folder", options.outdir),
        ("--context", options.project.context),
        ("--config", options.project.config),
    ):
        _check_given_path(what, given)
    source = read_dockerfile(options.dockerfile)
    document = parse(source, options.dockerfile)
    project = read_project(options.dockerfile, source, document, options.project)
    config = project.config if project.config is not None else load_config(None)
    outdir = posixpath.normpath(options.outdir)
    output = check_output_folder(outdir)
    context_dir = project.context_dir
    excludes = _check_layout(
        output, context_dir, project.path, project.config_path, project.global_file
    )
    source_name = from_root(context_dir, project.path)
    output_name = from_root(context_dir, str(output.path))
    _check_given_path("the Dockerfile (from the project root)", source_name)
    _check_given_path("the output folder (from the project root)", output_name)
    installed = installed_harnesses(
        project.pins,
        config.harnesses,
        project.lock,
        lock_file=project.lock_file,
        dockerfile=project.path,
        locked=options.locked,
        specs_at=spec_location(project.pins_from_flags, config),
    )
    lock_name = (
        from_root(context_dir, project.lock_file.as_posix()) if project.lock is not None else None
    )
    return _Inputs(
        project,
        config,
        installed,
        outdir,
        output,
        tuple(excludes),
        source_name,
        output_name,
        lock_name,
        npmrc_secret_source(config, installed),
    )


def compile_dockerfile(options: CompileOptions) -> CompileResult:
    """Compile (see the module docs). Raises :class:`UserError` for bad input."""
    inputs = read_inputs(options)
    return _Compiler(inputs).run()


def write_output(result: CompileResult) -> None:
    """Replace the output folder with the result's files, atomically."""
    replace_folder(result.output, result.files)


class _Compiler:
    def __init__(self, inputs: _Inputs) -> None:
        self.inputs = inputs
        self.project = inputs.project
        self.config = inputs.config
        self.files: dict[str, bytes] = {}
        self.source_sha = sha256_bytes(inputs.project.source)

    def run(self) -> CompileResult:
        inputs = self.inputs
        project = self.project
        legacy = project.strategy == "legacy"
        foundation = self.foundation()
        global_analysis = analyze_global(project, foundation_image=foundation.tag)
        global_tier = (
            self.global_tier(foundation, global_analysis) if global_analysis is not None else None
        )
        # the tier the extension builds on: its tag is what the base rewrite points at (the
        # legacy base installs the harnesses on the global tier when there is one)
        base = self.runtime(global_tier or foundation, None, None) if legacy else foundation
        analysis = analyze(
            project,
            foundation_image=base.tag,
            extra_excludes=[exclude.matcher for exclude in inputs.excludes],
            global_image=None if legacy or global_tier is None else global_tier.tag,
            global_analysis=global_analysis,
        )
        if inputs.excludes or analysis.ignore_source == project.path + ".dockerignore":
            self.files[IGNORE_FILE] = _ignore_file(analysis.ignore_data, inputs.excludes)
        context_files = analysis.context.files if analysis.context is not None else ()
        records = [item.record() for item in context_files]
        extension = self.extension(base, None if legacy else global_tier, records, analysis)
        below: tuple[TierBuild, ...] = (foundation,)
        if global_tier is not None and (legacy or global_tier.tag in extension.needs):
            below += (global_tier,)
        elif global_tier is not None:  # checked, but nothing builds on it
            del self.files[GLOBAL_TIER_FILE]
        if legacy:
            tiers = (*below, base, extension)
        else:
            runtime = self.runtime(foundation, extension, analysis)
            tiers = (*below, extension, runtime)
        final = tiers[-1].tag
        results = analysis.results(project)
        # the manifest names files from the project root, like every other path in it
        names = {project.path: inputs.source_name}
        if project.config_path is not None:
            names[project.config_path] = from_root(project.context_dir, project.config_path)
        if project.global_file is not None:
            names[project.global_file.path] = self.global_name()[0]
        manifest = {
            "schema_version": SCHEMA_VERSION,
            "compiler": {"name": "aishellc", "version": __version__},
            "source": {
                "path": inputs.source_name,
                "sha256": self.source_sha,
                "semantic_sha256": semantic_sha256(project.document),
            },
            "layout": "legacy" if legacy else "three-tier",
            "final": final,
            "tiers": {tier.name: tier.manifest_entry() for tier in tiers},
            "build_order": [tier.name for tier in tiers],
            **self.global_record(),
            "diagnostics": [
                diagnostic_record(names.get(result.path, result.path), d)
                for result in results
                for d in result.diagnostics
            ],
        }
        self.files[MANIFEST_FILE] = render_json(manifest).encode()
        self.files[BAKE_FILE] = render_bake(tiers).encode()
        return CompileResult(
            outdir=inputs.outdir,
            output=inputs.output,
            files={name: self.files[name] for name in sorted(self.files)},
            tiers=tiers,
            diagnostics=analysis.diagnostics,
            results=tuple(results),
            source_path=project.path,
            source_text=project.document.source.text if project.document.source else "",
            final=final,
            manifest=manifest,
        )

    def foundation(self) -> TierBuild:
        config = self.config
        rendered = render_foundation(config)
        build_args: dict[str, str] = {}
        digest = foundation_hash(
            rendered.dockerfile,
            rendered.files,
            config.foundation_inputs(),
            build_args,
            str(self.project.platforms.target),
        )
        self.files[FOUNDATION_FILE] = rendered.dockerfile.encode()
        self.files.update(rendered.files)
        return self.tier(
            "foundation",
            digest,
            FOUNDATION_FILE,
            posixpath.join(self.inputs.output_name, CONTEXT_DIR),
            build_args=build_args,
            base=None,
            base_image=config.foundation.base_image,
            details={
                "config": config.foundation_inputs(),
                "config_sha256": sha256_bytes(config.foundation_inputs_json()),
                "template_sha256": sha256_text(rendered.dockerfile),
                "files": {name: sha256_bytes(rendered.files[name]) for name in rendered.files},
            },
        )

    def global_name(self) -> tuple[str, str]:
        """The global file and its folder as the output names them: from ``~`` when they lie
        in the home folder (``~/.aishell/Dockerfile``), else from the project root."""
        found = self.project.global_file
        assert found is not None
        home = os.environ.get("HOME")
        names = []
        for path in (found.path, found.context_dir):
            real = os.path.realpath(path)
            if home and real.startswith(os.path.realpath(home) + os.sep):
                names.append("~/" + posixpath.relpath(real, os.path.realpath(home)))
            else:
                names.append(from_root(self.project.context_dir, path))
        return names[0], names[1]

    def global_record(self) -> dict[str, Any]:
        """The manifest's ``global`` key: the global file it was, if any."""
        found = self.project.global_file
        if found is None:
            return {}
        return {"global": {"path": self.global_name()[0], "sha256": sha256_bytes(found.source)}}

    def global_tier(self, foundation: TierBuild, found: GlobalAnalysis) -> TierBuild:
        """The global tier (``aishell:base``): the global file on the foundation, built in
        its own folder."""
        project = self.project
        assert project.global_file is not None
        source_name, context_name = self.global_name()
        source_sha = sha256_bytes(project.global_file.source)
        records = [item.record() for item in found.context.files] if found.context else []
        return self.layer(
            "base",
            GLOBAL_TIER_FILE,
            found.document,
            (project.global_file.path, source_name, source_sha, project.global_file.source),
            (foundation, None),
            records,
            context_name,
            {"source": {"path": source_name, "sha256": source_sha}, "inputs": records},
        )

    def extension(
        self,
        base: TierBuild,
        global_tier: TierBuild | None,
        records: list[dict[str, Any]],
        analysis: Analysis,
    ) -> TierBuild:
        project = self.project
        return self.layer(
            "extension",
            EXTENSION_FILE,
            analysis.document,
            (project.path, self.inputs.source_name, self.source_sha, project.source),
            (base, global_tier),
            records,
            ".",
            {
                "inputs": records,
                "ignore_file": (
                    None
                    if analysis.ignore_source is None
                    else from_root(project.context_dir, analysis.ignore_source)
                ),
            },
        )

    def layer(
        self,
        name: str,
        filename: str,
        document: ast.Document,
        source: tuple[str, str, str, bytes],
        bases: tuple[TierBuild, TierBuild | None],
        records: list[dict[str, Any]],
        context: str,
        details: Mapping[str, Any],
    ) -> TierBuild:
        """A tier made of a user's Dockerfile (the extension, or the global tier): its base
        rewrite, header and hash. ``source`` is the file's path, name in the output, sha256
        and bytes; ``bases`` the foundation (or legacy base) and the global tier, if any."""
        path, source_name, source_sha, data = source
        foundation, global_tier = bases
        result = render_extension(
            document,
            path=path,
            source_name=source_name,
            source_sha256=source_sha,
            foundation_image=foundation.tag,
            global_image=global_tier.tag if global_tier is not None else None,
        )
        self.files[filename] = result.text.encode("utf-8", errors="surrogateescape")
        build_args = dict(result.base_args)
        built_on = {tier.tag: tier for tier in bases if tier is not None}
        needs = {image: built_on[image].name for image in build_args.values()}
        # the global tier's hash covers the foundation's: the highest tier used is the base
        base = global_tier if global_tier is not None and global_tier.tag in needs else foundation
        semantic = semantic_sha256(result.document)
        platforms = self.project.platforms.record(data)
        hashed_platforms: dict[str, str] = {
            key: platforms[key] for key in ("target", "build") if key in platforms
        }
        digest = extension_hash(
            base.hash, semantic, records, build_args, hashed_platforms, tier=name
        )
        return self.tier(
            name,
            digest,
            filename,
            context,
            build_args=build_args,
            base=base,
            base_image=base.tag,
            needs=needs,
            details={**details, "semantic_sha256": semantic, "platforms": platforms},
        )

    def runtime(
        self, foundation: TierBuild, extension: TierBuild | None, analysis: Analysis | None
    ) -> TierBuild:
        """The runtime tier: on the extension (``analysis`` says its final user), or the
        legacy base on ``foundation`` (the foundation or the global tier; ``extension`` and
        ``analysis`` None)."""
        inputs = self.inputs
        installed = inputs.installed
        registry = self.config.npm_registry
        if extension is None:
            spec = RuntimeSpec("legacy", installed, foundation.tag, npm_registry=registry)
            base = foundation
            needs = {foundation.tag: foundation.name}
        else:
            restore = None
            if self.project.strategy == "inline" and analysis is not None:
                user = _user_value(analysis.final_user)
                if user is not None and restorable_user(user):
                    restore = user
            strategy: Strategy = "inline" if self.project.strategy == "inline" else "stage"
            spec = RuntimeSpec(
                strategy,
                installed,
                foundation.tag,
                extension.tag,
                restore,
                npm_registry=registry,
            )
            base = extension
            needs = {extension.tag: "extension"}
            if strategy == "stage":
                needs[foundation.tag] = "foundation"
        text = render_runtime(spec)
        self.files[RUNTIME_FILE] = text.encode()
        template = sha256_text(text)
        harness_map: dict[str, dict[str, str]] = {
            h.name: {"package": h.package, "version": h.version} for h in installed
        }
        for harness in installed:
            if harness.integrity is not None:
                harness_map[harness.name]["integrity"] = harness.integrity
        digest = runtime_hash(base.hash, harness_map, spec.strategy, template)
        return self.tier(
            "runtime",
            digest,
            RUNTIME_FILE,
            inputs.output_name,
            build_args=spec.build_args,
            base=base,
            base_image=base.tag,
            needs=needs,
            details={
                "harnesses": {h.name: h.version for h in installed},
                "packages": {h.name: h.package for h in installed},
                "integrity": {h.name: h.integrity for h in installed if h.integrity},
                "lock": inputs.lock_name,
                "strategy": spec.strategy,
                "template_sha256": template,
            },
            extra_labels={
                f"{LABEL_PREFIX}harnesses": ",".join(f"{h.name}@{h.version}" for h in installed)
            },
            secrets={NPMRC_SECRET: inputs.npmrc} if inputs.npmrc is not None else None,
        )

    def tier(
        self,
        name: str,
        digest: str,
        filename: str,
        context: str,
        *,
        build_args: Mapping[str, str],
        base: TierBuild | None,
        base_image: str,
        details: Mapping[str, Any],
        needs: Mapping[str, str] | None = None,
        extra_labels: Mapping[str, str] | None = None,
        secrets: Mapping[str, str] | None = None,
    ) -> TierBuild:
        config = self.config
        tag = config.tier_tag(_TAG_TIER[name], digest)
        labels = dict(base.labels) if base is not None else {}
        labels.update(
            {
                f"{LABEL_PREFIX}tier": name,
                f"{LABEL_PREFIX}{name}.hash": digest,
                BASE_NAME_LABEL: base_image,
            }
        )
        labels.update(extra_labels or {})
        cache_from: tuple[str, ...] = ()
        cache_to: tuple[str, ...] = ()
        if config.registry is not None:
            ref = f"{config.image_repository}:buildcache-{_TAG_TIER[name]}"
            cache_from = (f"type=registry,ref={ref}",)
            cache_to = (f"type=registry,ref={ref},mode=max",)
        all_details = dict(details)
        all_details["base"] = {"tier": base.name, "hash": base.hash} if base else None
        all_details["dockerfile_sha256"] = sha256_bytes(self.files[filename])
        return TierBuild(
            name=name,
            tag=tag,
            hash=digest,
            dockerfile=posixpath.join(self.inputs.output_name, filename),
            context=context,
            build_args=build_args,
            labels=labels,
            needs=needs or {},
            details=all_details,
            cache_from=cache_from,
            cache_to=cache_to,
            platform=str(self.project.platforms.target),
            secrets=secrets or {},
            dockerfile_text=(
                self.files[filename].decode("utf-8", errors="surrogateescape")
                if context.startswith("~/")
                else None
            ),
        )


_TAG_TIER = {"foundation": "foundation", "base": "base", "extension": "ext", "runtime": "runtime"}


# --- steps -----------------------------------------------------------------------------


def _check_given_path(what: str, path: str | None) -> None:
    """An empty path is a mistake, not the current folder (``-o ''`` would otherwise
    replace it). Paths are written into manifest.json and docker-bake.json, which are
    UTF-8 JSON read by other tools: a name that is not UTF-8 (a lone surrogate here)
    cannot be written so that they find the file again."""
    if path is None:
        return
    if not path:
        raise UserError(
            f"the path of {what} is empty",
            help="pass a path; '.' is the current folder",
        )
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        raise UserError(
            f"the path of {what} is not valid UTF-8",
            Location(path),
            help="rename it (the manifest and bake file name it in UTF-8 JSON)",
        ) from None


def _check_layout(
    output: OutputFolder,
    context_dir: str,
    dockerfile: str,
    config_path: str | None,
    global_file: GlobalFile | None = None,
) -> list[LiteralPattern]:
    """Refuse an output folder that would swallow an input; return the ``.dockerignore``
    patterns that keep it, and the temporary folders of its replace, out of the context
    when it lies inside.

    Decided on real paths: the folder replaced is ``output.path`` (symlinks resolved), and
    an input is lost with it if the file it names or the entry that names it (a link
    itself) lies in that folder."""
    where = Location(output.given)
    inputs = [
        ("the build context", context_dir),
        ("the Dockerfile", dockerfile),
        ("the config file", config_path),
    ]
    if global_file is not None:
        inputs += [
            ("the global Dockerfile", global_file.path),
            ("the global tier's build context", global_file.context_dir),
        ]
    for what, other in inputs:
        if other is not None and any(_within(place, output.path) for place in _places(other)):
            raise UserError(
                f"the output folder would replace {what} ({other})",
                where,
                help="pass a folder of its own with -o, e.g. build/",
            )
    context = Path(os.path.realpath(context_dir))
    if not _within(output.path, context):
        return []
    relative = output.path.relative_to(context)
    leftovers = relative.parent / leftover_prefix(output.path)
    try:
        return [
            literal_pattern(relative.as_posix()),
            literal_pattern(leftovers.as_posix()).then_any(),
        ]
    except Inexpressible as exc:
        raise UserError(
            f"the output folder lies in the build context under a name aishellc cannot "
            f"exclude from it exactly ({relative.as_posix()!r}): {exc}",
            where,
            help="rename it, or use a folder outside the context",
        ) from None


def _places(path: str) -> set[Path]:
    """Where ``path`` lives: the file it names, and the entry naming it (which is a link
    itself when the path ends in a symlink)."""
    places = {Path(os.path.realpath(path))}
    name = posixpath.basename(path)
    if name not in ("", ".", ".."):
        places.add(Path(os.path.realpath(posixpath.dirname(path) or ".")) / name)
    return places


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _ignore_file(user: bytes | None, excludes: Sequence[LiteralPattern]) -> bytes:
    """The extension's own ``.dockerignore`` (``extension.Dockerfile.dockerignore``, which
    BuildKit prefers to the context's): the user's file as it is, then the output folder
    and its temporary folders (last, so no ``!`` pattern of the user's can bring them
    back)."""
    text = b"" if user is None else user
    if text and not text.endswith(b"\n"):
        text += b"\n"
    if excludes:
        lines = [
            "# added by aishellc: the output folder and its temporary folders are not "
            "part of the build context"
        ]
        lines += [exclude.buildkit for exclude in excludes]
        text += ("\n".join(lines) + "\n").encode()
    return text


def _user_value(user: ast.User | None) -> str | None:
    """A USER instruction's text (None: no USER, or one without a value)."""
    return user.value.value if user is not None and user.value is not None else None
