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
  (:mod:`aishellc.platforms`); it gives BuildKit's automatic platform ARGs their values
  and is recorded (``tiers.extension.platforms``); every tier is built for it
  (``--platform`` in each command, ``platforms`` in the bake file, ``platform`` in the
  manifest) and every tier's hash covers it.

Layouts:

- three-tier (default): foundation → extension (the user's file, ``FROM`` rewritten to the
  foundation) → runtime (harnesses). The image to run is the runtime.
- legacy (``--legacy``): today's two-tier chain for comparison and fallback. The runtime
  tier is today's ``aishell:base`` (the foundation with the harnesses installed globally)
  and the user's file builds on it, rewritten only to name that image through
  ``${AISHELL_BASE}``. Build order foundation → runtime → extension; the image to run is
  the extension; a harness bump rebuilds both (which is what the three-tier layout avoids).

Every path written into the output folder (the manifest, the bake file, the header of the
extension) is relative to the project root, the build context of the extension, and is
computed on real paths (symlinks resolved): the folder is the same bytes from any working
directory and however ``-o``, the Dockerfile or ``--context`` are spelt, and the commands
and bake file run from the project root. Nothing machine-specific (absolute paths, times)
reaches any output. An empty path is refused (``-o ''`` is not ``.``).

The output folder is checked before any work (:func:`~aishellc.emit.output.check_output_folder`)
and :func:`_check_layout` refuses one that would swallow the context, the Dockerfile or the
config, deciding on real paths (symlinks resolved). When it lies in the context, it and the
temporary folders of its replace are excluded from the context with exact patterns
(:mod:`aishellc.ignore_literal`), in the hash and in the generated ignore file alike.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

import attrs

from aishellc import __version__, ast
from aishellc.compile_rules import UNPINNED_HARNESS, UNRESTORABLE_USER
from aishellc.config import Config, load_config
from aishellc.config_location import default_config
from aishellc.context import context_inputs, load_ignore_rules
from aishellc.diagnostics import Diagnostic
from aishellc.emit.bake import render_bake
from aishellc.emit.extension import ExtensionResult, render_extension
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
    is_root_user,
    render_runtime,
    restorable_user,
)
from aishellc.errors import Location, UserError
from aishellc.harnesses import HarnessPin, parse_harness_spec
from aishellc.hashing import (
    extension_hash,
    foundation_hash,
    runtime_hash,
    semantic_sha256,
    sha256_bytes,
    sha256_text,
)
from aishellc.ignore_literal import Inexpressible, LiteralPattern, literal_pattern
from aishellc.lock.file import lock_path, read_lock_if_present
from aishellc.lock.installs import installed_harnesses, lock_command
from aishellc.lock.secrets import npmrc_secret_source
from aishellc.parser import parse, read_dockerfile
from aishellc.passes.suppressions import drop_ignored
from aishellc.platforms import BuildPlatforms, build_platforms, document_args
from aishellc.report.json import record as diagnostic_record

PROJECT_FOLDERS = (".aishell", ".sandbox")
LABEL_PREFIX = "aishell."
BASE_NAME_LABEL = "org.opencontainers.image.base.name"

FOUNDATION_FILE = "foundation.Dockerfile"
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
    harnesses: tuple[str, ...] = ()
    context: str | None = None
    config: str | None = None
    legacy: bool = False
    strategy: str | None = None
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
    source_path: str
    source_text: str
    """The Dockerfile as decoded (for diagnostics' source lines)."""
    final: str
    """The tag of the image to run (the last tier in build order)."""
    manifest: Mapping[str, Any]

    @property
    def has_errors(self) -> bool:
        return any(d.severity == "error" for d in self.diagnostics)

    def tier(self, name: str) -> TierBuild:
        return next(tier for tier in self.tiers if tier.name == name)


# --- defaults --------------------------------------------------------------------------


def absolute(path: str) -> str:
    """``path`` made absolute against the current directory, lexically (symlinks are not
    resolved). Only used to compare paths, never written to an output."""
    return posixpath.normpath(str(Path(path).absolute()))


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


