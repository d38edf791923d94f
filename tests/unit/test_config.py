from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from aishellc.config import safe_values
from aishellc.config.harnesses import HarnessPin
from aishellc.config.model import (
    Config,
    Download,
    FoundationConfig,
    SqliteSource,
    Tool,
    UserConfig,
    load_config,
)
from aishellc.config.reader import MAX_CONFIG_BYTES
from aishellc.errors import UserError
from tests.unit.test_harnesses import INJECTIONS
from tests.unit.tomltext import dumps

GOSU_AMD64 = "52c8749d0142edd234e9d6bd5237dff2d81e71f43537e2f4f66f75dd4b243dd0"
GOSU_ARM64 = "3a8ef022d82c0bc4a98bcb144e77da714c25fcfa64dccc57f6aba7ae47ff1a44"
SUM = "0123456789abcdef" * 4


def full_config() -> dict[str, Any]:
    """A config that sets every key at least once (all values valid)."""
    return {
        "tag_prefix": "aishell",
        "registry": "registry.example.com:5000/team",
        "runtime": {"strategy": "inline"},
        "npm": {"registry": "https://npm.example.com:8443/team/"},
        "harnesses": {
            "default": ["claude@2.1.3", "amp@1.0.0"],
            "extra": {"amp": {"binary": "amp", "package": "@sourcegraph/amp"}},
        },
        "foundation": {
            "base_image": "debian:bookworm-slim",
            "node_image": "node:24-bookworm-slim",
            "apt_packages": [
                "bash",
                "ca-certificates",
                "curl",
                "libreadline8",
                "sudo",
                "git=1:2.39.5-0+deb12u3",
            ],
            "glibc_floor": "2.36",
            "sqlite": {
                "version": "3.53.4",
                "url": "https://sqlite.org/2026/sqlite-src-3530400.zip",
                "sha256": SUM,
            },
            "enable_tools": ["extra-tool"],
            "user": {"name": "developer", "uid": 1000, "gid": 1000, "sudo": True},
            "tools": [
                {
                    "name": "gosu",
                    "version": "1.19",
                    "kind": "file",
                    "binaries": ["gosu"],
                    "check": ["gosu", "nobody", "true"],
                    "downloads": {
                        "amd64": {
                            "url": "https://github.com/tianon/gosu/releases/download/1.19/gosu-amd64",
                            "sha256": GOSU_AMD64,
                        },
                        "arm64": {
                            "url": "https://github.com/tianon/gosu/releases/download/1.19/gosu-arm64",
                            "sha256": GOSU_ARM64,
                        },
                    },
                },
                {
                    "name": "extra-tool",
                    "version": "2.0.0",
                    "kind": "tar.gz",
                    "binaries": ["xt", "xtd"],
                    "opt_in": True,
                    "check": ["xt", "--version"],
                    "env": {"XT_HOME": "/usr/local/share/xt"},
                    "path": ["/usr/local/share/xt/bin"],
                    "writable_dirs": ["/usr/local/share/xt"],
                    "downloads": {
                        "amd64": {
                            "url": "https://example.com/xt/2.0.0/xt-linux-amd64.tar.gz",
                            "sha256": SUM,
                            "members": ["xt-2.0.0/bin/xt", "xt-2.0.0/bin/xtd"],
                        },
                    },
                },
            ],
        },
    }


def no_downloads() -> dict[str, Any]:
    return {
        "foundation": {
            "tools": [],
            "sqlite": False,
            "apt_packages": ["bash", "ca-certificates", "gosu", "sudo"],
        }
    }


def load(data: dict[str, Any], path: str = "aishellc.toml") -> Config:
    return Config.from_toml(dumps(data), path)


def test_default_matches_upstream_foundation():
    config = Config.default()
    foundation = config.foundation
    assert foundation.base_image == "debian:trixie-slim"
    assert foundation.node_image == "node:24-trixie-slim"
    upstream_v4 = (
        "bash bc ca-certificates curl fd-find file git htop jq less libreadline8t64 "
        "libxml2-utils moreutils openjdk-21-jre-headless openssh-client patch poppler-data "
        "poppler-utils ripgrep rlwrap sudo tree unzip vim watch xz-utils zip zstd"
    )
    assert " ".join(foundation.apt_packages) == upstream_v4
    assert foundation.glibc_floor == "2.39"
    assert foundation.sqlite == SqliteSource(
        "3.53.4",
        "https://sqlite.org/2026/sqlite-src-3530400.zip",
        "d18fa15aec74d8c17e1463f861095adc01b5ad190256acb4f91d22f0368d232b",
    )
    versions = {tool.name: tool.version for tool in foundation.tools}
    assert versions == {
        "babashka": "1.13.220",
        "bbin": "0.2.5",
        "gosu": "1.19",
        "cue": "0.17.1",
        "uv": "0.11.29",
        "gitleaks": "8.30.1",
    }
    assert [t.name for t in foundation.active_tools] == ["babashka", "bbin", "gosu", "cue", "uv"]
    assert not foundation.gitleaks
    assert foundation.user == UserConfig("developer", 1000, 1000, True)
    assert config.default_harnesses == (HarnessPin("claude", "latest"),)
    assert config.strategy == "stage"
    assert config.tag_prefix == "aishell"
    assert config.registry is None
    assert config.image_repository == "aishell"


