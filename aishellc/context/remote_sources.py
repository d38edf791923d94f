"""Which ``ADD``/``COPY`` sources BuildKit fetches from elsewhere instead of the build context.

BuildKit's rules (``dockerfile2llb.dispatchCopy``, ``dfgitutil.ParseGitRef``,
``gitutil.ParseURL`` and ``sshutil``'s scp-style URL), in the order it applies them:

- a source starting ``./`` or ``../`` is local;
- ``github.com/...`` is a git ref "indistinguishable from local": local for ADD and COPY;
- a source starting ``<letters or digits>://`` with a git transport scheme (``http``,
  ``https``, ``ssh``, ``git``; the scheme is case-insensitive) is a git ref, except that an
  ``http(s)`` URL is one only when its path ends ``.git``; a URL Go cannot parse is not;
- ``user@host:path`` (user: letters, digits, ``-``, ``_``; host: letters, digits, ``-``,
  ``.``) is a git ref over ssh: ``git@foo`` without ``:path`` is a local file;
- otherwise a source starting, case-sensitively, ``http://`` or ``https://`` is an HTTP
  download; ``HTTPS://example.com/f.tgz`` is neither and so names a local file.

``ADD`` fetches git refs and URLs; ``COPY`` refuses them ("source can't be a git ref for
COPY", "source can't be a URL for COPY").
"""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import unquote, urlsplit

RemoteKind = Literal["git", "url"]

_PROTOCOL = re.compile(r"[a-zA-Z0-9]+://")
_GIT_SCHEMES = frozenset({"http", "https", "ssh", "git"})
# sshutil.gitSSHRegex; Go's "." does not match a newline and "$" is the end of the text.
_SCP_STYLE = re.compile(
    r"([a-zA-Z0-9_-]+)@([a-zA-Z0-9.-]+):([^\n]*?)(?:\?([^\n]*?))?(?:#([^\n]*))?"
)
# What Go's url.Parse refuses: ASCII control characters, a "%" not followed by two hex
# digits outside the query, and a port that is not a number.
_URL_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_BAD_ESCAPE = re.compile(r"%(?![0-9a-fA-F]{2})")
_PORT = re.compile(r"(?::[0-9]*)?")


def remote_kind(source: str) -> RemoteKind | None:
    """``"git"``, ``"url"`` or None (a context path), as BuildKit classifies an expanded
    ``ADD``/``COPY`` source (see the module docs)."""
    if _is_git_ref(source):
        return "git"
    if source.startswith(("http://", "https://")):
        return "url"
    return None


def _is_git_ref(source: str) -> bool:
    if source.startswith(("./", "../", "github.com/")):
        return False
    protocol = _PROTOCOL.match(source)
    if protocol is not None:
        scheme = protocol.group()[:-3].lower()
        if scheme not in _GIT_SCHEMES or not _go_parses_url(source):
            return False
        if scheme in ("http", "https"):
            return unquote(urlsplit(source).path).endswith(".git")
        return True
    match = _SCP_STYLE.fullmatch(source)
    return match is not None and _go_parses_query(match.group(4) or "")


def _go_parses_url(url: str) -> bool:
    before_fragment, _, fragment = url.partition("#")
    outside_query = before_fragment.partition("?")[0] + fragment
    if _URL_CONTROL.search(url) or _BAD_ESCAPE.search(outside_query):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    host = parts.netloc.rpartition("@")[2]
    if host.startswith("["):
        return _PORT.fullmatch(host.partition("]")[2]) is not None
    return _PORT.fullmatch(host[host.find(":") :] if ":" in host else "") is not None


def _go_parses_query(query: str) -> bool:
    """url.ParseQuery: no ``;`` and no bad ``%`` escape."""
    return ";" not in query and _BAD_ESCAPE.search(query) is None


__all__ = ["RemoteKind", "remote_kind"]
