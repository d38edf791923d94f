"""Lazily created tree-sitter-bash language and parser objects.

The language is loaded once per process. ``tree_sitter.Parser`` objects are not safe to share
between threads, so each thread gets its own parser, created on first use and then reused.
"""

from __future__ import annotations

import functools
import threading

import tree_sitter
import tree_sitter_bash

_local = threading.local()


@functools.cache
def bash_language() -> tree_sitter.Language:
    """The tree-sitter-bash language, loaded on first use."""
    return tree_sitter.Language(tree_sitter_bash.language())


def bash_parser() -> tree_sitter.Parser:
    """This thread's tree-sitter parser for bash, created on first use."""
    parser: tree_sitter.Parser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = tree_sitter.Parser(bash_language())
        _local.parser = parser
    return parser
