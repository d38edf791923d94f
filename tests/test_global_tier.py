"""The global tier (``~/.aishell/Dockerfile`` built as ``aishell:base``): which tiers a
global edit rebuilds, how the file is found and named, and how it is checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aishellc.compiler.pipeline import CompileResult
from tests.compile_cases import OFFLINE_CONFIG, run_cli_in, tree
from tests.test_compile_hashes import changed, compile_in, hashes

GLOBAL = """\
FROM aishell:foundation
RUN apt-get update && apt-get install -y --no-install-recommends ripgrep
COPY bashrc.extra /tmp/bashrc.extra
RUN cat /tmp/bashrc.extra >> /etc/bash.bashrc
"""
ON_BASE = "FROM aishell:base\nRUN echo project\n"
ON_FOUNDATION = "FROM aishell:foundation\nRUN echo project\n"


def make(tmp_path: Path, dockerfile: str, global_file: str | None = GLOBAL) -> Path:
    """A project and, when ``global_file`` is given, a home folder holding it; HOME is
    pointed there by the ``home`` fixture."""
    root = tmp_path / "project"
    (root / ".aishell").mkdir(parents=True, exist_ok=True)
    (root / ".aishell" / "Dockerfile").write_text(dockerfile)
    (root / ".aishell" / "aishellc.toml").write_text(OFFLINE_CONFIG)
    if global_file is not None:
        folder = tmp_path / "home" / ".aishell"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "Dockerfile").write_text(global_file)
        (folder / "bashrc.extra").write_text("alias ll='ls -l'\n")
    return root


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    return folder


def names(result: CompileResult) -> list[str]:
    return [tier.name for tier in result.tiers]


# --- hashes ----------------------------------------------------------------------------


EDITS = [
    # (what is edited, the project's file, the tiers whose hash changes)
    ("global instruction", ON_BASE, {"base", "extension", "runtime"}),
    ("global instruction", ON_FOUNDATION, set()),
    ("file the global file copies", ON_BASE, {"base", "extension", "runtime"}),
    ("file the global file copies", ON_FOUNDATION, set()),
]


@pytest.mark.parametrize(("edit", "dockerfile", "expected"), EDITS)
def test_a_global_edit_rebuilds_only_what_builds_on_it(
    tmp_path: Path, home: Path, edit: str, dockerfile: str, expected: set[str]
) -> None:
    root = make(tmp_path, dockerfile)
    before = compile_in(root)
    if edit == "global instruction":
        (home / ".aishell" / "Dockerfile").write_text(GLOBAL + "RUN echo more\n")
    else:
        (home / ".aishell" / "bashrc.extra").write_text("alias la='ls -a'\n")
    after = compile_in(root)
    assert changed(before, after) == expected
    assert hashes(before)["foundation"] == hashes(after)["foundation"]


def test_a_comment_in_the_global_file_rebuilds_nothing(tmp_path: Path, home: Path) -> None:
    root = make(tmp_path, ON_BASE)
    before = compile_in(root)
    (home / ".aishell" / "Dockerfile").write_text("# my tools\n" + GLOBAL)
    assert changed(before, compile_in(root)) == set()


def test_a_harness_bump_with_a_global_file_rebuilds_only_the_runtime(tmp_path: Path) -> None:
    root = make(tmp_path, ON_BASE)
    before = compile_in(root, "claude@2.1.331")
    after = compile_in(root, "claude@2.1.332")
    assert changed(before, after) == {"runtime"}


@pytest.mark.parametrize(
    ("dockerfile", "tiers"),
    [
        (ON_BASE, ["foundation", "base", "extension", "runtime"]),
        # upstream's aishell:foundation skips the global tier: it is not built
        (ON_FOUNDATION, ["foundation", "extension", "runtime"]),
        # a stage on each: the extension needs both
        (
            "FROM aishell:foundation AS tools\nRUN echo t\nFROM aishell:base\n"
            "COPY --from=tools /etc/hostname /x\n",
            ["foundation", "base", "extension", "runtime"],
        ),
    ],
)
def test_the_chain_has_the_global_tier_when_the_project_builds_on_it(
    tmp_path: Path, dockerfile: str, tiers: list[str]
) -> None:
    result = compile_in(make(tmp_path, dockerfile))
    assert names(result) == tiers
    extension = result.tier("extension")
    built_on = set(extension.needs.values())
    assert built_on == ({"base"} if "base" in tiers else set()) | (
        {"foundation"} if "aishell:foundation" in dockerfile else set()
    )


def test_without_a_global_file_or_with_no_global_the_output_is_the_same(
    tmp_path: Path, home: Path
) -> None:
    root = make(tmp_path, ON_BASE)
    ignored = compile_in(root, no_global=True)
    (home / ".aishell" / "Dockerfile").unlink()
    absent = compile_in(root)
    assert names(absent) == ["foundation", "extension", "runtime"]
    assert ignored.files == absent.files
    assert "global" not in absent.manifest


def test_the_stage_strategy_builds_harnesses_from_the_foundation_alone(tmp_path: Path) -> None:
    result = compile_in(make(tmp_path, ON_BASE))
    runtime = result.tier("runtime")
    # the harness stage's base is the foundation's tag, which no global file changes
    assert runtime.needs[result.tier("foundation").tag] == "foundation"
    assert result.tier("base").tag not in runtime.build_args.values()


# --- naming: nothing of this machine ---------------------------------------------------


def test_the_output_names_the_global_file_from_home(tmp_path: Path) -> None:
    root = make(tmp_path, ON_BASE)
    result = compile_in(root)
    assert result.manifest["global"]["path"] == "~/.aishell/Dockerfile"
    base = result.manifest["tiers"]["base"]
    assert base["context"] == "~/.aishell"
    assert base["source"]["path"] == "~/.aishell/Dockerfile"
    assert [item["path"] for item in base["inputs"]] == ["bashrc.extra"]
    bake = result.files["docker-bake.json"].decode()
    assert '"context": "${HOME}/.aishell"' in bake
    assert '"HOME"' in bake
    for name, data in result.files.items():
        assert str(tmp_path).encode() not in data, name
    # bake reads strings as HCL templates: the inlined Dockerfile's ${...} are escaped
    inline = json.loads(bake)["target"]["base"]["dockerfile-inline"]
    assert "$${AISHELL_BASE}" in inline
    assert inline.replace("$${", "${") == result.files["base.Dockerfile"].decode()


def test_the_output_is_the_same_from_any_working_directory(tmp_path: Path) -> None:
    root = make(tmp_path, ON_BASE)
    (root / "sub").mkdir()
    pinned = ("--harness", "claude@1.0.0")  # AIS301's help names the path as given
    here = run_cli_in(root, "compile", ".aishell/Dockerfile", "-o", "build", *pinned)
    first = tree(root / "build")
    there = run_cli_in(root / "sub", "compile", "../.aishell/Dockerfile", "-o", "../build", *pinned)
    assert here.code == there.code == 0, here.err + there.err
    assert tree(root / "build") == first


def test_global_names_a_file_outside_home_from_the_project_root(tmp_path: Path) -> None:
    root = make(tmp_path, ON_BASE, global_file=None)
    (root / "team.Dockerfile").write_text("FROM aishell:foundation\nRUN echo team\n")
    result = compile_in(root, global_file="team.Dockerfile")
    assert result.manifest["global"]["path"] == "team.Dockerfile"
    assert result.manifest["tiers"]["base"]["context"] == "."


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--global", "missing.Dockerfile"], "missing.Dockerfile:1:1: --global: no such file"),
        (["--global", "x", "--no-global"], "--global and --no-global cannot be combined"),
    ],
)
def test_bad_global_flags_are_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    root = make(tmp_path, ON_BASE)
    for command in ("compile", "check"):
        extra = ["-o", "build"] if command == "compile" else []
        result = run_cli_in(root, command, ".aishell/Dockerfile", *extra, *args)
        assert result.code == 2, result.err
        assert message in result.err
        assert "Traceback" not in result.err
    assert not (root / "build").exists()


def test_a_parse_error_in_the_global_file_is_located_there(tmp_path: Path, home: Path) -> None:
    root = make(tmp_path, ON_BASE, global_file="FROM aishell:foundation\nRUN <<EOF\necho\n")
    result = run_cli_in(root, "compile", ".aishell/Dockerfile", "-o", "build")
    assert result.code == 2
    assert f"{home}/.aishell/Dockerfile:2:" in result.err
    assert "Traceback" not in result.err
    assert not (root / "build").exists()


# --- check: the global file is checked by the same rules -------------------------------

CHECKS = [
    # (global file, project file, codes reported in the global file, in the project)
    ("FROM aishell:foundation\nRUN claude --version\n", ON_BASE, ["AIS101"], []),
    ("FROM aishell:foundation\nONBUILD RUN echo x\n", ON_BASE, ["AIS202"], []),
    ("FROM aishell:foundation\nUSER developer\n", ON_BASE, ["AIS204"], []),
    ("FROM aishell:foundation\nRUN chown dev /opt\n", ON_BASE, ["AIS205"], []),
    # a user the global file creates is known to a project on aishell:base...
    (
        "FROM aishell:foundation\nRUN useradd --create-home dev\n",
        "FROM aishell:base\nRUN chown -R dev:dev /opt\n",
        [],
        [],
    ),
    # ...and not to one on aishell:foundation, which does not build on it
    (
        "FROM aishell:foundation\nRUN useradd --create-home dev\n",
        "FROM aishell:foundation\nRUN chown -R dev:dev /opt\n",
        [],
        ["AIS205", "AIS205"],
    ),
    ("FROM aishell:foundation\nRUN echo fine\n", ON_BASE, [], []),
]


@pytest.mark.parametrize(("global_file", "dockerfile", "in_global", "in_project"), CHECKS)
def test_check_and_compile_report_the_global_file_under_its_own_path(
    tmp_path: Path,
    home: Path,
    global_file: str,
    dockerfile: str,
    in_global: list[str],
    in_project: list[str],
) -> None:
    root = make(tmp_path, dockerfile, global_file)
    checked = run_cli_in(
        root, "check", "--format", "json", "--harness", "claude@1.0.0", ".aishell/Dockerfile"
    )
    found: dict[str, list[str]] = {}
    for record in json.loads(checked.out):
        found.setdefault(record["path"], []).append(record["code"])
    assert found.get(f"{home}/.aishell/Dockerfile", []) == in_global
    assert found.get(".aishell/Dockerfile", []) == in_project
    compiled = run_cli_in(
        root, "compile", ".aishell/Dockerfile", "-o", "build", "--harness", "claude@1.0.0"
    )
    if compiled.code == 0:
        manifest = json.loads((root / "build" / "manifest.json").read_text())
        in_manifest = [d["code"] for d in manifest["diagnostics"]]
        assert sorted(in_manifest) == sorted(in_global + in_project)
        named = {d["path"] for d in manifest["diagnostics"] if d["code"] in in_global}
        assert named <= {"~/.aishell/Dockerfile"}


# --- plan: the base tier is a tier like the others -------------------------------------

PLANS = [
    # (the edit between two compiles, the plan's lines for the tiers)
    (
        "global instruction",
        [
            "base: global Dockerfile instructions changed",
            "extension: base changed",
            "runtime: extension changed",
        ],
    ),
    (
        "global file added",
        [
            "base: not in the previous manifest",
            # the extension was on the foundation: its base record names another tier
            "extension: base changed",
            "runtime: extension changed",
        ],
    ),
]


@pytest.mark.parametrize(("edit", "lines"), PLANS)
def test_plan_explains_a_global_edit(
    tmp_path: Path, home: Path, edit: str, lines: list[str]
) -> None:
    pinned = ("--harness", "claude@1.0.0")
    root = make(tmp_path, ON_BASE, None if edit == "global file added" else GLOBAL)
    assert run_cli_in(root, "compile", ".aishell/Dockerfile", "-o", "old", *pinned).code == 0
    if edit == "global file added":
        make(tmp_path, ON_BASE, GLOBAL)
    else:
        (home / ".aishell" / "Dockerfile").write_text(GLOBAL + "RUN echo more\n")
    assert run_cli_in(root, "compile", ".aishell/Dockerfile", "-o", "build", *pinned).code == 0
    planned = run_cli_in(root, "plan", "build/manifest.json", "--previous", "old/manifest.json")
    assert planned.code == 0, planned.err
    assert planned.out.splitlines()[0].startswith("foundation: up to date (")
    assert planned.out.splitlines()[1:4] == lines
    # the command builds the base tier in this user's ~/.aishell
    assert ' "$HOME"/.aishell' in planned.out


def test_check_reports_the_global_file_once_for_several_projects(
    tmp_path: Path, home: Path
) -> None:
    root = make(tmp_path, ON_BASE, "FROM aishell:foundation\nRUN claude --version\n")
    (root / "other.Dockerfile").write_text(ON_FOUNDATION)
    checked = run_cli_in(
        root,
        "check",
        "--format",
        "json",
        "--harness",
        "claude@1.0.0",
        ".aishell/Dockerfile",
        "other.Dockerfile",
    )
    codes = [d["code"] for d in json.loads(checked.out) if d["path"].startswith(str(home))]
    assert codes == ["AIS101"]


def test_check_refuses_a_global_file_it_cannot_parse(tmp_path: Path, home: Path) -> None:
    root = make(tmp_path, ON_BASE, global_file="FROM aishell:foundation\nRUN <<EOF\necho\n")
    checked = run_cli_in(root, "check", ".aishell/Dockerfile")
    assert checked.code == 2
    assert f"{home}/.aishell/Dockerfile:2:1: unterminated heredoc" in checked.err
    assert "Traceback" not in checked.err


@pytest.mark.parametrize(
    ("ignore_file", "codes"),
    [
        # the context's .dockerignore applies to the global tier's build...
        (".dockerignore", ["AIS306"]),
        # ...one beside the global file does not (the build runs base.Dockerfile)
        ("Dockerfile.dockerignore", []),
    ],
)
def test_the_global_context_reads_the_ignore_file_its_build_reads(
    tmp_path: Path, home: Path, ignore_file: str, codes: list[str]
) -> None:
    root = make(tmp_path, ON_BASE)
    (home / ".aishell" / ignore_file).write_text("bashrc.extra\n")
    checked = run_cli_in(
        root, "check", "--format", "json", "--harness", "claude@1.0.0", ".aishell/Dockerfile"
    )
    found = [d["code"] for d in json.loads(checked.out) if d["path"].startswith(str(home))]
    assert found == codes


def test_an_output_folder_never_swallows_the_global_file(tmp_path: Path) -> None:
    root = make(tmp_path, ON_BASE)
    pin = ("--harness", "claude@2.1.3")
    # a global file kept in a folder aishellc wrote: replacing the folder would lose it
    assert run_cli_in(root, ".aishell/Dockerfile", "-o", "build", *pin).code == 0
    team = "FROM aishell:foundation\nRUN echo team\n"
    (root / "build" / "global.Dockerfile").write_text(team)
    swallowed = run_cli_in(
        root, ".aishell/Dockerfile", "-o", "build", "--global", "build/global.Dockerfile", *pin
    )
    assert swallowed.code == 2 and "would replace the global Dockerfile" in swallowed.err
    assert (root / "build" / "global.Dockerfile").read_text() == team
