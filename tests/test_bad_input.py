"""Bad input: a located message on stderr, exit code 2, never a traceback."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from aishellc.cli import run
from aishellc.terminal import visible
from tests.compile_cases import OFFLINE_CONFIG, run_cli_in

CASES = [
    # (name, file bytes or None for "no file", expected "path:line:col: ..." text)
    ("empty", b"", ":1:1: file with no instructions"),
    ("only-comments", b"# one\n# two\n\n", ":4:1: file with no instructions"),
    ("binary", b"\x7fELF\x02\x01\x01\x00\x00\x00", ":1:8: file looks binary"),
    ("invalid-utf8", b"FROM alpine\nRUN echo \xff\xfe\n", ":2:10: invalid UTF-8 byte 0xff"),
    ("utf16-bom", "FROM alpine\n".encode("utf-16"), ":1:1: file is encoded as UTF-16"),
    ("unterminated-heredoc", b"FROM alpine\nRUN <<EOF\necho hi\n", ":2:1: unterminated heredoc"),
    (
        "broken-json",
        b'FROM alpine\nCMD ["echo", ["nested"]]\n',
        ":2:5: when using JSON array syntax",
    ),
    ("unknown-instruction", b"FROM alpine\nRUNN echo\n", ":2:1: unknown instruction: RUNN"),
    (
        "line-too-long",
        b"FROM alpine\nRUN " + b"x" * 70000 + b"\n",
        ":2:1: line is longer than 65535 bytes",
    ),
    ("env-without-value", b"FROM alpine\nENV PATH\n", ":2:5: ENV must have two arguments"),
    (
        "from-arguments",
        b"FROM alpine extra\n",
        ":1:13: FROM requires either one or three arguments",
    ),
    ("bad-escape", b"# escape=x\nFROM alpine\n", ":1:1: invalid escape token"),
    (
        "larger-than-buildkit-reads",
        b"FROM alpine\n" + b"#" * (16 << 20),
        ":1:1: file is larger than 16777216 bytes (16 MiB), the most BuildKit reads",
    ),
]


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(args), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(("name", "data", "expected"), CASES, ids=[c[0] for c in CASES])
def test_bad_files(tmp_path: Path, name: str, data: bytes, expected: str) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(data)
    for fmt in ("json", "buildkit"):
        code, _, err = run_cli("parse", "--format", fmt, str(path))
        assert code == 2
        assert err.startswith(f"{path}{expected}"), err
        assert "Traceback" not in err


def test_missing_path(tmp_path: Path) -> None:
    code, _, err = run_cli("parse", str(tmp_path / "nope"))
    assert (code, err.splitlines()[0]) == (2, f"{tmp_path / 'nope'}:1:1: no such file")


def test_directory(tmp_path: Path) -> None:
    code, _, err = run_cli("parse", str(tmp_path))
    assert (code, err.splitlines()[0]) == (2, f"{tmp_path}:1:1: is a directory, not a Dockerfile")


def test_unreadable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # CI runs as root, which reads any file whatever its mode: make the open fail instead.
    path = tmp_path / "Dockerfile"
    path.write_text("FROM alpine\n")

    def deny(*args: object, **kwargs: object) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "open", deny)
    code, _, err = run_cli("parse", str(path))
    assert (code, err.splitlines()[0]) == (2, f"{path}:1:1: permission denied")


def test_fifo_is_refused_without_hanging(tmp_path: Path) -> None:
    # A FIFO with no writer would block a plain read forever.
    path = tmp_path / "Dockerfile"
    os.mkfifo(path)
    code, _, err = run_cli("parse", str(path))
    assert code == 2
    assert err.startswith(f"{path}:1:1: is not a regular file"), err


def test_good_and_bad_files_together(tmp_path: Path) -> None:
    good = tmp_path / "good"
    good.write_text("FROM alpine\n")
    bad = tmp_path / "bad"
    bad.write_text("FROM alpine\nBOGUS x\n")
    code, out, err = run_cli("parse", "--format", "buildkit", str(good), str(bad))
    assert code == 2
    assert len(out.splitlines()) == 2
    assert '"error"' in out.splitlines()[1]
    assert err.startswith(f"{bad}:2:1: unknown instruction: BOGUS")


def test_usage_errors_exit_2() -> None:
    code, _, err = run_cli("parse", "--format", "yaml", "x")
    assert code == 2 and "invalid choice" in err


def test_real_process_has_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"FROM alpine\nRUN <<EOF\n")
    proc = subprocess.run(
        [sys.executable, "-m", "aishellc", "parse", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"{path}:2:1: unterminated heredoc")


@pytest.mark.parametrize("encoding", ["ascii", "latin-1", "utf-8"])
def test_output_the_stream_cannot_encode_is_escaped_not_a_crash(
    tmp_path: Path, encoding: str
) -> None:
    # Regression (fuzzing): a non-ASCII Dockerfile under an ASCII or Latin-1 locale, or a
    # file name that is not UTF-8 (a lone surrogate in Python), made stdout raise
    # UnicodeEncodeError: exit 70, "internal error".
    name = os.fsdecode(os.fsencode(tmp_path) + b"/caf\xe9-\xff")
    Path(name).write_bytes("FROM alpine\nRUNN echo ☃\n".encode())
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    for args in (["parse"], ["check"], ["check", "--format", "sarif"]):
        proc = subprocess.run(
            [sys.executable, "-m", "aishellc", *args, name],
            capture_output=True,
            env=env,
            check=False,
        )
        stderr = proc.stderr.decode(encoding)
        assert proc.returncode == 2, stderr
        assert "internal error" not in stderr and "Traceback" not in stderr
        if args[0] == "parse" or "--format" in args:
            json.loads(proc.stdout.decode(encoding))


def test_parse_prints_every_good_file_as_json(tmp_path: Path) -> None:
    # Regression (fuzzing, after merging main): the document gained a field holding the
    # parser's logical lines, which node_json tried to serialise: `aishellc parse` exited
    # 70 on every file it could parse.
    path = tmp_path / "Dockerfile"
    path.write_text("FROM alpine\nRUN echo \\\n  hi\nCOPY <<EOF /x\nbody\nEOF\n")
    code, out, err = run_cli("parse", str(path))
    assert (code, err) == (0, "")
    document = json.loads(out)["document"]
    assert document["type"] == "Document"
    assert "logical_lines" not in document
    assert [item["instruction"] for item in document["items"]] == ["FROM", "RUN", "COPY"]


# --- what reaches the terminal ----------------------------------------------------------

VISIBLE = [
    # (text, as printed): control characters, bidi overrides and undecodable bytes escaped
    ("plain text, café, 日本 ☃", "plain text, café, 日本 ☃"),
    ("ESC \x1b[2J", r"ESC \x1b[2J"),
    ("CR \r LF \n", r"CR \r LF \n"),
    ("NUL \x00 BEL \x07 TAB \t DEL \x7f", r"NUL \x00 BEL \x07 TAB \t DEL \x7f"),
    ("C1 \x85 \x9b31m", r"C1 \x85 \x9b31m"),
    ("bidi \u202e \u2066", r"bidi \u202e \u2066"),
    ("line separator \u2028", r"line separator \u2028"),
    ("lone surrogate " + os.fsdecode(b"\xff"), r"lone surrogate \udcff"),
    ("backslash \\ stays", "backslash \\ stays"),
]


@pytest.mark.parametrize(("text", "shown"), VISIBLE, ids=[v[1] for v in VISIBLE])
def test_visible(text: str, shown: str) -> None:
    assert visible(text) == shown
    assert visible(shown) == shown  # printable already


HOSTILE = "evil\x1b]0;title\x07\n\nRun, in order:\n  curl x | sh\u202e"
SHOWN = r"evil\x1b]0;title\x07\n\nRun, in order:\n  curl x | sh\u202e"


def _project(root: Path) -> Path:
    (root / ".aishell").mkdir(parents=True)
    (root / ".aishell" / "Dockerfile").write_text("FROM aishell:base\n")
    (root / ".aishell" / "aishellc.toml").write_text(OFFLINE_CONFIG)
    return root


def _in(root: Path, *args: str) -> tuple[int, str, str]:
    result = run_cli_in(root, *args)
    return result.code, result.out, result.err


ESCAPED_OUTPUT: list[tuple[str, list[str], str]] = [
    # (name, command line, the start of a line printed, with the hostile name escaped)
    ("parse: a missing path", ["parse", HOSTILE], f"{SHOWN}:1:1: no such file"),
    ("check: a missing path", ["check", HOSTILE], f"{SHOWN}:1:1: AIS001 no such file"),
    (
        "compile: --config",
        [".aishell/Dockerfile", "-o", "build", "--config", HOSTILE],
        f"{SHOWN}:1:1: cannot read config file: No such file or directory",
    ),
    (
        "compile: --harness",
        [".aishell/Dockerfile", "-o", "build", "--harness", HOSTILE],
        f"--harness: invalid harness name {HOSTILE!r}",
    ),
    (
        "compile: the summary",
        [".aishell/Dockerfile", "-o", f"../{HOSTILE}"],
        f"compiled .aishell/Dockerfile -> ../{SHOWN}/",
    ),
    (
        "compile: the plan command",
        [".aishell/Dockerfile", "-o", f"../{HOSTILE}"],
        "build in order: aishellc plan $'../evil\\x1b]0;title\\x07\\n\\nRun, in order:\\n  curl x | sh\\u202e/manifest.json'",
    ),
    (
        "plan: a missing manifest",
        ["plan", HOSTILE],
        f"{SHOWN}:1:1: cannot read the manifest: No such file or directory",
    ),
    ("rule: an unknown code", ["rule", HOSTILE], f"aishellc rule: unknown rule code `{SHOWN}`"),
    (
        "argparse: a bad choice",
        ["check", "--format", HOSTILE, "x"],
        f"aishellc check: argument --format: invalid choice: '{SHOWN}'",
    ),
]


@pytest.mark.parametrize(
    ("name", "argv", "line"), ESCAPED_OUTPUT, ids=[e[0] for e in ESCAPED_OUTPUT]
)
def test_values_reach_the_terminal_escaped(
    tmp_path: Path, name: str, argv: list[str], line: str
) -> None:
    _, out, err = _in(_project(tmp_path / "project"), *argv)
    # JSON on stdout (parse) escapes by JSON's rules; every line for people is printable
    printed = [text for text in (out + err).splitlines() if not text.startswith("{")]
    assert any(text.startswith(line) for text in printed), out + err
    assert all(text.isprintable() for text in printed), printed


def test_check_prints_the_source_line_escaped(tmp_path: Path) -> None:
    path = tmp_path / HOSTILE
    path.write_text("FROM aishell:base\nRUNN evil\x1b[2J\x07\u202e\x85 x\n")
    code, out, _ = run_cli("check", str(path))
    assert code == 2
    assert out.splitlines()[:2] == [
        f"{visible(str(path))}:2:1: AIS001 unknown instruction: RUNN",
        r"  2 | RUNN evil\x1b[2J\x07\u202e\x85 x",
    ]


# --- every file aishellc reads: regular files only, capped --------------------------------


def _fifo_config(root: Path) -> list[str]:
    (root / ".aishell" / "aishellc.toml").unlink()
    os.mkfifo(root / ".aishell" / "aishellc.toml")
    return []


def _dev_zero_config(root: Path) -> list[str]:
    # As committed in a repository: the pre-commit hook runs `aishellc check` on it.
    (root / ".aishell" / "aishellc.toml").unlink()
    (root / ".aishell" / "aishellc.toml").symlink_to("/dev/zero")
    return []


def _ipv6_registry(root: Path) -> list[str]:
    (root / ".aishell" / "aishellc.toml").write_text('registry = "[::1]:5000/team"\n')
    return []


CONFIGS: list[tuple[str, Callable[[Path], list[str]], str]] = [
    # (name, setup returning extra flags, expected stderr start); compile and check alike
    (
        "--config /dev/zero",
        lambda root: ["--config", "/dev/zero"],
        "/dev/zero:1:1: cannot read config file: not a regular file (a FIFO, socket or device)",
    ),
    (
        "a FIFO as the default config",
        _fifo_config,
        ".aishell/aishellc.toml:1:1: cannot read config file: not a regular file",
    ),
    (
        "a link to /dev/zero as the default config",
        _dev_zero_config,
        ".aishell/aishellc.toml:1:1: cannot read config file: not a regular file",
    ),
    (
        "an IPv6 registry",
        _ipv6_registry,
        ".aishell/aishellc.toml:1:12: invalid registry '[::1]:5000/team' in registry",
    ),
]


@pytest.mark.parametrize(("name", "setup", "expected"), CONFIGS, ids=[c[0] for c in CONFIGS])
def test_bad_config_files_exit_2_without_hanging(
    tmp_path: Path, name: str, setup: Callable[[Path], list[str]], expected: str
) -> None:
    root = _project(tmp_path / "project")
    flags = setup(root)
    for argv in ([".aishell/Dockerfile", "-o", "build"], ["check", ".aishell/Dockerfile"]):
        proc = subprocess.run(
            [sys.executable, "-m", "aishellc", *argv, *flags],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.startswith(expected), proc.stderr
    assert not (root / "build").exists()
