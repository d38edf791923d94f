"""Commands that run other commands: their option syntax, and where the wrapped command starts.

Everything here works on the literal values of a command's words (``None`` for a word that is
only known at run time), so it is independent of tree-sitter. :func:`wrapped` answers, for a
wrapper at ``words[index]``, what it runs:

* :class:`RunWords` -- ``words[index:end]`` are a command (``sudo -u x claude`` -> ``claude``);
* :class:`RunScript` -- some words are shell code (``sh -c '...'``, ``eval``, ``su -c``);
* :class:`ReadStdin` -- a shell reading its script from standard input (``bash <<EOF``).

Option parsing follows getopt: clustered short options (``-Eu root``), attached values
(``-uroot``, ``--user=root``), ``--`` ending the options. A word whose value is unknown at
analysis time ends option parsing and is taken as the command.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import attrs

POSIX_SHELLS: frozenset[str] = frozenset(
    {
        "sh",
        "bash",
        "rbash",
        "dash",
        "ash",
        "hush",
        "ksh",
        "ksh93",
        "mksh",
        "lksh",
        "pdksh",
        "oksh",
        "zsh",
        "yash",
        "posh",
        "bosh",
    }
)
"""Names of shells whose ``-c`` argument, or standard input, is a shell script.

``busybox sh``/``busybox ash`` are covered too: ``busybox`` is looked through as a multi-call
wrapper, and its applet name is then checked against this set."""

# Wrappers that read standard input themselves, so a heredoc on the command does not reach the
# wrapped program as its input (``xargs sh <<EOF`` feeds xargs, not sh).
STDIN_CONSUMERS = frozenset({"xargs"})

_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")


def basename(path: str) -> str:
    """``/usr/local/bin/claude`` -> ``claude``; ``./x`` -> ``x``; ``dir/`` -> ``dir``."""
    stripped = path.rstrip("/")
    return stripped.rsplit("/", 1)[-1] if stripped else path


def is_shell(name: str) -> bool:
    """Whether ``name`` (a program name or path) is one of :data:`POSIX_SHELLS`."""
    return basename(name) in POSIX_SHELLS


@attrs.frozen
class RunWords:
    """``words[index:end]`` form a command that the wrapper runs."""

    index: int
    end: int


@attrs.frozen
class RunScript:
    """The wrapper runs shell code: ``words`` joined by spaces, minus the first ``prefix``
    characters of the first word's value (an attached option such as ``--command=``)."""

    words: tuple[int, ...]
    prefix: int
    label: str


@attrs.frozen
class ReadStdin:
    """The shell ``shell`` reads its script from standard input."""

    shell: str


Target = RunWords | RunScript | ReadStdin


@attrs.frozen
class Options:
    """getopt-style description of a wrapper's options."""

    short_arg: str = ""  # short options with a value (-u root, -uroot)
    short_attached: str = ""  # short options whose optional value can only be attached (-i{})
    long_arg: frozenset[str] = frozenset()  # long options with a value (--user root, --user=x)
    script_short: str = ""  # short options whose value is shell code (su -c)
    script_long: frozenset[str] = frozenset()  # long options whose value is shell code
    stop_short: str = ""  # options after which nothing is run (command -v, sudo -l)
    stop_long: frozenset[str] = frozenset()
    assignments: bool = False  # NAME=value operands before the command (env, sudo)
    permute: bool = False  # options may follow operands (GNU getopt permutation: su user -c x)
    operands: int = 0  # operands before the command (timeout DURATION, chroot NEWROOT)
    label: str = ""  # wrapper label for script options (defaults to "<name> -<opt>")


@attrs.frozen
class _Parsed:
    operands: tuple[int, ...]
    scripts: tuple[tuple[int, int, str], ...]  # (word index, prefix length, option)
    stopped: bool
    long_seen: frozenset[str]
    short_seen: frozenset[str]


