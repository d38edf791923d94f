"""Tiny local HTTP(S) servers for registry tests: a canned answer, a forwarding proxy, a
TLS front for another server. Each runs in a thread on a free 127.0.0.1 port."""

from __future__ import annotations

import contextlib
import ssl
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Respond = Callable[[BaseHTTPRequestHandler], None]


def _handler(respond: Respond) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            respond(self)

        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet

    return Handler


@contextlib.contextmanager
def serving(respond: Respond, tls: ssl.SSLContext | None = None) -> Iterator[str]:
    """Serve every GET with ``respond``; yields the base URL (``http(s)://127.0.0.1:P/``)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(respond))
    server.daemon_threads = True
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    scheme = "https" if tls is not None else "http"
    try:
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def answer(status: int, body: bytes, content_type: str = "application/json") -> Respond:
    def respond(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return respond


def forward(upstream: str, seen: list[str] | None = None) -> Respond:
    """Answer with what ``upstream`` answers for the same path (and headers that matter);
    as an HTTP proxy (absolute request URLs) too. Records the request lines in ``seen``."""

    def respond(handler: BaseHTTPRequestHandler) -> None:
        if seen is not None:
            seen.append(handler.path)
        path = handler.path.split("/", 3)[3] if "://" in handler.path else handler.path[1:]
        headers = {
            k: v for k, v in handler.headers.items() if k.lower() in ("accept", "authorization")
        }
        request = urllib.request.Request(upstream + path, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as reply:
                status, body = reply.status, reply.read()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
        answer(status, body)(handler)

    return respond
