"""The Docker engine, through the Docker SDK: images, labels, containers, registry data,
pulls, pushes, tags and removals.

The engine is the one ``DOCKER_HOST`` (or the docker context) names. Every failure to reach
it, or a registry through it, is a :class:`~aishellc.errors.UserError` (exit 2) with the
engine's reason; what the engine or a registry says is escaped before it is printed
(:func:`aishellc.terminal.visible`, in ``UserError.render``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import attrs
import docker
import docker.errors
import requests.exceptions

from aishellc.errors import UserError

_ENGINE_HELP = (
    "start the Docker engine, or point DOCKER_HOST at one that runs "
    "(docker info shows what the docker CLI reaches)"
)
_REGISTRY_HELP = (
    "check that the registry in aishellc.toml runs and is reachable from the engine, or "
    "build without it: --pull never"
)


@attrs.frozen
class LocalImage:
    id: str
    labels: Mapping[str, str]


@attrs.frozen
class TierImage:
    """An image with aishell's labels, as ``prune`` sees it."""

    id: str
    tags: tuple[str, ...]
    tier: str
    created: int
    """Seconds since the epoch."""
    size: int


def _reason(exc: BaseException) -> str:
    explanation = getattr(exc, "explanation", None)
    return str(explanation or exc).strip()


def _where() -> str:
    return os.environ.get("DOCKER_HOST") or "the docker context's engine"


@contextmanager
def _engine_call(doing: str) -> Iterator[None]:
    """Any failure to talk to the engine while ``doing`` becomes a UserError."""
    try:
        yield
    except (requests.exceptions.RequestException, ConnectionError) as exc:
        raise UserError(
            f"cannot reach the Docker engine at {_where()} ({doing}): {_reason(exc)}",
            help=_ENGINE_HELP,
        ) from None


class Engine:
    """One connection to the Docker engine."""

    def __init__(self) -> None:
        try:
            self._client = docker.from_env(timeout=120)
            self._client.ping()
        except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
            raise UserError(
                f"cannot reach the Docker engine at {_where()}: {_reason(exc)}",
                help=_ENGINE_HELP,
            ) from None

    def local_image(self, ref: str) -> LocalImage | None:
        """The local image ``ref`` (a tag or an ID) names, if any."""
        with _engine_call(f"inspecting {ref}"):
            try:
                image = self._client.images.get(ref)
            except docker.errors.ImageNotFound:
                return None
            except docker.errors.APIError as exc:
                raise _engine_error(f"inspecting {ref}", exc) from None
        return LocalImage(image.id, dict(image.labels or {}))

    def registry_has(self, tag: str) -> bool:
        """Whether the registry in ``tag`` holds it (asked through the engine)."""
        with _engine_call(f"asking the registry for {tag}"):
            try:
                self._client.images.get_registry_data(tag)
            except docker.errors.NotFound:
                return False
            except docker.errors.APIError as exc:
                raise UserError(
                    f"cannot ask the registry for {tag}: {_reason(exc)}", help=_REGISTRY_HELP
                ) from None
        return True

    def pull(self, tag: str) -> None:
        repository, _, name = tag.rpartition(":")
        with _engine_call(f"pulling {tag}"):
            try:
                self._client.images.pull(repository, tag=name)
            except docker.errors.APIError as exc:
                raise UserError(f"cannot pull {tag}: {_reason(exc)}", help=_REGISTRY_HELP) from None

    def tag(self, image_id: str, tag: str) -> None:
        repository, _, name = tag.rpartition(":")
        with _engine_call(f"tagging {tag}"):
            try:
                self._client.api.tag(image_id, repository, name, force=True)
            except docker.errors.APIError as exc:
                raise _engine_error(f"tagging {tag}", exc) from None

    def push(self, tag: str) -> None:
        """Push ``tag``; a refusal (the engine's or the registry's) is a UserError."""
        repository, _, name = tag.rpartition(":")
        with _engine_call(f"pushing {tag}"):
            try:
                events = self._client.api.push(repository, tag=name, stream=True, decode=True)
                for event in events:
                    if "error" in event:
                        raise UserError(
                            f"the registry refused {tag}: {event['error'].strip()}",
                            help="check the registry's address and that it accepts pushes",
                        )
            except docker.errors.APIError as exc:
                raise UserError(
                    f"the registry refused {tag}: {_reason(exc)}",
                    help="check the registry's address and that it accepts pushes",
                ) from None

    # --- prune -------------------------------------------------------------------------

    def tier_images(self) -> list[TierImage]:
        """Every image labelled ``aishell.tier`` with its ``aishell.<tier>.hash`` label."""
        with _engine_call("listing images"):
            listed: list[dict[str, Any]] = self._client.api.images(
                filters={"label": "aishell.tier"}
            )
        images = []
        for entry in listed:
            labels = entry.get("Labels") or {}
            tier = labels.get("aishell.tier")
            if not tier or not labels.get(f"aishell.{tier}.hash"):
                continue
            tags = tuple(sorted(t for t in entry.get("RepoTags") or () if t != "<none>:<none>"))
            images.append(
                TierImage(
                    id=entry["Id"],
                    tags=tags,
                    tier=tier,
                    created=int(entry.get("Created", 0)),
                    size=int(entry.get("Size", 0)),
                )
            )
        return images

    def images_in_use(self) -> frozenset[str]:
        """The IDs of the images any container (running or not) was made from."""
        with _engine_call("listing containers"):
            containers: list[dict[str, Any]] = self._client.api.containers(all=True)
        return frozenset(str(entry["ImageID"]) for entry in containers)

    def layers_size(self) -> int:
        """The bytes the engine's images take (``docker system df``)."""
        with _engine_call("measuring image storage"):
            usage: dict[str, Any] = self._client.api.df()
        return int(usage.get("LayersSize") or 0)

    def remove(self, image: TierImage) -> None:
        """Untag each of the image's tags (its last one removes it), or remove it by ID."""
        with _engine_call(f"removing {image.id}"):
            try:
                for ref in image.tags or (image.id,):
                    self._client.api.remove_image(ref, noprune=False)
            except docker.errors.APIError as exc:
                raise _engine_error(f"removing {image.tags or image.id}", exc) from None


def _engine_error(doing: str, exc: docker.errors.APIError) -> UserError:
    return UserError(f"the Docker engine failed {doing}: {_reason(exc)}", help=_ENGINE_HELP)
