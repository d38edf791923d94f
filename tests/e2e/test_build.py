"""``aishellc build``, ``plan --engine`` and ``prune`` with two real engines and a real
registry: engine A (the sandbox, a teammate who builds and pushes), engine B (a second
dockerd, empty at the start: a teammate or CI runner) and a Distribution registry on
127.0.0.1 (``tests/services``).

One small project (a foundation with two apt packages, a one-line extension, the tiny
``semver`` npm package standing in for a harness) is shared by every scenario, in this
order; each test continues from the state the previous ones left. Every image A gets is
removed at the end; engine B and the registry are deleted whole.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tarfile
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.e2e import dockerutil
from tests.e2e.tiers import aishellc, write_project
from tests.services import free_port
from tests.services.engine import running_engine
from tests.services.registry import running_registry

pytestmark = pytest.mark.docker

RUN_ID = uuid.uuid4().hex[:8]
PREFIX = f"aishellc-e2e-build-{RUN_ID}"
FIRST, BUMP, B_ONLY = "7.6.3", "7.6.2", "7.5.4"

CONFIG = """\
tag_prefix = "{prefix}"
{registry}
[foundation]
base_image = "debian:trixie-slim"
node_image = "node:24-trixie-slim"
tools = []
sqlite = false
apt_packages = ["bash", "gosu"]

[foundation.user]
sudo = false

[harnesses.extra.semver]
binary = "semver"
package = "semver"
"""
DOCKERFILE = "FROM aishell:base\nRUN echo one line of extension > /extension.txt\n"
# The engines have no bridge network (tests/services/engine.py, scripts/docker-sandbox).
BUILD_FLAGS = ("--network", "host", "--progress", "plain")
PLAN_WORDS = {"up to date": "up to date", "pull": "pulled", "build": "built"}


def config(registry: str | None, prefix: str = PREFIX) -> str:
    line = f'registry = "{registry}/team"\n' if registry else ""
    return CONFIG.format(prefix=prefix, registry=line)


@dataclass
class Team:
    registry: str
    engine_a: dict[str, str]
    engine_b: dict[str, str]
    root: Path
    made_on_a: set[str] = field(default_factory=set)

    def project(self, name: str, dockerfile: str = DOCKERFILE, text: str | None = None) -> Path:
        path = self.root / name
        if not path.exists():
            write_project(path, dockerfile, text or config(self.registry))
        return path


def docker(env: Mapping[str, str], *args: str, stdin: bytes | None = None) -> str:
    done = subprocess.run(
        [dockerutil.DOCKER, *args],
        env={**os.environ, **env, "DOCKER_BUILDKIT": "1"},
        input=stdin,
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise dockerutil.DockerError(args, done.returncode, done.stderr.decode())
    return done.stdout.decode()


def image_ids(env: Mapping[str, str]) -> set[str]:
    return set(docker(env, "image", "ls", "--all", "--no-trunc", "--quiet").split())


def build(
    project: Path, env: Mapping[str, str], harness: str, *flags: str
) -> tuple[int, dict[str, Any], str]:
    """``aishellc build --format json``: exit code, the JSON table, stderr."""
    done = aishellc(
        project,
        "build",
        ".aishell/Dockerfile",
        "-o",
        "build",
        "--harness",
        f"semver@{harness}",
        "--format",
        "json",
        *BUILD_FLAGS,
        *flags,
        env=env,
    )
    data = json.loads(done.stdout) if done.stdout.strip() else {}
    return done.returncode, data, done.stderr


def actions(table: Mapping[str, Any]) -> list[str]:
    return [row["action"] for row in table["tiers"]]


def plan_then_build(
    project: Path, env: Mapping[str, str], harness: str, *flags: str
) -> tuple[list[str], list[str], dict[str, Any]]:
    """Compile, ask ``plan --engine``, then build: both decisions, and the build's table."""
    compiled = aishellc(
        project, ".aishell/Dockerfile", "-o", "build", "--harness", f"semver@{harness}", env=env
    )
    assert compiled.returncode == 0, compiled.stderr
    planned = aishellc(
        project, "plan", "build/manifest.json", "--engine", "--format", "json", env=env
    )
    assert planned.returncode == 0, planned.stderr
    decisions = [row["action"] for row in json.loads(planned.stdout)["tiers"]]
    code, table, stderr = build(project, env, harness, *flags)
    assert code == 0, stderr
    return decisions, actions(table), table


