"""How much work reading the build context takes: each file is hashed once and each folder
listed once per compile however many sources overlap, and ``.dockerignore`` matching does
not grow with the number of patterns."""

from __future__ import annotations

import os
import sys
from collections import Counter
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from aishellc.compiler.analysis import ProjectOptions
from aishellc.compiler.pipeline import CompileOptions, compile_dockerfile
from aishellc.context.ignore_rules import IgnoreRules, load_ignore_rules
from aishellc.context.sources import context_inputs
from aishellc.errors import Location, UserError
from aishellc.parser import parse

TREE = ["src/a.py", "src/b.py", "src/lib/c.py", "src/lib/deep/d.py", "docs/x.md", "top.txt"]

OVERLAPPING = [
    # (what the Dockerfile copies, the files read)
    ("COPY . /app\nCOPY src /src\nCOPY src/lib /lib\n", TREE),
    ("COPY src /a\nCOPY src /b\nCOPY src /c\nCOPY src /d\n", TREE[:4]),
    ("COPY src/*.py /py/\nCOPY src/ /src/\nCOPY src/lib/deep/d.py /d\n", TREE[:4]),
    (
        "COPY src /src\nRUN --mount=type=bind,source=src/lib,target=/m true\n"
        "ADD src/lib/deep /deep\nCOPY s*/l* /l/\n",
        TREE[:4],
    ),
]


@pytest.mark.parametrize(("copies", "expected"), OVERLAPPING)
def test_each_file_is_hashed_and_each_folder_listed_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, copies: str, expected: list[str]
) -> None:
    for name in TREE:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(name)
    rules, _, _ = load_ignore_rules(str(tmp_path), None)
    opened: Counter[str] = Counter()
    listed: Counter[str] = Counter()
    real_open, real_listdir = os.open, os.listdir

    def spy_open(path: str, flags: int, *args: int) -> int:
        opened[os.path.relpath(path, tmp_path)] += 1
        return real_open(path, flags, *args)

    def spy_listdir(path: str) -> list[str]:
        listed[os.path.relpath(path, tmp_path)] += 1
        return real_listdir(path)

    monkeypatch.setattr(os, "open", spy_open)
    monkeypatch.setattr(os, "listdir", spy_listdir)
    found = context_inputs(parse(f"FROM a\n{copies}"), str(tmp_path), path="D", rules=rules)
    assert [item.path for item in found.files] == sorted(expected)
    assert opened == Counter(expected)
    assert listed and max(listed.values()) == 1, listed


def _python_calls(rules: IgnoreRules, paths: list[str]) -> int:
    """Python and C function calls made while matching ``paths``."""
    count = 0

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(profile)
    try:
        for path in paths:
            rules.ignored(path)
    finally:
        sys.setprofile(None)
    return count


def _patterns(copies: int) -> list[str]:
    """``copies`` rounds of the common pattern shapes, each round with its own names."""
    shapes = ["build{}", "*.tmp{}", "**/cache{}", "src/pkg{}/*.log", "!src/keep{}", "[ab]x{}"]
    return [shape.format(i) for i in range(copies) for shape in shapes]


PATHS = [f"src/pkg{i % 7}/mod{i % 3}/file{i}.py" for i in range(60)] + ["top", "src/keep1"]


def test_matching_work_does_not_grow_with_the_number_of_patterns() -> None:
    few, many = IgnoreRules(_patterns(2)), IgnoreRules(_patterns(100))
    _python_calls(few, PATHS), _python_calls(many, PATHS)  # warm the per-folder caches
    assert _python_calls(many, PATHS) == _python_calls(few, PATHS)


@pytest.mark.parametrize(
    ("ignore", "line", "message"),
    [
        ("[z-a]\n", 1, r"invalid \.dockerignore pattern '\[z-a\]'"),
        ("# c\nok\n\n!src/[9-0]*\n", 4, r"invalid \.dockerignore pattern 'src/\[9-0\]\*'"),
    ],
)
def test_a_pattern_docker_refuses_is_a_located_error(
    tmp_path: Path, ignore: str, line: int, message: str
) -> None:
    (tmp_path / ".dockerignore").write_text(ignore)
    (tmp_path / "Dockerfile").write_text("FROM aishell:base\nCOPY . /app\n")
    options = CompileOptions(
        dockerfile=str(tmp_path / "Dockerfile"),
        outdir=str(tmp_path / "out"),
        project=ProjectOptions(context=str(tmp_path)),
    )
    with pytest.raises(UserError, match=message) as caught:
        compile_dockerfile(options)
    assert caught.value.location == Location(str(tmp_path / ".dockerignore"), line)