def test_every_default_download_is_pinned_for_both_arches_or_all():
    for tool in Config.default().foundation.tools:
        arches = {d.arch for d in tool.downloads}
        assert arches in ({"amd64", "arm64"}, {"all"}), tool.name
        for download in tool.downloads:
            assert safe_values.is_sha256(download.sha256)
            assert download.url.startswith("https://")


def test_empty_file_gives_the_defaults():
    assert Config.from_toml("") == Config.default()
    assert load_config(None) == Config.default()


def test_full_config_is_read():
    config = load(full_config())
    assert config.strategy == "inline"
    assert config.registry == "registry.example.com:5000/team"
    assert config.image_repository == "registry.example.com:5000/team/aishell"
    assert config.default_harnesses == (HarnessPin("claude", "2.1.3"), HarnessPin("amp", "1.0.0"))
    assert config.harnesses.get("amp").package == "@sourcegraph/amp"
    foundation = config.foundation
    assert foundation.gitleaks is False
    assert [t.name for t in foundation.active_tools] == ["gosu", "extra-tool"]
    extra = foundation.tools[1]
    assert extra.downloads == (
        Download(
            "amd64",
            "https://example.com/xt/2.0.0/xt-linux-amd64.tar.gz",
            SUM,
            ("xt-2.0.0/bin/xt", "xt-2.0.0/bin/xtd"),
        ),
    )
    assert extra.env == (("XT_HOME", "/usr/local/share/xt"),)
    assert config.source == "aishellc.toml"


def test_no_downloads_config():
    config = load(no_downloads())
    assert config.foundation.active_tools == ()
    assert config.foundation.sqlite is None
    assert config.foundation.base_image == "debian:trixie-slim"


def test_user_table_merges_key_by_key():
    config = load({"foundation": {"user": {"uid": 1234}}})
    assert config.foundation.user == UserConfig("developer", 1234, 1000, True)


def test_gitleaks_opt_in():
    config = load({"foundation": {"enable_tools": ["gitleaks"]}})
    assert config.foundation.gitleaks
    assert config.foundation.active_tools[-1].name == "gitleaks"


def test_load_from_file(tmp_path: Path):
    path = tmp_path / "aishellc.toml"
    path.write_text(dumps(no_downloads()), encoding="utf-8")
    assert load_config(path).foundation.active_tools == ()
    assert load_config(str(path)).source == str(path)


# --- errors: unreadable, undecodable, bad TOML ------------------------------------------


def test_missing_file(tmp_path: Path):
    path = tmp_path / "absent.toml"
    with pytest.raises(UserError, match="cannot read config file") as caught:
        load_config(path)
    assert caught.value.location is not None
    assert caught.value.location.path == str(path)


def test_directory_instead_of_file(tmp_path: Path):
    with pytest.raises(UserError, match="cannot read config file"):
        load_config(tmp_path)


def _fifo(folder: Path) -> Path:
    os.mkfifo(folder / "aishellc.toml")
    return folder / "aishellc.toml"


def _dev_zero_link(folder: Path) -> Path:
    (folder / "aishellc.toml").symlink_to("/dev/zero")
    return folder / "aishellc.toml"


def _huge(folder: Path) -> Path:
    path = folder / "aishellc.toml"
    path.write_text("# " + "x" * MAX_CONFIG_BYTES + "\n")
    return path


def _written(text: str) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        (folder / "aishellc.toml").write_text(text)
        return folder / "aishellc.toml"

    return make


