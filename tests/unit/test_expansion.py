"""Tests for aishellc.parser.expansion, the port of BuildKit's Dockerfile word lexer.

Where the rows come from:

* ``ENV_VAR_TEST``: the Unix rows ("A" and "U") of BuildKit's
  ``frontend/dockerfile/shell/envVarTest`` (moby/buildkit, Apache-2.0); for the
  rows that fail there, the exact message BuildKit gives.  They are run with
  both escape characters: for the backtick, ``\\`` and ````` are swapped in
  input and output.
* ``WORDS_TEST``: BuildKit's ``wordsTest`` (same origin and license).  The
  fourth column is the result under ``RawQuotes`` + ``SkipUnsetEnv``, a mode
  BuildKit's ``TestShellParser4Words`` means to check but never reaches (it
  re-reads an already consumed file), so those values are ours.
* ``PROCESS_WITH_MATCHES``: ``TestProcessWithMatches``,
  ``TestProcessWithMatchesPlatform`` and ``TestShellParserMandatoryEnvVars``
  from BuildKit's ``lex_test.go``; the pattern tables below come from its
  ``TestConvertShellPatternToRegex`` and ``TestReversePattern``.
* ``OPTION_ROWS`` and ``QUIRK_ROWS``: ours, covering the lexer options, the
  heredoc handling on instruction lines and the odd corners of BuildKit's
  behaviour.  Their expected values were checked against BuildKit's Go code.
"""

from __future__ import annotations

import re

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aishellc.parser import expansion, go_text, shell_patterns
from aishellc.parser.expansion import ExpansionError, WordLexer
from aishellc.parser.expansion_errors import LexError
from aishellc.parser.shell_patterns import ShellPattern, reverse_pattern


@attrs.frozen
class Err:
    """Expected failure: ``ExpansionError.reason`` must equal ``reason``."""

    reason: str


Expected = str | Err
ExpectedWords = list[str] | Err


def check_word(lexer: WordLexer, word: str, env: dict[str, str], expected: Expected) -> None:
    if isinstance(expected, Err):
        with pytest.raises(ExpansionError) as info:
            lexer.process_word(word, env)
        assert info.value.reason == expected.reason
        assert info.value.word == word
    else:
        assert lexer.process_word(word, env) == expected


def check_words(lexer: WordLexer, word: str, env: dict[str, str], expected: ExpectedWords) -> None:
    if isinstance(expected, Err):
        with pytest.raises(ExpansionError) as info:
            lexer.process_words(word, env)
        assert info.value.reason == expected.reason
    else:
        assert lexer.process_words(word, env) == expected


# ---------------------------------------------------------------------------
# envVarTest
# ---------------------------------------------------------------------------

ENV_VAR_ENV = {"PWD": "/home", "SHELL": "bash", "KOREAN": "한국어", "NULL": ""}

