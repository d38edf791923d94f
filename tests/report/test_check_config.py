"""``check`` uses the harness registry of the project's configuration."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from aishellc.cli import run

EXTRA_HARNESS = '[harnesses.extra.amp]\nbinary = "amp"\npackage = "@sourcegraph/amp"\n'


def check(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return run(["check", *argv], out, err), out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    ("config_beside", "config_flag", "expected_status", "expected_code"),
    [
        (None, None, 0, None),  # amp is not a harness by default
        (EXTRA_HARNESS, None, 1, "AIS101"),  # aishellc.toml next to the Dockerfile
        (None, EXTRA_HARNESS, 1, "AIS101"),  # --config
    ],
)
def test_config_adds_harness_binaries(
    tmp_path: Path,
    config_beside: str | None,
    config_flag: str | None,
    expected_status: int,
    expected_code: str | None,
) -> None:
    project = tmp_path / ".aishell"
    project.mkdir()
    dockerfile = project / "Dockerfile"
    dockerfile.write_text("FROM aishell:base\nUSER developer\nRUN amp --version\n")
    argv = [str(dockerfile)]
    if config_beside is not None:
        (project / "aishellc.toml").write_text(config_beside)
    if config_flag is not None:
        flag_file = tmp_path / "other.toml"
        flag_file.write_text(config_flag)
        argv = ["--config", str(flag_file), *argv]
    status, out, _ = check(*argv)
    assert status == expected_status, out
    if expected_code is not None:
        assert f"{dockerfile}:3:5: {expected_code} `amp` runs at build time" in out


def test_bad_config_is_a_usage_error(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM aishell:base\n")
    bad = tmp_path / "bad.toml"
    bad.write_text("[harnesses\n")
    status, _, err = check("--config", str(bad), str(dockerfile))
    assert status == 2
    assert err.startswith(f"{bad}:1:")
