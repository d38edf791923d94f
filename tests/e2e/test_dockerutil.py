"""The helpers' pure parts, without an engine."""

from __future__ import annotations

import pytest

from tests.e2e.dockerutil import cached_steps

# Docker 20.10.24's BuildKit, --progress=plain, second build of an unchanged Dockerfile.
REBUILD = """\
#3 [internal] load metadata for docker.io/library/debian:bookworm-slim
#3 sha256:ab2e9382d71c421e0b71823fe92cec49d1864fbad12383606a966472994d5636
#3 DONE 0.0s

#4 [stage-0 1/3] FROM docker.io/library/debian:bookworm-slim
#4 sha256:56bf5dcd38ee2f60f646b15b1b91e40b5e8375a457572f890edbccbd17190813
#4 DONE 0.0s

#5 [stage-0 2/3] RUN --mount=type=cache,target=/root/.npm echo hi >> /root/.npm/log
#5 sha256:8213639b1931db3cb0ba0b88b9d704c890c83dcd466787171b11e2e8a714f4cf
#5 CACHED

#6 [stage-0 3/3] RUN echo second > /second
#6 sha256:bb3b62cfb51f6b6f80f630b43abe88c5f12be709f5a4d2442bf0b677f294a540
#6 0.120 second
#6 DONE 0.1s
"""


NPM_STEP = "[stage-0 2/3] RUN --mount=type=cache,target=/root/.npm echo hi >> /root/.npm/log"
SECOND_STEP = "[stage-0 3/3] RUN echo second > /second"


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        (REBUILD, [NPM_STEP]),
        (REBUILD.replace("#6 DONE 0.1s", "#6 CACHED"), [NPM_STEP, SECOND_STEP]),
        (REBUILD.replace("#5 CACHED", "#5 DONE 3.1s"), []),
        ("#9 CACHED\n", ["#9"]),  # a step whose title the output lacks
        ("", []),
    ],
    ids=["one-hit", "two-hits", "no-hit", "untitled", "empty"],
)  # fmt: skip
def test_cached_steps(output: str, expected: list[str]) -> None:
    assert cached_steps(output) == expected
