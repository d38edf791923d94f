"""Context safety, end to end: what ``aishellc compile`` reads and writes on disk.

Every ``open``, every folder listing and every symlink-following ``stat`` of a compile is
recorded. Hashing the build context must never follow a symlink out of it (a link *inside*
a copied folder is hashed as a link; a link *named* as a source, or met on the way to one,
that leads out is refused), never open a file ``.dockerignore`` excludes, and never list
an excluded folder that no ``!`` pattern can re-include (it may be huge, or unreadable), and
never read a file swapped in between the check and the open (a context file is opened
without following symlinks and must be the file that was checked). A file name that is not
UTF-8 is hashed, not a crash. Writing must touch nothing but OUTDIR, and an output file
name can never lead out of it.

Refusing FIFOs, sockets and devices, and a clear error for an unreadable context file, are
tested in ``tests/test_compile_misuse.py`` (``FIFO in the context``,
``test_a_socket_in_the_context_is_refused``, ``test_a_device_in_the_context_is_refused``,
``test_an_unreadable_context_file_is_refused``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aishellc.emit.output import check_output_folder, replace_folder
from tests.compile_cases import OFFLINE_CONFIG, run_cli_in

IGNORE = "*.key\npipe\nignored-dir\n!ignored-dir/keep.txt\ncache\n"


@pytest.fixture
def layout(tmp_path: Path) -> tuple[Path, Path]:
    """``(project, outside)``: a project whose context has links leading out, ignored
    files (one a FIFO, which would hang a blocking open), and a folder next to it."""
    outside = tmp_path / "outside"
    (outside / "dir").mkdir(parents=True)
    (outside / "secret.txt").write_text("outside the context\n")
    (outside / "dir" / "secret.txt").write_text("outside the context\n")
    project = tmp_path / "project"
    (project / ".aishell").mkdir(parents=True)
    (project / ".aishell" / "aishellc.toml").write_text(OFFLINE_CONFIG)
    (project / ".dockerignore").write_text(IGNORE)
    (project / "app").mkdir()
    (project / "app" / "main.py").write_text("print('hi')\n")
    (project / "app" / "out-abs").symlink_to(outside / "secret.txt")
    (project / "app" / "out-rel").symlink_to("../../outside/secret.txt")
    (project / "app" / "out-dir").symlink_to("../../outside/dir")
    (project / "app" / "in").symlink_to("main.py")
    (project / "id.key").write_text("ignored\n")
    os.mkfifo(project / "pipe")
    (project / "ignored-dir").mkdir()
    (project / "ignored-dir" / "other.txt").write_text("ignored\n")
    (project / "ignored-dir" / "keep.txt").write_text("re-included\n")
    (project / "cache" / "deep").mkdir(parents=True)
    (project / "cache" / "deep" / "blob.bin").write_bytes(b"ignored\n")
    return project, outside


class Spy:
    """Paths a compile opens, lists, and stats following symlinks."""

    def __init__(self) -> None:
        self.opened: list[str] = []
        self.listed: list[str] = []
        self.followed: list[str] = []

    def resolved(self) -> Iterator[Path]:
        for name in [*self.opened, *self.listed, *self.followed]:
            yield Path(os.path.realpath(name))


def _absolute(path: Any) -> str:
    # At the time of the call: the compile runs in the project folder, the checks do not.
    return str(Path.cwd() / os.fsdecode(path))


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Spy:
    found = Spy()
    real_open, real_stat = os.open, os.stat
    real_listdir, real_scandir = os.listdir, os.scandir

    def spy_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if kwargs.get("dir_fd") is None:
            found.opened.append(_absolute(path))
        return real_open(path, flags, *args, **kwargs)

    def spy_stat(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        following = kwargs.get("follow_symlinks", True) and kwargs.get("dir_fd") is None
        if following and not isinstance(path, int):
            found.followed.append(_absolute(path))
        return real_stat(path, *args, **kwargs)

    def spy_listdir(path: Any = ".") -> list[Any]:
        if not isinstance(path, int):
            found.listed.append(_absolute(path))
        return real_listdir(path)

    def spy_scandir(path: Any = ".") -> Any:
        if not isinstance(path, int):
            found.listed.append(_absolute(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "open", spy_open)
    monkeypatch.setattr(os, "stat", spy_stat)
    monkeypatch.setattr(os, "listdir", spy_listdir)
    monkeypatch.setattr(os, "scandir", spy_scandir)
    return found


def compile_with(project: Path, dockerfile: str) -> Any:
    (project / ".aishell" / "Dockerfile").write_text(dockerfile)
    return run_cli_in(project, ".aishell/Dockerfile", "-o", "build")


def assert_never_left(spy: Spy, project: Path, outside: Path) -> None:
    for path in spy.resolved():
        assert outside not in path.parents and path != outside, f"followed out: {path}"
    opened = {Path(p).resolve() for p in spy.opened}
    for name in ("id.key", "pipe", "ignored-dir/other.txt", "cache/deep/blob.bin"):
        assert project / name not in opened, name
    listed = {Path(p).resolve() for p in spy.listed}
    for name in ("cache", "cache/deep"):
        assert project / name not in listed, name


def test_copying_folders_reads_only_the_context(layout: tuple[Path, Path], spy: Spy) -> None:
    project, outside = layout
    result = compile_with(project, "FROM aishell:base\nCOPY app/ /app/\nCOPY . /src/\n")
    assert result.code == 0, result.err
    assert_never_left(spy, project, outside)
    assert any(p.endswith("app/main.py") for p in spy.opened)  # the spy sees the reads
    assert project / "ignored-dir" in {Path(p).resolve() for p in spy.listed}  # and listings
    manifest = json.loads((project / "build" / "manifest.json").read_text())
    inputs = {item["path"]: item for item in manifest["tiers"]["extension"]["inputs"]}
    for link in ("app/out-abs", "app/out-rel", "app/out-dir", "app/in"):
        assert inputs[link]["type"] == "symlink", link
    assert "ignored-dir/keep.txt" in inputs
    assert not {"id.key", "pipe", "ignored-dir/other.txt", "cache/deep/blob.bin"} & set(inputs)


REFUSED = [
    ("COPY app/out-abs /x", "symlink app/out-abs -> "),
    ("COPY app/out-rel /x", "symlink app/out-rel -> ../../outside/secret.txt points out"),
    ("COPY app/out-dir/secret.txt /x", "symlink app/out-dir -> ../../outside/dir points out"),
    ("ADD app/out-* /x/", "points out of the build context"),
    ("RUN --mount=type=bind,source=app/out-dir,target=/x true", "points out of the build"),
    ("COPY id.key /x", "is excluded by .dockerignore"),
    ("COPY ignored-dir/other.txt /x", "is excluded by .dockerignore"),
    ("COPY pipe /x", "is excluded by .dockerignore"),
]


@pytest.mark.parametrize(("line", "message"), REFUSED, ids=[r[0] for r in REFUSED])
def test_sources_leading_out_or_ignored_are_refused_unread(
    layout: tuple[Path, Path], spy: Spy, line: str, message: str
) -> None:
    project, outside = layout
    result = compile_with(project, f"FROM aishell:base\n{line}\n")
    assert result.code == 1, result.err  # an error diagnostic (AIS304, AIS306)
    assert "\n.aishell/Dockerfile:2:" in result.err, result.err
    assert message in result.err, result.err
    assert_never_left(spy, project, outside)
    assert not (project / "build").exists()


def everything(root: Path) -> dict[str, bytes | str]:
    """Every entry below ``root``: file bytes, or the target of a link, or "dir"."""
    found: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        name = path.relative_to(root).as_posix()
        if path.is_symlink():
            found[name] = f"-> {path.readlink()}"
        elif path.is_file():
            found[name] = path.read_bytes()
        elif path.is_dir():
            found[name] = "dir"
    return found


@pytest.mark.parametrize("through_link", [False, True])
def test_compile_writes_nothing_but_outdir(layout: tuple[Path, Path], through_link: bool) -> None:
    project, _ = layout
    (project / "pipe").unlink()  # rglob would stat it; it plays no part here
    if through_link:
        (project.parent / "elsewhere").mkdir()
        (project / "build").symlink_to("../elsewhere")
    out = project.parent / "elsewhere" if through_link else project / "build"
    for attempt in range(2):  # a new folder, then a replaced one
        dockerfile = f"FROM aishell:base\nCOPY app/ /app/\nRUN echo {attempt}\n"
        (project / ".aishell" / "Dockerfile").write_text(dockerfile)
        before = {
            k: v for k, v in everything(project.parent).items() if not _in_output(k, through_link)
        }
        result = run_cli_in(project, ".aishell/Dockerfile", "-o", "build")
        assert result.code == 0, result.err
        after = {
            k: v for k, v in everything(project.parent).items() if not _in_output(k, through_link)
        }
        assert after == before
        assert (out / "manifest.json").is_file()


def _in_output(name: str, through_link: bool) -> bool:
    top = "elsewhere" if through_link else "project/build"
    return name == top or name.startswith(top + "/")


@pytest.mark.parametrize(
    "name",
    ["../escape", "/tmp/escape", "a/../../escape", "foundation/../../escape", "..", "a//b", "./a"],
)
def test_an_output_name_cannot_leave_outdir(tmp_path: Path, name: str) -> None:
    # Regression: the check used Path.parents, which keeps "..": "../escape" passed it (the
    # write then failed on mkdir, by luck, with "file exists") and "/tmp/escape" was
    # written as OUTDIR/tmp/escape.
    outdir = str(tmp_path / "out")
    manifest = b'{"compiler": {"name": "aishellc"}}'
    replace_folder(check_output_folder(outdir), {"manifest.json": manifest})
    before = everything(tmp_path)
    with pytest.raises(ValueError, match="leaves the folder"):
        replace_folder(check_output_folder(outdir), {"manifest.json": b"{}", name: b"escaped"})
    assert everything(tmp_path) == before


# "symlink to itself" links to a hard link of the checked file: the same file, yet Docker
# would copy a symlink there, so it is refused too (only O_NOFOLLOW can tell).
@pytest.mark.parametrize(
    "swap_in", ["symlink out", "symlink in", "symlink to itself", "another file"]
)
def test_a_file_swapped_after_the_check_is_never_read(
    layout: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, swap_in: str
) -> None:
    # Regression: the file was checked with lstat, then opened following links, so a
    # symlink swapped in between was followed out of the context.
    project, outside = layout
    target = project / "app" / "main.py"
    real_open = os.open
    swaps: list[str] = []

    def swap_then_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if Path(_absolute(path)) == target and not swaps:
            swaps.append(swap_in)
            swapped = project / "app" / "swapped"  # made while the checked file exists
            if swap_in == "symlink out":
                swapped.symlink_to(outside / "secret.txt")
            elif swap_in == "symlink in":
                swapped.symlink_to("../id.key")
            elif swap_in == "symlink to itself":
                (project / "app" / "hard").hardlink_to(target)
                swapped.symlink_to("hard")
            else:
                swapped.write_text("print('swapped')\n")
            swapped.rename(target)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", swap_then_open)
    result = compile_with(project, "FROM aishell:base\nCOPY app/main.py /app/\n")
    assert result.code == 2, result.err
    assert result.err.startswith(".aishell/Dockerfile:2:"), result.err
    assert "context file app/main.py changed while it was read" in result.err
    assert swaps, "the swap never happened: the test tests nothing"
    assert not (project / "build").exists()


NAMES = [
    (b"caf\xe9.txt", {"path": "data/caf\\xe9.txt", "path_bytes": b"data/caf\xe9.txt".hex()}),
    (b"caf\xe8.txt", {"path": "data/caf\\xe8.txt", "path_bytes": b"data/caf\xe8.txt".hex()}),
    (b"caf\\xe9.txt", {"path": "data/caf\\xe9.txt"}),  # a real backslash: plain UTF-8
    ("café.txt".encode(), {"path": "data/café.txt"}),
]


def test_file_names_that_are_not_utf8_are_hashed_unambiguously(tmp_path: Path) -> None:
    # Regression: a name that is not UTF-8 inside a copied folder crashed the compile
    # (exit 70) writing the manifest.
    hashes = set()
    for index, (name, expected) in enumerate(NAMES):
        project = tmp_path / str(index)
        (project / ".aishell").mkdir(parents=True)
        (project / ".aishell" / "aishellc.toml").write_text(OFFLINE_CONFIG)
        (project / "data").mkdir()
        Path(os.fsdecode(os.fsencode(project / "data") + b"/" + name)).write_bytes(b"same\n")
        result = compile_with(project, "FROM aishell:base\nCOPY data /d/\n")
        assert result.code == 0, result.err
        manifest = json.loads((project / "build" / "manifest.json").read_text())
        extension = manifest["tiers"]["extension"]
        [record] = extension["inputs"]
        assert {k: v for k, v in record.items() if k.startswith("path")} == expected
        hashes.add(extension["hash"])
    assert len(hashes) == len(NAMES)
