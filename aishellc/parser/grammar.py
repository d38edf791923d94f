"""Loading the lark grammar (shipped in the wheel as ``aishellc/grammar/dockerfile.lark``)."""

from __future__ import annotations

import functools
import os
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


def make_parser(
    escape: str, *, strict: bool = False, transform: bool = True, cache: str | None = None
) -> Lark:
    """A fresh LALR parser; ``strict`` turns grammar conflicts and collisions into errors.

    ``cache`` names a file where lark keeps its grammar analysis between runs.
    """
    options: dict[str, Any] = {"cache": cache} if cache else {}
    return Lark(
        grammar_for_escape(escape),
        parser="lalr",
        lexer="contextual",
        strict=strict,
        transformer=_Tuples() if transform else None,
        maybe_placeholders=False,
        **options,
    )


def cache_dir() -> Path | None:
    """A private per-user folder for the grammar analysis, or None if none can be made.

    Not the shared temp folder lark would use by default: the cache is a pickle, and a
    file another user could plant there would run code when loaded.
    """
    if os.environ.get("AISHELLC_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    folder = Path(base) / "aishellc"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.stat()
        if info.st_uid != os.getuid() or info.st_mode & 0o077:
            return None
    except (OSError, RuntimeError):
        return None
    return folder


@functools.cache
def parser_for(escape: str) -> Lark:
    """The shared parser for an escape character, built on first use (cached on disk)."""
    folder = cache_dir()
    if folder is None:
        return make_parser(escape)
    name = "backslash" if escape == "\\" else "backtick"
    try:
        return make_parser(escape, cache=str(folder / f"grammar-{name}.lark-cache"))
    except OSError:
        return make_parser(escape)