ENV_VAR_TEST: list[tuple[str, Expected]] = [
    ("hello", "hello"),
    ("he'll'o", "hello"),
    ("he'llo", Err("unexpected end of statement while looking for matching single-quote")),
    (r"he\'llo", "he'llo"),
    (r"he\\'llo", Err("unexpected end of statement while looking for matching single-quote")),
    (r"abc\tdef", "abctdef"),
    (r'"abc\tdef"', r"abc\tdef"),
    (r'"abc\\tdef"', r"abc\tdef"),
    (r"'abc\tdef'", r"abc\tdef"),
    ("hello\\", "hello"),
    ("hello\\\\", "hello\\"),
    ('"hello', Err("unexpected end of statement while looking for matching double-quote")),
    (r'"hello\"', Err("unexpected end of statement while looking for matching double-quote")),
    ('"hel\'lo"', "hel'lo"),
    ("'hello", Err("unexpected end of statement while looking for matching single-quote")),
    (r"'hello\'", "hello\\"),
    (r"'hello\there'", r"hello\there"),
    (r"'hello\\there'", r"hello\\there"),
    ("\"''\"", "''"),
    ("$.", "$."),
    ("he$1x", "hex"),
    ("he$.x", "he$.x"),
    ("he$pwd.", "he."),
    ("he$PWD", "he/home"),
    (r"he\$PWD", "he$PWD"),
    (r"he\\$PWD", r"he\/home"),
    (r'"he\$PWD"', "he$PWD"),
    (r'"he\\$PWD"', r"he\/home"),
    (r"\${}", "${}"),
    (r"\${}aaa", "${}aaa"),
    (r"he\${}", "he${}"),
    (r"he\${}xx", "he${}xx"),
    ("${}", Err("syntax error: bad substitution")),
    ("${}aaa", Err("syntax error: bad substitution")),
    ("he${}", Err("syntax error: bad substitution")),
    ("he${}xx", Err("syntax error: bad substitution")),
    ("he${hi}", "he"),
    ("he${hi}xx", "hexx"),
    ("he${PWD}", "he/home"),
    ("he${.}", Err("unsupported modifier (.) in substitution")),
    ("he${XXX:-000}xx", "he000xx"),
    ("he${PWD:-000}xx", "he/homexx"),
    ("he${XXX:-$PWD}xx", "he/homexx"),
    ("he${XXX:-${PWD:-yyy}}xx", "he/homexx"),
    ("he${XXX:-${YYY:-yyy}}xx", "heyyyxx"),
    ("he${XXX:YYY}", Err("unsupported modifier (:Y) in substitution")),
    ("he${XXX?}", Err("XXX: is not allowed to be unset")),
    ("he${XXX:?}", Err("XXX: is not allowed to be unset")),
    ("he${PWD?}", "he/home"),
    ("he${PWD:?}", "he/home"),
    ("he${NULL?}", "he"),
    ("he${NULL:?}", Err("NULL: is not allowed to be empty")),
    ("he${XXX:+${PWD}}xx", "hexx"),
    ("he${PWD:+${XXX}}xx", "hexx"),
    ("he${PWD:+${SHELL}}xx", "hebashxx"),
    ("he${XXX:+000}xx", "hexx"),
    ("he${PWD:+000}xx", "he000xx"),
    ("'he${XX}'", "he${XX}"),
    ('"he${PWD}"', "he/home"),
    ("\"he'$PWD'\"", "he'/home'"),
    ('"$PWD"', "/home"),
    ("'$PWD'", "$PWD"),
    (r"'\$PWD'", r"\$PWD"),
    ("'\"hello\"'", '"hello"'),
    (r"he\$PWD", "he$PWD"),
    (r'"he\$PWD"', "he$PWD"),
    (r"'he\$PWD'", r"he\$PWD"),
    ("he${PWD", Err("unsupported modifier (\ufffd) in substitution")),
    ("he${PWD:=000}xx", Err("unsupported modifier (:=) in substitution")),
    ("he${PWD:+${PWD}:}xx", "he/home:xx"),
    (r"he${XXX:-\$PWD:}xx", "he$PWD:xx"),
    (r"he${XXX:-\${PWD}z}xx", "he${PWDz}xx"),
    ("안녕하세요", "안녕하세요"),
    ("안'녕'하세요", "안녕하세요"),
    ("안'녕하세요", Err("unexpected end of statement while looking for matching single-quote")),
    (r"안녕\'하세요", "안녕'하세요"),
    (r"안\\'녕하세요", Err("unexpected end of statement while looking for matching single-quote")),
    (r"안녕\t하세요", "안녕t하세요"),
    (r'"안녕\t하세요"', r"안녕\t하세요"),
    (r"'안녕\t하세요", Err("unexpected end of statement while looking for matching single-quote")),
    ("안녕하세요\\", "안녕하세요"),
    ("안녕하세요\\\\", "안녕하세요\\"),
    ('"안녕하세요', Err("unexpected end of statement while looking for matching double-quote")),
    (r'"안녕하세요\"', Err("unexpected end of statement while looking for matching double-quote")),
    ('"안녕\'하세요"', "안녕'하세요"),
    ("'안녕하세요", Err("unexpected end of statement while looking for matching single-quote")),
    (r"'안녕하세요\'", "안녕하세요\\"),
    ("안녕$1x", "안녕x"),
    ("안녕$.x", "안녕$.x"),
    ("안녕$pwd.", "안녕."),
    ("안녕$PWD", "안녕/home"),
    (r"안녕\$PWD", "안녕$PWD"),
    (r"안녕\\$PWD", r"안녕\/home"),
    (r"안녕\${}", "안녕${}"),
    (r"안녕\${}xx", "안녕${}xx"),
    ("안녕${}", Err("syntax error: bad substitution")),
    ("안녕${}xx", Err("syntax error: bad substitution")),
    ("안녕${hi}", "안녕"),
    ("안녕${hi}xx", "안녕xx"),
    ("안녕${PWD}", "안녕/home"),
    ("안녕${.}", Err("unsupported modifier (.) in substitution")),
    ("안녕${XXX:-000}xx", "안녕000xx"),
    ("안녕${PWD:-000}xx", "안녕/homexx"),
    ("안녕${XXX:-$PWD}xx", "안녕/homexx"),
    ("안녕${XXX:-${PWD:-yyy}}xx", "안녕/homexx"),
    ("안녕${XXX:-${YYY:-yyy}}xx", "안녕yyyxx"),
    ("안녕${XXX:YYY}", Err("unsupported modifier (:Y) in substitution")),
    ("안녕${XXX:+${PWD}}xx", "안녕xx"),
    ("안녕${PWD:+${XXX}}xx", "안녕xx"),
    ("안녕${PWD:+${SHELL}}xx", "안녕bashxx"),
    ("안녕${XXX:+000}xx", "안녕xx"),
    ("안녕${PWD:+000}xx", "안녕000xx"),
    ("'안녕${XX}'", "안녕${XX}"),
    ('"안녕${PWD}"', "안녕/home"),
    ("\"안녕'$PWD'\"", "안녕'/home'"),
    ("'\"안녕\"'", '"안녕"'),
    (r"안녕\$PWD", "안녕$PWD"),
    (r'"안녕\$PWD"', "안녕$PWD"),
    (r"'안녕\$PWD'", r"안녕\$PWD"),
    ("안녕${PWD", Err("unsupported modifier (\ufffd) in substitution")),
    ("안녕${PWD:=000}xx", Err("unsupported modifier (:=) in substitution")),
    ("안녕${PWD:+${PWD}:}xx", "안녕/home:xx"),
    (r"안녕${XXX:-\$PWD:}xx", "안녕$PWD:xx"),
    (r"안녕${XXX:-\${PWD}z}xx", "안녕${PWDz}xx"),
    ("$KOREAN", "한국어"),
    ("안녕$KOREAN", "안녕한국어"),
    ("${{aaa}", Err("syntax error: bad substitution")),
    ("${aaa}}", "}"),
    ("${aaa", Err("unsupported modifier (\ufffd) in substitution")),
    ("${{aaa:-bbb}", Err("syntax error: bad substitution")),
    ("${aaa:-bbb}}", "bbb}"),
    ("${aaa:-bbb", Err("syntax error: missing '}'")),
    ("${aaa:-bbb}", "bbb"),
    ("${aaa:-${bbb:-ccc}}", "ccc"),
    ("${aaa:-bbb ${foo}", Err("syntax error: missing '}'")),
    ("${aaa:-bbb {foo}", "bbb {foo"),
    ("${:}", Err("syntax error: bad substitution")),
    ("${:-bbb}", Err("syntax error: bad substitution")),
    ("${:+bbb}", Err("syntax error: bad substitution")),
    ("$1", ""),
    ("${1}", ""),
    ("${1:+bbb}", ""),
    ("${1:-bbb}", "bbb"),
    ("$2", ""),
    ("${2}", ""),
    ("${2:+bbb}", ""),
    ("${2:-bbb}", "bbb"),
    ("$3", ""),
    ("${3}", ""),
    ("${3:+bbb}", ""),
    ("${3:-bbb}", "bbb"),
    ("$4", ""),
    ("${4}", ""),
    ("${4:+bbb}", ""),
    ("${4:-bbb}", "bbb"),
    ("$5", ""),
    ("${5}", ""),
    ("${5:+bbb}", ""),
    ("${5:-bbb}", "bbb"),
    ("$6", ""),
    ("${6}", ""),
    ("${6:+bbb}", ""),
    ("${6:-bbb}", "bbb"),
    ("$7", ""),
    ("${7}", ""),
    ("${7:+bbb}", ""),
    ("${7:-bbb}", "bbb"),
    ("$8", ""),
    ("${8}", ""),
    ("${8:+bbb}", ""),
    ("${8:-bbb}", "bbb"),
    ("$9", ""),
    ("${9}", ""),
    ("${9:+bbb}", ""),
    ("${9:-bbb}", "bbb"),
    ("$999", ""),
    ("${999}", ""),
    ("${999:+bbb}", ""),
    ("${999:-bbb}", "bbb"),
    ("$999aaa", "aaa"),
    ("${999}aaa", "aaa"),
    ("${999:+bbb}aaa", "aaa"),
    ("${999:-bbb}aaa", "bbbaaa"),
    ("$001", ""),
    ("${001}", ""),
    ("${001:+bbb}", ""),
    ("${001:-bbb}", "bbb"),
    ("$001aaa", "aaa"),
    ("${001}aaa", "aaa"),
    ("${001:+bbb}aaa", "aaa"),
    ("${001:-bbb}aaa", "bbbaaa"),
    ("$@", ""),
    ("${@}", ""),
    ("${@:+bbb}", ""),
    ("${@:-bbb}", "bbb"),
    ("$@@@", "@@"),
    ("$@aaa", "aaa"),
    ("${@}aaa", "aaa"),
    ("${@:+bbb}aaa", "aaa"),
    ("${@:-bbb}aaa", "bbbaaa"),
    ("$*", ""),
    ("${*}", ""),
    ("${*:+bbb}", ""),
    ("${*:-bbb}", "bbb"),
    ("$#", ""),
    ("${#}", ""),
    ("${#:+bbb}", ""),
    ("${#:-bbb}", "bbb"),
    ("$?", ""),
    ("${?}", ""),
    ("${?:+bbb}", ""),
    ("${?:-bbb}", "bbb"),
    ("$-", ""),
    ("${-}", ""),
    ("${-:+bbb}", ""),
    ("${-:-bbb}", "bbb"),
    ("$$", ""),
    ("${$}", ""),
    ("${$:+bbb}", ""),
    ("${$:-bbb}", "bbb"),
    ("$!", ""),
    ("${!}", ""),
    ("${!:+bbb}", ""),
    ("${!:-bbb}", "bbb"),
    ("$0", ""),
    ("${0}", ""),
    ("${0:+bbb}", ""),
    ("${0:-bbb}", "bbb"),
]


def _swap_escapes(text: str) -> str:
    return text.translate(str.maketrans("\\`", "`\\"))


def _swap_expected(expected: Expected) -> Expected:
    return expected if isinstance(expected, Err) else _swap_escapes(expected)


@pytest.mark.parametrize(("word", "expected"), ENV_VAR_TEST)
def test_env_var_test(word: str, expected: Expected) -> None:
    check_word(WordLexer(), word, ENV_VAR_ENV, expected)


@pytest.mark.parametrize(("word", "expected"), ENV_VAR_TEST)
def test_env_var_test_backtick(word: str, expected: Expected) -> None:
    check_word(WordLexer(escape="`"), _swap_escapes(word), ENV_VAR_ENV, _swap_expected(expected))


# ---------------------------------------------------------------------------
# wordsTest
# ---------------------------------------------------------------------------

WORDS_ENV_0: dict[str, str] = {}
WORDS_ENV_1 = {"hi": "hi"}
WORDS_ENV_2 = {"hi": "hi", "space": "abc  def"}
WORDS_ENV_3 = {"hi": "hi", "space": "abc  def", "leading": "  ab c"}
WORDS_ENV_4 = {"hi": "hi", "space": "abc  def", "leading": "  ab c", "trailing": "ab c   "}

