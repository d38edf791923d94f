"""Replacing the output folder atomically: all the new files or none of them.

:func:`check_output_folder` decides, before any work, which real folder ``-o`` names: the
path with every symlink resolved (a symlink named OUTDIR is kept, and the folder it points
at is replaced). Every guard decides on that resolved folder, and the replace step acts on
exactly it: it opens the parent folder once and does every rename relative to it, after
checking that the parent and OUTDIR are still the ones that were checked (same device and
inode). A link swapped in after the check is never followed; the compile is refused.

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
the swap the temporary folder is removed and OUTDIR is exactly as it was.

A process killed before it could clean up leaves ``.OUTDIR.aishellc-new-*`` or ``-old-*``
beside OUTDIR. The next replace deletes those that are provably such leftovers: a real
folder (not a link) of this user, named exactly so, holding only names aishellc writes,
and not locked (each compile holds a ``flock`` on its own temporary folders while it
works, so a compile running in parallel keeps its own). The compile never counts them:
:func:`leftover_prefix` names them for the build context's ignore rules.

Refused (a :class:`~aishellc.errors.UserError`, OUTDIR untouched): OUTDIR is a file or a
broken link; it is a non-empty folder that aishellc did not write (no regular
``manifest.json`` naming aishellc), so a mistyped ``-o src`` cannot delete a project folder;
it is a mount point. A mount point cannot be renamed (``EBUSY``), and replacing its
content file by file could leave a mix of old and new files when killed, so it is refused
before anything is touched, with the way out: a folder inside the mount point.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import json
import os
import re
import secrets
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

import attrs

from aishellc.errors import Location, UserError
from aishellc.input_files import read_capped
from aishellc.parser import MAX_FILE_BYTES

MARKER = "manifest.json"
_LEFTOVER = ".aishellc-"
_NAME_LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789_"  # the random tail of tempfile's names

Identity = tuple[int, int]
"""A file's ``(st_dev, st_ino)``: which file stood at a path when it was checked."""


@attrs.frozen
class OutputFolder:
    """The output folder as checked: the path given, the real folder it names, and the
    identity of that folder and of its parent at the check (None where absent)."""

    given: str
    path: Path
    parent_id: Identity | None
    folder_id: Identity | None


def leftover_prefix(folder: Path) -> str:
    """The name every temporary folder of ``folder``'s replace starts with (they sit in
    its parent)."""
    return f".{folder.name}{_LEFTOVER}"


def check_output_folder(outdir: str) -> OutputFolder:
    """Fail early (before any work) if ``outdir`` cannot be our output folder; return the
    real folder it names."""
    where = Location(outdir)
    link = Path(outdir)
    if link.is_symlink() and not link.exists():
        raise UserError("the output folder is a broken symlink", where)
    path = Path(os.path.realpath(outdir))
    if path.parent == path:
        raise UserError(
            "the output folder would be the file system's root",
            where,
            help="pass a folder of its own with -o, e.g. build/",
        )
    try:
        found = path.lstat()
    except FileNotFoundError:
        found = None
    except OSError as exc:  # e.g. a part of the path is a file
        reason = (exc.strerror or str(exc)).lower()
        raise UserError(f"cannot write the output folder: {reason}", where) from None
    if found is not None:
        if not stat.S_ISDIR(found.st_mode):
            raise UserError(
                "the output path exists and is not a folder",
                where,
                help="pass a folder with -o (it is created or replaced)",
            )
        if _is_mount_point(path):
            raise UserError(
                "the output folder is a mount point, which aishellc cannot replace "
                "atomically (a mount point cannot be renamed)",
                where,
                help=f"pass a folder inside it with -o, e.g. {(link / 'build').as_posix()}",
            )
        if not _is_ours(path, where):
            raise UserError(
                "the output folder exists and was not written by aishellc; refusing to replace it",
                where,
                help="pass an empty or new folder with -o, or one aishellc wrote before",
            )
    return OutputFolder(outdir, path, _identity(path.parent), _identity_of(found))


