"""Replacing the output folder atomically: all the new files or none of them.

:func:`replace_folder` writes every file into a fresh temporary folder next to OUTDIR (same
parent, so the same file system), fsyncs the files and folders, then swaps it in:

1. no OUTDIR yet: rename the temporary folder to OUTDIR;
2. OUTDIR exists: on Linux, exchange the two folders in one step (``renameat2`` with
   ``RENAME_EXCHANGE``), then delete the temporary name, which now holds the old output;
3. where that is not available (another system, an old kernel or libc, a file system
   without it): rename OUTDIR aside (``.OUTDIR.aishellc-old-*``), rename the new folder
   in, then delete the old one. If the second rename fails the old folder is renamed back.

With the exchange, OUTDIR always holds either the complete old output or the complete new
one, even if the process is killed at any point. In the fallback, OUTDIR is briefly absent
between the two renames; it never holds a mix of old and new files. On any error before
the swap the temporary folder is removed and OUTDIR is exactly as it was. A process killed
before it could clean up leaves a temporary folder beside OUTDIR; the next compile ignores
it. A symlink named OUTDIR is kept: the folder it points at is replaced.

Refused (a :class:`~aishellc.errors.UserError`, OUTDIR untouched): OUTDIR is a file; it is
a non-empty folder that aishellc did not write (no ``manifest.json`` naming aishellc), so a
mistyped ``-o src`` cannot delete a project folder.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import shutil
import sys
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
    for name in files:
        # Checked by name, not with Path.parents, which does not resolve "..".
        if any(part in ("", ".", "..") for part in name.split("/")):
            raise ValueError(f"output file name leaves the folder: {name!r}")
    mask = _umask()
    folder.chmod(0o777 & ~mask)
    made = {folder}
    for name in sorted(files):
        path = folder.joinpath(*name.split("/"))
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


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
# renameat2 errors that mean "not here" (no such call, or not on this file system).
_NO_EXCHANGE = frozenset({errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP})


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2(RENAME_EXCHANGE)``); False where the
    system cannot, so the caller falls back to two renames."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes += [ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE):
        code = ctypes.get_errno()
        if code in _NO_EXCHANGE:
            return False
        raise OSError(code, os.strerror(code), str(second))
    return True


def _swap(new: Path, target: Path) -> None:
    if not target.exists():
        new.rename(target)
        return
    if _exchange(new, target):
        shutil.rmtree(new, ignore_errors=True)  # the old output, under the temporary name
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