UNREADABLE: list[tuple[str, Callable[[Path], Path], str, tuple[int, int]]] = [
    # (name, the config file, message, (line, column)); none may hang, fill memory or crash
    (
        "a FIFO",
        _fifo,
        "cannot read config file: not a regular file (a FIFO, socket or device)",
        (1, 1),
    ),
    (
        "/dev/zero",
        lambda folder: Path("/dev/zero"),
        "cannot read config file: not a regular file",
        (1, 1),
    ),
    ("a link to /dev/zero", _dev_zero_link, "cannot read config file: not a regular file", (1, 1)),
    (
        "larger than 1 MiB",
        _huge,
        "cannot read config file: larger than 1048576 bytes (1 MiB)",
        (1, 1),
    ),
    (
        "100,000 nested [",
        _written("a = " + "[" * 100_000),
        "the config file nests arrays or tables too deeply to read",
        (1, 1),
    ),
    (
        "10,000 nested tables",
        _written("a = " + "{b = " * 10_000),
        "the config file nests arrays or tables too deeply to read",
        (1, 1),
    ),
    (
        "a 5,000-digit number",
        _written("\n[foundation.user]\nuid = " + "1" * 5000 + "\n"),
        "the config file holds a number with more than 4300 digits",
        (3, 7),
    ),
]


@pytest.mark.parametrize(
    ("name", "make", "message", "position"), UNREADABLE, ids=[u[0] for u in UNREADABLE]
)
def test_unreadable_config_is_a_located_error(
    tmp_path: Path, name: str, make: Callable[[Path], Path], message: str, position: tuple[int, int]
) -> None:
    path = make(tmp_path)
    with pytest.raises(UserError) as caught:
        load_config(path)
    assert caught.value.message == message or caught.value.message.startswith(message)
    location = caught.value.location
    assert location is not None
    assert (location.path, location.line, location.column) == (str(path), *position)


def test_not_utf8(tmp_path: Path):
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'tag_prefix = "aishell"\n# caf\xe9\n')
    with pytest.raises(UserError, match="not valid UTF-8") as caught:
        load_config(path)
    assert caught.value.location is not None and caught.value.location.line == 2


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("[foundation\n", 1),
        ('tag_prefix = "a"\ntag_prefix = "b"\n', 2),
        ('\n\nregistry = "unterminated\n', 3),
        ("[foundation]\napt_packages = [\n  'a',\n  'b'\n", 5),
    ],
)
def test_bad_toml_is_located(text, line):
    with pytest.raises(UserError, match="invalid TOML") as caught:
        Config.from_toml(text, "cfg.toml")
    location = caught.value.location
    assert location is not None and (location.path, location.line) == ("cfg.toml", line)


# --- errors: unknown keys, wrong types, located ------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("tagprefix = 'x'\n", 1, "unknown key 'tagprefix' in (top level)"),
        ("[foundation]\nbase-image = 'debian'\n", 2, "unknown key 'base-image' in foundation"),
        ("[foundation.user]\nname = 'dev'\nuidd = 5\n", 3, "unknown key 'uidd'"),
        ("[runtime]\nstrategie = 'stage'\n", 2, "unknown key 'strategie'"),
        ("[harnesses]\ndefaults = []\n", 2, "unknown key 'defaults'"),
        (
            "[harnesses.extra.amp]\nbinary = 'amp'\npackage = 'amp'\nbin = 'x'\n",
            4,
            "unknown key 'bin'",
        ),
        (
            "[[foundation.tools]]\nname = 'x'\nversion = '1'\nkind = 'file'\nbinaries = ['x']\n"
            "sha256 = 'y'\n",
            6,
            "unknown key 'sha256' in foundation.tools[0]",
        ),
        (
            "[[foundation.tools]]\nname = 'x'\nversion = '1'\nkind = 'file'\nbinaries = ['x']\n"
            "[foundation.tools.downloads.amd64]\nurl = 'https://x.example/x'\nsha = 'y'\n",
            8,
            "unknown key 'sha' in foundation.tools[0].downloads.amd64",
        ),
        (
            "[[foundation.tools]]\nname = 'x'\nversion = '1'\nkind = 'file'\nbinaries = ['x']\n"
            "[foundation.tools.downloads.riscv64]\nurl = 'https://x.example/x'\n",
            6,
            "unknown key 'riscv64'",
        ),
    ],
)
def test_unknown_keys_are_located(text, line, message):
    with pytest.raises(UserError) as caught:
        Config.from_toml(text, "cfg.toml")
    assert message in caught.value.message
    location = caught.value.location
    assert location is not None and (location.path, location.line) == ("cfg.toml", line)


