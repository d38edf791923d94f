"""Hash properties of the compile (DESIGN.md, "Hashes"), each as a test.

A base project is compiled, one thing is changed, and the three tier hashes (and tags, and
output files) are compared with the base's.
"""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from aishellc.compiler.analysis import ProjectOptions
from aishellc.compiler.hashing import normalize_shell
from aishellc.compiler.pipeline import CompileOptions, CompileResult, compile_dockerfile
from aishellc.config.harnesses import HarnessRegistry
from aishellc.lock.file import Lock, LockedHarness, render_lock
from tests.compile_cases import OFFLINE_CONFIG

ROOT = Path(__file__).resolve().parent.parent
TIERS = ("foundation", "extension", "runtime")


DOCKERFILE = """\
FROM aishell:base

# Python for the project
RUN apt-get update \\
    && apt-get install -y --no-install-recommends \\
        python3 \\
        python3-pip \\
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt /tmp/requirements.txt
ENV GREETING="hello  world"
RUN echo "two  spaces" && pip3 install -r /tmp/requirements.txt
"""


def project(tmp_path: Path, dockerfile: str = DOCKERFILE, config: str = OFFLINE_CONFIG) -> Path:
    root = tmp_path / "project"
    (root / ".aishell").mkdir(parents=True, exist_ok=True)
    (root / ".aishell" / "Dockerfile").write_bytes(dockerfile.encode())
    (root / ".aishell" / "aishellc.toml").write_text(config)
    (root / "requirements.txt").write_text("flask==3.0.3\n")
    (root / "README.md").write_text("not copied\n")
    return root


def compile_in(root: Path, *harnesses: str, locked: bool = False, **options: Any) -> CompileResult:
    previous = Path.cwd()
    os.chdir(root)
    try:
        return compile_dockerfile(
            CompileOptions(
                ".aishell/Dockerfile",
                "build",
                ProjectOptions(harnesses=harnesses or ("claude@2.1.331",), **options),
                locked=locked,
            )
        )
    finally:
        os.chdir(previous)


def hashes(result: CompileResult) -> dict[str, str]:
    return {tier.name: tier.hash for tier in result.tiers}


def tags(result: CompileResult) -> dict[str, str]:
    return {tier.name: tier.tag for tier in result.tiers}


def changed(before: CompileResult, after: CompileResult) -> set[str]:
    """The tiers whose hash changed; their tags must change with them, and only they (the
    tiers of both chains: with a global file, ``base`` too)."""
    old, new = hashes(before), hashes(after)
    assert old.keys() == new.keys()
    names = {name for name in old if old[name] != new[name]}
    assert names == {name for name in old if tags(before)[name] != tags(after)[name]}
    return names


# --- determinism -------------------------------------------------------------------------


def test_same_input_twice_gives_the_same_bytes(tmp_path):
    root = project(tmp_path)
    first, second = compile_in(root), compile_in(root)
    assert dict(first.files) == dict(second.files)
    assert list(first.files) == sorted(first.files)


_SCRIPT = """
import hashlib, os, sys
sys.path.insert(0, sys.argv[1])
os.chdir(sys.argv[2])
from aishellc.compiler.pipeline import CompileOptions, compile_dockerfile
from aishellc.compiler.analysis import ProjectOptions
result = compile_dockerfile(
    CompileOptions(".aishell/Dockerfile", "build", ProjectOptions(harnesses=("claude@2.1.331",)))
)
digest = hashlib.sha256()
for name in sorted(result.files):
    digest.update(name.encode() + b"\\0" + result.files[name])
print(digest.hexdigest())
"""