def parse_options(words: Sequence[str | None], index: int, end: int, spec: Options) -> _Parsed:
    """Parse the options of the wrapper at ``words[index]``."""
    operands: list[int] = []
    scripts: list[tuple[int, int, str]] = []
    long_seen: set[str] = set()
    short_seen: set[str] = set()
    stopped = False
    j = index + 1
    while j < end:
        word = words[j]
        if word == "-":
            j += 1  # env -, su -: a flag, not an operand
            continue
        if word is None or not word.startswith("-"):
            if word is not None and spec.assignments and _ASSIGNMENT.match(word):
                j += 1
                continue
            if not spec.permute:
                operands.extend(range(j, end))
                break
            operands.append(j)
            j += 1
            continue
        if word == "--":
            operands.extend(range(j + 1, end))
            break
        if word.startswith("--"):
            name, eq, _value = word.partition("=")
            long_seen.add(name)
            if name in spec.stop_long:
                stopped = True
                break
            if name in spec.script_long:
                if eq:
                    scripts.append((j, len(name) + 1, name))
                elif j + 1 < end:
                    scripts.append((j + 1, 0, name))
                j += 1 if eq else 2
            elif name in spec.long_arg and not eq:
                j += 2
            else:
                j += 1
            continue
        consumed_next = False
        for k in range(1, len(word)):
            ch = word[k]
            short_seen.add(ch)
            if ch in spec.stop_short:
                stopped = True
                break
            attached = k + 1 < len(word)
            if ch in spec.script_short:
                if attached:
                    scripts.append((j, k + 1, "-" + ch))
                elif j + 1 < end:
                    scripts.append((j + 1, 0, "-" + ch))
                    consumed_next = True
                break
            if ch in spec.short_arg:
                consumed_next = not attached
                break
            if ch in spec.short_attached:
                break
        if stopped:
            break
        j += 2 if consumed_next else 1
    return _Parsed(
        tuple(operands), tuple(scripts), stopped, frozenset(long_seen), frozenset(short_seen)
    )


def _generic(name: str, spec: Options) -> Callable[[Sequence[str | None], int, int], list[Target]]:
    def handler(words: Sequence[str | None], index: int, end: int) -> list[Target]:
        parsed = parse_options(words, index, end, spec)
        if parsed.stopped:
            return []
        if parsed.scripts:
            label = spec.label or name
            return [
                RunScript((word,), prefix, label if spec.label else f"{name} {option}")
                for word, prefix, option in parsed.scripts
            ]
        operands = parsed.operands
        if len(operands) > spec.operands:
            return [RunWords(operands[spec.operands], end)]
        return []

    return handler


_SUDO = Options(
    short_arg="CDgpRrTtUu",
    long_arg=frozenset(
        {
            "--chdir",
            "--close-from",
            "--group",
            "--host",
            "--prompt",
            "--chroot",
            "--role",
            "--type",
            "--command-timeout",
            "--other-user",
            "--user",
        }
    ),
    stop_short="eKlvV",
    stop_long=frozenset(
        {"--edit", "--help", "--list", "--remove-timestamp", "--validate", "--version"}
    ),
    assignments=True,
)

