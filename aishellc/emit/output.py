"""Replacing the output folder atomically: all the new files or none of them.

:func:`replace_folder` writes every file into a fresh temporary folder next to OUTDIR (same
parent, so the same file system), fsyncs the files and folders, then swaps it in:

1. no OUTDIR yet: rename the temporary folder to OUTDIR;
2. OUTDIR exists: rename it aside (``.OUTDIR.aishellc-old-*``), rename the new folder in,
   then delete the old one. If the second rename fails the old folder is renamed back.

Between the two renames of step 2 OUTDIR is briefly absent (Linux's ``RENAME_EXCHANGE``
would close that gap, but Python has no portable way to ask for it); it never holds a mix
of old and new files. On any error before the swap the temporary folder is removed and
OUTDIR is exactly as it was. A symlink named OUTDIR is kept: the folder it points at is
replaced.

Refused (a :class:`~aishellc.errors.UserError`, OUTDIR untouched): OUTDIR is a file; it is
a non-empty folder that aishellc did not write (no ``manifest.json`` naming aishellc), so a
mistyped ``-o src`` cannot delete a project folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from aishellc.errors import Location, UserError

MARKER = "manifest.json"


def check_output_folder(outdir: str) -> None:
    """Fail early (before any work) if ``outdir`` cannot be our output folder."""
    target = Path(outdir)
    where = Location(outdir)
    if target.is_symlink() and not target.exists():
        raise UserError("the output folder is a broken symlink", where)
    if target.exists() and not target.is_dir():
        raise UserError(
            "the output path exists and is not a folder",
            where,
            help="pass a folder with -o (it is created or replaced)",
        )
    if target.is_dir() and not _is_ours(target):
        raise UserError(
            "the output folder exists and was not written by aishellc; refusing to replace it",
            where,
            help="pass an empty or new folder with -o, or one aishellc wrote before",
        )


def _is_ours(folder: Path) -> bool:
    try:
        entries = list(folder.iterdir())
    except OSError as exc:
        raise UserError(
            f"cannot read the output folder: {(exc.strerror or str(exc)).lower()}",
            Location(str(folder)),
        ) from None
    if not entries:
        return True
    try:
        data = json.loads((folder / MARKER).read_bytes())
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("compiler", {}).get("name") == "aishellc"


def replace_folder(outdir: str, files: Mapping[str, bytes]) -> None:
    """Make ``outdir`` hold exactly ``files`` (relative ``/``-separated names)."""
    check_output_folder(outdir)
    target = Path(outdir).resolve() if Path(outdir).is_symlink() else Path(outdir).absolute()
    parent = target.parent
    where = Location(outdir)
    try:
        parent.mkdir(parents=True, exist_ok=True)
        temporary = Path(tempfile.mkdtemp(prefix=f".{target.name}.aishellc-new-", dir=parent))
    except OSError as exc:
        raise UserError(f"cannot write the output folder: {_reason(exc)}", where) from None
    try:
        _write_all(temporary, files)
        _swap(temporary, target)
    except BaseException as exc:
        shutil.rmtree(temporary, ignore_errors=True)
        if isinstance(exc, OSError):
            raise UserError(f"cannot write the output folder: {_reason(exc)}", where) from None
        raise
    _fsync_dir(parent)


def _write_all(folder: Path, files: Mapping[str, bytes]) -> None:
    mask = _umask()
    folder.chmod(0o777 & ~mask)
    made = {folder}
    for name in sorted(files):
        path = folder.joinpath(*name.split("/"))
        if folder not in path.parents:
            raise ValueError(f"output file name leaves the folder: {name!r}")
        for directory in reversed(path.parents):
            if folder in directory.parents and directory not in made:
                directory.mkdir(mode=0o777 & ~mask)
                made.add(directory)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 & ~mask)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(files[name])
            handle.flush()
            os.fsync(handle.fileno())
    for directory in made:
        _fsync_dir(directory)


def _swap(new: Path, target: Path) -> None:
    if not target.exists():
        new.rename(target)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.aishellc-old-", dir=target.parent))
    old.rmdir()  # a unique name for the old folder to move to
    target.rename(old)
    try:
        new.rename(target)
    except BaseException:
        old.rename(target)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _reason(exc: OSError) -> str:
    text = (exc.strerror or str(exc)).lower()
    return f"{text}: {exc.filename}" if exc.filename else text
