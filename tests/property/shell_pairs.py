"""Pairs of RUN instructions for the bash-differential test of the semantic hash.

A *template* is a RUN line of shell fragments in which every run of blanks is a slot
(:data:`SLOT`): between words, inside quotes, inside ``${...}`` words, after escapes, in
arithmetic, array keys, ``[[ =~ ]]`` regexes, comments and heredoc bodies. A Dockerfile is
the template with each slot filled: a blank run, or (on the RUN line) a line continuation
with indentation and sometimes a comment line inside it. A pair is two fillings of one
template, the second changing one to three slots (and sometimes the keyword's case); only
pairs whose semantic forms are equal and whose scripts differ say anything, and
:func:`run_pair` runs both under a shell (:data:`SHELLS`) and returns what each did.

Every fragment is valid bash on its own and leaves what it computed visible: printed with
``printf '<%s>'`` (word boundaries shown) or written to a file. Draws go through a
:class:`Chooser`, so hypothesis and a seeded ``random.Random`` drive the same generator.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, TypeVar

import attrs

from aishellc import ast
from aishellc.compiler.hashing import semantic_form
from aishellc.parser import parse
from aishellc.passes.run_scripts import ScriptReader

T = TypeVar("T")


class Chooser(Protocol):
    """Picks one of ``options``: ``random.Random.choice``, or a hypothesis draw."""

    def __call__(self, options: Sequence[T], /) -> T: ...


SLOT = "\x00"
_ = SLOT

SHELLS = ("/bin/sh", shutil.which("bash") or "/bin/bash")
"""What runs each script: ``/bin/sh``, as BuildKit runs a RUN (dash on Debian, which knows
no arrays, ``[[`` or ``$'...'``: it fails differently, and must fail alike for both
scripts), and bash, which runs every fragment."""
ENVIRONMENT = {"PATH": "/usr/bin:/bin", "LC_ALL": "C", "v": "ab", "w": "a  b"}
"""The fixed environment (plus HOME, the scratch folder): ``u`` is unset, ``w`` holds two
blanks."""
TIMEOUT = 10.0

# Words: each is printed by printf '<%s>', so how the shell split it shows.
WORDS = [
    "a",
    "-n",
    "x.y",
    f"'a{_}b'",
    f'"a{_}b"',
    f'"a{_}$v{_}b"',
    f"$'a\\'{_}b'",
    f"$'t\\t{_}x'",
    f"a\\{_}b",
    f"\\{_}\\{_}x",
    f"${{u:-a{_}b}}",
    f'"${{u:-a{_}b}}"',
    f"${{v:+p{_}q}}",
    f'"${{v/a/x{_}y}}"',
    f"${{u:-{{a{_}b}}}}",
    f'"${{u:-"q{_}r"}}"',
    f"${{u:-'s{_}t'}}",
    f'"${{w#a{_}}}"',
    f"${{w%{_}b}}",
    "${w}",
    '"${w}"',
    "${#w}",
    f"$(({_}1{_}+{_}2{_}))",
    f"\"$(printf{_}'%s|'{_}a{_}b)\"",
    f"$(echo{_}a{_}b)",
    f"`echo{_}a{_}b`",
    f'"$(echo{_}"a{_}b")"',
    f'$(case{_}x{_}in{_}x){_}echo{_}"k{_}l";;{_}esac)',
    f'"`echo{_}a{_}b`"',
]
# Statements: assignments, files, arrays, tests, functions, here-strings.
STATEMENTS = [
    f'x=${{u:-a{_}b}};{_}printf{_}"<%s>"{_}"$x"',
    f'x="${{u:-a{_}b}}"{_}y=$w;{_}printf{_}"<%s>"{_}"$x$y"',
    f'printf{_}"%s"{_}"${{u:-a{_}b}}"{_}>{_}f1',
    f'y=${{w%{_}b}}${{v:+p{_}q}};{_}printf{_}"<%s>"{_}"$y"',
    f'y=${{u:-{{a{_}b}}}}"${{u:-"q{_}r"}}";{_}printf{_}"<%s>"{_}"$y"',
    f'export{_}z=${{u:-c{_}d}};{_}printf{_}"<%s>"{_}"$z"',
    f"y=$'a\\'{_}b';{_}printf{_}'<%s>'{_}\"$y\"",
    f'echo{_}"a{_}b"{_}>{_}"f{_}2"',
    f'declare{_}-A{_}m;{_}m[k{_}1]=v;{_}printf{_}"<%s>"{_}"${{!m[@]}}"',
    f"arr=(a{_}'b{_}c'{_}d);{_}printf{_}'<%s>'{_}\"${{arr[@]}}\"",
    f'[[{_}"a{_}b"{_}=~{_}(a{_}b){_}]]{_}&&{_}echo{_}y{_}||{_}echo{_}n',
    f'[[{_}"$w"{_}=={_}"a{_}b"{_}]]{_}&&{_}echo{_}y{_}||{_}echo{_}n',
    f'cat{_}<<<{_}"h{_}i"{_}>{_}f3',
    f"cat{_}<<<{_}h\\{_}i",
    f'f(){_}{{{_}printf{_}\'<%s>\'{_}"$@";{_}}};{_}f{_}a{_}"b{_}c"',
    f"(({_}i{_}={_}2{_}+{_}3{_}));{_}echo{_}$i",
    f'case{_}$v{_}in{_}a*){_}echo{_}"c{_}1";;{_}*){_}echo{_}c2;;{_}esac',
    f"echo{_}$'x\\'{_}{_}y'{_}>{_}f4",
    f"printf{_}'%s\\n'{_}a{_}b{_}|{_}cat{_}>{_}f5",
    f'set{_}--{_}a{_}"b{_}c";{_}printf{_}"<%s>"{_}"$*"{_}$#',
    f"(echo{_}a{_}b){_}>{_}f6",
    f'{{{_}echo{_}"$v{_}";{_}}}{_}>>{_}f6',
]
# No slot just before "#": a continuation there would start a line with "#", which
# BuildKit drops as a Dockerfile comment (and "esac c d" is a syntax error).
COMMENTS = [f" #{_}c{_}d", f";{_}echo{_}z #{_}'q{_}r'"]
JOINERS = [f";{_}", f"{_}&&{_}", f"{_};{_}"]
HEREDOC_BODIES = [f"a{_}b\n$v{_}${{w}}\n", f"x{_}=\n{_}indented\n"]

BLANKS = [" ", "  ", "\t", " \t", "   "]
CONTINUATIONS = [" \\\n", " \\\n  ", " \\\n\t", " \\\n# note\n  ", " \\\n\n    "]


@attrs.frozen
class Template:
    """A RUN line with slots, and maybe a heredoc body with slots."""

    line: str
    heredoc: str | None

    @property
    def slots(self) -> int:
        return self.line.count(SLOT) + (self.heredoc or "").count(SLOT)


def template(choose: Chooser) -> Template:
    """Two to five commands joined by ``;``/``&&``, then maybe a comment, or first a
    heredoc that ``cat`` writes to a file."""
    heredoc = choose((None, None, None, *HEREDOC_BODIES))
    words, statements = WORDS, STATEMENTS
    if heredoc is not None:
        words, statements = _buildkit_words(WORDS), _buildkit_words(STATEMENTS)
    commands = []
    for _index in range(choose(range(2, 6))):
        if choose((True, False)):
            printed = [choose(words) for _word in range(choose(range(1, 4)))]
            commands.append(f"printf{_}'<%s>'{_}" + _.join(printed) + ";echo")
        else:
            commands.append(choose(statements))
    if heredoc is not None:
        # first: BuildKit finds "<<EOF" with its own quoting rules, which know no $'...'
        commands.insert(0, f"cat{_}<<EOF{_}>{_}hd")
    line = commands[0]
    for command in commands[1:]:
        line += choose(JOINERS) + command
    if heredoc is None and choose((True, False, False)):
        line += choose(COMMENTS)
    return Template(line, heredoc)


def _buildkit_words(fragments: Sequence[str]) -> list[str]:
    """The fragments BuildKit's word lexer can read: it finds a line's heredocs only
    when it can (``${a[@]}``, ``${#w}``, ``${!m[@]}`` are bash's alone, and it takes
    ``$'a\\'b'`` for an unterminated quote)."""
    bash_only = ("[@]", "${#", "${!", "$'")
    return [text for text in fragments if not any(bad in text for bad in bash_only)]


def fill(template: Template, fillings: Sequence[str], keyword: str = "RUN") -> str:
    """The Dockerfile: ``FROM`` and the RUN with slot ``i`` replaced by ``fillings[i]``."""
    parts = iter(fillings)
    line = "".join(piece + next(parts, "") for piece in template.line.split(SLOT))
    text = f"FROM aishell:base\n{keyword} {line}\n"
    if template.heredoc is not None:
        body = "".join(piece + next(parts, "") for piece in template.heredoc.split(SLOT))
        text += body + "EOF\n"
    return text


def fillings(template: Template, choose: Chooser) -> list[str]:
    on_line = template.line.count(SLOT)
    return [
        choose(BLANKS + CONTINUATIONS if index < on_line else BLANKS)
        for index in range(template.slots)
    ]


def variant(template: Template, first: Sequence[str], choose: Chooser) -> list[str]:
    """``first`` with one to three slots filled differently."""
    second = list(first)
    on_line = template.line.count(SLOT)
    for _change in range(choose((1, 1, 2, 3))):
        index = choose(range(template.slots))
        options = BLANKS + CONTINUATIONS if index < on_line else BLANKS
        second[index] = choose([option for option in options if option != first[index]])
    return second


@attrs.frozen
class Pair:
    """Two Dockerfiles of one template."""

    first: str
    second: str

    @staticmethod
    def draw(choose: Chooser, variants: int = 1) -> list[Pair]:
        """``variants`` pairs of one template: its first filling and a variant each."""
        shape = template(choose)
        one = fillings(shape, choose)
        first = fill(shape, one)
        pairs = []
        for _index in range(variants):
            keyword = choose(("RUN", "RUN", "run", "Run"))
            pairs.append(Pair(first, fill(shape, variant(shape, one, choose), keyword)))
        return pairs


@attrs.frozen
class Reading:
    """What aishellc makes of one Dockerfile of a pair."""

    form: object
    script: str


def read(dockerfile: str) -> Reading:
    document = parse(dockerfile, "Dockerfile")
    run = next(node for node in document.instructions if isinstance(node, ast.Run))
    script = ScriptReader(document).script(run)
    assert script is not None
    return Reading(semantic_form(document), script.text)


@attrs.frozen
class Outcome:
    """What a script did: exit code, output, and every file it left (name → bytes)."""

    code: int
    out: bytes
    err: bytes
    files: dict[str, bytes]


def run_shell(shell: str, script: str, folder: Path) -> Outcome:
    """Run ``script`` as BuildKit runs a shell-form RUN (``SHELL -c``) in an empty
    ``folder`` with a fixed environment; the folder is emptied again afterwards."""
    folder.mkdir(exist_ok=True)
    result = subprocess.run(
        [shell, "-c", script],
        cwd=folder,
        env={**ENVIRONMENT, "HOME": str(folder)},
        capture_output=True,
        timeout=TIMEOUT,
        umask=0o022,
        check=False,
    )
    files = {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
    shutil.rmtree(folder)
    return Outcome(result.returncode, result.stdout, result.stderr, files)


def run_pair(shell: str, first: str, second: str) -> tuple[Outcome, Outcome]:
    """Both scripts under ``shell``, one after the other, in the same scratch folder (so
    a path that reaches the output is the same path)."""
    with tempfile.TemporaryDirectory(prefix="aishellc-blanks-") as scratch:
        folder = Path(scratch) / "run"
        return run_shell(shell, first, folder), run_shell(shell, second, folder)
