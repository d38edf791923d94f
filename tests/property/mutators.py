"""Mutators: hypothesis strategies that damage a Dockerfile's bytes in one particular way.

Each mutator is ``mutator(data) -> SearchStrategy[bytes]``; positions and choices are
drawn from hypothesis, so a failing input shrinks towards a small, readable damage. The
seeds are real Dockerfiles: the round-trip cases, the benchmark files and the check and
compile goldens in this repository, plus the shared corpus when it is here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from hypothesis import strategies as st

from tests.corpus import ROOT, corpus_files, roundtrip_files

Mutator = Callable[[bytes], st.SearchStrategy[bytes]]

LINE_LIMIT = 65535  # BuildKit's bufio.Scanner buffer: the longest line it reads


def seed_files() -> list[Path]:
    """Dockerfiles to mutate: always the repository's own, and the corpus when present."""
    local = [
        *roundtrip_files(),
        *sorted((ROOT / "benchmarks" / "data").glob("*.Dockerfile")),
        *sorted((ROOT / "tests" / "golden" / "check").glob("*/Dockerfile")),
        *sorted((ROOT / "tests" / "golden" / "compile").glob("*/Dockerfile")),
    ]
    return local + corpus_files()


SEEDS: tuple[bytes, ...] = tuple(path.read_bytes() for path in seed_files())


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def _insert(data: bytes, at: int, piece: bytes) -> bytes:
    return data[:at] + piece + data[at:]


# --- truncation at every kind of boundary ------------------------------------------------

_BOUNDARIES: dict[str, re.Pattern[bytes]] = {
    "line-start": re.compile(rb"(?<=\n)"),
    "line-end": re.compile(rb"(?=\r?\n)"),
    "inside-crlf": re.compile(rb"(?<=\r)(?=\n)"),
    "after-escape": re.compile(rb"(?<=[\\`])"),
    "after-heredoc-marker": re.compile(rb"(?<=<<)|(?<=<<-)"),
    "heredoc-body": re.compile(rb"(?<=<<)[-\"']?[A-Za-z_]+['\"]?[^\n]*\n(?:[^\n]*\n){0,3}"),
    "inside-quote": re.compile(rb"(?<=[\"'])"),
    "inside-json": re.compile(rb"(?<=\[)|(?<=, )|(?<=\",)"),
    "inside-variable": re.compile(rb"(?<=\$)|(?<=\$\{)|(?<=\$\()"),
    "after-comment-mark": re.compile(rb"(?<=#)"),
    "after-flag": re.compile(rb"(?<=--)|(?<==)"),
    "word-end": re.compile(rb"(?<=\S)(?= )"),
    "inside-utf8": re.compile(rb"(?<=[\xc0-\xff])[\x80-\xbf]"),
}
BOUNDARY_KINDS = ("byte", *_BOUNDARIES)


def boundaries(data: bytes, kind: str) -> list[int]:
    """Offsets in ``data`` where a cut lands on a boundary of the given kind."""
    if kind == "byte":
        return list(range(len(data) + 1))
    pattern = _BOUNDARIES[kind]
    if kind == "heredoc-body":
        return [m.end() for m in pattern.finditer(data)]
    return [m.start() for m in pattern.finditer(data)]


@st.composite
def truncate(draw: st.DrawFn, data: bytes) -> bytes:
    kind = draw(st.sampled_from(BOUNDARY_KINDS))
    offsets = boundaries(data, kind) or list(range(len(data) + 1))
    cut = draw(st.sampled_from(offsets))
    return data[:cut]


# --- bytes -------------------------------------------------------------------------------