def test_unknown_key_suggests_the_right_one():
    with pytest.raises(UserError) as caught:
        Config.from_toml("[foundation]\napt_package = []\n")
    assert caught.value.help is not None and "did you mean 'apt_packages'" in caught.value.help


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tag_prefix = 1\n", "tag_prefix must be a string"),
        ("registry = ['x']\n", "registry must be a string"),
        ("foundation = 1\n", "foundation must be a table"),
        ("[foundation]\napt_packages = 'bash'\n", "must be an array of strings"),
        ("[foundation]\napt_packages = ['bash', 1]\n", "apt_packages[1] must be a string"),
        ("[foundation]\ntools = {}\n", "must be an array of tables"),
        ("[foundation.user]\nuid = '1000'\n", "must be an integer"),
        ("[foundation.user]\nuid = true\n", "must be an integer"),
        ("[foundation.user]\nuid = 0\n", "from 1 to 65533"),
        ("[foundation.user]\ngid = 65534\n", "from 1 to 65533"),
        ("[foundation.user]\nuid = -1\n", "from 1 to 65533"),
        ("[foundation.user]\nsudo = 'yes'\n", "must be true or false"),
        ("[runtime]\nstrategy = 'both'\n", "must be one of stage, inline"),
        ("[harnesses]\ndefault = 'claude'\n", "must be an array of strings"),
        ("[harnesses]\ndefault = ['cursor']\n", "unknown harness 'cursor'"),
        ("[harnesses]\ndefault = ['claude', 'claude@1.0.0']\n", "listed twice"),
        ("[harnesses.extra.claude]\nbinary = 'c'\npackage = 'c'\n", "already defined"),
        ("[harnesses.extra.amp]\nbinary = 'amp'\n", "needs a 'package' key"),
    ],
)
def test_wrong_types_and_values(text, message):
    with pytest.raises(UserError) as caught:
        Config.from_toml(text, "cfg.toml")
    assert message in caught.value.message
    assert caught.value.location is not None and caught.value.location.path == "cfg.toml"


def _tool(**changes: Any) -> dict[str, Any]:
    tool: dict[str, Any] = {
        "name": "xt",
        "version": "1.0",
        "kind": "tar.gz",
        "binaries": ["xt"],
        "downloads": {"amd64": {"url": "https://example.com/xt.tar.gz", "sha256": SUM}},
    }
    tool.update(changes)
    return {k: v for k, v in tool.items() if v is not None}


def _with_tools(*tools: dict[str, Any], apt: list[str] | None = None) -> dict[str, Any]:
    return {
        "foundation": {
            "apt_packages": apt or ["ca-certificates", "curl", "gosu", "sudo"],
            "tools": list(tools),
        }
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_with_tools(_tool(name=None)), "needs a 'name' key"),
        (_with_tools(_tool(kind="zip")), "must be one of file, tar.gz"),
        (_with_tools(_tool(binaries=[])), "needs distinct binaries"),
        (_with_tools(_tool(binaries=["a", "a"])), "needs distinct binaries"),
        (_with_tools(_tool(kind="file", binaries=["a", "b"])), "exactly one binary"),
        (_with_tools(_tool(downloads={})), "has no downloads"),
        (
            _with_tools(_tool(downloads={"amd64": {"url": "https://example.com/x"}})),
            "the amd64 download of tool 'xt' has no sha256",
        ),
        (
            _with_tools(_tool(downloads={"amd64": {"sha256": SUM}})),
            "needs a 'url' key",
        ),
        (
            _with_tools(
                _tool(
                    downloads={
                        "all": {"url": "https://example.com/x", "sha256": SUM},
                        "arm64": {"url": "https://example.com/y", "sha256": SUM},
                    }
                )
            ),
            "cannot be combined",
        ),
        (
            _with_tools(
                _tool(
                    downloads={
                        "amd64": {
                            "url": "https://example.com/x",
                            "sha256": SUM,
                            "members": ["a", "b"],
                        }
                    }
                )
            ),
            "1 binaries but 2 members",
        ),
        (
            _with_tools(
                _tool(
                    kind="file",
                    downloads={
                        "amd64": {"url": "https://example.com/x", "sha256": SUM, "members": ["a"]}
                    },
                )
            ),
            "members apply to tar.gz",
        ),
        (_with_tools(_tool(), _tool()), "tool 'xt' is defined twice"),
        (_with_tools(_tool(), _tool(name="other")), "both install 'xt'"),
        (
            _with_tools(_tool(), apt=["gosu", "sudo"]),
            "need the apt packages 'curl' and 'ca-certificates'",
        ),
        ({"foundation": {"tools": [], "apt_packages": ["sudo"]}}, "needs gosu"),
        ({"foundation": {"tools": [], "apt_packages": ["gosu"]}}, "'sudo' is not installed"),
        (
            {
                "foundation": {
                    "apt_packages": [
                        "ca-certificates",
                        "curl",
                        "libreadline8t64",
                        "sqlite3",
                        "sudo",
                    ]
                }
            },
            "a second sqlite3 beside the one built from source",
        ),
        (
            {"foundation": {"apt_packages": ["ca-certificates", "curl", "sudo"]}},
            "links readline, which apt_packages lacks",
        ),
        ({"foundation": {"glibc_floor": 239}}, "must be a version string or false"),
        ({"foundation": {"glibc_floor": True}}, "must be a version string or false"),
        ({"foundation": {"glibc_floor": "2.039"}}, "invalid version number '2.039'"),
        ({"foundation": {"glibc_floor": "2.39; rm"}}, "invalid version number"),
        ({"foundation": {"sqlite": True}}, "must be a table or false"),
        (
            {"foundation": {"sqlite": {"version": "3.53.4", "url": "https://x.org/s.zip"}}},
            "needs a 'sha256' key",
        ),
        (
            {
                "foundation": {
                    "sqlite": {"version": "3.53", "url": "http://x.org/s.zip", "sha256": SUM}
                }
            },
            "invalid download URL",
        ),
        (
            {
                "foundation": {
                    "sqlite": {
                        "version": "3.53.4",
                        "url": "https://x.org/s.zip",
                        "sha256": SUM,
                        "cflags": "-O0",
                    }
                }
            },
            "unknown key 'cflags' in foundation.sqlite",
        ),
        ({"foundation": {"enable_tools": ["cue"]}}, "not an opt-in tool"),
        ({"foundation": {"enable_tools": ["nope"]}}, "not an opt-in tool"),
        (
            {
                "foundation": {
                    "apt_packages": ["bash", "curl", "bash=5.2", "gosu", "sudo"],
                    "tools": [],
                }
            },
            "listed twice",
        ),
    ],
)
def test_tool_and_consistency_errors(data, message):
    with pytest.raises(UserError) as caught:
        load(data)
    assert message in caught.value.message


