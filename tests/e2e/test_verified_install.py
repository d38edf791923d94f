"""The runtime tier checks each harness tarball against the locked integrity (DESIGN.md,
"Harness lock"), on a real engine: a tarball that differs from the lock fails the build
with a message naming the package; the one the lock names installs and runs.

The registry is a tiny HTTP server in this process on 127.0.0.1 (the builds use the host's
network), serving one stand-in ``@anthropic-ai/claude-code`` whose ``claude`` prints its
version. The runtime tier is the legacy shape on the stand-in Node.js image, so nothing
but Node.js and npm is needed; its images are removed afterwards.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from aishellc.emit.runtime import InstalledHarness, RuntimeSpec, render_runtime
from tests.e2e import dockerutil

PACKAGE = "@anthropic-ai/claude-code"
VERSION = "1.0.0"


def stand_in_tarball() -> bytes:
    """``npm pack`` of a package whose bin ``claude`` prints its version."""
    files = {
        "package/package.json": json.dumps(
            {"name": PACKAGE, "version": VERSION, "bin": {"claude": "cli.js"}}
        ).encode(),
        "package/cli.js": f'#!/usr/bin/env node\nconsole.log("{VERSION} (stand-in)")\n'.encode(),
    }
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o755
            archive.addfile(info, io.BytesIO(data))
    return raw.getvalue()


def sri(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


@pytest.fixture
def registry() -> Iterator[tuple[str, bytes]]:
    """An npm registry on 127.0.0.1 serving the stand-in; yields its URL and the tarball."""
    tarball = stand_in_tarball()
    routes: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = routes.get(self.path.lower())
            self.send_response(200 if body is not None else 404)
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    document = {
        "name": PACKAGE,
        "dist-tags": {"latest": VERSION},
        "versions": {
            VERSION: {
                "name": PACKAGE,
                "version": VERSION,
                "bin": {"claude": "cli.js"},
                "dist": {
                    "tarball": f"{url}t/claude-code-{VERSION}.tgz",
                    "integrity": sri(tarball),
                    "shasum": hashlib.sha1(tarball).hexdigest(),
                },
            }
        },
    }
    routes["/@anthropic-ai%2fclaude-code"] = json.dumps(document).encode()
    routes[f"/t/claude-code-{VERSION}.tgz"] = tarball
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield url, tarball
    finally:
        server.shutdown()
        server.server_close()


def runtime(url: str, integrity: str) -> str:
    harness = InstalledHarness("claude", "claude", PACKAGE, VERSION, integrity)
    return render_runtime(
        RuntimeSpec("legacy", (harness,), dockerutil.NODE_IMAGE, npm_registry=url)
    )


def test_a_tarball_that_differs_from_the_lock_fails_the_build(
    registry: tuple[str, bytes],
    stand_in_images: tuple[str, ...],
    new_tag: Callable[[str], str],
    tmp_path: Path,
) -> None:
    url, tarball = registry
    wrong = sri(tarball + b"tampered")
    output = dockerutil.build(runtime(url, wrong), new_tag("tampered"), tmp_path, check=False)
    assert f"aishellc: {PACKAGE}@{VERSION} does not match aishellc.lock" in output
    assert f"the lock says {wrong}" in output
    assert dockerutil.image_id(new_tag("tampered")) is None
    # the same build with the integrity the tarball has: installed, and it runs
    good = new_tag("verified")
    dockerutil.build(runtime(url, sri(tarball)), good, tmp_path)
    assert dockerutil.run(good, "claude").strip() == f"{VERSION} (stand-in)"
