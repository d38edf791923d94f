"""BuildKit's parser through the ``dockerfile`` package (v0.12.5 via cgo): the test oracle."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

dockerfile = pytest.importorskip("dockerfile")

Error = dict[str, str]


def package_view(source: str | Path) -> list[dict[str, Any]] | Error:
    """The package's instructions for a path or a text, as dicts like ``buildkit_view``'s;
    ``{"error": message}`` if it rejects the file."""
    try:
        if isinstance(source, Path):
            commands = dockerfile.parse_file(str(source))
        else:
            commands = dockerfile.parse_string(source)
    except (dockerfile.GoParseError, dockerfile.GoIOError, UnicodeDecodeError) as exc:
        return {"error": str(exc)}
    return [
        {
            "cmd": c.cmd,
            "sub_cmd": c.sub_cmd,
            "json": c.json,
            "original": c.original,
            "start_line": c.start_line,
            "end_line": c.end_line,
            "flags": list(c.flags),
            "value": list(c.value),
            "heredocs": [
                {"name": h.name, "content": h.content, "file_descriptor": h.file_descriptor}
                for h in c.heredocs
            ],
        }
        for c in commands
    ]
