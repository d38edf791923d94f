"""Generators of whole inputs: aishell sandbox Dockerfiles, arbitrary text, arbitrary bytes.

The grammar-driven generator lives in ``test_parse_properties`` (``dockerfiles``); the one
here writes what aishell users write: ``FROM aishell:base`` (directly, through a global
ARG, with ``--platform`` and stage names), harnesses run in every shell shape the
harness-usage analysis has to see through, ``USER`` switches, ``ONBUILD``, ``ENTRYPOINT``,
``COPY``/``ADD``/``RUN --mount`` of context paths (some present, some ignored, some
leaving the context), suppression comments, heredocs and continuation layouts.
"""

from __future__ import annotations

from hypothesis import strategies as st

HARNESSES = ["claude", "codex", "gemini", "opencode", "pi", "openspec"]
BASES = [
    "aishell:base",
    "aishell:foundation",
    "${AISHELL_BASE}",
    "$BASE",
    "${BASE:-aishell:base}",
    "debian:bookworm-slim",
    "builder",
    "scratch",
    "aishell:base@sha256:" + "a" * 64,
    "ghcr.io/acme/aishell:base",
]
# Context paths the compile fuzzer's project folder holds (see test_fuzz.PROJECT), and
# paths it does not, or must not read.
CONTEXT_PATHS = [
    ".",
    "app",
    "app/main.py",
    "requirements.txt",
    "scripts/*.sh",
    "scripts/",
    "link-in",
    "link-out",
    "secret.txt",
    "ignored/",
    "missing.txt",
    "../outside",
    "/etc/passwd",
    "app/../..",
    "*",
    "[a-",
    "${SRC}",
    "$UNSET/x",
    "fifo",
]
WORDS = ["hello", "-v", "--version", "x y", "$HOME", "~/.claude", "'a b'", '"$(pwd)"', "#"]


def _harness_command(draw: st.DrawFn) -> str:
    harness = draw(st.sampled_from(HARNESSES))
    args = " ".join(draw(st.lists(st.sampled_from(WORDS), max_size=3)))
    call = f"{harness} {args}".strip()
    shape = draw(
        st.sampled_from(
            [
                "{c}",
                "true && {c}",
                "false || {c} ; echo done",
                "echo $({c})",
                "echo `{c}`",
                "bash -c '{c}'",
                'sh -c "{c} && echo"',
                "bash -c 'bash -c \"{c}\"'",
                "sudo -u developer {c}",
                "env FOO=1 {c}",
                "FOO=1 {c}",
                "/usr/local/bin/{c}",
                "if {c}; then echo; fi",
                "{c} | tee /tmp/log",
                "echo {c}",
                "cat ~/.{c}",
                "npm install -g @anthropic-ai/claude-code && {c}",
                "(( x = 1 )) && {c}",
                "case x in x) {c};; esac",
                "for i in 1 2; do {c}; done",
                "echo $(echo $(echo $({c})))",
                "f() {{ {c}; }}; f",
            ]
        )
    )
    return shape.format(c=call)


def _nested(draw: st.DrawFn) -> str:
    depth = draw(st.integers(1, 12))
    kind = draw(st.sampled_from(["subshell", "bash-c", "backtick", "braces"]))
    inner = draw(st.sampled_from(HARNESSES))
    for level in range(depth):
        if kind == "subshell":
            inner = f"echo $({inner})"
        elif kind == "bash-c":
            quote = "'" if level % 2 == 0 else '"'
            inner = f"bash -c {quote}{inner}{quote}"
        elif kind == "backtick":
            inner = f"echo \\`{inner}\\`" if level else f"echo `{inner}`"
        else:
            inner = f"${{X:-{inner}}}"
    return inner


