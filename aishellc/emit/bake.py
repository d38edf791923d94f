"""``docker-bake.json``: the same three builds as ``docker buildx bake`` targets.

Each target has the tier's ``context``, its ``dockerfile`` (relative to the context, as
bake resolves it), ``tags``, ``args``, ``labels`` and ``platforms`` (the one compiled
for). The images a tier builds on are wired to the targets that build them through
``contexts`` (``"aishell:foundation-<h12>": "target:foundation"``): BuildKit substitutes
a named context for a ``FROM`` that names it, so bake builds the tiers in dependency
order, in one invocation, without pushing the intermediate images. The ``default`` group
lists the targets in build order. With a registry configured, targets also carry
``cache-from``/``cache-to`` registry caches. A tier that reads a BuildKit secret has
``secret`` (``id=npmrc,src=${HOME}/.npmrc``; ``HOME`` is then declared as a variable).
The global tier is built in ``~/.aishell``: its ``context`` is ``${HOME}/.aishell`` (and
``HOME`` declared) and its Dockerfile is inlined (``dockerfile-inline``, its ``${`` and
``%{`` doubled as HCL templates want), since bake resolves ``dockerfile`` from the context.

Paths are relative to the project root, like the commands in ``manifest.json``: bake
resolves a target's ``context`` from the directory it runs in and its ``dockerfile`` from
the context, so ``docker buildx bake -f build/docker-bake.json`` runs from the project
root.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from typing import Any

from aishellc.emit.manifest import TierBuild, render_json


def bake_data(tiers: Sequence[TierBuild]) -> dict[str, Any]:
    """The bake file as JSON data, ``tiers`` in build order."""
    built_by = {tier.name for tier in tiers}
    targets: dict[str, Any] = {}
    for tier in tiers:
        target: dict[str, Any] = {"context": bake_path(tier.context)}
        if tier.dockerfile_text is not None:
            target["dockerfile-inline"] = bake_literal(tier.dockerfile_text)
        else:
            target["dockerfile"] = relative_to(tier.dockerfile, tier.context)
        target |= {
            "tags": [tier.tag],
            "args": dict(tier.build_args),
            "labels": dict(tier.labels),
        }
        if tier.platform is not None:
            target["platforms"] = [tier.platform]
        contexts = {
            image: f"target:{name}" for image, name in tier.needs.items() if name in built_by
        }
        if contexts:
            target["contexts"] = contexts
        if tier.cache_from:
            target["cache-from"] = list(tier.cache_from)
        if tier.cache_to:
            target["cache-to"] = list(tier.cache_to)
        if tier.secrets:
            target["secret"] = [
                f"id={secret},src={bake_path(tier.secrets[secret])}"
                for secret in sorted(tier.secrets)
            ]
        targets[tier.name] = target
    data: dict[str, Any] = {
        "group": {"default": {"targets": [tier.name for tier in tiers]}},
        "target": targets,
    }
    home_paths = [tier.context for tier in tiers]
    home_paths += [entry for tier in tiers for entry in tier.secrets.values()]
    if any(path.startswith(HOME_PREFIX) for path in home_paths):
        # bake reads an environment variable only when the file declares it
        data["variable"] = {"HOME": {"default": None}}
    return data


HOME_PREFIX = "~/"


def bake_path(path: str) -> str:
    """A secret's file as bake reads it: ``~/x`` is ``${HOME}/x`` (bake interpolates
    declared variables, and does not expand ``~``)."""
    if path.startswith(HOME_PREFIX):
        return "${HOME}/" + path.removeprefix(HOME_PREFIX)
    return path


def bake_literal(text: str) -> str:
    """``text`` as a bake string that means itself: bake reads every string of a JSON file as
    an HCL template, so ``${`` (the Dockerfile's own variables) and ``%{`` are doubled."""
    return text.replace("${", "$${").replace("%{", "%%{")


def render_bake(tiers: Sequence[TierBuild]) -> str:
    return render_json(bake_data(tiers))


def relative_to(path: str, start: str) -> str:
    """``path`` relative to ``start``; both relative to the same directory (or both
    absolute), so no machine path is needed unless ``start`` climbs above it."""
    return posixpath.relpath(path, start)
