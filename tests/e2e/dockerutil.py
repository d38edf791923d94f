"""Drive a real Docker engine from the end-to-end tests and the benchmarks.

Everything goes through Debian's client ``/usr/bin/docker`` with BuildKit on: a newer client
may sit earlier on PATH and refuses BuildKit without the buildx plugin. The engine is the one
named by ``DOCKER_HOST``, else the private one that ``scripts/docker-sandbox start`` runs.

Builds always pass ``--network=host`` (the sandbox engine has no bridge network) and
``--progress=plain`` (stable text to assert on), and never ``--pull``: the base images are
local stand-ins that share their names with Docker Hub's.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

DOCKER = "/usr/bin/docker"
REPO_ROOT = Path(__file__).resolve().parents[2]
SANDBOX_SCRIPT = REPO_ROOT / "scripts" / "docker-sandbox"

DEBIAN_IMAGE = "debian:trixie-slim"
NODE_IMAGE = "node:24-trixie-slim"
# glibc 2.36, below the default foundation's floor
OLD_DEBIAN_IMAGE = "debian:bookworm-slim"
STAND_IN_IMAGES = (DEBIAN_IMAGE, NODE_IMAGE, OLD_DEBIAN_IMAGE)

# A build step answered from the cache prints, with --progress=plain:
#   #6 [2/3] RUN --mount=type=cache,target=/root/.npm npm install ...
#   #6 CACHED
_STEP_TITLE = re.compile(r"^#(\d+) (\[.*)$", re.MULTILINE)
_STEP_CACHED = re.compile(r"^#(\d+) CACHED$", re.MULTILINE)
# A step that ran ends with its duration:
#   #7 DONE 13.4s
_STEP_DONE = re.compile(r"^#(\d+) DONE \d+(?:\.\d+)?s$", re.MULTILINE)


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


def engine_version() -> tuple[int, ...]:
    """The engine's version as numbers (``20.10.24+dfsg1`` is ``(20, 10, 24)``)."""
    text = docker("version", "--format", "{{.Server.Version}}").stdout.strip()
    return tuple(int(part) for part in re.findall(r"\d+", text.split("+")[0].split("-")[0]))


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


def build_command(
    argv: Sequence[str], cwd: Path, timeout: float | None = None
) -> tuple[str, float]:
    """Run a ``docker build`` argv as aishellc's manifest writes it; return output and seconds.

    The argv is used as it is, with two additions this engine needs: ``--network=host`` (no
    bridge network) and ``--progress=plain`` (text to assert on), inserted before the build
    context, which is the last argument. ``docker`` becomes Debian's client. Paths in the
    argv are relative to the folder aishellc ran in, ``cwd``.
    """
    if len(argv) < 3 or argv[0] != "docker" or argv[1] != "build":
        raise ValueError(f"not a docker build command: {list(argv)}")
    args = [*argv[1:-1], "--network=host", "--progress=plain", argv[-1]]
    started = time.monotonic()
    done = subprocess.run(
        [DOCKER, *args],
        cwd=cwd,
        env=docker_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )
    seconds = time.monotonic() - started
    if done.returncode != 0:
        raise DockerError(args, done.returncode, done.stdout)
    return done.stdout, seconds


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


def executed_steps(build_output: str) -> list[str]:
    """The titles of the steps that a ``--progress=plain`` build ran (not from its cache).

    Only titled steps (``[stage n/m] INSTRUCTION``) count; the build's own bookkeeping
    (loading the Dockerfile, exporting the image) is left out.
    """
    titles = dict(_STEP_TITLE.findall(build_output))
    cached = set(_STEP_CACHED.findall(build_output))
    ran = dict.fromkeys(n for n in _STEP_DONE.findall(build_output) if n not in cached)
    return [titles[number] for number in ran if number in titles]


def image_layers(tag: str) -> list[str]:
    """The diff IDs of an image's layers, bottom first."""
    done = docker("image", "inspect", "--format", "{{json .RootFS.Layers}}", tag)
    layers = json.loads(done.stdout)
    if not isinstance(layers, list) or not all(isinstance(x, str) for x in layers):
        raise DockerError(("image", "inspect", tag), 0, done.stdout)
    return layers


def image_size(tag: str) -> int:
    """The bytes of all an image's layers, uncompressed (what ``docker images`` shows)."""
    return int(docker("image", "inspect", "--format", "{{.Size}}", tag).stdout)


def image_user(tag: str) -> str:
    """The ``USER`` an image's containers start as (empty for root)."""
    return docker("image", "inspect", "--format", "{{.Config.User}}", tag).stdout.strip()


def layer_bytes_added(
    layers: Mapping[str, Sequence[str]],
    sizes: Mapping[str, int],
    new: Sequence[str],
    old: Sequence[str],
) -> int:
    """Bytes of the layers that images ``new`` hold and no image of ``old`` holds.

    ``layers`` maps every image to its diff IDs (bottom first) and ``sizes`` maps every image
    of ``new`` to its size. A layer is identified by its chain (itself and every layer below
    it), as the engine stores it, and counted once however many new images share it. The
    bytes of the layers between two new images of one chain are the difference of their
    sizes, so each image's new layers must start where some new image ends (a tier of
    aishellc's chain always does). Raises ``ValueError`` when they do not.
    """
    old_chains = {tuple(layers[tag][:n]) for tag in old for n in range(1, len(layers[tag]) + 1)}
    segments: dict[tuple[tuple[str, ...], tuple[str, ...]], int] = {}
    for tag in new:
        chain = tuple(layers[tag])
        # The new images below this one (and itself), by their number of layers.
        below = {
            len(layers[other]): other
            for other in new
            if chain[: len(layers[other])] == tuple(layers[other])
        }
        bounds = sorted({0, *below})
        for start, end in itertools.pairwise(bounds):
            if chain[:end] in old_chains:
                continue
            if any(chain[:n] in old_chains for n in range(start + 1, end)):
                raise ValueError(f"{tag}: its old layers end inside the layers {start}..{end}")
            low = sizes[below[start]] if start else 0
            segments[(chain[:start], chain[:end])] = sizes[below[end]] - low
    return sum(segments.values())


def new_layer_bytes(new: Sequence[str], old: Sequence[str]) -> int:
    """:func:`layer_bytes_added`, with the layers and sizes read from the engine."""
    layers = {tag: image_layers(tag) for tag in {*new, *old}}
    sizes = {tag: image_size(tag) for tag in set(new)}
    return layer_bytes_added(layers, sizes, new, old)