@pytest.fixture(scope="module")
def team(
    docker_host: str, stand_in_images: tuple[str, ...], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Team]:
    with running_registry() as registry, running_engine() as host_b:
        engine_a = {"DOCKER_HOST": docker_host, "PATH": f"/usr/bin:{os.environ['PATH']}"}
        engine_b = {"DOCKER_HOST": host_b, "PATH": engine_a["PATH"]}
        team = Team(registry, engine_a, engine_b, tmp_path_factory.mktemp("team"))
        try:
            yield team
        finally:
            # Only what this module made: the sandbox is shared with other test runs.
            tags = docker(engine_a, "image", "ls", "--format", "{{.Repository}}:{{.Tag}}").split()
            ours = [tag for tag in tags if PREFIX in tag and not tag.endswith(":<none>")]
            for ref in (*ours, *sorted(team.made_on_a)):
                subprocess.run(
                    [dockerutil.DOCKER, "image", "rm", "--force", ref],
                    env={**os.environ, **engine_a},
                    capture_output=True,
                    check=False,
                )


def test_a_builds_and_pushes_b_pulls_all_and_runs_the_harness(team: Team) -> None:
    on_a, on_b = team.project("a"), team.project("b")
    planned, done, table = plan_then_build(on_a, team.engine_a, FIRST, "--push")
    assert (planned, done) == (["build"] * 3, ["built"] * 3)
    assert [row["pushed"] for row in table["tiers"]] == [True] * 3

    planned, done, table = plan_then_build(on_b, team.engine_b, FIRST)
    assert (planned, done) == (["pull"] * 3, ["pulled"] * 3)
    assert (
        docker(team.engine_b, "run", "--rm", "--network", "none", table["final"], "semver", "1.2.3")
        == "1.2.3\n"
    )


def test_a_second_build_builds_nothing_and_says_so(team: Team) -> None:
    for project, env in ((team.project("a"), team.engine_a), (team.project("b"), team.engine_b)):
        planned, done, _ = plan_then_build(project, env, FIRST)
        assert (planned, done) == (["up to date"] * 3, ["up to date"] * 3)
        text = aishellc(
            project,
            "build",
            ".aishell/Dockerfile",
            "-o",
            "build",
            "--harness",
            f"semver@{FIRST}",
            env=env,
        )
        assert text.returncode == 0, text.stderr
        rows = text.stdout.splitlines()[1:4]
        assert [row.split()[2:4] for row in rows] == [["up", "to"]] * 3
        assert "nothing built: every tier is up to date" in text.stdout


def test_a_harness_bump_pushed_from_a_is_one_pull_on_b(team: Team) -> None:
    planned, done, _ = plan_then_build(team.project("a"), team.engine_a, BUMP, "--push")
    assert (planned, done) == (
        ["up to date", "up to date", "build"],
        ["up to date", "up to date", "built"],
    )
    planned, done, _ = plan_then_build(team.project("b"), team.engine_b, BUMP)
    assert (planned, done) == (
        ["up to date", "up to date", "pull"],
        ["up to date", "up to date", "pulled"],
    )


def test_a_bump_on_b_alone_builds_only_the_runtime(team: Team) -> None:
    planned, done, _ = plan_then_build(team.project("b"), team.engine_b, B_ONLY)
    assert (planned, done) == (
        ["up to date", "up to date", "build"],
        ["up to date", "up to date", "built"],
    )


