"""The ``.dockerignore`` of a build, read and matched as Docker does: which file applies
(``<Dockerfile>.dockerignore`` wins over ``<context>/.dockerignore``), its patterns as
``ignorefile.ReadAll`` reads them, and the matcher (:mod:`aishellc.context.dockerignore`)."""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from typing import Any

from aishellc.errors import InvalidPatternError, Location, UserError
from aishellc.input_files import read_capped, reason_clause
from aishellc.parser import MAX_FILE_BYTES


def read_ignore_file(data: bytes) -> list[str]:
    """The patterns of a ``.dockerignore``, read as Docker's ``ignorefile.ReadAll`` does:
    a UTF-8 BOM is dropped, lines starting with ``#`` are comments, the rest is trimmed,
    empty lines are skipped, and each pattern (after an optional ``!``) is cleaned and made
    relative to the context."""
    return [pattern for _, pattern in _ignore_file_lines(data)]


def _ignore_file_lines(data: bytes) -> list[tuple[int, str]]:
    """:func:`read_ignore_file`'s patterns with their 1-based line numbers."""
    text = data.decode("utf-8", errors="surrogateescape")
    if text.startswith("\ufeff"):
        text = text[1:]
    patterns = []
    for number, raw in enumerate(text.splitlines(), 1):
        if raw.startswith("#"):
            continue
        pattern = raw.strip()
        if not pattern:
            continue
        invert = pattern.startswith("!")
        if invert:
            pattern = pattern[1:].strip()
        if pattern:
            pattern = posixpath.normpath(pattern)
            if len(pattern) > 1 and pattern.startswith("/"):
                pattern = pattern[1:]
        patterns.append((number, "!" + pattern if invert else pattern))
    return patterns


class IgnoreRules:
    """Docker's ``.dockerignore`` semantics (:class:`aishellc.context.dockerignore.IgnoreMatcher`).

    docker-py (and its HTTP stack) is imported only when there are patterns to match.
    Raises :class:`~aishellc.errors.InvalidPatternError` for a pattern Docker refuses.
    """

    def __init__(self, patterns: Sequence[str]) -> None:
        self.patterns = tuple(patterns)
        self._matcher: Any = None
        self._negations: tuple[Any, ...] = ()
        if self.patterns:
            from aishellc.context.dockerignore import IgnoreMatcher

            self._matcher = IgnoreMatcher(self.patterns)
            self._negations = self._matcher.exclusions

    def ignored(self, path: str) -> bool:
        """Whether a context path (relative, ``/``-separated) is excluded."""
        return self._matcher is not None and bool(path) and bool(self._matcher.matches(path))

    def may_reinclude_under(self, directory: str) -> bool:
        """Whether a ``!pattern`` could re-include something below an ignored directory
        (conservative: True whenever it cannot be ruled out)."""
        if not self._negations:
            return False
        from aishellc.context.dockerignore import fnmatchcase

        parts = directory.split("/")
        for pattern in self._negations:
            dirs: list[str] = pattern.dirs
            if any("**" in part for part in dirs):
                return True
            if len(dirs) > len(parts) and all(
                fnmatchcase(part, dir_pattern)
                for part, dir_pattern in zip(parts, dirs, strict=False)
            ):
                return True
        return False


def load_ignore_rules(
    context_dir: str, dockerfile: str | None, extra_excludes: Sequence[str] = ()
) -> tuple[IgnoreRules, str | None, bytes | None]:
    """The ignore rules for a build of ``dockerfile`` in ``context_dir``: the rules, the
    file they came from (None without one) and its bytes."""
    candidates = []
    if dockerfile is not None:
        candidates.append(dockerfile + ".dockerignore")
    candidates.append(posixpath.normpath(posixpath.join(context_dir, ".dockerignore")))
    for candidate in candidates:
        try:
            data = read_capped(candidate, MAX_FILE_BYTES)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise UserError(
                f"cannot read {candidate}: {reason_clause(exc)}", Location(candidate)
            ) from None
        lines = _ignore_file_lines(data)
        try:
            rules = IgnoreRules([*(pattern for _, pattern in lines), *extra_excludes])
        except InvalidPatternError as exc:
            line = lines[exc.index][0] if exc.index < len(lines) else 1
            raise UserError(
                str(exc),
                Location(candidate, line),
                help="Docker refuses it too; fix the pattern (e.g. a range from low to high)",
            ) from None
        return rules, candidate, data
    return IgnoreRules(list(extra_excludes)), None, None
