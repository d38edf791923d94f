"""Compile every Dockerfile of the shared corpus: never a crash, always BuildKit-valid output.

Each file is compiled with a stub build context holding an empty file for each literal
source it copies. A file aishellc cannot read or parse, or whose sources cannot be stubbed,
must fail with a located :class:`UserError`; every other one must give three Dockerfiles
BuildKit's parser accepts (even when the passes report errors and the CLI would not write
them), a manifest that passes the schema check, and the same bytes when compiled again.
Skips cleanly without the corpus (see ``tests/corpus.py``).
"""

from __future__ import annotations

import json
import posixpath
from pathlib import Path

import dockerfile
import pytest

from aishellc.compiler.analysis import ProjectOptions
from aishellc.compiler.pipeline import CompileOptions, compile_dockerfile
from aishellc.context.sources import collect_sources
from aishellc.errors import UserError
from aishellc.manifest.schema import manifest_problem
from aishellc.parser import parse, read_dockerfile
from tests.compile_cases import OFFLINE_CONFIG
from tests.corpus import corpus_dir, corpus_files

FILES = corpus_files()


def _stub_context(path: Path, context: Path) -> None:
    try:
        document = parse(read_dockerfile(path), str(path))
        sources = collect_sources(document, str(path))
    except UserError:
        return
    for source in sources:
        value = posixpath.normpath(source.value)
        if value.startswith(("/", "..")) or value == "." or any(c in value for c in "*?[\\"):
            continue
        target = context / value
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                target.write_bytes(b"")
        except OSError:
            continue


@pytest.mark.skipif(not FILES, reason="../shared/corpus is not here (set AISHELLC_CORPUS)")
def test_compile_the_corpus(tmp_path: Path) -> None:
    base = corpus_dir()
    assert base is not None
    config = tmp_path / "aishellc.toml"
    config.write_text(OFFLINE_CONFIG)
    compiled = refused = 0
    for index, path in enumerate(FILES):
        context = tmp_path / f"ctx{index}"
        context.mkdir()
        _stub_context(path, context)
        options = CompileOptions(
            str(path),
            str(tmp_path / f"out{index}"),
            ProjectOptions(harnesses=("claude@2.1.3",), context=str(context), config=str(config)),
        )
        try:
            result = compile_dockerfile(options)
        except UserError as exc:
            assert exc.location is not None or exc.message, path
            refused += 1
            continue
        compiled += 1
        name = path.relative_to(base)
        for tier in ("foundation", "extension", "runtime"):
            text = result.files[f"{tier}.Dockerfile"].decode("utf-8", errors="surrogateescape")
            try:
                dockerfile.parse_string(text)
            except dockerfile.GoParseError as exc:  # pragma: no cover - reported below
                pytest.fail(f"{name}: {tier}.Dockerfile rejected by BuildKit: {exc}")
        manifest = json.loads(result.files["manifest.json"])
        assert manifest_problem(manifest) is None, name
        again = compile_dockerfile(options)
        assert dict(again.files) == dict(result.files), name
    assert compiled > len(FILES) // 2, (compiled, refused)
