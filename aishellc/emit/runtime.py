"""The runtime tier: AI coding harnesses on top of the extension (DESIGN.md).

Three shapes, all installing with npm as root under a BuildKit cache mount
(``RUN --mount=type=cache,target=/root/.npm``) and in exec form, so no ``SHELL`` of the
extension is relied on:

``stage`` (default)
    One stage per harness, ``FROM ${AISHELL_FOUNDATION} AS harness-<name>``, holding only
    ``npm install -g --prefix /opt/aishell/harness/<name> <package>@<version>``: it depends
    on nothing but the foundation and the pin, so BuildKit shares it between every project
    on that foundation and a bump runs ``npm install`` once. The final stage,
    ``FROM ${AISHELL_EXTENSION}``, copies each prefix in and puts the ``bin/`` folders
    first on ``PATH``. It runs no command, so it needs no ``USER`` change: ``COPY`` writes
    root-owned files whatever the current user, and the extension's own ``USER`` (and
    ``WORKDIR``, ``SHELL``, ``ENTRYPOINT``) stay exactly as the extension left them.
``inline``
    The installs run directly on top of the extension, each harness in its own prefix and
    layer. When the extension ends as another user, ``USER root`` comes first and that
    user is restored at the end (it must be a literal name or id; see
    :func:`~aishellc.compiler.rules.restorable_user`).
``legacy``
    Today's ``aishell:base``: the harnesses installed globally (``npm install -g``) on top
    of the foundation; the user's Dockerfile then builds on this image.

Every install also mounts the BuildKit secret ``npmrc`` at ``/root/.npmrc`` (a private
registry's token reaches npm only this way, and only when the build passes the secret) and
passes ``--registry`` when one is configured. A harness with a locked integrity is not
installed from the registry directly: ``npm pack`` fetches its tarball, its sha512 is
compared with the lock (the build fails naming the package when they differ), and npm
installs the checked file. The final image sets each harness's auto-update switch
(``ENV DISABLE_AUTOUPDATER=1`` ...), so what runs is what was installed.

The references to the images built on are global ARGs whose defaults are their tags
(``ARG AISHELL_FOUNDATION=aishell:foundation-<h12>``), so ``docker build`` needs no build
args while pipelines can override them. Nothing here names the compiler version or a
project: the file is the "runtime template" hashed into the runtime tier.
"""

from __future__ import annotations

import json
from typing import Final, Literal

import attrs

from aishellc.compiler.rules import restorable_user
from aishellc.config import safe_values
from aishellc.config.harnesses import Harness, HarnessPin, is_harness_version, is_npm_package
from aishellc.passes.accounts import is_root_user

Strategy = Literal["stage", "inline", "legacy"]
STRATEGIES: Final = ("stage", "inline", "legacy")
HARNESS_ROOT: Final = "/opt/aishell/harness"
NPM_CACHE: Final = "/root/.npm"
PACK_DIR: Final = "/tmp/aishellc-pack"
"""Where a locked harness's tarball is fetched and checked before it is installed."""
NPMRC_SECRET: Final = "npmrc"
"""The BuildKit secret holding the user's ``.npmrc``, mounted where root's npm reads it
(optional: without ``--secret id=npmrc`` the build runs without it)."""
NPMRC_TARGET: Final = "/root/.npmrc"
FOUNDATION_ARG: Final = "AISHELL_FOUNDATION"
EXTENSION_ARG: Final = "AISHELL_EXTENSION"


@attrs.frozen
class InstalledHarness:
    """A registry entry with the version to install; every field validated."""

    name: str
    binary: str
    package: str
    version: str
    integrity: str | None = None
    """The locked ``dist.integrity``: the tarball is checked against it before install."""
    update_off: tuple[tuple[str, str], ...] = ()
    """Environment variables that switch the harness's auto-updater off."""

    def __attrs_post_init__(self) -> None:
        if not (
            safe_values.is_slug(self.name)
            and safe_values.is_file_name(self.binary)
            and is_npm_package(self.package)
            and is_harness_version(self.version)
            and (self.integrity is None or safe_values.is_sha512_integrity(self.integrity))
            and all(
                safe_values.is_env_name(name) and safe_values.is_env_value(value)
                for name, value in self.update_off
            )
        ):
            raise ValueError(f"refusing to print unvalidated harness {self!r}")

    @classmethod
    def of(
        cls, harness: Harness, pin: HarnessPin, integrity: str | None = None
    ) -> InstalledHarness:
        return cls(
            harness.name,
            harness.binary,
            harness.package,
            pin.version,
            integrity,
            harness.update_off,
        )

    @property
    def spec(self) -> str:
        """``<package>@<version>`` as npm takes it."""
        return f"{self.package}@{self.version}"

    @property
    def prefix(self) -> str:
        return f"{HARNESS_ROOT}/{self.name}"


