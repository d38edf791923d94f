"""What the registry can do wrong, and the user's npm setup: each failure is exit 2 with
the registry and package named and the lock untouched; tokens, CA files, scoped
registries and proxies work as npm's do."""

from __future__ import annotations

import os
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
import trustme

from aishellc.lock.file import Lock, LockedHarness, write_lock
from aishellc.npm import client
from tests.lock.conftest import CORP_HARNESS, Project
from tests.lock.test_file import CLAUDE_SRI
from tests.services import free_port
from tests.services.http import answer, forward, serving
from tests.services.verdaccio import Verdaccio

OLD_LOCK = Lock(
    (LockedHarness("claude", "@anthropic-ai/claude-code", "latest", "2.1.0", CLAUDE_SRI),)
)

# A port nothing listens on (found free a moment ago): connections are refused.
DEAD = f"http://127.0.0.1:{free_port()}/"


def locked_before(project: Project) -> bytes:
    """A lock with claude, so that `lock --harness claude --harness codex` must ask the
    registry for codex only."""
    write_lock(project.lock, OLD_LOCK)
    return project.lock.read_bytes()


def assert_refused(
    project: Project,
    before: bytes,
    *words: str,
    args: tuple[str, ...] = ("--harness", "claude", "--harness", "codex"),
) -> str:
    failed = project.run("lock", ".aishell/Dockerfile", *args)
    assert failed.code == 2, failed
    assert "Traceback" not in failed.err
    for word in words:
        assert word in failed.err, failed.err
    assert project.lock.read_bytes() == before
    assert failed.out == ""
    return failed.err


def drip(handler: BaseHTTPRequestHandler) -> None:
    """Headers at once, then a byte every 0.1 s: each read is quick, the whole is not."""
    handler.send_response(200)
    handler.send_header("Content-Length", "100")
    handler.end_headers()
    for _ in range(100):
        handler.wfile.write(b" ")
        handler.wfile.flush()
        time.sleep(0.1)


def silent(handler: BaseHTTPRequestHandler) -> None:
    time.sleep(3)


# (name, how the server answers codex's document, words of the error)
BAD_ANSWERS = [
    (
        "malformed JSON",
        answer(200, b"<html>proxy login</html>"),
        "malformed package document: it is not JSON",
    ),
    (
        "not a package document",
        answer(200, b'{"name": "@openai/codex"}'),
        "'dist-tags' is not an object",
    ),
    (
        "another package",
        answer(200, b'{"name": "x", "dist-tags": {}, "versions": {}}'),
        "the document is for 'x'",
    ),
    ("server error", answer(500, b"oops"), "the registry answered HTTP 500"),
    (
        "huge document",
        answer(200, b"[" + b"0," * 5000 + b"0]"),
        "the package document is larger than 8 KiB",
    ),
    ("slow to answer", silent, "no complete answer within 0.3 s"),
    ("slow drip", drip, "no complete answer within 0.3 s"),
]


@pytest.mark.parametrize(
    ("name", "respond", "words"), BAD_ANSWERS, ids=[row[0] for row in BAD_ANSWERS]
)
def test_a_bad_answer_is_exit_2_and_the_lock_untouched(
    project: Project, monkeypatch: pytest.MonkeyPatch, name: str, respond, words: str
) -> None:
    monkeypatch.setattr(client, "MAX_DOCUMENT_BYTES", 8 << 10)
    (Path(os.environ["HOME"]) / ".npmrc").write_text("fetch-timeout=300\n")
    before = locked_before(project)
    with serving(respond) as url:
        project.configure(url)
        started = time.monotonic()
        err = assert_refused(project, before, f"npm registry {url}", "package @openai/codex", words)
        assert time.monotonic() - started < 2.5
    assert err.startswith(f"npm registry {url} ([npm] registry in .aishell/aishellc.toml)")


def test_a_registry_that_is_down(project: Project) -> None:
    before = locked_before(project)
    project.configure(DEAD)
    assert_refused(
        project,
        before,
        f"npm registry {DEAD}",
        "package @openai/codex",
        "cannot reach the registry",
        "Connection refused",
    )


def test_a_package_the_registry_does_not_have(registry: Verdaccio, project: Project) -> None:
    before = locked_before(project)
    project.configure(
        registry.url, '[harnesses.extra.ghost]\nbinary = "ghost"\npackage = "@acme/ghost"\n'
    )
    assert_refused(
        project,
        before,
        "package @acme/ghost",
        "not found (HTTP 404)",
        args=("--harness", "claude", "--harness", "ghost"),
    )


# --- tokens --------------------------------------------------------------------------------


def test_a_protected_scope_without_a_token(registry: Verdaccio, project: Project) -> None:
    before = locked_before(project)
    project.configure(registry.url, CORP_HARNESS)
    err = assert_refused(
        project,
        before,
        "package @corp/agent",
        "access refused (HTTP 401)",
        args=("--harness", "claude", "--harness", "corp"),
    )
    assert (
        f"help: add a token for it to {os.environ['HOME']}/.npmrc: {registry.nerf_dart}:_authToken=${{NPM_TOKEN}}"
        in err
    )


def test_a_token_named_by_an_unset_variable(registry: Verdaccio, project: Project) -> None:
    before = locked_before(project)
    npmrc = Path(os.environ["HOME"]) / ".npmrc"
    npmrc.write_text(f"{registry.nerf_dart}:_authToken=${{CORP_TOKEN}}\n")
    project.configure(registry.url, CORP_HARNESS)
    err = assert_refused(
        project,
        before,
        "access refused (HTTP 401)",
        args=("--harness", "claude", "--harness", "corp"),
    )
    assert f"the token at {npmrc}:1:1 names CORP_TOKEN, which is not set" in err


