"""Bad input: a located message on stderr, exit code 2, never a traceback."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from aishellc.cli import run

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