def test_output_does_not_depend_on_the_process_or_the_folder(tmp_path):
    digests = set()
    for index, (seed, tz, lang) in enumerate(
        [("0", "UTC", "C"), ("1", "Pacific/Kiritimati", "C.UTF-8"), ("4242", "Asia/Kolkata", "")]
    ):
        root = project(tmp_path / f"machine-{index}" / Path(*["deeper"] * index))
        env = {**os.environ, "PYTHONHASHSEED": seed, "TZ": tz, "LANG": lang}
        result = subprocess.run(
            [sys.executable, "-c", _SCRIPT, str(ROOT), str(root)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        digests.add(result.stdout.strip())
    assert len(digests) == 1


def test_no_machine_path_reaches_any_output(tmp_path):
    root = project(tmp_path)
    result = compile_in(root)
    for name, data in result.files.items():
        assert str(tmp_path).encode() not in data, name
        assert b"/root" not in data.replace(b"/root/.npm", b""), name


# --- what changes which tier -------------------------------------------------------------


def test_a_harness_bump_changes_only_the_runtime(tmp_path):
    root = project(tmp_path)
    before = compile_in(root, "claude@2.1.331")
    after = compile_in(root, "claude@2.1.332")
    assert changed(before, after) == {"runtime"}
    for name in ("foundation.Dockerfile", "extension.Dockerfile"):
        assert before.files[name] == after.files[name]
    assert before.files["runtime.Dockerfile"] != after.files["runtime.Dockerfile"]


def test_adding_a_harness_or_changing_the_strategy_changes_only_the_runtime(tmp_path):
    root = project(tmp_path)
    before = compile_in(root, "claude@2.1.331")
    assert changed(before, compile_in(root, "claude@2.1.331", "codex@0.50.0")) == {"runtime"}
    assert changed(before, compile_in(root, "claude@2.1.331", strategy="inline")) == {"runtime"}


def test_harness_order_on_the_command_line_does_not_matter(tmp_path):
    root = project(tmp_path)
    one = compile_in(root, "claude@2.1.331", "codex@0.50.0")
    two = compile_in(root, "codex@0.50.0", "claude@2.1.331")
    assert dict(one.files) == dict(two.files)


def test_legacy_harness_bump_rebuilds_the_extension_too(tmp_path):
    root = project(tmp_path)
    before = compile_in(root, "claude@2.1.331", legacy=True)
    after = compile_in(root, "claude@2.1.332", legacy=True)
    assert changed(before, after) == {"runtime", "extension"}


EDITS = [
    ("a new RUN", lambda text: text + "RUN echo more\n"),
    ("a changed package", lambda text: text.replace("python3-pip", "python3-venv")),
    ("a changed ENV", lambda text: text.replace("hello  world", "hello world")),
    ("quoted spaces in RUN", lambda text: text.replace('"two  spaces"', '"two spaces"')),
    ("exec instead of shell form", lambda text: text + 'CMD ["bash"]\n'),
    ("a new USER", lambda text: text + "USER developer\n"),
    ("a different heredoc body", lambda text: text + "RUN <<EOF\necho a\nEOF\n"),
]


@pytest.mark.parametrize(("what", "edit"), EDITS, ids=[e[0] for e in EDITS])
def test_editing_instructions_changes_extension_and_runtime(
    tmp_path: Path, what: str, edit: Callable[[str], str]
) -> None:
    before = compile_in(project(tmp_path / "a"))
    after = compile_in(project(tmp_path / "b", edit(DOCKERFILE)))
    assert changed(before, after) == {"extension", "runtime"}


def _reflow(text: str) -> str:
    return text.replace(
        "RUN apt-get update \\\n    && apt-get install -y --no-install-recommends \\\n"
        "        python3 \\\n        python3-pip \\\n",
        "RUN apt-get update && apt-get install -y --no-install-recommends \\\n"
        "  python3 python3-pip \\\n",
    )


LAYOUT_EDITS = [
    ("a new comment", lambda text: "# my sandbox\n" + text),
    ("comments removed", lambda text: text.replace("# Python for the project\n", "")),
    (
        "a comment inside a continuation",
        lambda text: text.replace("        python3 \\\n", "        python3 \\\n# pip too\n"),
    ),
    ("blank lines", lambda text: text.replace("\nCOPY", "\n\n\nCOPY")),
    ("continuation re-indented", lambda text: text.replace("        python3", "\t\t\tpython3")),
    ("continuation reflowed", _reflow),
    ("spaces between words", lambda text: text.replace('echo "two', 'echo   "two')),
    (
        "trailing blanks",
        lambda text: text.replace("/tmp/requirements.txt\n", "/tmp/requirements.txt   \n", 1),
    ),
    ("lower-case keywords", lambda text: text.replace("FROM", "from").replace("COPY", "copy")),
    ("CRLF line endings", lambda text: text.replace("\n", "\r\n")),
    ("a byte-order mark", lambda text: "\ufeff" + text),
    ("a check directive", lambda text: "# check=skip=all\n" + text),
]


@pytest.mark.parametrize(("what", "edit"), LAYOUT_EDITS, ids=[e[0] for e in LAYOUT_EDITS])
def test_comment_and_layout_edits_change_nothing(
    tmp_path: Path, what: str, edit: Callable[[str], str]
) -> None:
    before = compile_in(project(tmp_path / "a"))
    after = compile_in(project(tmp_path / "b", edit(DOCKERFILE)))
    assert changed(before, after) == set()


def test_editing_a_copied_file_changes_extension_and_runtime(tmp_path):
    root = project(tmp_path)
    before = compile_in(root)
    (root / "requirements.txt").write_text("flask==3.0.4\n")
    after = compile_in(root)
    assert changed(before, after) == {"extension", "runtime"}


def test_making_a_copied_file_executable_changes_the_extension(tmp_path):
    root = project(tmp_path)
    before = compile_in(root)
    (root / "requirements.txt").chmod(0o755)
    assert changed(before, compile_in(root)) == {"extension", "runtime"}


def test_editing_a_file_nothing_copies_changes_nothing(tmp_path):
    root = project(tmp_path)
    before = compile_in(root)
    (root / "README.md").write_text("edited\n")
    assert changed(before, compile_in(root)) == set()


def test_editing_an_ignored_file_changes_nothing(tmp_path):
    text = DOCKERFILE + "COPY . /src/\n"
    root = project(tmp_path, text)
    (root / ".dockerignore").write_text("*.log\n")
    (root / "debug.log").write_text("one\n")
    before = compile_in(root)
    (root / "debug.log").write_text("two\n")
    assert changed(before, compile_in(root)) == set()
    (root / "README.md").write_text("edited\n")
    assert changed(before, compile_in(root)) == {"extension", "runtime"}


def test_the_output_folder_inside_the_context_is_not_hashed(tmp_path):
    root = project(tmp_path, DOCKERFILE + "COPY . /src/\n")
    first = compile_in(root)
    from aishellc.compiler.pipeline import write_output

    previous = Path.cwd()
    os.chdir(root)
    try:
        write_output(first)
    finally:
        os.chdir(previous)
    assert (root / "build" / "manifest.json").is_file()
    second = compile_in(root)
    assert changed(first, second) == set()
    assert dict(first.files) == dict(second.files)
    ignore = second.files["extension.Dockerfile.dockerignore"].decode()
    assert ignore.splitlines()[-2:] == ["build", ".build.aishellc-*"]


def test_a_foundation_config_change_changes_all_three(tmp_path):
    before = compile_in(project(tmp_path / "a"))
    config = OFFLINE_CONFIG.replace('"sudo"]', '"sudo", "jq"]')
    after = compile_in(project(tmp_path / "b", config=config))
    assert changed(before, after) == {"foundation", "extension", "runtime"}


def test_a_config_change_outside_the_foundation_changes_no_foundation(tmp_path):
    before = compile_in(project(tmp_path / "a"))
    after = compile_in(
        project(tmp_path / "b", config=OFFLINE_CONFIG + '\n[runtime]\nstrategy = "inline"\n')
    )
    assert changed(before, after) == {"runtime"}


def test_tags_are_the_first_twelve_hex_digits(tmp_path):
    result = compile_in(project(tmp_path))
    prefixes = {"foundation": "foundation", "extension": "ext", "runtime": "runtime"}
    for tier in result.tiers:
        assert tier.tag == f"aishell:{prefixes[tier.name]}-{tier.hash[:12]}"
        assert len(tier.hash) == 64


# --- the shell normalisation behind "continuation layout changes nothing" ----------------

SHELL_CASES = [
    ("a    b", "a b"),
    ("  a \t b  ", "a b"),
    ('echo "a    b"', 'echo "a    b"'),
    ("echo 'a    b'", "echo 'a    b'"),
    ('echo "$(printf  x)"', 'echo "$(printf x)"'),
    ('echo "$(echo "a  b")"', 'echo "$(echo "a  b")"'),
    ("echo a\\  b", "echo a\\  b"),
    ("echo `date   +%s`", "echo `date +%s`"),
    ("echo $((1 +   2))", "echo $((1 +   2))"),  # arithmetic can hold an array key
    ("echo 'unterminated   x", "echo 'unterminated   x"),
    # blanks the shell keeps: inside parameter expansions, quotes of every kind, escapes,
    # arithmetic, array subscripts and elements, extglob, =~
    ('x=${y:-a  b}; echo  "$x" > /f', 'x=${y:-a  b}; echo "$x" > /f'),
    ("echo ${y:-a  b}   c", "echo ${y:-a  b} c"),
    ('echo "${y:-"a  b"}"   c', 'echo "${y:-"a  b"}" c'),
    ("echo ${y:-{a  b}}   c", "echo ${y:-{a  b}} c"),
    ("echo $'a  b   c'   d", "echo $'a  b   c' d"),
    ("echo  $'a\\'  b   c'   d", "echo $'a\\'  b   c'   d"),  # dash: $ 'a\' ...
    ("echo a\\ \\    b", "echo a\\ \\  b"),
    ("m[a  b]=1;  echo", "m[a  b]=1; echo"),
    ("a=(x   'y'  z);  echo", "a=(x   'y'  z); echo"),
    ("echo @(a  b)   c", "echo @(a  b) c"),
    ("echo $((  m[k  1]  ))   c", "echo $((  m[k  1]  )) c"),
    ("((  i  =  1  ))  ;  echo", "((  i  =  1  )) ; echo"),
    ("cat <<<  'a  b'", "cat <<< 'a  b'"),
    ("f() {  echo  a;  }", "f() { echo a; }"),
    ('echo "$(echo  a)"   b', 'echo "$(echo a)" b'),
    ("echo `echo  a`   b", "echo `echo a` b"),
    # past what the rule does not follow exactly, the rest of the line keeps its bytes
    ("echo  a  # c  d", "echo a # c  d"),
    ("echo  x; [[ $x =~ (a  b) ]]  &&  echo", "echo x; [[ $x =~ (a  b) ]]  &&  echo"),
    ("[[  $x  ==  @(a  b)  ]]  &&  echo", "[[ $x == @(a  b) ]] && echo"),
    ("echo  $(case x in x) echo  a;; esac)  b", "echo $(case x in x) echo  a;; esac)  b"),
    ("echo  `echo 'a  b'`   c", "echo `echo 'a  b'`   c"),
    ("echo  \"${y:-'a  }'}\"   c", "echo \"${y:-'a  }'}\"   c"),
    ("  echo\ta \t b  ", "echo a b"),
]


@pytest.mark.parametrize(("text", "expected"), SHELL_CASES)
def test_normalize_shell(text: str, expected: str) -> None:
    assert normalize_shell(text) == expected


# Pairs of RUN lines that differ only in blanks the shell keeps, so they write different
# files: the extension (and the runtime on it) must get a new tag. Regression: the first
# four got the same tag, as blanks outside quotes were collapsed inside ${...} and after
# an escaped quote in $'...', and [[ =~ ]] and array keys were not known at all.
BLANKS_THE_SHELL_KEEPS = [
    ('RUN x=${y:-a  b}; echo "$x" > /f', 'RUN x=${y:-a b}; echo "$x" > /f'),
    ("RUN echo $'it\\'s  here' > /f", "RUN echo $'it\\'s here' > /f"),
    ("RUN [[ 'a  b' =~ (a  b) ]] && touch /f", "RUN [[ 'a  b' =~ (a b) ]] && touch /f"),
    (
        "RUN declare -A m; m[a  b]=1; echo ${!m[@]} > /f",
        "RUN declare -A m; m[a b]=1; echo ${!m[@]} > /f",
    ),
    ('RUN echo "${y:-"a  b"}" > /f', 'RUN echo "${y:-"a b"}" > /f'),
    ("RUN echo a\\ \\ b > /f", "RUN echo a\\  b > /f"),
]


@pytest.mark.parametrize(("one", "other"), BLANKS_THE_SHELL_KEEPS)
def test_blanks_the_shell_keeps_change_the_extension(tmp_path: Path, one: str, other: str) -> None:
    base = "FROM aishell:base\n{}\n"
    before = compile_in(project(tmp_path / "a", base.format(one)))
    after = compile_in(project(tmp_path / "b", base.format(other)))
    assert changed(before, after) == {"extension", "runtime"}


def test_a_non_posix_shell_keeps_its_spaces(tmp_path):
    base = 'FROM aishell:base\nSHELL ["python3", "-c"]\nRUN print(1)\n'
    before = compile_in(project(tmp_path / "a", base))
    after = compile_in(project(tmp_path / "b", base.replace("print(1)", "print(1)  ")))
    assert changed(before, after) == set()  # trailing blanks: BuildKit trims them too
    after = compile_in(project(tmp_path / "c", base.replace("print(1)", "print( 1)")))
    assert changed(before, after) == {"extension", "runtime"}
    spaced = compile_in(project(tmp_path / "d", base.replace("print(1)", "if 1:  print(1)")))
    respaced = compile_in(project(tmp_path / "e", base.replace("print(1)", "if 1: print(1)")))
    assert changed(spaced, respaced) == {"extension", "runtime"}


# --- platforms ---------------------------------------------------------------------------

ARCH_DOCKERFILE = (
    "FROM aishell:base\nARG TARGETARCH\nCOPY bin/app-${TARGETARCH} /usr/local/bin/app\n"
)


def arch_project(tmp_path: Path) -> Path:
    root = project(tmp_path, ARCH_DOCKERFILE)
    (root / "bin").mkdir()
    for arch in ("amd64", "arm64"):
        (root / "bin" / f"app-{arch}").write_text(f"built for {arch}\n")
    return root


@pytest.mark.parametrize(
    ("platform", "read"),
    [
        ("linux/amd64", "bin/app-amd64"),
        ("linux/arm64", "bin/app-arm64"),
        ("arm64", "bin/app-arm64"),
    ],
)
def test_the_target_platform_names_the_files_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, platform: str, read: str
) -> None:
    # Regression: TARGETARCH expanded to nothing, so bin/app- was refused as missing.
    monkeypatch.setenv("DOCKER_DEFAULT_PLATFORM", platform)
    extension = compile_in(arch_project(tmp_path)).manifest["tiers"]["extension"]
    assert [item["path"] for item in extension["inputs"]] == [read]
    assert extension["platforms"] == {
        "target": "linux/" + platform.removeprefix("linux/"),
        "from": "DOCKER_DEFAULT_PLATFORM",
    }


def test_each_platform_has_its_own_tags(tmp_path, monkeypatch):
    root = project(tmp_path)  # reads the same files on every platform
    before = compile_in(root)
    every_tier = {"foundation", "extension", "runtime"}
    monkeypatch.setenv("DOCKER_DEFAULT_PLATFORM", "linux/arm64")
    arm = compile_in(root)
    assert changed(before, arm) == every_tier
    assert {tier["platform"] for tier in arm.manifest["tiers"].values()} == {"linux/arm64"}
    assert all(
        tier["command"][6:8] == ["--platform", "linux/arm64"]
        for tier in arm.manifest["tiers"].values()
    )
    monkeypatch.setenv("DOCKER_DEFAULT_PLATFORM", "linux/aarch64")  # the same platform
    assert changed(before, compile_in(root)) == every_tier
    monkeypatch.setenv("DOCKER_DEFAULT_PLATFORM", "linux/amd64")
    assert changed(before, compile_in(root)) == set()


def test_without_the_variable_the_machine_is_the_platform(tmp_path, monkeypatch):
    monkeypatch.delenv("DOCKER_DEFAULT_PLATFORM")
    monkeypatch.setattr("platform.machine", lambda: "aarch64")
    extension = compile_in(project(tmp_path)).manifest["tiers"]["extension"]
    assert extension["platforms"] == {"target": "linux/arm64", "from": "machine"}


def test_the_build_platform_counts_only_when_the_dockerfile_names_it(tmp_path, monkeypatch):
    text = "FROM aishell:base\nARG BUILDARCH\nRUN echo $BUILDARCH > /built-on\n"
    root = project(tmp_path, text)
    monkeypatch.setattr("platform.machine", lambda: "x86_64")
    before = compile_in(root)
    assert before.manifest["tiers"]["extension"]["platforms"]["build"] == "linux/amd64"
    monkeypatch.setattr("platform.machine", lambda: "aarch64")
    assert changed(before, compile_in(root)) == {"extension", "runtime"}
    plain = project(tmp_path / "plain")
    before = compile_in(plain)
    monkeypatch.setattr("platform.machine", lambda: "x86_64")
    assert changed(before, compile_in(plain)) == set()


# --- CA certificates (DESIGN.md "Hashes": every CA certificate of the foundation) ------

CA = ROOT / "tests" / "data" / "ca"
CA_CONFIG = OFFLINE_CONFIG + 'ca_certificates = ["certs/corp.crt"]\n'


def project_with_ca(tmp_path: Path, certificate: str) -> Path:
    root = project(tmp_path, config=CA_CONFIG)
    (root / ".aishell" / "certs").mkdir()
    (root / ".aishell" / "certs" / "corp.crt").write_bytes((CA / certificate).read_bytes())
    return root


def test_a_ca_certificate_changes_all_three(tmp_path):
    without = compile_in(project(tmp_path / "none"))
    one = compile_in(project_with_ca(tmp_path / "a", "corp-a.crt"))
    other = compile_in(project_with_ca(tmp_path / "b", "corp-b.crt"))
    assert changed(without, one) == {"foundation", "extension", "runtime"}
    # same file name, other contents: every tag moves
    assert changed(one, other) == {"foundation", "extension", "runtime"}
    assert one.files["foundation.Dockerfile"] == other.files["foundation.Dockerfile"]
    assert one.files["foundation/ca-certificates/corp.crt"] == (CA / "corp-a.crt").read_bytes()


def test_where_the_ca_certificate_lies_does_not_matter(tmp_path):
    one = compile_in(project_with_ca(tmp_path / "a", "corp-a.crt"))
    root = project(tmp_path / "b", config=OFFLINE_CONFIG + 'ca_certificates = ["../corp.crt"]\n')
    (root / "corp.crt").write_bytes((CA / "corp-a.crt").read_bytes())
    assert hashes(compile_in(root)) == hashes(one)


# --- the harness lock (DESIGN.md "Hashes": runtime covers package, version, integrity) ----


def sri(seed: str) -> str:
    """A well-formed sha512 integrity (of ``seed``): the lock only stores it."""
    return "sha512-" + base64.b64encode(hashlib.sha512(seed.encode()).digest()).decode()


def with_lock(root: Path, *entries: tuple[str, str, str, str]) -> Path:
    """``root`` with an ``aishellc.lock`` of ``(name, requested, version, integrity)``."""
    registry = HarnessRegistry.builtin()
    lock = Lock(
        tuple(
            LockedHarness(name, registry.get(name).package, requested, version, integrity)
            for name, requested, version, integrity in entries
        )
    )
    (root / ".aishell" / "aishellc.lock").write_bytes(render_lock(lock))
    return root


def test_a_locked_version_bump_changes_only_the_runtime(tmp_path):
    before = compile_in(
        with_lock(project(tmp_path / "a"), ("claude", "latest", "2.1.331", sri("1"))), "claude"
    )
    after = compile_in(
        with_lock(project(tmp_path / "b"), ("claude", "latest", "2.1.332", sri("2"))), "claude"
    )
    assert changed(before, after) == {"runtime"}
    assert before.tier("runtime").details["harnesses"] == {"claude": "2.1.331"}
    assert after.tier("runtime").details["harnesses"] == {"claude": "2.1.332"}


def test_an_integrity_change_alone_changes_the_runtime(tmp_path):
    before = compile_in(
        with_lock(project(tmp_path / "a"), ("claude", "latest", "2.1.331", sri("1"))), "claude"
    )
    after = compile_in(
        with_lock(project(tmp_path / "b"), ("claude", "latest", "2.1.331", sri("2"))), "claude"
    )
    assert changed(before, after) == {"runtime"}
    assert sri("2") in after.files["runtime.Dockerfile"].decode()


def test_a_lock_turns_latest_into_its_version(tmp_path):
    unlocked = compile_in(project(tmp_path / "a"), "claude")
    locked = compile_in(
        with_lock(project(tmp_path / "b"), ("claude", "latest", "2.1.331", sri("1"))), "claude"
    )
    assert changed(unlocked, locked) == {"runtime"}
    assert [d.code for d in unlocked.diagnostics if d.code == "AIS301"] == ["AIS301"]
    assert "AIS301" not in [d.code for d in locked.diagnostics]
    runtime = locked.tier("runtime").details
    assert runtime["lock"] == ".aishell/aishellc.lock"
    assert runtime["integrity"] == {"claude": sri("1")}
    assert unlocked.tier("runtime").details["lock"] is None


def test_harnesses_the_lock_holds_but_nobody_asks_for_change_nothing(tmp_path):
    one = compile_in(
        with_lock(project(tmp_path / "a"), ("claude", "latest", "2.1.331", sri("1"))), "claude"
    )
    two = compile_in(
        with_lock(
            project(tmp_path / "b"),
            ("claude", "latest", "2.1.331", sri("1")),
            ("codex", "latest", "0.50.0", sri("3")),
        ),
        "claude",
    )
    assert dict(one.files) == dict(two.files)
