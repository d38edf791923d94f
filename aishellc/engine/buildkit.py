"""Builds through the docker CLI, with BuildKit: ``docker buildx build --load`` where the
buildx plugin is installed, else ``DOCKER_BUILDKIT=1 docker build``.

The argv is the manifest's own ``command`` with these changes: ``-t TAG`` is left out and
``--iidfile`` added, so that the tag is set only after the build succeeded and the image's
hash label was checked (Ctrl-C, or a failed build, never leaves the tag on a half-made
image); a secret's file below the home folder (``id=npmrc,src=~/.npmrc``) is given with
the home folder written out, since docker does not expand ``~``; ``--progress`` and
``--network`` are passed through when given; with buildx, the tier's registry cache is read
(``--cache-from``) and, when pushing, written (``--cache-to``). The engine's output is
streamed as it comes, each line escaped.
"""

from __future__ import annotations

import os
import posixpath
import subprocess
from collections.abc import Mapping, Sequence
from typing import TextIO

import attrs

from aishellc.lock.secrets import HOME
from aishellc.terminal import visible


@attrs.frozen
class BuildOptions:
    buildx: bool
    progress: str | None = None
    network: str | None = None
    push: bool = False
    home: str | None = None
    """The folder a secret's ``~/`` source stands for (None: left as it is)."""


def has_buildx() -> bool:
    """Whether ``docker buildx`` is there."""
    try:
        done = subprocess.run(
            ["docker", "buildx", "version"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
    except OSError:
        return False
    return done.returncode == 0


def build_argv(
    command: Sequence[str],
    iidfile: str,
    options: BuildOptions,
    cache_from: Sequence[str] = (),
    cache_to: Sequence[str] = (),
) -> list[str]:
    """The argv that builds a tier from its manifest ``command`` (see the module docs)."""
    if len(command) < 3 or list(command[:2]) != ["docker", "build"]:
        raise ValueError(f"not a docker build command: {list(command)}")
    words = list(command[2:-1])
    flags: list[str] = []
    index = 0
    while index < len(words):
        if words[index] == "-t":
            index += 2
            continue
        word = words[index]
        if index and words[index - 1] == "--secret" and options.home is not None:
            word = secret_in_home(word, options.home)
        flags.append(word)
        index += 1
    flags += ["--iidfile", iidfile]
    if options.progress is not None:
        flags += ["--progress", options.progress]
    if options.network is not None:
        flags += ["--network", options.network]
    if options.buildx:
        for ref in cache_from:
            flags += ["--cache-from", ref]
        if options.push:
            for ref in cache_to:
                flags += ["--cache-to", ref]
        return ["docker", "buildx", "build", "--load", *flags, command[-1]]
    return ["docker", "build", *flags, command[-1]]


def secret_in_home(secret: str, home: str) -> str:
    """A ``--secret`` value with a ``src=~/...`` file written below ``home``."""
    head, found, tail = secret.partition(f",src={HOME}")
    if not found or not head.startswith("id="):
        return secret
    return f"{head},src={posixpath.join(home, tail)}"


def build_env(environ: Mapping[str, str], buildx: bool) -> dict[str, str]:
    env = dict(environ)
    if not buildx:
        env["DOCKER_BUILDKIT"] = "1"
    return env


def run_build(argv: Sequence[str], cwd: str, err: TextIO, stream: bool) -> tuple[int, str]:
    """Run a build in ``cwd``; its output goes to ``err`` line by line when ``stream``.
    Returns the exit status and the whole output."""
    buildx = argv[1] == "buildx"
    lines: list[str] = []
    with subprocess.Popen(
        list(argv),
        cwd=cwd,
        env=build_env(os.environ, buildx),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="backslashreplace",
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            shown = visible(line.rstrip("\n"))
            lines.append(shown)
            if stream:
                err.write(shown + "\n")
                err.flush()
        status = process.wait()
    return status, "\n".join(lines)
