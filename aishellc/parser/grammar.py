"""Loading the lark grammar (shipped in the wheel as ``aishellc/grammar/dockerfile.lark``).

The rest of the parser takes lark's names from here: this module imports lark without
``interegular``. lark imports that optional package, when it is installed, at its own
import, but uses it only to check a grammar's terminals for collisions while analysing it
(strict mode, or a build without the cache); a normal run loads the analysis from the cache,
and the import alone costs about a tenth of a cold ``aishellc check``. ``make_parser(...,
strict=True)`` brings it back for the grammar tests.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from pathlib import Path
from typing import Any

_HIDE_INTEREGULAR = "interegular" not in sys.modules
if _HIDE_INTEREGULAR:
    sys.modules["interegular"] = None  # type: ignore[assignment]  # import fails, as if absent
try:
    import lark.lexer
    from lark import Lark, Token, Transformer, Tree
    from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken
finally:
    if _HIDE_INTEREGULAR:
        del sys.modules["interegular"]

__all__ = [
    "GRAMMAR_NAME",
    "Lark",
    "Token",
    "UnexpectedCharacters",
    "UnexpectedInput",
    "UnexpectedToken",
    "cache_dir",
    "grammar_for_escape",
    "grammar_text",
    "make_parser",
    "parser_for",
]

GRAMMAR_NAME = "dockerfile.lark"
_ESCAPE_DEPENDENT = re.compile(r"^.*//\s*escape\s*$", re.MULTILINE)


def grammar_text() -> str:
    """The grammar as shipped: inside the installed package, else the checkout's copy."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "grammar" / GRAMMAR_NAME
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    checkout = package.parent / "grammar" / GRAMMAR_NAME
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
    if strict:
        _check_collisions()
    return Lark(
        grammar_for_escape(escape),
        parser="lalr",
        lexer="contextual",
        strict=strict,
        transformer=_Tuples() if transform else None,
        maybe_placeholders=False,
        **options,
    )


def _check_collisions() -> None:
    """Let lark check terminals for collisions: give it the ``interegular`` this module
    hid from it (strict mode refuses to run without it)."""
    import interegular

    lark.lexer.interegular = interegular  # type: ignore[attr-defined]
    lark.lexer.has_interegular = True


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