def test_missing_checksum_is_located_at_its_download_table():
    text = (
        "[[foundation.tools]]\n"
        "name = 'xt'\nversion = '1'\nkind = 'file'\nbinaries = ['xt']\n"
        "[foundation.tools.downloads.arm64]\n"
        "url = 'https://example.com/xt'\n"
    )
    with pytest.raises(UserError, match="no sha256") as caught:
        Config.from_toml(text, "cfg.toml")
    assert caught.value.location is not None and caught.value.location.line == 6
    assert caught.value.help is not None and "verify" in caught.value.help


def test_bad_list_item_is_located_at_the_item():
    text = "[foundation]\napt_packages = [\n  'bash',\n  'curl',\n  'Evil',\n]\n"
    with pytest.raises(UserError) as caught:
        Config.from_toml(text, "cfg.toml")
    location = caught.value.location
    assert location is not None and (location.line, location.column) == (5, 3)


def test_error_in_second_tool_is_located_in_second_tool():
    data = _with_tools(_tool(), _tool(name="yt", binaries=["yt"], version="bad version"))
    text = dumps(data)
    with pytest.raises(UserError) as caught:
        Config.from_toml(text, "cfg.toml")
    location = caught.value.location
    assert location is not None
    assert "bad version" in text.splitlines()[location.line - 1]
    second_tool = text[: text.rindex("[[")].count("\n") + 1
    assert location.line > second_tool


