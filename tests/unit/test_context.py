"""Which context files an extension reads, with Docker's .dockerignore rules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from aishellc.context.ignore_rules import IgnoreRules, load_ignore_rules, read_ignore_file
from aishellc.context.platforms import BuildPlatforms, Platform
from aishellc.context.sources import collect_sources, context_inputs
from aishellc.context.wildcards import go_match
from aishellc.errors import UserError
from aishellc.parser import parse


def files_read(
    tmp_path: Path,
    dockerfile: str,
    layout: dict[str, str],
    ignore: str | None = None,
    platforms: BuildPlatforms | None = None,
) -> list[str]:
    """The context paths read; the code and message of each problem instead, if any."""
    for name, text in layout.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    if ignore is not None:
        (tmp_path / ".dockerignore").write_text(ignore)
    rules, _, _ = load_ignore_rules(str(tmp_path), None)
    found = context_inputs(
        parse(dockerfile), str(tmp_path), path="Dockerfile", rules=rules, platforms=platforms
    )
    if found.problems:
        return [f"{problem.code} {problem.message}" for problem in found.problems]
    return [item.path for item in found.files]


LAYOUT = {
    "a.py": "a",
    "b.py": "b",
    "c.txt": "c",
    "src/main.py": "m",
    "src/util/helpers.py": "h",
    "src/notes.md": "n",
    "docs/guide.md": "g",
    "Tricky[1].txt": "t",
}

SOURCES = [
    ("COPY a.py /x/", ["a.py"]),
    ("COPY *.py /x/", ["a.py", "b.py"]),
    ("COPY ?.py /x/", ["a.py", "b.py"]),
    ("COPY [ab].py /x/", ["a.py", "b.py"]),
    ("COPY [^a].py /x/", ["b.py"]),
    ("COPY src/*.py /x/", ["src/main.py"]),
    ("COPY */*.md /x/", ["docs/guide.md", "src/notes.md"]),
    ("COPY nothing-* /x/", []),
    # the Dockerfile lexer takes one level of backslashes; the wildcard matcher the next
    ("COPY Tricky[1].txt /x/", []),
    ("COPY Tricky\\\\[1\\\\].txt /x/", ["Tricky[1].txt"]),
    ("COPY src /x/", ["src/main.py", "src/notes.md", "src/util/helpers.py"]),
    ("COPY ./src/../a.py /x/", ["a.py"]),
    ('COPY ["a.py", "c.txt", "/x/"]', ["a.py", "c.txt"]),
    ("ADD https://example.com/file.tar.gz /x/", []),
    ("ADD git@github.com:moby/buildkit.git /x/", []),
    ("ADD a.py /x/", ["a.py"]),
    ("COPY --from=builder /out /x/", []),
    ("COPY --from=alpine:3 /etc/os-release /x/", []),
    ("COPY <<EOF /x/\nhello\nEOF", []),
    ("COPY <<EOF a.py /x/\nhello\nEOF", ["a.py"]),
    ("RUN --mount=type=bind,source=docs,target=/d cat /d/guide.md", ["docs/guide.md"]),
    ("RUN --mount=target=/d,source=c.txt true", ["c.txt"]),
    ("RUN --mount=type=cache,target=/root/.cache true", []),
    ("RUN --mount=type=bind,from=builder,target=/d true", []),
    ("RUN --mount=type=secret,id=token true", []),
    ("ONBUILD COPY a.py /x/", []),
    ("ARG F=b.py\nCOPY $F /x/", ["b.py"]),
    ("ENV D=src/util\nCOPY ${D}/ /x/", ["src/util/helpers.py"]),
    ("ARG NAME\nCOPY c${NAME:-.txt} /x/", ["c.txt"]),
]


@pytest.mark.parametrize(("instructions", "expected"), SOURCES)
def test_sources(tmp_path: Path, instructions: str, expected: list[str]) -> None:
    dockerfile = f"FROM aishell:base AS builder\nFROM aishell:base\n{instructions}\n"
    assert files_read(tmp_path, dockerfile, LAYOUT) == expected


# Read as BuildKit reads them (regressions: an empty --from, an upper-case or variable mount
# type, a later src= were missed; "git@foo" was taken for a git URL and user@host:repo and
# HTTPS:// git URLs for local files).
BUILDKIT_SOURCES = [
    ("COPY --from= a.py /x/", ["a.py"]),
    ("RUN --mount=type=BIND,source=docs,target=/d true", ["docs/guide.md"]),
    ("RUN --mount=Type=Bind,SRC=docs,target=/d true", ["docs/guide.md"]),
    ("ARG T=bind\nRUN --mount=type=$T,source=c.txt,target=/d true", ["c.txt"]),
    ("ARG T=Cache\nRUN --mount=type=$T,source=c.txt,target=/d true", []),
    ("ARG F=a.py\nRUN --mount=source=$F,target=/d true", ["a.py"]),
    ("RUN --mount=source=a.py,src=b.py,target=/d true", ["b.py"]),
    ("RUN --mount=type=bind,from=,source=a.py,target=/d true", ["a.py"]),
    ("RUN --mount=type=tmpfs,target=/d --mount=source=b.py,target=/e true", ["b.py"]),
    ("ADD git@foo /x/", ["git@foo"]),
    ("ADD github.com/x /x/", ["github.com/x"]),
    ("ADD deploy@github.com:moby/buildkit.git /src", []),
    ("ADD HTTPS://github.com/moby/buildkit.git /src", []),
    ("ADD https://github.com/moby/buildkit.git#v0.12:frontend /src", []),
    ("ADD ssh://git@github.com/moby/buildkit /src", []),
    ("COPY git@foo /x/", ["git@foo"]),
]

BUILDKIT_LAYOUT = {**LAYOUT, "git@foo": "f", "github.com/x": "x"}


@pytest.mark.parametrize(("instructions", "expected"), BUILDKIT_SOURCES)
def test_sources_read_as_buildkit_reads_them(
    tmp_path: Path, instructions: str, expected: list[str]
) -> None:
    dockerfile = f"FROM aishell:base\n{instructions}\n"
    assert files_read(tmp_path, dockerfile, BUILDKIT_LAYOUT) == expected


# What BuildKit refuses, aishellc refuses, at the instruction's line.
REFUSED_SOURCES = [
    ("COPY https://example.com/f.tgz /x/", "'https://example.com/f.tgz' is a URL"),
    ("COPY git@github.com:moby/buildkit.git /x/", "is a git repository"),
    ("COPY HTTPS://github.com/moby/buildkit.git /x/", "is a git repository"),
    ("RUN --mount=type=$T,target=/d true", "RUN --mount type '$T' (= '') is not a mount type"),
    ("RUN --mount=type=volume,target=/d true", "is not a mount type"),
    ("RUN --mount=type=bind,source=${X:?unset},target=/d true", "cannot be expanded"),
]


@pytest.mark.parametrize(("instructions", "message"), REFUSED_SOURCES)
def test_sources_buildkit_refuses(tmp_path: Path, instructions: str, message: str) -> None:
    with pytest.raises(UserError, match=re.escape(message)) as refused:
        files_read(tmp_path, f"FROM aishell:base\n{instructions}\n", BUILDKIT_LAYOUT)
    assert refused.value.location is not None and refused.value.location.line == 2


# Sources the build cannot read are diagnostics (AIS304-AIS306), each at its word; every
# one is reported, not only the first (regression: the first raised and ended the read).
SOURCE_PROBLEMS = [
    ("ADD HTTPS://example.com/f.tgz /x/", ["AIS305 2:5"]),  # not a URL: the scheme is lower
    ("COPY ../up /x/", ["AIS304 2:6"]),
    ("COPY /etc/passwd /x/", ["AIS304 2:6"]),
    ("COPY a/../../up /x/", ["AIS304 2:6"]),
    ("COPY nope /x/", ["AIS305 2:6"]),
    ("COPY a.py nope /x/", ["AIS305 2:11"]),
    ("RUN --mount=type=bind,source=nope,target=/d true", ["AIS305 2:5"]),
    (
        "COPY ../up /x/\nCOPY /etc/passwd nope /y/\nADD gone /z/",
        ["AIS304 2:6", "AIS304 3:6", "AIS305 3:18", "AIS305 4:5"],
    ),
]


@pytest.mark.parametrize(("instructions", "expected"), SOURCE_PROBLEMS)
def test_every_source_the_build_cannot_read_is_a_located_problem(
    tmp_path: Path, instructions: str, expected: list[str]
) -> None:
    (tmp_path / "a.py").write_text("a")
    rules, _, _ = load_ignore_rules(str(tmp_path), None)
    found = context_inputs(
        parse(f"FROM aishell:base\n{instructions}\n"), str(tmp_path), path="D", rules=rules
    )
    assert [f"{p.code} {p.line}:{p.column}" for p in found.problems] == expected


# Only the stages the final stage needs count, as BuildKit builds only those (regression:
# every stage counted, and a missing file in an unused stage was refused).
REACHABLE = [
    ("FROM a AS unused\nCOPY missing /x\nFROM a\nCOPY a.py /\n", ["a.py"]),
    ("FROM a AS unused\nCOPY b.py /x\nFROM a\nCOPY a.py /\n", ["a.py"]),
    ("FROM a AS used\nCOPY b.py /x\nFROM a\nCOPY --from=used /x /\n", ["b.py"]),
    ("FROM a AS Used\nCOPY b.py /x\nFROM a\nCOPY --from=USED /x /\n", ["b.py"]),
    ("FROM a\nCOPY b.py /x\nFROM a\nCOPY --from=0 /x /\n", ["b.py"]),
    ("FROM a AS m\nCOPY c.txt /\nFROM a\nRUN --mount=from=m,target=/m true\n", ["c.txt"]),
    (
        "FROM a AS m\nCOPY c.txt /\nFROM a\nRUN --mount=type=cache,from=m,target=/m true\n",
        ["c.txt"],
    ),
    ("FROM a AS p\nCOPY c.txt /\nFROM p\n", ["c.txt"]),
    ("FROM a AS p\nCOPY c.txt /\nFROM p AS q\nFROM a AS r\nFROM q\n", ["c.txt"]),
    (
        "FROM a AS one\nCOPY a.py /\nFROM a AS two\nCOPY --from=one / /\nCOPY b.py /\nFROM two\n",
        ["a.py", "b.py"],
    ),
    ("FROM a AS later\nCOPY a.py /\nFROM a AS two\nCOPY b.py /\nFROM two\n", ["b.py"]),
    # a stage's ONBUILD triggers run in the stages built on it
    ("FROM a AS p\nONBUILD COPY c.txt /\nFROM p\n", ["c.txt"]),
    ("FROM a AS p\nENV F=c.txt\nONBUILD COPY $F /\nFROM p\n", ["c.txt"]),
    # a stage starts with the ARGs and ENVs of the stage it builds on (regression: ARGs not)
    ("FROM a AS p\nARG F=c.txt\nFROM p\nCOPY $F /\n", ["c.txt"]),
    ("FROM a AS p\nARG F=c.txt\nFROM p AS q\nENV G=$F\nFROM q\nCOPY $G /\n", ["c.txt"]),
    ("FROM a\nONBUILD COPY c.txt /\n", []),
    ("FROM a AS x\nCOPY a.py /\nFROM a\nONBUILD COPY --from=x / /\n", []),
    ("FROM a AS x\nCOPY a.py /\nFROM a AS p\nONBUILD COPY --from=x / /\nFROM p\n", ["a.py"]),
]


@pytest.mark.parametrize(("dockerfile", "expected"), REACHABLE)
def test_only_the_stages_the_final_stage_needs(
    tmp_path: Path, dockerfile: str, expected: list[str]
) -> None:
    assert files_read(tmp_path, dockerfile, LAYOUT) == expected


ARM = BuildPlatforms(Platform("linux", "arm64"), Platform("linux", "amd64"), "machine")
ARCH_LAYOUT = {
    "bin/app-arm64": "a",
    "bin/app-amd64": "b",
    "bin/app-x": "c",
    "bin/linux/arm64/app": "d",
    "final.txt": "e",
    "default.txt": "f",
}

# BuildKit's automatic platform ARGs: global scope sees them, a stage after declaring them
# (regression: they expanded to nothing, so these were refused or read the wrong file).
PLATFORM_ARGS = [
    ("FROM a\nARG TARGETARCH\nCOPY bin/app-${TARGETARCH} /x\n", ["bin/app-arm64"]),
    ("FROM a\nARG BUILDARCH\nCOPY bin/app-$BUILDARCH /x\n", ["bin/app-amd64"]),
    ("FROM a\nARG TARGETPLATFORM\nCOPY bin/$TARGETPLATFORM/app /x\n", ["bin/linux/arm64/app"]),
    ("ARG APP=app-$TARGETARCH\nFROM a\nARG APP\nCOPY bin/$APP /x\n", ["bin/app-arm64"]),
    ("ARG TARGETARCH\nFROM a\nARG TARGETARCH\nCOPY bin/app-$TARGETARCH /x\n", ["bin/app-arm64"]),
    ("FROM a\nARG TARGETARCH=x\nCOPY bin/app-$TARGETARCH /x\n", ["bin/app-x"]),
    ("FROM a\nCOPY bin/app-${TARGETARCH:-x} /x\n", ["bin/app-x"]),  # undeclared: unset
    ("FROM a AS Final\nARG TARGETSTAGE\nCOPY $TARGETSTAGE.txt /x\n", ["final.txt"]),
    ("FROM a\nARG TARGETSTAGE\nCOPY $TARGETSTAGE.txt /x\n", ["default.txt"]),
    (
        "FROM a AS s-amd64\nCOPY bin/app-amd64 /\nFROM a AS s-arm64\nCOPY bin/app-arm64 /\n"
        "FROM s-$TARGETARCH\n",
        ["bin/app-arm64"],
    ),
]


@pytest.mark.parametrize(("dockerfile", "expected"), PLATFORM_ARGS)
def test_platform_args(tmp_path: Path, dockerfile: str, expected: list[str]) -> None:
    assert files_read(tmp_path, dockerfile, ARCH_LAYOUT, platforms=ARM) == expected


def test_a_bind_mount_without_source_reads_the_whole_context(tmp_path: Path) -> None:
    found = files_read(tmp_path, "FROM a\nRUN --mount=type=bind,target=/ctx ls\n", LAYOUT)
    assert found == sorted(LAYOUT)


def test_env_is_inherited_from_the_stage_built_on(tmp_path: Path) -> None:
    dockerfile = (
        "FROM a AS base\nENV F=a.py\nFROM base AS child\nCOPY $F /x/\n"
        "FROM a\nCOPY --from=child /x /x\nCOPY ${F:-c.txt} /y/\n"
    )
    assert files_read(tmp_path, dockerfile, LAYOUT) == ["a.py", "c.txt"]


def test_global_args_need_declaring_in_the_stage(tmp_path: Path) -> None:
    dockerfile = (
        "ARG F=a.py\nFROM a AS one\nCOPY ${F:-b.py} /x/\n"
        "FROM a\nARG F\nCOPY $F /y/\nCOPY --from=one /x /x\n"
    )
    assert files_read(tmp_path, dockerfile, LAYOUT) == ["a.py", "b.py"]


D = ".dockerignore"
ALL = [
    "a.py",
    "b.py",
    "c.txt",
    "docs/guide.md",
    "src/main.py",
    "src/notes.md",
    "src/util/helpers.py",
]

IGNORES = [
    ("*.py\n", [D, "c.txt", "docs/guide.md", "src/main.py", "src/notes.md", "src/util/helpers.py"]),
    ("**/*.py\n", [D, "c.txt", "docs/guide.md", "src/notes.md"]),
    ("src\n!src/main.py\n", [D, "a.py", "b.py", "c.txt", "docs/guide.md", "src/main.py"]),
    ("src/\n", [D, "a.py", "b.py", "c.txt", "docs/guide.md"]),
    ("/docs\n", [D, "a.py", "b.py", "c.txt", "src/main.py", "src/notes.md", "src/util/helpers.py"]),
    (
        "# a comment\n  */*.md  \n\n",
        [D, "a.py", "b.py", "c.txt", "src/main.py", "src/util/helpers.py"],
    ),
    ("*.md\n", [D, *ALL]),  # anchored at the context root: no file matches
    ("*\n!src\n", ["src/main.py", "src/notes.md", "src/util/helpers.py"]),
    ("*\n!**/*.md\n", ["docs/guide.md", "src/notes.md"]),
    ("SRC\n", [D, *ALL]),
    ("src/util/..\n", [D, "a.py", "b.py", "c.txt", "docs/guide.md"]),
]


@pytest.mark.parametrize(("ignore", "expected"), IGNORES)
def test_dockerignore(tmp_path: Path, ignore: str, expected: list[str]) -> None:
    layout = {k: v for k, v in LAYOUT.items() if not k.startswith("Tricky")}
    assert files_read(tmp_path, "FROM a\nCOPY . /x/\n", layout, ignore) == expected


def test_dockerignore_can_exclude_itself(tmp_path: Path) -> None:
    found = files_read(tmp_path, "FROM a\nCOPY . /x/\n", {"a.py": "a"}, ".dockerignore\n")
    assert found == ["a.py"]


# An ignored folder holding a re-included file is sent with that file alone, so a build
# can name the folder, or reach the file through a wildcard (regression: the folder was
# refused as excluded, and a wildcard skipped it, so the file was never hashed).
REINCLUDED = "src\n!src/main.py\n"
NAMING_AN_IGNORED_FOLDER = [
    ("COPY src /x/", ["src/main.py"]),
    ("COPY s*/main.py /x/", ["src/main.py"]),
    ("COPY s* /x/", ["src/main.py"]),
    ("COPY src/*.py /x/", ["src/main.py"]),
    ("RUN --mount=type=bind,source=src,target=/x true", ["src/main.py"]),
    ("COPY src/util /x/", None),  # no ! pattern reaches below it: excluded
    ("COPY src/notes.md /x/", None),
    ("COPY s*/notes.md /x/", []),
]


@pytest.mark.parametrize(("line", "expected"), NAMING_AN_IGNORED_FOLDER)
def test_an_ignored_folder_with_a_reincluded_file(
    tmp_path: Path, line: str, expected: list[str] | None
) -> None:
    dockerfile = f"FROM a\n{line}\n"
    if expected is None:
        [problem] = files_read(tmp_path, dockerfile, LAYOUT, REINCLUDED)
        assert problem.startswith("AIS306 ") and "excluded by .dockerignore" in problem
    else:
        assert files_read(tmp_path, dockerfile, LAYOUT, REINCLUDED) == expected


def test_an_ignored_file_is_never_opened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    opened: list[str] = []
    real_open = os.open

    def spy(path: str, flags: int, *args: int) -> int:
        opened.append(str(path))
        return real_open(path, flags, *args)

    (tmp_path / "secret.key").write_text("x")
    (tmp_path / "ok.txt").write_text("y")
    (tmp_path / ".dockerignore").write_text("*.key\n")
    rules, _, _ = load_ignore_rules(str(tmp_path), None)
    monkeypatch.setattr(os, "open", spy)
    context_inputs(parse("FROM a\nCOPY . /x/\n"), str(tmp_path), path="D", rules=rules)
    assert not [name for name in opened if name.endswith("secret.key")]
    assert [name for name in opened if name.endswith("ok.txt")]


def test_a_dockerfile_specific_ignore_file_wins(tmp_path: Path) -> None:
    (tmp_path / ".dockerignore").write_text("a.py\n")
    (tmp_path / ".aishell").mkdir()
    (tmp_path / ".aishell" / "Dockerfile.dockerignore").write_text("b.py\n")
    rules, source, _ = load_ignore_rules(str(tmp_path), str(tmp_path / ".aishell" / "Dockerfile"))
    assert source == str(tmp_path / ".aishell" / "Dockerfile.dockerignore")
    assert rules.ignored("b.py") and not rules.ignored("a.py")


def test_reading_the_ignore_file_like_docker() -> None:
    data = "\ufeff# comment\n  /abs/path  \n!  keep\n dir/../other/ \n#not a pattern\n\n".encode()
    assert read_ignore_file(data) == ["abs/path", "!keep", "other"]


def test_matching_is_case_sensitive() -> None:
    rules = IgnoreRules(["Secret"])
    assert rules.ignored("Secret") and not rules.ignored("secret")


def test_symlinks(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "f.txt").write_text("f")
    (tmp_path / "dir-link").symlink_to("real")
    (tmp_path / "real" / "out-link").symlink_to("/etc/passwd")  # inside a folder: kept as a link
    rules = IgnoreRules([])
    found = context_inputs(
        parse("FROM a\nCOPY dir-link /x/\n"), str(tmp_path), path="D", rules=rules
    )
    assert [(f.path, f.kind) for f in found.files] == [
        ("real/f.txt", "file"),
        ("real/out-link", "symlink"),
    ]
    link = next(f for f in found.files if f.kind == "symlink")
    import hashlib

    assert link.sha256 == hashlib.sha256(b"/etc/passwd").hexdigest()


def test_a_link_to_an_ignored_target_is_not_found(tmp_path: Path) -> None:
    (tmp_path / "real.txt").write_text("x")
    (tmp_path / "link.txt").symlink_to("real.txt")
    found = context_inputs(
        parse("FROM a\nCOPY link.txt /x/\n"),
        str(tmp_path),
        path="D",
        rules=IgnoreRules(["real.txt"]),
    )
    assert [problem.code for problem in found.problems] == ["AIS306"]
    assert found.files == ()


def test_a_link_loop_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    with pytest.raises(UserError, match="too many levels of symbolic links"):
        context_inputs(
            parse("FROM a\nCOPY a /x/\n"), str(tmp_path), path="D", rules=IgnoreRules([])
        )


GO_MATCH = [
    ("*.py", "a.py", True),
    ("*.py", ".hidden.py", True),
    ("?.py", "ab.py", False),
    ("[a-c]x", "bx", True),
    ("[^a-c]x", "bx", False),
    ("[^a-c]x", "dx", True),
    ("[!a]x", "!x", True),
    ("\\*x", "*x", True),
    ("\\*x", "ax", False),
    ("[", "[", False),
    ("a[", "a[", False),
]


@pytest.mark.parametrize(("pattern", "name", "expected"), GO_MATCH)
def test_go_match(pattern: str, name: str, expected: bool) -> None:
    assert go_match(pattern, name) is expected


def test_sources_keep_their_locations() -> None:
    sources = collect_sources(parse("FROM a\nCOPY  one two /x/\n"), "D")
    assert [(s.value, s.word.span.column if s.word and s.word.span else 0) for s in sources] == [
        ("one", 7),
        ("two", 11),
    ]
