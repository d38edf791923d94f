"""The pre-lexer against BuildKit's line scanner rules, one case per row."""

from __future__ import annotations

import pytest

from aishellc.errors import UserError
from aishellc.parser import parse
from aishellc.parser.buildkit_lines import buildkit_view
from aishellc.parser.prelex import LogicalLine, parse_heredoc_word, prelex


def logical(text: str) -> list[tuple[str, int, int]]:
    result = prelex(text, "Dockerfile")
    assert result.error is None
    return [
        (item.text, item.start_line, item.end_line)
        for item in result.items
        if isinstance(item, LogicalLine)
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FROM a\n", [("FROM a", 1, 1)]),
        ("FROM a", [("FROM a", 1, 1)]),
        ("  FROM a  \n", [("FROM a  ", 1, 1)]),
        ("RUN a \\\n  b\n", [("RUN a   b", 1, 2)]),
        ("RUN a \\  \t\n  b\n", [("RUN a   b", 1, 2)]),
        ("RUN a\\\\\nRUN b\n", [("RUN a\\\\", 1, 1), ("RUN b", 2, 2)]),
        ("RUN a \\\n# comment\n  b\n", [("RUN a   b", 1, 3)]),
        ("RUN a \\\n\n  b\n", [("RUN a   b", 1, 3)]),
        ("RUN a \\\n   \n  b\n", [("RUN a   b", 1, 3)]),
        ("RUN a \\\n", [("RUN a ", 1, 1)]),
        ("RUN a \\\n  # only comments follow\n", [("RUN a ", 1, 2)]),
        ("RUN a \\\r\n  b\r\n", [("RUN a   b", 1, 2)]),
        ("# escape=`\nRUN a `\n  b\n", [("RUN a   b", 2, 3)]),
        ("# escape=`\nRUN a \\\nRUN b\n", [("RUN a \\", 2, 2), ("RUN b", 3, 3)]),
        ("# comment\n# escape=`\nRUN a `\n b\n", [("RUN a `", 3, 3), ("b", 4, 4)]),
        ("\n# escape=`\nRUN a `\n b\n", [("RUN a `", 3, 3), ("b", 4, 4)]),
        ("# syntax=x\n# check=skip=all\n# escape=`\nRUN a `\n b\n", [("RUN a  b", 4, 5)]),
        ("RUN <<EOF\nbody\nEOF\nRUN b\n", [("RUN <<EOF", 1, 3), ("RUN b", 4, 4)]),
        ('RUN ["<<EOF"]\nEOF\n', [('RUN ["<<EOF"]', 1, 1), ("EOF", 2, 2)]),
        ("RUN '<<EOF'\nx\n", [("RUN '<<EOF'", 1, 1), ("x", 2, 2)]),
        ("USER <<EOF\nEOF\n", [("USER <<EOF", 1, 1), ("EOF", 2, 2)]),
        ("COPY <<a <<b /d\n1\na\n2\nb\n", [("COPY <<a <<b /d", 1, 5)]),
        ("RUN <<-EOF\n\tx\n\tEOF\n", [("RUN <<-EOF", 1, 3)]),
        ("RUN <<EOF\n\tx\n\tEOF\nEOF\n", [("RUN <<EOF", 1, 4)]),
        ("ONBUILD RUN <<EOF\nx\nEOF\n", [("ONBUILD RUN <<EOF", 1, 3)]),
        ("RUN << EOF\nx\nEOF\n", [("RUN << EOF", 1, 3)]),
        ("RUN a \\\n<<EOF\nx\nEOF\n", [("RUN a <<EOF", 1, 4)]),
    ],
)
def test_logical_lines(text: str, expected: list[tuple[str, int, int]]) -> None:
    assert logical(text) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("<<EOF", ("EOF", 0, True, False)),
        ("<<'EOF'", ("EOF", 0, False, False)),
        ('<<"EOF"', ("EOF", 0, False, False)),
        ("<<-EOF", ("EOF", 0, True, True)),
        ("<<-'EOF'", ("EOF", 0, False, True)),
        ('<<EO"F"', ("EOF", 0, False, False)),
        ("<< EOF", ("EOF", 0, True, False)),
        ("<<- EOF", ("EOF", 0, True, True)),
        ("3<<EOF", ("EOF", 3, True, False)),
        ("<<eo\\'f", ("eo'f", 0, True, False)),
        ("<<'e'o\\'f", ("eo'f", 0, False, False)),
        ("<<file.txt", ("file.txt", 0, True, False)),
        ("<<$EOF", ("$EOF", 0, True, False)),
        ("", None),
        ("EOF", None),
        ("<<", None),
        ("<<-", None),
        ("<EOF", None),
        ("<<<EOF", None),
        ("<<EOF sh", None),
    ],
)
def test_heredoc_words(word: str, expected: tuple[str, int, bool, bool] | None) -> None:
    assert parse_heredoc_word(word) == expected


@pytest.mark.parametrize("word", ["<<'EOF", '<<"EOF', "<<EOF'", '<<EOF"'])
def test_bad_heredoc_words(word: str) -> None:
    with pytest.raises(ValueError):
        parse_heredoc_word(word)


@pytest.mark.parametrize(
    ("text", "heredocs"),
    [
        ("RUN <<EMPTY\nEMPTY\n", [("EMPTY", "", 0)]),
        ("RUN 3<<EMPTY2\nEMPTY2\n", [("EMPTY2", "", 3)]),
        ("RUN <<INDENT\n\tfoo\n\tbar\nINDENT\n", [("INDENT", "\tfoo\n\tbar\n", 0)]),
        ("RUN <<-UNINDENT\n\tbaz\n\tquux\n\tUNINDENT\n", [("UNINDENT", "\tbaz\n\tquux\n", 0)]),
        ("COPY <<X <<Y /dest\nY\nX\nX\nY\n", [("X", "Y\n", 0), ("Y", "X\n", 0)]),
        ("RUN <<'one two'\necho bar\none two\n", [("one two", "echo bar\n", 0)]),
        ("RUN <<EOF\r\nline\r\nEOF\r\n", [("EOF", "line\r\n", 0)]),
        ("RUN <<  EOF  > foo\nEOF\n", [("EOF", "", 0)]),
    ],
)
def test_heredoc_bodies(text: str, heredocs: list[tuple[str, str, int]]) -> None:
    view = buildkit_view("FROM a\n" + text)
    got = [(h["name"], h["content"], h["file_descriptor"]) for h in view[1]["heredocs"]]
    assert got == heredocs


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("FROM a\nRUN <<EOF\nno end\n", "unterminated heredoc", 2),
        ("# escape=x\nFROM a\n", "invalid escape token 'x'", 1),
        ("# escape=\\\n# escape=`\nFROM a\n", "only one escape parser directive", 2),
        ("FROM a\nRUN " + "x" * 65532 + "\n", "longer than 65535 bytes", 2),
        ("FROM a\nENV PATH\nRUN <<EOF\n", "ENV must have two arguments", 2),
    ],
)
def test_scanner_errors(text: str, message: str, line: int) -> None:
    with pytest.raises(UserError) as caught:
        parse(text, "Dockerfile")
    assert message in caught.value.message
    assert caught.value.location is not None
    assert caught.value.location.line == line


def test_line_limit_is_in_bytes() -> None:
    # 65535 bytes of line content are allowed, one more is not.
    parse("FROM a\nRUN " + "x" * 65531 + "\n")
    parse("FROM a\nRUN " + "é" * 32765 + "x\n")
    with pytest.raises(UserError):
        parse("FROM a\nRUN " + "é" * 32766 + "\n")
