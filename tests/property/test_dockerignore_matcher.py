"""aishellc's ``.dockerignore`` matcher agrees with docker-py's ``PatternMatcher`` (made
case-sensitive, as Docker is on Linux) on every path: the oracle is docker-py's own loop
over the patterns, the matcher under test never loops over them."""

from __future__ import annotations

import re

import pytest
from docker.utils.build import Pattern, PatternMatcher
from docker.utils.fnmatch import fnmatchcase, translate
from hypothesis import given
from hypothesis import strategies as st

from aishellc.context.dockerignore import IgnoreMatcher
from aishellc.errors import InvalidPatternError

# "[[" in a pattern reads as a possible nested set to re; docker-py compiles it all the same.
pytestmark = pytest.mark.filterwarnings("ignore:Possible nested set:FutureWarning")


class _CaseSensitivePattern(Pattern):  # type: ignore[misc]
    def match(self, filepath: str) -> bool:
        return bool(fnmatchcase(filepath, self.cleaned_pattern))


def docker_py(patterns: list[str]) -> PatternMatcher:
    """docker-py's matcher, case-sensitive, without its always re-included
    ``.dockerignore`` (the classic builder's rule, not BuildKit's)."""
    matcher = PatternMatcher([])
    matcher.patterns = [p for p in map(_CaseSensitivePattern, patterns) if p.dirs]
    return matcher


def compiles(pattern: str) -> bool:
    try:
        re.compile(translate(Pattern(pattern).cleaned_pattern))
    except re.error:
        return False
    return True


LITERAL_PIECES = ["a", "b", "ab", "a.b", ".a", "A", "é", " ", ".", "..", "\\", "]"]
WILDCARD_PIECES = ["*", "?", "**", "*.b", "a*", "[ab]", "[!a]", "[^a]", "[a-b]", "[/]"]
ODD_PIECES = ["[z-a]", "[", "\\*", "\\[a]"]  # a bad range, an unclosed class, "escapes"
PATTERN_PIECES = st.sampled_from([*LITERAL_PIECES, *WILDCARD_PIECES, *ODD_PIECES])
PATTERN_PART = st.lists(PATTERN_PIECES, min_size=1, max_size=3).map("".join)
PATTERN = st.builds(
    lambda bang, lead, parts, trail: bang + lead + "/".join(parts) + trail,
    st.sampled_from(["", "!", "! "]),
    st.sampled_from(["", "", "/", "./", "../"]),
    st.lists(PATTERN_PART, min_size=1, max_size=4),
    st.sampled_from(["", "", "/", "/.", "/.."]),
)
PATH_PART = st.sampled_from(
    ["a", "b", "ab", "a.b", ".a", "A", "é", "*", "[", "a b", "\\", "x\n", "\n", "ba", "aab"]
)
PATH = st.lists(PATH_PART, min_size=1, max_size=5).map("/".join) | st.builds(
    lambda lead, body, trail: lead + body + trail,
    st.sampled_from(["", "./", "/", "a//"]),
    st.lists(PATH_PART, min_size=1, max_size=4).map("/".join),
    st.sampled_from(["", "/", "/."]),
)


def _blur(part: str, how: str) -> str:
    """A pattern part that matches ``part`` (or nearly: hits and misses both count)."""
    if how == "star":
        return "*"
    if how == "stars":
        return "**"
    if how == "head" and part:
        return part[0] + "*"
    if how == "tail" and part:
        return "*" + part[-1]
    if how == "question" and part:
        return "?" + part[1:]
    if how == "class" and part:
        return f"[{part[0]}x]" + part[1:]
    if how == "negated" and part:
        return f"[!{part[0]}]" + part[1:]
    return part


