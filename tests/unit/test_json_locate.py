"""``json_locate.locate``: the line and column of the value at a path of keys."""

from __future__ import annotations

import pytest

from aishellc.manifest.json_locate import locate

DOCUMENT = '{\n  "a": 1,\n  "b": {"c": [10, {"d": "x"}, [ 30 ]]},\n  "e": "\\"{[,"\n}\n'

CASES = [
    # (text, keys, (line, column))
    (DOCUMENT, (), (1, 1)),
    (DOCUMENT, ("a",), (2, 8)),
    (DOCUMENT, ("b",), (3, 8)),
    (DOCUMENT, ("b", "c"), (3, 14)),
    (DOCUMENT, ("b", "c", 0), (3, 15)),
    (DOCUMENT, ("b", "c", 1, "d"), (3, 25)),
    (DOCUMENT, ("b", "c", 2, 0), (3, 33)),
    (DOCUMENT, ("e",), (4, 8)),
    # a missing key or index: the object or array that lacks it
    (DOCUMENT, ("b", "missing"), (3, 8)),
    (DOCUMENT, ("b", "c", 3), (3, 14)),
    (DOCUMENT, ("a", "deeper"), (2, 8)),
    (DOCUMENT, ("b", 0), (3, 8)),  # an index into an object
    # a duplicated key: the last one, which json keeps
    ('{"k": 1, "k": 2}', ("k",), (1, 15)),
    # blanks of every kind, and an empty container
    ('\r\n\t {\t"k"\r\n:\n[ ]}', ("k",), (4, 1)),
    ('\r\n\t {\t"k"\r\n:\n[ ]}', ("k", 0), (4, 1)),
    ('{"k": {}}', ("k", "x"), (1, 7)),
    # keys with escapes and non-ASCII text count in characters
    ('{"\\u00e9t\\u00e9": "été", "k": 1}', ("k",), (1, 31)),
]


@pytest.mark.parametrize(("text", "keys", "position"), CASES)
def test_locate(text: str, keys: tuple[str | int, ...], position: tuple[int, int]) -> None:
    assert locate(text, keys) == position
