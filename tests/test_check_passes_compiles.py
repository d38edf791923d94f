"""A file ``check`` passes, ``compile`` accepts (DESIGN.md, "Command line"), over the corpus.

Real Dockerfiles rarely build on aishell, so each corpus file is made a sandbox file first:
its final FROM's image becomes ``aishell:base`` (every other byte kept). It gets a stub
build context holding an empty file for each literal source it copies (as the corpus
compile test does), so that files with ``COPY`` reach the context checks too; sources that
cannot be stubbed stay missing. Both commands get the same options; every file ``check``
exits 0 on must compile with exit 0, and enough of them must for the test to mean
something. Skips cleanly without the corpus (see ``tests/corpus.py``).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from aishellc import ast
from aishellc.cli import run
from aishellc.errors import UserError
from aishellc.parser import parse, read_dockerfile
from tests.compile_cases import OFFLINE_CONFIG
from tests.corpus import corpus_files
from tests.test_compile_corpus import _stub_context

FILES = corpus_files()


def _on_aishell(path: Path) -> bytes | None:
    """The file with its final FROM's image replaced by ``aishell:base`` (None when it
    cannot be parsed or has no FROM image)."""
    try:
        data = read_dockerfile(str(path))
        document = parse(data, str(path))
    except UserError:
        return None
    froms = [node for node in document.instructions if isinstance(node, ast.From)]
    image = froms[-1].image if froms else None
    if image is None or image.span is None or image.span.end_line != image.span.line:
        return None
    lines = data.split(b"\n")
    index = image.span.line - 1
    text = lines[index].decode("utf-8", errors="surrogateescape")
    start, end = image.span.column - 1, image.span.end_column - 1
    lines[index] = (text[:start] + "aishell:base" + text[end:]).encode(
        "utf-8", errors="surrogateescape"
    )
    return b"\n".join(lines)


def _cli(*args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(args), out, err)
    return code, out.getvalue() + err.getvalue()


@pytest.mark.skipif(not FILES, reason="../shared/corpus is not here (set AISHELLC_CORPUS)")
def test_every_file_check_passes_compiles(tmp_path: Path) -> None:
    config = tmp_path / "aishellc.toml"
    config.write_text(OFFLINE_CONFIG)
    passed = with_sources = 0
    for index, original in enumerate(FILES):
        text = _on_aishell(original)
        if text is None:
            continue
        folder = tmp_path / f"p{index}"
        context = folder / "context"
        context.mkdir(parents=True)
        dockerfile = folder / "Dockerfile"
        dockerfile.write_bytes(text)
        _stub_context(dockerfile, context)
        options = ["--harness", "claude@2.1.3", "--config", str(config), "--context", str(context)]
        checked, _ = _cli("check", str(dockerfile), *options)
        if checked != 0:
            continue
        passed += 1
        with_sources += any(context.iterdir())
        compiled, printed = _cli(str(dockerfile), "-o", str(folder / "build"), *options)
        assert compiled == 0, f"{original}: check passed, compile exited {compiled}\n{printed}"
    # most real files pass once on aishell; many of them copy from the context
    assert passed > len(FILES) // 3, passed
    assert with_sources > 50, with_sources
