"""Properties of the base rewrite on generated multi-stage Dockerfiles.

BuildKit's own parser (the ``dockerfile`` package) sees the same instructions in the input
and the output except our global ARG and the FROMs of stages built on aishell, which now
expand to the foundation image (see :mod:`tests.passes.rewrite_oracle`); the output
round-trips through aishellc's parser; and the rewrite is idempotent.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aishellc.emit.printer import print_document
from aishellc.errors import UserError
from aishellc.parser import parse
from aishellc.passes import PassContext, run_passes
from aishellc.passes.parameterize_base_image import parameterize_base_image
from tests.passes.rewrite_oracle import assert_rewrite_is_faithful

dockerfile = pytest.importorskip("dockerfile")

FOUNDATION = "aishell:foundation-0123456789ab"
CONTEXT = PassContext(foundation_image=FOUNDATION)
AISHELL = {"aishell:base", "aishell:foundation", FOUNDATION}

ARG_NAMES = ["BASE", "TAG", "FLAVOUR", "AISHELL_BASE", "AISHELL_BASE_1"]
ARG_DEFAULTS = [
    None,
    "aishell:base",
    "aishell:foundation",
    "debian:bookworm-slim",
    "base",
    "foundation",
    "${TAG}",
    "aishell:${FLAVOUR}",
    "$BASE",
    FOUNDATION,
]
IMAGES = [
    "aishell:base",
    "aishell:foundation",
    "debian:bookworm-slim",
    "node:24-bookworm-slim",
    "$BASE",
    "${BASE}",
    "aishell:${TAG}",
    "aishell:$FLAVOUR",
    "${AISHELL_BASE}",
    "aishell:base@sha256:" + "0" * 64,
    "docker.io/library/aishell:base",
    "scratch",
]
BODY = [
    "RUN echo FROM aishell:base",
    "RUN apt-get update && apt-get install -y jq",
    "# FROM aishell:base",
    "ENV PATH=/opt/bin:$PATH",
    "ARG VERSION=1",
    "USER developer",
    "WORKDIR /work",
]


@st.composite
def dockerfiles(draw: st.DrawFn) -> str:
    escape = draw(st.sampled_from(["\\", "`"]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    lower = draw(st.booleans())

    def kw(word: str) -> str:
        return word.lower() if lower else word

    def gap() -> str:
        """Whitespace between words: a space, or a continuation with maybe a comment."""
        choice = draw(st.integers(0, 3))
        if choice == 0:
            return " "
        if choice == 1:
            return f" {escape}{newline}  "
        if choice == 2:
            return f" {escape}{newline}  # a comment in the continuation{newline}  "
        return "   "

    lines: list[str] = []
    if draw(st.booleans()):
        lines.append("# syntax=docker/dockerfile:1")
    if escape == "`" or draw(st.booleans()):
        lines.append(f"# escape={escape}")
    if draw(st.booleans()):
        lines.append("# A project sandbox")
        lines.append("")
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.sampled_from(ARG_NAMES))
        default = draw(st.sampled_from(ARG_DEFAULTS))
        lines.append(f"{kw('ARG')} {name}" + ("" if default is None else f"={default}"))
    stage_names: list[str] = []
    for index in range(draw(st.integers(1, 4))):
        if draw(st.booleans()):
            lines.append("# the next stage")
        choices = IMAGES + stage_names
        image = draw(st.sampled_from(choices))
        words = [kw("FROM")]
        if draw(st.booleans()):
            words.append(
                draw(st.sampled_from(["--platform=linux/amd64", "--platform=$BUILDPLATFORM"]))
            )
        words.append(image)
        if draw(st.booleans()):
            name = draw(st.sampled_from([f"stage{index}", f"Stage{index}"]))
            words += [kw("AS"), name]
            stage_names.append(name)
        text = words[0]
        for word in words[1:]:
            text += gap() + word
        lines.append(text)
        for _ in range(draw(st.integers(0, 2))):
            lines.append(draw(st.sampled_from(BODY)))
        if draw(st.booleans()):
            lines += [f"{kw('RUN')} cat <<EOF > /tmp/Dockerfile", "FROM aishell:base", "EOF"]
        copy_from: bool = draw(st.booleans())
        if copy_from and stage_names:
            lines.append(f"{kw('COPY')} --from={draw(st.sampled_from(stage_names))} /a /a")
    return newline.join(lines) + newline


def rewrite(text: str) -> str:
    return print_document(parameterize_base_image(parse(text), CONTEXT)[0])


@given(dockerfiles())
def test_buildkit_sees_the_same_file_but_the_aishell_froms(text: str) -> None:
    assert_rewrite_is_faithful(dockerfile, text, rewrite(text), FOUNDATION, AISHELL)


@given(dockerfiles())
def test_the_rewrite_is_idempotent(text: str) -> None:
    once = rewrite(text)
    assert rewrite(once) == once


@given(dockerfiles())
def test_the_output_round_trips_through_the_parser(text: str) -> None:
    once = rewrite(text)
    assert print_document(parse(once)) == once


SHELL_PIECES = [
    "claude doctor",
    "sudo -u developer codex",
    "echo 'a b' \"c $(gemini)\"",
    "&&",
    "||",
    ";",
    "|",
    "if true; then pi; fi",
    "bash -c 'opencode run'",
    "npm i -g @anthropic-ai/claude-code",
    "npx @openai/codex",
    "`claude`",
    "\\",
    "#",
    "'",
    '"',
    "$(",
    ")",
]


@st.composite
def runs(draw: st.DrawFn) -> str:
    """A stage built on aishell with RUNs of random shell fragments, in every form."""
    lines = ["FROM aishell:base"]
    for _ in range(draw(st.integers(1, 4))):
        script = " ".join(draw(st.lists(st.sampled_from(SHELL_PIECES), min_size=1, max_size=6)))
        form = draw(st.sampled_from(["shell", "exec", "heredoc", "bash-heredoc", "continued"]))
        if form == "shell":
            lines.append("RUN " + script)
        elif form == "exec":
            lines.append('RUN ["sh", "-c", ' + json.dumps(script) + "]")
        elif form == "heredoc":
            lines += ["RUN <<EOF", script, "EOF"]
        elif form == "bash-heredoc":
            lines += ["RUN bash <<'EOF'", script, "EOF"]
        else:
            lines += ["RUN true \\", "  && " + script]
    return "\n".join(lines) + "\n"


@given(runs())
def test_the_passes_take_any_shell_code(text: str) -> None:
    try:
        document = parse(text)
    except UserError:
        return
    lines = text.splitlines()
    for diagnostic in run_passes(document, CONTEXT)[1]:
        assert 1 <= diagnostic.line <= diagnostic.end_line <= len(lines)
        assert diagnostic.column <= len(lines[diagnostic.line - 1]) + 1
