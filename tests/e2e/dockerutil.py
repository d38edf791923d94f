"""Drive a real Docker engine from the end-to-end tests and the benchmarks.

Everything goes through Debian's client ``/usr/bin/docker`` with BuildKit on: a newer client
may sit earlier on PATH and refuses BuildKit without the buildx plugin. The engine is the one
named by ``DOCKER_HOST``, else the private one that ``scripts/docker-sandbox start`` runs.

Builds always pass ``--network=host`` (the sandbox engine has no bridge network) and
``--progress=plain`` (stable text to assert on), and never ``--pull``: the base images are
local stand-ins that share their names with Docker Hub's.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

DOCKER = "/usr/bin/docker"
REPO_ROOT = Path(__file__).resolve().parents[2]
SANDBOX_SCRIPT = REPO_ROOT / "scripts" / "docker-sandbox"

DEBIAN_IMAGE = "debian:bookworm-slim"
NODE_IMAGE = "node:24-bookworm-slim"
STAND_IN_IMAGES = (DEBIAN_IMAGE, NODE_IMAGE)

# A build step answered from the cache prints, with --progress=plain:
#   #6 [2/3] RUN --mount=type=cache,target=/root/.npm npm install ...
#   #6 CACHED
_STEP_TITLE = re.compile(r"^#(\d+) (\[.*)$", re.MULTILINE)
_STEP_CACHED = re.compile(r"^#(\d+) CACHED$", re.MULTILINE)


class DockerError(RuntimeError):
    """A docker command failed; the message carries the command and its output."""

    def __init__(self, args: Sequence[str], returncode: int, output: str) -> None:
        tail = "\n".join(output.splitlines()[-40:])
        super().__init__(f"`docker {' '.join(args)}` exited {returncode}:\n{tail}")
        self.args_ = tuple(args)
        self.returncode = returncode
        self.output = output


def sandbox_dir() -> Path:
    """The state dir of ``scripts/docker-sandbox`` (same default and override)."""
    configured = os.environ.get("AISHELLC_SANDBOX_DIR")
    return Path(configured).resolve() if configured else REPO_ROOT / ".docker-sandbox"


def docker_host() -> str:
    """The engine to use: ``DOCKER_HOST`` if set, else the sandbox's private socket."""
    return os.environ.get("DOCKER_HOST") or f"unix://{sandbox_dir() / 'docker.sock'}"


def docker_env() -> dict[str, str]:
    """The environment for ``/usr/bin/docker``: the found engine, with BuildKit on."""
    return {**os.environ, "DOCKER_HOST": docker_host(), "DOCKER_BUILDKIT": "1"}


def engine_problem(timeout: float = 20) -> str | None:
    """Why the engine cannot be used, or None when it answers."""
    if not Path(DOCKER).is_file():
        return f"{DOCKER} is missing (run scripts/docker-sandbox start)"
    # Asks the server; `docker version` names the cause when it cannot connect.
    try:
        done = subprocess.run(
            [DOCKER, "version", "--format", "{{.Server.Version}}"],
            env=docker_env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"the engine at {docker_host()} did not answer within {timeout} s"
    if done.returncode != 0 or not done.stdout.strip():
        # The client reports the failed --format template before the real cause.
        lines = (done.stderr + done.stdout).strip().splitlines()
        causes = [line for line in lines if not line.startswith("template:")]
        cause = causes[0] if causes else f"exit status {done.returncode}"
        return (
            f"no Docker engine answers at {docker_host()} ({cause}); "
            "run scripts/docker-sandbox start"
        )
    return None


def docker(
    *args: str,
    check: bool = True,
    input: str | None = None,
    timeout: float | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``/usr/bin/docker ARGS`` against the found engine and capture its text output.

    With ``check``, a non-zero exit raises :class:`DockerError` showing stdout and stderr.
    """
    done = subprocess.run(
        [DOCKER, *args],
        env=docker_env(),
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and done.returncode != 0:
        raise DockerError(args, done.returncode, done.stdout + done.stderr)
    return done


def image_id(tag: str) -> str | None:
    """The image ID (``sha256:...``) that ``tag`` names, or None when there is no such image."""
    done = docker("image", "inspect", "--format", "{{.Id}}", tag, check=False)
    return done.stdout.strip() if done.returncode == 0 else None


def build(
    dockerfile: str | Path,
    tag: str,
    context: Path,
    build_args: Mapping[str, str] | None = None,
    extra: Sequence[str] = (),
    check: bool = True,
    timeout: float | None = None,
) -> str:
    """Build ``context`` into ``tag`` and return the build's interleaved stdout and stderr.

    ``dockerfile`` is the Dockerfile's text when a ``str`` (sent on stdin) and a file when a
    ``Path``. ``extra`` goes on the command line before the context (e.g. ``--target``).
    """
    args = ["build", "--network=host", "--progress=plain", "--tag", tag]
    for name, value in sorted((build_args or {}).items()):
        args += ["--build-arg", f"{name}={value}"]
    text: str | None = None
    if isinstance(dockerfile, Path):
        args += ["--file", str(dockerfile)]
    else:
        args += ["--file", "-"]
        text = dockerfile
    args += [*extra, str(context)]
    done = subprocess.run(
        [DOCKER, *args],
        env=docker_env(),
        input=text,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and done.returncode != 0:
        raise DockerError(args, done.returncode, done.stdout)
    return done.stdout


def run(
    image: str,
    *cmd: str,
    user: str | None = None,
    extra: Sequence[str] = (),
    timeout: float | None = None,
) -> str:
    """Run ``cmd`` in a throwaway container of ``image`` and return its stdout."""
    args = ["run", "--rm", "--network=host"]
    if user is not None:
        args += ["--user", user]
    args += [*extra, image, *cmd]
    return docker(*args, timeout=timeout).stdout


def remove_images(*tags: str) -> None:
    """Remove images by tag, ignoring the ones that do not exist."""
    present = [tag for tag in tags if image_id(tag) is not None]
    if present:
        docker("image", "rm", "--force", *present)


def cached_steps(build_output: str) -> list[str]:
    """The titles of the steps that a ``--progress=plain`` build answered from its cache."""
    titles = dict(_STEP_TITLE.findall(build_output))
    return [titles.get(number, f"#{number}") for number in _STEP_CACHED.findall(build_output)]
