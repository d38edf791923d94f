"""``benchmarks/check_speed.py`` runs, skips cleanly, and picks the files it says it does."""

from __future__ import annotations

import importlib.util
import io
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from aishellc.cli import run
from tests.corpus import corpus_dir, needs_corpus

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "check_speed.py"


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_speed", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_skips_without_a_corpus(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--corpus", str(tmp_path / "absent")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0
    assert "skipping" in proc.stdout


def test_extension_sized_selection(tmp_path: Path) -> None:
    bench = load()
    written = sorted(bench.DATA.glob("*.Dockerfile"))
    assert len(written) >= 5
    corpus = []
    for index in range(100):
        path = tmp_path / f"f{index:03}"
        path.write_text("FROM x\n" * (10 if index % 2 else 1000))  # odd ones are small
        corpus.append(path)
    picked = bench.extension_sized(corpus, 30)
    assert len(picked) == 30
    assert picked[: len(written)] == written
    rest = picked[len(written) :]
    assert len(set(rest)) == len(rest)
    assert all(path.stat().st_size < bench.SMALL_BYTES for path in rest)
    # spread over the whole corpus, not its first small files
    indexes = [int(path.name[1:]) for path in rest]
    assert min(indexes) == 1
    assert max(indexes) > 90
    assert bench.extension_sized(corpus, 3) == written[:3]


def test_written_extensions_check_clean() -> None:
    """The hand-written extensions are valid Dockerfiles (no AIS001)."""
    bench = load()
    out, err = io.StringIO(), io.StringIO()
    status = run(["check", *map(str, sorted(bench.DATA.glob("*.Dockerfile")))], out, err)
    assert status in (0, 1), out.getvalue()
    assert "AIS001" not in out.getvalue()


@pytest.mark.slow
@needs_corpus
def test_quick_run() -> None:
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--corpus", str(corpus_dir())],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    if "hadolint not found" in proc.stdout:
        pytest.skip("hadolint is not installed")
    for case in ("(a) one process per file", "(b) one process"):
        assert case in proc.stdout
    for line in ("aishellc check", "hadolint", "python -c pass"):
        assert any(row.startswith(line) for row in proc.stdout.splitlines()), line
    assert "cold one-file check:" in proc.stdout
    assert "(b) throughput:" in proc.stdout
