"""Typed fields and spans of the AST, one instruction per row."""

from __future__ import annotations

from typing import Any

import pytest

from aishellc import ast
from aishellc.parser import parse


def only(text: str) -> ast.Instruction:
    document = parse("FROM scratch\n" + text + "\n")
    return document.instructions[1]


@pytest.mark.parametrize(
    ("text", "checks"),
    [
        (
            "FROM --platform=linux/arm64 registry.io:5000/team/img:1.2@sha256:abc AS Build",
            {
                "image.name": "registry.io:5000/team/img",
                "image.tag": "1.2",
                "image.digest": "sha256:abc",
                "platform": "linux/arm64",
                "stage_name": "Build",
            },
        ),
        ("FROM aishell:base", {"image.name": "aishell", "image.tag": "base", "stage_name": None}),
        ("FROM ${BASE}", {"image.value": "${BASE}", "platform": None}),
        ("RUN echo hi", {"form": "shell", "command.text": "echo hi"}),
        ('RUN ["echo", "hi"]', {"form": "exec", "command.args": ("echo", "hi")}),
        ("RUN --mount=type=cache,target=/x --network=none make", {"flags.0.name": "mount"}),
        ("RUN --mount=type=cache,target=/x --network=none make", {"flags.1.value": "none"}),
        ('CMD ["a", "b"]', {"form": "exec"}),
        ("ENTRYPOINT exec x", {"form": "shell"}),
        ('ENV A=1 B="two words"', {"pairs.0.key": "A", "pairs.1.value": '"two words"'}),
        ("ENV A some value", {"pairs.0.key": "A", "pairs.0.value": "some value"}),
        ("ENV A some value", {"pairs.0.legacy": True}),
        ("LABEL a.b=c", {"pairs.0.key": "a.b", "pairs.0.value": "c"}),
        ("ARG V=1 W", {"args.0.name": "V", "args.0.default": "1", "args.1.default": None}),
        ("COPY --from=build --chown=1:1 a b /dst/", {"sources.1.value": "b"}),
        ("COPY --from=build --chown=1:1 a b /dst/", {"destination.value": "/dst/"}),
        ('COPY ["a b", "/d"]', {"json": True, "paths.0.value": "a b"}),
        ("ADD https://x/y /z", {"paths.0.value": "https://x/y"}),
        ("EXPOSE 80/tcp 443", {"ports.1.value": "443"}),
        ("VOLUME /a /b", {"paths.1.value": "/b"}),
        ("USER app:app", {"value.value": "app:app"}),
        ("WORKDIR /srv/app", {"value.value": "/srv/app"}),
        ("STOPSIGNAL SIGTERM", {"value.value": "SIGTERM"}),
        ("HEALTHCHECK NONE", {"kind.value": "NONE", "command": None}),
        ("HEALTHCHECK --interval=5s CMD curl -f x", {"kind.value": "CMD", "form": "shell"}),
        ("ONBUILD RUN make", {"trigger.NAME": "RUN", "trigger.command.text": "make"}),
        ("run <<EOF\nbody\nEOF", {"heredocs.0.name": "EOF", "heredocs.0.content": "body\n"}),
    ],
)
def test_typed_fields(text: str, checks: dict[str, Any]) -> None:
    node: Any = only(text)
    for path, expected in checks.items():
        value = node
        for part in path.split("."):
            value = value[int(part)] if part.isdigit() else getattr(value, part)
        assert value == expected, path


def test_every_node_has_a_span_inside_the_file() -> None:
    text = (
        "# syntax=x\nFROM --platform=p a AS b\n# c\n\nRUN --mount=x \\\n  echo <<EOF\nhi\nEOF\n"
        'ENV a=b c=d\nCOPY ["x", "y"]\nONBUILD RUN z\nHEALTHCHECK CMD ["t"]\n'
    )
    document = parse(text)

    def walk(node: ast.Node) -> None:
        assert node.span is not None, node
        assert 0 <= node.span.start <= node.span.end <= len(text)
        assert node.span.line >= 1 and node.span.column >= 1
        for child in node.children():
            walk(child)

    for item in document.items:
        walk(item)


@pytest.mark.parametrize(
    ("text", "node_path", "span_text", "line", "column"),
    [
        ("FROM a\nFROM --platform=x img:1 AS s\n", "1.image", "img:1", 2, 19),
        ("FROM a\nFROM --platform=x img:1 AS s\n", "1.flags.0", "--platform=x", 2, 6),
        ("FROM a\nRUN x \\\n  && y\n", "1.command", "x \\\n  && y", 2, 5),
        ("FROM a\nENV k=v \\\n  # c\n  k2=v2\n", "1.pairs.1", "k2=v2", 4, 3),
        ('FROM a\nCOPY ["s", "d"]\n', "1.paths.1", '"d"', 2, 12),
        ("FROM a\nRUN <<EOF\nhi\nEOF\n", "1.heredocs.0", "hi\nEOF", 3, 1),
        ("\ufeffFROM é\nRUN ü\n", "1.command", "ü", 2, 5),
    ],
)
def test_spans(text: str, node_path: str, span_text: str, line: int, column: int) -> None:
    value: Any = parse(text.encode()).instructions
    for part in node_path.split("."):
        value = value[int(part)] if part.isdigit() else getattr(value, part)
    assert value.span.text == span_text
    assert (value.span.line, value.span.column) == (line, column)


def test_byte_offsets_count_utf8_and_bom() -> None:
    document = parse("\ufeffFROM é\nRUN ü\n".encode())
    command = document.instructions[1].command  # type: ignore[attr-defined]
    data = "\ufeffFROM é\nRUN ü\n".encode()
    assert data[command.span.start_byte : command.span.end_byte] == "ü".encode()
