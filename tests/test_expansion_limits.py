"""The expansion cap through the command line: a value that doubles itself line after line
(``ARG A1=${A0}${A0}``, ...) is refused at the line that goes over 1 MiB, wherever words
are expanded, instead of hanging ``check`` and ``compile``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.compile_cases import OFFLINE_CONFIG, run_cli_in

LEVELS = 41  # 10 * 2**40 characters: terabytes without the cap


def chain(keyword: str) -> str:
    lines = [f"{keyword} A0=aaaaaaaaaa"]
    lines += [f"{keyword} A{i}=${{A{i - 1}}}${{A{i - 1}}}" for i in range(1, LEVELS)]
    return "\n".join(lines) + "\n"


SIXTEEN = chain("ARG").splitlines()[:17]  # A16: 655,360 characters, under the cap
HEAD = "FROM aishell:base\n"
COPY = "COPY x /x\n"
# 10 * 2**17 characters is the first value over 1 MiB: A17 on the 18th chain line
CASES = [
    # (name, Dockerfile, command, exit code, "line:col: message" the error starts with)
    # check and compile run one analysis: the same diagnostic (AIS003, exit 1) for a global
    # ARG; a stage's ARGs and ENVs are expanded where a source is read (exit 2 in both)
    ("global ARGs, check", chain("ARG") + HEAD, "check", 1, "18:5: AIS003 the default of"),
    ("global ARGs, compile", chain("ARG") + HEAD, "compile", 1, "18:5: AIS003 the default of"),
    ("stage ARGs, check", HEAD + chain("ARG") + COPY, "check", 2, "19:1: AIS001 ARG cannot be"),
    ("stage ARGs, compile", HEAD + chain("ARG") + COPY, "compile", 2, "19:1: ARG cannot be"),
    ("ENV chain, compile", HEAD + chain("ENV") + COPY, "compile", 2, "19:1: ENV cannot be"),
    (
        "FROM image, check",
        "\n".join(SIXTEEN) + "\nFROM ${A16}${A16}\n",
        "check",
        1,
        "18:6: AIS003 the image of this FROM cannot be expanded",
    ),
    (
        "COPY source, compile",
        HEAD + "\n".join(SIXTEEN) + "\nCOPY ${A16}${A16} /x\n",
        "compile",
        2,
        "19:6: COPY source '${A16}${A16}' cannot be expanded",
    ),
    (
        "bind mount source, compile",
        HEAD + "\n".join(SIXTEEN) + "\nRUN --mount=source=${A16}${A16},target=/m true\n",
        "compile",
        2,
        "19:5: RUN source '${A16}${A16}' cannot be expanded",
    ),
]


@pytest.mark.parametrize(
    ("name", "dockerfile", "command", "code", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_a_doubling_chain_is_refused_at_the_line_over_the_cap(
    tmp_path: Path, name: str, dockerfile: str, command: str, code: int, expected: str
) -> None:
    (tmp_path / ".aishell").mkdir()
    (tmp_path / ".aishell" / "Dockerfile").write_text(dockerfile)
    (tmp_path / ".aishell" / "aishellc.toml").write_text(OFFLINE_CONFIG)
    if command == "compile":
        args = [".aishell/Dockerfile", "-o", "build", "--harness", "claude@2.1.3"]
    else:
        args = ["check", ".aishell/Dockerfile"]
    result = run_cli_in(tmp_path, *args)
    assert result.code == code, result.err or result.out
    text = result.err if command == "compile" else result.out
    assert f".aishell/Dockerfile:{expected}" in text
    assert "expands to more than 1,048,576 characters (1 MiB)" in text
    assert "help: no real build needs a value this large" in text
    assert not (tmp_path / "build").exists()
