"""The three tiers in a real engine: compile, build with the manifest's commands, run.

One realistic project (a builder stage, apt packages, a file COPY'd from the project, a user
of its own) is compiled and its three tiers are built once for the module; each test then
works on a copy of that project. Builds run the manifest's ``command`` argv with
``--network=host`` and ``--progress=plain`` added (see ``tests/e2e/tiers.py``).

The foundation builds on a base image made for this test run (the stand-in Debian image
plus one file naming the run), so nothing of an earlier run is in the build cache: every
harness version below is installed for the first time on that foundation, and a step the
output calls ``CACHED`` was built earlier in this run. All images are tagged
``aishellc-e2e...`` and removed when the module ends.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e import dockerutil
from tests.e2e.dockerutil import (
    DEBIAN_IMAGE,
    DockerError,
    cached_steps,
    executed_steps,
    image_id,
    image_layers,
    image_user,
    run,
)
from tests.e2e.tiers import (
    Built,
    Compiled,
    aishellc,
    build_tiers,
    compile_project,
    keep_manifest,
    plan,
    write_project,
)

pytestmark = pytest.mark.docker

# Claude Code releases that install here; each is installed for the first time in this run
# (see the module docs), so a bump to one of them must run npm.
FIRST = "2.1.330"
BUMP = "2.1.331"
SHARED_BUMP = "2.1.332"
NPM_PACKAGE = "@anthropic-ai/claude-code"

RUN_ID = uuid.uuid4().hex[:12]
TAG_PREFIX = "aishellc-e2e"

# A small foundation: no downloads (GitHub, sqlite.org), gosu from Debian, and no more
# packages than the entrypoint and the user's sudo need.
CONFIG = """\
tag_prefix = "{prefix}"

[foundation]
base_image = "{base}"
node_image = "node:24-trixie-slim"
tools = []
sqlite = false
apt_packages = ["bash", "ca-certificates", "gosu", "sudo"]
"""

EXTENSION = """\
# A project's sandbox: a tool made in a builder stage, packages from apt, a script from the
# project, and a user of its own.
FROM debian:trixie-slim AS builder
RUN printf '#!/bin/sh\\necho made in the builder stage\\n' > /usr/local/bin/from-builder \\
    && chmod 0755 /usr/local/bin/from-builder

