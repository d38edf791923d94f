"""Bytes to text: what Docker reads a Dockerfile as (UTF-8, optional BOM), or a clear error."""

from __future__ import annotations

import attrs

from aishellc.errors import Location, UserError

UTF8_BOM = b"\xef\xbb\xbf"
_OTHER_BOMS = (
    (b"\x00\x00\xfe\xff", "UTF-32 (big-endian)"),
    (b"\xff\xfe\x00\x00", "UTF-32 (little-endian)"),
    (b"\xfe\xff", "UTF-16 (big-endian)"),
    (b"\xff\xfe", "UTF-16 (little-endian)"),
)
_REENCODE_HELP = "save the file as UTF-8 (Docker reads Dockerfiles as UTF-8)"


@attrs.frozen
class DecodedSource:
    """The text of a Dockerfile and what decoding removed from it."""

    text: str
    bom: bool
    newline: str


def _position(data: bytes, offset: int, bom: int) -> tuple[int, int]:
    before = data[:offset]
    line = before.count(b"\n") + 1
    line_start = before.rfind(b"\n") + 1
    column = len(before[max(line_start, bom) :].decode("utf-8", errors="replace")) + 1
    return line, column


def decode(data: bytes, path: str) -> DecodedSource:
    """Decode a Dockerfile's bytes, rejecting what Docker cannot read as UTF-8 text."""
    for bom, name in _OTHER_BOMS:
        if data.startswith(bom):
            raise UserError(
                f"file is encoded as {name}, not UTF-8",
                Location(path, 1, 1),
                help=_REENCODE_HELP,
            )
    has_bom = data.startswith(UTF8_BOM)
    body = data[3:] if has_bom else data
    nul = body.find(b"\x00")
    if nul >= 0:
        line, column = _position(data, nul + (3 if has_bom else 0), 3 if has_bom else 0)
        raise UserError(
            "file looks binary (it contains a NUL byte), not like a Dockerfile",
            Location(path, line, column),
            help="pass the Dockerfile itself, a UTF-8 text file",
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + (3 if has_bom else 0)
        line, column = _position(data, offset, 3 if has_bom else 0)
        raise UserError(
            f"invalid UTF-8 byte 0x{body[exc.start]:02x}",
            Location(path, line, column),
            help=_REENCODE_HELP,
        ) from None
    first_newline = text.find("\n")
    newline = "\r\n" if first_newline > 0 and text[first_newline - 1] == "\r" else "\n"
    return DecodedSource(text=text, bom=has_bom, newline=newline)
