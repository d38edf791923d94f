"""Grammars for the values that aishellc prints into Dockerfiles and shell scripts.

Every value from a config file or a flag that ends up in generated text passes one of
these predicates first. They are deliberately narrow: each accepts only characters that
are inert in a POSIX shell word and in a Dockerfile line (no whitespace, quotes, ``$``,
backticks, ``#``, ``\\``, ``;``, ``&``, ``|``, ``<``, ``>``, ``(``, ``)``, ``*``, ``?``,
``!``), so a value that passes can never change the meaning of the line it lands in.

The predicates return ``bool``; callers turn a ``False`` into a located ``UserError``.
"""

from __future__ import annotations

import re

# --- Docker image references (github.com/distribution/reference, grammar.go) -----------
# Docker's grammar also allows an IPv6 address as the host (``[::1]:5000/img``). These
# values are printed unquoted into FROM lines, ARG defaults and (download URLs) shell lines,
# where ``[...]`` is a glob pattern (and curl's URL globbing): the host is a name only.
_ALNUM = r"[a-z0-9]+"
_SEPARATOR = r"(?:[_.]|__|-+)"
_PATH_COMPONENT = rf"{_ALNUM}(?:{_SEPARATOR}{_ALNUM})*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN_NAME = rf"{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*"
_DOMAIN = rf"{_DOMAIN_NAME}(?::[0-9]+)?"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"

_REFERENCE_RE = re.compile(
    rf"(?P<name>(?:{_DOMAIN}/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*)"
    rf"(?::(?P<tag>{_TAG}))?"
    rf"(?:@(?P<digest>{_DIGEST}))?",
    re.ASCII,
)
_NAME_MAX = 255

_REGISTRY_RE = re.compile(rf"{_DOMAIN}(?:/{_PATH_COMPONENT})*", re.ASCII)
_TAG_PREFIX_RE = re.compile(r"[a-z0-9]+(?:[._-][a-z0-9]+)*", re.ASCII)


def is_image_reference(value: str) -> bool:
    """A Docker image reference: ``[host[:port]/]path[:tag][@digest]``.

    A ``sha256`` digest must have exactly 64 hex digits, as Docker requires.
    """
    match = _REFERENCE_RE.fullmatch(value)
    if match is None or len(match["name"]) > _NAME_MAX:
        return False
    digest = match["digest"]
    if digest is not None and digest.startswith("sha256:"):
        return re.fullmatch(r"sha256:[0-9a-f]{64}", digest) is not None
    return True


def is_registry(value: str) -> bool:
    """An image registry prefix: ``host[:port][/path]``, e.g. ``ghcr.io/acme``."""
    return _REGISTRY_RE.fullmatch(value) is not None and len(value) <= _NAME_MAX


def is_tag_prefix(value: str) -> bool:
    """The repository name our tags use (``aishell`` in ``aishell:foundation-…``)."""
    return _TAG_PREFIX_RE.fullmatch(value) is not None and len(value) <= 128


# --- Debian packages (Debian Policy 5.6.1 and 5.6.12) --------------------------------
_APT_NAME_RE = re.compile(r"[a-z0-9][a-z0-9+.-]+", re.ASCII)
_APT_VERSION_RE = re.compile(r"(?:[0-9]+:)?[0-9][A-Za-z0-9.+~-]*", re.ASCII)


def is_apt_package(value: str) -> bool:
    """A Debian package name, optionally pinned: ``name`` or ``name=version``."""
    name, sep, version = value.partition("=")
    if _APT_NAME_RE.fullmatch(name) is None:
        return False
    return not sep or _APT_VERSION_RE.fullmatch(version) is not None


def apt_package_name(value: str) -> str:
    """The name part of a (validated) ``name[=version]`` apt spec."""
    return value.partition("=")[0]


# --- Downloads -----------------------------------------------------------------------
_URL_RE = re.compile(
    rf"https://{_DOMAIN}(?:/[A-Za-z0-9._~%/+=,@:-]*)?",
    re.ASCII,
)
_SHA256_RE = re.compile(r"[0-9a-f]{64}", re.ASCII)


def is_https_url(value: str) -> bool:
    """An ``https://`` URL made only of shell-inert characters (no query string)."""
    return _URL_RE.fullmatch(value) is not None and len(value) <= 2048


_NPM_REGISTRY_RE = re.compile(
    rf"https?://{_DOMAIN}(?:/[A-Za-z0-9._~%/+=,@:-]*)?",
    re.ASCII,
)


def is_npm_registry_url(value: str) -> bool:
    """An npm registry: ``http(s)://host[:port][/path]``, shell-inert, with no user or
    password in it (credentials belong in ``.npmrc``) and no query string."""
    return _NPM_REGISTRY_RE.fullmatch(value) is not None and len(value) <= 2048


_URL_USERINFO_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@]*@")


