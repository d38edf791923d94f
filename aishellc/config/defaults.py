"""The default foundation: the contents of upstream aishell v4.0.0's base image.

Versions are upstream's (its foundation template at v4.0.0: ``debian:trixie-slim``, the
glibc floor 2.39, the apt list, SQLite 3.53.4 from source, Babashka 1.13.220). Every
download is pinned by sha256; the sums are the ones the projects publish for these release
assets (their checksum files), cross-checked against independent pins of the same files.
bbin ships no checksum file: its sum is that of the ``bbin`` script at the ``v0.2.5`` tag,
which is what the raw URL serves. SQLite's sum is the one upstream aishell pins for
``sqlite-src-3530400.zip`` (sqlite.org publishes SHA3-256 only). Upstream aishell pins no sum
for Babashka; its sums are the ones Babashka's author publishes in his Homebrew tap
(borkdude/homebrew-brew, ``babashka.rb`` at 1.13.220).

A config can still pin the bookworm foundation (docs/usage.md gives the lines).
"""

from __future__ import annotations

from aishellc.config.model import Download, FoundationConfig, SqliteSource, Tool, UserConfig

BASE_IMAGE = "debian:trixie-slim"
NODE_IMAGE = "node:24-trixie-slim"

GLIBC_FLOOR = "2.39"
"""Upstream's policy (its ADR 0005): trixie ships 2.41; the promise to tools is 2.39."""

APT_PACKAGES: tuple[str, ...] = (
    "bash",
    "bc",
    "ca-certificates",
    "curl",
    "fd-find",
    "file",
    "git",
    "htop",
    "jq",
    "less",
    # line editing for the SQLite shell built from source (bookworm: libreadline8)
    "libreadline8t64",
    "libxml2-utils",
    "moreutils",
    # bbin resolves dependencies with tools.deps, which runs on the JVM (bookworm: 17)
    "openjdk-21-jre-headless",
    # openssh-client and patch: git Recommends them, dropped by --no-install-recommends
    "openssh-client",
    "patch",
    # CJK CMap tables; a libpoppler Recommends, likewise dropped
    "poppler-data",
    "poppler-utils",
    "ripgrep",
    "rlwrap",
    "sudo",
    "tree",
    "unzip",
    "vim",
    # a virtual package, provided by procps
    "watch",
    "xz-utils",
    "zip",
    "zstd",
)

_GH = "https://github.com"

_BB = f"{_GH}/babashka/babashka/releases/download/v1.13.220/babashka-1.13.220"

BABASHKA = Tool(
    name="babashka",
    version="1.13.220",
    kind="tar.gz",
    binaries=("bb",),
    downloads=(
        # The dynamically linked build: a static glibc program cannot dlopen, so
        # babashka.ffi needs this one (it needs only libc6, up to GLIBC_2.27).
        Download(
            "amd64",
            f"{_BB}-linux-amd64.tar.gz",
            "5211ebf6267be2dbbf4857611cb01331b865bf6b0a8c9bc500c83a816df1a769",
        ),
        # Babashka publishes no dynamic aarch64 build.
        Download(
            "arm64",
            f"{_BB}-linux-aarch64-static.tar.gz",
            "0efd6ef36b93ea2f0ae6ebf9d1bcd1a66167c2f41c17e990659aa067654437e8",
        ),
    ),
    check=("bb", "--version"),
)

_BBIN_BIN = "/usr/local/share/bbin/bin"
_DEPS_CLJ = "/usr/local/share/deps.clj"
_GITLIBS = "/usr/local/share/gitlibs"
_CLJ_CONFIG = "/usr/local/share/clojure-config"

BBIN = Tool(
    name="bbin",
    version="0.2.5",
    kind="file",
    binaries=("bbin",),
    downloads=(
        Download(
            "all",
            "https://raw.githubusercontent.com/babashka/bbin/v0.2.5/bbin",
            "ef3436fff67850423dec28333d69a67f5be0da075e2ac93c39fcf278d69b625b",
        ),
    ),
    # Shared, user-writable locations so that `bbin install` in an extension (as root)
    # and at run time (as the developer user) see the same tools and caches.
    env=(
        ("BABASHKA_BBIN_BIN_DIR", _BBIN_BIN),
        ("CLJ_CONFIG", _CLJ_CONFIG),
        ("DEPS_CLJ_TOOLS_DIR", f"{_DEPS_CLJ}/ClojureTools"),
        ("GITLIBS", _GITLIBS),
    ),
    path=(_BBIN_BIN,),
    writable_dirs=(
        "/usr/local/share/bbin",
        _BBIN_BIN,
        _CLJ_CONFIG,
        f"{_CLJ_CONFIG}/tools",
        _DEPS_CLJ,
        f"{_DEPS_CLJ}/ClojureTools",
        _GITLIBS,
    ),
)

