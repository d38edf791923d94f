"""The installed wheel works on its own: the grammar ships inside it."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from tests.corpus import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
        check=True,
    )
    (built,) = out.glob("aishellc-*.whl")
    return built


def test_wheel_contains_the_grammar(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "aishellc/grammar/dockerfile.lark" in names
    assert "aishellc/parser/grammar.py" in names
    assert "aishellc/manifest/manifest.schema.json" in names  # plan validates manifests with it


def test_installed_wheel_parses(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(wheel)],
        check=True,
    )
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("# escape=`\nFROM aishell:base\nRUN echo `\n  hi\n")
    # Run outside the checkout, so only the installed package can provide the grammar.
    result = subprocess.run(
        [str(env_dir / "bin" / "aishellc"), "parse", "--format", "buildkit", str(dockerfile)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert '"value": ["echo   hi"]' in result.stdout
    module = subprocess.run(
        [str(python), "-c", "import aishellc.parser.grammar as g; print(g.__file__)"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    assert str(env_dir) in module.stdout
    # plan reads the manifest schema from the installed package, not the checkout
    schema = subprocess.run(
        [
            str(python),
            "-c",
            "from aishellc.manifest.schema import manifest_schema, manifest_problem; "
            "print(manifest_schema()['title'], manifest_problem(None).message)",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    assert schema.stdout == "aishellc manifest.json must be an object, not null\n"