# --- value grammars ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("debian:bookworm-slim", True),
        ("debian", True),
        ("library/debian:12", True),
        ("docker.io/library/node:24-bookworm-slim", True),
        ("localhost:5000/team/base:1.0", True),
        ("registry.example.com/a/b/c:tag_1.2-x", True),
        ("[::1]:5000/img:1", False),  # Docker accepts it; aishellc cannot print it safely
        ("debian@sha256:" + "a" * 64, True),
        ("debian:12@sha256:" + "0" * 64, True),
        ("debian@sha512:" + "a" * 128, True),
        ("Debian:12", False),
        ("debian:", False),
        ("debian@sha256:" + "a" * 63, False),
        ("debian@sha256:" + "A" * 64, False),
        ("debian:" + "t" * 129, False),
        ("debian:-tag", False),
        ("-debian", False),
        ("a//b", False),
        ("debian bookworm", False),
        ("", False),
        ("a" * 256, False),
    ],
)
def test_image_reference_grammar(value, ok):
    assert safe_values.is_image_reference(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("bash", True),
        ("g++", True),
        ("libc6-dev", True),
        ("python3.11", True),
        ("git=1:2.39.5-0+deb12u3", True),
        ("ca-certificates=20250419~deb12u2", True),
        ("less=590-2.1~deb12u2", True),
        ("a", False),
        ("Bash", False),
        ("-bash", False),
        ("bash=", False),
        ("bash=latest", False),
        ("bash=1:", False),
        ("bash=1:2:3", False),
        ("bash/bookworm", False),
        ("bash*", False),
    ],
)
def test_apt_grammar(value, ok):
    assert safe_values.is_apt_package(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("https://github.com/a/b/releases/download/v1/x.tar.gz", True),
        ("https://example.com:8443/x%20y/z", True),
        ("https://raw.githubusercontent.com/babashka/bbin/v0.2.5/bbin", True),
        ("http://example.com/x", False),
        ("ftp://example.com/x", False),
        ("https://", False),
        ("https://example.com/x?y=1", False),
        ("https://example.com/x#frag", False),
        ("HTTPS://example.com/x", False),
        ("https://example.com/a b", False),
        ("https://[::1]:8443/x", False),  # [...] is a glob in the shell and in curl
    ],
)
def test_url_grammar(value, ok):
    assert safe_values.is_https_url(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("ghcr.io", True),
        ("ghcr.io/acme", True),
        ("registry.example.com:5000/team/sub", True),
        ("localhost:5000", True),
        ("ghcr.io/Acme", False),
        ("ghcr.io/", False),
        ("https://ghcr.io", False),
        ("ghcr.io:port", False),
        ("[::1]:5000/team", False),  # Docker accepts it; aishellc cannot print it safely
        ("[::1]", False),
    ],
)
def test_registry_grammar(value, ok):
    assert safe_values.is_registry(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("https://registry.npmjs.org/", True),
        ("https://npm.example.com:8443/team/", True),
        ("http://127.0.0.1:4873", True),
        ("https://npm.pkg.github.com", True),
        ("ftp://npm.example.com/", False),
        ("https://user:secret@npm.example.com/", False),  # credentials go in .npmrc
        ("https://npm.example.com/?token=x", False),
        ("https://npm.example.com/a b", False),
        ("https://[::1]:4873/", False),
        ("npm.example.com", False),
    ],
)
def test_npm_registry_grammar(value, ok):
    assert safe_values.is_npm_registry_url(value) is ok


def test_npm_registry_is_read_and_located():
    assert load({"npm": {"registry": "http://127.0.0.1:4873/"}}).npm_registry == (
        "http://127.0.0.1:4873/"
    )
    with pytest.raises(UserError) as caught:
        Config.from_toml("[npm]\nregistry = 'https://u:p@npm.example.com/'\n", "c.toml")
    assert str(caught.value.location) == "c.toml:2:12"
    assert "credentials" in (caught.value.help or "")
    assert "u:p@" not in caught.value.render()  # the refused URL is quoted without them
    with pytest.raises(UserError, match="unknown key 'token' in npm"):
        load({"npm": {"token": "x"}})


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("aishell", True),
        ("ai.shell", True),
        ("ai-shell_2", True),
        ("Aishell", False),
        ("ai--shell", False),
        ("-aishell", False),
        ("aishell-", False),
        ("ai/shell", False),
    ],
)
def test_tag_prefix_grammar(value, ok):
    assert safe_values.is_tag_prefix(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("a" * 64, True),
        ("0" * 64, True),
        ("0" * 63, False),
        ("0" * 65, False),
        ("F" * 64, False),
    ],
)
def test_sha256_grammar(value, ok):
    assert safe_values.is_sha256(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("/usr/local/share/bbin", True),
        ("/opt/tool", True),
        ("/opt/tool/cache", True),
        ("/var/cache/tool", True),
        ("/usr", False),
        ("/usr/local", False),
        ("/usr/local/bin", False),
        ("/etc", False),
        ("/etc/tool", False),
        ("/var", False),
        ("/home", False),
        ("/usr/bin/x", False),
        ("/proc/self", False),
        ("/opt/../etc", False),
        ("relative/dir", False),
        ("/opt/tool/", False),
    ],
)
def test_writable_dir_grammar(value, ok):
    assert safe_values.is_writable_dir(value) is ok


# --- the injection table ----------------------------------------------------------------

