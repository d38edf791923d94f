"""Bad input and misuse of ``aishellc compile``: a clear message, exit 2 (1 for error
diagnostics), never a traceback, and the output folder exactly as it was."""

from __future__ import annotations

import os
import socket
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from aishellc.emit import output
from tests.compile_cases import OFFLINE_CONFIG, run_cli_in, system_can_exchange, tree

GOOD = "FROM aishell:base\nCOPY requirements.txt /tmp/\n"
# claude@2.1.3 locked (the fixture's harness); the integrity is only stored, never fetched
LOCK = """\
[[harness]]
name = "claude"
package = "@anthropic-ai/claude-code"
requested = "2.1.3"
version = "2.1.3"
integrity = "sha512-{}=="
""".format("A" * 86)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A project compiled once already: ``build/`` holds the previous output."""
    root = tmp_path / "project"
    (root / ".aishell").mkdir(parents=True)
    (root / ".aishell" / "Dockerfile").write_text(GOOD)
    (root / ".aishell" / "aishellc.toml").write_text(OFFLINE_CONFIG)
    (root / "requirements.txt").write_text("flask\n")
    first = run_cli_in(root, ".aishell/Dockerfile", "-o", "build", "--harness", "claude@2.1.3")
    assert first.code == 0, first.err
    return root


Setup = Callable[[Path], None]


def _write(path: str, text: str) -> Setup:
    def setup(root: Path) -> None:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)

    return setup


def _symlink(path: str, target: str) -> Setup:
    def setup(root: Path) -> None:
        (root / path).symlink_to(target)

    return setup


def _fifo(path: str) -> Setup:
    def setup(root: Path) -> None:
        os.mkfifo(root / path)

    return setup


def _both(*setups: Setup) -> Setup:
    def setup(root: Path) -> None:
        for step in setups:
            step(root)

    return setup


def _dockerfile(text: str) -> Setup:
    return _write(".aishell/Dockerfile", text)


def _nothing(root: Path) -> None:
    return None


CASES: list[tuple[str, Setup, list[str], str | None]] = [
    # (name, setup, extra args (after DOCKERFILE -o build), expected start of stderr)
    ("unknown harness", _nothing, ["--harness", "nope"], "--harness: unknown harness 'nope'"),
    (
        "malformed version",
        _nothing,
        ["--harness", "claude@1.0; rm -rf /"],
        "--harness: invalid harness version '1.0; rm -rf /'",
    ),
    (
        "empty version",
        _nothing,
        ["--harness", "claude@"],
        "--harness: harness spec 'claude@' has an empty version",
    ),
    (
        "range without a lock",
        _nothing,
        ["--harness", "claude@>=2 <3"],
        "--harness: harness claude@>=2 <3 names a dist-tag or an npm range",
    ),
    (
        "dist-tag from the config",
        _write(
            ".aishell/aishellc.toml", OFFLINE_CONFIG + '\n[harnesses]\ndefault = ["claude@next"]\n'
        ),
        [],
        ".aishell/aishellc.toml:1:1: harness claude@next names a dist-tag or an npm range",
    ),
    (
        "harness twice",
        _nothing,
        ["--harness", "claude@1.0.0", "--harness", "claude@1.0.1"],
        "--harness: harness 'claude' is listed twice",
    ),
    (
        "missing config",
        _nothing,
        ["--config", "nope.toml"],
        "nope.toml:1:1: cannot read config file: No such file or directory",
    ),
    (
        "config is a folder",
        _nothing,
        ["--config", ".aishell"],
        ".aishell:1:1: cannot read config file: Is a directory",
    ),
    (
        "bad TOML",
        _write(".aishell/aishellc.toml", "[foundation\n"),
        [],
        ".aishell/aishellc.toml:1:12: invalid TOML",
    ),
    (
        "bad config value",
        _write(".aishell/aishellc.toml", 'tag_prefix = "Bad Prefix"\n'),
        [],
        ".aishell/aishellc.toml:1:14: invalid tag prefix 'Bad Prefix'",
    ),
    (
        "CA certificate missing",
        _write(".aishell/aishellc.toml", OFFLINE_CONFIG + 'ca_certificates = ["corp.crt"]\n'),
        [],
        ".aishell/aishellc.toml:5:20: cannot read CA certificate 'corp.crt': No such file",
    ),
    (
        "CA certificate not PEM",
        _both(
            _write(".aishell/certs/corp.crt", "not a certificate\n"),
            _write(
                ".aishell/aishellc.toml", OFFLINE_CONFIG + 'ca_certificates = ["certs/corp.crt"]\n'
            ),
        ),
        [],
        ".aishell/aishellc.toml:5:20: CA certificate 'certs/corp.crt' is not a PEM certificate: "
        "it holds no '-----BEGIN CERTIFICATE-----' block",
    ),
    (
        "CA certificate with a broken body",
        _both(
            _write(
                ".aishell/corp.crt",
                "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
            ),
            _write(".aishell/aishellc.toml", OFFLINE_CONFIG + 'ca_certificates = ["corp.crt"]\n'),
        ),
        [],
        ".aishell/aishellc.toml:5:20: CA certificate 'corp.crt' is not a PEM certificate: "
        "OpenSSL cannot read a certificate in it",
    ),
    (
        "CA certificate file holding a private key",
        _both(
            _write(
                ".aishell/corp.crt",
                "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
            ),
            _write(".aishell/aishellc.toml", OFFLINE_CONFIG + 'ca_certificates = ["corp.crt"]\n'),
        ),
        [],
        ".aishell/aishellc.toml:5:20: CA certificate 'corp.crt' is not a PEM certificate: "
        "it holds a PRIVATE KEY block",
    ),
    (
        "CA certificate path that is absolute",
        _write(
            ".aishell/aishellc.toml",
            OFFLINE_CONFIG + 'ca_certificates = ["/etc/ssl/certs/ca-certificates.crt"]\n',
        ),
        [],
        ".aishell/aishellc.toml:5:20: invalid CA certificate path",
    ),
    (
        "lock does not cover a changed spec",
        _write(".aishell/aishellc.lock", LOCK),
        ["--harness", "claude@2.1.4"],
        ".aishell/aishellc.lock:1:1: aishellc.lock does not cover harness claude@2.1.4: "
        "the lock resolved '2.1.3', the spec is now '2.1.4'",
    ),
    (
        "lock does not cover an added harness",
        _write(".aishell/aishellc.lock", LOCK),
        ["--harness", "claude@2.1.3", "--harness", "codex@0.50.0"],
        ".aishell/aishellc.lock:1:1: aishellc.lock does not cover harness codex@0.50.0: "
        "it is not in the lock",
    ),
    (
        "--locked without a lock",
        _nothing,
        ["--locked"],
        ".aishell/aishellc.lock:1:1: --locked: there is no aishellc.lock next to the Dockerfile",
    ),
    (
        "lock that is not TOML",
        _write(".aishell/aishellc.lock", "[[harness]\n"),
        [],
        ".aishell/aishellc.lock:1:10: invalid TOML",
    ),
    ("missing Dockerfile", _nothing, ["--context", "."], None),
    (
        "unparseable Dockerfile",
        _dockerfile("FROM aishell:base\nRUNN x\n"),
        [],
        ".aishell/Dockerfile:2:1: unknown instruction: RUNN",
    ),
    (
        "missing context",
        _nothing,
        ["--context", "nowhere"],
        "nowhere:1:1: --context does not exist",
    ),
    (
        "legacy with a strategy",
        _nothing,
        ["--legacy", "--harness-strategy", "inline"],
        "--legacy and --harness-strategy cannot be combined",
    ),
    (
        "huge .dockerignore",
        _write(".dockerignore", "#" * (16 << 20) + "\n"),
        [],
        ".dockerignore:1:1: cannot read .dockerignore: larger than 16777216 bytes (16 MiB)",
    ),
    (
        "FIFO in the context",
        _both(_fifo("pipe"), _dockerfile("FROM aishell:base\nCOPY . /src/\n")),
        [],
        ".aishell/Dockerfile:2:6: context file pipe is a FIFO, which cannot be copied",
    ),
    (
        "-o is a file",
        _write("out.txt", "keep me\n"),
        ["-o", "out.txt"],
        "out.txt:1:1: the output path exists and is not a folder",
    ),
    (
        "-o below a file",
        _write("out.txt", "keep me\n"),
        ["-o", "out.txt/build"],
        "out.txt/build:1:1: cannot write the output folder",
    ),
    (
        "-o is someone else's folder",
        _write("src/main.py", "print()\n"),
        ["-o", "src"],
        "src:1:1: the output folder exists and was not written by aishellc",
    ),
    ("-o is the context", _nothing, ["-o", ".", "--context", "."], None),
    (
        "-o contains the context",
        _nothing,
        ["--context", "build"],
        "build:1:1: the output folder would replace the build context (build)",
    ),
    (
        "-o in the context with a leading '!'",
        _nothing,
        ["-o", "!out"],
        "!out:1:1: the output folder lies in the build context under a name aishellc cannot "
        "exclude from it exactly ('!out'): it starts with '!'",
    ),
    (
        "-o holds the Dockerfile",
        _nothing,
        ["-o", ".aishell"],
        ".aishell:1:1: the output folder exists and was not written by aishellc",
    ),
]


@pytest.mark.parametrize(("name", "setup", "args", "expected"), CASES, ids=[c[0] for c in CASES])
def test_misuse_exits_2_and_leaves_outdir_alone(
    root: Path, name: str, setup: Setup, args: list[str], expected: str | None
) -> None:
    before = tree(root / "build")
    setup(root)
    dockerfile = "missing/Dockerfile" if name == "missing Dockerfile" else ".aishell/Dockerfile"
    argv = [dockerfile, *args] if "-o" in args else [dockerfile, "-o", "build", *args]
    if name == "-o is the context":
        argv = [".aishell/Dockerfile", "-o", ".", "--context", "."]
    result = run_cli_in(root, *argv)
    assert result.code == 2, result.err
    assert "Traceback" not in result.err
    if expected is not None:
        assert result.err.startswith(expected), result.err
    elif name == "missing Dockerfile":
        assert result.err.startswith("missing/Dockerfile:1:1: no such file"), result.err
    else:
        assert "output folder" in result.err, result.err
    assert tree(root / "build") == before
    assert not [p for p in root.iterdir() if ".aishellc-" in p.name], "temporary folder left"
    if name.startswith("-o is a file"):
        assert (root / "out.txt").read_text() == "keep me\n"


# Sources the build cannot read are error diagnostics (AIS304-AIS306): exit 1, each at its
# word, and nothing written (they were input errors, exit 2, before check reported them).
CONTEXT_PROBLEMS: list[tuple[str, Setup, list[str], str]] = [
    (
        "COPY ../x",
        _dockerfile("FROM aishell:base\nCOPY ../secret.txt /tmp/\n"),
        [],
        ".aishell/Dockerfile:2:6: AIS304 COPY source '../secret.txt' leaves the build context",
    ),
    (
        "COPY a/../../x",
        _dockerfile("FROM aishell:base\nCOPY a/../../x /tmp/\n"),
        [],
        ".aishell/Dockerfile:2:6: AIS304 COPY source 'a/../../x' leaves the build context",
    ),
    (
        "COPY absolute",
        _dockerfile("FROM aishell:base\nCOPY /etc/passwd /tmp/\n"),
        [],
        ".aishell/Dockerfile:2:6: AIS304 COPY source '/etc/passwd' is an absolute path",
    ),
    (
        "ADD via a variable",
        _dockerfile("FROM aishell:base\nARG SRC=../up\nADD ${SRC} /tmp/\n"),
        [],
        ".aishell/Dockerfile:3:5: AIS304 ADD source '${SRC}' (= '../up') leaves the build context",
    ),
    (
        "bind mount outside",
        _dockerfile("FROM aishell:base\nRUN --mount=type=bind,source=../x,target=/x true\n"),
        [],
        ".aishell/Dockerfile:2:5: AIS304 RUN --mount source '../x' leaves the build context",
    ),
    (
        "symlink out (absolute)",
        _both(_symlink("link", "/etc"), _dockerfile("FROM aishell:base\nCOPY link/passwd /tmp/\n")),
        [],
        ".aishell/Dockerfile:2:6: AIS304 COPY source 'link/passwd': symlink link -> /etc points out of the build context",
    ),
    (
        "symlink out (relative)",
        _both(_symlink("up", "../.."), _dockerfile("FROM aishell:base\nCOPY up /tmp/\n")),
        [],
        ".aishell/Dockerfile:2:6: AIS304 COPY source 'up': symlink up -> ../.. points out of the build context",
    ),
    (
        "missing source",
        _dockerfile("FROM aishell:base\nCOPY nope.txt /tmp/\n"),
        [],
        ".aishell/Dockerfile:2:6: AIS305 COPY source 'nope.txt' is not in the build context (.)",
    ),
    (
        "ignored source",
        _both(_write(".dockerignore", "requirements.txt\n")),
        [],
        ".aishell/Dockerfile:2:6: AIS306 COPY source 'requirements.txt' is excluded by .dockerignore",
    ),
]


@pytest.mark.parametrize(
    ("name", "setup", "args", "expected"), CONTEXT_PROBLEMS, ids=[c[0] for c in CONTEXT_PROBLEMS]
)
def test_context_problems_exit_1_and_leave_outdir_alone(
    root: Path, name: str, setup: Setup, args: list[str], expected: str
) -> None:
    before = tree(root / "build")
    setup(root)
    result = run_cli_in(root, ".aishell/Dockerfile", "-o", "build", *args)
    assert result.code == 1, result.err
    assert f"\n{expected}" in f"\n{result.err}", result.err
    assert result.err.endswith("build/ was not written\n"), result.err
    assert tree(root / "build") == before


def test_a_socket_in_the_context_is_refused(root: Path) -> None:
    before = tree(root / "build")
    (root / ".aishell" / "Dockerfile").write_text("FROM aishell:base\nCOPY . /src/\n")
    # AF_UNIX paths are short: bind in a short temporary folder, then move the socket in
    with tempfile.TemporaryDirectory(dir="/tmp") as short:
        server = socket.socket(socket.AF_UNIX)
        try:
            server.bind(str(Path(short, "s")))
            Path(short, "s").rename(root / "agent.sock")
            result = run_cli_in(root, ".aishell/Dockerfile", "-o", "build")
        finally:
            server.close()
    assert result.code == 2
    assert "context file agent.sock is a socket" in result.err
    assert tree(root / "build") == before


def test_an_unreadable_context_file_is_refused(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = tree(root / "build")
    real_open = os.open

    def deny(path: str, flags: int, *args: object, **at: int) -> int:
        if str(path).endswith("requirements.txt"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **at)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", deny)
    result = run_cli_in(root, ".aishell/Dockerfile", "-o", "build")
    assert result.code == 2
    assert result.err.startswith(
        ".aishell/Dockerfile:2:6: cannot read context file requirements.txt: permission denied"
    ), result.err
    assert tree(root / "build") == before


def test_an_unwritable_output_folder(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = tree(root / "build")

    def deny(*args: object, **kwargs: object) -> str:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkdtemp", deny)
    result = run_cli_in(root, ".aishell/Dockerfile", "-o", "build")
    assert result.code == 2
    assert result.err.startswith("build:1:1: cannot write the output folder: permission denied")
    assert tree(root / "build") == before


def test_a_failure_while_writing_keeps_the_old_folder(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = tree(root / "build")
    real_fsync = os.fsync
    calls = []

    def fail_late(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fail_late)
    (root / "requirements.txt").write_text("flask==9\n")  # a different output
    result = run_cli_in(root, ".aishell/Dockerfile", "-o", "build")
    assert result.code == 2
    assert "cannot write the output folder: no space left on device" in result.err
    assert tree(root / "build") == before
    assert not [p for p in root.iterdir() if ".aishellc-" in p.name]


def test_a_failed_swap_puts_the_old_folder_back(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The two-rename fallback (no atomic exchange on this system).
    monkeypatch.setattr(output, "_exchange", lambda parent_fd, first, second: False)
    before = tree(root / "build")
    real_rename = os.rename

    def fail_new(source: str, target: str, **at: int) -> None:
        if ".aishellc-new-" in source:
            raise OSError(5, "Input/output error")
        real_rename(source, target, **at)

    monkeypatch.setattr(os, "rename", fail_new)
    (root / "requirements.txt").write_text("flask==9\n")
    result = run_cli_in(root, ".aishell/Dockerfile", "-o", "build")
    assert result.code == 2
    assert tree(root / "build") == before
    assert not [p for p in root.iterdir() if ".aishellc-" in p.name]


def test_a_failed_exchange_keeps_the_old_folder(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = tree(root / "build")

    def fail(parent_fd: int, first: str, second: str) -> bool:
        raise OSError(5, "Input/output error", second)

    monkeypatch.setattr(output, "_exchange", fail)
    (root / "requirements.txt").write_text("flask==9\n")
    result = run_cli_in(root, ".aishell/Dockerfile", "-o", "build")
    assert result.code == 2
    assert "cannot write the output folder: input/output error" in result.err
    assert tree(root / "build") == before
    assert not [p for p in root.iterdir() if ".aishellc-" in p.name]


def test_the_swap_is_one_exchange_on_linux(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # OUTDIR is never absent: no rename moves it aside (the exchange swaps it in one step).
    if not system_can_exchange(root):
        pytest.skip("no renameat2(RENAME_EXCHANGE) here")
    renamed: list[str] = []
    real_rename = os.rename

    def spy(source: str, target: str, **at: int) -> None:
        renamed.append(source)
        real_rename(source, target, **at)

    monkeypatch.setattr(os, "rename", spy)
    (root / "requirements.txt").write_text("flask==9\n")
    result = run_cli_in(root, ".aishell/Dockerfile", "-o", "build")
    assert result.code == 0, result.err
    assert "build" not in renamed
    assert not [p for p in root.iterdir() if ".aishellc-" in p.name]


def test_error_diagnostics_exit_1_and_write_nothing(root: Path) -> None:
    before = tree(root / "build")
    (root / ".aishell" / "Dockerfile").write_text(
        "FROM aishell:base\nARG APP_USER=developer\nUSER ${APP_USER}\n"
    )
    result = run_cli_in(root, ".aishell/Dockerfile", "-o", "build", "--harness-strategy", "inline")
    assert result.code == 1, result.err
    assert ".aishell/Dockerfile:3:1: AIS303" in result.err
    assert "build/ was not written" in result.err
    assert tree(root / "build") == before


def test_a_successful_compile_replaces_every_file(root: Path) -> None:
    (root / "build" / "stale.txt").write_text("from an older aishellc\n")
    result = run_cli_in(root, ".aishell/Dockerfile", "-o", "build", "--harness", "claude@2.1.4")
    assert result.code == 0, result.err
    assert not (root / "build" / "stale.txt").exists()
    assert b"claude-code@2.1.4" in (root / "build" / "runtime.Dockerfile").read_bytes()


def test_an_output_symlink_is_kept(root: Path) -> None:
    (root / "build").rename(root / "real-build")
    (root / "build").symlink_to("real-build")
    result = run_cli_in(root, ".aishell/Dockerfile", "-o", "build", "--harness", "claude@2.1.4")
    assert result.code == 0, result.err
    assert (root / "build").is_symlink()
    assert b"claude-code@2.1.4" in (root / "real-build" / "runtime.Dockerfile").read_bytes()


def test_a_device_in_the_context_is_refused(root: Path) -> None:
    import stat

    before = tree(root / "build")
    (root / ".aishell" / "Dockerfile").write_text("FROM aishell:base\nCOPY dev/ /src/\n")
    (root / "dev").mkdir()
    try:
        os.mknod(root / "dev" / "null", stat.S_IFCHR | 0o600, os.makedev(1, 3))
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot make a device node here: {exc}")
    result = run_cli_in(root, ".aishell/Dockerfile", "-o", "build")
    assert result.code == 2
    assert "context file dev/null is a device, which cannot be copied" in result.err
    assert tree(root / "build") == before


def test_json_format_reports_the_error_on_stdout(root: Path) -> None:
    import json

    result = run_cli_in(
        root, ".aishell/Dockerfile", "-o", "build", "--harness", "nope", "--format", "json"
    )
    assert result.code == 2
    assert json.loads(result.out) == {
        "error": {
            "message": "unknown harness 'nope'",
            "path": "--harness",
            "line": None,
            "column": None,
            "help": "known harnesses: claude, codex, copilot, gemini, opencode, openspec, pi",
        }
    }
    result = run_cli_in(root, "plan", "missing.json", "--format", "json")
    assert result.code == 2
    assert json.loads(result.out)["error"]["path"] == "missing.json"


NOT_UTF8 = os.fsdecode(b"caf\xe9")  # a file name Python holds as a lone surrogate


@pytest.mark.parametrize(
    ("what", "argv"),
    [
        ("the Dockerfile", [f".aishell/{NOT_UTF8}", "-o", "build"]),
        ("the output folder", [".aishell/Dockerfile", "-o", f"build-{NOT_UTF8}"]),
        ("--context", [".aishell/Dockerfile", "-o", "build", "--context", NOT_UTF8]),
        ("--config", [".aishell/Dockerfile", "-o", "build", "--config", f"{NOT_UTF8}.toml"]),
    ],
)
def test_a_path_that_is_not_utf8_is_refused(root: Path, what: str, argv: list[str]) -> None:
    # Regression (fuzzing): such a path reached manifest.json, whose UTF-8 encoding
    # raised UnicodeEncodeError (exit 70, internal error).
    (root / ".aishell" / NOT_UTF8).write_text(GOOD)
    (root / NOT_UTF8).mkdir()
    (root / f"{NOT_UTF8}.toml").write_text(OFFLINE_CONFIG)
    before = tree(root / "build")
    result = run_cli_in(root, *argv, "--harness", "claude@2.1.3")
    assert result.code == 2, result.err
    assert f"the path of {what} is not valid UTF-8" in result.err
    assert tree(root / "build") == before
    assert not (root / f"build-{NOT_UTF8}").exists()


@pytest.mark.parametrize(
    ("what", "argv"),
    [
        ("the Dockerfile", ["", "-o", "build"]),
        ("the output folder", [".aishell/Dockerfile", "-o", ""]),
        ("the output folder", [".aishell/Dockerfile", "--output="]),
        ("--context", [".aishell/Dockerfile", "-o", "build", "--context", ""]),
        ("--config", [".aishell/Dockerfile", "-o", "build", "--config", ""]),
    ],
)
def test_an_empty_path_is_a_usage_error(root: Path, what: str, argv: list[str]) -> None:
    # Regression: "-o ''" meant "." (normalised), the project folder itself.
    before = tree(root)
    result = run_cli_in(root, *argv, "--harness", "claude@2.1.3")
    assert result.code == 2, result.err
    assert result.err.startswith(f"the path of {what} is empty"), result.err
    assert tree(root) == before
