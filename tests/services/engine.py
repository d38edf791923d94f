"""A second Docker engine for the team tests: another ``dockerd`` with its own data root,
exec root, pidfile and socket in a temporary folder, started as ``scripts/docker-sandbox``
starts the first one (no iptables, no bridge network), stopped and deleted afterwards.

It starts empty: no base images, nothing built, so whatever it has came from the registry
or was built on it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.services import wait_until_up

DOCKERD = "/usr/sbin/dockerd"
DOCKER = "/usr/bin/docker"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0


def _answers(host: str) -> bool:
    done = subprocess.run(
        [DOCKER, "version", "--format", "{{.Server.Version}}"],
        env={**os.environ, "DOCKER_HOST": host},
        capture_output=True,
        check=False,
        timeout=10,
    )
    return done.returncode == 0 and bool(done.stdout.strip())


def _unmount_below(folder: Path) -> None:
    mounts = [
        line.split()[1]
        for line in Path("/proc/mounts").read_text().splitlines()
        if line.split()[1].startswith(f"{folder}/")
    ]
    for mount in sorted(mounts, reverse=True):
        subprocess.run(["umount", "-l", mount], check=False, capture_output=True)


@contextmanager
def running_engine() -> Iterator[str]:
    """Start a second engine; yield its ``DOCKER_HOST``; stop it and delete its folder."""
    # A short path: a unix socket's path holds at most 108 bytes.
    folder = Path(tempfile.mkdtemp(prefix="aishellc-eng-", dir="/tmp"))
    host = f"unix://{folder}/docker.sock"
    log = (folder / "dockerd.log").open("wb")
    process = subprocess.Popen(
        [
            DOCKERD,
            "--iptables=false",
            "--ip-masq=false",
            "--bridge=none",
            "--data-root",
            str(folder / "data"),
            "--exec-root",
            str(folder / "exec"),
            "--pidfile",
            str(folder / "dockerd.pid"),
            "-H",
            host,
        ],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    try:
        wait_until_up(
            lambda: _answers(host),
            process,
            lambda: f"the second dockerd did not start: {(folder / 'dockerd.log').read_text()}",
            timeout=START_TIMEOUT,
        )
        yield host
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        _unmount_below(folder)
        shutil.rmtree(folder, ignore_errors=True)
