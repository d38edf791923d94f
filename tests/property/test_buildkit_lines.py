"""The line-based BuildKit view (``parse --format buildkit``) against the full parse.

Wherever :func:`fast_view` answers it must give exactly what the grammar and the AST give;
where the full parse rejects a file, ``buildkit_view`` must reject it with the same error.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aishellc.errors import UserError
from aishellc.parser.buildkit_lines import buildkit_view, fast_view
from aishellc.parser.buildkit_view import full_view
from aishellc.parser.decode import decode
from aishellc.parser.prelex import prelex
from tests.corpus import corpus_dir, corpus_files, needs_corpus, roundtrip_files


def fast(text: str | bytes) -> list[dict[str, object]] | None:
    data = text.encode() if isinstance(text, str) else text
    try:
        scanned = prelex(decode(data, "Dockerfile").text, "Dockerfile")
    except UserError:
        return None
    return None if scanned.error else fast_view(scanned.items, scanned.escape)


def same_answer(data: bytes) -> None:
    """buildkit_view gives what the full parse gives, error or view."""
    try:
        expected = full_view(data, "Dockerfile")
    except UserError as exc:
        with pytest.raises(UserError) as got:
            buildkit_view(data, "Dockerfile")
        assert got.value.render() == exc.render()
        return
    assert buildkit_view(data, "Dockerfile") == expected


# Each line is read by the fast path (True) or left to the full parse (False).
LINES = [
    ("FROM a", True),
    ("FROM a AS b", True),
    ("from a as b", True),
    ("FROM a b", False),  # BuildKit: one or three arguments
    ("FROM a AS", False),
    ("FROM --platform=$BUILDPLATFORM a", True),
    ("RUN echo hi", True),
    ('RUN ["echo", "hi"]', True),
    ("RUN [1, 2]", False),  # a JSON array of non-strings is an error
    ('RUN ["a" ', True),  # not JSON: shell form
    ("RUN --mount=type=cache,target=/x make", True),
    ('RUN --mount="type=cache,target=/x" make', True),
    ("RUN -- --x", True),
    ("SHELL /bin/sh", False),  # SHELL needs JSON
    ('SHELL ["/bin/bash", "-c"]', True),
    ("CMD", True),
    ("ENV A=1 B=2", True),
    ("ENV A=\"x y\" B='z'", True),
    ("ENV A b c", True),  # the legacy form
    ("ENV A", False),  # the legacy form needs a value
    ("ENV A=1 B", False),  # every word needs =
    ("ENV A=b\\ c", True),
    ('LABEL description="it\'s"', True),
    ("ARG A", True),
    ("ARG A=1 B", True),
    ("COPY a b", True),
    ('COPY ["a", "b"]', True),
    ("COPY [1] b", True),  # not JSON as a whole: whitespace-separated words
    ("COPY [1]", False),
    ("COPY --from=x a b", True),
    ("VOLUME /data", True),
    ("EXPOSE 80 443/udp", True),
    ("USER developer", True),
    ("WORKDIR /a b", True),
    ("STOPSIGNAL SIGTERM", True),
    ("MAINTAINER someone", True),
    ("HEALTHCHECK NONE", True),
    ("HEALTHCHECK NONE x", False),
    ("HEALTHCHECK --interval=5s CMD curl -f x", True),
    ('HEALTHCHECK CMD ["curl", "x"]', True),
    ("ONBUILD RUN make", True),
    ("ONBUILD ONBUILD RUN make", False),
    ("ONBUILD FROM a", False),
    ("ONBUILD", True),
    ("BOGUS x", False),
    ("ENV A=\u00a0b", False),  # a blank only Go calls a space
]


@pytest.mark.parametrize(("line", "plain"), LINES, ids=[line for line, _ in LINES])
def test_each_line_shape(line: str, plain: bool) -> None:
    text = line if line.upper().startswith("FROM") else "FROM a\n" + line + "\n"
    assert (fast(text) is not None) is plain
    same_answer(text.encode())


def test_heredocs_and_escape_directive() -> None:
    same_answer(b"FROM a\nRUN <<EOF\necho hi\nEOF\nCOPY <<A /a\nx\nA\n")
    same_answer(b"# escape=`\nFROM a\nENV A=b`\n  c\nRUN dir `\n  x\n")


def test_a_file_without_instructions_is_the_full_parse_s_error() -> None:
    assert fast("# only a comment\n") is None
    same_answer(b"# only a comment\n")


@needs_corpus
def test_every_corpus_and_trap_file_gives_the_full_parse_s_answer() -> None:
    for path in [*corpus_files(), *roundtrip_files()]:
        same_answer(path.read_bytes())


@needs_corpus
def test_most_real_files_take_the_fast_path() -> None:
    base = corpus_dir()
    assert base is not None
    real = sorted(p for p in (base / "real").rglob("*") if p.is_file() and p.name != "INDEX.tsv")
    taken = sum(fast(path.read_bytes()) is not None for path in real)
    assert taken >= 0.9 * len(real), f"{taken} of {len(real)}"


WORD_CHARS = st.sampled_from([*"aZ09_=-./$\"'\\`[],{} \t", "é", "\u00a0", "\\\n"])
KEYWORDS = st.sampled_from(
    [
        "FROM",
        "RUN",
        "CMD",
        "ENTRYPOINT",
        "SHELL",
        "ENV",
        "LABEL",
        "ARG",
        "COPY",
        "ADD",
        "VOLUME",
        "EXPOSE",
        "USER",
        "WORKDIR",
        "STOPSIGNAL",
        "MAINTAINER",
        "HEALTHCHECK",
        "ONBUILD",
        "BOGUS",
    ]
)
LINE = st.tuples(
    KEYWORDS,
    st.lists(st.sampled_from(["--a=b", '--m="x y"', "--", "NONE", "CMD", "AS", "RUN"]), max_size=2),
    st.lists(WORD_CHARS, max_size=24).map("".join),
).map(lambda parts: " ".join([parts[0], *parts[1], parts[2]]))


@given(st.lists(LINE, min_size=1, max_size=4), st.booleans())
def test_generated_lines_give_the_full_parse_s_answer(lines: list[str], backtick: bool) -> None:
    head = "# escape=`\n" if backtick else ""
    same_answer((head + "FROM a\n" + "\n".join(lines) + "\n").encode())


def test_the_trap_folder_is_there() -> None:
    assert roundtrip_files(), Path("tests/roundtrip")