@st.composite
def run_instruction(draw: st.DrawFn) -> str:
    form = draw(st.sampled_from(["shell", "exec", "heredoc", "continued", "nested", "mount"]))
    if form == "exec":
        harness = draw(st.sampled_from(HARNESSES))
        return f'RUN ["{harness}", "--version"]'
    if form == "heredoc":
        body = "\n".join(_harness_command(draw) for _ in range(draw(st.integers(0, 3))))
        opener = draw(st.sampled_from(["<<EOF", "<<-EOF", "<<'EOF'", "<<EOF bash", "cat <<EOF"]))
        return f"RUN {opener}\n{body}\nEOF"
    if form == "continued":
        parts = [_harness_command(draw) for _ in range(draw(st.integers(1, 4)))]
        joiner = draw(st.sampled_from([" \\\n    && ", " \\\n# comment\n  && ", " \\\n\n ; "]))
        return "RUN " + joiner.join(parts)
    if form == "nested":
        return "RUN " + _nested(draw)
    if form == "mount":
        source = draw(st.sampled_from(CONTEXT_PATHS))
        return f"RUN --mount=type=bind,source={source},target=/src " + _harness_command(draw)
    return "RUN " + _harness_command(draw)


@st.composite
def other_instruction(draw: st.DrawFn) -> str:
    kind = draw(
        st.sampled_from(
            ["copy", "add", "user", "env", "arg", "workdir", "entrypoint", "onbuild", "cmd"]
        )
    )
    if kind in ("copy", "add"):
        sources = draw(st.lists(st.sampled_from(CONTEXT_PATHS), min_size=1, max_size=3))
        flag = draw(st.sampled_from(["", "--chown=developer ", "--from=builder ", "--link "]))
        if kind == "copy" and draw(st.integers(0, 4)) == 0:
            return "COPY <<EOF /etc/motd\nhello\nEOF"
        return f"{kind.upper()} {flag}{' '.join(sources)} /dest/"
    if kind == "user":
        return "USER " + draw(
            st.sampled_from(["root", "developer", "0", "1000:1000", "$U", "0:0", "nobody"])
        )
    if kind == "env":
        return draw(st.sampled_from(["ENV A=1 B=2", "ENV PATH=/x:$PATH", "ENV SRC=app"]))
    if kind == "arg":
        return draw(st.sampled_from(["ARG SRC=app", "ARG U=developer", "ARG BASE"]))
    if kind == "workdir":
        return "WORKDIR /work"
    if kind == "entrypoint":
        return draw(st.sampled_from(['ENTRYPOINT ["claude"]', "ENTRYPOINT claude", "CMD claude"]))
    if kind == "onbuild":
        return "ONBUILD " + draw(st.sampled_from(["RUN claude", "COPY . /x", "USER root"]))
    return 'CMD ["bash"]'


@st.composite
def aishell_dockerfiles(draw: st.DrawFn) -> str:
    """An aishell sandbox Dockerfile: stages on aishell:base and friends, harness runs."""
    lines: list[str] = []
    if draw(st.booleans()):
        lines.append(draw(st.sampled_from(["# syntax=docker/dockerfile:1", "# check=skip=all"])))
    if draw(st.booleans()):
        lines.append(draw(st.sampled_from(["ARG BASE=aishell:base", "ARG AISHELL_BASE=x"])))
    for stage in range(draw(st.integers(1, 3))):
        platform = draw(st.sampled_from(["", "--platform=$BUILDPLATFORM "]))
        name = draw(st.sampled_from(["", f" AS s{stage}", " AS builder", " as FINAL"]))
        lines.append(f"FROM {platform}{draw(st.sampled_from(BASES))}{name}")
        for _ in range(draw(st.integers(0, 5))):
            if draw(st.integers(0, 6)) == 0:
                code = draw(st.sampled_from(["AIS001", "AIS100", "AIS101,AIS102", "BOGUS", ""]))
                lines.append(f"# aishellc ignore={code}")
            strategy = run_instruction() if draw(st.booleans()) else other_instruction()
            lines.append(draw(strategy))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return newline.join(lines) + draw(st.sampled_from([newline, ""]))


TEXT_ALPHABET = st.characters(codec="utf-8", exclude_categories=["Cs"]) | st.sampled_from(
    list("\n\n\n\\`#<>[]\"'=$(){} \t\r-EOFRUNFROMCOPY")
)
"""Any character, with the ones that matter to a Dockerfile much more likely."""

text_dockerfiles = st.text(TEXT_ALPHABET, max_size=400).map(lambda s: s.encode("utf-8"))
byte_dockerfiles = st.binary(max_size=400)
