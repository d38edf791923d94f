"""Reading the files aishellc is given: regular files only, and never more than a cap.

Every file aishellc reads on the user's behalf (the Dockerfile, the configuration, the
manifests ``plan`` compares) goes through :func:`read_capped`:

- it is opened with ``O_NONBLOCK`` (opening a FIFO with no writer must not hang before its
  type is checked), so a FIFO with no writer cannot block the open, and
  what was opened is checked with ``fstat``: a FIFO, socket or device (``/dev/zero``, a
  symlink to one) is refused before a byte is read, so it can neither hang nor fill memory;
- at most ``limit + 1`` bytes are read: a larger file is refused, never read whole.

Failures are ``OSError`` subclasses (a caller words them for its file), or, through
:func:`read_input`, a located :class:`UserError`.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import sys

from aishellc.errors import Location, UserError


class NotRegularFile(OSError):
    """A FIFO, socket or device: reading it could block forever or never end."""

    def __init__(self) -> None:
        super().__init__(errno.EINVAL, "not a regular file (a FIFO, socket or device)")


class FileTooLarge(OSError):
    """More bytes than the cap for this kind of file."""

    def __init__(self, limit: int) -> None:
        super().__init__(errno.EFBIG, f"larger than {limit} bytes ({size_text(limit)})")
        self.limit = limit


def size_text(limit: int) -> str:
    """``16 MiB`` for a cap of 16 << 20 bytes (caps are whole KiB or MiB)."""
    if limit % (1 << 20) == 0:
        return f"{limit >> 20} MiB"
    return f"{limit >> 10} KiB"


def read_capped(
    path: str | os.PathLike[str],
    limit: int,
    *,
    dir_fd: int | None = None,
    follow_links: bool = True,
) -> bytes:
    """The bytes of the regular file ``path``; see the module docs for what is refused.
    ``dir_fd``: ``path`` is relative to that open folder; ``follow_links=False``: a symlink
    at ``path`` is refused (``ELOOP``) instead of followed."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | (0 if follow_links else os.O_NOFOLLOW)
    descriptor = os.open(path, flags, dir_fd=dir_fd)
    with os.fdopen(descriptor, "rb") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
        if not stat.S_ISREG(mode):
            raise NotRegularFile
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise FileTooLarge(limit)
    return data


def read_input(path: str, what: str, limit: int, help: str) -> bytes:
    """:func:`read_capped`, any failure a :class:`UserError` ``cannot read WHAT: why``."""
    try:
        return read_capped(path, limit)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise UserError(f"cannot read {what}: {reason}", Location(path), help=help) from None


# --- what a parser of structured text cannot take --------------------------------------
# Python's JSON and TOML parsers recurse per nesting level and refuse integers longer than
# sys.get_int_max_str_digits(): both are limits of the reader, not syntax errors, and
# surface as RecursionError and a plain ValueError.


def too_deep(path: str, what: str) -> UserError:
    """The error for a document nested deeper than the parser recurses."""
    return UserError(
        f"{what} nests arrays or tables too deeply to read",
        Location(path),
        help="the files aishellc writes and reads nest only a few levels deep",
    )


def too_many_digits(text: str, path: str, what: str) -> UserError:
    """The error for an integer longer than Python converts, located at that number."""
    limit = sys.get_int_max_str_digits()
    match = re.search(rf"[0-9][0-9_]{{{limit},}}", text)
    offset = match.start() if match else 0
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return UserError(
        f"{what} holds a number with more than {limit} digits",
        Location(path, line, column),
        help="no number aishellc reads is that long",
    )


def reason_clause(exc: OSError) -> str:
    """Why an operation on a file failed, as a clause after a colon ("no such file ...")."""
    text = exc.strerror or str(exc)
    return text[:1].lower() + text[1:]
