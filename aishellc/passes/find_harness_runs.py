"""AIS101/AIS102/AIS103: harness binaries that RUN at build time, which they no longer can.

aishellc moves the harnesses (``claude``, ``codex``, ...) from the base image to a runtime
tier built *after* the user's Dockerfile, so a RUN that calls one of them finds nothing. For
every RUN and ONBUILD RUN of a stage that builds on aishell, this pass builds the script
BuildKit runs (:mod:`aishellc.passes.run_scripts`), lists the commands it runs with the
shell analysis (``&&``, pipes, ``if``, loops, ``$(...)``, ``sudo``/``env``/``VAR=x``
prefixes, ``sh -c '...'``, heredocs fed to shells, ...) and reports each one whose program,
by name or path, is a harness binary.

- The harness was installed earlier by this stage or a stage it builds on (``npm install -g
  @anthropic-ai/claude-code``), or the command downloads it as it runs it (``npx
  @anthropic-ai/claude-code``): AIS102, an info, instead of the error.
- The stage's SHELL is not a POSIX shell (``pwsh``, ``cmd``): its shell-form RUNs are not
  analysed, and AIS103 says so once per stage.
- Stages that do not build on aishell are not checked: their tools are their own.

Arguments (``echo claude``), paths (``~/.claude``), package names, heredocs fed to ``cat``,
comments, and CMD/ENTRYPOINT (harnesses exist at run time) are not commands run at build
time, and are not reported.
"""

from __future__ import annotations

from collections.abc import Iterator

from aishellc import ast
from aishellc.diagnostics import Diagnostic, Rule, register
from aishellc.passes.context import PassContext, PassResult
from aishellc.passes.harness_commands import harness_packages, script_commands
from aishellc.passes.run_scripts import Script, ScriptReader, is_posix_shell, shell_program
from aishellc.passes.spans import keyword_span, node_span
from aishellc.passes.stage_graph import Stage, StageGraph, analyze_stages

HARNESS_RUN_AT_BUILD_TIME = Rule(
    code="AIS101",
    name="harness-run-at-build-time",
    severity="error",
    summary="A RUN calls a harness binary, which is not in the image any more",
    doc="""## What it does
Finds RUN instructions (and ONBUILD RUN triggers) in stages built on aishell that call a
harness binary (`claude`, `codex`, `gemini`, `opencode`, `pi`, `copilot`, `openspec`) by
name or path, anywhere in the shell code: after `&&`, `;` or `|`, inside `if`, loops, `$(...)`,
subshells, `sh -c '...'` strings and heredocs given to a shell, behind `sudo`, `env`,
`VAR=value`, `command`, `exec`, `nice`, `timeout` or `xargs`, and in exec form.

## Why is this bad?
aishellc installs the harnesses in a runtime tier built on top of your image, so that a
harness update does not rebuild your whole sandbox. While your Dockerfile builds, the
harness binaries do not exist and the RUN fails with "command not found".

## Example
```dockerfile
FROM aishell:base
RUN claude mcp add github -- npx -y @modelcontextprotocol/server-github
```

Use instead:
```dockerfile
FROM aishell:base
# configure the harness when the container starts, or keep its settings in the project
COPY .mcp.json /home/developer/project/.mcp.json
```
""",
)
HARNESS_RUN_WITH_OWN_INSTALL = Rule(
    code="AIS102",
    name="harness-run-with-own-install",
    severity="info",
    summary="A RUN calls a harness that the stage installs itself",
    doc="""## What it does
Reports a harness binary run at build time in a stage that installed that harness itself
earlier (in the same stage or a stage it builds on: `npm install -g`, `pnpm add -g`,
`yarn global add`, `bun add -g`), and harnesses downloaded as they run (`npx
@anthropic-ai/claude-code`).

## Why is this bad?
It works, but the copy the stage installs is a second one: the runtime tier installs the
configured version on top, so the version that ran at build time can differ from the one
that runs in the container, and the extension rebuilds when it should not need to.

## Example
```dockerfile
FROM aishell:base
RUN npm install -g @anthropic-ai/claude-code && claude --version
```

Use instead:
```dockerfile
FROM aishell:base
```
""",
)
NON_POSIX_SHELL = Rule(
    code="AIS103",
    name="non-posix-shell",
    severity="info",
    summary="RUNs under a non-POSIX SHELL are not checked for harness calls",
    doc="""## What it does
Notes a stage whose SHELL is not a POSIX shell (`pwsh`, `powershell`, `cmd`), once per
stage: aishellc cannot read the shell-form RUNs of that stage, so it does not check them
for harness calls (AIS101). Exec-form RUNs and heredocs with a `#!/bin/sh` line are still
checked.

## Why is this bad?
It is not wrong in itself; the note says that a harness call in those RUNs would go
unnoticed until the build fails.

## Example
```dockerfile
FROM aishell:base
SHELL ["pwsh", "-Command"]
RUN Write-Output hello
```

Use instead:
```dockerfile
FROM aishell:base
RUN ["pwsh", "-Command", "Write-Output hello"]
```
""",
)
register(HARNESS_RUN_AT_BUILD_TIME, HARNESS_RUN_WITH_OWN_INSTALL, NON_POSIX_SHELL)


def find_harness_runs(document: ast.Document, context: PassContext) -> PassResult:
    """AIS101 for each harness run at build time; AIS102 and AIS103 notes."""
    return document, harness_run_diagnostics(document, context)


