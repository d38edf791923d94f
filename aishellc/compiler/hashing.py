"""Content hashes: canonical JSON, the semantic form of a Dockerfile, and the tier hashes.

Every hash is the sha256 of canonical JSON (sorted keys, no insignificant whitespace,
UTF-8; see :func:`aishellc.config.model.canonical_json`) of a small record that names what it
hashes (``"hash"``) and the version of that record's layout (``"format"``), so two
different kinds of record can never collide and a change of layout is deliberate.

**Semantic form** (:func:`semantic_form`). What a Dockerfile *means* to BuildKit, built from
the AST, never from the text:

- the ``escape`` character and the ``syntax`` directive (both change what the file means;
  ``check`` only changes linting and is left out);
- per instruction: the keyword upper-cased, the flags as BuildKit reports them
  (``--name=value``, in order), the argument values as BuildKit reports them
  (:func:`aishellc.parser.buildkit_view.values`), whether a command is in exec (JSON)
  form, and each heredoc's name, content, file descriptor, expansion and chomping;
  ``ONBUILD`` nests its trigger's form.

Left out: comments, blank lines, the byte-order mark, line endings outside heredoc bodies,
keyword case, and continuation layout. BuildKit keeps the indentation of continuation lines
in a shell-form command (``RUN a \\⏎    b`` runs ``a     b``), so the runs of blanks the
shell reads as word separators are collapsed to one space (:func:`normalize_shell`); blanks
the shell keeps (in quotes, ``${...}``, arithmetic, escapes, array subscripts, ...) stay as
written, and so does the rest of a line past anything the rule does not follow exactly (a
comment, ``=~``; see :mod:`aishellc.shell.separators`). That holds for POSIX shells, so it
is only done when every ``SHELL`` instruction of the file names one
(:func:`aishellc.passes.run_scripts.is_posix_shell`) or there is none. What the shell runs
is the same either way; only a script that reads its own text (``set -v``,
``$BASH_EXECUTION_STRING``, a syntax error message quoting the line) can tell.

**Tier hashes** (DESIGN.md):

- foundation: the rendered foundation Dockerfile, every file it copies, the foundation
  configuration (:meth:`aishellc.config.model.Config.foundation_inputs`: base and Node.js images,
  apt packages, every tool's version, downloads and checksums, the user), its build args
  and the target platform (every tier is built for it: ``--platform``);
- extension: the foundation hash; the semantic form of the extension Dockerfile (the user's
  file with aishellc's base rewrite, so the rewrite is covered too); every context file
  that COPY/ADD/``RUN --mount=type=bind`` read (path, sha256, type, executable bit); the
  build args; the target and build platforms (:mod:`aishellc.context.platforms`: BuildKit's
  automatic ARGs and every base image differ per platform, so each platform has its own
  hash);
- base (the global tier, with a global file): as the extension, over the foundation hash,
  the semantic form of the rewritten global file and the files it reads from its folder
  (``~/.aishell``); the extension of a project on ``aishell:base`` then covers it;
- runtime: the hash of the image it builds on (the extension; in the legacy layout the
  foundation), the harness name → (npm package, version) map, the strategy and the sha256
  of the rendered runtime Dockerfile (the runtime template).

Tags use the first 12 hex digits (:meth:`aishellc.config.model.Config.tier_tag`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from aishellc import ast
from aishellc.config.model import canonical_json
from aishellc.parser.buildkit_view import values
from aishellc.passes.run_scripts import is_posix_shell
from aishellc.shell.separators import separators

FORMAT = 1
"""The layout version of every hashed record (bump it when a record changes shape)."""

_MEANINGFUL_DIRECTIVES = ("syntax",)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_text(text: str) -> str:
    """The sha256 of text encoded as UTF-8 (lone surrogates kept as the bytes they were)."""
    return sha256_bytes(text.encode("utf-8", errors="surrogateescape"))


def digest(record: Any) -> str:
    """The sha256 of a record's canonical JSON."""
    return sha256_bytes(canonical_json(record))


# --- semantic form ----------------------------------------------------------------------


