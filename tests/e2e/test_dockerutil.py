"""The helpers' pure parts, without an engine."""

from __future__ import annotations

import pytest

from tests.e2e.dockerutil import cached_steps, executed_steps, layer_bytes_added

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


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        (REBUILD, [SECOND_STEP]),
        (REBUILD.replace("#6 DONE 0.1s", "#6 CACHED"), []),
        (REBUILD.replace("#5 CACHED", "#5 DONE 3.1s"), [NPM_STEP, SECOND_STEP]),
        ("#9 DONE 1.0s\n", []),  # untitled: the build's own bookkeeping
        ("", []),
    ],
    ids=["one-ran", "none-ran", "two-ran", "untitled", "empty"],
)  # fmt: skip
def test_executed_steps(output: str, expected: list[str]) -> None:
    # FROM steps print DONE too: only RUN steps are asked about here.
    assert [s for s in executed_steps(output) if "RUN" in s] == expected


# Three-tier bump: foundation F (layers a), extension E (a b), runtime R (a b c) -> R2 (a b d).
THREE_TIER = {"F": ["a"], "E": ["a", "b"], "R": ["a", "b", "c"], "R2": ["a", "b", "d"]}
# Two-tier bump of two projects on one base: base B (a c) -> B2 (a d); extensions X, Y on it.
TWO_TIER = {
    "F": ["a"],
    "B": ["a", "c"],
    "X": ["a", "c", "x"],
    "Y": ["a", "c", "y"],
    "B2": ["a", "d"],
    "X2": ["a", "d", "x2"],
    "Y2": ["a", "d", "y2"],
}
SIZES = {
    "F": 100,
    "E": 150,
    "R": 550,
    "R2": 560,
    "B": 500,
    "X": 520,
    "Y": 530,
    "B2": 510,
    "X2": 525,
    "Y2": 540,
}


@pytest.mark.parametrize(
    ("layers", "new", "old", "expected"),
    [
        (THREE_TIER, ["F", "E", "R2"], ["F", "E", "R"], 410),  # only d: 560 - 150
        (THREE_TIER, ["F", "E", "R"], [], 550),  # everything
        (TWO_TIER, ["F", "B2", "X2"], ["F", "B", "X"], 425),  # d (410) and x2 (15)
        # The new base layer is shared by both projects: counted once.
        (TWO_TIER, ["F", "B2", "X2", "Y2"], ["F", "B", "X", "Y"], 410 + 15 + 30),
    ],
    ids=["three-tier-bump", "from-scratch", "two-tier-bump", "two-projects"],
)  # fmt: skip
def test_layer_bytes_added(
    layers: dict[str, list[str]], new: list[str], old: list[str], expected: int
) -> None:
    assert layer_bytes_added(layers, SIZES, new, old) == expected


def test_layer_bytes_added_needs_a_boundary_at_the_old_layers() -> None:
    # Without the extension among the new images, d's bytes cannot be told from b's.
    with pytest.raises(ValueError, match="R2"):
        layer_bytes_added(THREE_TIER, SIZES, ["F", "R2"], ["F", "E", "R"])