GOSU = Tool(
    name="gosu",
    version="1.19",
    kind="file",
    binaries=("gosu",),
    downloads=(
        Download(
            "amd64",
            f"{_GH}/tianon/gosu/releases/download/1.19/gosu-amd64",
            "52c8749d0142edd234e9d6bd5237dff2d81e71f43537e2f4f66f75dd4b243dd0",
        ),
        Download(
            "arm64",
            f"{_GH}/tianon/gosu/releases/download/1.19/gosu-arm64",
            "3a8ef022d82c0bc4a98bcb144e77da714c25fcfa64dccc57f6aba7ae47ff1a44",
        ),
    ),
    check=("gosu", "nobody", "true"),
)

CUE = Tool(
    name="cue",
    version="0.17.1",
    kind="tar.gz",
    binaries=("cue",),
    downloads=(
        Download(
            "amd64",
            f"{_GH}/cue-lang/cue/releases/download/v0.17.1/cue_v0.17.1_linux_amd64.tar.gz",
            "a39b0c97695069d95d276d99be0f5dbabb081d801bfdc9ba49b76efaf94e2369",
        ),
        Download(
            "arm64",
            f"{_GH}/cue-lang/cue/releases/download/v0.17.1/cue_v0.17.1_linux_arm64.tar.gz",
            "0d729be30d52c952ca38fc9dcb692caa09d8463fa0b64df5781312779183fbcd",
        ),
    ),
    check=("cue", "version"),
)

_UV_AMD64 = "uv-x86_64-unknown-linux-gnu"
_UV_ARM64 = "uv-aarch64-unknown-linux-gnu"

UV = Tool(
    name="uv",
    version="0.11.29",
    kind="tar.gz",
    binaries=("uv", "uvx"),
    downloads=(
        Download(
            "amd64",
            f"{_GH}/astral-sh/uv/releases/download/0.11.29/{_UV_AMD64}.tar.gz",
            "04f8b82f5d47f0512dcd32c67a4a6f16a0ea27c81537c338fd0ad6b23cebe829",
            (f"{_UV_AMD64}/uv", f"{_UV_AMD64}/uvx"),
        ),
        Download(
            "arm64",
            f"{_GH}/astral-sh/uv/releases/download/0.11.29/{_UV_ARM64}.tar.gz",
            "94500fb064ae3c971a873cba64d94694c50677e0a4dbf78735c80509e7429919",
            (f"{_UV_ARM64}/uv", f"{_UV_ARM64}/uvx"),
        ),
    ),
    check=("uv", "--version"),
)

GITLEAKS = Tool(
    name="gitleaks",
    version="8.30.1",
    kind="tar.gz",
    binaries=("gitleaks",),
    downloads=(
        Download(
            "amd64",
            f"{_GH}/gitleaks/gitleaks/releases/download/v8.30.1/gitleaks_8.30.1_linux_x64.tar.gz",
            "551f6fc83ea457d62a0d98237cbad105af8d557003051f41f3e7ca7b3f2470eb",
        ),
        Download(
            "arm64",
            f"{_GH}/gitleaks/gitleaks/releases/download/v8.30.1/gitleaks_8.30.1_linux_arm64.tar.gz",
            "e4a487ee7ccd7d3a7f7ec08657610aa3606637dab924210b3aee62570fb4b080",
        ),
    ),
    check=("gitleaks", "version"),
    opt_in=True,
)

TOOLS: tuple[Tool, ...] = (BABASHKA, BBIN, GOSU, CUE, UV, GITLEAKS)

SQLITE = SqliteSource(
    version="3.53.4",
    url="https://sqlite.org/2026/sqlite-src-3530400.zip",
    sha256="d18fa15aec74d8c17e1463f861095adc01b5ad190256acb4f91d22f0368d232b",
)


def default_foundation() -> FoundationConfig:
    return FoundationConfig(
        base_image=BASE_IMAGE,
        node_image=NODE_IMAGE,
        apt_packages=APT_PACKAGES,
        tools=TOOLS,
        enable_tools=(),
        user=UserConfig(),
        glibc_floor=GLIBC_FLOOR,
        sqlite=SQLITE,
    )
