"""Parse speed: aishellc against BuildKit's parser and dockerfile-parse, in one run.

    python benchmarks/parse_speed.py [--repeat N] [--corpus DIR]

Three measurements:

- in one process: every real corpus file parsed with each parser (the files read into
  memory first); ms per file and the ratio to BuildKit's parser (the ``dockerfile``
  package: Go, through cgo);
- whole processes, as a user runs them: ``aishellc parse --format buildkit`` over the whole
  corpus against a process that dumps the same JSON Lines with BuildKit's parser
  (start-up, reading, parsing and writing included);
- the cold start of ``aishellc parse`` on one small file against ``python -c pass``.

The commands of each process measurement run interleaved (one of each, then again), so
all see the same machine load; the medians are reported.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def corpus_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file() and p.name != "INDEX.tsv")


def best_of(repeat: int, run: Callable[[], None]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def parse_speed(files: list[bytes], repeat: int) -> dict[str, float]:
    import dockerfile
    from dockerfile_parse import DockerfileParser

    from aishellc.errors import UserError
    from aishellc.parser import parse

    texts = [data.decode("utf-8", errors="replace") for data in files]

    def aishellc() -> None:
        for data in files:
            with contextlib.suppress(UserError):
                parse(data)

    def buildkit() -> None:
        for text in texts:
            with contextlib.suppress(dockerfile.GoParseError):
                dockerfile.parse_string(text)

    def dockerfile_parse() -> None:
        for text in texts:
            DockerfileParser(fileobj=io.BytesIO(text.encode("utf-8"))).structure  # noqa: B018

    aishellc()  # build the grammar once, as a long-running process would
    return {
        "aishellc": best_of(repeat, aishellc) / len(files) * 1000,
        "buildkit (dockerfile pkg)": best_of(repeat, buildkit) / len(files) * 1000,
        "dockerfile-parse": best_of(repeat, dockerfile_parse) / len(files) * 1000,
    }


# What the ``aishellc`` console script runs.
LAUNCHER = "import sys; from aishellc.cli import main; sys.exit(main())"

# BuildKit's parser dumping what ``aishellc parse --format buildkit`` prints: one JSON
# object per file, its instructions (or the error) in the same shape.
BUILDKIT_DUMP = """
import json, sys
import dockerfile
for path in sys.argv[1:]:
    record = {"path": path}
    try:
        commands = dockerfile.parse_file(path)
    except (dockerfile.GoParseError, dockerfile.GoIOError, UnicodeDecodeError) as exc:
        record["error"] = {"message": str(exc)}
    else:
        record["instructions"] = [
            {
                "cmd": c.cmd, "sub_cmd": c.sub_cmd, "json": c.json, "original": c.original,
                "start_line": c.start_line, "end_line": c.end_line, "flags": list(c.flags),
                "value": list(c.value),
                "heredocs": [
                    {"name": h.name, "content": h.content, "file_descriptor": h.file_descriptor}
                    for h in c.heredocs
                ],
            }
            for c in commands
        ]
    sys.stdout.write(json.dumps(record, sort_keys=True) + "\\n")
"""


def process_medians(commands: dict[str, list[str]], repeat: int) -> dict[str, float]:
    """Median wall-clock ms of each command, run interleaved after one warm-up round (byte
    code written, files in the page cache)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    # As an installed package: byte code is written once and reused.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for round_ in range(repeat + 1):
        for name, argv in commands.items():
            start = time.perf_counter()
            # exit 2 is a file one of the parsers rejects; the others still print
            proc = subprocess.run(
                argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
            )
            elapsed = time.perf_counter() - start
            if proc.returncode not in (0, 2):
                raise RuntimeError(f"{name} exited {proc.returncode}")
            if round_:
                samples[name].append(elapsed)
    return {name: statistics.median(times) * 1000 for name, times in samples.items()}


def whole_process(paths: list[Path], repeat: int) -> dict[str, float]:
    names = list(map(str, paths))
    return process_medians(
        {
            "aishellc parse --format buildkit": [
                sys.executable, "-c", LAUNCHER, "parse", "--format", "buildkit", *names
            ],
            "buildkit (dockerfile pkg)": [sys.executable, "-c", BUILDKIT_DUMP, *names],
        },
        repeat,
    )  # fmt: skip


def cold_start(repeat: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "Dockerfile"
        path.write_text("FROM aishell:base\nRUN apt-get update && apt-get install -y jq\n")
        return process_medians(
            {
                "python -c pass": [sys.executable, "-c", "pass"],
                "aishellc parse FILE": [sys.executable, "-c", LAUNCHER, "parse", str(path)],
            },
            repeat,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "real")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"no corpus at {args.corpus}; nothing to measure")
        return 0
    paths = corpus_files(args.corpus)
    files = [path.read_bytes() for path in paths]
    speeds = parse_speed(files, args.repeat)
    reference = speeds["buildkit (dockerfile pkg)"]
    print(
        f"parse: {len(files)} files, {sum(map(len, files)) / 1024:.0f} KiB, best of {args.repeat}"
    )
    print(f"{'parser':<28}{'ms/file':>10}{'x BuildKit':>12}")
    for name, ms in speeds.items():
        print(f"{name:<28}{ms:>10.3f}{ms / reference:>12.2f}")
    wholes = whole_process(paths, args.repeat)
    reference = wholes["buildkit (dockerfile pkg)"]
    print(f"\nwhole process over the {len(paths)} files (median of {args.repeat}, interleaved)")
    print(f"{'command':<34}{'ms':>10}{'x BuildKit':>12}")
    for name, ms in wholes.items():
        print(f"{name:<34}{ms:>10.1f}{ms / reference:>12.2f}")
    starts = cold_start(args.repeat * 2)
    base = starts["python -c pass"]
    print(f"\ncold start (median of {args.repeat * 2}, interleaved)")
    print(f"{'command':<34}{'ms':>10}{'x python':>12}")
    for name, ms in starts.items():
        print(f"{name:<34}{ms:>10.1f}{ms / base:>12.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
