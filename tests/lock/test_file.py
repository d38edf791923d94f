"""``aishellc.lock``: the value grammars, the golden bytes, located errors for every bad
field, and the atomic write."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from aishellc.config import safe_values
from aishellc.errors import UserError
from aishellc.lock import lock_path
from aishellc.lock.file import (
    Lock,
    LockedHarness,
    parse_lock,
    read_lock,
    read_lock_if_present,
    render_lock,
    spec_allows,
    write_lock,
)
from tests.conftest import GOLDEN_DIR, Golden

CLAUDE_SRI = "sha512-M3KqgZOIk6tyi4JPvVsltdwLaYoVdAs5fDGhRoN8DYpyAemHws7m+LLwOmsSKqrbRnx6MUuY8MM2XmzCvY2eRQ=="
CODEX_SRI = "sha512-DNSH1lLzE51eAeMmOzs3mVYC64aS0Ruzfk2+M/QFgYUsY6mWTrwjPhC+sZKyhRqmE+ZA5RNxMsqMBh0zJziOXw=="

CLAUDE = LockedHarness("claude", "@anthropic-ai/claude-code", "latest", "2.1.331", CLAUDE_SRI)
CODEX = LockedHarness("codex", "@openai/codex", "^0.41", "0.41.2", CODEX_SRI)

# Shell, TOML and URL characters that no locked value may hold.
INJECTIONS = [
    ";",
    "\n",
    "$(id)",
    "`id`",
    "'",
    '"',
    "#",
    "\\",
    "&",
    "(",
    "!",
    "\x00",
    "//h/:_authToken=x",
]


# --- value grammars -------------------------------------------------------------------

EXACT_VERSIONS = [
    ("2.1.3", True),
    ("0.0.0", True),
    ("1.0.0-beta.2", True),
    ("1.0.0+build.5", True),
    ("1.0.0-rc.1+exp.sha.5114f85", True),
    ("1.0.0-0A.is.legal", True),
    ("01.2.3", False),  # leading zero
    ("1.2.03", False),
    ("1.0.0-01", False),  # numeric prerelease with a leading zero
    ("v1.2.3", False),
    ("1.2", False),
    ("=1.2.3", False),
    ("1.2.3 ", False),
    ("latest", False),
    ("", False),
]
RANGES = [
    ("^2.1", True),
    ("~2.1.3", True),
    (">=2 <3", True),
    ("1.x || 2", True),
    ("*", True),
    ("2", True),
    ("1.2.3 - 2.3.4", True),
    ("^1.0.0-beta.1", True),
    ("1.*", True),
    ("2.1.3*", False),  # node-semver reads it as 2.1.3
    ("1.2*.3", False),
    ("**", False),
    ("latest", False),
    ("next", False),
    ("^", False),
    (">=2 <3; id", False),
    ("^2 $(id)", False),
    ("", False),
    (" ", False),
]
DIST_TAGS = [
    ("latest", True),
    ("next", True),
    ("stable", True),
    ("beta-2", True),
    ("x", False),  # a range: npm reads it as "*"
    ("v2", False),  # a range too
    ("2.1.3", False),
    ("-next", False),
    ("next tag", False),
    ("a" * 65, False),
]
INTEGRITIES = [
    (CLAUDE_SRI, True),
    (CLAUDE_SRI.replace("sha512", "sha256"), False),
    (CLAUDE_SRI[:-2], False),  # one byte short
    ("sha1-aGVsbG8=", False),
    (CLAUDE_SRI + " sha512-x", False),
]


@pytest.mark.parametrize(("value", "valid"), EXACT_VERSIONS)
def test_exact_version_grammar(value: str, valid: bool) -> None:
    assert safe_values.is_exact_version(value) is valid


@pytest.mark.parametrize(("value", "valid"), RANGES)
def test_npm_range_grammar(value: str, valid: bool) -> None:
    assert safe_values.is_npm_range(value) is valid


@pytest.mark.parametrize(("value", "valid"), DIST_TAGS)
def test_dist_tag_grammar(value: str, valid: bool) -> None:
    assert safe_values.is_dist_tag(value) is valid


@pytest.mark.parametrize(("value", "valid"), INTEGRITIES)
def test_integrity_grammar(value: str, valid: bool) -> None:
    assert safe_values.is_sha512_integrity(value) is valid


@pytest.mark.parametrize("bad", INJECTIONS)
def test_no_spec_or_version_holds_a_metacharacter(bad: str) -> None:
    assert not safe_values.is_npm_spec(f"2.1.3{bad}")
    assert not safe_values.is_exact_version(f"2.1.3{bad}")


# (requested, version, allowed)
SPEC_ALLOWS = [
    ("2.1.3", "2.1.3", True),
    ("2.1.3", "2.1.4", False),
    ("latest", "9.9.9", True),
    ("next", "3.0.0-beta.1", True),
    ("^2.1", "2.9.0", True),
    ("^2.1", "3.0.0", False),
    ("^2.1", "2.2.0-beta.1", False),  # npm: a range admits no prerelease it does not name
    ("^2.2.0-beta.0", "2.2.0-beta.1", True),
    (">=2 <3", "2.0.0", True),
    (">=2 <3", "1.9.9", False),
]


@pytest.mark.parametrize(("requested", "version", "allowed"), SPEC_ALLOWS)
def test_spec_allows(requested: str, version: str, allowed: bool) -> None:
    assert spec_allows(requested, version) is allowed


# --- the model --------------------------------------------------------------------------


def test_lock_is_sorted_by_name_whatever_the_input_order() -> None:
    assert Lock((CODEX, CLAUDE)).harnesses == (CLAUDE, CODEX)
    assert Lock((CODEX, CLAUDE)) == Lock((CLAUDE, CODEX))


def test_a_harness_locked_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="locked twice"):
        Lock((CLAUDE, CLAUDE))


@pytest.mark.parametrize("field", ["name", "package", "requested", "version", "integrity"])
@pytest.mark.parametrize("bad", INJECTIONS)
def test_no_field_holds_a_metacharacter(field: str, bad: str) -> None:
    values = {
        "name": CLAUDE.name,
        "package": CLAUDE.package,
        "requested": CLAUDE.requested,
        "version": CLAUDE.version,
        "integrity": CLAUDE.integrity,
    }
    values[field] += bad
    with pytest.raises(ValueError):
        LockedHarness(**values)


def test_a_version_outside_its_spec_is_refused() -> None:
    with pytest.raises(ValueError, match="not allowed"):
        LockedHarness("codex", "@openai/codex", "^0.41", "1.0.0", CODEX_SRI)


def test_lock_path_is_next_to_the_dockerfile() -> None:
    assert lock_path(".aishell/Dockerfile") == Path(".aishell/aishellc.lock")


# --- bytes --------------------------------------------------------------------------------


def test_lock_bytes_golden(golden: Golden) -> None:
    golden(GOLDEN_DIR / "lock" / "two-harnesses.lock", render_lock(Lock((CODEX, CLAUDE))).decode())


def test_empty_lock_is_the_header_alone() -> None:
    text = render_lock(Lock()).decode()
    assert text.startswith("# aishellc.lock")
    assert "[[harness]]" not in text
    assert parse_lock(text, "aishellc.lock") == Lock()


def test_render_then_parse_gives_the_lock_back() -> None:
    lock = Lock((CLAUDE, CODEX))
    assert parse_lock(render_lock(lock).decode(), "aishellc.lock") == lock


# --- located errors -------------------------------------------------------------------------

HEADER = '[[harness]]\nname = "claude"\npackage = "@anthropic-ai/claude-code"\n'
GOOD_TAIL = f'requested = "latest"\nversion = "2.1.331"\nintegrity = "{CLAUDE_SRI}"\n'

# (lock text, line:col of the error, words the message holds)
BAD_LOCKS = [
    ("[[harness]\n", "1:10", "invalid TOML"),
    ('version = 1\n[[harness]]\nname = "claude"\n', "1:1", "unknown key 'version'"),
    ('harness = "claude"\n', "1:1", "harness must be an array of tables"),
    (HEADER + 'requested = "latest"\nversion = "2.1.331"\n', "1:1", "needs a 'integrity' key"),
    (HEADER + GOOD_TAIL + "registry = 'x'\n", "7:1", "unknown key 'registry'"),
    (HEADER + GOOD_TAIL + "integrty = 'x'\n", "7:1", "did you mean 'integrity'"),
    (HEADER.replace('"claude"', '"Claude"') + GOOD_TAIL, "2:8", "invalid harness name 'Claude'"),
    (HEADER.replace("@anthropic-ai", "@Anthropic"), "3:11", "invalid npm package name"),
    (HEADER + GOOD_TAIL.replace('"latest"', '"^2 $(id)"'), "4:13", "invalid harness spec"),
    (HEADER + GOOD_TAIL.replace('"2.1.331"', '"v2.1.331"'), "5:11", "invalid exact version"),
    (HEADER + GOOD_TAIL.replace('"2.1.331"', "2"), "5:1", "version must be a string"),
    (HEADER + GOOD_TAIL.replace("sha512-", "sha1-"), "6:13", "invalid integrity"),
    (
        HEADER + GOOD_TAIL.replace('"latest"', '"^3"'),
        "5:1",
        "locked version '2.1.331' of claude is not allowed by its requested spec '^3'",
    ),
    (HEADER + GOOD_TAIL + HEADER + GOOD_TAIL, "8:1", "harness 'claude' is locked twice"),
]


@pytest.mark.parametrize(("text", "where", "words"), BAD_LOCKS)
def test_bad_lock_is_a_located_error(tmp_path: Path, text: str, where: str, words: str) -> None:
    path = tmp_path / "aishellc.lock"
    path.write_text(text)
    with pytest.raises(UserError) as caught:
        read_lock(path)
    rendered = caught.value.render()
    assert rendered.startswith(f"{path}:{where}: "), rendered
    assert words in rendered
    assert "help:" in rendered


def test_a_lock_that_is_not_utf8_is_located(tmp_path: Path) -> None:
    path = tmp_path / "aishellc.lock"
    path.write_bytes(HEADER.encode() + b'requested = "\xff"\n')
    with pytest.raises(UserError, match=r"aishellc.lock:4:1: lock file is not valid UTF-8"):
        read_lock(path)


def test_missing_lock_is_none_but_a_dangling_link_is_an_error(tmp_path: Path) -> None:
    assert read_lock_if_present(tmp_path / "aishellc.lock") is None
    (tmp_path / "aishellc.lock").symlink_to(tmp_path / "nowhere")
    with pytest.raises(UserError, match="cannot read lock file"):
        read_lock_if_present(tmp_path / "aishellc.lock")


# --- atomic write ---------------------------------------------------------------------------


def test_write_replaces_the_lock_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "aishellc.lock"
    write_lock(path, Lock((CLAUDE,)))
    write_lock(path, Lock((CLAUDE, CODEX)))
    assert read_lock(path) == Lock((CLAUDE, CODEX))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["aishellc.lock"]


def test_write_honours_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        write_lock(tmp_path / "aishellc.lock", Lock((CLAUDE,)))
    finally:
        os.umask(old)
    assert (tmp_path / "aishellc.lock").stat().st_mode & 0o777 == 0o640


def test_a_failed_write_leaves_the_old_lock_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "aishellc.lock"
    write_lock(path, Lock((CLAUDE,)))
    before = path.read_bytes()

    def disk_full(_descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        write_lock(path, Lock((CLAUDE, CODEX)))
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["aishellc.lock"]
