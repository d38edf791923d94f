"""aishellc.shell.find_commands: which programs does a piece of shell code run?"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aishellc.shell import (
    MAX_SCRIPT_DEPTH,
    POSIX_SHELLS,
    CommandUse,
    _units,
    find_commands,
    is_shell,
)
from aishellc.shell._text import OffsetMap, Source


def names(script: str) -> list[str | None]:
    return [use.name for use in find_commands(script)]


# (script, names of the commands it runs, in source order)
NAMES: list[tuple[str, list[str | None]]] = [
    # --- lists, pipelines, compound commands -----------------------------------------------
    ("claude", ["claude"]),
    ("a && b || c; d | e & f", ["a", "b", "c", "d", "e", "f"]),
    ("a\nb\n\nc", ["a", "b", "c"]),
    ("claude |& tee log", ["claude", "tee"]),
    ("! claude", ["claude"]),
    ("if a; then b; elif c; then d; else e; fi", ["a", "b", "c", "d", "e"]),
    ("while a; do b; done; until c; do d; done", ["a", "b", "c", "d"]),
    ("for x in 1 2; do claude $x; done", ["claude"]),
    ("for ((i=0; i<3; i++)); do claude; done", ["claude"]),
    ("select v in a b; do claude; done", ["claude"]),
    ("case $x in a) b;; c|d) e ;& *) f;; esac", ["b", "e", "f"]),
    ("case $(claude) in x) codex;; esac", ["claude", "codex"]),
    ("{ a; b; } > /dev/null 2>&1", ["a", "b"]),
    ("( cd /app && claude )", ["cd", "claude"]),
    ("claude &", ["claude"]),
    # --- substitutions ---------------------------------------------------------------------
    ("echo $(claude --version)", ["echo", "claude"]),
    ("echo `claude`", ["echo", "claude"]),
    ('echo "version: $(claude -v) `codex -v`"', ["echo", "claude", "codex"]),
    ("x=$(claude)", ["claude"]),
    ("A=$(a) B=`b`", ["a", "b"]),
    ("arr=(claude $(codex))", ["codex"]),
    ("echo > $(claude)", ["echo", "claude"]),
    ("echo $((1 + $(claude)))", ["echo", "claude"]),
    ("[[ -x $(claude) ]]", ["claude"]),
    ("(( $(claude) > 1 ))", ["claude"]),
    ("for f in $(claude ls); do :; done", ["claude", ":"]),
    ("diff <(claude) <(codex)", ["diff", "claude", "codex"]),
    ("tee >(claude) < /dev/null", ["tee", "claude"]),
    ("while read -r l; do :; done < <(claude)", ["read", ":", "claude"]),
    ("echo $(echo $(echo $(claude)))", ["echo", "echo", "echo", "claude"]),
    ('git commit -m "$(claude -p msg)"', ["git", "claude"]),
    # --- builtins and declarations ---------------------------------------------------------
    ("export X=$(claude) Y", ["export", "claude"]),
    ("local -r Z=`claude`", ["local", "claude"]),
    ("declare -a x=($(claude)); readonly W; unset Q", ["declare", "claude", "readonly", "unset"]),
    ("[ -f x ] && test -x y", ["test"]),
    # --- command words: paths and quoting --------------------------------------------------
    ("/usr/local/bin/claude --version", ["claude"]),
    ("./claude; ../bin/claude; ./node_modules/.bin/claude", ["claude", "claude", "claude"]),
    ("\"claude\" x; 'claude'; c\"laude\"; \\claude; $'claude'", ["claude"] * 5),
    ("$CMD x; ${CMD} y", [None, None]),
    ('$HOME/.local/bin/claude; "${NPM_PREFIX}/bin/claude" --x', ["claude", "claude"]),
    ("$(npm bin -g)/claude", ["claude", "npm"]),
    ("$PREFIX/bin/bash -c 'claude'", ["bash", "claude"]),
    ('./$X; $DIR/; "$A"/"$B"', [None, None, None]),
    ('"$(which claude)" --version', [None, "which"]),
    ("sudo \\\n  claude", ["sudo", "claude"]),
    # --- wrappers --------------------------------------------------------------------------
    ("sudo claude", ["sudo", "claude"]),
    ("sudo -u node -E -H -- claude", ["sudo", "claude"]),
    ("sudo --user=node claude; sudo -unode claude; sudo -Eu node claude", ["sudo", "claude"] * 3),
    ('sudo -u "$USER" claude', ["sudo", "claude"]),
    ("sudo PATH=$PATH:/opt/bin claude", ["sudo", "claude"]),
    ("sudo -l claude; sudo -v; sudo -e /etc/hosts", ["sudo", "sudo", "sudo"]),
    ("doas -u node claude", ["doas", "claude"]),
    ("env claude", ["env", "claude"]),
    ('env -i -u HOME PATH=/bin FOO="$X" claude', ["env", "claude"]),
    ('env PATH="$HOME/bin:$PATH" claude', ["env", "claude"]),
    ("env --unset=HOME -C /tmp - claude", ["env", "claude"]),
    ("env -S 'claude --x'", ["env", "claude"]),
    ("FOO=1 BAR=2 claude", ["claude"]),
    ("FOO=$(a) claude", ["a", "claude"]),
    ("command claude; command -p claude; command -- claude", ["command", "claude"] * 3),
    ("exec claude", ["exec", "claude"]),
    ("exec -a name claude", ["exec", "claude"]),
    ("exec 3>&1", ["exec"]),
    ('exec "$@"', ["exec", None]),
    ("nice claude; nice -n 10 claude; nice -5 claude", ["nice", "claude"] * 3),
    ("nohup claude > log 2>&1 &", ["nohup", "claude"]),
    ("timeout 10 claude; timeout -s KILL -k 5 1m claude", ["timeout", "claude"] * 2),
    ("timeout --signal=TERM 5 claude", ["timeout", "claude"]),
    ("xargs claude; xargs -0 -n1 -I{} claude {}", ["xargs", "claude"] * 2),
    ("find . -print0 | xargs -0 -r -P 4 claude", ["find", "xargs", "claude"]),
    ("time claude; time -p claude", ["time", "claude"] * 2),
    ("stdbuf -oL claude; stdbuf --output=L claude", ["stdbuf", "claude"] * 2),
    ("chroot /mnt claude; chroot --userspec=1:1 /mnt claude", ["chroot", "claude"] * 2),
    ("setsid -f claude", ["setsid", "claude"]),
    ("ionice -c3 claude; taskset -c 0 claude", ["ionice", "claude", "taskset", "claude"]),
    ("flock /tmp/lock claude", ["flock", "claude"]),
    ("flock -n /tmp/lock -c 'claude x'", ["flock", "claude"]),
    ("gosu node claude; su-exec node claude", ["gosu", "claude", "su-exec", "claude"]),
    ("setpriv --reuid=1000 --init-groups claude", ["setpriv", "claude"]),
    ("tini -- claude; dumb-init claude", ["tini", "claude", "dumb-init", "claude"]),
    ("coproc claude", ["coproc", "claude"]),
    ("busybox wget x", ["busybox", "wget"]),
    ("sudo -E env PATH=$PATH nice -n5 claude", ["sudo", "env", "nice", "claude"]),
    ("find . -exec claude {} \\; -exec rm {} +", ["find", "claude", "rm"]),
    ("eval claude; eval 'claude --x'", ["eval", "claude", "eval", "claude"]),
    ('eval "$(claude completion)"', ["eval", None, "claude"]),
    ("trap 'claude --cleanup' EXIT", ["trap", "claude"]),
    ("su -c 'claude' node; su - node -c \"claude x\"", ["su", "claude", "su", "claude"]),
    ("su --command='claude' root", ["su", "claude"]),
    ("runuser -u node -- claude; runuser -l node -c 'claude'", ["runuser", "claude"] * 2),
    ("script -qc 'claude' /dev/null", ["script", "claude"]),
    # --- shells given a script string ------------------------------------------------------
    ("sh -c 'claude'", ["sh", "claude"]),
    ('bash -lc "claude"', ["bash", "claude"]),
    ("/bin/sh -ec 'a; b'", ["sh", "a", "b"]),
    (
        "dash -c claude; zsh -c claude; busybox sh -c claude",
        ["dash", "claude", "zsh", "claude", "busybox", "sh", "claude"],
    ),
    ("bash -o pipefail -c 'claude'", ["bash", "claude"]),
    ("bash --norc -O extglob -xc 'claude' name arg", ["bash", "claude"]),
    ("bash -c -- 'claude'", ["bash", "claude"]),
    ("sh -c 'sh -c \"claude\"'", ["sh", "sh", "claude"]),
    ('bash -c "cd /app && \\"claude\\" --version"', ["bash", "cd", "claude"]),
    ("bash -c $'claude\\tx'", ["bash", "claude"]),
    ("bash -c 'echo \"$1\"' _ claude", ["bash", "echo"]),
    ('sh -c "$(curl -fsSL https://example.com/x.sh)"', ["sh", None, "curl"]),
    ("sudo -u x bash -c 'cd /app && claude --version'", ["sudo", "bash", "cd", "claude"]),
    ("find . -exec sh -c 'claude \"$1\"' _ {} \\;", ["find", "sh", "claude"]),
    ("nohup sh -c 'claude' > log 2>&1 &", ["nohup", "sh", "claude"]),
    ("bash -c", ["bash"]),
    ("bash install.sh; sh -e ./x.sh", ["bash", "sh"]),
    # --- heredocs and here-strings ---------------------------------------------------------
    ("bash <<EOF\nclaude\nEOF\n", ["bash", "claude"]),
    ("sh <<'X'\nclaude --x\nX\n", ["sh", "claude"]),
    ('bash <<"EOF"\nclaude\nEOF\n', ["bash", "claude"]),
    ("bash <<-EOF\n\tclaude\n\tEOF\n", ["bash", "claude"]),
    ("bash -s <<EOF\nclaude\nEOF\n", ["bash", "claude"]),
    ("sh -s -- arg <<EOF\nclaude\nEOF\n", ["sh", "claude"]),
    ("sudo -u node bash <<EOF\nclaude\nEOF\n", ["sudo", "bash", "claude"]),
    ("a && bash <<EOF\nclaude\nEOF\n", ["a", "bash", "claude"]),
    ("bash <<EOF | tee log\nclaude\nEOF\n", ["bash", "tee", "claude"]),
    ("bash <<EOF\necho $(date) && claude\nEOF\n", ["bash", "echo", "date", "claude"]),
    ("cat <<EOF | sh\nclaude\nEOF\n", ["cat", "sh", "claude"]),
    ("cat <<EOF | sudo bash\nclaude\nEOF\n", ["cat", "sudo", "bash", "claude"]),
    ("cat <<EOF 2>&1 | sh\nclaude\nEOF\n", ["cat", "sh", "claude"]),
    ("bash <<< 'claude'", ["bash", "claude"]),
    ('sh <<< "claude; codex"', ["sh", "claude", "codex"]),
    ('sh <<< "$SCRIPT"', ["sh", None]),
    ('read -r x <<< "$(claude)"', ["read", "claude"]),
    # heredocs fed to anything else are data
    ("cat <<EOF\nclaude\nEOF\n", ["cat"]),
    ("cat <<'EOF' > /etc/profile.d/x.sh\nclaude --x\nEOF\n", ["cat"]),
    ("tee /etc/x <<EOF\nclaude\nEOF\n", ["tee"]),
    ('python3 <<EOF\nimport os; os.system("claude")\nEOF\n', ["python3"]),
    ("cat <<EOF | sudo tee /etc/x\nclaude\nEOF\n", ["cat", "sudo", "tee"]),
    ("cat file <<EOF | sh\nclaude\nEOF\n", ["cat", "sh"]),
    ("xargs sh <<EOF\nclaude\nEOF\n", ["xargs", "sh"]),
    ("while read -r l; do :; done <<EOF\nclaude\nEOF\n", ["read", ":"]),
    ("cat <<EOF > f; bash f\nclaude\nEOF\nls\n", ["cat", "bash", "ls"]),
    # ... but an unquoted heredoc's substitutions run
    ("cat <<EOF\n$(claude --version)\nEOF\n", ["cat", "claude"]),
    ("cat <<'EOF'\n$(claude --version)\nEOF\n", ["cat"]),
    # --- function definitions: bodies run only when called ---------------------------------
    ("f() { claude; }", []),
    ("f() { claude; }; f", ["claude", "f"]),
    ("function f { claude; }\nsudo f", ["claude", "sudo", "f"]),
    ("f() { g; }\ng() { claude; }\nf", ["g", "claude", "f"]),
    ("f() { g; }\ng() { claude; }", []),
    ("f() { f; claude; }", []),
    ("cleanup() { claude; }\ntrap cleanup EXIT", ["claude", "trap", "cleanup"]),
    ("outer() { inner() { claude; }; }\ninner", ["inner"]),
    ("outer() { inner() { claude; }; }\nouter; inner", ["claude", "outer", "inner"]),
    ("claude() { :; }", []),
    # --- not commands ----------------------------------------------------------------------
    ("echo claude", ["echo"]),
    ("useradd claude", ["useradd"]),
    ("npm i -g claude-helpers @anthropic-ai/claude-code", ["npm"]),
    ("ls ~/.claude; cat ~/.claude/settings.json | jq .", ["ls", "cat", "jq"]),
    ("# claude --version", []),
    ("echo hi # claude", ["echo"]),
    ("X=claude", []),
    ("CLAUDE_HOME=/opt/claude", []),
    ("printf '%s\\n' 'claude --version'", ["printf"]),
    ("python3 -c 'import claude; claude.run()'", ["python3"]),
    ("grep -r claude /etc", ["grep"]),
    ("alias c=claude", ["alias"]),
    ("command -v claude; command -V claude", ["command", "command"]),
    ("which claude; type claude; hash claude", ["which", "type", "hash"]),
    ("curl -fsSL https://claude.ai/install.sh | bash", ["curl", "bash"]),
    ("echo 'claude' | sh", ["echo", "sh"]),
    ("ionice -p 1 claude", ["ionice"]),
    ("chroot /mnt", ["chroot"]),
    ("", []),
    ("   \n\t\n", []),
]


@pytest.mark.parametrize(("script", "expected"), NAMES)
def test_names(script: str, expected: list[str | None]) -> None:
    assert names(script) == expected


# (script, index into the result, name, argv, wrappers, text of the script at start:end)
DETAILS: list[tuple[str, int, str | None, tuple[str, ...], tuple[str, ...], str]] = [
    ("claude --version", 0, "claude", ("--version",), (), "claude"),
    (
        "sudo -u node env A=b /usr/bin/claude --x 'q r' \"s $HOME\" $'t\\n'",
        2,
        "claude",
        ("--x", "q r", '"s $HOME"', "t\n"),
        ("sudo", "env"),
        "/usr/bin/claude",
    ),
    ("sudo -u node claude", 0, "sudo", ("-u", "node", "claude"), (), "sudo"),
    ("echo é; claude -x", 1, "claude", ("-x",), (), "claude"),
    ("echo '😀 ü'; claude", 1, "claude", (), (), "claude"),
    ('x="$(claude)"', 0, "claude", (), (), "claude"),
    ("$'claude' x", 0, "claude", ("x",), (), "$'claude'"),
    ('c"lau"de', 0, "claude", (), (), 'c"lau"de'),
    ("bash -c 'cd /x && claude -p hi'", 2, "claude", ("-p", "hi"), ("bash -c",), "claude"),
    ("sudo bash -c 'claude'", 2, "claude", (), ("sudo", "bash -c"), "claude"),
    ("bash -c 'sudo claude'", 2, "claude", (), ("bash -c", "sudo"), "claude"),
    ("sh -c 'sh -c \"claude\"'", 2, "claude", (), ("sh -c", "sh -c"), "claude"),
    # double-quoted script: exact where the text is copied verbatim ...
    ('bash -c "echo \\"hi\\"; claude $X"', 2, "claude", ("$X",), ("bash -c",), "claude"),
    # ... and a decoded escape maps to its whole source range
    ('bash -c "\\"claude\\" x"', 1, "claude", ("x",), ("bash -c",), '\\"claude\\"'),
    ("bash -c $'claude\\tx'", 1, "claude", ("x",), ("bash -c",), "claude"),
    ("eval 'claude --x'", 1, "claude", ("--x",), ("eval",), "claude"),
    ("eval claude x", 1, "claude", ("x",), ("eval",), "claude"),
    ("su -c 'claude' node", 1, "claude", (), ("su -c",), "claude"),
    ("env -S 'claude --x'", 1, "claude", ("--x",), ("env -S",), "claude"),
    ("env --split-string='claude -y'", 1, "claude", ("-y",), ("env -S",), "claude"),
    ("trap 'claude' EXIT", 1, "claude", (), ("trap",), "claude"),
    ("find . -exec claude {} \\; -print", 1, "claude", ("{}",), ("find",), "claude"),
    ("xargs -I{} claude {}", 1, "claude", ("{}",), ("xargs",), "claude"),
    ("busybox sh -c 'claude'", 2, "claude", (), ("busybox", "sh -c"), "claude"),
    ("bash <<EOF\nclaude x\nEOF\n", 1, "claude", ("x",), ("bash <<",), "claude"),
    ("bash <<-'EOF'\n\tclaude\n\tEOF\n", 1, "claude", (), ("bash <<",), "claude"),
    ("sh <<< 'claude'", 1, "claude", (), ("sh <<<",), "claude"),
    ("cat <<EOF | sh\nclaude\nEOF\n", 2, "claude", (), ("sh <<",), "claude"),
    ("bash <<EOF\necho \\$(a) $(b)\nEOF\n", 2, "a", (), ("bash <<",), "a"),
    ("bash <<EOF\necho \\$(a) $(b)\nEOF\n", 3, "b", (), (), "b"),
    ("$CMD --x", 0, None, ("--x",), (), "$CMD"),
    ('"$HOME/bin/claude" -p x', 0, "claude", ("-p", "x"), (), '"$HOME/bin/claude"'),
    ('sh -c "$(curl x)"', 1, None, (), ("sh -c",), "$(curl x)"),
    ("declare -x A=1", 0, "declare", ("-x", "A=1"), (), "declare"),
    ('bash -c "echo $HOME"', 1, "echo", ("$HOME",), ("bash -c",), "echo"),
]


@pytest.mark.parametrize(("script", "index", "name", "argv", "wrappers", "text"), DETAILS)
def test_details(
    script: str,
    index: int,
    name: str | None,
    argv: tuple[str, ...],
    wrappers: tuple[str, ...],
    text: str,
) -> None:
    use = find_commands(script)[index]
    assert (use.name, use.argv, use.wrappers) == (name, argv, wrappers)
    assert script[use.start : use.end] == text


# (script, index of the command, the text each argv word comes from)
ARGV_SPANS = [
    ("chown -R dev:dev /x", 0, ["-R", "dev:dev", "/x"]),
    ("sudo -u dev 'chown' \"dev\" /x", 1, ['"dev"', "/x"]),
    ("bash -c 'chown dev /x'", 1, ["dev", "/x"]),
    ('su dev -c "gosu dev true"', 1, ["dev", "true"]),
    ("chown \\\n  dev /x", 0, ["dev", "/x"]),
    ("declare -x A=1", 0, []),  # builtins keep no argument spans
]


@pytest.mark.parametrize(("script", "index", "words"), ARGV_SPANS)
def test_argv_spans_point_at_the_words(script: str, index: int, words: list[str]) -> None:
    use = find_commands(script)[index]
    assert [script[start:end] for start, end in use.argv_spans] == words


def test_command_use_is_frozen_and_comparable() -> None:
    use = find_commands("claude")[0]
    assert use == CommandUse("claude", (), 0, 6, ())
    with pytest.raises(AttributeError):
        use.name = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("sh", True),
        ("bash", True),
        ("/bin/dash", True),
        ("/usr/bin/zsh", True),
        ("ash", True),
        ("mksh", True),
        ("python3", False),
        ("claude", False),
        ("busybox", False),
        ("", False),
    ],
)
def test_is_shell(name: str, expected: bool) -> None:
    assert is_shell(name) is expected


def test_custom_shells() -> None:
    script = "fish -c 'claude'; bash -c 'codex'"
    assert names(script) == ["fish", "bash", "codex"]
    assert names_with(script, frozenset({"fish"})) == ["fish", "claude", "bash"]
    assert "bash" in POSIX_SHELLS and "fish" not in POSIX_SHELLS


def names_with(script: str, shells: frozenset[str]) -> list[str | None]:
    return [use.name for use in find_commands(script, shells=shells)]


# --- robustness --------------------------------------------------------------------------------


def assert_sane(script: str) -> tuple[CommandUse, ...]:
    uses = find_commands(script)
    for use in uses:
        assert 0 <= use.start <= use.end <= len(script)
    assert [use.start for use in uses] == sorted(use.start for use in uses)
    return uses


@pytest.mark.parametrize(
    "script",
    [
        "echo 'unterminated",
        'echo "unterminated $(claude',
        "claude $(",
        "if then fi done esac ;; && || |",
        "cat <<EOF\nno end",
        "bash <<EOF\nclaude",
        "f() {",
        "$(((((",
        "\x00\x01\x02 claude \x00",
        "\udcff\udcfe claude",  # lone surrogates, as from surrogateescape-decoded bytes
        "}{)(][;&|<>`'\"\\",
        "cat <<A <<B\na\nA\nb\nB\n",
        "echo \\",
    ],
)
def test_malformed_input_returns(script: str) -> None:
    assert_sane(script)


def test_astral_characters_are_not_handed_to_tree_sitter() -> None:
    # tree-sitter-bash 0.25 can segfault on "{" followed by a character outside the BMP
    # (tree-sitter/tree-sitter-bash#337): such characters are parsed as U+FFFD.
    data = Source("{\U00031860 😀 \udcff é", OffsetMap()).data
    assert max(data) < 0xF0
    assert data.decode() == "{\ufffd \ufffd ? é"


def test_astral_characters_do_not_crash_the_parser() -> None:
    # The crash depends on memory layout, so it is provoked in a few child processes.
    code = (
        "from aishellc.shell import find_commands\n"
        "for cp in range(0x10000, 0x110000, 0x101):\n"
        "    find_commands('{' + chr(cp))\n"
        "    find_commands('x {' + chr(cp) + ' y')\n"
    )
    root = Path(__file__).resolve().parents[2]
    for _ in range(4):
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, check=False, cwd=root
        )
        assert result.returncode == 0, result.stderr.decode(errors="replace")


def test_astral_characters_are_kept() -> None:
    script = "echo '😀 {𱡀}'; claude 😀"
    uses = find_commands(script)
    assert [(use.name, use.argv) for use in uses] == [("echo", ("😀 {𱡀}",)), ("claude", ("😀",))]
    assert script[uses[1].start : uses[1].end] == "claude"


def test_recognised_commands_survive_errors() -> None:
    assert "claude" in names("echo 'a' ; claude --x ; if then (")
    assert names('claude; echo "unterminated') == ["claude", "echo"]


def test_binary_garbage() -> None:
    rng = random.Random(1234)
    data = bytes(rng.randrange(256) for _ in range(100_000))
    assert_sane(data.decode("utf-8", "surrogateescape"))
    assert_sane(data.decode("latin-1"))


def test_deeply_nested_substitutions() -> None:
    depth = 2000
    script = "echo " + "$(echo " * depth + "$(claude)" + ")" * depth
    uses = assert_sane(script)
    assert len(uses) == depth + 2
    assert uses[-1].name == "claude"
    assert script[uses[-1].start : uses[-1].end] == "claude"


def test_deep_nesting_keeps_what_is_kept_linear() -> None:
    # Regression (scaling benchmark): a command kept each word only known at run time as
    # written, so every level of `echo $(echo $(...))` copied the text of all the levels
    # inside it; 87,000 levels (a 1 MB RUN) needed tens of GB. Such words keep their first
    # 256 characters and "…".
    depth = 20_000
    script = "echo " + "$(echo " * depth + "claude" + ")" * depth
    uses = find_commands(script)
    assert len(uses) == depth + 1
    assert sum(len(word) for use in uses for word in use.argv) <= 257 * len(uses)
    outer = uses[0].argv[0]
    assert outer == script[5 : 5 + 256] + "…"
    assert uses[-1].argv == ("claude",)


def test_deeply_nested_shell_strings_through_substitutions() -> None:
    depth = 200
    script = 'bash -c "$(' * depth + "claude" + ')"' * depth
    uses = assert_sane(script)
    assert uses[-1].name == "claude"
    assert len([use for use in uses if use.name == "bash"]) == depth


def test_nested_quoting_is_bounded() -> None:
    script = "claude"
    levels = 0
    while len(script) < 200_000:
        script = "sh -c " + "'" + script.replace("'", "'\\''") + "'"
        levels += 1
    assert levels < 200  # quoting grows geometrically: 200 real levels cannot be written
    uses = assert_sane(script)
    assert len(uses) <= MAX_SCRIPT_DEPTH + 1
    assert all(use.name in ("sh", "claude") for use in uses)


def test_nested_script_depth_limit() -> None:
    # Heredocs nest without quoting growth, so the depth limit is what stops them.
    script = "claude"
    for level in range(200):
        script = f"bash <<E{level}\n{script}\nE{level}"
    uses = assert_sane(script)
    assert len(uses) == MAX_SCRIPT_DEPTH + 1
    assert all(use.name == "bash" for use in uses)
    assert len(uses[-1].wrappers) == MAX_SCRIPT_DEPTH


def test_huge_script() -> None:
    line = "apt-get update && sudo -E bash -c 'claude --version' | tee log  # c\n"
    script = line * (1_000_000 // len(line))
    uses = assert_sane(script)
    assert len(uses) == 5 * script.count("\n")
    last = uses[-1]
    assert last.name == "tee" and script[last.start : last.end] == "tee"


def test_ten_megabytes() -> None:
    script = ("# " + "x" * 1000 + "\n") * 5_000 + "y" * 5_000_000 + "\nclaude\n"
    uses = assert_sane(script)
    assert [use.name for use in uses] == ["y" * 5_000_000, "claude"]
    assert script[uses[-1].start : uses[-1].end] == "claude"


def test_many_heredocs_on_broken_lines() -> None:
    # tree-sitter-bash loses track after ~90 of these in one parse; see aishellc.shell._units.
    script = "cat <<EOF > f; bash f\nclaude\nEOF\n" * 1000
    assert names(script) == ["cat", "bash"] * 1000


def test_many_double_heredocs() -> None:
    script = "cat <<A <<B\na\nA\nb\nB\n" * 3000
    assert_sane(script)


CHUNKED = """\
#!/bin/sh
set -eux
f() {
  claude --version
  if [ -n "$X" ]; then
    sudo -u node \\
      npm i -g @anthropic-ai/claude-code
  fi
}
cat <<'EOF' > /etc/motd
hello
  claude
