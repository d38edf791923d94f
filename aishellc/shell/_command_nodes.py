"""Which simple command of a tree-sitter-bash tree a redirect or a pipe feeds, and which
redirect a command's standard input comes from."""

from __future__ import annotations

from tree_sitter import Node

STDIN_REDIRECTS = frozenset({"heredoc_redirect", "herestring_redirect"})
_STDIN_FILE_OPERATORS = frozenset({"<", "<&", "<>", "<&-"})


def effective_stdin(redirects: list[Node]) -> Node | None:
    """The heredoc or here-string a command's standard input comes from, if any: the last of
    its redirects that reads fd 0 wins (``bash <<A <<B`` reads B, ``bash <<A <f`` reads f).
    tree-sitter-bash nests the redirects written after a heredoc on its line inside it."""
    effective: Node | None = None
    for redirect in redirects:
        for one in (redirect, *redirect.children_by_field_name("redirect")):
            if one.type not in STDIN_REDIRECTS and one.type != "file_redirect":
                continue
            descriptor = one.child_by_field_name("descriptor")
            if descriptor is not None and descriptor.text != b"0":
                continue
            if one.type in STDIN_REDIRECTS:
                effective = one
            elif any(child.type in _STDIN_FILE_OPERATORS for child in one.children):
                effective = None
    return effective


def last_command(node: Node | None) -> Node | None:
    """The simple command a redirection written after ``node`` applies to, if any."""
    while node is not None:
        kind = node.type
        if kind == "command":
            return node
        if kind == "redirected_statement":
            node = node.child_by_field_name("body")
        elif kind in ("list", "pipeline", "negated_command"):
            children = node.named_children
            node = children[-1] if children else None
        else:
            return None
    return None


def first_command(node: Node, skip: int = 0) -> Node | None:
    """The first simple command of a pipeline, after ``skip`` elements."""
    for child in node.named_children[skip:]:
        if child.type == "command":
            return child
        if child.type != "comment":
            return leading_command(child)
    return None


def leading_command(node: Node | None) -> Node | None:
    """The simple command that runs first in ``node`` (tree-sitter-bash nests the rest of a
    heredoc's line, ``cat <<EOF | sh && x <f``, as ``sh && x`` redirected from ``f``)."""
    while node is not None and node.type != "command":
        if node.type == "redirected_statement":
            node = node.child_by_field_name("body")
        elif node.type in ("list", "pipeline"):
            children = [child for child in node.named_children if child.type != "comment"]
            node = children[0] if children else None
        else:
            return None
    return node
