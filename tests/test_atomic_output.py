"""Atomic output under failure: ``compile`` killed at any moment leaves OUTDIR holding
exactly the complete old output or the complete new one (DESIGN.md, "Output folder").

Two projects compile to two known-good outputs, OLD and NEW. A child process (forked, so
it is warm: its time goes to the compile, not to starting Python) compiles one of them
into an OUTDIR holding the other, and the parent sends it SIGKILL after a random delay
within the time a whole compile takes. OUTDIR must then equal OLD or NEW, file for file
and byte for byte; temporary folders left beside it must not stop the next compile.

A second test kills the child deterministically just before each file-system call of the
output step in turn (every mkdir, open, fsync, rename, exchange, unlink and rmdir), so
every crash point is covered, including the instant of the swap.

``AISHELLC_ATOMIC_KILLS`` sets the number of random kills (50 by default; the slow
profile, ``AISHELLC_HYPOTHESIS_PROFILE=slow``, uses 1,000); more are made, up to ten times
as many, until kills have landed both before and after the swap.
"""

from __future__ import annotations

import fcntl
import io
import os
import random
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from aishellc.cli import run
from aishellc.emit import output
from tests.compile_cases import OFFLINE_CONFIG, system_can_exchange, tree

SLOW = os.environ.get("AISHELLC_HYPOTHESIS_PROFILE") == "slow"
KILLS = int(os.environ.get("AISHELLC_ATOMIC_KILLS", "1000" if SLOW else "50"))
OLD_DOCKERFILE = "FROM aishell:base\nCOPY app/ /app/\nUSER developer\n"
NEW_DOCKERFILE = "FROM aishell:base\nRUN echo new\nCOPY app/ /srv/app/\n"
ARGV = ["-o", "build", "--harness", "claude@2.1.3"]

Tree = dict[str, bytes]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / ".aishell").mkdir(parents=True)
    (root / ".aishell" / "aishellc.toml").write_text(OFFLINE_CONFIG)
    (root / ".aishell" / "old.Dockerfile").write_text(OLD_DOCKERFILE)
    (root / ".aishell" / "new.Dockerfile").write_text(NEW_DOCKERFILE)
    (root / "app").mkdir()
    for index in range(20):  # enough files that a kill can land between two of them
        (root / "app" / f"module{index}.py").write_text(f"value = {index}\n" * 200)
    return root


def compile_in(root: Path, which: str) -> int:
    out, err = io.StringIO(), io.StringIO()
    previous = Path.cwd()
    os.chdir(root)
    try:
        return run([f".aishell/{which}.Dockerfile", *ARGV], out, err)
    finally:
        os.chdir(previous)


def known_outputs(root: Path) -> dict[str, Tree]:
    """Both good outputs (compiled in this process); leaves OUTDIR holding OLD."""
    outputs = {}
    for which in ("new", "old"):
        assert compile_in(root, which) == 0
        outputs[which] = tree(root / "build")
    assert outputs["old"] != outputs["new"]
    assert set(outputs["old"]) == set(outputs["new"])
    return outputs


