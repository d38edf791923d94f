"""AIS101 harness-run-at-build-time, AIS102 harness-run-with-own-install, AIS103 non-posix-shell."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from aishellc.parser import parse
from aishellc.passes import PassContext
from aishellc.passes.find_harness_runs import harness_run_diagnostics
from tests.passes.helpers import findings, positions

CODES = ("AIS101", "AIS102", "AIS103")
F = "FROM aishell:base\n"

# (Dockerfile, expected [(code, line)]): one case per line.
RUNS = [
    # shapes that run a harness
    (F + "RUN claude --version\n", [("AIS101", 2)]),
    (F + "RUN apt-get update && claude --version\n", [("AIS101", 2)]),
    (F + "RUN false || claude doctor\n", [("AIS101", 2)]),
    (F + "RUN echo a; claude doctor\n", [("AIS101", 2)]),
    (F + "RUN echo hi | claude -p\n", [("AIS101", 2)]),
    (F + "RUN if true; then claude doctor; fi\n", [("AIS101", 2)]),
    (F + "RUN for i in 1 2; do codex exec x; done\n", [("AIS101", 2)]),
    (F + "RUN while false; do gemini; done\n", [("AIS101", 2)]),
    (F + "RUN (cd /tmp && claude doctor)\n", [("AIS101", 2)]),
    (F + "RUN { claude doctor; }\n", [("AIS101", 2)]),
    (F + "RUN echo $(claude --version) > /v\n", [("AIS101", 2)]),
    (F + "RUN echo `claude --version` > /v\n", [("AIS101", 2)]),
    (F + "RUN sudo claude doctor\n", [("AIS101", 2)]),
    (F + "RUN sudo -u developer claude doctor\n", [("AIS101", 2)]),
    (F + "RUN sudo -E -H -u developer claude doctor\n", [("AIS101", 2)]),
    (F + "RUN env claude doctor\n", [("AIS101", 2)]),
    (F + "RUN env HOME=/home/developer claude doctor\n", [("AIS101", 2)]),
    (F + "RUN HOME=/home/developer claude doctor\n", [("AIS101", 2)]),
    (F + "RUN command claude doctor\n", [("AIS101", 2)]),
    (F + "RUN exec claude doctor\n", [("AIS101", 2)]),
    (F + "RUN nice -n 10 claude doctor\n", [("AIS101", 2)]),
    (F + "RUN timeout 60 claude doctor\n", [("AIS101", 2)]),
    (F + "RUN timeout -s KILL 5m claude doctor\n", [("AIS101", 2)]),
    (F + "RUN echo doctor | xargs claude\n", [("AIS101", 2)]),
    (F + "RUN /usr/local/bin/claude doctor\n", [("AIS101", 2)]),
    (F + "RUN ./node_modules/.bin/codex --help\n", [("AIS101", 2)]),
    (F + 'RUN ["claude", "--version"]\n', [("AIS101", 2)]),
    (F + 'RUN ["/usr/local/bin/gemini", "--version"]\n', [("AIS101", 2)]),
    (F + 'RUN ["/usr/bin/env", "claude", "doctor"]\n', [("AIS101", 2)]),
    (F + 'RUN ["sh", "-c", "claude doctor"]\n', [("AIS101", 2)]),
    (F + 'RUN ["/bin/bash", "-c", "set -e; echo hi && opencode run x"]\n', [("AIS101", 2)]),
    (F + "RUN sh -c 'claude doctor'\n", [("AIS101", 2)]),
    (F + 'RUN bash -c "echo hi; claude doctor"\n', [("AIS101", 2)]),
    (F + "RUN sudo -E bash -c 'claude doctor'\n", [("AIS101", 2)]),
    (F + "RUN su developer -c 'claude doctor'\n", [("AIS101", 2)]),
    (F + "RUN <<EOF\nset -e\nclaude doctor\nEOF\n", [("AIS101", 4)]),
    (F + "RUN <<-EOF\n\tset -e\n\tclaude doctor\n\tEOF\n", [("AIS101", 4)]),
    (F + "RUN <<EOF\n#!/bin/bash\nclaude doctor\nEOF\n", [("AIS101", 4)]),
    (F + "RUN <<EOF\n#!/usr/bin/env bash\nclaude doctor\nEOF\n", [("AIS101", 4)]),
    (F + "RUN bash <<EOF\nset -e\nclaude doctor\nEOF\n", [("AIS101", 4)]),
    (F + "RUN sh -s <<'EOF'\nclaude doctor\nEOF\n", [("AIS101", 3)]),
    (F + "RUN cat <<EOF | sh\nclaude doctor\nEOF\n", [("AIS101", 3)]),
    # several heredocs on a line, or one before its command (tree-sitter-bash misreads both)
    (F + "RUN bash <<A <<B\necho x\nA\nclaude doctor\nB\n", [("AIS101", 5)]),
    (F + "RUN bash <<A 3<<B\nclaude doctor\nA\ncodex\nB\n", [("AIS101", 3)]),
    (F + "RUN bash <<A && bash <<B\nclaude\nA\ncodex\nB\n", [("AIS101", 3), ("AIS101", 5)]),
    (F + "RUN cat <<A | sh && cat <<B\nclaude\nA\ncodex\nB\n", [("AIS101", 3)]),
    (F + "RUN <<EOF bash\nclaude doctor\nEOF\n", [("AIS101", 3)]),
    (F + "RUN claude <<A <<B\nx\nA\ny\nB\n", [("AIS101", 2)]),
    (F + "RUN apt-get update \\\n    && claude doctor\n", [("AIS101", 3)]),
    (
        F + "RUN apt-get update \\\n# a comment inside the continuation\n\n    && claude doctor\n",
        [("AIS101", 5)],
    ),
    (F + "RUN cla\\\nude doctor\n", [("AIS101", 2)]),
    # the name spelled through quotes and escapes (the text check before parsing keeps these)
    (F + "RUN c\\laude doctor\n", [("AIS101", 2)]),
    (F + "RUN \"cl\"'au'de doctor\n", [("AIS101", 2)]),
    (F + "RUN $'\\x63laude' doctor\n", [("AIS101", 2)]),
    (F + "RUN $'\\143laude' doctor\n", [("AIS101", 2)]),
    (F + "RUN $'\\u0063laude' doctor\n", [("AIS101", 2)]),
    (F + 'RUN bash -c "c\\\\laude"\n', [("AIS101", 2)]),
    (F + "RUN sh -c \"\\$'\\\\x63laude'\"\n", [("AIS101", 2)]),
    (F + "RUN bash <<EOF\ncla\\\nude doctor\nEOF\n", [("AIS101", 3)]),
    (F + "RUN n\\px @anthropic-ai/claude-code\n", [("AIS102", 2)]),
    (F + "RUN --mount=type=cache,target=/root/.npm claude doctor\n", [("AIS101", 2)]),
    (F + "ONBUILD RUN claude doctor\n", [("AIS101", 2)]),
    (
        F + "RUN claude doctor && codex --help && pi --version && openspec init\n",
        [("AIS101", 2)] * 4,
    ),
    (F + "RUN claude a\nRUN codex b\n", [("AIS101", 2), ("AIS101", 3)]),
    # Copilot CLI, in the registry since upstream v4.0.0
    (F + "RUN copilot --version\n", [("AIS101", 2)]),
    ("FROM aishell:foundation\nRUN claude doctor\n", [("AIS101", 2)]),
    ("ARG BASE=aishell:base\nFROM $BASE\nRUN claude doctor\n", [("AIS101", 3)]),
    ("FROM aishell:base AS tools\nFROM tools\nRUN claude doctor\n", [("AIS101", 3)]),
    ("FROM aishell:base AS tools\nRUN claude doctor\nFROM tools\n", [("AIS101", 2)]),
    # words that are not commands
    (F + "RUN echo claude\n", []),
    (F + 'RUN echo "claude --version" > /etc/motd\n', []),
    (F + "RUN useradd -m claude\n", []),
    (F + "RUN mkdir -p ~/.claude /home/developer/.codex && ls ~/.claude\n", []),
    (F + "RUN npm install -g claude-helpers\n", []),
    (F + "RUN npm install -g @anthropic-ai/claude-code\n", []),
    (F + "RUN cat <<EOF > /etc/motd\nclaude doctor\nEOF\n", []),
    (F + "RUN x <<A <<B\nclaude\nA\ncodex\nB\n", []),
    (F + "RUN <<A cat > a && <<B cat > b\nclaude\nA\ncodex\nB\n", []),
    (F + "RUN cat <<-A <<-'B'\n\tclaude\n\tA\n\tcodex\n\tB\n", []),
    (F + "RUN bash <<A <<B\nclaude\nA\necho codex\nB\n", []),
    (F + "RUN bash <<A < /dev/null\nclaude\nA\n", []),
    (F + "RUN python3 - <<A 3<<B\nprint(1)\nA\nclaude\nB\n", []),
    (F + "RUN <<EOF tee /etc/motd\nclaude\nEOF\n", []),
    (F + "RUN cat > /usr/local/bin/hello <<'EOF'\n#!/bin/sh\nclaude doctor\nEOF\n", []),
    (F + 'RUN <<EOF\n#!/usr/bin/env python3\nimport os; os.system("claude doctor")\nEOF\n', []),
    (F + "RUN python3 <<EOF\nclaude = 1\nEOF\n", []),
    (F + "# RUN claude doctor\nRUN true\n", []),
    (F + "RUN echo hi # claude doctor\n", []),
    (F + "RUN command -v claude || echo missing\n", []),
    (F + "RUN which claude; type codex\n", []),
    (F + "RUN grep -r claude /etc\n", []),
    (F + "RUN claudex && my-claude && claude.sh\n", []),
    (F + 'RUN ["echo", "claude"]\n', []),
    (F + 'RUN ["echo", "$(claude doctor)"]\n', []),
    (F + 'CMD ["claude"]\n', []),
    (F + "CMD claude\n", []),
    (F + "ENTRYPOINT claude\n", []),
    (F + "HEALTHCHECK CMD claude doctor\n", []),
    (F + "ENV CLAUDE_CONFIG_DIR=/home/developer/.claude\nLABEL harness=claude\n", []),
    (F + "COPY claude /usr/local/bin/claude\n", []),
    ("FROM debian:bookworm-slim\nRUN claude doctor\n", []),
    ("FROM node:24 AS build\nRUN claude doctor\nFROM aishell:base\n", []),
    ("FROM aishell:base:latest\nRUN claude doctor\n", []),
    # the stage installs the harness itself: an info
    (F + "RUN npm install -g @anthropic-ai/claude-code && claude --version\n", [("AIS102", 2)]),
    (F + "RUN npm i -g @anthropic-ai/claude-code@1.0.3\nRUN claude --version\n", [("AIS102", 3)]),
    (
        F + "RUN npm --location=global install @anthropic-ai/claude-code\nRUN claude doctor\n",
        [("AIS102", 3)],
    ),
    (F + "RUN pnpm add -g @openai/codex\nRUN codex --help\n", [("AIS102", 3)]),
    (F + "RUN npm --prefix /usr/local install -g @openai/codex && codex --help\n", [("AIS102", 2)]),
    (F + "RUN pnpm -C /tmp add --global @openai/codex && codex --help\n", [("AIS102", 2)]),
    (F + "RUN yarn global add @google/gemini-cli\nRUN gemini --version\n", [("AIS102", 3)]),
    (F + "RUN bun add -g opencode-ai@latest\nRUN opencode --version\n", [("AIS102", 3)]),
    (
        F + "RUN sudo npm install --global @earendil-works/pi-coding-agent && pi --version\n",
        [("AIS102", 2)],
    ),
    (F + "RUN npx @anthropic-ai/claude-code --version\n", [("AIS102", 2)]),
    (F + "RUN npx -y @fission-ai/openspec@latest init\n", [("AIS102", 2)]),
    (F + "RUN npm exec --yes -- @openai/codex --help\n", [("AIS102", 2)]),
    (F + "RUN pnpm dlx @google/gemini-cli --version\n", [("AIS102", 2)]),
    (F + "RUN npx -p @anthropic-ai/claude-code claude --version\n", [("AIS102", 2)]),
    (
        "FROM aishell:base AS cli\nRUN npm i -g @anthropic-ai/claude-code\nFROM cli\nRUN claude doctor\n",
        [("AIS102", 4)],
    ),
    (F + "RUN npm i -g @anthropic-ai/claude-code\nONBUILD RUN claude doctor\n", [("AIS102", 3)]),
    (F + "ONBUILD RUN claude doctor\nRUN npm i -g @anthropic-ai/claude-code\n", [("AIS102", 2)]),
    # ... but not when the install comes later, is local, or installs something else
    (F + "RUN claude doctor && npm i -g @anthropic-ai/claude-code\n", [("AIS101", 2)]),
    (F + "RUN claude doctor\nRUN npm i -g @anthropic-ai/claude-code\n", [("AIS101", 2)]),
    (F + "RUN npm install @anthropic-ai/claude-code && claude doctor\n", [("AIS101", 2)]),
    (F + "RUN npm i -g @openai/codex && claude doctor\n", [("AIS101", 2)]),
    (F + "RUN npm i -g claude && claude doctor\n", [("AIS101", 2)]),
    (
        "FROM aishell:base AS cli\nRUN npm i -g @anthropic-ai/claude-code\nFROM aishell:base\nRUN claude doctor\n",
        [("AIS101", 4)],
    ),
    # non-POSIX shells: one note per stage, shell-form RUNs skipped
    (F + 'SHELL ["pwsh", "-Command"]\nRUN claude doctor\n', [("AIS103", 2)]),
    (F + 'SHELL ["cmd", "/S", "/C"]\nRUN claude doctor\nRUN codex --help\n', [("AIS103", 2)]),
    (F + 'SHELL ["powershell.exe", "-Command"]\nRUN Write-Output claude\n', [("AIS103", 2)]),
    (F + 'SHELL ["pwsh", "-Command"]\nRUN ["claude", "doctor"]\n', [("AIS101", 3)]),
    (F + 'SHELL ["pwsh", "-Command"]\nRUN <<EOF\n#!/bin/sh\nclaude doctor\nEOF\n', [("AIS101", 5)]),
    (F + 'SHELL ["pwsh", "-Command"]\nRUN <<EOF\nclaude doctor\nEOF\n', [("AIS103", 2)]),
    (
        F
        + 'SHELL ["pwsh", "-Command"]\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN claude doctor\n',
        [("AIS101", 4)],
    ),
    (
        F + 'RUN claude doctor\nSHELL ["pwsh", "-Command"]\nRUN codex\n',
        [("AIS101", 2), ("AIS103", 3)],
    ),
    (F + 'SHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN claude doctor\n', [("AIS101", 3)]),
    (F + 'SHELL ["/usr/bin/env", "bash", "-c"]\nRUN claude doctor\n', [("AIS101", 3)]),
    (F + 'SHELL ["pwsh", "-Command"]\n', []),
    (
        'FROM aishell:base AS win\nSHELL ["pwsh", "-Command"]\nFROM win\nRUN claude doctor\n',
        [("AIS103", 3)],
    ),
    (
        'FROM aishell:base AS win\nSHELL ["pwsh", "-Command"]\nFROM aishell:base\nRUN claude doctor\n',
        [("AIS101", 4)],
    ),
    # suppressions
    (F + "# aishellc ignore=AIS101\nRUN claude doctor\n", []),
    (F + "# aishellc ignore=AIS101\nRUN apt-get update \\\n    && claude doctor\n", []),
    (F + "# aishellc ignore=AIS101\nRUN echo claude\n", [("AIS002", 2)]),
    (F + "# aishellc ignore=AIS101,AIS102\nRUN claude doctor\n", [("AIS002", 2)]),
    (F + "# aishellc ignore=AIS101\nRUN true\nRUN claude doctor\n", [("AIS002", 2), ("AIS101", 4)]),
]


@pytest.mark.parametrize(("text", "expected"), RUNS)
def test_harness_runs(text: str, expected: list[tuple[str, int]]) -> None:
    assert findings(text, (*CODES, "AIS002")) == sorted(expected, key=lambda item: item[1])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the exact word, on its physical line
        (F + "RUN apt-get update && claude --version\n", [(2, 23, 2, 29)]),
        (F + "  run   /usr/bin/claude x\n", [(2, 9, 2, 24)]),
        (F + "RUN apt-get update \\\n# comment\n    && sudo -u x codex exec\n", [(4, 18, 4, 23)]),
        (F + "RUN cla\\\nude doctor\n", [(2, 5, 3, 4)]),
        (F + 'RUN ["sh", "-c", "echo hi; claude doctor"]\n', [(2, 28, 2, 34)]),
        (F + 'RUN ["sh", "-c", "echo \\"hi\\"; claude doctor"]\n', [(2, 32, 2, 38)]),
        (F + 'RUN [\\\n  "claude",\\\n  "doctor"]\n', [(3, 4, 3, 10)]),
        (F + "RUN bash -c 'claude doctor'\n", [(2, 14, 2, 20)]),
        (F + "RUN <<EOF\n  claude doctor\nEOF\n", [(3, 3, 3, 9)]),
        (F + "RUN bash <<EOF\nset -e\n  gemini x\nEOF\n", [(4, 3, 4, 9)]),
        (F + "ONBUILD RUN claude doctor\n", [(2, 13, 2, 19)]),
        (F.replace("\n", "\r\n") + "RUN a \\\r\n && claude x\r\n", [(3, 5, 3, 11)]),
        (F.replace("\n", "\r\n") + "RUN bash <<EOF\r\nclaude x\r\nEOF\r\n", [(3, 1, 3, 7)]),
        ("# escape=`\n" + F + "RUN echo hi `\n && claude x\n", [(4, 5, 4, 11)]),
        (F + 'ONBUILD RUN ["claude", "x"]\n', [(2, 15, 2, 21)]),
        (F + "ONBUILD RUN <<EOF\n  claude\nEOF\n", [(3, 3, 3, 9)]),
        (F + 'RUN ["bash", \\\n# c\n  "-c", "codex x"]\n', [(4, 10, 4, 15)]),
        (F + 'RUN ["sh", "-c", "echo \'a\'; claude"]\n', [(2, 29, 2, 35)]),
        (F + 'RUN ["sh", "-c", "echo \\u0041; claude"]\n', [(2, 32, 2, 38)]),
        (F + "RUN bash <<A\nclaude $(codex)\nA\n", [(3, 1, 3, 7), (3, 10, 3, 15)]),
        (F + "RUN bash <<A <<B\nx\nA\n  claude doctor\nB\n", [(5, 3, 5, 9)]),
        (
            F.replace("\n", "\r\n") + "RUN bash <<A <<B\r\nx\r\nA\r\n  claude\r\nB\r\n",
            [(5, 3, 5, 9)],
        ),
        ("# escape=`\n" + F + "RUN bash <<A <<B `\n && true\nx\nA\n  claude\nB\n", [(7, 3, 7, 9)]),
        (F + "RUN <<EOF bash\n  gemini x\nEOF\n", [(3, 3, 3, 9)]),
        (F + "RUN claude <<A <<B\nx\nA\ny\nB\n", [(2, 5, 2, 11)]),
    ],
)
def test_columns(text: str, expected: list[tuple[int, int, int, int]]) -> None:
    assert positions(text, "AIS101") == expected


def test_the_message_names_the_binary_and_the_help_the_package() -> None:
    (diagnostic,) = harness_run_diagnostics(parse(F + "RUN codex --help\n"), PassContext())
    assert diagnostic.code == "AIS101"
    assert diagnostic.severity == "error"
    assert "`codex`" in diagnostic.message
    assert "@openai/codex" in diagnostic.help


def test_the_configured_harnesses_are_the_ones_checked() -> None:
    context = PassContext(harness_binaries={"aider": "aider-chat"})
    text = F + "RUN claude doctor && aider --version\n"
    assert findings(text, CODES, context) == [("AIS101", 2)]
    assert "aider" in harness_run_diagnostics(parse(text), context)[0].message


def test_every_stage_checks_stages_not_on_aishell() -> None:
    document = parse("FROM debian\nRUN claude doctor\n")
    assert harness_run_diagnostics(document, PassContext()) == []
    found = harness_run_diagnostics(document, PassContext(), every_stage=True)
    assert [(d.code, d.line) for d in found] == [("AIS101", 2)]


def _seconds(text: str) -> float:
    document = parse(text)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        harness_run_diagnostics(document, PassContext())
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.parametrize(
    "shape",
    [
        # each run looks for an install among every later RUN of its stage
        lambda n: F + "RUN claude --version\n" * n + "RUN npm i -g @anthropic-ai/claude-code\n" * n,
        # each stage looks for installs among every stage it builds on
        lambda n: (
            "FROM aishell:base AS s0\n"
            + "".join(
                f"FROM s{i} AS s{i + 1}\nRUN npm i -g opencode-ai && claude\n" for i in range(n)
            )
        ),
    ],
    ids=["late-installs", "chained-stages"],
)
def test_the_cost_is_linear(shape: Callable[[int], str]) -> None:
    # Regression (scaling benchmark): for every harness run, each install of the stage was
    # looked up by scanning the stage's instructions, and every ancestor stage walked
    # again: 1,000 runs before 1,000 installs (64 KB) took 40 s.
    small, large = _seconds(shape(100)), _seconds(shape(800))
    assert large < 24 * small, (small, large)


def test_each_script_is_analysed_once_however_many_there_are(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Regression (scaling benchmark): the passes shared a 4,096-script cache; past that
    # many distinct RUNs every lookup missed, and each script was analysed once per pass
    # (check on 1.6 MB of RUN lines took 69 s instead of 2).
    from aishellc.passes import run_passes
    from aishellc.shell import commands

    analysed: list[str] = []
    real = commands.find_commands

    def counting(script: str) -> Any:
        analysed.append(script)
        return real(script)

    monkeypatch.setattr(commands, "find_commands", counting)
    count = 5_000
    text = F + "".join(f"RUN echo {i} && claude --version\n" for i in range(count))
    _, found = run_passes(parse(text), PassContext())
    assert len(found) == count
    assert sorted(analysed) == sorted(set(analysed))
    assert len(analysed) == count
