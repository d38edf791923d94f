"""Docker's ``.dockerignore`` matching, from docker-py (a port of Docker's own matcher).

Kept apart from :mod:`aishellc.context` because importing docker-py loads its HTTP stack:
only builds whose context has ignore rules pay for it.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

from docker.utils.build import Pattern, PatternMatcher
from docker.utils.fnmatch import fnmatchcase

__all__ = ["fnmatchcase", "pattern_matcher"]

# docker-py turns a class "[[]" (a literal "[", as aishellc writes one in an ignore
# pattern) into the same regex, for which Python warns of a future nested-set syntax.
warnings.filterwarnings(
    "ignore", "Possible nested set", FutureWarning, module=r"docker\.utils\.fnmatch"
)


class _CaseSensitivePattern(Pattern):  # type: ignore[misc]
    """docker-py's pattern, matched case-sensitively as Docker does on Linux (docker-py
    lower-cases both sides, the Windows convention)."""

    def match(self, filepath: str) -> bool:
        return bool(fnmatchcase(filepath, self.cleaned_pattern))


def pattern_matcher(patterns: Sequence[str]) -> PatternMatcher:
    """A matcher for ``.dockerignore`` patterns (already cleaned, ``!`` for exclusions)."""
    matcher = PatternMatcher([])
    # PatternMatcher always re-includes ".dockerignore" (what the classic builder did);
    # BuildKit honours the patterns for it like for any file, so it is left out.
    matcher.patterns = [p for p in map(_CaseSensitivePattern, patterns) if p.dirs]
    return matcher