def semantic_form(document: ast.Document) -> dict[str, Any]:
    """The meaning of a Dockerfile as plain JSON data (see the module docs)."""
    directives = {"escape": document.escape}
    for directive in document.directives:
        name = directive.name.lower()
        if name in _MEANINGFUL_DIRECTIVES:
            directives[name] = directive.value
    posix = _posix_shell_only(document.instructions)
    return {
        "directives": directives,
        "instructions": [_instruction_form(node, posix) for node in document.instructions],
    }


def semantic_sha256(document: ast.Document) -> str:
    """The sha256 of :func:`semantic_form`."""
    return digest({"hash": "semantic", "format": FORMAT, "form": semantic_form(document)})


def _instruction_form(node: ast.Instruction, posix: bool) -> dict[str, Any]:
    form: dict[str, Any] = {
        "cmd": node.keyword.upper(),
        "flags": [flag.text for flag in node.flags],
    }
    if isinstance(node, ast.Onbuild):
        form["trigger"] = _instruction_form(node.trigger, posix) if node.trigger else None
        return form
    value = values(node)
    command = getattr(node, "command", None)
    if isinstance(command, ast.ShellCommand) and posix:
        value = [*value[:-1], normalize_shell(value[-1])]
    if isinstance(command, ast.ExecCommand | ast.ShellCommand):
        form["exec"] = isinstance(command, ast.ExecCommand)
    form["value"] = value
    heredocs: tuple[ast.Heredoc, ...] = getattr(node, "heredocs", ())
    if heredocs:
        form["heredocs"] = [
            {
                "name": heredoc.name,
                "content": heredoc.content,
                "fd": heredoc.file_descriptor,
                "expand": heredoc.expand,
                "chomp": heredoc.chomp,
            }
            for heredoc in heredocs
        ]
    return form


def _posix_shell_only(instructions: Iterable[ast.Instruction]) -> bool:
    for node in instructions:
        inner = node.trigger if isinstance(node, ast.Onbuild) else node
        if isinstance(inner, ast.Shell) and not is_posix_shell(inner):
            return False
    return True


def normalize_shell(text: str) -> str:
    """``text`` with each run of blanks that is a word separator to the shell collapsed to
    one space, and such runs at either end removed; every other byte is kept
    (:func:`aishellc.shell.separators.separators` decides which runs those are)."""
    out: list[str] = []
    position = 0
    for start, end in separators(text):
        out.append(text[position:start])
        if start > 0 and end < len(text):
            out.append(" ")
        position = end
    out.append(text[position:])
    return "".join(out)


# --- tier hashes ------------------------------------------------------------------------


def foundation_hash(
    dockerfile: str,
    files: Mapping[str, bytes],
    config_inputs: Mapping[str, Any],
    build_args: Mapping[str, str],
    platform: str,
) -> str:
    return digest(
        {
            "hash": "foundation",
            "format": FORMAT,
            "dockerfile": sha256_text(dockerfile),
            "files": {name: sha256_bytes(files[name]) for name in sorted(files)},
            "config": dict(config_inputs),
            "build_args": dict(build_args),
            "platform": platform,
        }
    )


def extension_hash(
    base_hash: str,
    semantic: str,
    inputs: Iterable[Mapping[str, Any]],
    build_args: Mapping[str, str],
    platforms: Mapping[str, str],
    *,
    tier: str = "extension",
) -> str:
    """The extension's hash; the global tier's (``tier="base"``) is made the same way, over
    the foundation hash, the global file and its context."""
    return digest(
        {
            "hash": tier,
            "format": FORMAT,
            "base": base_hash,
            "semantic_sha256": semantic,
            "inputs": [dict(entry) for entry in inputs],
            "build_args": dict(build_args),
            "platforms": dict(platforms),
        }
    )


def runtime_hash(
    base_hash: str,
    harnesses: Mapping[str, Mapping[str, str]],
    strategy: str,
    template_sha256: str,
) -> str:
    return digest(
        {
            "hash": "runtime",
            "format": FORMAT,
            "base": base_hash,
            "harnesses": {name: dict(harnesses[name]) for name in sorted(harnesses)},
            "strategy": strategy,
            "template_sha256": template_sha256,
        }
    )
