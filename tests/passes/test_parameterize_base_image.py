"""The base rewrite: golden before/after pairs, each also checked for idempotence."""

from __future__ import annotations

import pytest

from aishellc import ast
from aishellc.emit.printer import print_document
from aishellc.parser import parse
from aishellc.passes import PassContext
from aishellc.passes.parameterize_base_image import parameterize_base_image

FOUNDATION = "aishell:foundation-0123456789ab"
CONTEXT = PassContext(foundation_image=FOUNDATION)


def rewrite(text: str, context: PassContext = CONTEXT) -> str:
    document, diagnostics = parameterize_base_image(parse(text), context)
    assert list(diagnostics) == []
    return print_document(document)


# (title, before, after)
GOLDEN = [
    (
        "simple",
        """\
FROM aishell:base
RUN apt-get update
""",
        """\
ARG AISHELL_BASE=aishell:foundation-0123456789ab
FROM ${AISHELL_BASE}
RUN apt-get update
""",
    ),
    (
        "platform flag",
        """\
FROM --platform=linux/amd64 aishell:base
""",
        """\
ARG AISHELL_BASE=aishell:foundation-0123456789ab
FROM --platform=linux/amd64 ${AISHELL_BASE}
""",
    ),
    (
        "stage name",
        """\
FROM aishell:base AS dev
RUN true
""",
        """\
ARG AISHELL_BASE=aishell:foundation-0123456789ab
FROM ${AISHELL_BASE} AS dev
RUN true
""",
    ),
    (
        "lowercase file gets a lowercase arg",
        """\
from   aishell:base   as   dev
run true
""",
        """\
arg AISHELL_BASE=aishell:foundation-0123456789ab
from   ${AISHELL_BASE}   as   dev
run true
""",
    ),
    (
        "multi-line FROM with a comment inside the continuation",
        """\
FROM --platform=$BUILDPLATFORM \\
  # the sandbox base
  aishell:base \\
  AS dev
""",
        """\
ARG AISHELL_BASE=aishell:foundation-0123456789ab
FROM --platform=$BUILDPLATFORM \\
  # the sandbox base
  ${AISHELL_BASE} \\
  AS dev
""",
    ),
    (
        "CRLF",
        "FROM aishell:base\r\nRUN echo hi\r\n",
        "ARG AISHELL_BASE=aishell:foundation-0123456789ab\r\nFROM ${AISHELL_BASE}\r\nRUN echo hi\r\n",
    ),
    (
        "no final newline",
        "FROM aishell:base",
        "ARG AISHELL_BASE=aishell:foundation-0123456789ab\nFROM ${AISHELL_BASE}",
    ),
    (
        "BOM",
        "\ufeffFROM aishell:base\n",
        "\ufeffARG AISHELL_BASE=aishell:foundation-0123456789ab\nFROM ${AISHELL_BASE}\n",
    ),
    (
        "parser directives stay on top",
        """\
# syntax=docker/dockerfile:1
# escape=`
FROM aishell:base
RUN echo a `
    && echo b
""",
        """\
# syntax=docker/dockerfile:1
# escape=`
ARG AISHELL_BASE=aishell:foundation-0123456789ab
FROM ${AISHELL_BASE}
RUN echo a `
    && echo b
""",
    ),
    (
        "header comment block, then the comment that documents the FROM",
        """\
# syntax=docker/dockerfile:1
# Project sandbox for acme.

# Postgres and Python on top of aishell.
FROM aishell:base
""",
        """\
# syntax=docker/dockerfile:1
# Project sandbox for acme.

ARG AISHELL_BASE=aishell:foundation-0123456789ab
# Postgres and Python on top of aishell.
FROM aishell:base
""".replace("FROM aishell:base", "FROM ${AISHELL_BASE}"),
    ),
    (
        "a suppression comment keeps its instruction",
        """\
# aishellc ignore=AIS203
FROM aishell:base
""",
        """\
ARG AISHELL_BASE=aishell:foundation-0123456789ab
# aishellc ignore=AIS203
FROM ${AISHELL_BASE}
""",
    ),
    (
        "global ARGs before FROM",
        """\
ARG PYTHON_VERSION=3.12
# pinned tools
ARG NODE_OPTIONS
FROM aishell:base
ARG PYTHON_VERSION
""",
        """\
ARG AISHELL_BASE=aishell:foundation-0123456789ab
ARG PYTHON_VERSION=3.12
# pinned tools
ARG NODE_OPTIONS
FROM ${AISHELL_BASE}
ARG PYTHON_VERSION
""",
    ),
    (
        "the user's own AISHELL_BASE is never clobbered",
        """\
ARG AISHELL_BASE=registry.example/tools:1
FROM ${AISHELL_BASE} AS tools
FROM aishell:base
COPY --from=tools /opt/tools /opt/tools
""",
        """\
ARG AISHELL_BASE_1=aishell:foundation-0123456789ab
ARG AISHELL_BASE=registry.example/tools:1
FROM ${AISHELL_BASE} AS tools
FROM ${AISHELL_BASE_1}
COPY --from=tools /opt/tools /opt/tools
""",
    ),
    (
        "an AISHELL_BASE declared in a stage is taken too",
        """\
FROM aishell:base
ARG AISHELL_BASE
ARG AISHELL_BASE_1=x
""",
        """\
ARG AISHELL_BASE_2=aishell:foundation-0123456789ab
FROM ${AISHELL_BASE_2}
ARG AISHELL_BASE
ARG AISHELL_BASE_1=x
""",
    ),
    (
        "an ARG that looks like ours but is declared again is the user's",
        """\
ARG AISHELL_BASE=aishell:foundation
ARG AISHELL_BASE
FROM aishell:base
""",
        """\
ARG AISHELL_BASE_1=aishell:foundation-0123456789ab
ARG AISHELL_BASE=aishell:foundation
ARG AISHELL_BASE
FROM ${AISHELL_BASE_1}
""",
    ),
    (
        "FROM through a global ARG: the FROM is rewritten, the user's ARG kept",
        """\
ARG BASE=aishell:base
FROM $BASE AS dev
FROM ${BASE}
""",
        """\
ARG AISHELL_BASE=aishell:foundation-0123456789ab
ARG BASE=aishell:base
FROM ${AISHELL_BASE} AS dev
FROM ${AISHELL_BASE}
""",
    ),
    (
        "FROM through a partial expansion",
        """\
ARG FLAVOUR=foundation
FROM aishell:${FLAVOUR}
""",
        """\
ARG AISHELL_BASE=aishell:foundation-0123456789ab
ARG FLAVOUR=foundation
FROM ${AISHELL_BASE}
""",
    ),
    (
        "builder stages before, stages built on stages untouched",
        """\
FROM golang:1.22 AS build
RUN go build -o /out/tool ./cmd/tool

FROM aishell:base AS base
COPY --from=build /out/tool /usr/local/bin/tool

FROM base AS dev
RUN tool --version
""",
        """\
ARG AISHELL_BASE=aishell:foundation-0123456789ab
FROM golang:1.22 AS build
RUN go build -o /out/tool ./cmd/tool

FROM ${AISHELL_BASE} AS base
COPY --from=build /out/tool /usr/local/bin/tool

FROM base AS dev
RUN tool --version
""",
    ),
    (
        "aishell:foundation",
        """\
FROM aishell:foundation
""",
        """\
ARG AISHELL_BASE=aishell:foundation-0123456789ab
FROM ${AISHELL_BASE}
""",
    ),
    (
        "heredocs and comments that say FROM aishell:base stay",
        """\
# FROM aishell:base
FROM aishell:base
RUN <<EOF cat > /tmp/Dockerfile
FROM aishell:base
EOF
RUN echo FROM aishell:base
""",
        """\
ARG AISHELL_BASE=aishell:foundation-0123456789ab
# FROM aishell:base
FROM ${AISHELL_BASE}
RUN <<EOF cat > /tmp/Dockerfile
FROM aishell:base
EOF
RUN echo FROM aishell:base
""",
    ),
    (
        "indented instructions",
        """\
  FROM aishell:base
    RUN true
""",
        """\
ARG AISHELL_BASE=aishell:foundation-0123456789ab
  FROM ${AISHELL_BASE}
    RUN true
""",
    ),
]

