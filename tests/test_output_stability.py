"""The output folder is the same bytes whatever the working directory and however ``-o``
(and the Dockerfile) are spelt: every path in it is relative to the project root."""

from __future__ import annotations

import hashlib
import json
import posixpath
from pathlib import Path

import pytest

from tests.compile_cases import GOLDEN, case_args, make_project, run_cli_in, tree

CASES = ["default-harness", "dockerignore", "legacy", "locked"]

# (name, working directory under the project ("/" is the file system's root), the
# Dockerfile, -o, extra flags); {root} is the project's absolute path, {link} a symlink to
# it, {rel} the project's path relative to "/".
SPELLINGS: list[tuple[str, str, str, str, tuple[str, ...]]] = [
    ("root, -o ./build/", ".", ".aishell/Dockerfile", "./build/", ()),
    ("root, absolute -o", ".", ".aishell/Dockerfile", "{root}/build", ()),
    ("root, absolute Dockerfile", ".", "{root}/.aishell/Dockerfile", "build", ()),
    ("from .aishell/", ".aishell", "Dockerfile", "../build", ()),
    ("from .aishell/, absolute -o", ".aishell", "Dockerfile", "{root}/build/", ()),
    ("from .aishell/, --context ..", ".aishell", "Dockerfile", "../build", ("--context", "..")),
    ("from /, absolute", "/", "{root}/.aishell/Dockerfile", "{root}/build", ()),
    ("from /, relative", "/", "{rel}/.aishell/Dockerfile", "{rel}/build", ()),
    ("through a symlink to the project", ".", "{link}/.aishell/Dockerfile", "{link}/build", ()),
    ("--context spelt absolute", ".", ".aishell/Dockerfile", "build", ("--context", "{root}")),
]


def _compile(project: Path, case: str, cwd: str, *args: str) -> dict[str, bytes]:
    link = project.parent / "link"
    if not link.exists():
        link.symlink_to(project)
    names = {"root": str(project), "link": str(link), "rel": str(project).lstrip("/")}
    where = Path("/") if cwd == "/" else project / cwd
    spelt = [arg.format(**names) for arg in args]
    result = run_cli_in(where, *spelt, *case_args(GOLDEN / case))
    assert result.code == 0, result.err
    return tree(project / "build")


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize(
    ("name", "cwd", "dockerfile", "outdir", "extra"), SPELLINGS, ids=[s[0] for s in SPELLINGS]
)
def test_the_output_folder_is_the_same_bytes(
    tmp_path: Path,
    case: str,
    name: str,
    cwd: str,
    dockerfile: str,
    outdir: str,
    extra: tuple[str, ...],
) -> None:
    project = make_project(GOLDEN / case, tmp_path / "project")
    reference = _compile(project, case, ".", ".aishell/Dockerfile", "-o", "build")
    spelt = _compile(project, case, cwd, dockerfile, "-o", outdir, *extra)
    assert sorted(spelt) == sorted(reference)
    for file in reference:
        assert spelt[file] == reference[file], file
        assert str(tmp_path).encode() not in spelt[file], file


@pytest.mark.parametrize("case", CASES)
def test_paths_are_relative_to_the_project_root(tmp_path: Path, case: str) -> None:
    project = make_project(GOLDEN / case, tmp_path / "project")
    # From .aishell/ with an absolute -o: nothing of the way aishellc was called shows.
    files = _compile(project, case, ".aishell", "Dockerfile", "-o", f"{project}/build")
    manifest = json.loads(files["manifest.json"])
    bake = json.loads(files["docker-bake.json"])
    assert manifest["source"]["path"] == ".aishell/Dockerfile"
    assert {d["path"] for d in manifest["diagnostics"]} <= {".aishell/Dockerfile"}
    contexts = {"foundation": "build/foundation", "extension": ".", "runtime": "build"}
    for tier, entry in manifest["tiers"].items():
        assert entry["dockerfile"] == f"build/{tier}.Dockerfile"
        assert entry["context"] == contexts[tier]
        # bake resolves a target's context from where it runs (the project root) and its
        # dockerfile from the context
        target = bake["target"][tier]
        assert target["context"] == contexts[tier]
        from_context = posixpath.join(target["context"], target["dockerfile"])
        assert posixpath.normpath(from_context) == entry["dockerfile"]
    assert b"from .aishell/Dockerfile (sha256 " in files["extension.Dockerfile"]


# --- the manifest records each Dockerfile's sha256 and the image to run ------------------

GOLDEN_MANIFESTS = sorted(GOLDEN.glob("*/expected/manifest.json"))


@pytest.mark.parametrize("path", GOLDEN_MANIFESTS, ids=lambda p: p.parts[-3])
def test_each_tier_records_its_dockerfiles_sha256(path: Path) -> None:
    manifest = json.loads(path.read_text())
    for tier, entry in manifest["tiers"].items():
        written = path.parent / posixpath.basename(entry["dockerfile"])
        assert entry["dockerfile_sha256"] == hashlib.sha256(written.read_bytes()).hexdigest(), tier


FINAL = [
    # (layout flag, the tier whose tag is the image to run)
    ((), "runtime"),
    (("--harness-strategy", "inline"), "runtime"),
    (("--legacy",), "extension"),
]


@pytest.mark.parametrize(("flags", "tier"), FINAL, ids=["three-tier", "inline", "legacy"])
def test_final_is_the_tag_to_run(tmp_path: Path, flags: tuple[str, ...], tier: str) -> None:
    project = make_project(GOLDEN / "simple", tmp_path / "project")
    result = run_cli_in(project, ".aishell/Dockerfile", "-o", "build", *flags, "--format", "json")
    assert result.code == 0, result.err
    manifest = json.loads((project / "build" / "manifest.json").read_text())
    assert manifest["final"] == manifest["tiers"][tier]["tag"]
    assert manifest["build_order"][-1] == tier
    assert json.loads(result.out)["final"] == manifest["final"]
