"""The front end: Dockerfile bytes to a lossless AST, reading them exactly as BuildKit does."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from aishellc.errors import Location, UserError
from aishellc.input_files import FileTooLarge, NotRegularFile, read_capped, size_text
from aishellc.parser.decode import decode
from aishellc.parser.prelex import LogicalLine, prelex

if TYPE_CHECKING:
    from aishellc import ast

__all__ = ["MAX_FILE_BYTES", "parse", "parse_file", "parse_with_lines", "read_dockerfile"]

MAX_FILE_BYTES = 16 << 20
"""The largest Dockerfile (or ``.dockerignore``) BuildKit reads: 16 MiB, one gRPC message
(``frontend/dockerui/readfile.go``: "exceeds maximum allowed size of 16777216 bytes")."""


def parse(source: bytes | str, path: str = "<string>") -> ast.Document:
    """Parse a Dockerfile's bytes (or already decoded text) into a :class:`ast.Document`.

    Raises :class:`UserError` with a location for input BuildKit rejects or cannot read.
    """
    return parse_with_lines(source, path)[0]


def parse_with_lines(
    source: bytes | str, path: str = "<string>"
) -> tuple[ast.Document, list[LogicalLine]]:
    """Like :func:`parse`, also returning each instruction's logical line."""
    # Imported here: `parse --format buildkit` reads plain files without the grammar and
    # the AST (aishellc.parser.buildkit_lines), and they are most of its cold start.
    from aishellc import ast
    from aishellc.parser.builder import Builder

    if isinstance(source, str):
        source = source.encode("utf-8", errors="surrogateescape")
    decoded = decode(source, path)
    scanned = prelex(decoded.text, path)
    source_map = ast.SourceMap(decoded.text, bom=decoded.bom)
    builder = Builder(path, source_map, scanned.escape)
    items = builder.build(scanned.items, scanned.error)
    lines = [item for item in scanned.items if isinstance(item, LogicalLine)]
    document = ast.Document(
        tuple(items),
        escape=scanned.escape,
        newline=decoded.newline,
        bom=decoded.bom,
        source=source_map,
        logical_lines=tuple(lines),
    )
    return document, lines


def read_dockerfile(path: str | Path) -> bytes:
    """The bytes of a Dockerfile, or a UserError saying why it cannot be read.

    Only regular files are read: a FIFO or a device would block or never end. A file
    larger than BuildKit reads (:data:`MAX_FILE_BYTES`) is refused before it is read whole
    (:func:`aishellc.input_files.read_capped`).
    """
    where = Location(str(path), 1, 1)
    try:
        return read_capped(path, MAX_FILE_BYTES)
    except FileNotFoundError:
        raise UserError("no such file", where, help="check the path") from None
    except IsADirectoryError:
        raise UserError(
            "is a directory, not a Dockerfile", where, help="pass the Dockerfile inside it"
        ) from None
    except PermissionError:
        raise UserError("permission denied", where, help="make the file readable") from None
    except NotRegularFile:
        raise UserError(
            "is not a regular file (a FIFO, socket or device)",
            where,
            help="pass the Dockerfile itself",
        ) from None
    except FileTooLarge:
        raise UserError(
            f"file is larger than {MAX_FILE_BYTES} bytes ({size_text(MAX_FILE_BYTES)}), "
            "the most BuildKit reads",
            where,
            help="a Dockerfile this large would not build; move data into files",
        ) from None
    except OSError as exc:
        raise UserError(f"cannot read the file: {exc.strerror}", where) from None


def parse_file(path: str | Path) -> ast.Document:
    """Read and parse a Dockerfile."""
    return parse(read_dockerfile(path), str(path))
