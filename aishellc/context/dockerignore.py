"""Docker's ``.dockerignore`` matching: docker-py's ``PatternMatcher`` (a port of Docker's
own matcher), made case-sensitive as Docker is on Linux, in time that does not grow with
the number of patterns.

docker-py tries every pattern on every path, in order, and the last one that matches
decides (``!`` patterns re-include). A pattern of *k* ``/``-separated parts matches a path
when its regex (docker-py's ``fnmatch.translate``) matches the whole path, or the first *k*
folders of the path's parent folder. :class:`IgnoreMatcher` gives the same answer for
every string without the loop over patterns:

- a pattern without ``*``, ``?`` and ``[`` is literal: a dict from its text to its index;
- the others are joined into one regex per group, alternatives in reverse order with an
  empty named group at the end of each, so the first alternative that matches is the last
  pattern and the group names it;
- a pattern without ``**`` and ``[`` only matches strings with exactly as many ``/`` as it
  has (``*`` and ``?`` never match ``/``), so it is only tried on those; ``**/`` followed
  by such a pattern is tried on the one end of the string with that many ``/``;
- what the parent folder's first folders match depends on the folder alone: computed once
  per folder.

Kept apart from :mod:`aishellc.context.sources` because importing docker-py loads its HTTP stack:
only builds whose context has ignore rules pay for it.
"""

from __future__ import annotations

import posixpath
import re
import warnings
from collections import defaultdict
from collections.abc import Iterable, Sequence

from docker.utils.build import Pattern, split_path
from docker.utils.fnmatch import fnmatchcase, translate

from aishellc.errors import InvalidPatternError

__all__ = ["IgnoreMatcher", "fnmatchcase"]

_NO_MATCH = -1
_ANY_FOLDERS = "**/"

# docker-py turns a class "[[]" (a literal "[", as aishellc writes one in an ignore
# pattern) into the same regex, for which Python warns of a future nested-set syntax.
warnings.filterwarnings(
    "ignore", "Possible nested set", FutureWarning, module=r"docker\.utils\.fnmatch"
)


class _Group:
    """Patterns tried together on one string: the literal ones by text, the rest as one
    regex. :meth:`last` is the index of the last pattern that matches, or -1."""

    def __init__(self, indexed: Iterable[tuple[int, str, str]]) -> None:
        self.literals: dict[str, int] = {}
        alternatives = []
        for index, cleaned, regex in indexed:
            if _is_literal(cleaned):
                self.literals[cleaned] = index  # ascending order: the last one stays
            else:
                # translate() gives "^...$"; re.match anchors the start already.
                alternatives.append((index, f"{regex[1:]}(?P<p{index}>)"))
        alternatives.sort(reverse=True)
        self.regex: re.Pattern[str] | None = None
        if alternatives:
            with warnings.catch_warnings():
                # "[[" reads as a possible nested set to re (a FutureWarning); docker-py
                # compiles the same text, and its meaning is what is matched here.
                warnings.simplefilter("ignore", FutureWarning)
                self.regex = re.compile("|".join(text for _, text in alternatives))

    def last(self, text: str) -> int:
        found = self.literals.get(text, _NO_MATCH)
        # translate()'s "$" also matches before a final newline.
        if text.endswith("\n"):
            found = max(found, self.literals.get(text[:-1], _NO_MATCH))
        if self.regex is not None:
            match = self.regex.match(text)
            if match is not None:
                assert match.lastgroup is not None
                found = max(found, int(match.lastgroup[1:]))
        return found


