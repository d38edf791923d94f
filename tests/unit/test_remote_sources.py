"""Which ADD/COPY sources BuildKit fetches instead of reading the context (its own rules)."""

from __future__ import annotations

import pytest

from aishellc.context.remote_sources import remote_kind

KINDS = [
    # local files, whatever they look like
    ("git@foo", None),
    ("git@", None),
    ("./git@host:path", None),
    ("../x@host:y", None),
    ("github.com/moby/buildkit", None),
    ("HTTPS://example.com/file.tar.gz", None),  # not git, and "http(s)://" is case-sensitive
    ("ftp://example.com/f", None),
    ("ssh://host:port/repo.git", None),  # Go cannot parse the URL
    ("git://host/%zz", None),
    ("us er@host:path", None),
    ("user@host:path?a;b", None),  # the query does not parse: not an scp-style URL
    ("file.txt", None),
    ("src/", None),
    # git refs
    ("git@github.com:moby/buildkit.git", "git"),
    ("deploy@github.com:moby/buildkit.git", "git"),
    ("deploy_key-1@git.example.com:repo", "git"),
    ("git@host:", "git"),
    ("git@host:repo#v1:sub", "git"),
    ("https://github.com/moby/buildkit.git", "git"),
    ("HTTPS://github.com/moby/buildkit.git", "git"),
    ("Http://example.com/r.git?ref=main", "git"),
    ("https://github.com/moby/buildkit.git#v0.12:frontend", "git"),
    ("ssh://git@github.com/moby/buildkit", "git"),
    ("SSH://git@github.com/moby/buildkit", "git"),
    ("git://example.com/repo", "git"),
    ("https://[::1]:8443/repo.git", "git"),
    # HTTP downloads
    ("https://example.com/file.tar.gz", "url"),
    ("http://example.com/file", "url"),
    ("https://example.com/repo.git.tar", "url"),
    ("https://example.com:port/repo.git", "url"),  # not a git ref (bad port), still a URL
]


@pytest.mark.parametrize(("source", "kind"), KINDS)
def test_remote_kind(source: str, kind: str | None) -> None:
    assert remote_kind(source) == kind