WORDS_TEST: list[tuple[str, dict[str, str], ExpectedWords, ExpectedWords]] = [
    ("hello", WORDS_ENV_0, ["hello"], ["hello"]),
    ("hello${hi}bye", WORDS_ENV_0, ["hellobye"], ["hello${hi}bye"]),
    ("hello${hi}bye", WORDS_ENV_1, ["hellohibye"], ["hellohibye"]),
    ("hello${space}bye", WORDS_ENV_2, ["helloabc", "defbye"], ["helloabc", "defbye"]),
    ('hello"${space}"bye', WORDS_ENV_2, ["helloabc  defbye"], ['hello"abc  def"bye']),
    ('hello "${space}"bye', WORDS_ENV_2, ["hello", "abc  defbye"], ["hello", '"abc  def"bye']),
    ("hello${leading}def", WORDS_ENV_3, ["hello", "ab", "cdef"], ["hello", "ab", "cdef"]),
    ('hello"${leading}" def', WORDS_ENV_3, ["hello  ab c", "def"], ['hello"  ab c"', "def"]),
    ('hello"${leading}"', WORDS_ENV_3, ["hello  ab c"], ['hello"  ab c"']),
    ("hello${leading}", WORDS_ENV_3, ["hello", "ab", "c"], ["hello", "ab", "c"]),
    ("hello${trailing}", WORDS_ENV_4, ["helloab", "c"], ["helloab", "c"]),
    ("hello${trailing}d", WORDS_ENV_4, ["helloab", "c", "d"], ["helloab", "c", "d"]),
    ('hello"${trailing}"d', WORDS_ENV_4, ["helloab c   d"], ['hello"ab c   "d']),
    ('hel"lo${trailing}"', WORDS_ENV_4, ["helloab c   "], ['hel"loab c   "']),
    ('hello" there  "', WORDS_ENV_4, ["hello there  "], ['hello" there  "']),
    ("hello there", WORDS_ENV_4, ["hello", "there"], ["hello", "there"]),
    (r"hello\ there", WORDS_ENV_4, ["hello there"], ["hello there"]),
    (
        'hello" there',
        WORDS_ENV_4,
        Err("unexpected end of statement while looking for matching double-quote"),
        Err("unexpected end of statement while looking for matching double-quote"),
    ),
    (r"hello\" there", WORDS_ENV_4, ['hello"', "there"], ['hello"', "there"]),
    (r'hello"\\there"', WORDS_ENV_4, [r"hello\there"], [r'hello"\there"']),
    (r'hello"\there"', WORDS_ENV_4, [r"hello\there"], [r'hello"\there"']),
    (r"hello'\\there'", WORDS_ENV_4, [r"hello\\there"], [r"hello'\\there'"]),
    (r"hello'\there'", WORDS_ENV_4, [r"hello\there"], [r"hello'\there'"]),
    ("hello'$there'", WORDS_ENV_4, ["hello$there"], ["hello'$there'"]),
]


@pytest.mark.parametrize(("word", "env", "expected", "_raw"), WORDS_TEST)
def test_words_test(
    word: str, env: dict[str, str], expected: ExpectedWords, _raw: ExpectedWords
) -> None:
    check_words(WordLexer(), word, env, expected)


@pytest.mark.parametrize(("word", "env", "_plain", "expected"), WORDS_TEST)
def test_words_test_raw_quotes_skip_unset(
    word: str, env: dict[str, str], _plain: ExpectedWords, expected: ExpectedWords
) -> None:
    check_words(WordLexer(raw_quotes=True, skip_unset_env=True), word, env, expected)


# ---------------------------------------------------------------------------
# lex_test.go: matches and unmatched names
# ---------------------------------------------------------------------------

PROCESS_WITH_MATCHES: list[
    tuple[str, dict[str, str], Expected, set[str] | None, set[str] | None]
] = [
    ("x", {"DUMMY": "dummy"}, "x", set(), set()),
    ("x ${UNUSED}", {"DUMMY": "dummy"}, "x ", set(), {"UNUSED"}),
    ("x ${FOO}", {"FOO": "y"}, "x y", {"FOO"}, set()),
    (
        "${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}",
        {"FOO": "xxx", "BAR": ""},
        "xxx  ccc",
        {"BAR", "FOO"},
        {"BAZ"},
    ),
    (
        "${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}",
        {"FOO": "xxx", "BAR": ""},
        "xxx bbb ccc",
        {"BAR", "FOO"},
        {"BAZ"},
    ),
    ("${FOO:-}", {"FOO": "xxx", "BAR": ""}, "xxx", {"FOO"}, set()),
    ("${FOO:-}", {}, "", set(), {"FOO"}),
    (
        "${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}",
        {"FOO": "xxx", "BAR": ""},
        "aaa bbb ",
        {"BAR", "FOO"},
        {"BAZ"},
    ),
    (
        "${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}",
        {"FOO": "xxx", "BAR": ""},
        "aaa  ",
        {"BAR", "FOO"},
        {"BAZ"},
    ),
    ("${FOO?aaa}", {"FOO": "xxx", "BAR": ""}, "xxx", {"FOO"}, set()),
    ("${BAR?bbb}", {"FOO": "xxx", "BAR": ""}, "", {"BAR"}, set()),
    ("${BAZ?ccc}", {"FOO": "xxx", "BAR": ""}, Err("BAZ: ccc"), None, None),
    ("${FOO:?aaa}", {"FOO": "xxx", "BAR": ""}, "xxx", {"FOO"}, set()),
    ("${BAR:?bbb}", {"FOO": "xxx", "BAR": ""}, Err("BAR: bbb"), None, None),
    ("${BAZ:?ccc}", {"FOO": "xxx", "BAR": ""}, Err("BAZ: ccc"), None, None),
    ("${BAZ:?}", {"FOO": "xxx", "BAR": ""}, Err("BAZ: is not allowed to be unset"), None, None),
    (
        "${FOO=aaa}",
        {"FOO": "xxx", "BAR": ""},
        Err("unsupported modifier (=) in substitution"),
        None,
        None,
    ),
    (
        "${FOO=:aaa}",
        {"FOO": "xxx", "BAR": ""},
        Err("unsupported modifier (=) in substitution"),
        None,
        None,
    ),
    ("${FOO=}", {}, Err("unsupported modifier (=) in substitution"), None, None),
    (r"${FOO#()[]{\}^$.\*\?|\\}", {"FOO": r"()[]{}^$.*?|\x"}, "x", {"FOO"}, set()),
    (r"${FOO%%\**}", {"FOO": "xx**"}, "xx", {"FOO"}, set()),
    ("${FOO#*x*y}", {"FOO": "xxyy"}, "y", {"FOO"}, set()),
    ("${FOO#*}", {"FOO": "xxyy"}, "xxyy", {"FOO"}, set()),
    ("${FOO#$BAR}", {"FOO": "xxyy", "BAR": "x"}, "xyy", {"BAR", "FOO"}, set()),
    ("${FOO#$BAR}", {"FOO": "xxyy", "BAR": ""}, "xxyy", {"BAR", "FOO"}, set()),
    ("${FOO#}", {"FOO": "xxyy"}, "xxyy", {"FOO"}, set()),
    ("${FOO##*x}", {"FOO": "xxyy"}, "yy", {"FOO"}, set()),
    ("${FOO##}", {"FOO": "xxyy"}, "xxyy", {"FOO"}, set()),
    (r"${FOO#?\?}", {"FOO": "???y"}, "?y", {"FOO"}, set()),
    ("${ABC:-.}${FOO%x}${ABC:-.}", {"FOO": "xxyy"}, ".xxyy.", {"FOO"}, {"ABC"}),
    (r"${FOO%%\**\*}", {"FOO": "a***yy*"}, "a", {"FOO"}, set()),
    ("${FOO%}", {"FOO": "xxyy"}, "xxyy", {"FOO"}, set()),
    ("${FOO%%$BAR}", {"FOO": "xxyy", "BAR": ""}, "xxyy", {"BAR", "FOO"}, set()),
    ("${FOO:#}", {}, Err("unsupported modifier (:#) in substitution"), None, None),
    ("${FOO:##}", {}, Err("unsupported modifier (:#) in substitution"), None, None),
    ("${FOO:%}", {}, Err("unsupported modifier (:%) in substitution"), None, None),
    ("${FOO:%%}", {}, Err("unsupported modifier (:%) in substitution"), None, None),
    (
        "${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}",
        {"FOO": "/foo*/*/*.txt", "NEEDLE": r"\*/"},
        "/foo.*/*.txt - /foo..*.txt",
        {"FOO", "NEEDLE"},
        set(),
    ),
    (
        "${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}",
        {"FOO": "/tmp/tmp/bar.txt", "NEEDLE": "/tmp"},
        "/tmp/bar.txt - /bar.txt",
        {"FOO", "NEEDLE"},
        set(),
    ),
    (
        "${FOO/$NEEDLE/$REPLACEMENT} - ${FOO//$NEEDLE/$REPLACEMENT}",
        {"FOO": "/a/foo/b/c.txt", "NEEDLE": "/?/", "REPLACEMENT": "/"},
        "/foo/b/c.txt - /foo/c.txt",
        {"FOO", "NEEDLE", "REPLACEMENT"},
        set(),
    ),
    (
        "${FOO/$NEEDLE/$REPLACEMENT}",
        {"FOO": "http://google.de", "NEEDLE": "http://", "REPLACEMENT": "https://"},
        "https://google.de",
        {"FOO", "NEEDLE", "REPLACEMENT"},
        set(),
    ),
    (r"${FOO//\//\/}", {"FOO": "/tmp/foo.txt"}, r"\/tmp\/foo.txt", {"FOO"}, set()),
    ("${FOO/$BAR/ww}", {"FOO": "xxyy", "BAR": ""}, "wwxxyy", {"BAR", "FOO"}, set()),
    ("${FOO//ww}", {"FOO": "xxyy"}, Err("syntax error: missing '/' in ${}"), None, None),
    ("${FOO//}", {"FOO": "xxyy"}, Err("syntax error: missing '/' in ${}"), None, None),
    ("${FOO///}", {"FOO": "xxyy"}, "xxyy", {"FOO"}, set()),
    ("${FOO///}", {}, "", set(), {"FOO"}),
    (
        "something-${VERSION}.${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-${TARGETVARIANT}}.tar.gz",
        {"VERSION": "v1.2.3", "TARGETOS": "linux", "TARGETARCH": "arm", "TARGETVARIANT": "v7"},
        "something-v1.2.3.linux-arm-v7.tar.gz",
        {"TARGETARCH", "TARGETOS", "TARGETVARIANT", "VERSION"},
        set(),
    ),
    (
        "something-${VERSION}.${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-${TARGETVARIANT}}.tar.gz",
        {"VERSION": "v1.2.3", "TARGETOS": "linux", "TARGETARCH": "arm64", "TARGETVARIANT": ""},
        "something-v1.2.3.linux-arm64.tar.gz",
        {"TARGETARCH", "TARGETOS", "TARGETVARIANT", "VERSION"},
        set(),
    ),
    (
        "something-${VERSION}.${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-${TARGETVARIANT}}.tar.gz",
        {"VERSION": "v1.2.3", "TARGETOS": "linux", "TARGETARCH": "arm64"},
        "something-v1.2.3.linux-arm64.tar.gz",
        {"TARGETARCH", "TARGETOS", "VERSION"},
        {"TARGETVARIANT"},
    ),
    ("${VAR:?message here$ARG}", {"VAR": "plain", "ARG": "x"}, "plain", {"ARG", "VAR"}, set()),
    ("${VAR:?message here$ARG}", {"VAR": "", "ARG": "x"}, Err("VAR: message herex"), None, None),
    ("${VAR:?message here$ARG}", {"ARG": "x"}, Err("VAR: message herex"), None, None),
    ("${VAR?message here$ARG}", {"VAR": "plain", "ARG": "x"}, "plain", {"ARG", "VAR"}, set()),
    ("${VAR?message here$ARG}", {"VAR": "", "ARG": "x"}, "", {"ARG", "VAR"}, set()),
    ("${VAR?message here$ARG}", {"ARG": "x"}, Err("VAR: message herex"), None, None),
]


