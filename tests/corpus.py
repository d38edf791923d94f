"""Where the shared corpus is, and its files; tests that need it skip cleanly without it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ROUNDTRIP_DIR = ROOT / "tests" / "roundtrip"
_NOT_DOCKERFILES = frozenset({"INDEX.tsv", "buildkit.json", "result", "LICENSE", "SOURCE.md"})


def corpus_dir() -> Path | None:
    """``$AISHELLC_CORPUS``, else ``../shared/corpus`` beside the project root."""
    configured = os.environ.get("AISHELLC_CORPUS")
    candidate = Path(configured) if configured else ROOT.parent / "shared" / "corpus"
    return candidate if candidate.is_dir() else None


def corpus_files() -> list[Path]:
    """Every Dockerfile of the corpus (BuildKit's cases and the real files), sorted."""
    base = corpus_dir()
    if base is None:
        return []
    return sorted(
        path for path in base.rglob("*") if path.is_file() and path.name not in _NOT_DOCKERFILES
    )


def corpus_id(path: Path) -> str:
    base = corpus_dir()
    return str(path.relative_to(base)) if base else path.name


def roundtrip_files() -> list[Path]:
    return sorted(ROUNDTRIP_DIR.glob("*.Dockerfile"))


needs_corpus = pytest.mark.skipif(
    corpus_dir() is None, reason="../shared/corpus is not here (set AISHELLC_CORPUS)"
)
