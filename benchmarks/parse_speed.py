"""Parse speed: aishellc against BuildKit's parser and dockerfile-parse, in one run.

    python benchmarks/parse_speed.py [--repeat N] [--corpus DIR]

Parses every real corpus file in one process with each parser (the files are read into
memory first), reports ms per file and the ratio to BuildKit's parser (the ``dockerfile``
package: Go, through cgo), then times the cold start of ``aishellc parse`` on one file
against ``python -c pass``.
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


def corpus(directory: Path) -> list[bytes]:
    files = sorted(p for p in directory.rglob("*") if p.is_file() and p.name != "INDEX.tsv")
    return [p.read_bytes() for p in files]


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


def cold_start(repeat: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "Dockerfile"
        path.write_text("FROM aishell:base\nRUN apt-get update && apt-get install -y jq\n")
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        # As an installed package: byte code is written once and reused.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "aishellc parse FILE": [sys.executable, "-m", "aishellc", "parse", str(path)],
        }
        result = {}
        for name, argv in commands.items():
            samples = []
            for _ in range(repeat):
                start = time.perf_counter()
                subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
                samples.append(time.perf_counter() - start)
            result[name] = statistics.median(samples) * 1000
        return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "real")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"no corpus at {args.corpus}; nothing to measure")
        return 0
    files = corpus(args.corpus)
    speeds = parse_speed(files, args.repeat)
    reference = speeds["buildkit (dockerfile pkg)"]
    print(
        f"parse: {len(files)} files, {sum(map(len, files)) / 1024:.0f} KiB, best of {args.repeat}"
    )
    print(f"{'parser':<28}{'ms/file':>10}{'x BuildKit':>12}")
    for name, ms in speeds.items():
        print(f"{name:<28}{ms:>10.3f}{ms / reference:>12.2f}")
    starts = cold_start(args.repeat * 2)
    base = starts["python -c pass"]
    print(f"\ncold start (median of {args.repeat * 2})")
    print(f"{'command':<28}{'ms':>10}{'x python':>12}")
    for name, ms in starts.items():
        print(f"{name:<28}{ms:>10.1f}{ms / base:>12.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
