"""The stage graph: stages, global ARGs, what each FROM names, and which build on aishell."""

from __future__ import annotations

import pytest

from aishellc import ast
from aishellc.parser import parse
from aishellc.parser.buildkit_words import mount_fields
from aishellc.passes import PassContext
from aishellc.passes.stage_graph import StageGraph, analyze_stages


def graph(text: str, context: PassContext | None = None) -> StageGraph:
    return analyze_stages(parse(text), context or PassContext())


# (Dockerfile, [(stage name, expanded base, base stage index, names aishell, on aishell)])
STAGES = [
    ("FROM aishell:base\n", [(None, "aishell:base", None, True, True)]),
    ("FROM aishell:foundation AS dev\n", [("dev", "aishell:foundation", None, True, True)]),
    ("from aishell:base as Dev\n", [("dev", "aishell:base", None, True, True)]),
    ("FROM --platform=$BUILDPLATFORM aishell:base\n", [(None, "aishell:base", None, True, True)]),
    ("FROM debian:bookworm-slim\n", [(None, "debian:bookworm-slim", None, False, False)]),
    (
        "FROM aishell:base@sha256:" + "a" * 64 + "\n",
        [(None, "aishell:base@sha256:" + "a" * 64, None, False, False)],
    ),
    (
        "FROM docker.io/library/aishell:base\n",
        [(None, "docker.io/library/aishell:base", None, False, False)],
    ),
    ("FROM aishell:latest\n", [(None, "aishell:latest", None, False, False)]),
    ("FROM aishell\n", [(None, "aishell", None, False, False)]),
    ("ARG BASE=aishell:base\nFROM $BASE\n", [(None, "aishell:base", None, True, True)]),
    ("ARG BASE=aishell:base\nFROM ${BASE}\n", [(None, "aishell:base", None, True, True)]),
    ("ARG TAG=base\nFROM aishell:${TAG}\n", [(None, "aishell:base", None, True, True)]),
    (
        "ARG TAG=base\nARG IMAGE=aishell:$TAG\nFROM $IMAGE\n",
        [(None, "aishell:base", None, True, True)],
    ),
    ('ARG BASE="aishell:base"\nFROM $BASE\n', [(None, "aishell:base", None, True, True)]),
    ("ARG TAG\nFROM aishell:base${TAG}\n", [(None, "aishell:base", None, True, True)]),
    (
        "ARG BASE=aishell:base\nARG BASE=debian\nFROM $BASE\n",
        [(None, "debian", None, False, False)],
    ),
    ("ARG BASE=${X:-aishell:base}\nFROM $BASE\n", [(None, "aishell:base", None, True, True)]),
    ("FROM ${BASE:-aishell:foundation}\n", [(None, "aishell:foundation", None, True, True)]),
    (
        "FROM debian\nARG BASE=aishell:base\nFROM $BASE:x\n",
        [(None, "debian", None, False, False), (None, ":x", None, False, False)],
    ),
    (
        "FROM aishell:base AS tools\nFROM tools AS dev\nFROM dev\n",
        [
            ("tools", "aishell:base", None, True, True),
            ("dev", "tools", 0, False, True),
            (None, "dev", 1, False, True),
        ],
    ),
    (
        "FROM aishell:base AS Tools\nFROM TOOLS\n",
        [("tools", "aishell:base", None, True, True), (None, "TOOLS", 0, False, True)],
    ),
    (
        "FROM node:24 AS tools\nFROM tools\n",
        [("tools", "node:24", None, False, False), (None, "tools", 0, False, False)],
    ),
    # a name only refers to an earlier stage; the stage itself or a later one is an image
    ("FROM tools AS tools\n", [("tools", "tools", None, False, False)]),
    (
        "FROM later\nFROM aishell:base AS later\n",
        [(None, "later", None, False, False), ("later", "aishell:base", None, True, True)],
    ),
    (
        "FROM scratch AS empty\nFROM empty\n",
        [("empty", "scratch", None, False, False), (None, "empty", 0, False, False)],
    ),
]