EOF
bash <<EOF
echo $(date)
codex
EOF
case "$1" in
  a) gemini ;;
  *) opencode ;;
esac
for i in 1 2 3; do
  echo "multi
line $(pi) string"
done
echo 'multi
line raw'
x=$(
  cat /x |
  grep y
)
apt-get update && \\
  apt-get install -y \\
    curl
f
sh -c '
  echo a
  claude
'
cat <<EOF > f; bash f
data
EOF
while read -r l; do
  echo "$l"
done <<< "abc"
g() {
  case $x in
    a)
      while x; do
        claude
      done
      ;;
  esac
}
{
  echo grouped
} > /dev/null
(
  cd /tmp && make
)
"""


@pytest.mark.parametrize("unit", [1, 2, 7, 32, 100, 1000])
def test_parsing_in_units_matches_one_parse(monkeypatch: pytest.MonkeyPatch, unit: int) -> None:
    whole = find_commands(CHUNKED)
    assert [use.name for use in whole][:4] == ["set", "claude", "sudo", "npm"]
    monkeypatch.setattr(_units, "_UNIT", unit)
    assert find_commands(CHUNKED) == whole


SHELL_WORDS = st.sampled_from(
    [
        "claude",
        "sudo",
        "-u",
        "env",
        "A=b",
        "bash",
        "-c",
        "sh",
        "'claude x'",
        '"$(claude)"',
        "`codex`",
        "$X",
        "<<EOF",
        "<<'EOF'",
        "EOF",
        "<<<",
        "|",
        "&&",
        ";",
        "\n",
        "(",
        ")",
        "{",
        "}",
        "if",
        "then",
        "fi",
        "f()",
        "eval",
        "xargs",
        "find",
        "-exec",
        "\\;",
        "$'\\x41'",
        "\\",
        "'",
        '"',
        "#",
        "é",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(SHELL_WORDS, max_size=40).map(" ".join))
def test_shell_soup_never_raises(script: str) -> None:
    assert_sane(script)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_never_raises(script: str) -> None:
    assert_sane(script)