@st.composite
def flip_bytes(draw: st.DrawFn, data: bytes) -> bytes:
    if not data:
        return draw(st.binary(min_size=1, max_size=8))
    buffer = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        if not buffer:
            break
        at = draw(st.integers(0, len(buffer) - 1))
        action = draw(st.sampled_from(["xor", "set", "insert", "delete"]))
        if action == "xor":
            buffer[at] ^= 1 << draw(st.integers(0, 7))
        elif action == "set":
            buffer[at] = draw(st.integers(0, 255))
        elif action == "insert":
            buffer[at:at] = draw(st.binary(min_size=1, max_size=4))
        elif len(buffer) > 1:
            del buffer[at : at + draw(st.integers(1, 16))]
    return bytes(buffer)


# Tokens that change how the lines around them are read.
TOKENS = [
    b"\\",
    b"`",
    b"\\\n",
    b"`\n",
    b"$(",
    b"${",
    b"}",
    b")",
    b"$",
    b'"',
    b"'",
    b"[",
    b"]",
    b'["',
    b"<<",
    b"<<-",
    b"<<EOF",
    b"\nEOF\n",
    b"\r",
    b"\r\n",
    b"\n",
    b"\t",
    b"\x0b",
    b"\x0c",
    b" ",
    "\u00a0".encode(),
    "\u2028".encode(),
    "\u0085".encode(),
    "\ufeff".encode(),
    "é".encode(),
    "☃".encode(),
    "\U0001f600".encode(),
    b"#",
    b"# aishellc ignore=AIS001\n",
    b"=",
    b"--",
    b"--mount=type=bind,source=..,target=/x ",
    b"--from=",
    b"--platform=$BUILDPLATFORM ",
    b"\nONBUILD ",
    b"\nFROM aishell:base\n",
    b"\nARG ",
    b"\nUSER root\n",
    b" AS ",
    b"claude ",
    b"bash -c '",
    b"sudo -u developer ",
]


@st.composite
def insert_tokens(draw: st.DrawFn, data: bytes) -> bytes:
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        data = _insert(data, at, draw(st.sampled_from(TOKENS)))
    return data


# --- lines -------------------------------------------------------------------------------


@st.composite
def rearrange_lines(draw: st.DrawFn, data: bytes) -> bytes:
    lines = _lines(data)
    if not lines:
        return data
    action = draw(st.sampled_from(["shuffle", "duplicate", "repeat", "delete", "swap", "reverse"]))
    if action == "shuffle":
        lines = draw(st.permutations(lines))
    elif action == "duplicate":
        for _ in range(draw(st.integers(1, 5))):
            at = draw(st.integers(0, len(lines) - 1))
            lines.insert(draw(st.integers(0, len(lines))), lines[at])
    elif action == "repeat":
        at = draw(st.integers(0, len(lines) - 1))
        lines[at:at] = [lines[at]] * draw(st.sampled_from([2, 10, 100, 1000]))
    elif action == "delete":
        at = draw(st.integers(0, len(lines) - 1))
        del lines[at : at + draw(st.integers(1, 3))]
    elif action == "swap":
        i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]
    else:
        lines.reverse()
    return b"".join(lines)


@st.composite
def splice(draw: st.DrawFn, data: bytes) -> bytes:
    other = draw(st.sampled_from(SEEDS))
    cut = draw(st.integers(0, len(data)))
    other_cut = draw(st.integers(0, len(other)))
    return data[:cut] + other[other_cut:]


# --- directives --------------------------------------------------------------------------

ESCAPE_VALUES = [b"\\", b"`", b"", b"x", b"\\\\", b"``", b" ` ", "é".encode(), b"\\`", b"'"]
DIRECTIVE_LINES = [
    b"# escape=%s\n",
    b"#escape=%s\n",
    b"# ESCAPE = %s\n",
    b"#\tescape=%s\r\n",
    b"# syntax=docker/dockerfile:1\n# escape=%s\n",
    b"# check=skip=all\n# escape=%s\n",
    b"# escape=%s\n# escape=%s\n",
    b"\n# escape=%s\n",
    b"# not a directive\n# escape=%s\n",
]