@attrs.frozen
class RuntimeSpec:
    """Everything the runtime Dockerfile is made of."""

    strategy: Strategy
    harnesses: tuple[InstalledHarness, ...]
    foundation_image: str
    """The foundation tag (the ``stage`` and ``legacy`` shapes build on it)."""
    extension_image: str | None = None
    """The extension tag (``stage`` and ``inline``); None for ``legacy``."""
    restore_user: str | None = None
    """``inline``: the extension's final USER to switch back to (None: root)."""
    npm_registry: str | None = None
    """The npm registry the installs read from (``--registry``); None: npm's default."""

    def __attrs_post_init__(self) -> None:
        if self.strategy not in STRATEGIES:
            raise ValueError(f"unknown strategy {self.strategy!r}")
        if self.npm_registry is not None and not safe_values.is_npm_registry_url(self.npm_registry):
            raise ValueError(f"refusing to print unvalidated registry {self.npm_registry!r}")
        images = [self.foundation_image, *([self.extension_image] if self.extension_image else [])]
        for image in images:
            if not safe_values.is_image_reference(image):
                raise ValueError(f"refusing to print unvalidated image {image!r}")
        if (self.strategy == "legacy") != (self.extension_image is None):
            raise ValueError("the legacy shape has no extension image; the others need one")
        if self.restore_user is not None and not restorable_user(self.restore_user):
            raise ValueError(f"refusing to print unvalidated user {self.restore_user!r}")
        names = [h.name for h in self.harnesses]
        if names != sorted(set(names)):
            raise ValueError("harnesses must be sorted by name and distinct")

    @property
    def build_args(self) -> dict[str, str]:
        """The ARGs this Dockerfile takes, with their defaults."""
        args = {}
        if self.strategy in ("stage", "legacy"):
            args[FOUNDATION_ARG] = self.foundation_image
        if self.extension_image is not None and self.strategy in ("stage", "inline"):
            args[EXTENSION_ARG] = self.extension_image
        return args


def render_runtime(spec: RuntimeSpec) -> str:
    """The runtime Dockerfile, byte for byte deterministic."""
    blocks = [_header(spec)]
    blocks.append("\n".join(f"ARG {name}={value}" for name, value in spec.build_args.items()))
    if spec.strategy == "stage":
        for harness in spec.harnesses:
            blocks.append(
                f"# {harness.name}@{harness.version} ({harness.package}): a stage that depends "
                "only on the\n# foundation and this pin, shared by every project built on it\n"
                f"FROM ${{{FOUNDATION_ARG}}} AS harness-{harness.name}\n"
                + _npm_install(spec, harness, prefix=True)
            )
        final = [f"FROM ${{{EXTENSION_ARG}}}"]
        final += [f"COPY --from=harness-{h.name} {h.prefix} {h.prefix}" for h in spec.harnesses]
        final += _path(spec.harnesses)
        final += _updates_off(spec.harnesses)
        blocks.append("# The extension, with each harness copied in\n" + "\n".join(final))
    elif spec.strategy == "inline":
        switch = not is_root_user(spec.restore_user)
        lines = [f"FROM ${{{EXTENSION_ARG}}}"]
        if switch:
            lines.append("USER root")
        lines += [_npm_install(spec, h, prefix=True) for h in spec.harnesses]
        lines += _path(spec.harnesses)
        lines += _updates_off(spec.harnesses)
        if switch:
            lines.append(f"USER {spec.restore_user}")
        blocks.append("# The harnesses, installed on top of the extension\n" + "\n".join(lines))
    else:
        lines = [f"FROM ${{{FOUNDATION_ARG}}}"]
        lines += [_npm_install(spec, h, prefix=False) for h in spec.harnesses]
        lines += _updates_off(spec.harnesses)
        blocks.append(
            "# aishell:base as it is today: the foundation with the harnesses installed\n"
            "# globally; the project's Dockerfile builds on this image\n" + "\n".join(lines)
        )
    return "\n\n".join(blocks) + "\n"