# Files the pass leaves byte-identical.
UNTOUCHED = [
    ("other image", "FROM debian:bookworm-slim\nRUN true\n"),
    ("other image with a stage name", "FROM other AS x\nFROM x\n"),
    ("digest", "FROM aishell:base@sha256:" + "0" * 64 + "\n"),
    ("registry prefix", "FROM docker.io/library/aishell:base\n"),
    ("another tag", "FROM aishell:latest\n"),
    ("unexpandable", "FROM ${BASE\n"),
    ("empty expansion", "ARG BASE\nFROM $BASE\n"),
    (
        "already compiled",
        "ARG AISHELL_BASE=aishell:foundation-0123456789ab\nFROM ${AISHELL_BASE}\n",
    ),
    (
        "already compiled, other name",
        "ARG AISHELL_BASE_3=aishell:foundation-0123456789ab\nFROM $AISHELL_BASE_3 AS a\n",
    ),
]


@pytest.mark.parametrize(("title", "before", "after"), GOLDEN, ids=[case[0] for case in GOLDEN])
def test_golden(title: str, before: str, after: str) -> None:
    assert rewrite(before) == after


@pytest.mark.parametrize(("title", "before", "after"), GOLDEN, ids=[case[0] for case in GOLDEN])
def test_idempotent(title: str, before: str, after: str) -> None:
    assert rewrite(after) == after


