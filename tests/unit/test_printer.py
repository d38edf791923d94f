"""Printing changed trees: only what changed prints canonically."""

from __future__ import annotations

import attrs
import pytest

from aishellc import ast
from aishellc.emit.printer import print_document
from aishellc.parser import parse


def rewrite_image(text: str, new: str) -> str:
    document = parse(text)
    items = []
    for item in document.items:
        if isinstance(item, ast.From) and item.image is not None:
            item = ast.replace(item, image=ast.replace(item.image, value=new))
        items.append(item)
    return print_document(ast.replace(document, items=tuple(items)))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FROM a\n", "FROM NEW\n"),
        ("from  a  as   b\r\n", "from  NEW  as   b\r\n"),
        (
            "FROM --platform=linux/amd64 \\\n  # pinned base\n  a AS build\n",
            "FROM --platform=linux/amd64 \\\n  # pinned base\n  NEW AS build\n",
        ),
        ("FROM a\nRUN echo FROM a\n", "FROM NEW\nRUN echo FROM a\n"),
        ("FROM a", "FROM NEW"),
    ],
)
def test_changed_child_keeps_layout(text: str, expected: str) -> None:
    assert rewrite_image(text, "NEW") == expected


def test_new_items_print_canonically_with_the_document_newline() -> None:
    document = parse("# syntax=x\r\nFROM a\r\n")
    arg = ast.Arg("ARG", (), (ast.ArgDecl("BASE", "img:1"),))
    items = (document.items[0], arg, *document.items[1:])
    assert print_document(ast.replace(document, items=items)) == (
        "# syntax=x\r\nARG BASE=img:1\r\nFROM a\r\n"
    )


@pytest.mark.parametrize(
    ("node", "text"),
    [
        (ast.From("FROM", (), ast.ImageRef("a"), ast.Word("AS"), ast.Word("b")), "FROM a AS b"),
        (ast.Run("RUN", (), ast.ExecCommand(("a", "b c"))), 'RUN ["a", "b c"]'),
        (
            ast.Run("RUN", (ast.Flag("--network=none", "network", "none"),), ast.ShellCommand("x")),
            "RUN --network=none x",
        ),
        (ast.Env("ENV", (), (ast.KeyValue("A", "1"), ast.KeyValue("B", "2"))), "ENV A=1 B=2"),
        (ast.Copy("COPY", (), (ast.Word("a"), ast.Word("/b")), json=True), 'COPY ["a", "/b"]'),
        (ast.User("USER", (), ast.Word("root")), "USER root"),
        (ast.Onbuild("ONBUILD", (), ast.Run("RUN", (), ast.ShellCommand("x"))), "ONBUILD RUN x"),
        (
            ast.Run("RUN", (), ast.ShellCommand("<<EOF"), (ast.Heredoc("EOF", "echo\n"),)),
            "RUN <<EOF\necho\nEOF",
        ),
    ],
)
def test_canonical_forms_parse_back(node: ast.Instruction, text: str) -> None:
    document = ast.Document((node,))
    printed = print_document(document)
    assert printed == text + "\n"
    parsed = parse("FROM x\n" + printed).instructions[1]
    assert attrs.evolve(parsed, eol=None) == node


def test_unchanged_replacement_prints_the_original() -> None:
    text = "FROM a \\\n  AS b\n"
    document = parse(text)
    same = ast.replace(document.items[0])
    assert print_document(ast.replace(document, items=(same,))) == text