@st.composite
def pattern_from(draw: st.DrawFn, paths: list[str]) -> str:
    """A pattern made from a path's first parts, some blurred into wildcards, so that it
    matches some of the paths (random patterns seldom do)."""
    parts = draw(st.sampled_from(paths)).split("/")
    parts = parts[: draw(st.integers(1, len(parts)))]
    ways = ["keep", "star", "stars", "head", "tail", "question", "class", "negated"]
    blurred = [_blur(part, draw(st.sampled_from(ways))) for part in parts]
    return draw(st.sampled_from(["", "!"])) + "/".join(blurred)


@given(st.data(), st.lists(PATH, min_size=1, max_size=40))
def test_agrees_with_docker_py(data: st.DataObject, paths: list[str]) -> None:
    patterns = data.draw(
        st.lists(pattern_from(paths) | PATTERN, min_size=1, max_size=16), "patterns"
    )
    if not all(compiles(p) for p in patterns):
        with pytest.raises(InvalidPatternError):
            IgnoreMatcher(patterns)
        return
    ours, oracle = IgnoreMatcher(patterns), docker_py(patterns)
    # Twice over: the second pass answers the parent folders from the per-folder cache.
    for path in [*paths, *paths]:
        assert ours.matches(path) == oracle.matches(path), (patterns, path)


CASES = [
    # (patterns, path, excluded)
    (["a"], "a", True),
    (["a"], "a/b/c", True),  # a parent folder matches
    (["a"], "b/a", False),
    (["a/b"], "a/b/c/d", True),
    (["*/b"], "a/b/c", True),
    (["*"], "a/b", True),
    (["*.py"], "src/x.py", False),  # anchored at the root
    (["**/*.py"], "src/x.py", True),
    (["**/*.py"], "x.py", True),
    (["src", "!src/main.py"], "src/main.py", False),  # the last match wins
    (["src", "!src/main.py"], "src/other.py", True),
    (["!src/main.py", "src"], "src/main.py", True),
    (["src", "!src"], "src/x", False),
    (["src", "!src", "src/x"], "src/x", True),
    (["a*", "!a?"], "ab", False),  # two patterns of one regex: still the last wins
    (["!a?", "a*"], "ab", True),
    (["**/b", "!a/*"], "a/b", False),
    (["!a/*", "**/b"], "a/b", True),
    (["a", "!a"], "a", False),  # two literals
    (["a[!b]c"], "a/c", True),  # a negated class matches "/"
    (["a?c"], "a/c", False),  # "?" and "*" never do
    (["a*c"], "a/c", False),
    (["a"], "a\n", True),  # docker-py's regex "$" also matches before a final newline
    (["a*"], "ab\n", True),
    (["**"], "x\n/y", True),  # docker-py's "**" at the end matches up to a newline
    (["**/y"], "x\n/y", False),  # and "**/" does not cross one
    (["**/y"], "a/x\n/y", False),
    (["**/b/c"], "x\n/b/c", False),
    (["**/b/c"], "x\n/a/b/c", False),
    (["**/b"], "x/a/b\n", True),
    (["**/b/*"], "a/b/c", True),
    (["**/b/*"], "b/c", True),
    (["**/b/*"], "a/b", False),
    (["**/b/*"], "a/b/c/d", True),  # the parent folder a/b/c matches
    (["**/*"], "a/b", True),
    (["Secret"], "secret", False),  # case-sensitive
    (["./a/../b/"], "b/c", True),
    (["a\\*"], "a\\b", True),  # docker-py has no escapes: "\\" is a literal
    (["[a"], "[a", True),  # an unclosed "[" is a literal
]


@pytest.mark.parametrize(("patterns", "path", "excluded"), CASES)
def test_cases(patterns: list[str], path: str, excluded: bool) -> None:
    assert docker_py(patterns).matches(path) is excluded  # the table itself is right
    assert IgnoreMatcher(patterns).matches(path) is excluded


@pytest.mark.parametrize("pattern", ["[z-a]", "src/[b-a]*", "!x[9-0]"])
def test_a_pattern_docker_refuses(pattern: str) -> None:
    with pytest.raises(InvalidPatternError, match=re.escape(pattern.lstrip("!"))):
        IgnoreMatcher(["ok", pattern])