def without_userinfo(value: str) -> str:
    """``value`` with the ``user:password@`` of a URL written as ``***@``: a refused value
    is quoted in its error message, and a password must not reach a terminal or a CI log."""
    return _URL_USERINFO_RE.sub(r"\1***@", value)


def is_sha256(value: str) -> bool:
    """A sha256 digest: 64 lowercase hex digits."""
    return _SHA256_RE.fullmatch(value) is not None


# --- Files, commands, environment ----------------------------------------------------
_FILE_NAME_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._+-]{0,127}", re.ASCII)
_PATH_PART_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._+-]*", re.ASCII)
_WORD_RE = re.compile(r"[A-Za-z0-9._/=:,+@%-]{1,256}", re.ASCII)
_ENV_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}", re.ASCII)
_ENV_VALUE_RE = re.compile(r"[A-Za-z0-9._/:,@%+=-]{1,1024}", re.ASCII)
_VERSION_RE = re.compile(r"[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}", re.ASCII)
_SLUG_RE = re.compile(r"[a-z][a-z0-9-]{0,39}", re.ASCII)
_USER_RE = re.compile(r"[a-z_][a-z0-9_-]{0,31}", re.ASCII)


def is_slug(value: str) -> bool:
    """A lowercase identifier such as a harness or tool name: ``[a-z][a-z0-9-]{0,39}``."""
    return _SLUG_RE.fullmatch(value) is not None


def is_file_name(value: str) -> bool:
    """A single file name (no ``/``, no leading ``-`` or ``.``), e.g. an installed binary."""
    return _FILE_NAME_RE.fullmatch(value) is not None


def is_relative_path(value: str) -> bool:
    """A relative path inside an archive: ``a/b/c``, no ``..``, no leading ``-`` or ``/``."""
    if not value or len(value) > 512:
        return False
    return all(
        _PATH_PART_RE.fullmatch(part) is not None and part != ".." for part in value.split("/")
    )


def is_absolute_path(value: str) -> bool:
    """An absolute, normalised directory path such as ``/usr/local/share/bbin``."""
    if not value.startswith("/") or value == "/" or value.endswith("/"):
        return False
    return is_relative_path(value[1:])


def is_shell_word(value: str) -> bool:
    """One argument of a generated command: inert in sh, unquoted (``--version``, ``a=b``)."""
    return _WORD_RE.fullmatch(value) is not None


def is_env_name(value: str) -> bool:
    """An environment variable name."""
    return _ENV_NAME_RE.fullmatch(value) is not None


def is_env_value(value: str) -> bool:
    """An environment variable value with no quoting or expansion characters."""
    return _ENV_VALUE_RE.fullmatch(value) is not None


def is_tool_version(value: str) -> bool:
    """The version label of a downloaded tool (``1.12.218``, ``v0.17.1``)."""
    return _VERSION_RE.fullmatch(value) is not None


_RELEASE_RE = re.compile(r"(?:0|[1-9][0-9]{0,3})(?:\.(?:0|[1-9][0-9]{0,3})){1,2}", re.ASCII)


def is_release_number(value: str) -> bool:
    """``2.39`` or ``3.53.4``: two or three dot-separated numbers (no leading zeros)."""
    return _RELEASE_RE.fullmatch(value) is not None


def is_user_name(value: str) -> bool:
    """A login name accepted by Debian's ``useradd`` defaults."""
    return _USER_RE.fullmatch(value) is not None