@st.composite
def escape_directive(draw: st.DrawFn, data: bytes) -> bytes:
    template = draw(st.sampled_from(DIRECTIVE_LINES))
    value = draw(st.sampled_from(ESCAPE_VALUES))
    line = template.replace(b"%s", value)
    if draw(st.booleans()):
        body = data.replace(b"\\", b"`") if value == b"`" else data
        return line + body
    lines = _lines(data)
    at = draw(st.integers(0, len(lines)))
    return b"".join([*lines[:at], line, *lines[at:]])


# --- heredocs and continuations ----------------------------------------------------------

HEREDOC_STARTS = [
    b"RUN <<EOF\n",
    b"RUN <<-EOF\n\t",
    b'RUN <<"EOF" bash\n',
    b"RUN <<'EOF'\n",
    b"RUN 3<<EOF cat\n",
    b"RUN << EOF\n",
    b"COPY <<A <<B /dest/\nA\n",
    b"ONBUILD RUN <<EOF\n",
    b"RUN <<EOF \\\n  && echo\n",
    b"RUN cat <<EOF <<EOF2\nEOF\n",
    b"RUN <<EOF\r\n",
]


@st.composite
def unterminated_heredoc(draw: st.DrawFn, data: bytes) -> bytes:
    start = draw(st.sampled_from(HEREDOC_STARTS))
    body = draw(st.sampled_from([b"", b"echo hi\n", b"set -e\nclaude --version\n", b"EO\n"]))
    lines = _lines(data)
    drop_terminator = draw(st.booleans())
    if lines and drop_terminator:
        # Drop the terminator of an existing heredoc, if the file has one.
        names = set(re.findall(rb"<<-?[\"']?([A-Za-z_][A-Za-z0-9_]*)", data))
        kept = [line for line in lines if line.strip() not in names]
        if len(kept) != len(lines):
            return b"".join(kept)
    at = draw(st.integers(0, len(lines)))
    if lines and at > 0 and not lines[at - 1].endswith(b"\n"):
        lines[at - 1] += b"\n"
    return b"".join([*lines[:at], start, body])


CONTINUATION_ENDS = [
    b"RUN echo \\",
    b"RUN echo \\   ",
    b"RUN echo \\\n",
    b"RUN echo \\\n# only a comment\n",
    b"RUN echo \\\n\n\n",
    b"RUN \\\n",
    b"\\\n",
    b"\\",
    b"RUN echo `",
    b"LABEL a=b \\\n  c=d \\\n",
    b'RUN ["a", \\\n',
    b"FROM \\\n",
]


@st.composite
def unterminated_continuation(draw: st.DrawFn, data: bytes) -> bytes:
    lines = _lines(data)
    action = draw(st.sampled_from(["append", "escape-a-line", "escape-every-line"]))
    if action == "append" or not lines:
        if data and not data.endswith(b"\n"):
            data += b"\n"
        return data + draw(st.sampled_from(CONTINUATION_ENDS))
    escape = draw(st.sampled_from([b"\\", b"`", b" \\ ", b"\\\t"]))
    indexes = (
        range(len(lines))
        if action == "escape-every-line"
        else [draw(st.integers(0, len(lines) - 1))]
    )
    for index in indexes:
        line = lines[index]
        body = line.rstrip(b"\r\n")
        lines[index] = body + escape + line[len(body) :]
    return b"".join(lines)


# --- encodings ---------------------------------------------------------------------------