# Each row is a path into full_config() naming one configurable string; the payload is
# spliced into its valid value. Every combination must be refused with a UserError.
STRING_FIELDS: list[tuple[Any, ...]] = [
    ("tag_prefix",),
    ("registry",),
    ("runtime", "strategy"),
    ("npm", "registry"),
    ("harnesses", "default", 0),
    ("harnesses", "extra", "amp", "binary"),
    ("harnesses", "extra", "amp", "package"),
    ("foundation", "base_image"),
    ("foundation", "node_image"),
    ("foundation", "apt_packages", 0),
    ("foundation", "apt_packages", 4),
    ("foundation", "enable_tools", 0),
    ("foundation", "user", "name"),
    ("foundation", "tools", 0, "name"),
    ("foundation", "tools", 0, "version"),
    ("foundation", "tools", 0, "kind"),
    ("foundation", "tools", 0, "binaries", 0),
    ("foundation", "tools", 0, "check", 1),
    ("foundation", "tools", 0, "downloads", "amd64", "url"),
    ("foundation", "tools", 0, "downloads", "arm64", "sha256"),
    ("foundation", "tools", 1, "name"),
    ("foundation", "tools", 1, "binaries", 1),
    ("foundation", "tools", 1, "downloads", "amd64", "members", 0),
    ("foundation", "tools", 1, "env", "XT_HOME"),
    ("foundation", "tools", 1, "path", 0),
    ("foundation", "tools", 1, "writable_dirs", 0),
    ("foundation", "tools", 1, "check", 0),
]

# Keys (not values) that are also user-chosen and end up in generated text.
KEY_FIELDS: list[tuple[Any, ...]] = [
    ("harnesses", "extra", "amp"),
    ("foundation", "tools", 1, "env", "XT_HOME"),
]


# Where the payload goes in the valid value: in the middle, or after it (a grammar that
# checks only a prefix, as re.match does, lets a trailing payload through).
POSITIONS = ["middle", "end"]


