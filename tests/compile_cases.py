"""The compile golden cases under ``tests/golden/compile/<case>/`` and how to run one.

A case folder holds:

- ``Dockerfile``: the user's file; it is compiled as ``.aishell/Dockerfile`` of a fresh
  project folder, so the default build context (the project root) is exercised;
- ``args`` (optional): extra command-line flags, one per line;
- ``context/`` (optional): files of the project root (the build context);
- ``aishellc.toml`` (optional): the configuration, placed at ``.aishell/aishellc.toml``
  (the default config path); without it the shared ``tests/golden/compile/aishellc.toml``
  (no GitHub downloads) is placed there;
- ``aishellc.lock`` (optional): the harness lock, placed next to the Dockerfile;
- ``npmrc`` (optional): the user's ``.npmrc``, as ``~/.npmrc`` of a home folder beside the
  project (``HOME`` points there while every case compiles, so the machine's own
  ``~/.aishell/Dockerfile`` never reaches a golden);
- ``global/`` (optional): the user's ``~/.aishell`` folder (the global Dockerfile and its
  context), placed in that home folder;
- ``expected/``: every file of the output folder, byte for byte.

The compile runs with the project folder as the current directory and a fixed, relative
command line, ``aishellc .aishell/Dockerfile -o build <args>``, so nothing about the
machine can reach the output.
"""

from __future__ import annotations

import ctypes
import io
import os
import shutil
import sys
import tempfile
from pathlib import Path

import attrs

from aishellc.cli import run

GOLDEN = Path(__file__).resolve().parent / "golden" / "compile"
SHARED_CONFIG = GOLDEN / "aishellc.toml"
OUTDIR = "build"
DOCKERFILE = ".aishell/Dockerfile"
# A small foundation for tests that compile without comparing to a golden: no GitHub
# downloads, gosu from Debian.
OFFLINE_CONFIG = """\
[foundation]
tools = []
sqlite = false
apt_packages = ["bash", "ca-certificates", "gosu", "sudo"]
"""


def case_names() -> list[str]:
    return sorted(p.name for p in GOLDEN.iterdir() if (p / "Dockerfile").is_file())


@attrs.frozen
class Run:
    code: int
    out: str
    err: str
    project: Path

    @property
    def outdir(self) -> Path:
        return self.project / OUTDIR


def case_args(case: Path) -> list[str]:
    path = case / "args"
    if not path.is_file():
        return []
    return [line for line in path.read_text().splitlines() if line]


def make_project(case: Path, project: Path) -> Path:
    """Lay out a case as a project folder (see the module docs)."""
    project.mkdir(parents=True, exist_ok=True)
    context = case / "context"
    if context.is_dir():
        shutil.copytree(context, project, symlinks=True, dirs_exist_ok=True)
    (project / ".aishell").mkdir(exist_ok=True)
    shutil.copyfile(case / "Dockerfile", project / DOCKERFILE)
    config = case / "aishellc.toml"
    shutil.copyfile(
        config if config.is_file() else SHARED_CONFIG, project / ".aishell" / "aishellc.toml"
    )
    lock = case / "aishellc.lock"
    if lock.is_file():
        shutil.copyfile(lock, project / ".aishell" / "aishellc.lock")
    return project


def run_cli_in(project: Path, *args: str) -> Run:
    """Run the command line with ``project`` as the current directory."""
    out, err = io.StringIO(), io.StringIO()
    previous = Path.cwd()
    os.chdir(project)
    try:
        code = run(list(args), out, err)
    finally:
        os.chdir(previous)
    return Run(code, out.getvalue(), err.getvalue(), project)


def compile_case(case: Path, project: Path, *extra: str) -> Run:
    make_project(case, project)
    return run_case_cli(case, project, DOCKERFILE, "-o", OUTDIR, *case_args(case), *extra)


def run_case_cli(case: Path, project: Path, *args: str) -> Run:
    """:func:`run_cli_in` as the case's user: with its ``npmrc`` as ``~/.npmrc`` and its
    ``global/`` as ``~/.aishell``, in a home folder of its own."""
    home = project.parent / f"{project.name}-home"
    home.mkdir(exist_ok=True)
    npmrc = case / "npmrc"
    if npmrc.is_file():
        shutil.copyfile(npmrc, home / ".npmrc")
    global_folder = case / "global"
    if global_folder.is_dir():
        shutil.copytree(global_folder, home / ".aishell", symlinks=True, dirs_exist_ok=True)
    saved = {name: os.environ.get(name) for name in ("HOME", "NPM_CONFIG_USERCONFIG")}
    os.environ["HOME"] = str(home)
    os.environ.pop("NPM_CONFIG_USERCONFIG", None)
    try:
        return run_cli_in(project, *args)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (relative ``/`` names) and its bytes."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def system_can_exchange(folder: Path) -> bool:
    """Whether this system swaps two folders in ``folder`` atomically (Linux
    ``renameat2(RENAME_EXCHANGE)``), found out here and not by asking the code under test:
    a test that skips where the output step says it cannot exchange would also skip when
    the output step wrongly stops using the exchange."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    if not hasattr(libc, "renameat2"):
        return False
    with tempfile.TemporaryDirectory(dir=folder) as scratch:
        first, second = Path(scratch, "first"), Path(scratch, "second")
        first.mkdir()
        second.mkdir()
        (first / "marker").touch()
        at_cwd, exchange = ctypes.c_int(-100), ctypes.c_uint(2)  # AT_FDCWD, RENAME_EXCHANGE
        if libc.renameat2(at_cwd, bytes(first), at_cwd, bytes(second), exchange) != 0:
            return False
        return (second / "marker").exists() and not (first / "marker").exists()
