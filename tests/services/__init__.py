"""Real services the tests start on 127.0.0.1 (a second Docker engine, an OCI registry,
Verdaccio, small HTTP servers), each on a free port with its state in a temp dir."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_up(
    answers: Callable[[], bool],
    process: subprocess.Popen[bytes],
    failure: Callable[[], str],
    *,
    timeout: float,
    interval: float = 0.2,
) -> None:
    """Poll ``answers`` until it is true; a RuntimeError saying ``failure()`` (the service's
    log) when ``process`` exits first or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while not answers():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(failure())
        time.sleep(interval)
