"""What a command imports: ``parse`` and ``check`` load only what they need.

Each case runs the command line in a fresh interpreter (as ``aishellc`` starts) and reads
``sys.modules`` afterwards. Every module a cold start imports costs time on every
pre-commit run and editor save: the Docker SDK and HTTP clients belong to ``compile`` and
``build``, the emitters, context and hashing to ``compile``, lark's optional
``interegular`` to grammar analysis only, and tree-sitter to files whose RUNs can hold a
harness command.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SIMPLE = "FROM aishell:base\nRUN apt-get update && apt-get install -y jq\nUSER developer\n"
HEREDOC = "FROM aishell:base\nRUN bash <<EOF\nset -e\necho hi\nEOF\n"
CLAUDE = "FROM aishell:base\nRUN claude --version\n"
ESCAPED = "FROM aishell:base\nRUN c\\laude --version\n"
NPM = "FROM aishell:base\nRUN npm install -g @openai/codex\n"
COPY = "FROM aishell:base\nCOPY Dockerfile /tmp/\n"

# Module prefixes no parse or check run imports.
NEVER = (
    "docker",
    "aishellc.engine",
    "requests",
    "urllib3",
    "http.client",
    "interegular",
    "aishellc.compiler.pipeline",
    "aishellc.compiler.hashing",
    "aishellc.emit.bake",
    "aishellc.emit.foundation",
    "aishellc.emit.extension",
    "aishellc.emit.runtime",
    "aishellc.emit.manifest",
    "aishellc.emit.output",
    "aishellc.emit.printer",
)
TREE_SITTER = ("tree_sitter", "tree_sitter_bash", "aishellc.shell.commands")

_RUN = """
import io, json, sys
from aishellc.cli import run
code = run(sys.argv[1:], io.StringIO(), io.StringIO())
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""

# Module prefixes a command imports only for the format that needs them.
AST_JSON = ("aishellc.emit.ast_json",)
BUILDKIT_VIEW = ("aishellc.parser.buildkit_view",)
# What the AST path needs and a plain file's `parse --format buildkit` does not.
FULL_PARSE = ("lark", "aishellc.ast", "aishellc.parser.builder", "aishellc.parser.grammar")
BOTH_VIEWS = AST_JSON + BUILDKIT_VIEW
# The context reader: check loads it only for a file that reads its build context.
CONTEXT = ("aishellc.context.sources",)
NO_CONTEXT = BOTH_VIEWS + CONTEXT

# (command line before the file, Dockerfile, exit code, tree-sitter loaded, also absent)
CASES = [
    (["check"], SIMPLE, 0, False, NO_CONTEXT),
    (["check", "--format", "json"], SIMPLE, 0, False, NO_CONTEXT),
    (["check", "--format", "sarif"], SIMPLE, 0, False, NO_CONTEXT),
    (["check"], HEREDOC, 0, False, NO_CONTEXT),
    (["parse"], SIMPLE, 0, False, BUILDKIT_VIEW + CONTEXT),
    (
        ["parse", "--format", "buildkit"],
        SIMPLE,
        0,
        False,
        AST_JSON + CONTEXT + BUILDKIT_VIEW + FULL_PARSE,
    ),
    (["parse", "--format", "buildkit"], "FROM a b\n", 2, False, AST_JSON + CONTEXT),
    (["check"], CLAUDE, 1, True, NO_CONTEXT),
    (["check"], ESCAPED, 1, True, NO_CONTEXT),
    (["check"], NPM, 0, True, NO_CONTEXT),
    (["check"], COPY, 0, False, BOTH_VIEWS),
]


def _imported(argv: list[str], text: str, folder: Path) -> tuple[int, list[str]]:
    path = folder / "Dockerfile"
    path.write_text(text)
    result = subprocess.run(
        [sys.executable, "-c", _RUN, *argv, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=folder,
    )
    report = json.loads(result.stdout)
    return report["code"], report["modules"]


def _matching(modules: list[str], prefixes: tuple[str, ...]) -> list[str]:
    return [m for m in modules if any(m == p or m.startswith(p + ".") for p in prefixes)]


@pytest.mark.parametrize(("argv", "text", "code", "tree_sitter", "absent"), CASES)
def test_a_command_imports_only_what_it_needs(
    argv: list[str],
    text: str,
    code: int,
    tree_sitter: bool,
    absent: tuple[str, ...],
    tmp_path: Path,
) -> None:
    exit_code, modules = _imported(argv, text, tmp_path)
    assert exit_code == code
    assert _matching(modules, NEVER + absent) == []
    loaded = [name for name in TREE_SITTER if _matching(modules, (name,))]
    assert loaded == (list(TREE_SITTER) if tree_sitter else [])


def test_check_loads_the_context_reader_for_a_file_that_copies(tmp_path: Path) -> None:
    # the other half of the CONTEXT rows above: the reader is there when it is needed
    code, modules = _imported(["check"], COPY, tmp_path)
    assert code == 0
    assert _matching(modules, CONTEXT) == list(CONTEXT)


# Module prefixes ``plan`` without ``--engine`` never imports: it reads files only.
ENGINE = ("docker", "requests", "urllib3", "http.client", "aishellc.engine")


def test_plan_without_engine_never_imports_the_engine_package(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(SIMPLE)
    code, _ = _imported(["compile", "-o", "build", "--harness", "claude@2.1.331"], SIMPLE, tmp_path)
    assert code == 0
    result = subprocess.run(
        [sys.executable, "-c", _RUN, "plan", "build/manifest.json"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    report = json.loads(result.stdout)
    assert report["code"] == 0
    assert _matching(report["modules"], ENGINE) == []


def test_interegular_is_installed_here() -> None:
    # The guard above means something only where lark could import interegular.
    import importlib.util

    assert importlib.util.find_spec("interegular") is not None


def test_compile_reads_the_npmrc_without_loading_the_registry_client(tmp_path: Path) -> None:
    # compile looks at the user's .npmrc (does the registry need its token?) but never
    # talks to a registry: the npm client and its trust store stay unloaded (the Docker
    # SDK's HTTP libraries are compile's own, for other reasons).
    code, modules = _imported(["compile", "-o", str(tmp_path / "out")], SIMPLE, tmp_path)
    assert code == 0
    assert "aishellc.npm.npmrc" in modules
    assert _matching(modules, ("aishellc.npm.client", "aishellc.npm.commands", "truststore")) == []