@pytest.mark.parametrize(("text", "expected"), STAGES)
def test_stages(text: str, expected: list[tuple[object, ...]]) -> None:
    found = [
        (stage.name, stage.base.expanded, stage.base.stage, stage.names_aishell, stage.on_aishell)
        for stage in graph(text).stages
    ]
    assert found == expected


def test_the_configured_foundation_image_counts_as_aishell() -> None:
    context = PassContext(foundation_image="registry.example/sandbox/foundation:7")
    text = "ARG A=registry.example/sandbox/foundation:7\nFROM $A\nFROM aishell:base\n"
    assert [stage.on_aishell for stage in graph(text, context).stages] == [True, True]
    assert [stage.on_aishell for stage in graph(text).stages] == [False, True]


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("aishell:foundation-0123456789ab", True),
        ("registry.example:5000/team/aishell:foundation-0123456789ab", True),
        ("aishell:foundation-0123456789", False),
        ("aishell:foundation-0123456789AB", False),
        ("aishell:foundation-latest", False),
        ("aishell:runtime-0123456789ab", False),
    ],
)
def test_aishellc_foundation_tags_count_as_aishell(image: str, expected: bool) -> None:
    (stage,) = graph(f"FROM {image}\n").stages
    assert stage.on_aishell is expected


def test_global_args_expand_in_order_and_unset_is_empty() -> None:
    g = graph("ARG A=x\nARG B=${A}-y C\nARG D=$UNSET\nARG A=z\nFROM scratch\nARG E=1\n")
    assert [(arg.name, arg.value) for arg in g.global_args] == [
        ("A", "x"),
        ("B", "x-y"),
        ("C", ""),
        ("D", ""),
        ("A", "z"),
    ]
    assert dict(g.global_env) == {"A": "z", "B": "x-y", "C": "", "D": ""}


@pytest.mark.parametrize(
    ("text", "expanded", "error"),
    [
        ("FROM ${BASE\n", None, "failed to process"),
        ("ARG BASE\nFROM ${BASE:?required}\n", None, "required"),
        ("ARG BASE\nFROM $BASE\n", "", "should not be blank"),
        ("FROM $NOTHING\n", "", "should not be blank"),
    ],
)
def test_expansion_errors_are_recorded(text: str, expanded: str | None, error: str) -> None:
    (stage,) = graph(text).stages
    assert stage.base.expanded == expanded
    assert stage.base.error is not None and error in stage.base.error
    assert not stage.on_aishell


def test_global_arg_expansion_error_is_recorded() -> None:
    (arg,) = graph("ARG A=${B:?required}\nFROM aishell:base\n").global_args
    assert arg.value == ""
    assert arg.error is not None and "required" in arg.error


def test_escape_directive_is_used_for_expansion() -> None:
    (stage,) = graph("# escape=`\nARG T=base\nFROM aishell:`$T\n").stages
    assert stage.base.expanded == "aishell:$T"


# (Dockerfile, [(kind, value, stage index)]) for every stage's references, in order
REFERENCES = [
    ("FROM a AS one\nFROM b\nCOPY --from=one /x /x\n", [("copy", "one", 0)]),
    ("FROM a AS one\nFROM b\nCOPY --from=ONE /x /x\n", [("copy", "ONE", 0)]),
    ("FROM a\nFROM b\nCOPY --from=0 /x /x\n", [("copy", "0", 0)]),
    ("FROM a\nCOPY --from=5 /x /x\n", [("copy", "5", None)]),
    ("FROM a\nCOPY --from=nginx:latest /x /x\n", [("copy", "nginx:latest", None)]),
    ("FROM a\nCOPY --from=later /x /x\nFROM b AS later\n", [("copy", "later", 1)]),
    (
        "FROM a AS deps\nFROM b\nRUN --mount=type=bind,from=deps,target=/d ls /d\n",
        [("mount", "deps", 0)],
    ),
    ("FROM a\nRUN --mount=type=cache,target=/root/.npm npm ci\n", []),
    (
        'FROM a\nRUN --mount=type=bind,"from=golang:1.22",target=/go ls\n',
        [("mount", "golang:1.22", None)],
    ),
    ("FROM a AS x\nFROM b\nONBUILD COPY --from=x /a /a\n", [("copy", "x", 0)]),
]