@pytest.mark.parametrize(("word", "env", "expected", "matched", "unmatched"), PROCESS_WITH_MATCHES)
def test_process_word_with_matches(
    word: str,
    env: dict[str, str],
    expected: Expected,
    matched: set[str] | None,
    unmatched: set[str] | None,
) -> None:
    lexer = WordLexer()
    if isinstance(expected, Err):
        with pytest.raises(ExpansionError) as info:
            lexer.process_word_with_matches(word, env)
        assert info.value.reason == expected.reason
        return
    assert matched is not None
    assert unmatched is not None
    result = lexer.process_word_with_matches(word, env)
    assert result == (expected, frozenset(matched), frozenset(unmatched))


@pytest.mark.parametrize(
    ("word", "env", "matched", "unmatched"),
    [
        ("$@ ${1} $x ${y:-$z}", {"x": "1", "z": ""}, {"x", "z"}, {"@", "1", "y"}),
        ("'$x' \\$y", {"x": "1"}, set(), set()),
        ("${x#$y} ${x/$z/$w}", {"x": "1", "w": ""}, {"x", "w"}, {"y", "z"}),
    ],
)
def test_matches_record_every_lookup(
    word: str, env: dict[str, str], matched: set[str], unmatched: set[str]
) -> None:
    _, got_matched, got_unmatched = WordLexer().process_word_with_matches(word, env)
    assert (got_matched, got_unmatched) == (frozenset(matched), frozenset(unmatched))
    assert isinstance(got_matched, frozenset)
    assert isinstance(got_unmatched, frozenset)


# ---------------------------------------------------------------------------
# Options, heredocs and quirks
# ---------------------------------------------------------------------------

PLAIN = WordLexer()
BACKTICK = WordLexer(escape="`")
RAW_QUOTES = WordLexer(raw_quotes=True)
RAW_ESCAPES = WordLexer(raw_escapes=True)
RAW_BOTH = WordLexer(raw_quotes=True, raw_escapes=True)
SKIP_UNSET = WordLexer(skip_unset_env=True)
NO_QUOTES = WordLexer(skip_process_quotes=True)
#: BuildKit's parser, finding the heredocs on an instruction line.
HEREDOC_LINE = WordLexer(raw_quotes=True, raw_escapes=True, skip_unset_env=True)
#: BuildKit's parser, reading a heredoc's name without and with its quotes.
HEREDOC_WORD = WordLexer(skip_unset_env=True)
#: Also BuildKit's lexer for the display name of RUN steps.
HEREDOC_WORD_RAW = WordLexer(skip_unset_env=True, raw_quotes=True)

LEXER_NAMES = {
    PLAIN: "plain",
    BACKTICK: "backtick",
    RAW_QUOTES: "raw_quotes",
    RAW_ESCAPES: "raw_escapes",
    RAW_BOTH: "raw_both",
    SKIP_UNSET: "skip_unset",
    NO_QUOTES: "no_quotes",
    HEREDOC_LINE: "heredoc_line",
    HEREDOC_WORD: "heredoc_word",
    HEREDOC_WORD_RAW: "heredoc_word_raw",
}

ENV = {"x": "val", "sp": "a b", "empty": ""}

Row = tuple[WordLexer, str, dict[str, str], Expected, ExpectedWords]