_SPECS: dict[str, Options] = {
    "sudo": _SUDO,
    "doas": Options(short_arg="au", stop_short="CL"),
    "env": Options(
        short_arg="uC",
        long_arg=frozenset({"--unset", "--chdir"}),
        script_short="S",
        script_long=frozenset({"--split-string"}),
        stop_long=frozenset({"--help", "--version"}),
        assignments=True,
        label="env -S",
    ),
    "command": Options(stop_short="vV"),
    "exec": Options(short_arg="a"),
    "builtin": Options(),
    "coproc": Options(),
    "nice": Options(short_arg="n", long_arg=frozenset({"--adjustment"})),
    "nohup": Options(),
    "timeout": Options(
        short_arg="sk", long_arg=frozenset({"--signal", "--kill-after"}), operands=1
    ),
    "xargs": Options(
        short_arg="adEILnPs",
        short_attached="eil",
        long_arg=frozenset(
            {
                "--arg-file",
                "--delimiter",
                "--max-args",
                "--max-procs",
                "--max-chars",
                "--process-slot-var",
            }
        ),
        stop_long=frozenset({"--help", "--version"}),
    ),
    "time": Options(short_arg="fo", long_arg=frozenset({"--format", "--output"})),
    "stdbuf": Options(short_arg="ioe", long_arg=frozenset({"--input", "--output", "--error"})),
    "chroot": Options(long_arg=frozenset({"--userspec", "--groups"}), operands=1),
    "setsid": Options(),
    "ionice": Options(short_arg="cn", stop_short="pPu"),
    "taskset": Options(stop_short="p", operands=1),
    "gosu": Options(operands=1),
    "su-exec": Options(operands=1),
    "setpriv": Options(
        long_arg=frozenset(
            {
                "--reuid",
                "--regid",
                "--ruid",
                "--rgid",
                "--euid",
                "--egid",
                "--groups",
                "--inh-caps",
                "--ambient-caps",
                "--bounding-set",
                "--securebits",
                "--pdeathsig",
                "--selinux-label",
                "--apparmor-profile",
                "--landlock-access",
                "--landlock-rule",
                "--seccomp-filter",
            }
        ),
        stop_short="d",
        stop_long=frozenset({"--dump", "--list-caps", "--help", "--version"}),
    ),
    "tini": Options(short_arg="pe", stop_short="h"),
    "dumb-init": Options(short_arg="r", long_arg=frozenset({"--rewrite"})),
    "fakeroot": Options(short_arg="lsib", long_arg=frozenset({"--lib", "--faked"})),
    "eatmydata": Options(),
    "unbuffer": Options(),
    "catchsegv": Options(),
    "busybox": Options(stop_long=frozenset({"--list", "--list-full", "--install", "--help"})),
    "su": Options(
        short_arg="gGsw",
        long_arg=frozenset({"--group", "--supp-group", "--shell", "--whitelist-environment"}),
        script_short="c",
        script_long=frozenset({"--command", "--session-command"}),
        permute=True,
        operands=99,  # su USER [ARGS...]: the arguments go to the login shell, never a command
        label="su -c",
    ),
    "script": Options(
        short_arg="EIOBmT",
        long_arg=frozenset(
            {"--echo", "--log-in", "--log-out", "--log-io", "--log-timing", "--logging-format"}
        ),
        script_short="c",
        script_long=frozenset({"--command"}),
        permute=True,
        operands=99,  # script [FILE]: the file is a typescript, not a command
        label="script -c",
    ),
}

_HANDLERS: dict[str, Callable[[Sequence[str | None], int, int], list[Target]]] = {
    name: _generic(name, spec) for name, spec in _SPECS.items()
}

_RUNUSER = Options(
    short_arg="gGsuw",
    long_arg=frozenset({"--group", "--supp-group", "--shell", "--user", "--whitelist-environment"}),
    script_short="c",
    script_long=frozenset({"--command", "--session-command"}),
    permute=True,
    label="runuser -c",
)


def _runuser(words: Sequence[str | None], index: int, end: int) -> list[Target]:
    """``runuser -u USER [--] CMD...`` runs CMD; otherwise it behaves like ``su``."""
    parsed = parse_options(words, index, end, _RUNUSER)
    if parsed.scripts:
        return [RunScript((word,), prefix, "runuser -c") for word, prefix, _ in parsed.scripts]
    if ("u" in parsed.short_seen or "--user" in parsed.long_seen) and parsed.operands:
        return [RunWords(parsed.operands[0], end)]
    return []


_FLOCK = Options(
    short_arg="wE",
    long_arg=frozenset({"--timeout", "--conflict-exit-code"}),
    script_short="c",
    script_long=frozenset({"--command"}),
    stop_short="hV",
    stop_long=frozenset({"--help", "--version"}),
)


