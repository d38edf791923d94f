"""Injection safety, end to end: nothing from the command line or the config reaches a
generated ``RUN``, ``FROM``, tag or label unless it passed its grammar.

Every value that can end up there (harness names and versions, npm and apt package names,
image references, the tag prefix, the registry, download URLs and checksums, paths and
words of the foundation's tools) gets each payload of the shared injection table spliced
in, in the middle of a valid value and after it: shell metacharacters, newlines, ``$()`` and backticks, quotes, ``#`` and ``\\``. Each
compile must exit 2 with a located message, write nothing, and leave the previous output
alone. The payload tables are the unit tests' (``tests/unit/test_harnesses.INJECTIONS``,
``tests/unit/test_config.STRING_FIELDS``); here they run through ``aishellc compile``.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from tests.compile_cases import run_cli_in, tree
from tests.unit.test_config import (
    KEY_FIELDS,
    POSITIONS,
    STRING_FIELDS,
    _rename,
    _set,
    _splice,
    full_config,
)
from tests.unit.test_harnesses import INJECTIONS
from tests.unit.tomltext import dumps

DOCKERFILE = "FROM aishell:base\nCOPY requirements.txt /tmp/\nUSER developer\n"
CONFIG = ".aishell/aishellc.toml"
# Where a payload goes in a --harness value: inside the name, the version, after it.
HARNESS_TEMPLATES = ["cl{}aude@1.2.3", "claude@1.2{}.3", "claude@1.2.3{}", "claude@{}", "{}"]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project compiled once with the full config (every key set, all values valid)."""
    root = tmp_path_factory.mktemp("injection")
    (root / ".aishell").mkdir()
    (root / ".aishell" / "Dockerfile").write_text(DOCKERFILE)
    (root / "requirements.txt").write_text("flask\n")
    (root / CONFIG).write_text(dumps(full_config()))
    result = run_cli_in(root, ".aishell/Dockerfile", "-o", "build")
    assert result.code == 0, result.err
    return root


def _compile(project: Path, config: dict[str, Any] | None, *args: str, blame: str) -> None:
    """Compile with ``config`` (None: the valid full config) and ``args``; it must fail
    with exit 2, a message that starts with ``blame``, and leave everything as it was."""
    if config is not None:
        (project / CONFIG).write_text(dumps(config))
    before = tree(project / "build")
    try:
        result = run_cli_in(project, ".aishell/Dockerfile", "-o", "build", *args)
    finally:
        (project / CONFIG).write_text(dumps(full_config()))
    assert result.code == 2, (args, result.err)
    assert result.err.startswith(blame), result.err
    assert "Traceback" not in result.err
    assert tree(project / "build") == before
    assert not [p for p in project.iterdir() if ".aishellc-" in p.name]


@pytest.mark.parametrize("payload", INJECTIONS, ids=repr)
@pytest.mark.parametrize("template", HARNESS_TEMPLATES)
def test_harness_flag(project: Path, template: str, payload: str) -> None:
    spec = template.format(payload)
    _compile(project, None, "--harness", spec, blame="--harness: ")


@pytest.mark.parametrize("where", POSITIONS)
@pytest.mark.parametrize("payload", INJECTIONS, ids=repr)
@pytest.mark.parametrize("path", STRING_FIELDS, ids=lambda p: ".".join(map(str, p)))
def test_config_value(project: Path, path: tuple[Any, ...], payload: str, where: str) -> None:
    data = copy.deepcopy(full_config())
    _set(data, path, payload, where)
    _compile(project, data, blame=f"{CONFIG}:")


@pytest.mark.parametrize("where", POSITIONS)
@pytest.mark.parametrize("payload", INJECTIONS, ids=repr)
@pytest.mark.parametrize("path", KEY_FIELDS, ids=lambda p: ".".join(map(str, p)))
def test_config_key(project: Path, path: tuple[Any, ...], payload: str, where: str) -> None:
    data = copy.deepcopy(full_config())
    _rename(data, path, payload, where)
    if path == ("harnesses", "extra", "amp"):
        # Install the renamed harness, so only its name's grammar can stop it.
        data["harnesses"]["default"][1] = f"{_splice('amp', payload, where)}@1.0.0"
    _compile(project, data, blame=f"{CONFIG}:")


@pytest.mark.parametrize("payload", INJECTIONS, ids=repr)
def test_config_named_by_flag(project: Path, payload: str) -> None:
    # The same, with the config given as --config FILE and a harness default spec.
    data = copy.deepcopy(full_config())
    data["harnesses"]["default"] = [f"claude@2.1.3{payload}"]
    (project / "other.toml").write_text(dumps(data))
    _compile(project, None, "--config", "other.toml", blame="other.toml:")


def test_the_valid_values_compile(project: Path) -> None:
    # The rows above fail because of the payload alone: unchanged, the same config and
    # flags compile, and what they name reaches the output.
    result = run_cli_in(project, ".aishell/Dockerfile", "-o", "build", "--harness", "claude@1.2.3")
    assert result.code == 0, result.err
    runtime = (project / "build" / "runtime.Dockerfile").read_text()
    assert '"@anthropic-ai/claude-code@1.2.3"' in runtime
    manifest = (project / "build" / "manifest.json").read_text()
    assert "registry.example.com:5000/team/aishell:runtime-" in manifest
