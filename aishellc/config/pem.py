"""Checking that a file is PEM certificates and nothing else, before it enters an image.

``[foundation] ca_certificates`` files are copied into the foundation and trusted by every
program in it, so a file that is not a certificate (a typo'd path to a private key, a DER
file, a PEM of something else) is refused with the reason instead of breaking the build
or, worse, putting a key in an image. OpenSSL (through :mod:`ssl`) parses each
certificate, so the check is the one ``update-ca-certificates`` and Node.js rely on.
"""

from __future__ import annotations

import re
import ssl

MAX_CERTIFICATE_BYTES = 1 << 20
"""The largest certificate file read (a bundle of a few hundred roots is ~200 KiB)."""

_BLOCK_RE = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----")


def pem_problem(data: bytes) -> str | None:
    """Why ``data`` is not one or more PEM certificates, or None when it is."""
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        return "it is not PEM text (a binary file, perhaps DER: convert it with openssl x509)"
    kinds = [match[1].decode() for match in _BLOCK_RE.finditer(data)]
    if not kinds:
        return "it holds no '-----BEGIN CERTIFICATE-----' block"
    others = sorted({kind for kind in kinds if kind != "CERTIFICATE"})
    if others:
        return f"it holds a {others[0]} block; only certificates belong in the trust store"
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        context.load_verify_locations(cadata=text)
    except (ssl.SSLError, ValueError) as error:
        return f"OpenSSL cannot read a certificate in it ({error.args[-1]})"
    return None
