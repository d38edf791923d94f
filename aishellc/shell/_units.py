"""Long shell texts parsed in independent units, so that tree-sitter-bash's heredoc state
cannot grow without bound (see :func:`parse_units`)."""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Tree

from aishellc.shell._parser import bash_parser

# Long texts are parsed in units of about this many bytes, each ending at a newline after
# which a new statement starts (see parse_units).
_UNIT = 1 << 11


def parse_units(data: bytes) -> Iterator[tuple[int, int, Tree]]:
    """Parse ``data`` as consecutive independent units ``(start, end, tree)``.

    tree-sitter-bash 0.25 keeps unterminated heredocs in its scanner state: after about 90 of
    them (``cat <<A <<B`` lines, or ``cat <<EOF >f; cmd``) it loses track and swallows the
    rest of the text into one heredoc, and thousands of them make the parse quadratic. Long
    texts are therefore cut, after a newline about every :data:`_UNIT` bytes, where the unit
    ends with a complete statement (:func:`_ends_cleanly`). When the statement at the cut is
    incomplete, the unit is cut before that statement instead, or doubled if that fails;
    either way the total work stays linear.
    """
    parser = bash_parser()
    total = len(data)
    start = 0
    size = _UNIT
    while True:
        end = data.find(b"\n", start + size) if start + size < total else -1
        end = total if end < 0 else end + 1
        tree = parser.parse(data[start:end])
        if end < total and not _ends_cleanly(tree, data, end):
            cut = _line_start_of_last_statement(tree, data, start)
            shorter = parser.parse(data[start:cut]) if cut is not None else None
            if cut is None or shorter is None or not _ends_cleanly(shorter, data, cut):
                size *= 2
                continue
            tree, end = shorter, cut
        yield start, end, tree
        if end >= total:
            return
        start = end
        size = _UNIT


def _line_start_of_last_statement(tree: Tree, data: bytes, start: int) -> int | None:
    """Where the line of the last top-level statement of a unit at ``start`` begins."""
    children = tree.root_node.named_children
    if not children:
        return None
    cut = data.rfind(b"\n", start, start + children[-1].start_byte) + 1
    return cut if cut > start else None


def _ends_cleanly(tree: Tree, data: bytes, end: int) -> bool:
    """Whether the unit ``tree``, parsed from text ending at ``data[end]``, is complete: the
    next unit can be parsed on its own.

    A unit is complete when it has no syntax error -- except inside a heredoc redirect that
    found its end, the symptom of the tree-sitter-bash heredoc-line bug (see
    ``_Walk.heredoc_line_is_broken``) -- does not end inside a heredoc body, and is not
    continued by a backslash-newline. Error recovery can put the error anywhere (an
    unterminated ``case`` may become an ERROR at its start followed by well-formed commands),
    so the whole tree is checked, descending only into nodes that contain an error.
    """
    k = end - 2
    while k >= 0 and data[k] == 0x5C:  # backslash
        k -= 1
    if (end - 2 - k) % 2:
        return False  # a backslash-newline continues the line
    root = tree.root_node
    node = root
    while node.child_count:
        node = node.children[-1]
        if node.type == "heredoc_end" and node.start_byte == node.end_byte:
            return False  # the text ended inside a heredoc body
    if not root.has_error:
        return True
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            return False
        if node.type == "heredoc_redirect":
            last = node.children[-1]
            if last.type == "heredoc_end" and last.end_byte > last.start_byte:
                continue
        stack.extend(child for child in node.children if child.has_error)
    return True
