"""The guards on the output folder decide on real paths (symlinks resolved) and the
replace step acts on exactly the folder they checked (DESIGN.md, "Output folder").

Regression (an adversarial run): ``ln -s . selflink; aishellc .aishell/Dockerfile -o
selflink`` with a ``manifest.json`` copied into the project root exited 0 and deleted the
project. Every row below is refused with exit 2, and nothing anywhere changes.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from aishellc.compiler.analysis import ProjectOptions
from aishellc.compiler.pipeline import CompileOptions, compile_dockerfile, write_output
from aishellc.context.dockerignore import IgnoreMatcher
from aishellc.context.ignore_literal import Inexpressible, literal_pattern
from aishellc.emit import output
from aishellc.errors import UserError
from tests.compile_cases import OFFLINE_CONFIG, run_cli_in
from tests.test_context_safety import everything

DOCKERFILE = "FROM aishell:base\nCOPY src/ /src/\n"
PIN = ("--harness", "claude@2.1.3")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """``outer/project``: compiled once into ``build/``, its manifest copied into the
    project root and into ``outer/`` and ``tmp_path`` (so that "is it ours" says yes
    everywhere: only the other guards stand between ``-o`` and the project)."""
    root = tmp_path / "outer" / "project"
    (root / ".aishell").mkdir(parents=True)
    (root / ".aishell" / "Dockerfile").write_text(DOCKERFILE)
    (root / ".aishell" / "aishellc.toml").write_text(OFFLINE_CONFIG)
    (root / "src").mkdir()
    (root / "src" / "main.py").write_text("print()\n")
    first = run_cli_in(root, ".aishell/Dockerfile", "-o", "build", *PIN)
    assert first.code == 0, first.err
    manifest = (root / "build" / "manifest.json").read_bytes()
    for folder in (root, root.parent, tmp_path, root / ".aishell"):
        (folder / "manifest.json").write_bytes(manifest)
    return root


Setup = Callable[[Path], None]


def links(*pairs: tuple[str, str]) -> Setup:
    def setup(root: Path) -> None:
        for name, target in pairs:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).symlink_to(target)

    return setup


def ours(folder: str) -> Setup:
    def setup(root: Path) -> None:
        (root / folder / "manifest.json").write_bytes((root / "manifest.json").read_bytes())

    return setup


def config_in(folder: str) -> Setup:
    def setup(root: Path) -> None:
        (root / folder).mkdir()
        (root / folder / "aishellc.toml").write_text(OFFLINE_CONFIG)
        ours(folder)(root)

    return setup


def dockerfile_in_build(root: Path) -> None:
    (root / "build" / "Dockerfile.real").write_text(DOCKERFILE)
    (root / ".aishell" / "Dockerfile").unlink()
    (root / ".aishell" / "Dockerfile").symlink_to("../build/Dockerfile.real")


def both(*setups: Setup) -> Setup:
    def setup(root: Path) -> None:
        for step in setups:
            step(root)

    return setup


CONTEXT = "the output folder would replace the build context (.)"
THE_DOCKERFILE = "the output folder would replace the Dockerfile (.aishell/Dockerfile)"

ROWS: list[tuple[str, Setup, list[str], str]] = [
    # (name, setup, arguments after the Dockerfile, expected message)
    ("link to the context", links(("selflink", ".")), ["-o", "selflink"], CONTEXT),
    ("link to its parent", links(("up", "..")), ["-o", "up"], CONTEXT),
    ("link to an ancestor", links(("top", "../..")), ["-o", "top"], CONTEXT),
    ("absolute link", lambda root: (root / "abs").symlink_to(root), ["-o", "abs"], CONTEXT),
    ("link chain", links(("a", "b"), ("b", "c"), ("c", ".")), ["-o", "a"], CONTEXT),
    ("'..' after a link", links(("lnk", ".aishell")), ["-o", "lnk/.."], CONTEXT),
    ("link in a subfolder", links(("deep/back", "../..")), ["-o", "deep/back"], CONTEXT),
    (
        "through a symlinked parent",
        links(("via", ".")),
        ["-o", "via/.aishell"],
        THE_DOCKERFILE,
    ),
    (
        "the Dockerfile's folder via ..",
        lambda root: None,
        ["-o", "src/../.aishell"],
        THE_DOCKERFILE,
    ),
    (
        "link to the Dockerfile's folder",
        links(("df", ".aishell")),
        ["-o", "df"],
        THE_DOCKERFILE,
    ),
    (
        "the Dockerfile links into the output",
        dockerfile_in_build,
        ["-o", "build"],
        THE_DOCKERFILE,
    ),
    (
        "link to the config's folder",
        both(config_in("conf"), links(("cl", "conf"))),
        ["-o", "cl", "--config", "conf/aishellc.toml"],
        "the output folder would replace the config file (conf/aishellc.toml)",
    ),
    (
        "link to the context given with --context",
        both(links(("ctx", "src")), ours("src")),
        ["-o", "ctx", "--context", "src"],
        "the output folder would replace the build context (src)",
    ),
]


@pytest.mark.parametrize(("name", "setup", "args", "expected"), ROWS, ids=[r[0] for r in ROWS])
def test_guards_decide_on_real_paths(
    root: Path, name: str, setup: Setup, args: list[str], expected: str
) -> None:
    setup(root)
    before = everything(root.parent.parent)
    result = run_cli_in(root, ".aishell/Dockerfile", *args, *PIN)
    assert result.code == 2, result.err
    assert expected in result.err, result.err
    assert everything(root.parent.parent) == before


# --- a link that changes after the check --------------------------------------------------


@pytest.fixture
def in_root(root: Path) -> Iterator[Path]:
    previous = Path.cwd()
    os.chdir(root)
    try:
        yield root
    finally:
        os.chdir(previous)


def repoint(root: Path) -> None:
    (root / "out").unlink()
    (root / "out").symlink_to(".")


def build_becomes_a_link(root: Path) -> None:
    (root / "build").rename(root / "old-build")
    (root / "build").symlink_to(".")


SWAPS: list[tuple[str, str, Setup]] = [
    # (name, -o, what changes between the check and the replace)
    ("a link re-pointed at the project", "out", repoint),
    ("the folder swapped for a link", "build", build_becomes_a_link),
]


@pytest.mark.parametrize(("name", "outdir", "change"), SWAPS, ids=[s[0] for s in SWAPS])
def test_a_link_that_changes_after_the_check_is_never_followed(
    in_root: Path, name: str, outdir: str, change: Setup
) -> None:
    root = in_root
    (root / "elsewhere").mkdir()
    (root / "out").symlink_to("elsewhere")
    result = compile_dockerfile(
        CompileOptions(".aishell/Dockerfile", outdir, ProjectOptions(harnesses=(PIN[1],)))
    )
    change(root)
    before = everything(root.parent.parent)
    with pytest.raises(UserError, match="the output folder changed while aishellc"):
        write_output(result)
    assert everything(root.parent.parent) == before


def test_a_swap_during_the_write_is_caught_at_the_rename(
    in_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The last moment: OUTDIR becomes a link after the temporary folder is written. The
    # rename acts on the entry itself (never through a link) and checks it first.
    root = in_root
    result = compile_dockerfile(
        CompileOptions(".aishell/Dockerfile", "build", ProjectOptions(harnesses=(PIN[1],)))
    )
    real_write = output._write_all

    def write_then_swap(folder: Path, files: dict[str, bytes]) -> None:
        real_write(folder, files)
        build_becomes_a_link(root)

    monkeypatch.setattr(output, "_write_all", write_then_swap)
    with pytest.raises(UserError, match="the output folder changed while aishellc"):
        write_output(result)
    assert (root / "build").is_symlink()
    assert (root / "src" / "main.py").read_text() == "print()\n"
    assert not [p for p in root.iterdir() if ".aishellc-" in p.name]


# --- "is it ours": a manifest.json of any shape ----------------------------------------

NOT_OURS: list[tuple[str, bytes]] = [
    ("compiler is a string", b'{"compiler": "aishellc"}'),
    ("null", b"null"),
    ("a list", b'[{"compiler": {"name": "aishellc"}}]'),
    ("a number", b"7"),
    ("compiler name is a list", b'{"compiler": {"name": ["aishellc"]}}'),
    ("another compiler", b'{"compiler": {"name": "other"}}'),
    ("100,000 nested lists", b"[" * 100_000),
    ("not JSON", b"\xff\xfe"),
]


@pytest.mark.parametrize(("name", "data"), NOT_OURS, ids=[n[0] for n in NOT_OURS])
def test_a_folder_whose_manifest_is_not_aishellcs_is_not_ours(
    tmp_path: Path, name: str, data: bytes
) -> None:
    # Regression: {"compiler": "aishellc"} crashed the check (exit 70).
    project = tmp_path / "project"
    (project / ".aishell").mkdir(parents=True)
    (project / ".aishell" / "Dockerfile").write_text("FROM aishell:base\n")
    (project / "out").mkdir()
    (project / "out" / "manifest.json").write_bytes(data)
    before = everything(tmp_path)
    result = run_cli_in(project, ".aishell/Dockerfile", "-o", "out", *PIN)
    assert result.code == 2, result.err
    assert "the output folder exists and was not written by aishellc" in result.err
    assert everything(tmp_path) == before


MARKERS: list[tuple[str, Callable[[Path], object]]] = [
    ("a FIFO", lambda path: os.mkfifo(path)),
    ("a link to /dev/zero", lambda path: path.symlink_to("/dev/zero")),
    ("a link to a real manifest", lambda path: path.symlink_to("../build/manifest.json")),
    ("too large", lambda path: path.write_bytes(b" " * (16 << 20) + b"{}")),
]


@pytest.mark.parametrize(("name", "make"), MARKERS, ids=[m[0] for m in MARKERS])
def test_only_a_regular_manifest_is_read(
    root: Path, name: str, make: Callable[[Path], object]
) -> None:
    # A FIFO would hang the check and /dev/zero would fill the memory: neither is read.
    (root / "out").mkdir()
    (root / "out" / "data.txt").write_text("keep\n")
    make(root / "out" / "manifest.json")
    result = run_cli_in(root, ".aishell/Dockerfile", "-o", "out", *PIN)
    assert result.code == 2, result.err
    assert "the output folder exists and was not written by aishellc" in result.err
    assert (root / "out" / "data.txt").read_text() == "keep\n"


# --- a mount point ----------------------------------------------------------------------


def _mount(args: list[str]) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount here: {done.stderr.strip()}")


@pytest.mark.parametrize("kind", ["tmpfs", "bind mount"])
def test_a_mount_point_is_refused_before_anything_is_touched(root: Path, kind: str) -> None:
    # Regression: renaming a mount point fails with EBUSY, every time, after the work.
    mount_point = root / "mnt"
    mount_point.mkdir()
    if kind == "tmpfs":
        _mount(["-t", "tmpfs", "tmpfs", str(mount_point)])
    else:
        (root / "bound").mkdir()
        _mount(["--bind", str(root / "bound"), str(mount_point)])
    try:
        before = everything(root.parent.parent)
        result = run_cli_in(root, ".aishell/Dockerfile", "-o", "mnt", *PIN)
        assert result.code == 2, result.err
        assert result.err.startswith("mnt:1:1: the output folder is a mount point"), result.err
        assert "help: pass a folder inside it with -o, e.g. mnt/build" in result.err
        assert everything(root.parent.parent) == before
        inside = run_cli_in(root, ".aishell/Dockerfile", "-o", "mnt/build", *PIN)
        assert inside.code == 0, inside.err
        assert (mount_point / "build" / "manifest.json").is_file()
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)


# --- the output folder inside the context: an exact ignore pattern --------------------

SIBLINGS = ["build", "buildx", "xbuild", "b", "a", "ab", "a b", ".aishell", "x"]
EXPRESSIBLE = [
    ".build",
    ".aishell/build",
    "a*b",
    "a?b",
    "[ab]",
    "a\\b",
    " lead",
    "trail ",
    "\ttab",
    "#hash",
    "in#side",
    "mid!dle",
    "caf\u00e9",
    "x]y",
    "**",
    "sub/ odd*[name]? ",
]


@pytest.mark.parametrize("name", EXPRESSIBLE)
def test_the_written_pattern_matches_exactly_that_folder(name: str) -> None:
    pattern = literal_pattern(name)
    matcher = IgnoreMatcher([pattern.matcher])
    others = [*SIBLINGS, name + "x", "x" + name, name.replace("b", "c"), name.strip()]
    assert matcher.matches(name)
    assert matcher.matches(f"{name}/inner/file.txt")
    for other in others:
        if other != name:
            assert not matcher.matches(other), (pattern, other)
    # BuildKit's reader (ignorefile.ReadAll) trims the line and reads "#" as a comment
    # (what BuildKit then matches is checked against the engine in tests/e2e).
    line = pattern.buildkit
    assert line == line.strip()
    assert not line.startswith(("#", "!"))
    assert "\n" not in line


@pytest.mark.parametrize(("name", "reason"), [("a\nb", "line break"), ("!x", "starts with '!'")])
def test_a_name_no_pattern_can_express_is_refused(name: str, reason: str) -> None:
    with pytest.raises(Inexpressible, match=reason):
        literal_pattern(name)


@pytest.mark.parametrize("outdir", [".build", ".aishell/build", "out put", "[x]", "a*b"])
def test_an_output_folder_with_an_odd_name_inside_the_context(root: Path, outdir: str) -> None:
    # Regression: "-o .aishell/build" and "-o .build" were refused ("cannot exclude safely").
    (root / ".aishell" / "Dockerfile").write_text("FROM aishell:base\nCOPY . /app/\n")
    (root / "manifest.json").unlink()
    first = run_cli_in(root, ".aishell/Dockerfile", "-o", outdir, *PIN)
    assert first.code == 0, first.err
    second = run_cli_in(root, ".aishell/Dockerfile", "-o", outdir, *PIN)
    assert second.code == 0, second.err
    manifest = (root / outdir / "manifest.json").read_text()
    assert f'"path": "{outdir}/' not in manifest  # its own files are not inputs
    ignore = (root / outdir / "extension.Dockerfile.dockerignore").read_text().splitlines()
    assert ignore[-2] == literal_pattern(outdir).buildkit