def _flock(words: Sequence[str | None], index: int, end: int) -> list[Target]:
    """``flock [OPTIONS] FILE CMD [ARGS]`` or ``flock [OPTIONS] FILE -c SCRIPT``."""
    parsed = parse_options(words, index, end, _FLOCK)
    if parsed.stopped:
        return []
    if parsed.scripts:
        return [RunScript((word,), prefix, "flock -c") for word, prefix, _ in parsed.scripts]
    operands = parsed.operands
    if len(operands) < 2:
        return []  # flock FD, or flock FILE with nothing to run
    if words[operands[1]] in ("-c", "--command"):
        return [RunScript((operands[2],), 0, "flock -c")] if len(operands) > 2 else []
    return [RunWords(operands[1], end)]


def _find(words: Sequence[str | None], index: int, end: int) -> list[Target]:
    """``find ... -exec CMD ARGS {} ;`` (also -execdir, -ok, -okdir; ``+`` terminators)."""
    targets: list[Target] = []
    j = index + 1
    while j < end:
        if words[j] in ("-exec", "-execdir", "-ok", "-okdir"):
            k = j + 1
            while k < end and not (words[k] == ";" or (words[k] == "+" and words[k - 1] == "{}")):
                k += 1
            if k > j + 1:
                targets.append(RunWords(j + 1, k))
            j = k
        j += 1
    return targets


def _eval(words: Sequence[str | None], index: int, end: int) -> list[Target]:
    """``eval ARGS...`` joins its arguments with spaces and runs the result."""
    first = index + 1
    if first < end and words[first] == "--":
        first += 1
    if first >= end:
        return []
    return [RunScript(tuple(range(first, end)), 0, "eval")]


def _trap(words: Sequence[str | None], index: int, end: int) -> list[Target]:
    """``trap ACTION SIGNAL...``: ACTION is shell code run when a signal arrives (or at exit)."""
    j = index + 1
    while j < end and words[j] in ("-l", "-p", "-P"):
        j += 1
    if j < end and words[j] == "--":
        j += 1
    action = words[j] if j < end else None
    if end - j < 2 or action in ("-", ""):
        return []
    return [RunScript((j,), 0, "trap")]


_HANDLERS.update(
    {"runuser": _runuser, "flock": _flock, "find": _find, "eval": _eval, "trap": _trap}
)

# bash options that take a value: -o OPTION, +o OPTION, -O SHOPT, +O SHOPT, --rcfile FILE.
_SHELL_LONG_ARG = frozenset({"--rcfile", "--init-file"})


def _shell(name: str, words: Sequence[str | None], index: int, end: int) -> list[Target]:
    """``sh [OPTIONS] -c SCRIPT [NAME [ARGS]]``, ``sh [-s] [ARGS]`` (script on standard input)
    or ``sh FILE [ARGS]`` (a script file: nothing to analyse here)."""
    read_command_string = False
    read_stdin = False
    j = index + 1
    while j < end:
        word = words[j]
        if word is None:
            break
        if word in ("-", "--"):
            j += 1
            break
        if word.startswith("--"):
            j += 2 if word in _SHELL_LONG_ARG else 1
            continue
        if len(word) < 2 or word[0] not in "-+":
            break
        values = 0
        for ch in word[1:]:
            if ch == "c":
                read_command_string = True
            elif ch == "s":
                read_stdin = True
            elif ch in "oO":
                values += 1
        j += 1 + values
    if read_command_string:
        return [RunScript((j,), 0, f"{name} -c")] if j < end else []
    if j < end and not read_stdin:
        return []  # sh FILE: runs a script file
    return [ReadStdin(name)]


def wrapped(
    name: str, words: Sequence[str | None], index: int, end: int, shells: frozenset[str]
) -> list[Target]:
    """What the command named ``name`` at ``words[index]`` (ending at ``end``) runs."""
    if name in shells:
        return _shell(name, words, index, end)
    handler = _HANDLERS.get(name)
    if handler is None:
        return []
    return handler(words, index, end)
