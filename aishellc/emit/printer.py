"""The lossless printer: unchanged nodes print their original text, changed ones canonically.

A parsed node prints the exact source text of its span. A node made with
:func:`aishellc.ast.replace` prints its original text with only the changed children
re-printed in place, so comments, continuations and spacing around the change survive.
Nodes that have no original (new nodes) print in canonical form.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import singledispatch

import attrs

from aishellc import ast

_METADATA = frozenset({"span", "original"})


def print_document(document: ast.Document) -> str:
    """The text of a document (with its BOM, if it had one)."""
    parts = ["\ufeff"] if document.bom else []
    newline = document.newline
    for item in document.items:
        parts.append(print_node(item))
        parts.append(newline if item.eol is None else item.eol)
    return "".join(parts)


def print_node(node: ast.Node) -> str:
    """The text of one node: original where unchanged, canonical where changed."""
    if node.span is not None:
        return node.span.text
    original = node.original
    if original is not None and original.span is not None:
        spliced = _splice(node, original, original.span)
        if spliced is not None:
            return spliced
    return canonical(node)


def _field_pairs(new: ast.Node, old: ast.Node) -> Iterator[tuple[object, object]]:
    for field in attrs.fields(type(new)):
        if field.name not in _METADATA:
            yield getattr(new, field.name), getattr(old, field.name)


def _splice(new: ast.Node, old: ast.Node, span: ast.Span) -> str | None:
    """``old``'s text with its changed children replaced, or None if that cannot be done."""
    if type(new) is not type(old):
        return None
    replacements: list[tuple[int, int, str]] = []
    for new_value, old_value in _field_pairs(new, old):
        if new_value is old_value:
            continue
        if isinstance(new_value, tuple) and isinstance(old_value, tuple):
            if len(new_value) != len(old_value):
                return None
            pairs = list(zip(new_value, old_value, strict=True))
        else:
            pairs = [(new_value, old_value)]
        for new_child, old_child in pairs:
            if new_child is old_child:
                continue
            if not (isinstance(new_child, ast.Node) and isinstance(old_child, ast.Node)):
                if new_child != old_child:
                    return None
                continue
            if old_child.span is None:
                return None
            replacements.append((old_child.span.start, old_child.span.end, print_node(new_child)))
    text = span.source.text
    out = []
    pos = span.start
    for start, end, replacement in sorted(replacements):
        out.append(text[pos:start])
        out.append(replacement)
        pos = end
    out.append(text[pos : span.end])
    return "".join(out)


@singledispatch
def canonical(node: ast.Node) -> str:
    """The canonical text of a node (how aishellc writes a new one)."""
    raise TypeError(f"no canonical form for {type(node).__name__}")


@canonical.register
def _(node: ast.Word) -> str:
    return node.value


@canonical.register
def _(node: ast.ImageRef) -> str:
    return node.value


@canonical.register
def _(node: ast.Flag) -> str:
    return node.raw


@canonical.register
def _(node: ast.ShellCommand) -> str:
    return node.text


@canonical.register
def _(node: ast.ExecCommand) -> str:
    return json.dumps(list(node.args), ensure_ascii=False)


@canonical.register
def _(node: ast.KeyValue) -> str:
    return f"{node.key} {node.value}" if node.legacy else f"{node.key}={node.value}"


@canonical.register
def _(node: ast.ArgDecl) -> str:
    return node.name if node.default is None else f"{node.name}={node.default}"


@canonical.register
def _(node: ast.Heredoc) -> str:
    return node.content + node.name


@canonical.register
def _(node: ast.Directive) -> str:
    return f"# {node.name}={node.value}"


@canonical.register
def _(node: ast.Comment) -> str:
    return node.text


@canonical.register
def _(node: ast.BlankLine) -> str:
    return node.text


@canonical.register
def _(node: ast.Instruction) -> str:
    line = _instruction_line(node)
    heredocs = _instruction_heredocs(node)
    if not heredocs:
        return line
    return "\n".join([line, *(print_node(heredoc) for heredoc in heredocs)])


def _instruction_line(node: ast.Instruction) -> str:
    """The instruction's logical line: keyword, flags and arguments, without heredocs."""
    words = [node.keyword, *(print_node(flag) for flag in node.flags)]
    words.extend(_argument_texts(node))
    return " ".join(word for word in words if word)


def _instruction_heredocs(node: ast.Instruction) -> tuple[ast.Heredoc, ...]:
    if isinstance(node, ast.Onbuild):
        return _instruction_heredocs(node.trigger) if node.trigger else ()
    heredocs: tuple[ast.Heredoc, ...] = getattr(node, "heredocs", ())
    return heredocs


def _argument_texts(node: ast.Instruction) -> list[str]:
    match node:
        case ast.From():
            texts = [print_node(node.image)] if node.image else []
            if node.stage is not None:
                texts += [print_node(node.as_keyword) if node.as_keyword else "AS"]
                texts.append(print_node(node.stage))
            return texts
        case ast.Run() | ast.Cmd() | ast.Entrypoint() | ast.Shell():
            return [print_node(node.command)] if node.command else []
        case ast.Env() | ast.Label():
            return [print_node(pair) for pair in node.pairs]
        case ast.Arg():
            return [print_node(decl) for decl in node.args]
        case ast.Copy() | ast.Add() | ast.Volume():
            if node.json:
                return [json.dumps([path.value for path in node.paths], ensure_ascii=False)]
            return [print_node(path) for path in node.paths]
        case ast.Expose():
            return [print_node(port) for port in node.ports]
        case ast.User() | ast.Workdir() | ast.StopSignal() | ast.Maintainer():
            return [print_node(node.value)] if node.value else []
        case ast.Healthcheck():
            texts = [print_node(node.kind)] if node.kind else []
            return texts + ([print_node(node.command)] if node.command else [])
        case ast.Onbuild():
            if node.trigger is None:
                return []
            if _instruction_heredocs(node.trigger):
                return [_instruction_line(node.trigger)]
            return [print_node(node.trigger)]
    raise TypeError(f"no canonical form for {type(node).__name__}")
