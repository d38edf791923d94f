"""BuildKit's view of a Dockerfile straight from its logical lines (``parse --format buildkit``).

BuildKit's own parser is line based: it splits each logical line into a command, its flags
and the rest, and reads the rest with a rule per instruction (``parseMaybeJSON``,
``parseNameVal``, ``parseStringsWhitespaceDelimited``, ...). For the view that is all
there is to compute, so this module does the same with the word rules of
:mod:`aishellc.parser.buildkit_words`, without the grammar and the AST: about three times
less work per file.

It answers only for lines whose reading is plain. Anything a rejecting or unusual line
could make differ (an error of any kind, an unknown instruction, the escape character or a
non-ASCII blank inside name=value words, an unbalanced quote) makes :func:`fast_view`
return None, and the caller takes the full parse, which reports errors with their location.
A test holds both paths to the same answer on every file of the corpus and the trap files,
and the fidelity tests hold this path to BuildKit's parser itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aishellc.parser import buildkit_words as bw
from aishellc.parser.decode import decode
from aishellc.parser.prelex import LogicalLine, TriviaLine, prelex

_STRING_VALUE = frozenset({"USER", "WORKDIR", "STOPSIGNAL", "MAINTAINER"})
_COMMANDS = frozenset({"RUN", "CMD", "ENTRYPOINT", "SHELL"})
_PATHS = frozenset({"COPY", "ADD", "VOLUME"})
_PAIRS = frozenset({"ENV", "LABEL"})
_ONBUILD_FORBIDDEN = frozenset({"ONBUILD", "FROM", "MAINTAINER"})
# Blanks Go's unicode.IsSpace accepts that the grammar's word separator does not: where
# BuildKit's helpers and the grammar read them differently, the full parse decides (the
# difference is documented in docs/buildkit-differences.md).
_OTHER_BLANKS = frozenset(bw.GO_SPACE) - frozenset("\t\n\x0b\x0c\r ")


class _Unplain(Exception):
    """A line this module does not read; the full parse decides it."""


def buildkit_view(source: bytes | str, path: str = "<string>") -> list[dict[str, Any]]:
    """The instructions of a Dockerfile as BuildKit's parser reports them: one dict each
    with ``cmd, sub_cmd, json, original, start_line, end_line, flags, value, heredocs``
    (ENV and LABEL values as flat key, value pairs, as the ``dockerfile`` package gives
    them). Raises :class:`aishellc.errors.UserError` for a file BuildKit rejects."""
    data = source.encode("utf-8", errors="surrogateescape") if isinstance(source, str) else source
    scanned = prelex(decode(data, path).text, path)
    if scanned.error is None:
        fast = fast_view(scanned.items, scanned.escape)
        if fast is not None:
            return fast
    # Only here: the grammar and the AST are most of a cold start's imports.
    from aishellc.parser.buildkit_view import full_view

    return full_view(data, path)


def fast_view(
    items: Sequence[TriviaLine | LogicalLine], escape: str
) -> list[dict[str, Any]] | None:
    """The instructions as :func:`aishellc.parser.buildkit_view.buildkit_view` reports them,
    or None when a line is not plain (see the module's text)."""
    views: list[dict[str, Any]] = []
    try:
        for item in items:
            if isinstance(item, LogicalLine):
                views.append(_line_view(item, escape))
    except _Unplain:
        return None
    return views or None


def _line_view(line: LogicalLine, escape: str) -> dict[str, Any]:
    trimmed = bw.trim_space(line.text)
    if not trimmed or not _OTHER_BLANKS.isdisjoint(line.text):
        raise _Unplain
    keyword, flags, args = bw.split_command(trimmed, escape)
    name = keyword.upper()
    sub_cmd: str | None = None
    if name == "ONBUILD":
        if args:
            trigger, trigger_flags, args = bw.split_command(args, escape)
            sub_cmd = trigger
            flags = flags + trigger_flags
            name = trigger.upper()
            if name in _ONBUILD_FORBIDDEN:
                raise _Unplain
        else:
            name = ""
    is_json, values = _values(name, args, escape)
    original = line.text
    if line.heredocs:
        original += "\n" + "".join(body.content + body.name + "\n" for body in line.heredocs)
    return {
        "cmd": keyword,
        "sub_cmd": sub_cmd,
        "json": is_json,
        "original": original,
        "start_line": line.start_line,
        "end_line": line.end_line,
        "flags": flags,
        "value": values,
        "heredocs": [
            {"name": body.name, "content": body.content, "file_descriptor": body.file_descriptor}
            for body in line.heredocs
        ],
    }


def _values(name: str, args: str, escape: str) -> tuple[bool, list[str]]:
    """``(json, values)`` of one instruction's arguments, by BuildKit's rule for it."""
    if name == "":  # ONBUILD without a trigger
        return False, []
    if name in _COMMANDS:
        exec_form = _json_array(args)
        if name == "SHELL" and args and exec_form is None:
            raise _Unplain
        if exec_form is not None:
            return True, exec_form
        return False, [args] if args else []
    if name in _PATHS:
        exec_form = _json_array(args)
        if exec_form is not None:
            return True, exec_form
        return False, _fields(args)
    if name == "FROM":
        words = _fields(args)
        if len(words) != 1 and not (len(words) == 3 and words[1].upper() == "AS"):
            raise _Unplain
        return False, words
    if name in _PAIRS:
        return False, _pairs(args, escape)
    if name == "ARG":
        return False, _words(args, escape)
    if name == "EXPOSE":
        return False, _fields(args)
    if name in _STRING_VALUE:
        return False, [args] if args else []
    if name == "HEALTHCHECK":
        return _healthcheck(args)
    raise _Unplain  # an unknown instruction: the full parse reports it


def _json_array(args: str) -> list[str] | None:
    if not args.startswith("["):
        return None
    try:
        return bw.parse_json_array(args)
    except bw.NotStringArrayError:
        raise _Unplain from None


def _fields(args: str) -> list[str]:
    """BuildKit's parseStringsWhitespaceDelimited."""
    return bw.WHITESPACE.split(args) if args else []


def _words(args: str, escape: str) -> list[str]:
    """BuildKit's parseWords, for text whose words the grammar reads the same way."""
    if args.endswith(escape):
        raise _Unplain
    return bw.parse_words(args, escape)


def _pairs(args: str, escape: str) -> list[str]:
    """BuildKit's parseNameVal, as flat key, value texts."""
    words = _words(args, escape)
    if not words:
        return []
    if "=" not in words[0]:
        # The legacy form `ENV key value`: the rest of the line after the key is the value.
        parts = bw.WHITESPACE.split(args, maxsplit=1)
        if len(parts) < 2 or any(ch in "\"'" for ch in parts[0]):
            raise _Unplain
        return parts
    values: list[str] = []
    for word in words:
        key, equals, value = word.partition("=")
        if not equals:
            raise _Unplain
        values += (key, value)
    return values


def _healthcheck(args: str) -> tuple[bool, list[str]]:
    if not args:
        return False, []
    parts = bw.WHITESPACE.split(args, maxsplit=1)
    kind = parts[0]
    rest = parts[1] if len(parts) > 1 else ""
    if kind.upper() == "NONE":
        if rest:
            raise _Unplain
        return False, [kind]
    exec_form = _json_array(rest)
    if exec_form is not None:
        return True, [kind, *exec_form]
    return False, [kind, rest] if rest else [kind]