def default_context(dockerfile: str) -> str:
    """The project root: the parent of ``.aishell/`` or ``.sandbox/`` holding the
    Dockerfile, else the Dockerfile's folder (as a path relative like the one given)."""
    folder = posixpath.dirname(dockerfile) or "."
    if Path(absolute(folder)).name in PROJECT_FOLDERS:
        return posixpath.normpath(posixpath.join(folder, ".."))
    return posixpath.normpath(folder)


def resolve_harnesses(specs: Sequence[str], config: Config) -> tuple[HarnessPin, ...]:
    """The ``--harness`` flags (checked against the registry), else the config's list."""
    if not specs:
        return config.default_harnesses
    flag = Location.flag("--harness")
    pins: dict[str, HarnessPin] = {}
    for spec in specs:
        pin = parse_harness_spec(spec, config.harnesses, flag)
        if pin.name in pins:
            raise UserError(
                f"harness {pin.name!r} is listed twice ({pins[pin.name]} and {pin})",
                flag,
                help="list each harness once",
            )
        pins[pin.name] = pin
    return tuple(pins.values())


def spec_location(from_flags: bool, config: Config) -> Location | None:
    """Where the harness specs were written: the ``--harness`` flags, else the config."""
    if from_flags:
        return Location.flag("--harness")
    return Location(config.source) if config.source is not None else None


# --- the pipeline ----------------------------------------------------------------------


@attrs.frozen
class _Inputs:
    """The compile's inputs, read and checked."""

    path: str
    source: bytes
    document: ast.Document
    config: Config
    installed: tuple[InstalledHarness, ...]
    strategy: str
    context_dir: str
    outdir: str
    output: OutputFolder
    source_name: str
    """The Dockerfile's path relative to the project root (as the output names it)."""
    output_name: str
    """The output folder's path relative to the project root."""
    excludes: tuple[LiteralPattern, ...]
    config_path: str | None
    platforms: BuildPlatforms
    lock_file: str | None
    """The ``aishellc.lock`` the versions come from (as a path like the Dockerfile's), or
    None without a lock."""
    npmrc: str | None
    """The user's ``.npmrc`` (``~/.npmrc``) when the harnesses' registry needs its token:
    the runtime build then reads it as a BuildKit secret."""