OPTION_ROWS: list[Row] = [
    # raw quotes
    (RAW_QUOTES, "'a b'\"c d\"", ENV, "'a b'\"c d\"", ["'a b'\"c d\""]),
    (RAW_QUOTES, '"it\'s $x"', ENV, '"it\'s val"', ['"it\'s val"']),
    (RAW_QUOTES, "'$x' \"$x\"", ENV, "'$x' \"val\"", ["'$x'", '"val"']),
    (RAW_QUOTES, '""', ENV, '""', ['""']),
    (RAW_QUOTES, r"a\'b", ENV, "a'b", ["a'b"]),
    (
        RAW_QUOTES,
        "'unterminated",
        ENV,
        Err("unexpected end of statement while looking for matching single-quote"),
        Err("unexpected end of statement while looking for matching single-quote"),
    ),
    # raw escapes
    (RAW_ESCAPES, r"a\ b", ENV, r"a\ b", [r"a\ b"]),
    (RAW_ESCAPES, r"a\$x", ENV, r"a\$x", [r"a\$x"]),
    (RAW_ESCAPES, r'"a\"b"', ENV, r"a\"b", [r"a\"b"]),
    (RAW_ESCAPES, r'"a\tb"', ENV, r"a\\tb", [r"a\\tb"]),
    (RAW_ESCAPES, r'"a\\b"', ENV, r"a\\b", [r"a\\b"]),
    (RAW_ESCAPES, r'"\$x"', ENV, r"\$x", [r"\$x"]),
    (RAW_ESCAPES, "a\\", ENV, "a\\", ["a\\"]),
    (
        RAW_ESCAPES,
        '"a\\',
        ENV,
        Err("unexpected end of statement while looking for matching double-quote"),
        Err("unexpected end of statement while looking for matching double-quote"),
    ),
    (RAW_ESCAPES, r"${empty:-a\ b}", ENV, "a b", ["a", "b"]),
    (RAW_ESCAPES, r"'a\b'", ENV, r"a\b", [r"a\b"]),
    (RAW_BOTH, '"a\\"b" \'c\\d\'', ENV, '"a\\"b" \'c\\d\'', [r'"a\"b"', r"'c\d'"]),
    (
        PLAIN,
        '"a\\',
        ENV,
        Err("unexpected end of statement while looking for matching double-quote"),
        Err("unexpected end of statement while looking for matching double-quote"),
    ),
    (PLAIN, r"a\ \ b", ENV, "a  b", ["a  b"]),
    # backtick escape
    (BACKTICK, r"C:\path\to", ENV, r"C:\path\to", [r"C:\path\to"]),
    (BACKTICK, "a` b", ENV, "a b", ["a b"]),
    (BACKTICK, "`$x", ENV, "$x", ["$x"]),
    (BACKTICK, r'"C:\dir\$x"', ENV, r"C:\dir\val", [r"C:\dir\val"]),
    (BACKTICK, '"a`"b"', ENV, 'a"b', ['a"b']),
    (BACKTICK, '"a``b"', ENV, "a`b", ["a`b"]),
    (BACKTICK, '"a`b"', ENV, "a`b", ["a`b"]),
    (BACKTICK, "a``", ENV, "a`", ["a`"]),
    (BACKTICK, "a`", ENV, "a", ["a"]),
    (BACKTICK, r"${FOO#\*}", {"FOO": "*a"}, "a", ["a"]),
    (BACKTICK, "${FOO%`}}", {"FOO": "a}"}, "a}", ["a}"]),
    # skip unset env
    (SKIP_UNSET, "$nope ${nope} $x", ENV, "$nope ${nope} val", ["$nope", "${nope}", "val"]),
    (SKIP_UNSET, "$1 $@ ${#}", ENV, "$1 $@ ${#}", ["$1", "$@", "${#}"]),
    (SKIP_UNSET, "${nope:-a b} ${x:-a b}", ENV, "${nope:-a b} val", ["${nope:-a", "b}", "val"]),
    (
        SKIP_UNSET,
        "${nope-$x} ${nope+y} ${nope:+y}",
        ENV,
        "${nope-val} ${nope+y} ${nope:+y}",
        ["${nope-val}", "${nope+y}", "${nope:+y}"],
    ),
    (
        SKIP_UNSET,
        "${nope?oops} ${nope:?}",
        ENV,
        "${nope?oops} ${nope:?}",
        ["${nope?oops}", "${nope:?}"],
    ),
    (
        SKIP_UNSET,
        r"${nope#a*} ${nope##\*}",
        ENV,
        r"${nope#a*} ${nope##\*}",
        ["${nope#a*}", r"${nope##\*}"],
    ),
    (SKIP_UNSET, "${nope%a} ${nope%%a}", ENV, "${nope%a} ${nope%%a}", ["${nope%a}", "${nope%%a}"]),
    (
        SKIP_UNSET,
        "${nope/a/b} ${nope//a/b}",
        ENV,
        "${nope/a/b} ${nope/a/b}",
        ["${nope/a/b}", "${nope/a/b}"],
    ),
    (
        SKIP_UNSET,
        "${nope:x} ${nope:}",
        ENV,
        Err("syntax error: missing '}'"),
        Err("syntax error: missing '}'"),
    ),
    (
        SKIP_UNSET,
        "${nope:#a}",
        ENV,
        Err("unsupported modifier (:#) in substitution"),
        Err("unsupported modifier (:#) in substitution"),
    ),
    (
        SKIP_UNSET,
        "${nope=a}",
        ENV,
        Err("unsupported modifier (=) in substitution"),
        Err("unsupported modifier (=) in substitution"),
    ),
    (SKIP_UNSET, "${x?oops}", ENV, "val", ["val"]),
    (SKIP_UNSET, "${nope:-'q q'}", ENV, "${nope:-q q}", ["${nope:-q", "q}"]),
    (
        SKIP_UNSET,
        "${empty:?}",
        ENV,
        Err("empty: is not allowed to be empty"),
        Err("empty: is not allowed to be empty"),
    ),
    # skip process quotes
    (NO_QUOTES, "'$x'", ENV, "'val'", ["'val'"]),
    (NO_QUOTES, '"a b"', ENV, '"a b"', ['"a', 'b"']),
    (NO_QUOTES, r"\'a", ENV, "'a", ["'a"]),
    (NO_QUOTES, "'unterminated", ENV, "'unterminated", ["'unterminated"]),
    (NO_QUOTES, "${nope:-'a b'}", ENV, "'a b'", ["'a", "b'"]),
    # BuildKit's lexer for RUN display names
    (
        HEREDOC_WORD_RAW,
        "echo \"$x\" '$nope' $nope",
        ENV,
        "echo \"val\" '$nope' $nope",
        ["echo", '"val"', "'$nope'", "$nope"],
    ),
    # heredoc lines: as BuildKit's parser looks for heredocs on an instruction line
    (HEREDOC_LINE, "RUN <<EOF", {}, "RUN <<EOF", ["RUN", "<<EOF"]),
    (HEREDOC_LINE, "RUN <<-EOF", {}, "RUN <<-EOF", ["RUN", "<<-EOF"]),
    (HEREDOC_LINE, "RUN <<- EOF", {}, "RUN <<- EOF", ["RUN", "<<-", "EOF"]),
    (HEREDOC_LINE, "RUN << -EOF", {}, "RUN << -EOF", ["RUN", "<< -EOF"]),
    (HEREDOC_LINE, "RUN << EOF", {}, "RUN << EOF", ["RUN", "<< EOF"]),
    (HEREDOC_LINE, "RUN <<  \t EOF", {}, "RUN <<  \t EOF", ["RUN", "<<  \t EOF"]),
    (HEREDOC_LINE, "RUN <<'EOF'", {}, "RUN <<'EOF'", ["RUN", "<<'EOF'"]),
    (HEREDOC_LINE, 'RUN << "EOF"', {}, 'RUN << "EOF"', ["RUN", '<< "EOF"']),
    (HEREDOC_LINE, "RUN 4<<EOF", {}, "RUN 4<<EOF", ["RUN", "4<<EOF"]),
    (HEREDOC_LINE, "RUN <<EOF <<EOF2", {}, "RUN <<EOF <<EOF2", ["RUN", "<<EOF", "<<EOF2"]),
    (HEREDOC_LINE, "RUN '<<EOF'", {}, "RUN '<<EOF'", ["RUN", "'<<EOF'"]),
    (HEREDOC_LINE, 'RUN "<<EOF"', {}, 'RUN "<<EOF"', ["RUN", '"<<EOF"']),
    (
        HEREDOC_LINE,
        "RUN cat <<EOF > $file",
        {},
        "RUN cat <<EOF > $file",
        ["RUN", "cat", "<<EOF", ">", "$file"],
    ),
    (HEREDOC_LINE, "RUN cat<<EOF", {}, "RUN cat<<EOF", ["RUN", "cat<<EOF"]),
    (HEREDOC_LINE, "RUN a<b <<<c", {}, "RUN a<b <<<c", ["RUN", "a<b", "<<<c"]),
    (
        HEREDOC_LINE,
        "COPY <<EOF <<EOF2 /dest/",
        {},
        "COPY <<EOF <<EOF2 /dest/",
        ["COPY", "<<EOF", "<<EOF2", "/dest/"],
    ),
    (
        HEREDOC_LINE,
        r'RUN echo "a\tb" <<EOF',
        {},
        r'RUN echo "a\\tb" <<EOF',
        ["RUN", "echo", r'"a\\tb"', "<<EOF"],
    ),
    (
        HEREDOC_LINE,
        "RUN ${cmd:-cat} <<EOF",
        {},
        "RUN ${cmd:-cat} <<EOF",
        ["RUN", "${cmd:-cat}", "<<EOF"],
    ),
    (
        HEREDOC_LINE,
        "RUN x${cmd:-cat}<<EOF",
        {},
        "RUN x${cmd:-cat}<<EOF",
        ["RUN", "${cmd:-cat}<<EOF"],
    ),
    (
        HEREDOC_LINE,
        "RUN 'unterminated <<EOF",
        {},
        Err("unexpected end of statement while looking for matching single-quote"),
        Err("unexpected end of statement while looking for matching single-quote"),
    ),
    (HEREDOC_LINE, "RUN <<\\\nEOF", {}, "RUN <<\\\nEOF", ["RUN", "<<\\\nEOF"]),
    # heredoc words (the part after "<<" / "<<-"), lexed with and without quotes
    (HEREDOC_WORD, "EOF", {}, "EOF", ["EOF"]),
    (HEREDOC_WORD_RAW, "EOF", {}, "EOF", ["EOF"]),
    (HEREDOC_WORD, "'EOF'", {}, "EOF", ["EOF"]),
    (HEREDOC_WORD_RAW, "'EOF'", {}, "'EOF'", ["'EOF'"]),
    (HEREDOC_WORD, '"EOF"', {}, "EOF", ["EOF"]),
    (HEREDOC_WORD_RAW, '"EOF"', {}, '"EOF"', ['"EOF"']),
    (HEREDOC_WORD, 'EO"F"', {}, "EOF", ["EOF"]),
    (HEREDOC_WORD_RAW, 'EO"F"', {}, 'EO"F"', ['EO"F"']),
    (
        HEREDOC_WORD,
        "'EOF",
        {},
        Err("unexpected end of statement while looking for matching single-quote"),
        Err("unexpected end of statement while looking for matching single-quote"),
    ),
    (
        HEREDOC_WORD,
        '"EOF',
        {},
        Err("unexpected end of statement while looking for matching double-quote"),
        Err("unexpected end of statement while looking for matching double-quote"),
    ),
    (
        HEREDOC_WORD,
        "EOF'",
        {},
        Err("unexpected end of statement while looking for matching single-quote"),
        Err("unexpected end of statement while looking for matching single-quote"),
    ),
    (
        HEREDOC_WORD,
        'EOF"',
        {},
        Err("unexpected end of statement while looking for matching double-quote"),
        Err("unexpected end of statement while looking for matching double-quote"),
    ),
    (HEREDOC_WORD, "EOF sh", {}, "EOF sh", ["EOF", "sh"]),
    (HEREDOC_WORD, "$EOF", {}, "$EOF", ["$EOF"]),
    (HEREDOC_WORD_RAW, r"E\OF", {}, "EOF", ["EOF"]),
]