@pytest.mark.parametrize(("title", "text"), UNTOUCHED, ids=[case[0] for case in UNTOUCHED])
def test_untouched(title: str, text: str) -> None:
    document = parse(text)
    assert parameterize_base_image(document, CONTEXT)[0] is document


def test_a_new_foundation_updates_the_inserted_default() -> None:
    first = rewrite("FROM aishell:base AS dev\n")
    newer = PassContext(foundation_image="aishell:foundation-ba9876543210")
    assert rewrite(first, newer) == (
        "ARG AISHELL_BASE=aishell:foundation-ba9876543210\nFROM ${AISHELL_BASE} AS dev\n"
    )


def test_registry_foundation_and_custom_arg_name() -> None:
    context = PassContext(
        base_arg="BASE_IMAGE", foundation_image="reg.example:5000/aishell:foundation-00ff"
    )
    once = rewrite("FROM aishell:base\n", context)
    assert once == "ARG BASE_IMAGE=reg.example:5000/aishell:foundation-00ff\nFROM ${BASE_IMAGE}\n"
    assert rewrite(once, context) == once


def test_only_the_image_node_changes() -> None:
    document = parse("FROM --platform=linux/arm64 aishell:base AS dev\n")
    rewritten, _ = parameterize_base_image(document, CONTEXT)
    arg, from_ = rewritten.items
    assert isinstance(arg, ast.Arg) and arg.span is None
    assert isinstance(from_, ast.From)
    original = document.items[0]
    assert isinstance(original, ast.From)
    assert from_.flags is original.flags and from_.stage is original.stage
    assert from_.image is not None and from_.image.value == "${AISHELL_BASE}"


def test_a_foundation_image_that_is_not_a_reference_is_refused() -> None:
    with pytest.raises(ValueError, match="not an image reference"):
        parameterize_base_image(parse("FROM aishell:base\n"), PassContext(foundation_image="a b"))


# --- with a global file: aishell:base is the global tier, aishell:foundation is not -------

GLOBAL = "aishell:base-fedcba987654"
WITH_GLOBAL = PassContext(foundation_image=FOUNDATION, global_image=GLOBAL)

# (title, before, after)
GLOBAL_GOLDEN = [
    (
        "aishell:base names the global tier",
        "FROM aishell:base\nRUN true\n",
        f"ARG AISHELL_BASE={GLOBAL}\nFROM ${{AISHELL_BASE}}\nRUN true\n",
    ),
    (
        "aishell:foundation skips it",
        "FROM aishell:foundation\nRUN true\n",
        f"ARG AISHELL_FOUNDATION={FOUNDATION}\nFROM ${{AISHELL_FOUNDATION}}\nRUN true\n",
    ),
    (
        "a stage on each: one ARG each",
        "FROM aishell:foundation AS tools\nFROM aishell:base\nCOPY --from=tools /a /a\n",
        f"ARG AISHELL_FOUNDATION={FOUNDATION}\nARG AISHELL_BASE={GLOBAL}\n"
        "FROM ${AISHELL_FOUNDATION} AS tools\nFROM ${AISHELL_BASE}\nCOPY --from=tools /a /a\n",
    ),
    (
        "through a global ARG",
        "ARG B=aishell:base\nFROM $B\n",
        f"ARG AISHELL_BASE={GLOBAL}\nARG B=aishell:base\nFROM ${{AISHELL_BASE}}\n",
    ),
]


@pytest.mark.parametrize(
    ("before", "after"), [case[1:] for case in GLOBAL_GOLDEN], ids=[c[0] for c in GLOBAL_GOLDEN]
)
def test_with_a_global_tier(before: str, after: str) -> None:
    once = rewrite(before, WITH_GLOBAL)
    assert once == after
    assert rewrite(once, WITH_GLOBAL) == once


def test_a_new_global_tier_updates_its_default_and_leaves_the_foundation_alone() -> None:
    first = rewrite(GLOBAL_GOLDEN[2][1], WITH_GLOBAL)
    newer = PassContext(foundation_image=FOUNDATION, global_image="aishell:base-000000000001")
    assert rewrite(first, newer) == first.replace(GLOBAL, "aishell:base-000000000001")
