"""Generated Dockerfiles round-trip and agree with BuildKit's parser.

Instruction lines come from our own grammar (``hypothesis.extra.lark.from_lark``); explicit
strategies add what the grammar does not see: heredoc bodies, continuation layout, comment
and blank lines inside continuations, parser directives.
"""

from __future__ import annotations

import json

from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark

from aishellc.emit.printer import print_document
from aishellc.errors import UserError
from aishellc.parser import parse
from aishellc.parser.buildkit_lines import buildkit_view
from aishellc.parser.grammar import make_parser
from tests.oracle import package_view

# Printable ASCII and a few non-ASCII letters; no NUL (the package truncates at NUL) and no
# non-ASCII whitespace (a documented difference).
TEXT = st.characters(min_codepoint=0x20, max_codepoint=0x7E) | st.sampled_from("é☃ü\t")
NAME = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.-]{0,8}", fullmatch=True)
VALUE = st.from_regex(r"[A-Za-z0-9_./:${}-]{0,10}", fullmatch=True) | NAME.map(
    lambda s: f'"{s} {s}"'
)
EXPLICIT = {
    "JSON_ARRAY": st.lists(st.text(TEXT, max_size=6), max_size=3).map(json.dumps),
    "END_OF_FLAGS": st.just(" --"),
    "FLAG": st.tuples(NAME, VALUE).map(lambda kv: f" --{kv[0]}={kv[1]}"),
    "WORD_EQ": st.tuples(NAME, VALUE).map(lambda kv: f"{kv[0]}={kv[1]}"),
    "WORD": st.tuples(NAME, st.none() | VALUE).map(
        lambda kv: kv[0] if kv[1] is None else f"{kv[0]}={kv[1]}"
    ),
}
_GRAMMAR = make_parser("\\", transform=False)
INSTRUCTION_RULES = sorted(
    rule.origin.name
    for rule in _GRAMMAR.rules
    if str(rule.origin.name).endswith("_instr") and rule.origin.name != "unknown_instr"
)
INSTRUCTION = st.one_of(
    *(
        from_lark(_GRAMMAR, start=str(name), explicit=EXPLICIT, alphabet=TEXT)
        for name in dict.fromkeys(INSTRUCTION_RULES)
    )
)
INSTRUCTION_LINES = st.lists(INSTRUCTION, max_size=8)

HEREDOC_BODY = st.lists(
    st.text(TEXT, max_size=12).filter(lambda s: s.strip() not in ("EOF", "A", "B")), max_size=3
)


@st.composite
def heredoc_instruction(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["run", "run-cmd", "copy-two", "dash"]))
    body = "".join(line + "\n" for line in draw(HEREDOC_BODY))
    if kind == "run":
        return f"RUN <<EOF\n{body}EOF"
    if kind == "run-cmd":
        quote = draw(st.sampled_from(["", "'", '"']))
        return f"RUN <<{quote}EOF{quote} bash\n{body}EOF"
    if kind == "dash":
        tabbed = "".join("\t" + line for line in body.splitlines(keepends=True))
        return f"RUN <<-EOF\n{tabbed}\tEOF"
    other = "".join(line + "\n" for line in draw(HEREDOC_BODY))
    return f"COPY <<A <<B /dest/\n{body}A\n{other}B"


@st.composite
def with_layout(draw: st.DrawFn, line: str) -> str:
    """Break a logical line into continuation lines, maybe with comment/blank lines between."""
    if "\n" in line or " " not in line:
        return line
    words = line.split(" ")
    out = [words[0]]
    for word in words[1:]:
        if draw(st.integers(0, 3)) == 0:
            filler = draw(st.sampled_from(["", "# inside\n", "\n", "   \n"]))
            indent = draw(st.sampled_from(["", "  ", "\t"]))
            out.append(f" \\\n{filler}{indent}{word}")
        else:
            out.append(" " + word)
    return "".join(out)


@st.composite
def dockerfiles(draw: st.DrawFn) -> str:
    lines = ["FROM scratch", *draw(INSTRUCTION_LINES)]
    for _ in range(draw(st.integers(0, 2))):
        lines.insert(draw(st.integers(1, len(lines))), draw(heredoc_instruction()))
    parts = []
    for line in lines:
        if draw(st.integers(0, 5)) == 0:
            parts.append(draw(st.sampled_from(["# a comment", "", "   ", "#"])))
        parts.append(draw(with_layout(line)))
    header = draw(st.sampled_from(["", "# syntax=docker/dockerfile:1\n", "# check=skip=all\n"]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = header + "\n".join(parts)
    text = text.replace("\n", newline)
    return text + draw(st.sampled_from([newline, ""]))


# What BuildKit rejects in its instruction layer, which the package does not run.
INSTRUCTION_LAYER = (
    "unknown instruction",
    "FROM requires",
    "SHELL requires",
    "isn't allowed as an ONBUILD trigger",
    "Chaining ONBUILD",
    "HEALTHCHECK NONE takes no arguments",
    "empty instruction",
)


@given(dockerfiles())
def test_generated_dockerfiles_roundtrip(text: str) -> None:
    data = text.encode("utf-8")
    try:
        document = parse(data)
    except UserError:
        return
    assert print_document(document).encode("utf-8") == data


@given(dockerfiles())
def test_generated_dockerfiles_agree_with_buildkit(text: str) -> None:
    # Documented differences: `<< EOF` (newer BuildKit) and ONBUILD heredocs/flags.
    assume("<< " not in text and "<<- " not in text and "<<\t" not in text)
    assume("onbuild" not in text.lower())
    expected = package_view(text)
    try:
        got = buildkit_view(text)
    except UserError as exc:
        if not isinstance(expected, dict):
            assert any(reason in exc.message for reason in INSTRUCTION_LAYER), exc.message
        return
    assert got == expected, text


@given(st.text(TEXT | st.sampled_from("\n\\`#<>[]\"'="), max_size=200))
def test_any_text_roundtrips_or_is_rejected(text: str) -> None:
    data = text.encode("utf-8")
    try:
        document = parse(data)
    except UserError as exc:
        assert exc.location is not None and exc.location.line >= 1
        return
    assert print_document(document).encode("utf-8") == data