def test_a_pulled_tag_whose_label_was_tampered_with_is_rebuilt(team: Team) -> None:
    on_a, on_b = team.project("a"), team.project("b")
    assert (
        aishellc(
            on_a, ".aishell/Dockerfile", "-o", "build", "--harness", f"semver@{BUMP}"
        ).returncode
        == 0
    )
    runtime = json.loads((on_a / "build" / "manifest.json").read_text())["tiers"]["runtime"]
    # Another image pushed under the runtime's tag: same tag, another hash label. The image
    # it replaces on A loses its tag: removed at the end.
    original = dockerutil.image_id(runtime["tag"])
    assert original is not None
    team.made_on_a.add(original)
    docker(
        team.engine_a,
        "build",
        "-t",
        runtime["tag"],
        "--label",
        f"aishell.runtime.hash={'0' * 64}",
        "-",
        stdin=f"FROM {runtime['tag']}\n".encode(),
    )
    docker(team.engine_a, "push", runtime["tag"])
    docker(team.engine_b, "image", "rm", runtime["tag"])

    planned, done, table = plan_then_build(on_b, team.engine_b, BUMP)
    assert (planned, done) == (
        ["up to date", "up to date", "pull"],
        ["up to date", "up to date", "built"],
    )
    assert "not trusted, rebuilt" in table["tiers"][2]["warnings"][0]
    label = docker(
        team.engine_b,
        "image",
        "inspect",
        "--format",
        '{{index .Config.Labels "aishell.runtime.hash"}}',
        runtime["tag"],
    )
    assert label.strip() == runtime["hash"]


def _runtime_ids(env: Mapping[str, str]) -> dict[str, str]:
    """Image ID -> its hash label, for every runtime image of the engine."""
    listed = docker(
        env,
        "image",
        "ls",
        "--all",
        "--no-trunc",
        "--filter",
        "label=aishell.tier=runtime",
        "--format",
        "{{.ID}}",
    ).split()
    return {
        image: docker(
            env,
            "image",
            "inspect",
            "--format",
            '{{index .Config.Labels "aishell.runtime.hash"}}',
            image,
        ).strip()
        for image in set(listed)
    }


def test_prune_removes_exactly_the_unused_older_tiers(team: Team, tmp_path: Path) -> None:
    on_b, env = team.project("b"), team.engine_b
    tags = {}
    for version in (FIRST, BUMP, B_ONLY):
        assert (
            aishellc(
                on_b, ".aishell/Dockerfile", "-o", "build", "--harness", f"semver@{version}"
            ).returncode
            == 0
        )
        tags[version] = json.loads((on_b / "build" / "manifest.json").read_text())["tiers"][
            "runtime"
        ]["tag"]
    ids = {
        version: docker(env, "image", "inspect", "--format", "{{.Id}}", tag).strip()
        for version, tag in tags.items()
    }
    # An image without aishell's labels, newer than all of them: never touched.
    empty = tmp_path / "empty.tar"
    with tarfile.open(empty, "w"):
        pass
    plain = docker(env, "import", str(empty), f"{PREFIX}-plain:1").strip()
    runtimes = _runtime_ids(env)
    tampered = {image for image, label in runtimes.items() if label == "0" * 64}
    assert len(runtimes) == 4 and len(tampered) == 1
    # FIRST's runtime is the oldest, but a running container uses it.
    container = docker(
        env, "run", "-d", "--network", "none", "--entrypoint", "sleep", tags[FIRST], "600"
    ).strip()
    try:
        before = image_ids(env)
        dry = aishellc(on_b, "prune", "--keep", "1", "--dry-run", env=env)
        assert dry.returncode == 0, dry.stderr
        assert image_ids(env) == before
        assert dry.stdout.count("would remove ") == 2

        pruned = aishellc(on_b, "prune", "--keep", "1", env=env)
        assert pruned.returncode == 0, pruned.stderr
        # The newest runtime (BUMP's, rebuilt last) and the used one stay; B_ONLY's and the
        # tampered one go; the single foundation and extension, and the plain image, stay.
        assert before - image_ids(env) == {ids[B_ONLY], *tampered}
        assert {ids[FIRST], ids[BUMP], plain} <= image_ids(env)
        assert pruned.stdout.count("removed ") == 2
        assert pruned.stdout.splitlines()[-1].startswith("reclaimed ")
        assert dry.stdout.splitlines()[:2] == [
            line.replace("removed", "would remove", 1) for line in pruned.stdout.splitlines()[:2]
        ]
    finally:
        docker(env, "rm", "--force", container)


