"""The platform built for, normalized as containerd does, and BuildKit's automatic ARGs."""

from __future__ import annotations

from pathlib import Path

import pytest

from aishellc.context.platforms import (
    BuildPlatforms,
    Platform,
    automatic_args,
    build_platforms,
    machine_platform,
    parse_platform,
)
from aishellc.errors import UserError
from tests.compile_cases import OFFLINE_CONFIG, run_cli_in

PARSED = [
    ("linux/amd64", "linux/amd64"),
    ("linux/x86_64", "linux/amd64"),
    ("LINUX/AMD64", "linux/amd64"),
    ("linux/arm64", "linux/arm64"),
    ("linux/aarch64", "linux/arm64"),
    ("linux/arm64/v8", "linux/arm64"),
    ("linux/arm", "linux/arm/v7"),
    ("linux/armhf", "linux/arm/v7"),
    ("linux/arm/v6", "linux/arm/v6"),
    ("linux/arm/7", "linux/arm/v7"),
    ("linux/i386", "linux/386"),
    ("linux/riscv64", "linux/riscv64"),
    ("arm64", "linux/arm64"),
    ("amd64", "linux/amd64"),
    ("linux/amd64/v3", "linux/amd64/v3"),
]


@pytest.mark.parametrize(("text", "expected"), PARSED)
def test_parse_platform(text: str, expected: str) -> None:
    assert str(parse_platform(text)) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("linux/amd64,linux/arm64", "names several platforms"),
        ("linux/", "is not a platform"),
        ("a/b/c/d", "is not a platform"),
        ("linux amd64", "is not a platform"),
        ("linux/amd64\n", "is not a platform"),
    ],
)
def test_a_bad_platform_is_refused(text: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        parse_platform(text)


@pytest.mark.parametrize(
    ("machine", "expected"),
    [
        ("x86_64", "linux/amd64"),
        ("AMD64", "linux/amd64"),
        ("aarch64", "linux/arm64"),
        ("arm64", "linux/arm64"),
        ("armv7l", "linux/arm/v7"),
        ("armv6l", "linux/arm/v6"),
        ("i686", "linux/386"),
        ("ppc64le", "linux/ppc64le"),
        ("s390x", "linux/s390x"),
    ],
)
def test_machine_platform(monkeypatch: pytest.MonkeyPatch, machine: str, expected: str) -> None:
    monkeypatch.setattr("platform.machine", lambda: machine)
    assert str(machine_platform()) == expected


def test_the_variable_wins_over_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("platform.machine", lambda: "x86_64")
    found = build_platforms({"DOCKER_DEFAULT_PLATFORM": "linux/arm/v7"})
    assert (str(found.target), str(found.build), found.source) == (
        "linux/arm/v7",
        "linux/amd64",
        "DOCKER_DEFAULT_PLATFORM",
    )
    found = build_platforms({"DOCKER_DEFAULT_PLATFORM": ""})
    assert (str(found.target), found.source) == ("linux/amd64", "machine")


def test_automatic_args_are_buildkits_default_args() -> None:
    platforms = BuildPlatforms(Platform("linux", "arm", "v7"), Platform("linux", "amd64"), "x")
    assert automatic_args(platforms, None) == {
        "BUILDPLATFORM": "linux/amd64",
        "BUILDOS": "linux",
        "BUILDOSVERSION": "",
        "BUILDARCH": "amd64",
        "BUILDVARIANT": "",
        "TARGETPLATFORM": "linux/arm/v7",
        "TARGETOS": "linux",
        "TARGETOSVERSION": "",
        "TARGETARCH": "arm",
        "TARGETVARIANT": "v7",
        "TARGETSTAGE": "default",
    }
    assert automatic_args(platforms, "final")["TARGETSTAGE"] == "final"


GLOBAL_USES = [
    "ARG A=${TARGETARCH:?unset}\nFROM aishell:base\n",
    "ARG BASE=aishell:base\nARG B=${BUILDPLATFORM:?unset}\nFROM $BASE\n",
    "FROM aishell:base AS base-amd64\nFROM base-${TARGETARCH}\n",
]


@pytest.mark.parametrize("dockerfile", GLOBAL_USES)
@pytest.mark.parametrize("command", ["compile", "check"])
def test_global_scope_sees_the_platform_args(tmp_path: Path, command: str, dockerfile: str) -> None:
    # Regression: they were unset, so ${TARGETARCH:?} was an error (AIS003) and a FROM
    # naming a stage through them did not find the stage (AIS201).
    (tmp_path / ".aishell").mkdir()
    (tmp_path / ".aishell" / "aishellc.toml").write_text(OFFLINE_CONFIG)
    (tmp_path / ".aishell" / "Dockerfile").write_text(dockerfile)
    args = ["-o", "build"] if command == "compile" else []
    result = run_cli_in(tmp_path, command, ".aishell/Dockerfile", *args)
    assert result.code == 0, result.err