_SYSTEM_DIRS = (
    "/bin",
    "/boot",
    "/dev",
    "/etc",
    "/home",
    "/lib",
    "/lib64",
    "/proc",
    "/root",
    "/run",
    "/sbin",
    "/sys",
    "/tmp",
    "/usr/bin",
    "/usr/lib",
    "/usr/local/bin",
    "/usr/local/lib",
    "/usr/sbin",
    "/usr/share",
    "/var/lib",
)
_NO_SUBDIRS = ("/dev", "/etc", "/proc", "/sys", "/usr/bin", "/usr/local/bin", "/usr/sbin")


def is_writable_dir(value: str) -> bool:
    """A directory the image user may own: an absolute path that is neither a system
    directory, nor holds one, nor lies in one whose contents must stay root's."""
    if not is_absolute_path(value):
        return False
    if any(system == value or system.startswith(f"{value}/") for system in _SYSTEM_DIRS):
        return False
    return not any(value.startswith(f"{system}/") for system in _NO_SUBDIRS)


# --- npm versions, specs and integrity (the harness lock) ------------------------------
# Exact semantic versions as semver.org 2.0.0 writes them: no leading zeros, no "v", no
# loose forms. These are what a lock holds and what an install line names.
_NUMBER = r"(?:0|[1-9][0-9]*)"
_PRE_PART = r"(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)"
_SEMVER_RE = re.compile(
    rf"{_NUMBER}\.{_NUMBER}\.{_NUMBER}"
    rf"(?:-{_PRE_PART}(?:\.{_PRE_PART})*)?"
    r"(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?",
    re.ASCII,
)
# npm dist-tags (``latest``, ``next``, ``stable``): npm only requires them to be URL-safe
# and not a semver range; this narrower form (lowercase, as every harness's tags are) keeps
# them inert words and refuses ``LATEST`` for ``latest``.
_DIST_TAG_RE = re.compile(r"[a-z][a-z0-9._-]{0,63}", re.ASCII)
# The characters of an npm range (``^2.1``, ``~2.1.3``, ``>=2 <3``, ``1.x || 2``); node-semver
# decides whether they form one. A range is data in the lock, never an unquoted shell word.
_RANGE_RE = re.compile(r"[0-9A-Za-z.+^~<>=|* -]{1,256}", re.ASCII)
# node-semver drops a "*" glued to a number ("2.1.3*" is 2.1.3); a "*" here stands alone
# or as a whole part ("*", "1.*"), so the spec reads as what it means.
_GLUED_STAR_RE = re.compile(r"[0-9A-Za-z*]\*|\*[0-9A-Za-z*]", re.ASCII)
# Subresource integrity as npm writes ``dist.integrity``: sha512 and base64 of 64 bytes.
_SHA512_SRI_RE = re.compile(r"sha512-[A-Za-z0-9+/]{86}==", re.ASCII)


def is_exact_version(value: str) -> bool:
    """An exact semantic version: ``2.1.3``, ``1.0.0-beta.2``, ``1.0.0+build.5``."""
    return len(value) <= 256 and _SEMVER_RE.fullmatch(value) is not None


def is_npm_range(value: str) -> bool:
    """An npm semver range that node-semver accepts strictly (``^2.1``, ``>=2 <3``)."""
    if _RANGE_RE.fullmatch(value) is None or _GLUED_STAR_RE.search(value):
        return False
    if value != value.strip():
        return False
    import nodesemver  # only a range needs it; a plain compile never loads it

    return nodesemver.valid_range(value, loose=False) is not None


def is_dist_tag(value: str) -> bool:
    """An npm dist-tag such as ``latest`` or ``next``: a word that is not a range."""
    return _DIST_TAG_RE.fullmatch(value) is not None and not is_npm_range(value)


def is_npm_spec(value: str) -> bool:
    """What a harness may request: a dist-tag, an exact version or an npm range."""
    return is_exact_version(value) or is_dist_tag(value) or is_npm_range(value)


def is_sha512_integrity(value: str) -> bool:
    """npm's ``dist.integrity`` for a sha512 digest: ``sha512-<base64 of 64 bytes>``."""
    return _SHA512_SRI_RE.fullmatch(value) is not None