QUIRK_ROWS: list[Row] = [
    (SKIP_UNSET, "${nope:x}", ENV, "${nope:x}", ["${nope:x}"]),
    # the words buffer shared with nested ${...}
    (PLAIN, "hello${nope:-foo}bye", ENV, "hellofoobye", ["foobye"]),
    (PLAIN, "hello ${nope:-foo}bye", ENV, "hello foobye", ["hello", "foobye"]),
    (PLAIN, "hello${x}bye", ENV, "hellovalbye", ["hellovalbye"]),
    (PLAIN, 'a"${nope:-b}"c', ENV, "abc", ["bc"]),
    (PLAIN, 'a"${x}"c', ENV, "avalc", ["avalc"]),
    (PLAIN, "a b${nope:-c d}e", ENV, "a bc de", ["a", "c", "de"]),
    # replace: $ in the replacement
    (PLAIN, "${a//o/$R}", {"a": "foo", "R": "[$0]"}, "f[o][o]", ["f[o][o]"]),
    (PLAIN, "${a/o/$R}", {"a": "foo", "R": "[$0]"}, "f[$0]o", ["f[$0]o"]),
    (PLAIN, "${a//o/$R}", {"a": "foo", "R": "${0}$$"}, "fo$o$", ["fo$o$"]),
    (PLAIN, "${a//o/$R}", {"a": "foo", "R": "$1$00$x${0$"}, "f${0$${0$", ["f${0$${0$"]),
    (PLAIN, r"${a//o/\$0}", {"a": "foo"}, r"f\o\o", [r"f\o\o"]),
    # replace-all and empty matches
    (PLAIN, "${a//*/r}", {"a": "ab"}, "r", ["r"]),
    (PLAIN, "${a//$e/-}", {"a": "ab", "e": ""}, "-a-b-", ["-a-b-"]),
    (PLAIN, "${a//?/-}", {"a": "a\nb"}, "-\n-", ["-", "-"]),
    (PLAIN, "${a/b*/-}", {"a": "abcb"}, "a-", ["a-"]),
    # patterns do not cross newlines
    (PLAIN, "${a##*}", {"a": "x\ny"}, "\ny", ["y"]),
    (PLAIN, "${a%%*}", {"a": "x\ny"}, "x\n", ["x"]),
    (PLAIN, "${a#*y}", {"a": "x\ny"}, "x\ny", ["x", "y"]),
    # shortest / longest, and the reverse trick for suffixes
    (PLAIN, "${a#*/}", {"a": "/usr/local/bin"}, "usr/local/bin", ["usr/local/bin"]),
    (PLAIN, "${a##*/}", {"a": "/usr/local/bin"}, "bin", ["bin"]),
    (PLAIN, "${a%/*}", {"a": "/usr/local/bin"}, "/usr/local", ["/usr/local"]),
    (PLAIN, "${a%%/*}", {"a": "usr/local/bin"}, "usr", ["usr"]),
    (PLAIN, "${a%.tar.*}", {"a": "x.tar.gz"}, "x", ["x"]),
    (PLAIN, r"${a%%\**}", {"a": "👽*🚀*🖖"}, "👽", ["👽"]),
    (PLAIN, "${a%🖖}", {"a": "👽🚀🖖"}, "👽🚀", ["👽🚀"]),
    (PLAIN, "${a%?}", {"a": "👽🚀🖖"}, "👽🚀", ["👽🚀"]),
    (PLAIN, "${a%[b]}", {"a": "a[b]"}, "a", ["a"]),
    # the "##" / "%%" marker is looked for after expansion
    (PLAIN, "${a#$p}", {"a": "abab", "p": "#*b"}, "", []),
    (PLAIN, "${a#$p}", {"a": "abab", "p": "*b"}, "ab", ["ab"]),
    (PLAIN, "${a#'#'*b}", {"a": "abab"}, "", []),
    # pattern escapes
    (
        PLAIN,
        r"${a#\#}",
        {"a": "#x"},
        Err(r"invalid pattern (\#) in substitution: invalid escape '\#'"),
        Err(r"invalid pattern (\#) in substitution: invalid escape '\#'"),
    ),
    (
        PLAIN,
        r"${a%x\}",
        {"a": "x"},
        Err("syntax error: missing '}'"),
        Err("syntax error: missing '}'"),
    ),
    (PLAIN, r"${a%\}x}", {"a": "a}x"}, "a", ["a"]),
    (PLAIN, r"${a#\/}", {"a": "/x"}, "x", ["x"]),
    (PLAIN, r"${a#\\}", {"a": r"\x"}, "x", ["x"]),
    (PLAIN, r'${a#"\*"}', {"a": r"\x"}, "x", ["x"]),
    (
        PLAIN,
        r"${a#\x}",
        {"a": "x"},
        Err(r"invalid pattern (\x) in substitution: invalid escape '\x'"),
        Err(r"invalid pattern (\x) in substitution: invalid escape '\x'"),
    ),
    (
        PLAIN,
        r"${a/\x/y}",
        {"a": "x"},
        Err(r"invalid pattern (\x) in substitution: invalid escape '\x'"),
        Err(r"invalid pattern (\x) in substitution: invalid escape '\x'"),
    ),
    (
        PLAIN,
        r"${a%ab\x}",
        {"a": "x"},
        Err(r"invalid pattern (\xba) in substitution: invalid escape '\x'"),
        Err(r"invalid pattern (\xba) in substitution: invalid escape '\x'"),
    ),
    # operators and errors
    (
        PLAIN,
        "${a",
        ENV,
        Err("unsupported modifier (\ufffd) in substitution"),
        Err("unsupported modifier (\ufffd) in substitution"),
    ),
    (PLAIN, "${a:", ENV, Err("syntax error: missing '}'"), Err("syntax error: missing '}'")),
    (PLAIN, "${a:}", ENV, Err("syntax error: missing '}'"), Err("syntax error: missing '}'")),
    (
        PLAIN,
        "${a:}b}",
        {"a": "x"},
        Err("unsupported modifier (:}) in substitution"),
        Err("unsupported modifier (:}) in substitution"),
    ),
    (
        PLAIN,
        "${a:/x/y}",
        ENV,
        Err("unsupported modifier (:/) in substitution"),
        Err("unsupported modifier (:/) in substitution"),
    ),
    (
        PLAIN,
        "${a/x",
        ENV,
        Err("syntax error: missing '/' in ${}"),
        Err("syntax error: missing '/' in ${}"),
    ),
    (PLAIN, "${a/x/y", ENV, Err("syntax error: missing '}'"), Err("syntax error: missing '}'")),
    (PLAIN, "${", ENV, Err("syntax error: missing '}'"), Err("syntax error: missing '}'")),
    (PLAIN, "$", ENV, "$", ["$"]),
    (PLAIN, "$ x", ENV, "$ x", ["$", "x"]),
    (
        PLAIN,
        "${#x}",
        ENV,
        Err("unsupported modifier (x) in substitution"),
        Err("unsupported modifier (x) in substitution"),
    ),
    (PLAIN, "${x?$x'!'}", {}, Err("x: !"), Err("x: !")),
    (PLAIN, "${a:-${b?boom}}", ENV, Err("b: boom"), Err("b: boom")),
    (PLAIN, "${a:-'x}", ENV, Err("syntax error: missing '}'"), Err("syntax error: missing '}'")),
    (PLAIN, "${a:-${b:-", ENV, Err("syntax error: missing '}'"), Err("syntax error: missing '}'")),
    (PLAIN, "a\tb\nc", ENV, "a\tb\nc", ["a", "b", "c"]),
    # names
    (PLAIN, "$x_1-$x", {"x": "v", "x_1": "w"}, "w-v", ["w-v"]),
    (PLAIN, "$é${é}", {"é": "e"}, "ee", ["ee"]),
    (PLAIN, "$١x", ENV, "x", ["x"]),
    (PLAIN, "$x١", {"x١": "v"}, "v", ["v"]),
    (PLAIN, "$00x$0x", ENV, "xx", ["xx"]),
    (PLAIN, "$@x$*$#$?$-$$$!", ENV, "x", ["x"]),
    (
        PLAIN,
        "${@}${*}${#}${?}${-}${$}${!}${0}",
        {"@": "1", "*": "2", "#": "3", "?": "4", "-": "5", "$": "6", "!": "7", "0": "8"},
        "12345678",
        ["12345678"],
    ),
    (PLAIN, "$X$x", {"X": "up"}, "up", ["up"]),
    # whitespace is Go's unicode.IsSpace
    (
        PLAIN,
        "$w",
        {"w": "a\u2028b\xa0c\x85d\u3000e"},
        "a\u2028b\xa0c\x85d\u3000e",
        ["a", "b", "c", "d", "e"],
    ),
    (
        PLAIN,
        "$w",
        {"w": "a\x1cb\x1fc\u180ed\u200be"},
        "a\x1cb\x1fc\u180ed\u200be",
        ["a\x1cb\x1fc\u180ed\u200be"],
    ),
    (PLAIN, "$w", {"w": " \t\n\x0b\x0c\r "}, " \t\n\x0b\x0c\r ", []),
    (PLAIN, "a\u2003b \u2003", ENV, "a\u2003b \u2003", ["a", "b"]),
    # a byte-order mark only counts at the very start
    (PLAIN, "\ufeff$x", ENV, "val", ["val"]),
    (PLAIN, "$x\ufeff", ENV, "val\ufeff", ["val\ufeff"]),
    (PLAIN, "${a#\ufeffa}", {"a": "ab"}, "b", ["b"]),
    # escape before whitespace and at the end
    (PLAIN, r"$w\ x", {"w": "a b"}, "a b x", ["a", "b x"]),
    (PLAIN, "'a'\\", ENV, "a", ["a"]),
    (PLAIN, "\\\\\\", ENV, "\\", ["\\"]),
    # heredoc operator outside words
    (PLAIN, "a << b", ENV, "a << b", ["a", "<< b"]),
    (PLAIN, "a <<", ENV, "a <<", ["a", "<<"]),
    (PLAIN, "a<<\t\r\nb", ENV, "a<<\t\r\nb", ["a<<\t\r", "b"]),
    (PLAIN, "${nope:-<< x}", ENV, "<< x", ["<<", "x"]),
    (PLAIN, '"<< x"', ENV, "<< x", ["<< x"]),
    (PLAIN, r"<\< x", ENV, "<< x", ["<<", "x"]),
    # error messages quote the input like Go's %q
    (
        PLAIN,
        'a\n\t"\\\x01\x7f\x85\u200b${',
        ENV,
        Err("syntax error: missing '}'"),
        Err("syntax error: missing '}'"),
    ),
]


