"""Loading the lark grammar (shipped in the wheel as ``aishellc/grammar/dockerfile.lark``)."""

from __future__ import annotations

import functools
import re
from importlib import resources
from pathlib import Path
from typing import Any

from lark import Lark, Transformer, Tree

GRAMMAR_NAME = "dockerfile.lark"
_ESCAPE_DEPENDENT = re.compile(r"^.*//\s*escape\s*$", re.MULTILINE)


def grammar_text() -> str:
    """The grammar as shipped: inside the installed package, else the checkout's copy."""
    packaged = resources.files("aishellc").joinpath("grammar", GRAMMAR_NAME)
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    checkout = Path(__file__).resolve().parents[2] / "grammar" / GRAMMAR_NAME
    return checkout.read_text(encoding="utf-8")


def grammar_for_escape(escape: str) -> str:
    """The grammar for an escape character (`\\` as written, or the backtick variant)."""
    text = grammar_text()
    if escape == "\\":
        return text
    return _ESCAPE_DEPENDENT.sub(lambda m: m.group(0).replace("\\\\", escape), text)


class _Tuples(Transformer[Any, Any]):
    """Turns each rule into ``(rule name, children)``; the builder makes AST nodes of them."""

    def __default__(self, data: Any, children: list[Any], meta: Any) -> Any:
        if data.startswith("_"):
            # lark splices an inlined rule's children into its parent: it needs a Tree.
            return Tree(data, children)
        return (str(data), children)

    def start(self, children: list[Any]) -> list[Any]:
        return children


def make_parser(escape: str, *, strict: bool = False, transform: bool = True) -> Lark:
    """A fresh LALR parser; ``strict`` turns grammar conflicts and collisions into errors."""
    return Lark(
        grammar_for_escape(escape),
        parser="lalr",
        lexer="contextual",
        strict=strict,
        transformer=_Tuples() if transform else None,
        maybe_placeholders=False,
    )


@functools.cache
def parser_for(escape: str) -> Lark:
    """The shared parser for an escape character, built on first use."""
    return make_parser(escape)