def _header(spec: RuntimeSpec) -> str:
    what = {
        "stage": "the AI coding harnesses on top of the extension",
        "inline": "the AI coding harnesses on top of the extension",
        "legacy": "the foundation with the AI coding harnesses (legacy layout)",
    }[spec.strategy]
    return (
        f"# The aishell runtime image: {what}.\n"
        f"# Generated by aishellc (strategy: {spec.strategy}); do not edit.\n"
        "# Nothing is copied from the build context: any folder will do."
    )


def _npm_install(spec: RuntimeSpec, harness: InstalledHarness, *, prefix: bool) -> str:
    """The install of one harness: ``npm install -g`` of the exact version; with a locked
    integrity, the tarball is fetched (``npm pack``), checked against it, and installed
    from the checked file, so a tarball that differs from the lock fails the build."""
    options = ["-g"]
    if prefix:
        options += ["--prefix", harness.prefix]
    registry = ["--registry", spec.npm_registry] if spec.npm_registry is not None else []
    # The user's .npmrc (a private registry's token) arrives only as a secret, and only
    # when the build command passes one (compile adds it when the registry needs auth):
    # an optional secret mount is nothing without it, so the text, and the runtime hash,
    # do not depend on whose machine compiled.
    mounts = [
        f"--mount=type=cache,target={NPM_CACHE}",
        f"--mount=type=secret,id={NPMRC_SECRET},target={NPMRC_TARGET}",
    ]
    run = "RUN " + " ".join(mounts)
    if harness.integrity is None:
        return f"{run} {json.dumps(['npm', 'install', *options, *registry, harness.spec])}"
    # Every value below passed a grammar with no shell metacharacters.
    # A fixed absolute folder (each RUN has its own file system, and it is removed at the
    # end): the install then names a local file, not a registry spec.
    script = "; ".join(
        [
            "set -eu",
            f"mkdir -p {PACK_DIR}",
            'name="$('
            + " ".join(
                [
                    "npm",
                    "pack",
                    "--loglevel=error",
                    "--pack-destination",
                    PACK_DIR,
                    *registry,
                    harness.spec,
                ]
            )
            + ')"',
            f"expected={harness.integrity}",
            f'actual="$(node -e "{_SRI_JS}" {PACK_DIR}/"$name")"',
            'if [ "$actual" != "$expected" ]; then '
            f'echo "aishellc: {harness.spec} does not match aishellc.lock: '
            'its tarball has integrity $actual, the lock says $expected" >&2; exit 1; fi',
            " ".join(["npm", "install", *options, *registry, f'{PACK_DIR}/"$name"']),
            f"rm -rf {PACK_DIR}",
        ]
    )
    return f"{run} {json.dumps(['/bin/sh', '-c', script])}"


# The sha512 SRI of a file (what npm writes in dist.integrity); node is in the foundation,
# so the check needs nothing else.
_SRI_JS = (
    "const hash = require('crypto').createHash('sha512'); "
    "hash.update(require('fs').readFileSync(process.argv[1])); "
    "process.stdout.write('sha512-' + hash.digest('base64'))"
)


def _updates_off(harnesses: tuple[InstalledHarness, ...]) -> list[str]:
    """One ``ENV`` with every installed harness's auto-update switch (sorted)."""
    pairs = sorted({pair for h in harnesses for pair in h.update_off})
    if not pairs:
        return []
    return [
        "# The harnesses' own updaters off: the image runs the versions installed here\n"
        "ENV " + " \\\n    ".join(f"{name}={value}" for name, value in pairs)
    ]


def _path(harnesses: tuple[InstalledHarness, ...]) -> list[str]:
    if not harnesses:
        return []
    bins = ":".join(f"{h.prefix}/bin" for h in harnesses)
    return [f"ENV PATH={bins}:${{PATH}}"]
