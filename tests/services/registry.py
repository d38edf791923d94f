"""A real OCI registry for the tests: Debian's ``docker-registry`` (the CNCF Distribution
registry), on 127.0.0.1 and a free port, its storage in a temporary folder.

Docker allows plain HTTP to registries on 127.0.0.0/8, so no TLS is set up. ``readonly``
starts it in maintenance mode: it serves pulls and refuses every push.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.services import free_port, wait_until_up

REGISTRY = "docker-registry"
START_TIMEOUT = 30.0

CONFIG = """\
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: {storage}
  maintenance:
    readonly:
      enabled: {readonly}
http:
  addr: 127.0.0.1:{port}
"""


def _answers(address: str) -> bool:
    try:
        with urllib.request.urlopen(f"http://{address}/v2/", timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@contextmanager
def running_registry(readonly: bool = False) -> Iterator[str]:
    """Start a registry; yield its address (``127.0.0.1:PORT``); stop it and delete its
    storage afterwards."""
    binary = shutil.which(REGISTRY)
    if binary is None:
        raise FileNotFoundError(f"{REGISTRY} is not installed (apt-get install docker-registry)")
    folder = Path(tempfile.mkdtemp(prefix="aishellc-registry-"))
    port = free_port()
    config = folder / "config.yml"
    config.write_text(
        CONFIG.format(storage=folder / "data", port=port, readonly=str(readonly).lower())
    )
    log = (folder / "registry.log").open("wb")
    process = subprocess.Popen([binary, "serve", str(config)], stdout=log, stderr=log)
    address = f"127.0.0.1:{port}"
    try:
        wait_until_up(
            lambda: _answers(address),
            process,
            lambda: f"{REGISTRY} did not start: {(folder / 'registry.log').read_text()}",
            timeout=START_TIMEOUT,
            interval=0.1,
        )
        yield address
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        shutil.rmtree(folder, ignore_errors=True)
