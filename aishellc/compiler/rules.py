"""The rules of the harnesses and the runtime tier (not passes: the passes do not see
them), and the facts about USER values they and the runtime emitter share. The analysis
(:mod:`aishellc.compiler.analysis`) decides them for ``check`` and ``compile`` alike. Registered on
import; the passes package imports this module so that ``aishellc rule`` lists them."""

from __future__ import annotations

import re

from aishellc.diagnostics import Rule, register

# A USER value the runtime tier can write back literally: name or id, optionally a group.
_USER_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,31})?")


def restorable_user(value: str) -> bool:
    """Whether a USER value can be written back literally (no variables, no spaces)."""
    return _USER_RE.fullmatch(value) is not None


UNPINNED_HARNESS = Rule(
    code="AIS301",
    name="unpinned-harness",
    severity="info",
    summary="A harness is installed at `latest` without a lock",
    doc="""## What it does
Reports each harness whose version is `latest` (a bare `--harness NAME`, or the default
`claude@latest`) when no `aishellc.lock` next to the Dockerfile turns it into a version.

## Why is this bad?
Tiers are tagged by a hash of their inputs. For `latest` the input is the word `latest`,
not the release it resolves to, so the runtime hash does not change when a new release
comes out: the tag keeps pointing at whatever was current when it was first built, and
`aishellc plan` cannot say that the runtime is out of date.

## Example
What `--harness claude` (or the default, `claude@latest`) puts in `runtime.Dockerfile`
without a lock:
```dockerfile
FROM ${AISHELL_FOUNDATION} AS harness-claude
RUN --mount=type=cache,target=/root/.npm --mount=type=secret,id=npmrc,target=/root/.npmrc \\
    ["npm", "install", "-g", "--prefix", "/opt/aishell/harness/claude", \\
     "@anthropic-ai/claude-code@latest"]
```

Use instead: `aishellc lock .aishell/Dockerfile`, which records the current release and
its integrity in `aishellc.lock`; `compile` then installs exactly that version, checks
its tarball, and `aishellc update` moves it (one runtime rebuild). Or pin it by hand:
`--harness claude@2.1.3`, or `default = ["claude@2.1.3"]` under `[harnesses]` in
`aishellc.toml`. With the lock, the install names the locked version and checks its
tarball first:
```dockerfile
FROM ${AISHELL_FOUNDATION} AS harness-claude
RUN --mount=type=cache,target=/root/.npm --mount=type=secret,id=npmrc,target=/root/.npmrc \\
    ["/bin/sh", "-c", "... npm pack ... @anthropic-ai/claude-code@2.1.331 ...; \\
     expected=sha512-...; ... npm install -g --prefix /opt/aishell/harness/claude \\
     /tmp/aishellc-pack/... ..."]
```
""",
)

UNRESTORABLE_USER = Rule(
    code="AIS303",
    name="inline-user-not-restorable",
    severity="error",
    summary="The inline strategy cannot restore the extension's final USER",
    doc="""## What it does
With `--harness-strategy inline` the harnesses are installed as root on top of the
extension and the extension's final `USER` is written again afterwards. That needs a
literal user name or id; this rule reports a final `USER` that uses variables or other
text the runtime Dockerfile cannot repeat faithfully (its ARGs are not in scope there).

## Why is this bad?
The runtime image would start as the wrong user.

## Example
```dockerfile
ARG APP_USER=developer
USER ${APP_USER}
```

The `stage` strategy (the default) never changes the user and accepts this file.

Use instead:
```dockerfile
USER developer
```
""",
)

register(UNPINNED_HARNESS, UNRESTORABLE_USER)