def test_the_token_from_npmrc_is_sent_and_never_written(
    registry: Verdaccio, project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    npmrc = tmp_path / "elsewhere.npmrc"  # NPM_CONFIG_USERCONFIG, not ~/.npmrc
    npmrc.write_text(f"; the CI token\n{registry.nerf_dart}:_authToken=${{CORP_TOKEN}}\n")
    monkeypatch.setenv("NPM_CONFIG_USERCONFIG", os.fspath(npmrc))
    monkeypatch.setenv("CORP_TOKEN", registry.token)
    project.configure(registry.url, CORP_HARNESS)
    done = project.run("lock", ".aishell/Dockerfile", "--harness", "corp")
    assert done.code == 0, done.err
    assert done.out == "+ corp 1.0.0\nwrote .aishell/aishellc.lock\n"
    written = project.lock.read_text()
    assert registry.token not in written + done.out + done.err
    assert "@corp/agent" in written


def test_a_scope_registry_from_npmrc_wins(registry: Verdaccio, project: Project) -> None:
    """`@corp:registry=` serves @corp/* even when the default registry is down."""
    (Path(os.environ["HOME"]) / ".npmrc").write_text(
        f"registry={DEAD}\n@corp:registry={registry.url}\n{registry.nerf_dart}:_authToken={registry.token}\n"
    )
    project.configure(None, CORP_HARNESS)
    assert project.run("lock", ".aishell/Dockerfile", "--harness", "corp").code == 0
    refused = project.run("lock", ".aishell/Dockerfile", "--harness", "claude")
    assert refused.code == 2
    assert refused.err.startswith(f"npm registry {DEAD} (registry= in {os.environ['HOME']}/.npmrc)")


def test_npm_config_registry_beats_npmrc(
    registry: Verdaccio, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    (Path(os.environ["HOME"]) / ".npmrc").write_text(f"registry={DEAD}\n")
    monkeypatch.setenv("NPM_CONFIG_REGISTRY", registry.url)
    project.configure(None)
    assert project.run("lock", ".aishell/Dockerfile").code == 0


# --- TLS and proxies ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate_authority() -> trustme.CA:
    return trustme.CA()


def test_tls_needs_the_ca_from_cafile(
    registry: Verdaccio, project: Project, certificate_authority: trustme.CA, tmp_path: Path
) -> None:
    """Verdaccio behind a TLS front whose certificate comes from a CA the system does not
    trust: refused until `cafile=` names the CA."""
    import ssl

    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    certificate_authority.issue_cert("127.0.0.1").configure_cert(server)
    ca_file = tmp_path / "corp-ca.pem"
    certificate_authority.cert_pem.write_to_path(os.fspath(ca_file))
    npmrc = Path(os.environ["HOME"]) / ".npmrc"
    with serving(forward(registry.url), tls=server) as url:
        project.configure(url)
        untrusted = project.run("lock", ".aishell/Dockerfile", "--harness", "codex")
        assert untrusted.code == 2
        assert f"npm registry {url}" in untrusted.err
        assert "TLS failed" in untrusted.err and "CERTIFICATE_VERIFY_FAILED" in untrusted.err
        assert f"cafile=/path/to/ca.pem in {npmrc}" in untrusted.err
        assert not project.lock.exists()
        npmrc.write_text(f"cafile={ca_file}\n")
        trusted = project.run("lock", ".aishell/Dockerfile", "--harness", "codex")
        assert trusted.code == 0, trusted.err


def test_an_unreadable_cafile(project: Project, tmp_path: Path) -> None:
    (Path(os.environ["HOME"]) / ".npmrc").write_text(f"cafile={tmp_path}/missing.pem\n")
    project.configure(DEAD)
    failed = project.run("lock", ".aishell/Dockerfile")
    assert failed.code == 2
    assert "cannot load the CA file" in failed.err


def test_requests_go_through_the_proxy_unless_no_proxy(
    registry: Verdaccio, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    project.configure(registry.url)
    with serving(forward(registry.url, seen)) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy)
        assert project.run("lock", ".aishell/Dockerfile", "--harness", "codex").code == 0
        assert [path.lower() for path in seen] == [f"{registry.url}@openai%2fcodex"]
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        assert project.run("lock", ".aishell/Dockerfile", "--harness", "opencode").code == 0
        assert len(seen) == 1


def test_a_proxy_password_is_never_shown(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://user:hunter2@127.0.0.1:{free_port()}")
    project.configure("http://registry.example.com/")
    failed = project.run("lock", ".aishell/Dockerfile")
    assert failed.code == 2
    assert "the proxy http://127.0.0.1:" in failed.err
    assert "hunter2" not in failed.err


def test_a_redirect_to_another_host_does_not_carry_the_token(
    project: Project, registry: Verdaccio
) -> None:
    """The token names one registry: a redirect elsewhere (another port is another host)
    follows without it, as npm's fetch does."""
    headers: list[str | None] = []

    def elsewhere(handler: BaseHTTPRequestHandler) -> None:
        headers.append(handler.headers.get("Authorization"))
        forward(registry.url)(handler)

    with serving(elsewhere) as target:

        def redirect(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(302)
            handler.send_header("Location", target + handler.path.lstrip("/"))
            handler.send_header("Content-Length", "0")
            handler.end_headers()

        with serving(redirect) as source:
            (Path(os.environ["HOME"]) / ".npmrc").write_text(f"{source[5:]}:_authToken=s3cr3t\n")
            project.configure(source)
            done = project.run("lock", ".aishell/Dockerfile", "--harness", "codex")
            assert done.code == 0, done.err
    assert headers == [None]