def _row_id(row: Row) -> str:
    return f"{LEXER_NAMES[row[0]]}:{row[1]!r}"


@pytest.mark.parametrize(
    ("lexer", "word", "env", "expected", "expected_words"),
    OPTION_ROWS + QUIRK_ROWS,
    ids=[_row_id(row) for row in OPTION_ROWS + QUIRK_ROWS],
)
def test_lexer_options_and_quirks(
    lexer: WordLexer,
    word: str,
    env: dict[str, str],
    expected: Expected,
    expected_words: ExpectedWords,
) -> None:
    check_word(lexer, word, env, expected)
    check_words(lexer, word, env, expected_words)


@pytest.mark.parametrize(
    ("word", "message"),
    [
        ("${", "failed to process \"${\": syntax error: missing '}'"),
        (
            "a'b",
            'failed to process "a\'b": unexpected end of statement while looking for '
            "matching single-quote",
        ),
        (
            'a\n\t"\\\x01\x7f\x85\u200b\U000e0001é${',
            'failed to process "a\\n\\t\\"\\\\\\x01\\x7f\\u0085\\u200b\\U000e0001é${": '
            "syntax error: missing '}'",
        ),
        ("${x?}", 'failed to process "${x?}": x: is not allowed to be unset'),
    ],
)
def test_error_message_quotes_the_word_like_go(word: str, message: str) -> None:
    with pytest.raises(ExpansionError) as info:
        PLAIN.process_word(word, {})
    assert str(info.value) == message


@pytest.mark.parametrize("escape", ["", "ab", "\\\\"])
def test_escape_must_be_one_character(escape: str) -> None:
    with pytest.raises(ValueError, match="single character"):
        WordLexer(escape=escape)


# ---------------------------------------------------------------------------
# Deep nesting and hostile patterns
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("${a:-" * 500 + "x" + "}" * 500, "x"),
        ('"${a:-' * 500 + "x" + '}"' * 500, "x"),
        ("${a:-" * 20000 + "x" + "}" * 20000, "x"),
        ("${a:-" * 500 + "x", Err("syntax error: missing '}'")),
        ('"${a:-' * 500 + "x", Err("syntax error: missing '}'")),
        ("${a//" * 500 + "x", Err("syntax error: missing '/' in ${}")),
        ("${a:-" * 500 + "${b?deep}" + "}" * 500, Err("b: deep")),
    ],
    ids=["500", "500-quoted", "20000", "500-open", "500-open-quoted", "500-slash", "500-error"],
)
def test_deep_nesting(word: str, expected: Expected) -> None:
    check_word(PLAIN, word, {}, expected)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("${X#" + "*a" * 20 + "c}", "a" * 3000),
        ("${X##" + "*a" * 20 + "c}", "a" * 3000),
        ("${X%" + "a*" * 20 + "c}", "a" * 3000),
        ("${X//" + "*a" * 20 + "c/-}", "a" * 3000),
        ("${X%%" + "a*" * 20 + "}", ""),
    ],
)
def test_patterns_take_linear_time(word: str, expected: str) -> None:
    # A backtracking regex engine needs on the order of len(X) ** 20 steps here.
    assert PLAIN.process_word(word, {"X": "a" * 3000}) == expected


