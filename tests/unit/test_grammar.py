"""The grammar: LALR(1) with no conflicts or terminal collisions, for both escape characters."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest

from aishellc.parser.grammar import cache_dir, grammar_for_escape, grammar_text, make_parser


@pytest.mark.parametrize("escape", ["\\", "`"])
def test_grammar_is_strict_lalr(escape: str) -> None:
    parser = make_parser(escape, strict=True, transform=False)
    assert parser.options.parser == "lalr"


def test_backtick_variant_only_changes_escape_terminals() -> None:
    plain = grammar_text().splitlines()
    backtick = grammar_for_escape("`").splitlines()
    changed = [new for old, new in zip(plain, backtick, strict=True) if old != new]
    assert changed, "the backtick variant must differ"
    assert all(line.rstrip().endswith("// escape") for line in changed)
    assert all("\\\\" not in line for line in changed)


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("FROM a", "from_instr"),
        ("from a AS b", "from_instr"),
        ("RUN x", "run_instr"),
        ('CMD ["a"]', "cmd_instr"),
        ('ENTRYPOINT ["a"]', "entrypoint_instr"),
        ('SHELL ["sh", "-c"]', "shell_instr"),
        ("ENV a=b", "env_instr"),
        ("LABEL a=b", "label_instr"),
        ("ARG a", "arg_instr"),
        ("COPY a b", "copy_instr"),
        ("ADD a b", "add_instr"),
        ("EXPOSE 80", "expose_instr"),
        ("VOLUME /v", "volume_instr"),
        ("USER u", "user_instr"),
        ("WORKDIR /w", "workdir_instr"),
        ("STOPSIGNAL 9", "stopsignal_instr"),
        ("MAINTAINER me", "maintainer_instr"),
        ("HEALTHCHECK NONE", "healthcheck_instr"),
        ("ONBUILD RUN x", "onbuild_instr"),
        ("FOO x", "unknown_instr"),
        ("RUNX x", "unknown_instr"),
    ],
)
def test_every_instruction_has_a_rule(line: str, rule: str) -> None:
    (result,) = cast(list[Any], make_parser("\\").parse(line + "\n"))
    assert result[0] == rule


def test_grammar_cache_lives_in_a_private_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AISHELLC_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = cache_dir()
    assert folder == tmp_path / "aishellc"
    assert folder.stat().st_mode & 0o777 == 0o700
    parser = make_parser("\\", cache=str(folder / "grammar-test.lark-cache"))
    assert (folder / "grammar-test.lark-cache").is_file()
    assert parser.parse("FROM a\n")


def test_grammar_cache_refuses_a_shared_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AISHELLC_NO_CACHE", raising=False)
    shared = tmp_path / "aishellc"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_dir() is None
    monkeypatch.setenv("AISHELLC_NO_CACHE", "1")
    shared.chmod(0o700)
    assert cache_dir() is None