FROM aishell:base
RUN apt-get update \\
    && apt-get install -y --no-install-recommends jq libreadline8t64 \\
    && rm -rf /var/lib/apt/lists/*
COPY --from=builder /usr/local/bin/from-builder /usr/local/bin/from-builder
COPY tools/project-tool /usr/local/bin/project-tool
RUN useradd --create-home --uid 1500 --shell /bin/bash agent
USER agent
WORKDIR /home/agent
"""

PROJECT_TOOL = "#!/bin/sh\necho project-tool {version}\n"

# A second project on the same foundation, with an extension of its own.
OTHER_EXTENSION = """\
FROM aishell:base
RUN echo other > /etc/other-project
USER developer
"""


def claude_version(image: str) -> str:
    return run(image, "claude", "--version").strip()


def npm_step(output: str, version: str, *, cached: bool) -> list[str]:
    """The harness install steps of ``version`` that a build ran (or took from its cache)."""
    steps = cached_steps(output) if cached else executed_steps(output)
    return [s for s in steps if '"npm", "install"' in s and f"{NPM_PACKAGE}@{version}" in s]


def layers_below(lower: str, upper: str) -> bool:
    """Whether image ``upper`` is built on ``lower``: its layers start with all of lower's."""
    low = image_layers(lower)
    return image_layers(upper)[: len(low)] == low


class Images:
    """The tags this module builds, removed when it ends."""

    def __init__(self) -> None:
        self.tags: set[str] = set()

    def add(self, compiled: Compiled) -> Compiled:
        self.tags.update(compiled.tags.values())
        return compiled


@dataclass(frozen=True)
class Chain:
    """The module's project, compiled with claude@FIRST and built."""

    project: Path
    config: str
    compiled: Compiled
    built: dict[str, Built]

    def copy(self, folder: Path) -> Path:
        """A copy of the project folder, output folder included (as a user's checkout)."""
        return Path(shutil.copytree(self.project, folder, symlinks=True))


@pytest.fixture(scope="module")
def images(docker_host: str) -> Iterator[Images]:
    made = Images()
    yield made
    dockerutil.remove_images(*sorted(made.tags))


@pytest.fixture(scope="module")
def base_image(stand_in_images: tuple[str, ...]) -> Iterator[str]:
    """The stand-in Debian image plus one file naming this run (see the module docs)."""
    tag = f"{TAG_PREFIX}/debian:{RUN_ID}"
    dockerfile = f"FROM {DEBIAN_IMAGE}\nRUN echo {RUN_ID} > /etc/aishellc-e2e-run\n"
    dockerutil.build(dockerfile, tag, dockerutil.REPO_ROOT / "tests" / "e2e", timeout=300)
    yield tag
    dockerutil.remove_images(tag)


@pytest.fixture(scope="module")
def chain(base_image: str, images: Images, tmp_path_factory: pytest.TempPathFactory) -> Chain:
    config = CONFIG.format(prefix=TAG_PREFIX, base=base_image)
    project = write_project(
        tmp_path_factory.mktemp("e2e") / "project",
        EXTENSION,
        config,
        {"tools/project-tool": PROJECT_TOOL.format(version="v1")},
    )
    compiled = images.add(compile_project(project, "--harness", f"claude@{FIRST}"))
    built = build_tiers(compiled)
    return Chain(project, config, compiled, built)


def test_runtime_runs_the_pinned_harness_on_the_extension(chain: Chain) -> None:
    compiled = chain.compiled
    assert compiled.build_order == ["foundation", "extension", "runtime"]
    runtime = compiled.final
    assert runtime == compiled.tag("runtime")

    # The pinned version, read from the running container.
    assert claude_version(runtime) == f"{FIRST} (Claude Code)"
    # The foundation's Node.js works for the extension's user.
    assert run(runtime, "node", "-e", "console.log(6 * 7)") == "42\n"
    assert run(runtime, "node", "--version").startswith("v24.")
    # The extension's tools: from apt, from the builder stage, from the build context.
    assert run(runtime, "jq", "-n", "[1, 2] | add") == "3\n"
    # A trixie package name (bookworm's is libreadline8) installs on the trixie foundation.
    status = run(runtime, "dpkg-query", "-W", "-f=${Status}", "libreadline8t64")
    assert status == "install ok installed"
    assert run(runtime, "from-builder") == "made in the builder stage\n"
    assert run(runtime, "project-tool") == "project-tool v1\n"
    # The final user and folder are the extension's, not root and not the foundation's.
    assert image_user(runtime) == "agent"
    assert run(runtime, "id", "-un") == "agent\n"
    assert run(runtime, "pwd") == "/home/agent\n"
    # The tiers stack: foundation under extension under runtime.
    assert layers_below(compiled.tag("foundation"), compiled.tag("extension"))
    assert layers_below(compiled.tag("extension"), runtime)


def test_harness_bump_rebuilds_only_the_runtime(
    chain: Chain, images: Images, tmp_path: Path
) -> None:
    project = chain.copy(tmp_path / "project")
    previous = keep_manifest(Compiled(project, "build", chain.compiled.manifest))
    bumped = images.add(compile_project(project, "--harness", f"claude@{BUMP}"))

    planned = plan(bumped, previous)
    assert planned["rebuild"] == ["runtime"]
    reasons = {tier["tier"]: tier["reasons"] for tier in planned["tiers"]}
    assert reasons == {"foundation": [], "extension": [], "runtime": [f"claude {FIRST} -> {BUMP}"]}
    assert planned["commands"] == [bumped.command("runtime")]

    # Build every tier anyway, as a build-everything pipeline would: the lower two are
    # answered from the cache and keep their image IDs.
    built = build_tiers(bumped)
    assert bumped.tag("foundation") == chain.compiled.tag("foundation")
    assert bumped.tag("extension") == chain.compiled.tag("extension")
    assert built["foundation"].image_id == chain.built["foundation"].image_id
    assert built["extension"].image_id == chain.built["extension"].image_id
    assert bumped.tag("runtime") != chain.compiled.tag("runtime")
    assert built["runtime"].image_id != chain.built["runtime"].image_id
    # The new harness was installed (npm ran), on the unchanged extension.
    assert npm_step(built["runtime"].output, BUMP, cached=False)
    assert layers_below(chain.compiled.tag("extension"), bumped.final)

    assert claude_version(bumped.final) == f"{BUMP} (Claude Code)"
    assert run(bumped.final, "project-tool") == "project-tool v1\n"
    # Tags are content addressed: the old runtime is still the old version.
    assert claude_version(chain.compiled.final) == f"{FIRST} (Claude Code)"


def test_editing_a_copied_file_rebuilds_extension_and_runtime(
    chain: Chain, images: Images, tmp_path: Path
) -> None:
    project = chain.copy(tmp_path / "project")
    previous = keep_manifest(Compiled(project, "build", chain.compiled.manifest))
    (project / "tools" / "project-tool").write_text(PROJECT_TOOL.format(version="v2"))
    edited = images.add(compile_project(project, "--harness", f"claude@{FIRST}"))

    planned = plan(edited, previous)
    assert planned["rebuild"] == ["extension", "runtime"]
    reasons = {tier["tier"]: tier["reasons"] for tier in planned["tiers"]}
    assert "tools/project-tool changed" in reasons["extension"]
    assert reasons["foundation"] == []

    built = build_tiers(edited)
    assert built["foundation"].image_id == chain.built["foundation"].image_id
    assert built["extension"].image_id != chain.built["extension"].image_id
    assert built["runtime"].image_id != chain.built["runtime"].image_id
    # The foundation's layers are reused, the harness stage too: npm does not run again.
    assert layers_below(chain.compiled.tag("foundation"), edited.tag("extension"))
    assert npm_step(built["runtime"].output, FIRST, cached=True)
    assert not npm_step(built["runtime"].output, FIRST, cached=False)

    assert run(edited.final, "project-tool") == "project-tool v2\n"
    assert claude_version(edited.final) == f"{FIRST} (Claude Code)"


def test_stage_strategy_installs_a_bump_once_for_two_projects(
    chain: Chain, images: Images, tmp_path: Path
) -> None:
    assert chain.compiled.manifest["tiers"]["runtime"]["strategy"] == "stage"
    first = chain.copy(tmp_path / "first")
    second = write_project(tmp_path / "second", OTHER_EXTENSION, chain.config)

    # The second project shares the foundation; its runtime reuses the first's harness stage.
    before = images.add(compile_project(second, "--harness", f"claude@{FIRST}"))
    assert before.tag("foundation") == chain.compiled.tag("foundation")
    built = build_tiers(before)
    assert built["foundation"].image_id == chain.built["foundation"].image_id
    assert npm_step(built["runtime"].output, FIRST, cached=True)

    # Bump both: the first build runs npm, the second finds the harness stage in the cache.
    outputs = []
    for project in (first, second):
        bumped = images.add(compile_project(project, "--harness", f"claude@{SHARED_BUMP}"))
        runtime = build_tiers(bumped)["runtime"]
        outputs.append(runtime.output)
        assert claude_version(bumped.final) == f"{SHARED_BUMP} (Claude Code)"
    first_output, second_output = outputs
    assert len(npm_step(first_output, SHARED_BUMP, cached=False)) == 1
    assert not npm_step(first_output, SHARED_BUMP, cached=True)
    assert len(npm_step(second_output, SHARED_BUMP, cached=True)) == 1, second_output
    assert not npm_step(second_output, SHARED_BUMP, cached=False)


def test_inline_strategy_restores_the_extension_user(
    chain: Chain, images: Images, tmp_path: Path
) -> None:
    project = chain.copy(tmp_path / "project")
    previous = keep_manifest(Compiled(project, "build", chain.compiled.manifest))
    inline = images.add(
        compile_project(project, "--harness", f"claude@{FIRST}", "--harness-strategy", "inline")
    )
    assert plan(inline, previous)["rebuild"] == ["runtime"]

    built = build_tiers(inline)
    assert built["extension"].image_id == chain.built["extension"].image_id
    # Installed on top of the extension, as root, then the extension's user again.
    assert npm_step(built["runtime"].output, FIRST, cached=False)
    assert image_user(inline.final) == "agent"
    assert run(inline.final, "id", "-un") == "agent\n"
    assert claude_version(inline.final) == f"{FIRST} (Claude Code)"
    assert layers_below(chain.compiled.tag("extension"), inline.final)


def test_legacy_layout_builds_and_runs(chain: Chain, images: Images, tmp_path: Path) -> None:
    project = chain.copy(tmp_path / "project")
    legacy = images.add(compile_project(project, "--harness", f"claude@{FIRST}", "--legacy"))
    assert legacy.build_order == ["foundation", "runtime", "extension"]
    assert legacy.final == legacy.tag("extension")

    built = build_tiers(legacy)
    assert built["foundation"].image_id == chain.built["foundation"].image_id
    # Today's chain: the harnesses sit below the project's extension.
    assert layers_below(legacy.tag("runtime"), legacy.final)
    assert claude_version(legacy.final) == f"{FIRST} (Claude Code)"
    assert run(legacy.final, "project-tool") == "project-tool v1\n"
    assert run(legacy.final, "jq", "-n", "[1, 2] | add") == "3\n"
    assert run(legacy.final, "id", "-un") == "agent\n"

    # And there, a bump rebuilds the extension too.
    previous = keep_manifest(legacy)
    bumped = compile_project(project, "--harness", f"claude@{BUMP}", "--legacy")
    assert plan(bumped, previous)["rebuild"] == ["runtime", "extension"]


CLAUDE_AT_BUILD_TIME = """\
FROM aishell:base
RUN claude --version > /etc/claude-version
"""


def test_check_rejects_a_harness_run_at_build_time(chain: Chain, tmp_path: Path) -> None:
    project = write_project(tmp_path / "project", CLAUDE_AT_BUILD_TIME, chain.config)

    checked = aishellc(project, "check", ".aishell/Dockerfile", "--format", "json")
    assert checked.returncode == 1, checked.stderr
    errors = [d for d in json.loads(checked.stdout) if d["severity"] == "error"]
    assert [(d["code"], d["line"], d["column"]) for d in errors] == [("AIS101", 2, 5)]

    compiled = aishellc(
        project, ".aishell/Dockerfile", "-o", "build", "--harness", f"claude@{FIRST}"
    )
    assert compiled.returncode == 1
    assert "AIS101" in compiled.stderr
    assert not (project / "build").exists()

    # What the check saves: the same file as an extension tier fails in the engine.
    extension = CLAUDE_AT_BUILD_TIME.replace("aishell:base", chain.compiled.tag("foundation"))
    tag = f"{TAG_PREFIX}/claude-at-build-time:{RUN_ID}"
    with pytest.raises(DockerError) as failed:
        dockerutil.build(extension, tag, project, timeout=300)
    assert "claude: not found" in failed.value.output
    assert image_id(tag) is None