# (case, Dockerfile, registry: team / down / readonly / none, build flags, engine, exit code, in stderr)
FAILURES = [
    (
        "engine down",
        DOCKERFILE,
        "team",
        (),
        "down",
        2,
        "cannot reach the Docker engine at unix:///nonexistent",
    ),
    ("registry down", DOCKERFILE, "down", (), "a", 2, "cannot ask the registry for 127.0.0.1:"),
    ("push refused", DOCKERFILE, "readonly", ("--push",), "a", 2, "the registry refused"),
    (
        "a tier fails",
        "FROM aishell:base\nRUN echo about to fail && false\n",
        "none",
        (),
        "a",
        1,
        "about to fail",
    ),
    (
        "missing base image",
        f"FROM {PREFIX}-missing/nothing:1 AS tool\nFROM aishell:base\nCOPY --from=tool /x /x\n",
        "none",
        (),
        "a",
        1,
        f"{PREFIX}-missing/nothing",
    ),
]


@pytest.mark.parametrize(
    ("case", "dockerfile", "registry", "flags", "engine", "code", "message"),
    FAILURES,
    ids=[row[0] for row in FAILURES],
)
def test_a_failure_exits_with_its_code_and_reason(
    team: Team,
    case: str,
    dockerfile: str,
    registry: str,
    flags: tuple[str, ...],
    engine: str,
    code: int,
    message: str,
) -> None:
    env = {"DOCKER_HOST": "unix:///nonexistent/docker.sock"} if engine == "down" else team.engine_a
    prefix = f"{PREFIX}-{case.replace(' ', '-')}"
    with running_registry(readonly=True) as readonly:
        address = {
            "team": team.registry,
            "down": f"127.0.0.1:{free_port()}",
            "readonly": readonly,
            "none": None,
        }[registry]
        project = team.project(case.replace(" ", "-"), dockerfile, config(address, prefix))
        returned, table, stderr = build(project, env, FIRST, *flags)
    assert returned == code, stderr
    assert message in stderr
    if code == 1:
        # The tier below was built and kept; the failed one and those above it are not tagged.
        assert actions(table) == ["built", "failed"]
        assert "the extension tier failed to build" in stderr
        manifest = json.loads((project / "build" / "manifest.json").read_text())
        assert dockerutil.image_id(manifest["tiers"]["foundation"]["tag"]) is not None
        assert dockerutil.image_id(manifest["tiers"]["extension"]["tag"]) is None
        assert dockerutil.image_id(manifest["tiers"]["runtime"]["tag"]) is None


def test_ctrl_c_leaves_no_half_tagged_image(team: Team) -> None:
    project = team.project(
        "ctrl-c", "FROM aishell:base\nRUN sleep 120\n", config(None, f"{PREFIX}-ctrl-c")
    )
    root = str(dockerutil.REPO_ROOT)
    command = [sys.executable, "-m", "aishellc", "build", ".aishell/Dockerfile", "-o", "build"]
    process = subprocess.Popen(
        [*command, "--harness", f"semver@{FIRST}", *BUILD_FLAGS],
        cwd=project,
        env={**os.environ, **team.engine_a, "PYTHONPATH": root},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    assert process.stderr is not None
    for line in process.stderr:
        if "RUN sleep 120" in line:  # the extension's build is under way
            break
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C sends: the whole group
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    tiers = json.loads((project / "build" / "manifest.json").read_text())["tiers"]
    assert dockerutil.image_id(tiers["foundation"]["tag"]) is not None
    assert dockerutil.image_id(tiers["extension"]["tag"]) is None