def harness_run_diagnostics(
    document: ast.Document, context: PassContext, *, every_stage: bool = False
) -> list[Diagnostic]:
    """The diagnostics of :func:`find_harness_runs`; ``every_stage`` also checks stages
    that do not build on aishell (to measure false positives on other Dockerfiles)."""
    graph = analyze_stages(document, context)
    reader = ScriptReader(document, context.path)
    inherited, shells = _inherited(graph)
    found: list[Diagnostic] = []
    for stage in graph.stages:
        if stage.on_aishell or every_stage:
            installs = _StageInstalls(stage, inherited[stage.index])
            found.extend(_stage_diagnostics(stage, shells[stage.index], reader, context, installs))
    return found


def _inherited(graph: StageGraph) -> tuple[list[frozenset[str]], list[ast.Shell | None]]:
    """For each stage, the binaries its ancestor stages install and the SHELL it starts
    with, in one pass (a FROM names only earlier stages; walking each stage's ancestors
    again was quadratic in a chain of stages)."""
    inherited: list[frozenset[str]] = []
    starts: list[ast.Shell | None] = []
    ends: list[ast.Shell | None] = []
    for stage in graph.stages:
        parent = graph.parent(stage)
        if parent is None:
            inherited.append(frozenset())
            starts.append(None)
        else:
            own = frozenset(install.binary for install in parent.harness_installs)
            inherited.append(inherited[parent.index] | own)
            starts.append(ends[parent.index])
        shells = stage.shells
        ends.append(shells[-1] if shells else starts[-1])
    return inherited, starts


class _StageInstalls:
    """Where a stage's harnesses are installed, indexed once for every use to look up (a
    scan per use was cubic in the number of RUNs)."""

    def __init__(self, stage: Stage, inherited: frozenset[str]) -> None:
        self.inherited = inherited
        positions = {id(item): index for index, item in enumerate(stage.instructions)}
        # binary -> the earliest position that installs it, and whether a RUN that is not
        # an ONBUILD trigger does
        self.first: dict[str, int] = {}
        self.not_onbuild: set[str] = set()
        # (instruction, binary) -> the smallest offset of an install in that instruction
        self.offsets: dict[tuple[int, str], int] = {}
        for install in stage.harness_installs:
            binary = install.binary
            index = positions[id(install.instruction)]
            self.first[binary] = min(index, self.first.get(binary, index))
            if not install.onbuild:
                self.not_onbuild.add(binary)
            key = (id(install.instruction), binary)
            self.offsets[key] = min(install.offset, self.offsets.get(key, install.offset))

    def before(self, position: int, script: Script, offset: int, binary: str) -> bool:
        """Whether ``binary`` is installed before the command at ``offset`` of ``script``,
        the RUN at ``position`` in the stage: by an ancestor stage, an earlier RUN of the
        stage, or an earlier command of the same RUN. ONBUILD triggers run after the whole
        stage."""
        if binary in self.inherited:
            return True
        instruction = script.instruction
        if self.offsets.get((id(instruction), binary), offset) < offset:
            return True
        if self.first.get(binary, position) < position:
            return True
        return isinstance(instruction, ast.Onbuild) and binary in self.not_onbuild


def _stage_diagnostics(
    stage: Stage,
    shell: ast.Shell | None,
    reader: ScriptReader,
    context: PassContext,
    installs: _StageInstalls,
) -> Iterator[Diagnostic]:
    noted = False
    for position, instruction in enumerate(stage.instructions):
        if isinstance(instruction, ast.Shell):
            shell = instruction
            continue
        script = reader.script(instruction)
        if script is None:
            continue
        if script.uses_shell and shell is not None and not is_posix_shell(shell):
            if not noted:
                noted = True
                yield _non_posix_note(stage, shell)
            continue
        yield from _script_diagnostics(installs, position, script, context)


def _script_diagnostics(
    installs: _StageInstalls, position: int, script: Script, context: PassContext
) -> Iterator[Diagnostic]:
    binaries = context.harness_binaries
    uses = script_commands(script, binaries)
    for package in harness_packages(uses, binaries):
        if package.kind == "run":
            span = script.span(package.use.start, package.use.end)
            yield Diagnostic.at(
                HARNESS_RUN_WITH_OWN_INSTALL,
                span,
                f"`{package.use.name}` downloads and runs `{package.package}` at build time",
                "it works, but the version can differ from the runtime tier's; drop it if"
                " the build does not need it",
            )
    for use in uses:
        if use.name is None or use.name not in binaries:
            continue
        span = script.span(use.start, use.end)
        if installs.before(position, script, use.start, use.name):
            yield Diagnostic.at(
                HARNESS_RUN_WITH_OWN_INSTALL,
                span,
                f"`{use.name}` runs at build time from the copy this stage installs itself",
                "it works, but the version can differ from the runtime tier's; drop the"
                " install and this call if the build does not need them",
            )
        else:
            yield Diagnostic.at(
                HARNESS_RUN_AT_BUILD_TIME,
                span,
                f"`{use.name}` runs at build time, but the harnesses are installed after"
                " this image is built",
                f"run `{use.name}` when the container starts instead, or install"
                f" `{binaries[use.name]}` in this stage first",
            )


def _non_posix_note(stage: Stage, shell: ast.Shell) -> Diagnostic:
    program = shell_program(shell) or "?"
    in_stage = any(item is shell for item in stage.instructions)
    span = keyword_span(shell) if in_stage else node_span(stage.from_.image or stage.from_)
    return Diagnostic.at(
        NON_POSIX_SHELL,
        span,
        f"RUNs in shell form under SHELL `{program}` are not checked for harness calls",
        "use exec form for RUNs that may call a harness, or check them by hand",
    )
