"""The AST as plain JSON data (``aishellc parse --format json``)."""

from __future__ import annotations

from typing import Any

import attrs

from aishellc import ast

_SKIP = frozenset({"span", "original", "source", "logical_lines"})


def span_json(span: ast.Span) -> dict[str, int]:
    return {
        "line": span.line,
        "column": span.column,
        "end_line": span.end_line,
        "end_column": span.end_column,
        "start_byte": span.start_byte,
        "end_byte": span.end_byte,
    }


def node_json(node: ast.Node) -> dict[str, Any]:
    """A node as ``{"type": ..., fields..., "span": {...}}``, children nested."""
    data: dict[str, Any] = {"type": type(node).__name__}
    for field in attrs.fields(type(node)):
        if field.name in _SKIP:
            continue
        data[field.name] = _value_json(getattr(node, field.name))
    if isinstance(node, ast.Instruction):
        data["instruction"] = node.NAME
    if node.span is not None:
        data["span"] = span_json(node.span)
    return data


def _value_json(value: object) -> Any:
    if isinstance(value, ast.Node):
        return node_json(value)
    if isinstance(value, tuple):
        return [_value_json(item) for item in value]
    return value
