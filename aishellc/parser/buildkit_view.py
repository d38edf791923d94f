"""BuildKit's own view of a Dockerfile (``aishellc parse --format buildkit``), from the AST.

One dict per instruction with the fields BuildKit's parser reports through the ``dockerfile``
package: ``cmd, sub_cmd, json, original, start_line, end_line, flags, value, heredocs``.
ENV and LABEL values are flat key, value pairs, as that package gives them.
"""

from __future__ import annotations

from typing import Any

from aishellc import ast
from aishellc.parser import parse_with_lines
from aishellc.parser.prelex import LogicalLine


def full_view(source: bytes | str, path: str = "<string>") -> list[dict[str, Any]]:
    """The view from the full parse (grammar and AST), which reports errors with their
    location; :func:`aishellc.parser.buildkit_lines.buildkit_view` takes it where a line
    is not plain."""
    document, lines = parse_with_lines(source, path)
    return [
        instruction_view(node, line)
        for node, line in zip(document.instructions, lines, strict=True)
    ]


def instruction_view(node: ast.Instruction, line: LogicalLine) -> dict[str, Any]:
    inner = node.trigger if isinstance(node, ast.Onbuild) and node.trigger else node
    flags = [flag.text for flag in node.flags]
    if inner is not node:
        flags += [flag.text for flag in inner.flags]
    original = line.text
    if line.heredocs:
        original += "\n" + "".join(body.content + body.name + "\n" for body in line.heredocs)
    return {
        "cmd": node.keyword,
        "sub_cmd": inner.keyword if inner is not node else None,
        "json": _is_json(inner),
        "original": original,
        "start_line": line.start_line,
        "end_line": line.end_line,
        "flags": flags,
        "value": values(inner) if inner is node or isinstance(node, ast.Onbuild) else [],
        "heredocs": [
            {"name": body.name, "content": body.content, "file_descriptor": body.file_descriptor}
            for body in line.heredocs
        ],
    }


def _is_json(node: ast.Instruction) -> bool:
    match node:
        case ast.Copy() | ast.Add() | ast.Volume():
            return node.json
        case ast.Run() | ast.Cmd() | ast.Entrypoint() | ast.Shell() | ast.Healthcheck():
            return isinstance(node.command, ast.ExecCommand)
    return False


def _command_values(command: ast.Command | None) -> list[str]:
    if command is None:
        return []
    if isinstance(command, ast.ExecCommand):
        return list(command.args)
    return [command.text]


def values(node: ast.Instruction) -> list[str]:
    """BuildKit's value list of an instruction."""
    match node:
        case ast.From():
            texts = [node.image.value] if node.image else []
            if node.stage is not None and node.as_keyword is not None:
                texts += [node.as_keyword.value, node.stage.value]
            return texts
        case ast.Run() | ast.Cmd() | ast.Entrypoint() | ast.Shell():
            return _command_values(node.command)
        case ast.Env() | ast.Label():
            return [text for pair in node.pairs for text in (pair.key, pair.value)]
        case ast.Arg():
            return [
                decl.name if decl.default is None else f"{decl.name}={decl.default}"
                for decl in node.args
            ]
        case ast.Copy() | ast.Add() | ast.Volume():
            return [path.value for path in node.paths]
        case ast.Expose():
            return [port.value for port in node.ports]
        case ast.User() | ast.Workdir() | ast.StopSignal() | ast.Maintainer():
            return [node.value.value] if node.value else []
        case ast.Healthcheck():
            kind = [node.kind.value] if node.kind else []
            return kind + _command_values(node.command)
        case ast.Onbuild():
            return values(node.trigger) if node.trigger else []
    raise TypeError(type(node).__name__)