def _splice(text: str, payload: str, where: str = "middle") -> str:
    cut = len(text) if where == "end" else max(1, len(text) // 2)
    return text[:cut] + payload + text[cut:]


def _set(data: Any, path: tuple[Any, ...], payload: str, where: str = "middle") -> None:
    target = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = _splice(target[path[-1]], payload, where)


def _rename(data: Any, path: tuple[Any, ...], payload: str, where: str = "middle") -> None:
    target = data
    for part in path[:-1]:
        target = target[part]
    value = target.pop(path[-1])
    target[_splice(path[-1], payload, where)] = value


def test_full_config_is_valid_before_injection():
    load(full_config())


@pytest.mark.parametrize("where", POSITIONS)
@pytest.mark.parametrize("payload", INJECTIONS, ids=repr)
@pytest.mark.parametrize("path", STRING_FIELDS, ids=lambda p: ".".join(map(str, p)))
def test_injection_into_every_value_is_rejected(path, payload, where):
    data = copy.deepcopy(full_config())
    _set(data, path, payload, where)
    with pytest.raises(UserError) as caught:
        load(data, "inject.toml")
    assert "invalid" in caught.value.message or "must be one of" in caught.value.message
    assert caught.value.location is not None and caught.value.location.path == "inject.toml"


@pytest.mark.parametrize("where", POSITIONS)
@pytest.mark.parametrize("payload", INJECTIONS, ids=repr)
@pytest.mark.parametrize("path", KEY_FIELDS, ids=lambda p: ".".join(map(str, p)))
def test_injection_into_user_chosen_keys_is_rejected(path, payload, where):
    data = copy.deepcopy(full_config())
    _rename(data, path, payload, where)
    with pytest.raises(UserError):
        load(data, "inject.toml")


@pytest.mark.parametrize("payload", INJECTIONS, ids=repr)
def test_injection_into_a_harness_default_spec_version_is_rejected(payload):
    data = full_config()
    data["harnesses"]["default"] = [f"claude@2.1.3{payload}"]
    with pytest.raises(UserError):
        load(data)


# --- the model refuses bad values even without the reader ----------------------------


@pytest.mark.parametrize(
    "build",
    [
        lambda: Download("amd64", "https://x.example/a;b", SUM),
        lambda: Download("amd64", "https://x.example/a", SUM.upper()),
        lambda: Download("riscv64", "https://x.example/a", SUM),
        lambda: Download("amd64", "https://x.example/a", SUM, ("../etc/passwd",)),
        lambda: Download("amd64", "https://x.example/a", SUM, ("-P",)),
        lambda: UserConfig(name="root;id"),
        lambda: UserConfig(uid=0),
        lambda: Tool("x", "1", "file", ("x",), ()),
        lambda: Tool(
            "x",
            "1",
            "file",
            ("x",),
            (Download("all", "https://x.example/a", SUM),),
            env=(("A", "$B"),),
        ),
        lambda: FoundationConfig(
            base_image="debian:12", node_image="node:24", apt_packages=("sudo",), tools=()
        ),
    ],
)
def test_model_validates_on_construction(build):
    with pytest.raises(ValueError):
        build()


# --- hashing inputs ---------------------------------------------------------------------


def test_foundation_inputs_are_canonical_and_sorted():
    config = Config.default()
    inputs = config.foundation_inputs()
    raw = config.foundation_inputs_json()
    assert json.loads(raw) == inputs
    assert raw == json.dumps(inputs, sort_keys=True, separators=(",", ":")).encode()
    assert list(inputs) == sorted(inputs)
    assert [t["name"] for t in inputs["tools"]] == ["babashka", "bbin", "gosu", "cue", "uv"]
    assert inputs["tools"][4]["downloads"]["arm64"]["sha256"] == (
        "94500fb064ae3c971a873cba64d94694c50677e0a4dbf78735c80509e7429919"
    )


@pytest.mark.parametrize(
    ("change", "changes_inputs"),
    [
        ({"tag_prefix": "other"}, False),
        ({"registry": "ghcr.io/acme"}, False),
        ({"runtime": {"strategy": "inline"}}, False),
        ({"harnesses": {"default": ["codex@1.0.0"]}}, False),
        (
            {
                "foundation": {
                    "apt_packages": list(reversed(Config.default().foundation.apt_packages))
                }
            },
            False,
        ),
        ({"foundation": {"node_image": "node:22-bookworm-slim"}}, True),
        ({"foundation": {"base_image": "debian:12"}}, True),
        ({"foundation": {"user": {"uid": 1001}}}, True),
        ({"foundation": {"enable_tools": ["gitleaks"]}}, True),
        (
            {
                "foundation": {
                    "apt_packages": ["ca-certificates", "curl", "libreadline8t64", "sudo"]
                }
            },
            True,
        ),
        ({"foundation": {"glibc_floor": "2.41"}}, True),
        ({"foundation": {"glibc_floor": False}}, True),
        ({"foundation": {"sqlite": False}}, True),
        (
            {
                "foundation": {
                    "sqlite": {
                        "version": "3.53.4",
                        "url": "https://sqlite.org/2026/sqlite-src-3530400.zip",
                        "sha256": SUM,
                    }
                }
            },
            True,
        ),
    ],
)
def test_foundation_inputs_see_only_foundation_settings(change, changes_inputs):
    before = Config.default().foundation_inputs_json()
    after = load(change).foundation_inputs_json()
    assert (before != after) is changes_inputs


@pytest.mark.parametrize(
    ("registry", "tier", "expected"),
    [
        (None, "foundation", "aishell:foundation-0123456789ab"),
        ("ghcr.io/acme", "runtime", "ghcr.io/acme/aishell:runtime-0123456789ab"),
        ("localhost:5000", "ext", "localhost:5000/aishell:ext-0123456789ab"),
    ],
)
def test_tier_tags(registry, tier, expected):
    data: dict[str, Any] = {} if registry is None else {"registry": registry}
    assert load(data).tier_tag(tier, SUM) == expected


IPV6_HOSTS = [
    # (config, the key named in the message, (line, column)): Docker's reference grammar
    # allows [::1]:5000 as a host, which made `compile` crash (exit 70) after validation
    # accepted it; aishellc prints these values unquoted, where [...] is a glob.
    ('registry = "[::1]:5000/team"\n', "invalid registry '[::1]:5000/team' in registry", (1, 12)),
    (
        '[foundation]\nbase_image = "[::1]:5000/debian:12"\n',
        "invalid image reference '[::1]:5000/debian:12' in foundation.base_image",
        (2, 14),
    ),
    (
        '[foundation]\nnode_image = "[fe80::1]/node:24"\n',
        "invalid image reference '[fe80::1]/node:24' in foundation.node_image",
        (2, 14),
    ),
]


@pytest.mark.parametrize(("text", "message", "position"), IPV6_HOSTS)
def test_ipv6_hosts_are_refused_where_they_are_written(text, message, position):
    with pytest.raises(UserError) as caught:
        Config.from_toml(text, "cfg.toml")
    assert caught.value.message == message
    assert caught.value.help is not None and "not an IPv6 address" in caught.value.help
    location = caught.value.location
    assert location is not None and (location.line, location.column) == position