class IgnoreMatcher:
    """Whether a context path is excluded by ``.dockerignore`` patterns (already cleaned,
    ``!`` for exclusions), exactly as docker-py's ``PatternMatcher`` decides, matched
    case-sensitively. Unlike ``PatternMatcher``, ``.dockerignore`` itself is not always
    re-included (BuildKit honours the patterns for it like for any file).

    Raises :class:`InvalidPatternError` for a pattern whose regex does not compile.
    """

    def __init__(self, patterns: Sequence[str]) -> None:
        parsed = []
        for given, pattern in enumerate(map(Pattern, patterns)):
            if not pattern.dirs:
                continue
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", FutureWarning)
                    re.compile(translate(pattern.cleaned_pattern))
            except re.error as exc:
                raise InvalidPatternError(pattern.cleaned_pattern, str(exc), given) from None
            parsed.append(pattern)
        self.exclusions = tuple(p for p in parsed if p.exclusion)
        self._negative = [p.exclusion for p in parsed]
        by_slashes: defaultdict[int, list[tuple[int, str, str]]] = defaultdict(list)
        by_tail: defaultdict[int, list[tuple[int, str, str]]] = defaultdict(list)
        free_by_parts: defaultdict[int, list[tuple[int, str, str]]] = defaultdict(list)
        free: list[tuple[int, str, str]] = []
        for index, pattern in enumerate(parsed):
            cleaned = pattern.cleaned_pattern
            tail = cleaned[len(_ANY_FOLDERS) :]
            if _fixed_depth(cleaned):
                by_slashes[cleaned.count("/")].append((index, cleaned, translate(cleaned)))
            elif cleaned.startswith(_ANY_FOLDERS) and _fixed_depth(tail):
                # translate("**/" + tail) is "^(.*/)?" + translate(tail)[1:].
                by_tail[tail.count("/")].append((index, tail, translate(tail)))
            else:
                item = (index, cleaned, translate(cleaned))
                free.append(item)
                free_by_parts[len(pattern.dirs)].append(item)
        self._fixed = {slashes: _Group(items) for slashes, items in by_slashes.items()}
        self._tails = {slashes: _Group(items) for slashes, items in by_tail.items()}
        self._free = _Group(free)
        self._free_by_parts = {parts: _Group(items) for parts, items in free_by_parts.items()}
        self._parents: dict[str, int] = {}

    def matches(self, path: str) -> bool:
        """Whether ``path`` (relative, ``/``-separated) is excluded."""
        last = self._last_on_path(path)
        parent = posixpath.dirname(path)
        if parent:
            last = max(last, self._last_on_parent(parent))
        return last != _NO_MATCH and not self._negative[last]

    def _last_on_path(self, path: str) -> int:
        """The last pattern whose regex matches the whole path."""
        found = self._free.last(path)
        group = self._fixed.get(path.count("/"))
        if group is not None:
            found = max(found, group.last(path))
        for slashes, tails in self._tails.items():
            tail = _tail(path, slashes)
            if tail is not None:
                found = max(found, tails.last(tail))
        return found

    def _last_on_parent(self, parent: str) -> int:
        """The last pattern of k parts that matches the first k folders of ``parent``."""
        found = self._parents.get(parent)
        if found is None:
            found = _NO_MATCH
            folders = split_path(parent)
            for parts in range(1, len(folders) + 1):
                prefix = "/".join(folders[:parts])
                for group in (self._fixed.get(parts - 1), self._free_by_parts.get(parts)):
                    if group is not None:
                        found = max(found, group.last(prefix))
                # "**/tail" has one part more than its tail has slashes.
                tails = self._tails.get(parts - 2)
                tail = None if tails is None else _tail(prefix, parts - 2)
                if tails is not None and tail is not None:
                    found = max(found, tails.last(tail))
            self._parents[parent] = found
        return found


def _tail(text: str, slashes: int) -> str | None:
    """The end of ``text`` that a pattern ``**/tail`` can match with a tail of ``slashes``
    slashes: ``(.*/)?`` takes everything before it, and its ``.`` takes no newline."""
    have = text.count("/")
    if have == slashes:
        return text
    if have < slashes:
        return None
    head = text.rsplit("/", slashes + 1)[0]
    return None if "\n" in head else text[len(head) + 1 :]


def _is_literal(cleaned: str) -> bool:
    return not any(char in cleaned for char in "*?[")


def _fixed_depth(cleaned: str) -> bool:
    """Whether the pattern only matches strings with as many ``/`` as it has: ``**`` spans
    folders, and a ``[...]`` class (``[!a]``) may match ``/``."""
    return "**" not in cleaned and "[" not in cleaned
