"""What ``build`` does with each tier, from what the engine and the registry report (pure).

A tier's tag is content addressed, so an image with the tag *and* the matching
``aishell.<tier>.hash`` label is the right one:

- up to date: the local image has the tag and the label;
- pull: a registry is configured, the pull policy allows it and the registry has the tag
  (``always``: whenever the registry has it; ``missing``, the default: only when no local
  image is up to date; ``never``: not at all);
- build: otherwise. A local tag whose label differs (an image built by hand, a tag moved)
  is rebuilt, with a warning.

The label of a pulled image is checked after the pull (:mod:`aishellc.engine.commands`):
a registry answers for the tag, not for the contents.
"""

from __future__ import annotations

from typing import Literal

import attrs

PullPolicy = Literal["always", "missing", "never"]
PULL_POLICIES: tuple[PullPolicy, ...] = ("always", "missing", "never")
Action = Literal["up to date", "pull", "build"]


def hash_label(tier: str) -> str:
    """The label that records a tier's hash: ``aishell.<tier>.hash``."""
    return f"aishell.{tier}.hash"


@attrs.frozen
class TierState:
    """What is known of one tier's tag."""

    tier: str
    tag: str
    hash: str
    local_label: str | None
    """The hash label of the local image with the tag ('' when it has none)."""
    local: bool
    """A local image has the tag."""
    remote: bool | None
    """The registry has the tag (None: not asked)."""


@attrs.frozen
class Decision:
    tier: str
    tag: str
    action: Action
    warning: str | None = None


def asks_registry(local_ok: bool, policy: PullPolicy, registry: bool) -> bool:
    """Whether the registry's answer can change the decision (otherwise it is not asked)."""
    if not registry or policy == "never":
        return False
    return policy == "always" or not local_ok


def up_to_date(state: TierState) -> bool:
    return state.local and state.local_label == state.hash


def decide(state: TierState, policy: PullPolicy, registry: bool) -> Decision:
    """The action for one tier (see the module docs)."""
    warning = None
    if state.local and not up_to_date(state):
        shown = state.local_label or "none"
        warning = (
            f"the local image {state.tag} has {hash_label(state.tier)}={shown}, not "
            f"{state.hash}: not trusted"
        )
    pullable = registry and policy != "never" and state.remote is True
    if policy == "always" and pullable:
        return Decision(state.tier, state.tag, "pull", warning)
    if up_to_date(state):
        return Decision(state.tier, state.tag, "up to date")
    if pullable:
        return Decision(state.tier, state.tag, "pull", warning)
    return Decision(state.tier, state.tag, "build", warning)