def fork_compile(root: Path, which: str, before: Callable[[], None] | None = None) -> int:
    """A child process compiling ``which``; its exit status is the compile's exit code."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 99
        try:
            if before is not None:
                before()
            code = compile_in(root, which)
        finally:
            os._exit(code)
    return pid


def state_of(root: Path, outputs: dict[str, Tree]) -> str:
    current = tree(root / "build") if (root / "build").is_dir() else None
    for name, expected in outputs.items():
        if current == expected:
            return name
    found = "absent" if current is None else sorted(current)
    raise AssertionError(f"OUTDIR is neither the old nor the new output: {found}")


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if ".aishellc-" in p.name)


def test_sigkill_at_random_moments_leaves_old_or_new(project: Path) -> None:
    outputs = known_outputs(project)
    seed = int(os.environ.get("AISHELLC_ATOMIC_SEED", random.randrange(2**32)))
    rng = random.Random(seed)
    # How long one whole compile takes in a child, from fork to exit.
    durations = []
    for which in ("new", "old"):
        start = time.perf_counter()
        _, status = os.waitpid(fork_compile(project, which), 0)
        durations.append(time.perf_counter() - start)
        assert os.waitstatus_to_exitcode(status) == 0
    window = max(durations) * 1.2
    seen: Counter[str] = Counter()
    state = "old"
    # The kills must land during compiles, before and after the swap, and in the middle of
    # writing (a temporary folder left behind), or this test proves nothing. A kill after
    # the swap needs luck (the window is short, and shorter on a busy machine), so past
    # KILLS it keeps killing, up to ten times as many, until it has seen all three.
    attempt = 0
    while attempt < KILLS or (
        attempt < 10 * KILLS
        and not (seen["killed, old"] and seen["killed, new"] and leftovers(project))
    ):
        attempt += 1
        target = "new" if state == "old" else "old"
        pid = fork_compile(project, target)
        time.sleep(rng.uniform(0, window))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        killed = os.WIFSIGNALED(status)
        try:
            state = state_of(project, outputs)
        except AssertionError as exc:
            raise AssertionError(f"kill {attempt} (seed {seed}): {exc}") from None
        seen[f"{'killed' if killed else 'finished'}, {'new' if state == target else 'old'}"] += 1
    assert seen["killed, old"] and seen["killed, new"], (seed, seen)
    assert leftovers(project), (seed, seen)
    # Leftovers do not stop the next compile, which gives the complete output and
    # removes them.
    for which in ("new", "old"):
        assert compile_in(project, which) == 0
        assert tree(project / "build") == outputs[which]
        assert not leftovers(project)


# --- every crash point ------------------------------------------------------------------

_CALLS = ("mkdir", "open", "fsync", "rename", "replace", "unlink", "rmdir", "chmod")


@contextmanager
def counting_calls(on_call: Callable[[str], None]) -> Iterator[None]:
    """Call ``on_call(name)`` before each file-system call the output step makes."""
    saved: dict[str, Any] = {name: getattr(os, name) for name in _CALLS}
    saved_exchange = output._exchange

    def wrap(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            on_call(name)
            return real(*args, **kwargs)

        return call

    for name, real in saved.items():
        setattr(os, name, wrap(name, real))
    output._exchange = wrap("exchange", saved_exchange)
    try:
        yield
    finally:
        for name, real in saved.items():
            setattr(os, name, real)
        output._exchange = saved_exchange


def crash_at(step: int) -> Callable[[], None]:
    """For the child: arm a crash (``os._exit``, as abrupt as SIGKILL) just before the
    ``step``-th file-system call of the output step."""

    def arm() -> None:
        calls = Counter[str]()
        real_replace = output.replace_folder

        def on_call(name: str) -> None:
            calls["all"] += 1
            if calls["all"] == step:
                os._exit(137)

        def replace_folder(folder: output.OutputFolder, files: Any) -> None:
            with counting_calls(on_call):
                real_replace(folder, files)

        output.replace_folder = replace_folder
        import aishellc.compiler.pipeline

        aishellc.compiler.pipeline.replace_folder = replace_folder  # type: ignore[attr-defined]

    return arm


def test_a_crash_before_any_step_of_the_output_leaves_old_or_new(project: Path) -> None:
    if not system_can_exchange(project.parent):
        pytest.skip("no renameat2(RENAME_EXCHANGE) here: OUTDIR is briefly absent at the swap")
    outputs = known_outputs(project)
    state = "old"
    step = 0
    results: Counter[str] = Counter()
    while True:
        step += 1
        assert step < 500, "the output step never finished"
        target = "new" if state == "old" else "old"
        _, status = os.waitpid(fork_compile(project, target, crash_at(step)), 0)
        code = os.waitstatus_to_exitcode(status)
        assert code in (0, 137), code
        try:
            state = state_of(project, outputs)
        except AssertionError as exc:
            raise AssertionError(f"crash before step {step}: {exc}") from None
        results[f"{code}: {'new' if state == target else 'old'}"] += 1
        if code == 0:
            break
    assert results["137: old"] and results["137: new"], results
    for which in ("new", "old"):
        assert compile_in(project, which) == 0
        assert tree(project / "build") == outputs[which]


# --- leftovers of a killed compile --------------------------------------------------------

COPY_ALL = "FROM aishell:base\nCOPY . /app/\n"


def leave(folder: Path, name: str, files: Tree) -> None:
    """What a killed compile leaves: a folder beside OUTDIR holding (some of) its files."""
    (folder / name).mkdir()
    for relative, data in files.items():
        path = folder / name / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def test_leftovers_are_never_counted_and_are_removed(project: Path) -> None:
    # Regression: with -o inside the context and COPY . /app, the next compile hashed the
    # leftovers' files and the generated .dockerignore did not exclude them.
    (project / ".aishell" / "old.Dockerfile").write_text(COPY_ALL)
    assert compile_in(project, "old") == 0
    clean = tree(project / "build")
    partial = {name: data for name, data in clean.items() if not name.startswith("manifest")}
    leave(project, ".build.aishellc-new-k1ll3d_x", partial)
    leave(project, ".build.aishellc-old-abcdefgh", clean)
    leave(project, ".build.aishellc-new-emptyfld", {})
    assert compile_in(project, "old") == 0
    assert tree(project / "build") == clean  # the same inputs, the same ignore file
    assert not leftovers(project)


def _symlinked(folder: Path, name: str) -> None:
    (folder / "elsewhere").mkdir()
    (folder / "elsewhere" / "manifest.json").write_text("{}")
    (folder / name).symlink_to("elsewhere")


def _foreign_file(folder: Path, name: str) -> None:
    leave(folder, name, {"manifest.json": b"{}", "thesis.tex": b"my work"})


def _wrong_shape(folder: Path, name: str) -> None:
    leave(folder, name + "9", {"manifest.json": b"{}"})


def _other_outdir(folder: Path, name: str) -> None:
    leave(folder, name.replace(".build.", ".other."), {"manifest.json": b"{}"})


def _a_file(folder: Path, name: str) -> None:
    (folder / name).write_text("not a folder")


KEPT: list[tuple[str, Callable[[Path, str], None]]] = [
    ("a symlink", _symlinked),
    ("a file aishellc does not write", _foreign_file),
    ("a longer random tail", _wrong_shape),
    ("another output folder's", _other_outdir),
    ("a file, not a folder", _a_file),
]


def snapshot(folder: Path) -> dict[str, object]:
    return {
        p.name: p.readlink() if p.is_symlink() else tree(p) if p.is_dir() else p.read_bytes()
        for p in folder.iterdir()
        if ".aishellc-" in p.name or p.name == "elsewhere"
    }


@pytest.mark.parametrize(("name", "make"), KEPT, ids=[k[0] for k in KEPT])
def test_only_provable_leftovers_are_removed(
    project: Path, name: str, make: Callable[[Path, str], None]
) -> None:
    make(project, ".build.aishellc-new-abcd1234")
    kept = snapshot(project)
    assert kept
    assert compile_in(project, "old") == 0
    assert snapshot(project) == kept


def test_a_leftover_another_compile_still_works_in_is_kept(project: Path) -> None:
    # A compile running in parallel holds a lock on its temporary folder.
    leave(project, ".build.aishellc-new-running_", {"manifest.json": b"{}"})
    descriptor = os.open(project / ".build.aishellc-new-running_", os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        assert compile_in(project, "old") == 0
        assert (project / ".build.aishellc-new-running_" / "manifest.json").exists()
    finally:
        os.close(descriptor)
    assert compile_in(project, "old") == 0
    assert not leftovers(project)