@pytest.mark.parametrize(("text", "expected"), REFERENCES)
def test_references(text: str, expected: list[tuple[str, str, int | None]]) -> None:
    found = [
        (reference.kind, reference.value, reference.stage)
        for stage in graph(text).stages
        for reference in stage.references
    ]
    assert found == expected


def test_mount_fields() -> None:
    assert mount_fields("type=bind,from=x,target=/y,readonly") == {
        "type": "bind",
        "from": "x",
        "target": "/y",
        "readonly": "",
    }
    assert mount_fields('type=secret,"id=a,b"') == {"type": "secret", "id": "a,b"}


def test_users_shells_and_their_inheritance() -> None:
    g = graph(
        'FROM aishell:base AS a\nUSER root\nSHELL ["/bin/bash", "-c"]\nUSER developer\n'
        "FROM a AS b\nRUN true\nFROM debian\n"
    )
    a, b, c = g.stages
    assert [user.value.value for user in a.users if user.value] == ["root", "developer"]
    assert len(a.shells) == 1
    assert b.users == () and b.shells == ()
    assert g.final_user(b) is a.users[-1]
    assert g.final_shell(b) is a.shells[0]
    assert g.final_user(c) is None and g.final_shell(c) is None
    assert g.ancestors(b) == (a,)
    assert g.final is c


def test_stage_for_finds_the_stage_of_an_instruction() -> None:
    document = parse("FROM a\nRUN one\nFROM b\nRUN two\n")
    g = analyze_stages(document, PassContext())
    run_two = document.instructions[3]
    assert g.stage_for(run_two) is g.stages[1]
    assert g.stage_for(document.instructions[0]) is g.stages[0]
    assert g.stage_for(ast.Run("RUN", ())) is None


def test_instructions_before_the_first_from_are_not_in_a_stage() -> None:
    g = graph("ARG A=1\nFROM a\nRUN x\n")
    (stage,) = g.stages
    assert [type(item).__name__ for item in stage.instructions] == ["Run"]


# (Dockerfile, [(stage index, binary)]) for each harness install
INSTALLS = [
    ("FROM a\nRUN npm install -g @anthropic-ai/claude-code\n", [(0, "claude")]),
    (
        "FROM a\nRUN npm i -g @openai/codex@0.1.2 @google/gemini-cli\n",
        [(0, "codex"), (0, "gemini")],
    ),
    ("FROM a\nRUN npm install @anthropic-ai/claude-code\n", []),
    ("FROM a\nRUN npx @anthropic-ai/claude-code\n", []),
    ("FROM a\nFROM b\nRUN yarn global add opencode-ai\n", [(1, "opencode")]),
    ("FROM a\nONBUILD RUN pnpm add -g @fission-ai/openspec\n", [(0, "openspec")]),
    ('FROM a\nRUN ["npm", "install", "-g", "@earendil-works/pi-coding-agent"]\n', [(0, "pi")]),
    ("FROM a\nRUN echo npm install -g @anthropic-ai/claude-code\n", []),
]


@pytest.mark.parametrize(("text", "expected"), INSTALLS)
def test_harness_installs(text: str, expected: list[tuple[int, str]]) -> None:
    g = graph(text)
    found = [
        (stage.index, install.binary) for stage in g.stages for install in stage.harness_installs
    ]
    assert found == expected
    assert [stage.installs_harness for stage in g.stages] == [
        any(index == stage.index for index, _ in expected) for stage in g.stages
    ]