def read_inputs(options: CompileOptions) -> _Inputs:
    """Read and check everything a compile needs (any problem is a :class:`UserError`)."""
    if options.legacy and options.strategy is not None:
        raise UserError(
            "--legacy and --harness-strategy cannot be combined",
            help="the legacy layout installs the harnesses below the project's Dockerfile",
        )
    for what, given in (
        ("the Dockerfile", options.dockerfile),
        ("the output folder", options.outdir),
        ("--context", options.context),
        ("--config", options.config),
    ):
        _check_given_path(what, given)
    path = options.dockerfile
    config_path = options.config if options.config is not None else default_config(path)
    config = load_config(config_path)
    platforms = build_platforms(os.environ)
    pins = resolve_harnesses(options.harnesses, config)
    strategy = "legacy" if options.legacy else (options.strategy or config.strategy)
    source = read_dockerfile(path)
    document = parse(source, path)
    given = options.context
    context_dir = posixpath.normpath(given if given is not None else default_context(path))
    _check_context(context_dir, given is not None)
    outdir = posixpath.normpath(options.outdir)
    output = check_output_folder(outdir)
    excludes = _check_layout(output, context_dir, path, config_path)
    source_name = from_root(context_dir, path)
    output_name = from_root(context_dir, str(output.path))
    _check_given_path("the Dockerfile (from the project root)", source_name)
    _check_given_path("the output folder (from the project root)", output_name)
    lock_file = lock_path(path)
    lock = read_lock_if_present(lock_file)
    installed = installed_harnesses(
        pins,
        config.harnesses,
        lock,
        lock_file=lock_file,
        dockerfile=path,
        locked=options.locked,
        specs_at=spec_location(bool(options.harnesses), config),
    )
    return _Inputs(
        path,
        source,
        document,
        config,
        installed,
        strategy,
        context_dir,
        outdir,
        output,
        source_name,
        output_name,
        tuple(excludes),
        config_path,
        platforms,
        from_root(context_dir, lock_file.as_posix()) if lock is not None else None,
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
        self.config = inputs.config
        self.files: dict[str, bytes] = {}
        self.source_sha = sha256_bytes(inputs.source)
        self.extension_result: ExtensionResult | None = None

    def run(self) -> CompileResult:
        inputs = self.inputs
        foundation = self.foundation()
        rules, ignore_source, ignore_data = load_ignore_rules(
            inputs.context_dir, inputs.path, [exclude.matcher for exclude in inputs.excludes]
        )
        if inputs.excludes or ignore_source == inputs.path + ".dockerignore":
            self.files[IGNORE_FILE] = _ignore_file(ignore_data, inputs.excludes)
        context_files = context_inputs(
            inputs.document,
            inputs.context_dir,
            path=inputs.path,
            rules=rules,
            platforms=inputs.platforms,
        )
        records = [item.record() for item in context_files]
        if inputs.strategy == "legacy":
            runtime = self.runtime(foundation, None)
            extension = self.extension(runtime, records, ignore_source)
            tiers = (foundation, runtime, extension)
        else:
            extension = self.extension(foundation, records, ignore_source)
            runtime = self.runtime(foundation, extension)
            tiers = (foundation, extension, runtime)
        assert self.extension_result is not None
        final = tiers[-1].tag
        diagnostics = sorted(
            drop_ignored(
                [*self.extension_result.diagnostics, *self.diagnostics()], self.config.ignore
            ),
            key=lambda d: d.sort_key,
        )
        manifest = {
            "schema_version": SCHEMA_VERSION,
            "compiler": {"name": "aishellc", "version": __version__},
            "source": {
                "path": inputs.source_name,
                "sha256": self.source_sha,
                "semantic_sha256": semantic_sha256(inputs.document),
            },
            "layout": "legacy" if inputs.strategy == "legacy" else "three-tier",
            "final": final,
            "tiers": {tier.name: tier.manifest_entry() for tier in tiers},
            "build_order": [tier.name for tier in tiers],
            "diagnostics": [diagnostic_record(inputs.source_name, d) for d in diagnostics],
        }
        self.files[MANIFEST_FILE] = render_json(manifest).encode()
        self.files[BAKE_FILE] = render_bake(tiers).encode()
        return CompileResult(
            outdir=inputs.outdir,
            output=inputs.output,
            files={name: self.files[name] for name in sorted(self.files)},
            tiers=tiers,
            diagnostics=tuple(diagnostics),
            source_path=inputs.path,
            source_text=inputs.document.source.text if inputs.document.source else "",
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
            str(self.inputs.platforms.target),
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

    def extension(
        self, base: TierBuild, records: list[dict[str, Any]], ignore_source: str | None
    ) -> TierBuild:
        inputs = self.inputs
        result = render_extension(
            inputs.document,
            path=inputs.path,
            source_name=inputs.source_name,
            source_sha256=self.source_sha,
            foundation_image=base.tag,
            harness_binaries=_harness_binaries(self.config, inputs.installed, inputs.strategy),
            automatic_args=MappingProxyType(document_args(inputs.platforms, inputs.document)),
            foundation_user=self.config.foundation.user.name,
        )
        self.extension_result = result
        self.files[EXTENSION_FILE] = result.text.encode("utf-8", errors="surrogateescape")
        build_args = {result.base_arg: base.tag} if result.base_arg else {}
        semantic = semantic_sha256(result.document)
        platforms = inputs.platforms.record(inputs.source)
        hashed_platforms: dict[str, str] = {
            key: platforms[key] for key in ("target", "build") if key in platforms
        }
        digest = extension_hash(base.hash, semantic, records, build_args, hashed_platforms)
        return self.tier(
            "extension",
            digest,
            EXTENSION_FILE,
            ".",
            build_args=build_args,
            base=base,
            base_image=base.tag,
            needs={base.tag: base.name} if build_args else {},
            details={
                "inputs": records,
                "semantic_sha256": semantic,
                "ignore_file": (
                    None if ignore_source is None else from_root(inputs.context_dir, ignore_source)
                ),
                "platforms": platforms,
            },
        )

    def runtime(self, foundation: TierBuild, extension: TierBuild | None) -> TierBuild:
        inputs = self.inputs
        installed = inputs.installed
        registry = self.config.npm_registry
        if extension is None:
            spec = RuntimeSpec("legacy", installed, foundation.tag, npm_registry=registry)
            base = foundation
            needs = {foundation.tag: "foundation"}
        else:
            restore = None
            if inputs.strategy == "inline":
                user = self.final_user()
                if user is not None and restorable_user(user):
                    restore = user
            strategy: Strategy = "inline" if inputs.strategy == "inline" else "stage"
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
                "lock": inputs.lock_file,
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
            platform=str(self.inputs.platforms.target),
            secrets=secrets or {},
        )

    def final_user(self) -> str | None:
        result = self.extension_result
        user = result.final_user if result is not None else None
        return user.value.value if user is not None and user.value is not None else None

    def diagnostics(self) -> list[Diagnostic]:
        found = []
        for harness in self.inputs.installed:
            if harness.version == "latest":
                found.append(
                    Diagnostic.at(
                        UNPINNED_HARNESS,
                        None,
                        f"harness {harness.name} is not locked (latest): its hash cannot "
                        "see a new release",
                        f"run `{lock_command(self.inputs.path)}` to lock the current release "
                        "(compile then installs it, and `aishellc update` moves it), "
                        f"or pin it: --harness {harness.name}@X.Y.Z",
                    )
                )
        user_text = self.final_user()
        # Root (or no USER) is what the entrypoint needs; AIS204 reports any other final USER.
        if (
            not is_root_user(user_text)
            and self.inputs.strategy == "inline"
            and not restorable_user(user_text or "")
        ):
            result = self.extension_result
            user = result.final_user if result is not None else None
            found.append(
                Diagnostic.at(
                    UNRESTORABLE_USER,
                    user.span if user is not None else None,
                    f"--harness-strategy inline cannot restore USER {user_text!r} after "
                    "the installs",
                    "use the stage strategy (the default), or write the user as a literal "
                    "name or id",
                )
            )
        return found


_TAG_TIER = {"foundation": "foundation", "extension": "ext", "runtime": "runtime"}


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


def _check_context(context_dir: str, given: bool) -> None:
    where = Location(context_dir)
    flag = "--context" if given else "the build context"
    if not Path(context_dir).exists():
        raise UserError(f"{flag} does not exist", where, help="pass an existing folder")
    if not Path(context_dir).is_dir():
        raise UserError(f"{flag} is not a folder", where, help="pass a folder")


def _check_layout(
    output: OutputFolder, context_dir: str, dockerfile: str, config_path: str | None
) -> list[LiteralPattern]:
    """Refuse an output folder that would swallow an input; return the ``.dockerignore``
    patterns that keep it, and the temporary folders of its replace, out of the context
    when it lies inside.

    Decided on real paths: the folder replaced is ``output.path`` (symlinks resolved), and
    an input is lost with it if the file it names or the entry that names it (a link
    itself) lies in that folder."""
    where = Location(output.given)
    for what, other in (
        ("the build context", context_dir),
        ("the Dockerfile", dockerfile),
        ("the config file", config_path),
    ):
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


def _harness_binaries(
    config: Config, installed: Sequence[InstalledHarness], strategy: str
) -> dict[str, str]:
    """Harness binaries the extension's build cannot run: all of them in the three-tier
    layout (the foundation has none), the ones not installed in the legacy base."""
    present = {h.name for h in installed} if strategy == "legacy" else set()
    return {h.binary: h.package for h in config.harnesses.entries if h.name not in present}