# ---------------------------------------------------------------------------
# Shell patterns
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "greedy", "anchored", "regex"),
    [
        # from TestConvertShellPatternToRegex
        ("*", True, True, "^.*"),
        ("?", True, True, "^."),
        ("\\*", True, True, "^\\*"),
        (
            "(()[]{\\}^$.\\*\\?|\\\\",
            True,
            True,
            "^\\(\\(\\)\\[\\]\\{\\}\\^\\$\\.\\*\\?\\|\\\\",
        ),
        # ours
        ("a*b", False, True, "^a.*?b"),
        ("a*b", True, False, "a.*b"),
        ("\\/x+", True, False, "/x\\+"),
        ("é#~ -", True, False, "é#~ -"),
        ("\ufeff*", True, False, ".*"),
        ("", False, True, "^"),
    ],
)
def test_shell_pattern_regex(pattern: str, greedy: bool, anchored: bool, regex: str) -> None:
    assert ShellPattern.compile(pattern, greedy=greedy, anchored=anchored).regex == regex


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("\\", "invalid escape '\\\ufffd'"),
        ("\\x", "invalid escape '\\x'"),
        ("\\\\\\", "invalid escape '\\\ufffd'"),
        ("a\\b", "invalid escape '\\b'"),
    ],
)
def test_shell_pattern_invalid_escapes(pattern: str, reason: str) -> None:
    with pytest.raises(LexError) as info:
        ShellPattern.compile(pattern, greedy=True, anchored=True)
    assert info.value.reason == reason


@pytest.mark.parametrize(
    ("pattern", "reversed_pattern"),
    [
        # from TestReversePattern
        ("a\\*c", "c\\*a"),
        ("\\\\\\ab", "b\\a\\\\"),
        ("ab\\", "\\ba"),
        ("👽\\🚀🖖", "🖖\\🚀👽"),
        ("\\\\b", "b\\\\"),
        # ours
        ("", ""),
        ("\\", "\\"),
    ],
)
def test_reverse_pattern(pattern: str, reversed_pattern: str) -> None:
    assert reverse_pattern(pattern) == reversed_pattern


@given(
    pattern=st.text(alphabet="ab*?.\n[\\", max_size=6),
    text=st.text(alphabet="ab\n.*?[", max_size=10),
    greedy=st.booleans(),
    anchored=st.booleans(),
    pos=st.integers(min_value=0, max_value=10),
)
def test_shell_pattern_search_agrees_with_re(
    pattern: str, text: str, greedy: bool, anchored: bool, pos: int
) -> None:
    # On inputs this small a backtracking engine is fine, and Python's re has
    # the same leftmost-first semantics as Go's regexp for these expressions.
    try:
        compiled = ShellPattern.compile(pattern, greedy=greedy, anchored=anchored)
    except LexError:
        return
    pos = min(pos, len(text))
    found = re.compile(compiled.regex).search(text, pos)
    assert compiled.search(text, pos) == (found.span() if found else None)


# A value substituted unquoted is split into words at Go's whitespace. add_string does it a
# run of characters at a time; it must split exactly as adding one character at a time does.
_SPACES_AND_WORDS = st.text(
    st.sampled_from(sorted(go_text.GO_SPACE)) | st.sampled_from(list("ab\x1c\u200b$ ")),
    max_size=40,
)


@given(prefix=st.sampled_from(["", "x", " "]), text=_SPACES_AND_WORDS)
def test_add_string_splits_as_add_char_does(prefix: str, text: str) -> None:
    bulk, single = expansion._Words([]), expansion._Words([])
    for words in (bulk, single):
        for ch in prefix:
            words.add_char(ch)
    bulk.add_string(text)
    for ch in text:
        single.add_char(ch)
    assert bulk.words == single.words
    assert ("".join(bulk.buf), bulk.in_word) == ("".join(single.buf), single.in_word)
    assert bulk.finish() == single.finish()


def test_a_growing_value_costs_its_length_not_a_call_per_character(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Regression (scaling benchmark): `ARG A1=${A0}x` ... builds values whose total length
    # is quadratic in the number of ARGs (as in BuildKit); add_string went through them one
    # Python call per character, so 4,000 such ARGs took 4.8 s in check.
    calls = 0
    add_char = expansion._Words.add_char

    def counting(self: expansion._Words, ch: str) -> None:
        nonlocal calls
        calls += 1
        add_char(self, ch)

    monkeypatch.setattr(expansion._Words, "add_char", counting)
    lexer = expansion.WordLexer(escape="\\")
    value = "x" * 100_000 + " two words " + "y" * 100_000
    assert lexer.process_word("a${V}b", {"V": value}) == f"a{value}b"
    assert lexer.process_words("$V", {"V": value}) == value.split()
    assert calls < 100


# --- the size caps (aishellc's, not BuildKit's) --------------------------------------------

_CAP = expansion.MAX_WORD_CHARS
_HALF = "h" * (_CAP // 2 + 1)
_WORD_CAP_ROWS = [
    # (word, env, expected: the expansion, or None for "over the cap")
    ("$A", {"A": "a" * _CAP}, "a" * _CAP),
    ("${A}x", {"A": "a" * _CAP}, None),  # literal text after the last expansion
    ("x$A", {"A": "a" * _CAP}, None),
    ("$H$H", {"H": _HALF}, None),
    ('"$H""$H"', {"H": _HALF}, None),  # two quotes, each under the cap
    ('"$H$H"', {"H": _HALF}, None),
    ("${U:-$H$H}", {"H": _HALF}, None),  # inside a nested word
    ("${H/h/$H}", {"H": _HALF}, None),  # one replacement
    ("${S//?/0123456789}", {"S": "s" * (_CAP // 10 + 1)}, None),  # replace-all
    # a "$0" that reaches the replace-all template (through a variable) repeats the match
    ("${S//*/$R}", {"S": "s" * (_CAP // 3 + 1), "R": "$0$0$0"}, None),
    ("${S//*/$R}", {"S": "s" * (_CAP // 3), "R": "$0$0"}, "s" * (_CAP // 3 * 2)),
    ("${H%h}${H#h}", {"H": _HALF}, "h" * (2 * len(_HALF) - 2)),  # trims only shrink
]


@pytest.mark.parametrize(
    ("word", "env", "expected"),
    _WORD_CAP_ROWS,
    ids=[f"{row[0]}-{'over' if row[2] is None else 'under'}" for row in _WORD_CAP_ROWS],
)
def test_one_word_expands_to_at_most_the_cap(
    word: str, env: dict[str, str], expected: str | None
) -> None:
    lexer = WordLexer()
    if expected is not None:
        assert lexer.process_word(word, env) == expected
        return
    with pytest.raises(expansion.ExpansionLimitError) as info:
        lexer.process_word(word, env)
    assert info.value.reason.startswith("expands to more than 1,048,576 characters (1 MiB)")
    assert info.value.word == word
    assert "ARG B=${A}${A}" in info.value.help


def test_a_replacement_template_stops_before_it_builds_more_than_the_cap() -> None:
    # "$0" written 40,000 times over a 300 KB match would be 12 GB before any caller saw
    # it: the template itself stops at the cap (shown here with 4 times, 1.2 MB).
    with pytest.raises(LexError) as info:
        shell_patterns.expand_template("$0" * 4, "m" * 300_000)
    assert info.value.limit


def _doubling_chain(levels: int) -> list[tuple[str, str]]:
    """The exponential ARG chain: ``A0=aaaaaaaaaa``, then ``Ai=${A(i-1)}${A(i-1)}``."""
    return [("A0", "a" * 10)] + [(f"A{i}", f"${{A{i - 1}}}${{A{i - 1}}}") for i in range(1, levels)]


@pytest.mark.parametrize(
    ("levels", "stops_at"),
    [(17, None), (18, "A17"), (41, "A17")],  # 10 * 2**17 characters is over 1 MiB
)
def test_a_doubling_chain_stops_at_the_level_over_the_cap(
    levels: int, stops_at: str | None
) -> None:
    lexer, env = WordLexer(), dict[str, str]()
    failed = None
    for name, default in _doubling_chain(levels):
        try:
            env[name] = lexer.process_word(default, env)
        except expansion.ExpansionLimitError:
            failed = name
            break
    assert failed == stops_at
    if stops_at is None:
        assert len(env[f"A{levels - 1}"]) == 10 * 2 ** (levels - 1)


def test_the_values_one_lexer_substitutes_are_capped_in_total() -> None:
    # Each word is under the cap, but a file of many lines naming a large value would take
    # as long as the line count times the value: the lexer's total is capped too.
    lexer, env = WordLexer(), {"BIG": "b" * _CAP}
    expansions = expansion.MAX_TOTAL_CHARS // _CAP
    for _ in range(expansions):
        lexer.process_word("$BIG", env)
    with pytest.raises(expansion.ExpansionLimitError) as info:
        lexer.process_word("$BIG", env)
    assert "add up to more than 67,108,864 characters (64 MiB)" in info.value.reason
    assert WordLexer().process_word("$BIG", env) == env["BIG"]  # a new lexer starts afresh