def replace_folder(folder: OutputFolder, files: Mapping[str, bytes]) -> None:
    """Make the checked output folder hold exactly ``files`` (relative ``/``-separated
    names)."""
    where = Location(folder.given)
    if check_output_folder(folder.given) != folder:
        raise _changed(where)
    parent, name = folder.path.parent, folder.path.name
    try:
        parent.mkdir(parents=True, exist_ok=True)
        parent_fd = os.open(parent, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError as exc:
        raise UserError(f"cannot write the output folder: {_reason(exc)}", where) from None
    try:
        if folder.parent_id is not None and _identity_of(os.fstat(parent_fd)) != folder.parent_id:
            raise _changed(where)
        _remove_leftovers(parent_fd, name, {entry.split("/")[0] for entry in files})
        _replace_in(parent_fd, folder, files)
    finally:
        os.close(parent_fd)


def _replace_in(parent_fd: int, folder: OutputFolder, files: Mapping[str, bytes]) -> None:
    where = Location(folder.given)
    parent, name = folder.path.parent, folder.path.name
    try:
        temporary = Path(tempfile.mkdtemp(prefix=leftover_prefix(folder.path) + "new-", dir=parent))
    except OSError as exc:
        raise UserError(f"cannot write the output folder: {_reason(exc)}", where) from None
    try:
        with _locked(parent_fd, temporary.name):
            _write_all(temporary, files)
            _swap(parent_fd, temporary.name, name, folder.folder_id, where)
    except BaseException as exc:
        shutil.rmtree(temporary.name, ignore_errors=True, dir_fd=parent_fd)
        if isinstance(exc, OSError):
            raise UserError(f"cannot write the output folder: {_reason(exc)}", where) from None
        raise
    _fsync_dir(parent)


def _changed(where: Location) -> UserError:
    return UserError(
        "the output folder changed while aishellc was compiling (a symlink or folder "
        "was replaced); nothing was written",
        where,
        help="run the compile again",
    )


# --- what stands at OUTDIR --------------------------------------------------------------


def _identity(path: Path) -> Identity | None:
    try:
        return _identity_of(path.lstat())
    except OSError:
        return None


def _identity_of(found: os.stat_result | None) -> Identity | None:
    return None if found is None else (found.st_dev, found.st_ino)


def _lstat_at(parent_fd: int, name: str) -> os.stat_result | None:
    try:
        return os.stat(name, dir_fd=parent_fd, follow_symlinks=False)
    except FileNotFoundError:
        return None


def _is_mount_point(path: Path) -> bool:
    """Whether ``path`` (resolved) is a mount point, bind mounts of the same file system
    included (``os.path.ismount`` sees only a change of device)."""
    if os.path.ismount(path):
        return True
    try:
        table = Path("/proc/self/mountinfo").read_bytes()
    except OSError:
        return False
    wanted = os.fsencode(path)
    for line in table.splitlines():
        fields = line.split(b" ")
        if len(fields) > 4 and _unescape_mount_path(fields[4]) == wanted:
            return True
    return False


def _unescape_mount_path(text: bytes) -> bytes:
    # The kernel writes space, tab, newline and backslash in mount paths as octal escapes.
    return re.sub(rb"\\([0-7]{3})", lambda match: bytes([int(match[1], 8)]), text)


def _is_ours(folder: Path, where: Location) -> bool:
    try:
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError as exc:
        raise UserError(f"cannot read the output folder: {_reason(exc)}", where) from None
    try:
        if not _names_in(descriptor):
            return True
        return _names_aishellc(_read_marker(descriptor))
    finally:
        os.close(descriptor)


def _read_marker(folder_fd: int) -> bytes | None:
    """``manifest.json`` of the folder, if it is a regular file (never a link, a FIFO or a
    device) of a size a manifest can have."""
    try:
        return read_capped(MARKER, MAX_FILE_BYTES, dir_fd=folder_fd, follow_links=False)
    except OSError:
        return None


def _names_aishellc(data: bytes | None) -> bool:
    if data is None:
        return False
    try:
        manifest = json.loads(data)
    except (ValueError, RecursionError):
        return False
    compiler = manifest.get("compiler") if isinstance(manifest, dict) else None
    return isinstance(compiler, dict) and compiler.get("name") == "aishellc"


# --- leftovers of killed compiles ------------------------------------------------------


def _remove_leftovers(parent_fd: int, name: str, ours: set[str]) -> None:
    """Delete what a killed compile left beside OUTDIR (see the module docs); keep
    anything that is not provably such a leftover."""
    shape = re.compile(re.escape(f".{name}{_LEFTOVER}") + r"(?:new|old)-[a-z0-9_]{8}")
    for entry in os.listdir(parent_fd):
        if shape.fullmatch(entry) is None:
            continue
        found = _lstat_at(parent_fd, entry)
        if found is None or not stat.S_ISDIR(found.st_mode) or found.st_uid != os.geteuid():
            continue
        # Locked: a compile running in parallel is still working in it.
        with contextlib.suppress(OSError), _locked(parent_fd, entry) as descriptor:
            if _names_in(descriptor) <= ours:
                shutil.rmtree(entry, ignore_errors=True, dir_fd=parent_fd)


@contextlib.contextmanager
def _locked(parent_fd: int, name: str) -> Iterator[int]:
    """Hold an exclusive ``flock`` on the folder ``name`` (without following a link);
    ``BlockingIOError`` when another process holds it."""
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
    descriptor = os.open(name, flags, dir_fd=parent_fd)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield descriptor
    finally:
        os.close(descriptor)


# --- writing and swapping ----------------------------------------------------------------


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


_RENAME_EXCHANGE = 2
# renameat2 errors that mean "not here" (no such call, or not on this file system).
_NO_EXCHANGE = frozenset({errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP})


def _exchange(parent_fd: int, first: str, second: str) -> bool:
    """Swap two entries of a folder atomically (Linux ``renameat2(RENAME_EXCHANGE)``);
    False where the system cannot, so the caller falls back to two renames."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes += [ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    first_name, second_name = os.fsencode(first), os.fsencode(second)
    if renameat2(parent_fd, first_name, parent_fd, second_name, _RENAME_EXCHANGE):
        code = ctypes.get_errno()
        if code in _NO_EXCHANGE:
            return False
        raise OSError(code, os.strerror(code), second)
    return True


def _swap(
    parent_fd: int, new: str, target: str, expected: Identity | None, where: Location
) -> None:
    """Put the folder ``new`` at ``target`` (both names in the parent folder), provided
    ``target`` is still what was checked: renames never follow the final link, so a link
    swapped in is what would move, and it is refused here instead."""
    if _identity_of(_lstat_at(parent_fd, target)) != expected:
        raise _changed(where)
    if expected is None:
        _rename_at(parent_fd, new, target)
        return
    if _exchange(parent_fd, new, target):
        shutil.rmtree(new, ignore_errors=True, dir_fd=parent_fd)  # the old output, now here
        return
    old = _unused_name(parent_fd, f".{target}{_LEFTOVER}old-")
    # Locked, so that no other compile takes the old folder for a leftover meanwhile.
    with _locked(parent_fd, target):
        _rename_at(parent_fd, target, old)
        try:
            _rename_at(parent_fd, new, target)
        except BaseException:
            _rename_at(parent_fd, old, target)
            raise
    shutil.rmtree(old, ignore_errors=True, dir_fd=parent_fd)


def _unused_name(parent_fd: int, prefix: str) -> str:
    """A name in the folder that nothing has, with the random tail ``mkdtemp`` uses."""
    while True:
        name = prefix + "".join(secrets.choice(_NAME_LETTERS) for _ in range(8))
        if _lstat_at(parent_fd, name) is None:
            return name


# pathlib has no dir_fd: these act relative to an open folder, which a path cannot.


def _rename_at(parent_fd: int, name: str, new_name: str) -> None:
    os.rename(name, new_name, src_dir_fd=parent_fd, dst_dir_fd=parent_fd)


def _names_in(folder_fd: int) -> set[str]:
    return set(os.listdir(folder_fd))


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
