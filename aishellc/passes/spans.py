"""Small helpers for pointing diagnostics at the right characters."""

from __future__ import annotations

from aishellc import ast
from aishellc.parser.buildkit_words import GO_SPACE


def node_span(node: ast.Node) -> ast.Span | None:
    """A node's span, or the span of the parsed node it replaces (None for new nodes)."""
    if node.span is not None:
        return node.span
    original = node.original
    return original.span if original is not None else None


def keyword_span(instruction: ast.Instruction) -> ast.Span | None:
    """The span of an instruction's keyword (``RUN``, ``onbuild``) without indentation."""
    span = node_span(instruction)
    if span is None:
        return None
    text = span.text
    start = span.start + len(text) - len(text.lstrip(GO_SPACE))
    return ast.Span(start, start + len(instruction.keyword), span.source)
