"""The stage graph: which stage builds on what, read the way BuildKit reads it.

:func:`analyze_stages` is an analysis, not a pass: passes call it on the tree they get. It
finds, in source order,

- the global ARGs (the ARG instructions before the first FROM) and their defaults, each
  expanded through the ones before it and BuildKit's automatic platform ARGs
  (``PassContext.automatic_args``), as BuildKit's ``buildMetaArgs`` does without build
  arguments (an ARG without a default is the empty string, unless it names an automatic
  ARG, which keeps its value);
- every stage: its FROM, its name (lowercased, as BuildKit compares them), the image or
  earlier stage its FROM names after expanding the image text through the global ARGs
  (unset variables expand to nothing; an expansion error or an empty result is recorded,
  not raised), its instructions, USER and SHELL instructions, and the stages and images its
  ``COPY --from`` and ``RUN --mount=from=`` flags name;
- which stages a stage needs (:meth:`StageGraph.needed`): BuildKit's ``allReachableStages``,
  through FROM, ``COPY --from`` (name or index), ``RUN --mount=from=`` (name) and the
  ONBUILD triggers of the stage a stage builds on, transitively; BuildKit builds only the
  stages the built one needs;
- for each stage whether it **builds on aishell**: its FROM names ``aishell:base``,
  ``aishell:foundation`` (or the configured foundation image) directly or through global ARG
  defaults, or names an earlier stage that does;
- the harnesses each stage installs globally (``npm install -g @anthropic-ai/claude-code``
  and the like, see :mod:`aishellc.passes.harness_commands`) in its RUNs and ONBUILD RUNs.

What counts as an aishell image is exact (:func:`is_aishell_image`), compared with the text
after expansion: ``aishell:base``, ``aishell:foundation``, the configured foundation image,
and the foundation tags aishellc itself makes (``[REGISTRY/]aishell:foundation-<12 hex>``,
so that compiled output is recognised when it is compiled again). Anything else is another
image: ``docker.io/library/aishell:base``, ``aishell:base@sha256:...``, ``aishell:latest``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from types import MappingProxyType

import attrs

from aishellc import ast
from aishellc.parser.buildkit_words import mount_fields
from aishellc.parser.expansion import ExpansionError, WordLexer
from aishellc.passes.context import PassContext
from aishellc.passes.harness_commands import harness_packages, script_commands
from aishellc.passes.run_scripts import ScriptReader

#: The images a user's Dockerfile builds on today (DESIGN.md).
AISHELL_IMAGES = frozenset({"aishell:base", "aishell:foundation"})
# The content-addressed foundation tags aishellc makes (DESIGN.md, "Team scale").
_FOUNDATION_TAG = re.compile(r"(?:[^\s/]+/)*aishell:foundation-[0-9a-f]{12}")


def is_foundation_image(image: str, context: PassContext) -> bool:
    """``aishell:foundation``, the configured foundation image, or a foundation tag."""
    return (
        image == "aishell:foundation"
        or image == context.foundation_image
        or _FOUNDATION_TAG.fullmatch(image) is not None
    )


# The content-addressed global-tier tags aishellc makes.
_GLOBAL_TAG = re.compile(r"(?:[^\s/]+/)*aishell:base-[0-9a-f]{12}")


def is_global_image(image: str, context: PassContext) -> bool:
    """``aishell:base``, the global tier's tag or one of aishellc's global-tier tags: the
    images a project names to inherit the global file (upstream's ``aishell:base``)."""
    return (
        image == "aishell:base"
        or image == context.global_image
        or _GLOBAL_TAG.fullmatch(image) is not None
    )


def is_aishell_image(image: str, context: PassContext) -> bool:
    """Whether an expanded FROM image is one of aishell's (see the module docs)."""
    return (
        image in AISHELL_IMAGES
        or is_foundation_image(image, context)
        or (context.global_image is not None and is_global_image(image, context))
    )


@attrs.frozen
class GlobalArg:
    """One declaration of a global ARG (before the first FROM)."""

    instruction: ast.Arg
    decl: ast.ArgDecl
    #: the default expanded through the global ARGs before it ("" without a default)
    value: str
    #: why the default could not be expanded (BuildKit fails the build), or None
    error: str | None = None
    #: how to fix the error, when the expander has more to say than the message
    error_help: str | None = None

    @property
    def name(self) -> str:
        return self.decl.name


@attrs.frozen
class BaseImage:
    """What a FROM names: an earlier stage, or an image."""

    #: the image text as written (it may contain ``$VAR``)
    written: str
    #: the text after expanding the global ARGs; None if that failed
    expanded: str | None
    #: index of the earlier stage it names, or None for an image
    stage: int | None = None
    #: why BuildKit would reject it (an expansion error, or an empty name), or None
    error: str | None = None
    #: how to fix the error, when the expander has more to say than the message
    error_help: str | None = None


@attrs.frozen
class StageReference:
    """A stage or image that a ``COPY --from`` or ``RUN --mount=...,from=`` reads from."""

    instruction: ast.Instruction
    flag: ast.Flag
    kind: str  # "copy" | "mount"
    value: str
    #: index of the stage it names (by name or index), or None for an image
    stage: int | None
    #: made by an ONBUILD trigger: a need of the stages built on this one, not of this one
    onbuild: bool = False


@attrs.frozen
class HarnessInstall:
    """A global install of a harness's npm package by a RUN (or ONBUILD RUN) of a stage."""

    instruction: ast.Instruction
    #: offset of the installing command in the RUN's script (see ``run_scripts``)
    offset: int
    binary: str
    package: str

    @property
    def onbuild(self) -> bool:
        return isinstance(self.instruction, ast.Onbuild)


@attrs.frozen
class Stage:
    """One build stage: its FROM and the instructions up to the next FROM."""

    index: int
    from_: ast.From
    #: the stage name lowercased (BuildKit matches names case-insensitively), or None
    name: str | None
    base: BaseImage
    #: the FROM names an aishell image itself (directly or through global ARG defaults)
    names_aishell: bool
    #: it builds on aishell: names an aishell image or an earlier stage that builds on it
    on_aishell: bool
    instructions: tuple[ast.Instruction, ...] = ()
    references: tuple[StageReference, ...] = ()
    #: the harnesses this stage's RUNs and ONBUILD RUNs install, in order
    harness_installs: tuple[HarnessInstall, ...] = ()

    @property
    def installs_harness(self) -> bool:
        return bool(self.harness_installs)

    @property
    def users(self) -> tuple[ast.User, ...]:
        return tuple(item for item in self.instructions if isinstance(item, ast.User))

    @property
    def shells(self) -> tuple[ast.Shell, ...]:
        return tuple(item for item in self.instructions if isinstance(item, ast.Shell))


@attrs.frozen
class StageGraph:
    """Stages in order, with the global ARGs before them."""

    global_args: tuple[GlobalArg, ...]
    stages: tuple[Stage, ...]
    #: the global ARG values as BuildKit sees them after the last global ARG
    global_env: Mapping[str, str] = attrs.field(factory=lambda: MappingProxyType({}))

    @property
    def final(self) -> Stage | None:
        """The stage BuildKit builds by default (the last one)."""
        return self.stages[-1] if self.stages else None

    def parent(self, stage: Stage) -> Stage | None:
        """The earlier stage this stage's FROM names, if any."""
        index = stage.base.stage
        return self.stages[index] if index is not None else None

    def lineage(self, stage: Stage) -> Iterator[Stage]:
        """The stage, then the stage it builds on, and so on (stages only, no images)."""
        current: Stage | None = stage
        while current is not None:
            yield current
            current = self.parent(current)

    def ancestors(self, stage: Stage) -> tuple[Stage, ...]:
        """The earlier stages this one builds on, nearest first."""
        return tuple(self.lineage(stage))[1:]

    def final_user(self, stage: Stage) -> ast.User | None:
        """The USER in effect at the end of the stage (inherited from its ancestors), or
        None when the stage keeps its base image's user."""
        for member in self.lineage(stage):
            if member.users:
                return member.users[-1]
        return None

    def final_shell(self, stage: Stage) -> ast.Shell | None:
        """The SHELL in effect at the end of the stage (inherited), or None for the
        default ``/bin/sh -c``."""
        for member in self.lineage(stage):
            if member.shells:
                return member.shells[-1]
        return None

    def needed(self, stage: Stage) -> frozenset[int]:
        """The indices of the stages BuildKit builds to build ``stage`` (itself included)."""
        found: set[int] = set()
        pending = [stage.index]
        while pending:
            index = pending.pop()
            if index in found:
                continue
            found.add(index)
            current = self.stages[index]
            parent = self.parent(current)
            references = [ref for ref in current.references if not ref.onbuild]
            if parent is not None:
                pending.append(parent.index)
                references += [ref for ref in parent.references if ref.onbuild]
            pending += [ref.stage for ref in references if ref.stage is not None]
        return frozenset(found)

    def stage_for(self, instruction: ast.Instruction) -> Stage | None:
        """The stage that contains an instruction (by identity), or None."""
        for stage in self.stages:
            if any(item is instruction for item in stage.instructions):
                return stage
            if stage.from_ is instruction:
                return stage
        return None


# The graphs most recently asked for: every pass asks for the graph of the same document.
_RECENT: list[tuple[ast.Document, PassContext, StageGraph]] = []


def analyze_stages(document: ast.Document, context: PassContext) -> StageGraph:
    """The stage graph of a document (see the module docs)."""
    for seen, seen_context, graph in _RECENT:
        if seen is document and seen_context == context:
            return graph
    graph = _analyze_stages(document, context)
    _RECENT[:] = [(document, context, graph), *_RECENT[:1]]
    return graph


def _analyze_stages(document: ast.Document, context: PassContext) -> StageGraph:
    lexer = WordLexer(escape=document.escape)
    instructions = document.instructions
    first_from = next(
        (i for i, item in enumerate(instructions) if isinstance(item, ast.From)),
        len(instructions),
    )
    global_args, env = _global_args(instructions[:first_from], lexer, context.automatic_args)

    stages: list[Stage] = []
    names: dict[str, int] = {}
    index = first_from
    while index < len(instructions):
        from_ = instructions[index]
        assert isinstance(from_, ast.From)
        end = index + 1
        while end < len(instructions) and not isinstance(instructions[end], ast.From):
            end += 1
        body = instructions[index + 1 : end]
        base = _base_image(from_, lexer, env, names)
        names_aishell = (
            base.stage is None
            and base.expanded is not None
            and is_aishell_image(base.expanded, context)
        )
        on_aishell = names_aishell or (base.stage is not None and stages[base.stage].on_aishell)
        name = from_.stage_name.lower() if from_.stage_name else None
        stage = Stage(
            index=len(stages),
            from_=from_,
            name=name,
            base=base,
            names_aishell=names_aishell,
            on_aishell=on_aishell,
            instructions=body,
        )
        stages.append(stage)
        if name is not None:
            names[name] = stage.index
        index = end

    # COPY --from and RUN --mount can name any stage (BuildKit reports a later one when it
    # dispatches), so they are resolved once every name is known.
    reader = ScriptReader(document, context.path)
    resolved = tuple(
        attrs.evolve(
            stage,
            references=tuple(_references(stage, names, len(stages))),
            harness_installs=tuple(_installs(stage, reader, context)),
        )
        for stage in stages
    )
    return StageGraph(tuple(global_args), resolved, MappingProxyType(dict(env)))


def _global_args(
    instructions: tuple[ast.Instruction, ...], lexer: WordLexer, automatic: Mapping[str, str]
) -> tuple[list[GlobalArg], dict[str, str]]:
    env: dict[str, str] = dict(automatic)
    found: list[GlobalArg] = []
    for instruction in instructions:
        if not isinstance(instruction, ast.Arg):
            continue
        for decl in instruction.args:
            value, error, help = automatic.get(decl.name, ""), None, None
            if decl.default is not None:
                try:
                    value = lexer.process_word(decl.default, env)
                except ExpansionError as exc:
                    error, help = str(exc), exc.help
            env[decl.name] = value
            found.append(GlobalArg(instruction, decl, value, error, help))
    return found, env


def _base_image(
    from_: ast.From, lexer: WordLexer, env: Mapping[str, str], names: Mapping[str, int]
) -> BaseImage:
    written = from_.image.value if from_.image is not None else ""
    try:
        expanded = lexer.process_word(written, env)
    except ExpansionError as exc:
        return BaseImage(written, None, error=str(exc), error_help=exc.help)
    if not expanded:
        return BaseImage(written, expanded, error=f"base name ({written}) should not be blank")
    return BaseImage(written, expanded, stage=names.get(expanded.lower()))


def _installs(stage: Stage, reader: ScriptReader, context: PassContext) -> Iterator[HarnessInstall]:
    if not context.harness_binaries:
        return
    for instruction in stage.instructions:
        script = reader.script(instruction)
        if script is None:
            continue
        binaries = context.harness_binaries
        for found in harness_packages(script_commands(script, binaries), binaries):
            if found.kind == "install":
                yield HarnessInstall(instruction, found.use.start, found.binary, found.package)


def _references(stage: Stage, names: Mapping[str, int], count: int) -> Iterator[StageReference]:
    for instruction in stage.instructions:
        yield from _instruction_references(instruction, names, count, onbuild=False)
        if isinstance(instruction, ast.Onbuild) and instruction.trigger is not None:
            yield from _instruction_references(instruction.trigger, names, count, onbuild=True)


def _instruction_references(
    instruction: ast.Instruction, names: Mapping[str, int], count: int, *, onbuild: bool
) -> Iterator[StageReference]:
    if isinstance(instruction, ast.Copy):
        flag = instruction.flag("from")
        if flag is not None and flag.value:
            stage = _stage_by_name_or_index(flag.value, names, count)
            yield StageReference(instruction, flag, "copy", flag.value, stage, onbuild)
    if isinstance(instruction, ast.Run):
        for flag in instruction.flags:
            if flag.name != "mount" or not flag.value:
                continue
            source = mount_fields(flag.value).get("from")
            if source:
                stage = names.get(source.lower())
                yield StageReference(instruction, flag, "mount", source, stage, onbuild)


def _stage_by_name_or_index(value: str, names: Mapping[str, int], count: int) -> int | None:
    """BuildKit's COPY --from lookup: a number is a stage index, else a stage name."""
    if value.isdigit() or (value[:1] in "+-" and value[1:].isdigit()):
        index = int(value)
        return index if 0 <= index < count else None
    return names.get(value.lower())