BAD_UTF8 = [
    b"\xff",
    b"\xfe",
    b"\x80",
    b"\xc3",
    b"\xc3\x28",
    b"\xe2\x82",
    b"\xe2\x28\xa1",
    b"\xed\xa0\x80",
    b"\xc0\xaf",
    b"\xf4\x90\x80\x80",
    b"\xf8\x88\x80\x80\x80",
]
BOMS = [b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"]


@st.composite
def invalid_utf8(draw: st.DrawFn, data: bytes) -> bytes:
    action = draw(st.sampled_from(["insert", "bom", "utf16", "latin1", "bom-middle"]))
    if action == "insert":
        for _ in range(draw(st.integers(1, 3))):
            data = _insert(data, draw(st.integers(0, len(data))), draw(st.sampled_from(BAD_UTF8)))
        return data
    if action == "bom":
        return draw(st.sampled_from(BOMS)) + data
    text = data.decode("utf-8", errors="replace")
    if action == "utf16":
        return text.encode(draw(st.sampled_from(["utf-16", "utf-16-le", "utf-32"])))
    if action == "latin1":
        return (text + "\nRUN echo café\n").encode("latin-1", errors="replace")
    return _insert(data, draw(st.integers(0, len(data))), b"\xef\xbb\xbf")


@st.composite
def nul_bytes(draw: st.DrawFn, data: bytes) -> bytes:
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(data)))
        if draw(st.booleans()) and at < len(data):
            data = data[:at] + b"\x00" + data[at + 1 :]
        else:
            data = _insert(data, at, b"\x00")
    return data


# --- size --------------------------------------------------------------------------------

HUGE_LENGTHS = [LINE_LIMIT - 1, LINE_LIMIT, LINE_LIMIT + 1, 70_000, 300_000]


@st.composite
def huge_line(draw: st.DrawFn, data: bytes) -> bytes:
    length = draw(st.sampled_from(HUGE_LENGTHS))
    shape = draw(
        st.sampled_from(
            ["run", "comment", "heredoc", "multibyte", "spaces", "continued", "label", "json"]
        )
    )
    if shape == "run":
        line = b"RUN echo " + b"x" * (length - 9)
    elif shape == "comment":
        line = b"#" + b"c" * (length - 1)
    elif shape == "heredoc":
        line = b"RUN <<EOF\n" + b"y" * length + b"\nEOF"
    elif shape == "multibyte":
        # "é" is two bytes: the line crosses the limit in bytes well before it does in
        # characters.
        line = b"RUN echo " + "é".encode() * ((length - 9) // 2) + b"z" * ((length - 9) % 2)
    elif shape == "spaces":
        line = b" " * length
    elif shape == "continued":
        # A long logical line made of physical lines that each stay under the limit.
        piece = b"  && echo " + b"w" * 60_000 + b" \\\n"
        line = b"RUN true \\\n" + piece * draw(st.integers(1, 8)) + b"  && true"
    elif shape == "label":
        line = b"LABEL k=" + b"v" * (length - 8)
    else:
        line = b'CMD ["' + b"j" * (length - 8) + b'"]'
    lines = _lines(data)
    at = draw(st.integers(0, len(lines)))
    if lines and at > 0 and not lines[at - 1].endswith(b"\n"):
        lines[at - 1] += b"\n"
    return b"".join([*lines[:at], line + b"\n", *lines[at:]])


MUTATORS: dict[str, Mutator] = {
    "flip-bytes": flip_bytes,
    "truncate": truncate,
    "rearrange-lines": rearrange_lines,
    "escape-directive": escape_directive,
    "unterminated-heredoc": unterminated_heredoc,
    "unterminated-continuation": unterminated_continuation,
    "invalid-utf8": invalid_utf8,
    "nul-bytes": nul_bytes,
    "huge-line": huge_line,
    "insert-tokens": insert_tokens,
    "splice": splice,
}

# Mutators that keep sizes small: the ones stacked on top of each other.
STACKABLE = tuple(name for name in MUTATORS if name not in ("huge-line",))


@st.composite
def stacked(draw: st.DrawFn, data: bytes) -> bytes:
    """Two to four mutators, one after another."""
    for _ in range(draw(st.integers(2, 4))):
        name = draw(st.sampled_from(STACKABLE))
        data = draw(MUTATORS[name](data))
    return data


MUTATORS["stacked"] = stacked


def mutated(name: str) -> st.SearchStrategy[bytes]:
    """A seed damaged by the named mutator."""
    return st.sampled_from(SEEDS).flatmap(MUTATORS[name])
